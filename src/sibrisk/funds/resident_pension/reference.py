"""Slow, plain-NumPy twin of the resident pension kernel: the yardstick for tests and the baseline for benchmarks.

Written independently of ``kernel``: whole-age array operations (an age shift with an open last group) and masks
instead of per-cell loops, one scenario and one year at a time; the fund account in plain Python.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.resident_pension.kernel import (D_ACCOUNT, D_ACCOUNT_PENSION, D_BENEFICIARIES, D_CONTRIBUTORS,
                                                   D_PARTICIPANTS, F_ACCOUNT, F_ACCOUNTS, F_BASIC, F_BEN_EXPOSURE,
                                                   F_BENEFICIARIES, F_BENEFIT, F_CLOSING, F_CONTRIB, F_CONTRIBUTORS,
                                                   F_INTEREST, F_MATCHING, F_NEW_BEN, F_OPENING, F_OTHER,
                                                   F_PARTICIPANTS, F_SUBSIDY, N_DETAIL, N_FLOWS)


def age_shift(x: np.ndarray) -> np.ndarray:
    """Move everyone one age up; the last (open) group keeps its own members and gains the one below."""
    out = np.zeros_like(x)
    out[1:] = x[:-1]
    out[-1] += x[-1]
    return out


def _div(num, den):
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def project_reference(inp, *, keep_detail: bool = True, final_state: bool = False):
    """Same contract as ``sibrisk.funds.resident_pension.inputs.run_kernel``: returns (flows, detail or None); with
    ``final_state`` also the accounts at the end of the last year of the last scenario, ``{"account": (A, 2) average
    account per participant below the pension age, "account_pension": (A, 2) average account pension per
    beneficiary}`` (what ``carried_state_updates`` carries into a later base year)."""
    n_s, n_t, n_a = inp.basic.shape[0], inp.cov.shape[0], inp.k0.shape[0]
    flows = np.zeros((n_s, n_t, N_FLOWS))
    detail = np.zeros((n_s, n_t, n_a, 2, N_DETAIL)) if keep_detail else None
    below = (np.arange(n_a) < inp.jp)[:, None]
    at_age = (np.arange(n_a) == inp.jp)[:, None]
    above = (np.arange(n_a) > inp.jp)[:, None]
    for i in range(n_s):
        N = inp.cov[0] * inp.pop[i, 0]
        K, AP = inp.k0.copy(), inp.ap0.copy()
        opening = inp.opening0
        for t in range(n_t):
            if t == 0:
                R = np.where(below, 0.0, N)
                exposure = float(R.sum()) * inp.ben_exposure0        # year-end stocks x the base year's exposures
                account_exp = float((R * AP).sum()) * inp.acct_exposure0
            else:
                p = 1.0 - np.minimum(1.0, inp.q_base * np.exp(inp.mort_b * inp.kappa[i, t]))
                survivors = age_shift(N * p)
                k_bar = _div(age_shift(N * p * K), survivors)
                ap_bar = _div(age_shift(N * p * AP), survivors)
                start = age_shift(N)                      # cohort-aligned start-of-year stock
                ap_start = _div(age_shift(N * AP), start)
                N_new = inp.cov[t] * inp.pop[i, t]
                kept = _div(np.minimum(survivors, N_new), N_new)  # share of this year's participants who stayed
                K = np.where(below, kept * k_bar * (1 + inp.credit[i, t])
                             + inp.density[t] * (inp.contrib[t] + inp.match[t]), 0.0)
                AP = np.where(at_age, kept * k_bar * (1 + inp.credit[i, t]) * 12 / inp.months,
                              np.where(above, kept * ap_bar, 0.0))
                R_start = np.where(above, start, 0.0)
                N = N_new
                R = np.where(below, 0.0, N)
                exposure = float(0.5 * (R_start + R).sum())
                account_exp = float(0.5 * (R_start * np.where(above, ap_start, 0.0) + R * AP).sum())
            C = np.where(below, N * inp.density[t], 0.0)
            contribution = float(C.sum()) * inp.contrib[t]
            matching = float(C.sum()) * inp.match[t]
            basic_exp = exposure * inp.basic[i, t]
            benefit = basic_exp + account_exp
            other = inp.other_share[t] * benefit
            sub = basic_exp + matching + inp.other_financed[t] * other
            rate = inp.rate[i, t]
            f = (1 + rate) ** 0.5 - 1 if inp.mid_year else 0.0
            interest = opening * rate + (contribution + sub - benefit - other) * f
            closing = opening + contribution + sub + interest - benefit - other
            row = flows[i, t]
            row[[F_CONTRIB, F_SUBSIDY, F_INTEREST, F_BENEFIT, F_OTHER, F_OPENING, F_CLOSING, F_BASIC, F_ACCOUNT,
                 F_MATCHING]] = (contribution, sub, interest, benefit, other, opening, closing, basic_exp,
                                 account_exp, matching)
            row[[F_PARTICIPANTS, F_CONTRIBUTORS, F_BENEFICIARIES, F_NEW_BEN, F_BEN_EXPOSURE, F_ACCOUNTS]] = (
                N.sum(), C.sum(), R.sum(), 0.0 if t == 0 else float(np.where(at_age, N, 0.0).sum()), exposure,
                float(np.where(below, N * K, 0.0).sum()))
            if keep_detail:
                detail[i, t, ..., D_PARTICIPANTS] = N
                detail[i, t, ..., D_CONTRIBUTORS] = C
                detail[i, t, ..., D_BENEFICIARIES] = R
                detail[i, t, ..., D_ACCOUNT] = K
                detail[i, t, ..., D_ACCOUNT_PENSION] = AP
            opening = closing
    if final_state:
        return flows, detail, {"account": np.where(below, K, 0.0), "account_pension": np.where(below, 0.0, AP)}
    return flows, detail
