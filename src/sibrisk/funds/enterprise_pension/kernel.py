"""Numba kernels of the employee pension projection (enterprise and public-sector schemes) (contract: ``kernels/enterprise_pension.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths).
``project_serial`` and ``project_parallel`` run the same per-scenario function ``_project_one``; the parallel one
uses ``prange`` over scenarios, each iteration writing only its own slice of the outputs.
"""

from __future__ import annotations

import numpy as np

from sibrisk._numba import jit, scenario_loops
from sibrisk.funds.common.accounts import SUB_FIXED, SUB_GAP, SUB_SHARE, roll_forward  # noqa: F401 (re-exported)

# columns of the per-(scenario, year) flow output
F_CONTRIB, F_SUBSIDY, F_INTEREST, F_EXPEND, F_OPENING, F_CLOSING, F_WAGEBILL = 0, 1, 2, 3, 4, 5, 6
F_CONTRIBUTORS, F_BENEFICIARIES, F_NEW_BEN, F_BEN_EXPOSURE, F_CONTRIB_EXPOSURE = 7, 8, 9, 10, 11
F_LAPSED, F_REFUND, F_EXITS, F_DEATH_GRANTS = 12, 13, 14, 15
N_FLOWS = 16
# last axis of the age-detail output
D_CONTRIB, D_RETIREES, D_BENEFIT, D_LAPSED = 0, 1, 2, 3
N_DETAIL = 4


@jit
def cohort_step(c, l, r, b, yrs, k, q, hazard, min_years, force_idx, entrants, ent_band, lapse, resume, exit_share,
                base_ratio, wage_prev, wage, index, credit, acct_rate, accrual, transitional, deemed, months,
                pension_base, inherit, grant_months, c_new, l_new, r_new, b_new, y_new, k_new, c_beg, r_beg, b_beg,
                new_ret, out_refund):
    """Advance one year for one scenario: deaths, ageing, retirement or exit, lapses and resumptions, entrants,
    accrual.

    Insured workers are held by age, sex and contribution-history band (last axis): ``c`` contributing, ``l`` insured
    but not contributing (断缴), with the band's average contribution years ``yrs`` and account ``k`` (A, 2, B).
    Retirees ``r`` and their average benefit ``b`` are (A, 2). Writes the year-end state ``*_new``, the
    cohort-aligned start-of-year stocks ``c_beg`` (contributing, all bands) and ``r_beg`` (survival not yet
    applied), the indexed start-of-year benefit ``b_beg``, new retirees ``new_ret`` (A, 2), and
    ``out_refund[0]`` accounts paid out (to leavers without the minimum years, and ``inherit`` x the accounts of
    insured workers who died), ``out_refund[1]`` people who left without a pension, ``out_refund[2]`` death grants
    (``grant_months`` x the monthly pension of each retiree who died).
    """
    n_age = c.shape[0]
    n_band = c.shape[2]
    refund = 0.0
    exits = 0.0
    grants = 0.0
    for s in range(2):
        for j in range(n_age):
            lo = j - 1
            hi = j if j == n_age - 1 else j - 1
            # retirees
            rs = 0.0
            bs = 0.0
            rb = 0.0
            cb = 0.0
            for src in range(max(lo, 0), hi + 1):
                p = 1.0 - q[src, s]
                rb += r[src, s]
                rs += r[src, s] * p
                bs += r[src, s] * p * b[src, s]
                grants += r[src, s] * q[src, s] * b[src, s] / 12.0 * grant_months
                for g in range(n_band):
                    cb += c[src, s, g]
            if rs > 0.0:
                bs /= rs
            bs *= 1.0 + index
            c_beg[j, s] = cb
            r_beg[j, s] = rb
            b_beg[j, s] = bs
            ratio = base_ratio[j, s]
            nr_tot = 0.0
            pen_sum = 0.0
            for g in range(n_band):
                cs = 0.0
                ls = 0.0
                ys = 0.0
                ks = 0.0
                for src in range(max(lo, 0), hi + 1):
                    p = 1.0 - q[src, s]
                    cs += c[src, s, g] * p
                    ls += l[src, s, g] * p
                    ys += (c[src, s, g] + l[src, s, g]) * p * yrs[src, s, g]
                    ks += (c[src, s, g] + l[src, s, g]) * p * k[src, s, g]
                    refund += (c[src, s, g] + l[src, s, g]) * q[src, s] * k[src, s, g] * inherit
                ns = cs + ls
                if ns > 0.0:
                    ys /= ns
                    ks /= ns
                # statutory age reached with the minimum years: retire; without them (before the forced age): a
                # share leaves with its account paid out, the rest defers and stays insured
                h = hazard[j, s]
                if ys >= min_years or j >= force_idx:
                    nr = ns * h
                    x = 0.0
                    keep = 1.0 - h
                else:
                    nr = 0.0
                    x = ns * h * exit_share
                    keep = 1.0 - h * exit_share
                if nr > 0.0:
                    dy = min(ys, deemed[j])
                    pension = (accrual * wage_prev * (pension_base + ratio) / 2.0 * ys
                               + 12.0 * ks / months[j]
                               + transitional * wage_prev * ratio * dy)
                    nr_tot += nr
                    pen_sum += nr * pension
                refund += x * ks
                exits += x
                cr = cs * keep
                lr = ls * keep
                lam = lapse[j, s, g]
                rho = resume[j, s, g]
                e = entrants[j, s] * ent_band[g]
                cn = cr * (1.0 - lam) + lr * rho + e
                ln = cr * lam + lr * (1.0 - rho)
                stay = cr + lr
                tot = stay + e
                c_new[j, s, g] = cn
                l_new[j, s, g] = ln
                # contributors at year end accrue a year and an account credit; non-payers accrue nothing
                if tot > 0.0:
                    y_new[j, s, g] = (stay * ys + cn) / tot
                    k_new[j, s, g] = (stay * ks * (1.0 + credit) + cn * acct_rate * ratio * wage) / tot
                else:
                    y_new[j, s, g] = 0.0
                    k_new[j, s, g] = 0.0
            rr = rs + nr_tot
            r_new[j, s] = rr
            b_new[j, s] = (rs * bs + pen_sum) / rr if rr > 0.0 else bs
            new_ret[j, s] = nr_tot
    out_refund[0] = refund
    out_refund[1] = exits
    out_refund[2] = grants


@jit
def aggregate_flows(c_end, r_end, b_end, c_beg, r_beg, b_beg, base_ratio, wage, contrib_rate, collection, first):
    """Money flows of one year from the population: mid-year exposures (average of cohort-aligned start and end stocks),
    or the year-end stock itself in the base year (``first``). ``c_end, c_beg`` are contributing workers (all bands).

    Returns (contribution income, benefit expenditure, covered wage bill, contributor exposure, beneficiary exposure,
    contributors at year end, beneficiaries at year end).
    """
    contrib = 0.0
    expend = 0.0
    bill = 0.0
    cexp = 0.0
    rexp = 0.0
    cend = 0.0
    rend = 0.0
    for s in range(2):
        for j in range(c_end.shape[0]):
            if first:
                ce = c_end[j, s]
                re = r_end[j, s]
                ex = r_end[j, s] * b_end[j, s]
            else:
                ce = 0.5 * (c_beg[j, s] + c_end[j, s])
                re = 0.5 * (r_beg[j, s] + r_end[j, s])
                ex = 0.5 * (r_beg[j, s] * b_beg[j, s] + r_end[j, s] * b_end[j, s])
            cov = ce * wage * base_ratio[j, s]
            bill += cov
            contrib += cov * contrib_rate * collection
            expend += ex
            cexp += ce
            rexp += re
            cend += c_end[j, s]
            rend += r_end[j, s]
    return contrib, expend, bill, cexp, rexp, cend, rend


@jit
def _project_one(i, c0, l0, r0, b0, y0, k0, q_base, mort_b, kappa, hazard, min_years, force_idx, entrants, ent_band,
                 lapse, resume, exit_share, base_ratio, wage, index, rate, collection, credit, contrib_rate, acct_rate,
                 accrual, transitional, deemed, months, pension_base, inherit, grant_months, opening0, mid_year, rule,
                 sub_param, flows, detail, keep_detail):
    n_age = c0.shape[0]
    n_band = c0.shape[2]
    n_year = hazard.shape[0]
    c = c0.copy()
    l = l0.copy()
    r = r0.copy()
    b = b0.copy()
    yrs = y0.copy()
    k = k0.copy()
    c_new = np.empty_like(c)
    l_new = np.empty_like(c)
    y_new = np.empty_like(c)
    k_new = np.empty_like(c)
    r_new = np.empty_like(r)
    b_new = np.empty_like(r)
    c_beg = np.zeros_like(r)
    r_beg = np.zeros_like(r)
    b_beg = np.zeros_like(r)
    new_ret = np.zeros_like(r)
    c_tot = np.zeros_like(r)
    l_tot = np.zeros_like(r)
    q = np.empty_like(r)
    out_refund = np.zeros(3)
    opening = opening0
    for t in range(n_year):
        first = t == 0
        refund = 0.0
        exits = 0.0
        grants = 0.0
        if not first:
            for s in range(2):
                for j in range(n_age):
                    qq = q_base[j, s] * np.exp(mort_b[j, s] * kappa[i, t])
                    q[j, s] = qq if qq < 1.0 else 1.0
            cohort_step(c, l, r, b, yrs, k, q, hazard[t], min_years[t], force_idx, entrants[t], ent_band, lapse[t],
                        resume[t], exit_share, base_ratio, wage[i, t - 1], wage[i, t], index[i, t], credit[i, t],
                        acct_rate[t], accrual[t], transitional, deemed[t], months[t], pension_base[t], inherit[t],
                        grant_months[t], c_new, l_new, r_new, b_new, y_new, k_new, c_beg, r_beg, b_beg, new_ret,
                        out_refund)
            refund = out_refund[0]
            exits = out_refund[1]
            grants = out_refund[2]
            c, c_new = c_new, c
            l, l_new = l_new, l
            r, r_new = r_new, r
            b, b_new = b_new, b
            yrs, y_new = y_new, yrs
            k, k_new = k_new, k
        lapsed = 0.0
        for s in range(2):
            for j in range(n_age):
                cc = 0.0
                ll = 0.0
                for g in range(n_band):
                    cc += c[j, s, g]
                    ll += l[j, s, g]
                c_tot[j, s] = cc
                l_tot[j, s] = ll
                lapsed += ll
        contrib, expend, bill, cexp, rexp, cend, rend = aggregate_flows(
            c_tot, r, b, c_beg, r_beg, b_beg, base_ratio, wage[i, t], contrib_rate[t], collection[i, t], first)
        ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
        sub, interest, closing = roll_forward(opening, contrib, expend + refund + grants, rate[i, t], ff, rule,
                                              sub_param[t], rend)
        flows[i, t, F_CONTRIB] = contrib
        flows[i, t, F_SUBSIDY] = sub
        flows[i, t, F_INTEREST] = interest
        flows[i, t, F_EXPEND] = expend
        flows[i, t, F_OPENING] = opening
        flows[i, t, F_CLOSING] = closing
        flows[i, t, F_WAGEBILL] = bill
        flows[i, t, F_CONTRIBUTORS] = cend
        flows[i, t, F_BENEFICIARIES] = rend
        nr = 0.0
        if not first:
            for s in range(2):
                for j in range(n_age):
                    nr += new_ret[j, s]
        flows[i, t, F_NEW_BEN] = nr
        flows[i, t, F_BEN_EXPOSURE] = rexp
        flows[i, t, F_CONTRIB_EXPOSURE] = cexp
        flows[i, t, F_LAPSED] = lapsed
        flows[i, t, F_REFUND] = refund
        flows[i, t, F_EXITS] = exits
        flows[i, t, F_DEATH_GRANTS] = grants
        if keep_detail:
            for s in range(2):
                for j in range(n_age):
                    detail[i, t, j, s, D_CONTRIB] = c_tot[j, s]
                    detail[i, t, j, s, D_RETIREES] = r[j, s]
                    detail[i, t, j, s, D_BENEFIT] = b[j, s]
                    detail[i, t, j, s, D_LAPSED] = l_tot[j, s]
        opening = closing


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
