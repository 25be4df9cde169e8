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
F_RETIREE_REFUND, F_BACK_PAY, F_BACK_PAYERS, F_TRANSFER_OUT, F_TRANSFER_IN = 16, 17, 18, 19, 20
N_FLOWS = 21
# last axis of the age-detail output
D_CONTRIB, D_RETIREES, D_BENEFIT, D_LAPSED, D_RETIREE_ACCOUNT = 0, 1, 2, 3, 4
N_DETAIL = 5
# slots of the small per-year side output of ``cohort_step``
O_REFUND, O_EXITS, O_GRANTS, O_RETIREE_REFUND, O_BACK_PAY, O_BACK_PAYERS = 0, 1, 2, 3, 4, 5
N_SIDE = 6


@jit
def cohort_step(c, l, r, b, yrs, k, a, d, q, q_ret, hazard, min_years, force_idx, entrants, ent_band, lapse, resume,
                exit_share, back_share, back_max, base_ratio, wage_prev, wage, index, credit, contrib_rate, acct_rate,
                accrual, transitional, deemed, months, pension_base, inherit, grant_months, c_new, l_new, r_new, b_new,
                y_new, k_new, a_new, d_new, c_beg, r_beg, b_beg, new_ret, side):
    """Advance one year for one scenario: deaths, ageing, retirement (with back-payment 补缴) or exit, lapses and
    resumptions, entrants, accrual.

    Insured workers are held by age, sex and contribution-history band (last axis): ``c`` contributing, ``l`` insured
    but not contributing (断缴), with the band's average contribution years ``yrs`` and account ``k`` (A, 2, B).
    Retirees ``r``, their average benefit ``b``, remaining individual account ``a`` and yearly account pension ``d``
    are (A, 2); workers die at ``q``, retirees at ``q_ret``. Writes the year-end state ``*_new``, the
    cohort-aligned start-of-year stocks ``c_beg`` (contributing, all bands) and ``r_beg`` (survival not yet
    applied), the indexed start-of-year benefit ``b_beg``, new retirees ``new_ret`` (A, 2), and ``side``: accounts
    paid out (to leavers without the minimum years, and ``inherit`` x the accounts of insured workers who died),
    people who left without a pension, death grants (``grant_months`` x the monthly pension of each retiree who
    died), ``inherit`` x the remaining accounts of retirees who died, back-payment lump sums and their payers.
    """
    n_age = c.shape[0]
    n_band = c.shape[2]
    refund = 0.0
    exits = 0.0
    grants = 0.0
    ret_refund = 0.0
    back_pay = 0.0
    back_payers = 0.0
    for s in range(2):
        for j in range(n_age):
            lo = j - 1
            hi = j if j == n_age - 1 else j - 1
            # retirees
            rs = 0.0
            bs = 0.0
            as_ = 0.0
            ds = 0.0
            rb = 0.0
            cb = 0.0
            for src in range(max(lo, 0), hi + 1):
                qr = q_ret[src, s]
                w = r[src, s] * (1.0 - qr)
                rb += r[src, s]
                rs += w
                bs += w * b[src, s]
                as_ += w * a[src, s]
                ds += w * d[src, s]
                grants += r[src, s] * qr * b[src, s] / 12.0 * grant_months
                ret_refund += r[src, s] * qr * a[src, s] * inherit
                for g in range(n_band):
                    cb += c[src, s, g]
            if rs > 0.0:
                bs /= rs
                as_ /= rs
                ds /= rs
            bs *= 1.0 + index
            # the account pension is drawn from the remaining account, credited at the account rate; once it is
            # spent the pooled fund pays that part, and nothing is left to heirs
            as_ = as_ * (1.0 + credit) - ds
            if as_ < 0.0:
                as_ = 0.0
            c_beg[j, s] = cb
            r_beg[j, s] = rb
            b_beg[j, s] = bs
            ratio = base_ratio[j, s]
            nr_tot = 0.0
            pen_sum = 0.0
            acc_sum = 0.0
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
                # share buys the missing years back in a lump sum (补缴, when they are at most ``back_max``) and
                # retires with the minimum; of the rest a share leaves with its account paid out, the rest defers
                h = hazard[j, s]
                nr = 0.0
                x = 0.0
                keep = 1.0
                if h > 0.0:
                    if ys >= min_years or j >= force_idx:
                        nr = ns * h
                        keep = 1.0 - h
                    else:
                        miss = min_years - ys
                        bb = back_share if miss <= back_max else 0.0
                        x = ns * h * (1.0 - bb) * exit_share
                        keep = 1.0 - h * bb - h * (1.0 - bb) * exit_share
                        nb = ns * h * bb
                        if nb > 0.0:
                            base = ratio * wage
                            back_pay += nb * miss * contrib_rate * base
                            back_payers += nb
                            kb = ks + miss * acct_rate * base
                            pension = (accrual * wage_prev * (pension_base + ratio) / 2.0 * min_years
                                       + 12.0 * kb / months[j]
                                       + transitional * wage_prev * ratio * min(min_years, deemed[j]))
                            nr_tot += nb
                            pen_sum += nb * pension
                            acc_sum += nb * kb
                    if nr > 0.0:
                        pension = (accrual * wage_prev * (pension_base + ratio) / 2.0 * ys
                                   + 12.0 * ks / months[j]
                                   + transitional * wage_prev * ratio * min(ys, deemed[j]))
                        nr_tot += nr
                        pen_sum += nr * pension
                        acc_sum += nr * ks
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
            if rr > 0.0:
                b_new[j, s] = (rs * bs + pen_sum) / rr
                a_new[j, s] = (rs * as_ + acc_sum) / rr
                # new retirees draw 12 x their account / the payout months of this age
                d_new[j, s] = (rs * ds + 12.0 * acc_sum / months[j]) / rr
            else:
                b_new[j, s] = bs
                a_new[j, s] = as_
                d_new[j, s] = ds
            new_ret[j, s] = nr_tot
    side[O_REFUND] = refund
    side[O_EXITS] = exits
    side[O_GRANTS] = grants
    side[O_RETIREE_REFUND] = ret_refund
    side[O_BACK_PAY] = back_pay
    side[O_BACK_PAYERS] = back_payers


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
def _project_one(i, c0, l0, r0, b0, y0, k0, a0, d0, q_base, q_ret_base, ret_factor, mort_b, kappa, hazard, min_years,
                 force_idx, entrants, ent_band, lapse, resume, exit_share, back_share, back_max, base_ratio, wage,
                 index, rate, collection, credit, contrib_rate, acct_rate, accrual, transitional, deemed, months,
                 pension_base, inherit, grant_months, transfer_out, transfer_in, opening0, mid_year, rule, sub_param,
                 flows, detail, keep_detail):
    n_age = c0.shape[0]
    n_band = c0.shape[2]
    n_year = hazard.shape[0]
    c = c0.copy()
    l = l0.copy()
    r = r0.copy()
    b = b0.copy()
    yrs = y0.copy()
    k = k0.copy()
    a = a0.copy()
    d = d0.copy()
    c_new = np.empty_like(c)
    l_new = np.empty_like(c)
    y_new = np.empty_like(c)
    k_new = np.empty_like(c)
    r_new = np.empty_like(r)
    b_new = np.empty_like(r)
    a_new = np.empty_like(r)
    d_new = np.empty_like(r)
    c_beg = np.zeros_like(r)
    r_beg = np.zeros_like(r)
    b_beg = np.zeros_like(r)
    new_ret = np.zeros_like(r)
    c_tot = np.zeros_like(r)
    l_tot = np.zeros_like(r)
    q = np.empty_like(r)
    q_ret = np.empty_like(r)
    side = np.zeros(N_SIDE)
    opening = opening0
    for t in range(n_year):
        first = t == 0
        side[:] = 0.0
        if not first:
            for s in range(2):
                for j in range(n_age):
                    e = np.exp(mort_b[j, s] * kappa[i, t])
                    qq = q_base[j, s] * e
                    q[j, s] = qq if qq < 1.0 else 1.0
                    qq = q_ret_base[j, s] * e * ret_factor[t]
                    q_ret[j, s] = qq if qq < 1.0 else 1.0
            cohort_step(c, l, r, b, yrs, k, a, d, q, q_ret, hazard[t], min_years[t], force_idx, entrants[t],
                        ent_band, lapse[t], resume[t], exit_share, back_share[t], back_max[t], base_ratio[t],
                        wage[i, t - 1], wage[i, t], index[i, t], credit[i, t], contrib_rate[t], acct_rate[t],
                        accrual[t], transitional, deemed[t], months[t], pension_base[t], inherit[t], grant_months[t],
                        c_new, l_new, r_new, b_new, y_new, k_new, a_new, d_new, c_beg, r_beg, b_beg, new_ret, side)
            c, c_new = c_new, c
            l, l_new = l_new, l
            r, r_new = r_new, r
            b, b_new = b_new, b
            yrs, y_new = y_new, yrs
            k, k_new = k_new, k
            a, a_new = a_new, a
            d, d_new = d_new, d
        refund = side[O_REFUND] + side[O_RETIREE_REFUND]
        grants = side[O_GRANTS]
        back_pay = side[O_BACK_PAY]
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
            c_tot, r, b, c_beg, r_beg, b_beg, base_ratio[t], wage[i, t], contrib_rate[t], collection[i, t], first)
        contrib += back_pay
        # central adjustment / national pooling (中央调剂, 全国统筹): out on the insured workers' reference wage bill,
        # in per retiree; the net transfer is income of the roll-forward, so subsidy rules see benefit expenditure only
        t_out = transfer_out[t] * wage[i, t] * (cend + lapsed)
        t_in = transfer_in[t] * wage[i, t] * rend
        ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
        sub, interest, closing = roll_forward(opening, contrib + t_in - t_out, expend + refund + grants, rate[i, t], ff,
                                              rule, sub_param[t], rend)
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
        flows[i, t, F_EXITS] = side[O_EXITS]
        flows[i, t, F_DEATH_GRANTS] = grants
        flows[i, t, F_RETIREE_REFUND] = side[O_RETIREE_REFUND]
        flows[i, t, F_BACK_PAY] = back_pay
        flows[i, t, F_BACK_PAYERS] = side[O_BACK_PAYERS]
        flows[i, t, F_TRANSFER_OUT] = t_out
        flows[i, t, F_TRANSFER_IN] = t_in
        if keep_detail:
            for s in range(2):
                for j in range(n_age):
                    detail[i, t, j, s, D_CONTRIB] = c_tot[j, s]
                    detail[i, t, j, s, D_RETIREES] = r[j, s]
                    detail[i, t, j, s, D_BENEFIT] = b[j, s]
                    detail[i, t, j, s, D_LAPSED] = l_tot[j, s]
                    detail[i, t, j, s, D_RETIREE_ACCOUNT] = a[j, s]
        opening = closing


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
