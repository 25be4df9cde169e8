"""Slow, plain-NumPy twins of the numba kernels: the yardstick for tests and the baseline for benchmarks.

Written independently of ``kernel``: whole-age array operations (an age shift with an open last group)
instead of per-cell loops, one scenario and one year at a time.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.enterprise_pension.kernel import (D_BENEFIT, D_CONTRIB, D_LAPSED, D_RETIREE_ACCOUNT, D_RETIREES,
                                                     F_BACK_PAY, F_BACK_PAYERS, F_BEN_EXPOSURE, F_CLOSING, F_CONTRIB,
                                                     F_CONTRIB_EXPOSURE, F_CONTRIBUTORS, F_BENEFICIARIES,
                                                     F_DEATH_GRANTS, F_EXITS, F_EXPEND, F_INTEREST, F_LAPSED,
                                                     F_NEW_BEN, F_OPENING, F_REFUND, F_RETIREE_REFUND, F_SUBSIDY,
                                                     F_TRANSFER_IN, F_TRANSFER_OUT, F_WAGEBILL, N_DETAIL, N_FLOWS,
                                                     YEARS_TOL)
from sibrisk.funds.common.accounts import roll_forward_reference


def age_shift(x: np.ndarray) -> np.ndarray:
    """Move everyone one age up (axis 0); the last (open) group keeps its own members and gains the one below."""
    out = np.zeros_like(x)
    out[1:] = x[:-1]
    out[-1] += x[-1]
    return out


def _div(num, den):
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def project_reference(inp, *, keep_detail: bool = True, final_state: bool = False):
    """Same contract as ``sibrisk.funds.enterprise_pension.inputs.run_kernel``: returns (flows, detail or None);
    with ``final_state`` also the state at the end of the last year of the first scenario (the fields of
    ``parameters.CarriedState``: per band contributing, not contributing, years, account; per cell retirees,
    benefit, retiree account, account pension)."""
    n_s, n_t, n_a = inp.wage.shape[0], inp.hazard.shape[0], inp.r0.shape[0]
    flows = np.zeros((n_s, n_t, N_FLOWS))
    detail = np.zeros((n_s, n_t, n_a, 2, N_DETAIL)) if keep_detail else None
    bd = inp.banded()
    dt = inp.dated()
    forced = (np.arange(n_a) >= inp.force_idx)[:, None, None]
    for i in range(n_s):
        C, L, Y, K = (bd[x].copy() for x in ("c0", "l0", "y0", "k0"))
        R, B = inp.r0.copy(), inp.b0.copy()
        Acc, Draw = dt["a0"].copy(), dt["d0"].copy()
        opening = inp.opening0
        for t in range(n_t):
            W = inp.wage[i, t]
            ratio = dt["base_ratio"][t]
            ratio3 = ratio[..., None]
            refund = exits = grants = ret_refund = back_pay = back_payers = 0.0
            if t == 0:
                ec, er = inp.exposure
                c_mid, r_mid = C.sum(axis=2) * ec, R * er
                expend = float(np.sum(r_mid * B))
                refund = float(inp.other0)
                new_ret = 0.0
            else:
                e = np.exp(inp.mort_b * inp.kappa[i, t])
                p = 1.0 - np.minimum(1.0, inp.q_base * e)
                p_ret = 1.0 - np.minimum(1.0, dt["q_ret_base"] * e * dt["ret_factor"][t])
                p3 = p[..., None]
                # deaths during the year: heirs get the account share ``inherit`` of workers' and retirees' remaining
                # accounts; retirees' deaths cost grants
                refund_deaths = float(np.sum((C + L) * (1 - p3) * K)) * dt["inherit"][t]
                ret_refund = float(np.sum(R * (1 - p_ret) * Acc)) * dt["inherit"][t]
                grants = float(np.sum(R * (1 - p_ret) * B / 12.0)) * dt["grant_months"][t]
                c_beg, r_beg = age_shift(C.sum(axis=2)), age_shift(R)
                Cs, Ls = age_shift(C * p3), age_shift(L * p3)
                Ns = Cs + Ls
                Ys = _div(age_shift((C + L) * p3 * Y), Ns)
                Ks = _div(age_shift((C + L) * p3 * K), Ns)
                Rs = age_shift(R * p_ret)
                Bs = _div(age_shift(R * p_ret * B), Rs) * (1.0 + inp.index[i, t])
                Ds = _div(age_shift(R * p_ret * Draw), Rs)
                As = np.maximum(0.0, _div(age_shift(R * p_ret * Acc), Rs) * (1 + inp.credit[i, t]) - Ds)
                h = np.broadcast_to(inp.hazard[t][..., None], Ns.shape)
                eligible = (Ys >= inp.min_years[t] - YEARS_TOL) | forced
                missing = inp.min_years[t] - Ys
                bb = np.where(~eligible & (missing <= dt["back_max"][t] + YEARS_TOL), dt["back_share"][t], 0.0)
                NR = np.where(eligible, Ns * h, 0.0)
                NB = Ns * h * bb
                X = np.where(eligible, 0.0, Ns * h * (1 - bb) * inp.exit_share)
                Wp = inp.wage[i, t - 1]
                months = dt["months"][t][:, None, None]

                def new_pension(yy, kk):
                    return (dt["accrual"][t] * Wp * (dt["pension_base"][t] + ratio3) / 2 * yy + 12 * kk / months
                            + inp.transitional * Wp * ratio3 * np.minimum(yy, inp.deemed[t][:, None, None]))

                # back-payment (补缴): the missing years at this year's rate and base; the account part is credited
                lump = np.where(NB > 0, missing * ratio3 * W, 0.0)
                back_pay = float(np.sum(NB * lump)) * inp.contrib_rate[t]
                back_payers = float(NB.sum())
                Kb = Ks + lump * inp.acct_rate[t]
                refund, exits = float(np.sum(X * Ks)) + refund_deaths + ret_refund, float(X.sum())
                R = Rs + (NR + NB).sum(axis=2)
                pens = (NR * new_pension(Ys, Ks) + NB * new_pension(inp.min_years[t], Kb)).sum(axis=2)
                acc_new = (NR * Ks + NB * Kb).sum(axis=2)
                B = np.where(R > 0, _div(Rs * Bs + pens, R), Bs)
                Acc = np.where(R > 0, _div(Rs * As + acc_new, R), As)
                Draw = np.where(R > 0, _div(Rs * Ds + 12 * acc_new / dt["months"][t][:, None], R), Ds)
                keep = np.where(eligible, 1.0 - h, 1.0 - h * bb - h * (1 - bb) * inp.exit_share)
                Cr, Lr = Cs * keep, Ls * keep
                lam, rho = bd["lapse"][t], bd["resume"][t]
                E = inp.entrants[t][..., None] * bd["ent_band"]
                C = Cr * (1 - lam) + Lr * rho + E
                L = Cr * lam + Lr * (1 - rho)
                tot = Cr + Lr + E
                Y = _div((Cr + Lr) * Ys + C, tot)
                K = _div((Cr + Lr) * Ks * (1 + inp.credit[i, t]) + C * inp.acct_rate[t] * ratio3 * W, tot)
                c_mid, r_mid = 0.5 * (c_beg + C.sum(axis=2)), 0.5 * (r_beg + R)
                expend = float(np.sum(0.5 * (r_beg * Bs + R * B)))
                new_ret = float((NR + NB).sum())
            bill = float(np.sum(c_mid * W * ratio))
            contrib = bill * inp.contrib_rate[t] * inp.collection[i, t] + back_pay
            t_out = dt["transfer_out"][t] * W * float(C.sum() + L.sum())
            t_in = dt["transfer_in"][t] * W * float(R.sum())
            # the shared plain-Python roll-forward: every subsidy rule, and published amounts ([subsidy] history)
            sub, interest, closing = roll_forward_reference(opening, contrib + t_in - t_out, expend + refund + grants,
                                                            inp.rate[i, t], inp.mid_year, inp.rule, inp.sub_param[t],
                                                            float(R.sum()))
            row = flows[i, t]
            row[[F_CONTRIB, F_SUBSIDY, F_INTEREST, F_EXPEND, F_OPENING, F_CLOSING, F_WAGEBILL]] = (
                contrib, sub, interest, expend, opening, closing, bill)
            row[[F_CONTRIBUTORS, F_BENEFICIARIES, F_NEW_BEN, F_BEN_EXPOSURE, F_CONTRIB_EXPOSURE]] = (
                C.sum(), R.sum(), new_ret, r_mid.sum(), c_mid.sum())
            row[[F_LAPSED, F_REFUND, F_EXITS, F_DEATH_GRANTS]] = (L.sum(), refund, exits, grants)
            row[[F_RETIREE_REFUND, F_BACK_PAY, F_BACK_PAYERS, F_TRANSFER_OUT, F_TRANSFER_IN]] = (
                ret_refund, back_pay, back_payers, t_out, t_in)
            if keep_detail:
                detail[i, t, ..., D_CONTRIB] = C.sum(axis=2)
                detail[i, t, ..., D_RETIREES] = R
                detail[i, t, ..., D_BENEFIT] = B
                detail[i, t, ..., D_LAPSED] = L.sum(axis=2)
                detail[i, t, ..., D_RETIREE_ACCOUNT] = Acc
            opening = closing
        if final_state and i == 0:
            state = dict(contributing=C, not_contributing=L, years=Y, account=K, retirees=R, benefit=B,
                         retiree_account=Acc, account_pension=Draw)
    if final_state:
        return flows, detail, state
    return flows, detail
