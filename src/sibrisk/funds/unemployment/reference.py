"""Slow, plain-NumPy twin of the unemployment-insurance kernel: the yardstick for tests and the baseline for
benchmarks.

Written independently of ``kernel``: whole-array operations over scenarios (insured summed with ``einsum``, the
stock of recipients carried as a vector), one year at a time, and its own fund-account arithmetic.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.common.accounts import SUB_FIXED, SUB_PER_CAPITA, SUB_SHARE
from sibrisk.funds.unemployment import kernel as k


def project_reference(inp, *, keep_detail: bool = True):
    """Same contract as ``sibrisk.funds.unemployment.inputs.run_kernel``: returns (flows, detail or None)."""
    n_s, n_t = inp.wage.shape
    flows = np.zeros((n_s, n_t, k.N_FLOWS))
    detail = inp.pop * inp.cov[None] if keep_detail else None
    insured = np.einsum("ntax,tax->nt", inp.pop, inp.cov)  # n scenario, t year, a age, x sex
    exposure = insured.copy()
    exposure[:, 0] *= inp.exposure0
    exposure[:, 1:] = (insured[:, :-1] + insured[:, 1:]) / 2
    bill = exposure * inp.wage * inp.base_ratio
    contrib = bill * inp.contrib_rate[None] * inp.collection
    unemployed = exposure * inp.unemp
    claims = unemployed * inp.takeup[None]
    m = inp.mean_spell[:, None]
    capped = m * -np.expm1(-inp.max_months[None, :] / m)          # E[min(spell, M_b)], (T, 3)
    d = (inp.band_shares * capped).sum(axis=1)                    # (T,)
    months = claims * d[None]
    stock_end = months / 12
    stock_open = np.concatenate([stock_end[:, :1] * inp.recipients0, stock_end[:, :-1]], axis=1)
    monthly = inp.benefit_share[None] * inp.min_wage
    ui_paid = months * monthly
    medical = ui_paid * inp.medical_share[None]
    benefit = ui_paid + medical
    stab = contrib * inp.stab_share[None]
    skills = contrib * inp.skills_share[None] + inp.other_amount[None]
    expend = benefit + stab + skills
    opening = np.full(n_s, float(inp.opening0))
    for t in range(n_t):
        i = inp.rate[:, t]
        f = np.sqrt(1 + i) - 1 if inp.mid_year else np.zeros(n_s)
        x = expend[:, t]
        c = contrib[:, t]
        if inp.rule == SUB_FIXED:
            sub = np.full(n_s, inp.sub_param[t])
        elif inp.rule == SUB_SHARE:
            sub = inp.sub_param[t] * x
        elif inp.rule == SUB_PER_CAPITA:
            sub = inp.sub_param[t] * insured[:, t]
        else:
            need = inp.sub_param[t] * x / 12 - opening * (1 + i) - (c - x) * (1 + f)
            sub = np.maximum(need / (1 + f), 0.0)
        interest = opening * i + (c + sub - x) * f
        closing = opening + c + sub + interest - x
        cols = {k.F_OPENING: opening, k.F_CONTRIB: c, k.F_SUBSIDY: sub, k.F_INTEREST: interest,
                k.F_BENEFIT: benefit[:, t], k.F_OTHER: stab[:, t] + skills[:, t], k.F_CLOSING: closing,
                k.F_WAGEBILL: bill[:, t], k.F_INSURED: insured[:, t], k.F_INSURED_EXPOSURE: exposure[:, t],
                k.F_UNEMPLOYED: unemployed[:, t], k.F_CLAIMS: claims[:, t], k.F_MONTHS_PER_CLAIM: d[t],
                k.F_BENEFIT_MONTHS: months[:, t], k.F_IN_YEAR: claims[:, t] + stock_open[:, t],
                k.F_STOCK_END: stock_end[:, t], k.F_MONTHLY_BENEFIT: monthly[:, t], k.F_UI_PAID: ui_paid[:, t],
                k.F_MEDICAL: medical[:, t], k.F_STABILISATION: stab[:, t], k.F_SKILLS: skills[:, t]}
        for col, v in cols.items():
            flows[:, t, col] = v
        opening = closing
    return flows, detail
