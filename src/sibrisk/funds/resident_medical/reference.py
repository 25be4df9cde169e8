"""Slow, plain-NumPy twin of the numba kernel: the yardstick for tests and the baseline for benchmarks.

Written independently of ``kernel``: whole-array operations over scenarios, ages and sexes (the cost level as a
cumulative product, the insured as one broadcast product), and the fund account written out here rather than
borrowed from ``funds.common.accounts``.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.common.accounts import SUB_FIXED, SUB_PER_CAPITA, SUB_SHARE
from sibrisk.funds.resident_medical.kernel import (D_EXPEND, D_INSURED, F_CLOSING, F_CONTRIB, F_COST_LEVEL, F_EXPEND,
                                                   F_INSURED, F_INTEREST, F_OPENING, F_SUBSIDY, N_DETAIL, N_FLOWS)


def project_reference(inp, *, keep_detail: bool = True):
    """Same contract as ``sibrisk.funds.resident_medical.inputs.run_kernel``: returns (flows, detail or None)."""
    n_s, n_t = inp.stock.shape[:2]
    growth = np.asarray(inp.cost_growth, float).copy()
    growth[:, 0] = 0.0
    level = inp.cost_level0 * np.cumprod(1.0 + growth, axis=1)                     # (S, T)
    insured_by_age = inp.coverage[None] * inp.stock                                  # (S, T, A, 2)
    expend_by_age = insured_by_age * inp.rel_cost[None, None] * level[:, :, None, None]
    insured = insured_by_age.sum(axis=(2, 3))
    expend = expend_by_age.sum(axis=(2, 3))
    contrib = inp.premium[None, :] * inp.collection * insured

    flows = np.zeros((n_s, n_t, N_FLOWS))
    balance = np.full(n_s, float(inp.opening0))
    for t in range(n_t):
        i = inp.rate[:, t]
        f = np.sqrt(1.0 + i) - 1.0 if inp.mid_year else np.zeros(n_s)
        x, c = expend[:, t], contrib[:, t]
        if inp.rule == SUB_FIXED:
            sub = np.full(n_s, inp.sub_param[t])
        elif inp.rule == SUB_SHARE:
            sub = inp.sub_param[t] * x
        elif inp.rule == SUB_PER_CAPITA:
            sub = inp.sub_param[t] * insured[:, t]
        else:  # least non-negative subsidy that leaves floor_months of this year's expenditure at year end
            floor = inp.sub_param[t] * x / 12.0
            sub = np.maximum(0.0, (floor - balance * (1.0 + i) - (c - x) * (1.0 + f)) / (1.0 + f))
        interest = balance * i + (c + sub - x) * f
        closing = balance + c + sub + interest - x
        flows[:, t, F_OPENING] = balance
        flows[:, t, F_CONTRIB] = c
        flows[:, t, F_SUBSIDY] = sub
        flows[:, t, F_INTEREST] = interest
        flows[:, t, F_EXPEND] = x
        flows[:, t, F_CLOSING] = closing
        balance = closing
    flows[..., F_INSURED] = insured
    flows[..., F_COST_LEVEL] = level
    detail = None
    if keep_detail:
        detail = np.zeros(insured_by_age.shape + (N_DETAIL,))
        detail[..., D_INSURED] = insured_by_age
        detail[..., D_EXPEND] = expend_by_age
    return flows, detail
