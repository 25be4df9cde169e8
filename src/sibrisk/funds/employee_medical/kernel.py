"""Numba kernel of the employee basic medical insurance projection (contract: ``kernels/employee_medical.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths: the
population, wages, collection, interest and medical cost growth of each scenario). ``project_serial`` and
``project_parallel`` run the same per-scenario function ``_project_one``; the parallel one uses ``prange`` over
scenarios, each iteration writing only its own slice of the outputs. Both accounts (pooled fund and individual
accounts) roll forward with the shared ``roll_forward`` (``funds/common/accounts.py``).
"""

from __future__ import annotations

import numpy as np

from sibrisk._numba import jit, scenario_loops
from sibrisk.funds.common.accounts import SUB_FIXED, roll_forward

# columns of the per-(scenario, year) flow output
(F_CONTRIB, F_SUBSIDY, F_INTEREST, F_EXPEND, F_OPENING, F_CLOSING, F_WAGEBILL, F_WORKERS, F_RETIREES,
 F_POOL_OPENING, F_POOL_CONTRIB, F_POOL_INTEREST, F_POOL_EXPEND, F_POOL_CLOSING,
 F_ACCT_OPENING, F_ACCT_INFLOW, F_ACCT_INTEREST, F_ACCT_EXPEND, F_ACCT_CLOSING,
 F_MEDICAL_COST, F_MATERNITY, F_RETIREE_CREDIT, F_ACCT_SHORTFALL, F_WORKER_EXPOSURE, F_RETIREE_EXPOSURE,
 F_COST_INDEX, F_RATE_INCREASE) = range(27)
N_FLOWS = 27
# last axis of the age-detail output
D_WORKERS, D_RETIREES, D_COST = 0, 1, 2
N_DETAIL = 3


@jit
def coverage_step(cov_prev, pop_prev, young, lock_idx, cov_new):
    """Insured share by age and sex this year: ``young`` below ``lock_idx``; from it on, the share the cohort had a
    year earlier (the open group 100+ mixes last year's ages 99 and 100+ by their population)."""
    n_age = cov_prev.shape[0]
    last = n_age - 1
    for s in range(2):
        for j in range(n_age):
            if j < lock_idx:
                cov_new[j, s] = young[j, s]
            elif j == last:
                w = pop_prev[last - 1, s] + pop_prev[last, s]
                if w > 0.0:
                    cov_new[j, s] = (pop_prev[last - 1, s] * cov_prev[last - 1, s]
                                     + pop_prev[last, s] * cov_prev[last, s]) / w
                else:
                    cov_new[j, s] = cov_prev[last - 1, s]
            else:
                cov_new[j, s] = cov_prev[j - 1, s]


@jit
def _project_one(i, pop, births, cov0, young, lock_idx, retired, curve, retiree_factor, base_cost, utilisation,
                 cost_growth, wage, collection, rate, base_ratio, contrib_rate, acct_rate, retiree_credit,
                 pooled_share, maternity0, opening_pool0, opening_acct0, exposure_w, exposure_r, exposure_c,
                 maternity_base, mid_year, rule, sub_param, adj_floor, adj_step, adj_cap, flows, detail,
                 keep_detail):
    n_year = pop.shape[1]
    n_age = pop.shape[2]
    last = n_age - 1
    cov = cov0.copy()
    cov_new = np.empty_like(cov)
    work = np.zeros((n_age, 2))
    ret = np.zeros((n_age, 2))
    work_prev = np.zeros((n_age, 2))
    ret_prev = np.zeros((n_age, 2))
    opening_pool = opening_pool0
    opening_acct = opening_acct0
    cost_index = 1.0
    increase = 0.0
    prev_pool_out = 0.0
    for t in range(n_year):
        first = t == 0
        if not first:
            coverage_step(cov, pop[i, t - 1], young[t], lock_idx, cov_new)
            cov, cov_new = cov_new, cov
            cost_index *= 1.0 + cost_growth[i, t]
            # rate adjustment: the pooled balance at the start of the year below adj_floor months of last year's
            # pooled expenditure raises the contribution rate by adj_step (cumulative, at most adj_cap)
            if adj_floor >= 0.0 and opening_pool < adj_floor * prev_pool_out / 12.0:
                increase = min(increase + adj_step, adj_cap)
            for s in range(2):
                for j in range(n_age):
                    work_prev[j, s] = work[j, s]
                    ret_prev[j, s] = ret[j, s]
        unit_cost = base_cost * utilisation[t] * cost_index
        w_exp = 0.0
        r_exp = 0.0
        w_end = 0.0
        r_end = 0.0
        cost = 0.0
        for s in range(2):
            for j in range(n_age):
                insured = pop[i, t, j, s] * cov[j, s]
                work[j, s] = insured * (1.0 - retired[t, j, s])
                ret[j, s] = insured * retired[t, j, s]
                if first:
                    # the base year pays on its year-end members times the exposures (1: the year-end stock; a
                    # re-based scenario sets the projection's mid-year exposures of that year)
                    we = work[j, s] * exposure_w
                    re = ret[j, s] * exposure_r
                else:
                    # mid-year exposure: average of the cohort-aligned stock a year earlier and this year's
                    wb = 0.0
                    rb = 0.0
                    if j >= 1:
                        wb = work_prev[j - 1, s]
                        rb = ret_prev[j - 1, s]
                    if j == last:
                        wb += work_prev[j, s]
                        rb += ret_prev[j, s]
                    we = 0.5 * (wb + work[j, s])
                    re = 0.5 * (rb + ret[j, s])
                if first:
                    c = (work[j, s] + ret[j, s] * retiree_factor) * curve[j, s] * unit_cost * exposure_c
                else:
                    c = (we + re * retiree_factor) * curve[j, s] * unit_cost
                cost += c
                w_exp += we
                r_exp += re
                w_end += work[j, s]
                r_end += ret[j, s]
                if keep_detail:
                    detail[i, t, j, s, D_WORKERS] = work[j, s]
                    detail[i, t, j, s, D_RETIREES] = ret[j, s]
                    detail[i, t, j, s, D_COST] = c
        bill = w_exp * wage[i, t] * base_ratio
        contrib = bill * (contrib_rate[t] + increase) * collection[i, t]
        credit_ret = r_exp * retiree_credit[t]
        acct_in = bill * acct_rate[t] * collection[i, t] + credit_ret
        pool_in = contrib - acct_in
        if first and maternity_base >= 0.0:  # the base year's maternity given as an amount
            maternity = maternity_base
        else:
            maternity = births[i, t] * maternity0 * wage[i, t] / wage[i, 0]
        pool_out = pooled_share[t] * cost + maternity
        demand = (1.0 - pooled_share[t]) * cost
        avail = opening_acct + acct_in
        if avail < 0.0:
            avail = 0.0
        acct_out = demand if demand < avail else avail
        ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
        sub, int_pool, close_pool = roll_forward(opening_pool, pool_in, pool_out, rate[i, t], ff, rule, sub_param[t],
                                                 w_end + r_end)
        zero, int_acct, close_acct = roll_forward(opening_acct, acct_in, acct_out, rate[i, t], ff, SUB_FIXED, 0.0,
                                                  0.0)
        row = flows[i, t]
        row[F_CONTRIB] = contrib
        row[F_SUBSIDY] = sub
        row[F_INTEREST] = int_pool + int_acct
        row[F_EXPEND] = pool_out + acct_out
        row[F_OPENING] = opening_pool + opening_acct
        row[F_CLOSING] = close_pool + close_acct
        row[F_WAGEBILL] = bill
        row[F_WORKERS] = w_end
        row[F_RETIREES] = r_end
        row[F_POOL_OPENING] = opening_pool
        row[F_POOL_CONTRIB] = pool_in
        row[F_POOL_INTEREST] = int_pool
        row[F_POOL_EXPEND] = pool_out
        row[F_POOL_CLOSING] = close_pool
        row[F_ACCT_OPENING] = opening_acct
        row[F_ACCT_INFLOW] = acct_in
        row[F_ACCT_INTEREST] = int_acct
        row[F_ACCT_EXPEND] = acct_out
        row[F_ACCT_CLOSING] = close_acct
        row[F_MEDICAL_COST] = cost
        row[F_MATERNITY] = maternity
        row[F_RETIREE_CREDIT] = credit_ret
        row[F_ACCT_SHORTFALL] = demand - acct_out
        row[F_WORKER_EXPOSURE] = w_exp
        row[F_RETIREE_EXPOSURE] = r_exp
        row[F_COST_INDEX] = cost_index
        row[F_RATE_INCREASE] = increase
        prev_pool_out = pool_out
        opening_pool = close_pool
        opening_acct = close_acct


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
