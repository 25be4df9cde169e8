"""Slow, plain-NumPy twins of the numba kernels: the yardstick for tests and the baseline for benchmarks.

Written independently of ``kernel``: whole-age array operations (an age shift with an open last group)
instead of per-cell loops, one scenario and one year at a time.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.enterprise_pension.kernel import (D_BENEFIT, D_CONTRIB, D_RETIREES, F_BEN_EXPOSURE, F_CLOSING, F_CONTRIB,
                                   F_CONTRIB_EXPOSURE, F_CONTRIBUTORS, F_BENEFICIARIES, F_EXPEND, F_INTEREST,
                                   F_NEW_BEN, F_OPENING, F_SUBSIDY, F_WAGEBILL, N_DETAIL, N_FLOWS, SUB_FIXED,
                                   SUB_SHARE)


def age_shift(x: np.ndarray) -> np.ndarray:
    """Move everyone one age up; the last (open) group keeps its own members and gains the one below."""
    out = np.zeros_like(x)
    out[1:] = x[:-1]
    out[-1] += x[-1]
    return out


def _div(num, den):
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def project_reference(inp, *, keep_detail: bool = True):
    """Same contract as ``sibrisk.funds.enterprise_pension.inputs.run_kernel``: returns (flows, detail or None)."""
    n_s, n_t, n_a = inp.wage.shape[0], inp.hazard.shape[0], inp.c0.shape[0]
    flows = np.zeros((n_s, n_t, N_FLOWS))
    detail = np.zeros((n_s, n_t, n_a, 2, N_DETAIL)) if keep_detail else None
    ratio = inp.base_ratio
    not_forced = (np.arange(n_a) < inp.force_idx)[:, None]
    for i in range(n_s):
        C, R, B, Y, K = (x.copy() for x in (inp.c0, inp.r0, inp.b0, inp.y0, inp.k0))
        opening = inp.opening0
        for t in range(n_t):
            W = inp.wage[i, t]
            if t == 0:
                c_mid, r_mid = C, R
                expend = float(np.sum(R * B))
                new_ret = 0.0
            else:
                p = 1.0 - np.minimum(1.0, inp.q_base * np.exp(inp.mort_b * inp.kappa[i, t]))
                c_beg, r_beg = age_shift(C), age_shift(R)
                Cs, Rs = age_shift(C * p), age_shift(R * p)
                Ys, Ks = _div(age_shift(C * p * Y), Cs), _div(age_shift(C * p * K), Cs)
                Bs = _div(age_shift(R * p * B), Rs) * (1.0 + inp.index[i, t])
                h = np.where((Ys < inp.min_years[t]) & not_forced, 0.0, inp.hazard[t])
                NR = Cs * h
                Wp = inp.wage[i, t - 1]
                pension = (inp.accrual * Wp * (1 + ratio) / 2 * Ys + 12 * Ks / inp.months[:, None]
                           + inp.transitional * Wp * ratio * np.minimum(Ys, inp.deemed[t][:, None]))
                R = Rs + NR
                B = np.where(R > 0, _div(Rs * Bs + NR * pension, R), Bs)
                stay = Cs - NR
                C = stay + inp.entrants[t]
                Y = np.where(C > 0, _div(stay * Ys, C) + 1.0, 0.0)
                K = np.where(C > 0, _div(stay * Ks, C) * (1 + inp.credit[i, t]) + inp.acct_rate[t] * ratio * W, 0.0)
                c_mid, r_mid = 0.5 * (c_beg + C), 0.5 * (r_beg + R)
                expend = float(np.sum(0.5 * (r_beg * Bs + R * B)))
                new_ret = float(NR.sum())
            bill = float(np.sum(c_mid * W * ratio))
            contrib = bill * inp.contrib_rate[t] * inp.collection[i, t]
            rate = inp.rate[i, t]
            f = (1 + rate) ** 0.5 - 1 if inp.mid_year else 0.0
            if inp.rule == SUB_FIXED:
                sub = inp.sub_param[t]
            elif inp.rule == SUB_SHARE:
                sub = inp.sub_param[t] * expend
            else:
                target = inp.sub_param[t] * expend / 12
                sub = max(0.0, (target - opening * (1 + rate) - (contrib - expend) * (1 + f)) / (1 + f))
            interest = opening * rate + (contrib + sub - expend) * f
            closing = opening + contrib + sub + interest - expend
            row = flows[i, t]
            row[[F_CONTRIB, F_SUBSIDY, F_INTEREST, F_EXPEND, F_OPENING, F_CLOSING, F_WAGEBILL]] = (
                contrib, sub, interest, expend, opening, closing, bill)
            row[[F_CONTRIBUTORS, F_BENEFICIARIES, F_NEW_BEN, F_BEN_EXPOSURE, F_CONTRIB_EXPOSURE]] = (
                C.sum(), R.sum(), new_ret, r_mid.sum(), c_mid.sum())
            if keep_detail:
                detail[i, t, ..., D_CONTRIB] = C
                detail[i, t, ..., D_RETIREES] = R
                detail[i, t, ..., D_BENEFIT] = B
            opening = closing
    return flows, detail
