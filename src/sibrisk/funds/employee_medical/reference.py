"""Slow, plain-NumPy twin of the employee medical kernel: the yardstick for tests and the baseline for benchmarks.

Written independently of ``kernel``: whole-age array operations (an age shift with an open last group) and an
explicit account arithmetic, one scenario and one year at a time; the subsidy rules are re-implemented here rather
than calling ``roll_forward``.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.common.accounts import SUB_FIXED, SUB_PER_CAPITA, SUB_SHARE
from sibrisk.funds.employee_medical import kernel as k


def age_shift(x: np.ndarray) -> np.ndarray:
    """Everyone one age up; the last (open) group keeps its own members and gains the one below."""
    out = np.zeros_like(x)
    out[1:] = x[:-1]
    out[-1] += x[-1]
    return out


def _subsidy(rule, param, opening, income, expend, rate, f, headcount):
    if rule == SUB_FIXED:
        return param
    if rule == SUB_SHARE:
        return param * expend
    if rule == SUB_PER_CAPITA:
        return param * headcount
    floor = param * expend / 12
    return max(0.0, (floor - opening * (1 + rate) - (income - expend) * (1 + f)) / (1 + f))


def project_reference(inp, *, keep_detail: bool = True):
    """Same contract as ``sibrisk.funds.employee_medical.inputs.run_kernel``: returns (flows, detail or None)."""
    n_s, n_t, n_a = inp.pop.shape[0], inp.pop.shape[1], inp.pop.shape[2]
    flows = np.zeros((n_s, n_t, k.N_FLOWS))
    detail = np.zeros((n_s, n_t, n_a, 2, k.N_DETAIL)) if keep_detail else None
    below = (np.arange(n_a) < inp.lock_idx)[:, None]
    for i in range(n_s):
        cov = inp.cov0.copy()
        W_prev = R_prev = None
        pool, acct = inp.opening_pool0, inp.opening_acct0
        index = 1.0
        increase, last_pool_out = 0.0, 0.0
        for t in range(n_t):
            if t > 0:
                P_prev = inp.pop[i, t - 1]
                # a cohort keeps its insured share; the open group 100+ mixes ages 99 and 100+ by population
                weight = age_shift(P_prev)
                shifted = np.vstack([cov[:1], cov[:-1]])  # share a year younger (used where nobody was there)
                carried = np.divide(age_shift(P_prev * cov), weight, out=shifted, where=weight > 0)
                cov = np.where(below, inp.young[t], carried)
                index = index * (1 + inp.cost_growth[i, t])
                if inp.adj_floor >= 0 and pool < inp.adj_floor * last_pool_out / 12:
                    increase = min(increase + inp.adj_step, inp.adj_cap)
            insured = inp.pop[i, t] * cov
            W, R = insured * (1 - inp.retired[t]), insured * inp.retired[t]
            unit = inp.base_cost * inp.utilisation[t] * index
            if t == 0:  # year-end members times the base year's exposures (worker, retiree, cost)
                ew, er, ec = inp.exposure
                We, Re = W * ew, R * er
                cost_by_age = (W + inp.retiree_factor * R) * inp.curve * (unit * ec)
            else:
                We, Re = 0.5 * (age_shift(W_prev) + W), 0.5 * (age_shift(R_prev) + R)
                cost_by_age = (We + inp.retiree_factor * Re) * inp.curve * unit
            cost = cost_by_age.sum()
            wage, coll, rate = inp.wage[i, t], inp.collection[i, t], inp.rate[i, t]
            bill = We.sum() * wage * inp.base_ratio
            contrib = bill * (inp.contrib_rate[t] + increase) * coll
            credits = Re.sum() * inp.retiree_credit[t]
            to_accounts = bill * inp.acct_rate[t] * coll + credits
            to_pool = contrib - to_accounts
            maternity = inp.births[i, t] * inp.maternity0 * wage / inp.wage[i, 0]
            if t == 0 and inp.maternity_base >= 0:
                maternity = inp.maternity_base
            pool_out = inp.pooled_share[t] * cost + maternity
            demand = (1 - inp.pooled_share[t]) * cost
            acct_out = min(demand, max(acct + to_accounts, 0.0))
            f = (1 + rate) ** 0.5 - 1 if inp.mid_year else 0.0
            sub = _subsidy(inp.rule, inp.sub_param[t], pool, to_pool, pool_out, rate, f, W.sum() + R.sum())
            int_pool = pool * rate + (to_pool + sub - pool_out) * f
            int_acct = acct * rate + (to_accounts - acct_out) * f
            pool_close = pool + to_pool + sub + int_pool - pool_out
            acct_close = acct + to_accounts + int_acct - acct_out
            row = flows[i, t]
            row[[k.F_CONTRIB, k.F_SUBSIDY, k.F_INTEREST, k.F_EXPEND, k.F_OPENING, k.F_CLOSING, k.F_WAGEBILL]] = (
                contrib, sub, int_pool + int_acct, pool_out + acct_out, pool + acct, pool_close + acct_close, bill)
            row[[k.F_WORKERS, k.F_RETIREES, k.F_WORKER_EXPOSURE, k.F_RETIREE_EXPOSURE]] = (
                W.sum(), R.sum(), We.sum(), Re.sum())
            row[[k.F_POOL_OPENING, k.F_POOL_CONTRIB, k.F_POOL_INTEREST, k.F_POOL_EXPEND, k.F_POOL_CLOSING]] = (
                pool, to_pool, int_pool, pool_out, pool_close)
            row[[k.F_ACCT_OPENING, k.F_ACCT_INFLOW, k.F_ACCT_INTEREST, k.F_ACCT_EXPEND, k.F_ACCT_CLOSING]] = (
                acct, to_accounts, int_acct, acct_out, acct_close)
            row[[k.F_MEDICAL_COST, k.F_MATERNITY, k.F_RETIREE_CREDIT, k.F_ACCT_SHORTFALL, k.F_COST_INDEX]] = (
                cost, maternity, credits, demand - acct_out, index)
            row[k.F_RATE_INCREASE] = increase
            last_pool_out = pool_out
            if keep_detail:
                detail[i, t, ..., k.D_WORKERS] = W
                detail[i, t, ..., k.D_RETIREES] = R
                detail[i, t, ..., k.D_COST] = cost_by_age
            W_prev, R_prev = W, R
            pool, acct = pool_close, acct_close
    return flows, detail
