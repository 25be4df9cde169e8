"""Slow, plain-NumPy twin of the work-injury kernel: the yardstick for tests and the baseline for benchmarks.

Written independently of ``kernel``: whole-array operations over (grade, age, sex) with an age shift that keeps the
open last group, outcome costs as dot products, one scenario and one year at a time.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.common.accounts import roll_forward_reference
from sibrisk.funds.work_injury import kernel as k


def age_shift(x: np.ndarray) -> np.ndarray:
    """Shift along the age axis (axis -2): everyone one age up; the open last group keeps its members."""
    out = np.zeros_like(x)
    out[..., 1:, :] = x[..., :-1, :]
    out[..., -1, :] += x[..., -1, :]
    return out


def project_reference(inp, *, keep_detail: bool = True, final_state: bool = False):
    """Same contract as ``sibrisk.funds.work_injury.inputs.run_kernel``: returns (flows, detail or None); with
    ``final_state`` also the stocks at the end of the last year of the first scenario (``disabled``, ``allowance``
    (G, A, 2), ``survivors``, ``survivor_benefit``: the fields of ``parameters.CarriedState`` and its totals)."""
    ex = np.ones(5) if getattr(inp, "exposure", None) is None else np.asarray(inp.exposure, dtype=float)
    n_s, n_t, n_a = inp.insured.shape[:3]
    flows = np.zeros((n_s, n_t, k.N_FLOWS))
    detail = np.zeros((n_s, n_t, n_a, 2, k.N_DETAIL)) if keep_detail else None
    gs = np.asarray(inp.grade_share)
    outcome = np.concatenate([[1.0 - inp.death_share - gs.sum()], gs, [inp.death_share]])
    medical_per_w = float(outcome @ inp.medical_ratio)
    one_off_per_w = inp.own_ratio * float(gs @ inp.one_off_months) / 12.0
    separation_per_w = inp.separation_share * float(gs[4:] @ inp.separation_months) / 12.0
    pg = np.asarray(gs[:k.N_PG])[:, None, None]
    allow = np.asarray(inp.allowance_ratio)[:, None, None]
    care = np.asarray(inp.care_ratio)[:, None, None]
    for i in range(n_s):
        D, B = inp.d0.copy(), inp.b0.copy()
        L, BL = inp.l0, inp.bl0
        opening = inp.opening0
        last_months = None
        for t in range(n_t):
            W = inp.wage[i, t]
            ins = inp.insured[i, t]
            expo = ins if t == 0 else 0.5 * (inp.insured[i, t - 1] + ins)
            cases_by_age = inp.incidence[t] * inp.rel_risk * expo * (ex[0] if t == 0 else 1.0)
            cases = cases_by_age.sum()
            deaths = cases * inp.death_share
            N = pg * cases_by_age[None]
            pay = 1.0 - inp.retired[t][None] * (1.0 - inp.topup)
            if t == 0:
                allowance = float((D * B * pay).sum()) * ex[2]
                care_cost = float((D * care).sum()) * inp.wage_prev[i, t] * ex[3]
                continuing = float((D - N).sum())
                surv_cost = L * BL * ex[4]
                surv_continuing = L - deaths * inp.dependants
            else:
                q = np.minimum(1.0, inp.q_base * np.exp(inp.mort_b * inp.kappa[i, t]))
                p = 1.0 - np.minimum(1.0, q[None] * np.asarray(inp.excess)[:, None, None])
                growth = 1.0 + inp.index[i, t]
                D_beg = age_shift(D)
                DB_beg = age_shift(D * B) * growth
                Ds = age_shift(D * p)
                Bs = np.divide(age_shift(D * p * B), Ds, out=np.zeros_like(Ds), where=Ds > 0) * growth
                D = Ds + N
                B = np.where(D > 0, np.divide(Ds * Bs + N * allow * inp.own_ratio * W, D, out=np.zeros_like(D),
                                              where=D > 0), Bs)
                allowance = float((0.5 * (DB_beg + D * B) * pay).sum())
                care_cost = float((0.5 * (D_beg + D) * care).sum()) * inp.wage_prev[i, t]
                continuing = float(Ds.sum())
                L_beg, BL_beg = L, BL * growth
                Ls = L * (1.0 - inp.survivor_exit)
                L = Ls + deaths * inp.dependants
                BL = (Ls * BL_beg + deaths * inp.dependants * inp.survivor_ratio * inp.own_ratio * W) / L if L > 0 else BL_beg
                surv_cost = 0.5 * (L_beg * BL_beg + L * BL)
                surv_continuing = Ls
            med = cases * medical_per_w * W
            one_off = cases * one_off_per_w * W
            sep = cases * separation_per_w * W
            death_cost = deaths * (inp.death_lump[i, t] + inp.funeral_months / 12.0 * inp.wage_prev[i, t])
            benefit = med + one_off + sep + allowance + care_cost + death_cost + surv_cost
            factor = 1.0
            if inp.rule_on and last_months is not None:
                hit = [f for th, f in zip(inp.thresholds, inp.factors) if last_months >= th]
                factor = hit[-1] if hit else 1.0
            eff = inp.contrib_rate[t] * factor
            bill = float(expo.sum()) * inp.base_ratio * W * (ex[1] if t == 0 else 1.0)
            contrib = bill * eff * inp.collection[i, t]
            other = inp.prevention_share[t] * contrib
            beneficiaries = cases + continuing + surv_continuing
            sub, interest, closing = roll_forward_reference(opening, contrib, benefit + other, inp.rate[i, t],
                                                            inp.mid_year, inp.sub_rule, inp.sub_param[t],
                                                            beneficiaries)
            values = {k.F_CONTRIB: contrib, k.F_SUBSIDY: sub, k.F_INTEREST: interest, k.F_BENEFIT: benefit,
                      k.F_OTHER: other, k.F_OPENING: opening, k.F_CLOSING: closing, k.F_WAGEBILL: bill,
                      k.F_INSURED: float(ins.sum()), k.F_BENEFICIARIES: beneficiaries, k.F_CASES: cases,
                      k.F_DEATHS: deaths, k.F_NEW_PENSION: float(N.sum()), k.F_DISABLED: float(D.sum()),
                      k.F_SURVIVORS: L, k.F_EXP_MEDICAL: med, k.F_EXP_ONE_OFF: one_off, k.F_EXP_SEPARATION: sep,
                      k.F_EXP_ALLOWANCE: allowance, k.F_EXP_CARE: care_cost, k.F_EXP_DEATH: death_cost,
                      k.F_EXP_SURVIVOR: surv_cost, k.F_RATE: eff}
            for c, v in values.items():
                flows[i, t, c] = v
            if keep_detail:
                detail[i, t, :, :, k.D_INSURED] = ins
                detail[i, t, :, :, k.D_DISABLED] = D.sum(axis=0)
                detail[i, t, :, :, k.D_CASES] = cases_by_age
            last_months = closing / ((benefit + other) / 12.0) if benefit + other > 0 else None
            opening = closing
        if final_state and i == 0:
            state = dict(disabled=D.copy(), allowance=B.copy(), survivors=float(L), survivor_benefit=float(BL))
    if final_state:
        return flows, detail, state
    return flows, detail
