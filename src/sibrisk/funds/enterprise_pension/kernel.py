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


@jit
def _project_one(i, c0, l0, r0, b0, y0, k0, a0, d0, q_base, q_ret_base, ret_factor, mort_b, kappa, hazard, min_years,
                 force_idx, entrants, ent_band, lapse, resume, exit_share, back_share, back_max, base_ratio, wage,
                 index, rate, collection, credit, contrib_rate, acct_rate, accrual, transitional, deemed, months,
                 pension_base, inherit, grant_months, transfer_out, transfer_in, opening0, mid_year, rule, sub_param,
                 flows, detail, keep_detail):
    """Project scenario ``i`` over all years, writing ``flows[i]`` (and ``detail[i]`` when ``keep_detail``).

    Insured workers are held by age, sex and contribution-history band (last axis): ``c`` contributing, ``l`` insured
    but not contributing (断缴), with the band's average contribution years ``yrs`` and account ``k`` (A, 2, B).
    Retirees ``r``, their average benefit ``b``, remaining individual account ``a`` and yearly account pension ``d``
    are (A, 2); workers die at ``q``, retirees at ``q_ret``.

    Each year after the base year is one pass over (sex, age), ages ascending: deaths, ageing, retirement (with
    back-payment 补缴) or exit, lapses and resumptions, entrants and accrual of the cell, and in the same pass its
    money flows and head counts (mid-year exposures: the average of the cohort-aligned start-of-year stock and the
    year-end stock). The state is double-buffered (``*_new``), all work arrays are allocated once per scenario, and
    when the mortality index has one sensitivity for all cells (the default) ``exp`` is taken once per year.
    Operations are in the order of the equations in the contract, so results do not depend on the thread count.
    """
    n_age = c0.shape[0]
    n_band = c0.shape[2]
    n_year = hazard.shape[0]
    last = n_age - 1
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
    p = np.empty_like(r)
    q = np.empty_like(r)
    q_ret = np.empty_like(r)
    # one sensitivity for all ages and sexes (the default index): one exp per scenario-year instead of one per cell
    b_one = mort_b[0, 0]
    one_b = True
    for s in range(2):
        for j in range(n_age):
            if mort_b[j, s] != b_one:
                one_b = False
    opening = opening0
    for t in range(n_year):
        w_t = wage[i, t]
        ratio_t = base_ratio[t]
        cr_t = contrib_rate[t]
        coll_t = collection[i, t]
        refund = 0.0
        exits = 0.0
        grants = 0.0
        ret_refund = 0.0
        back_pay = 0.0
        back_payers = 0.0
        contrib = 0.0
        expend = 0.0
        bill = 0.0
        cexp = 0.0
        rexp = 0.0
        cend = 0.0
        rend = 0.0
        lapsed = 0.0
        nr_all = 0.0
        if t == 0:
            # the base year: the given stocks themselves
            for s in range(2):
                for j in range(n_age):
                    cc = 0.0
                    ll = 0.0
                    for g in range(n_band):
                        cc += c[j, s, g]
                        ll += l[j, s, g]
                    lapsed += ll
                    re = r[j, s]
                    cov = cc * w_t * ratio_t[j, s]
                    bill += cov
                    contrib += cov * cr_t * coll_t
                    expend += re * b[j, s]
                    cexp += cc
                    rexp += re
                    cend += cc
                    rend += re
                    if keep_detail:
                        detail[i, t, j, s, D_CONTRIB] = cc
                        detail[i, t, j, s, D_RETIREES] = re
                        detail[i, t, j, s, D_BENEFIT] = b[j, s]
                        detail[i, t, j, s, D_LAPSED] = ll
                        detail[i, t, j, s, D_RETIREE_ACCOUNT] = a[j, s]
        else:
            kap = kappa[i, t]
            e_one = np.exp(b_one * kap) if one_b else 0.0
            rf = ret_factor[t]
            for s in range(2):
                for j in range(n_age):
                    e = e_one if one_b else np.exp(mort_b[j, s] * kap)
                    qq = q_base[j, s] * e
                    qq = qq if qq < 1.0 else 1.0
                    q[j, s] = qq
                    p[j, s] = 1.0 - qq
                    qq = q_ret_base[j, s] * e * rf
                    q_ret[j, s] = qq if qq < 1.0 else 1.0
            haz = hazard[t]
            miny = min_years[t]
            ent = entrants[t]
            lap = lapse[t]
            res = resume[t]
            bsh = back_share[t]
            bmax = back_max[t]
            wp = wage[i, t - 1]
            idx1 = 1.0 + index[i, t]
            cred = credit[i, t]
            cred1 = 1.0 + cred
            ar = acct_rate[t]
            acc_wp = accrual[t] * wp
            tr_wp = transitional * wp
            dm = deemed[t]
            mo = months[t]
            pb = pension_base[t]
            inh = inherit[t]
            gm = grant_months[t]
            for s in range(2):
                for j in range(n_age):
                    lo = j - 1 if j > 0 else 0
                    hi = j if j == last else j - 1
                    # retirees
                    rs = 0.0
                    bs = 0.0
                    as_ = 0.0
                    ds = 0.0
                    rb = 0.0
                    cb = 0.0
                    for src in range(lo, hi + 1):
                        qr = q_ret[src, s]
                        rsrc = r[src, s]
                        w = rsrc * (1.0 - qr)
                        rb += rsrc
                        rs += w
                        bs += w * b[src, s]
                        as_ += w * a[src, s]
                        ds += w * d[src, s]
                        grants += rsrc * qr * b[src, s] / 12.0 * gm
                        ret_refund += rsrc * qr * a[src, s] * inh
                        for g in range(n_band):
                            cb += c[src, s, g]
                    if rs > 0.0:
                        bs /= rs
                        as_ /= rs
                        ds /= rs
                    bs *= idx1
                    # the account pension is drawn from the remaining account, credited at the account rate; once it
                    # is spent the pooled fund pays that part, and nothing is left to heirs
                    as_ = as_ * cred1 - ds
                    if as_ < 0.0:
                        as_ = 0.0
                    ratio = ratio_t[j, s]
                    mo_j = mo[j]
                    h = haz[j, s]
                    eligible_age = j >= force_idx
                    nr_tot = 0.0
                    pen_sum = 0.0
                    acc_sum = 0.0
                    cc = 0.0
                    ll = 0.0
                    for g in range(n_band):
                        cs = 0.0
                        ls = 0.0
                        ys = 0.0
                        ks = 0.0
                        for src in range(lo, hi + 1):
                            pp = p[src, s]
                            csrc = c[src, s, g]
                            lsrc = l[src, s, g]
                            ksrc = k[src, s, g]
                            n_src = csrc + lsrc
                            cs += csrc * pp
                            ls += lsrc * pp
                            ys += n_src * pp * yrs[src, s, g]
                            ks += n_src * pp * ksrc
                            refund += n_src * q[src, s] * ksrc * inh
                        ns = cs + ls
                        if ns > 0.0:
                            ys /= ns
                            ks /= ns
                        # statutory age reached with the minimum years: retire; without them (before the forced age):
                        # a share buys the missing years back in a lump sum (补缴, when they are at most ``back_max``)
                        # and retires with the minimum; of the rest a share leaves with its account paid out, the
                        # rest defers
                        nr = 0.0
                        x = 0.0
                        keep = 1.0
                        if h > 0.0:
                            if ys >= miny or eligible_age:
                                nr = ns * h
                                keep = 1.0 - h
                            else:
                                miss = miny - ys
                                bb = bsh if miss <= bmax else 0.0
                                x = ns * h * (1.0 - bb) * exit_share
                                keep = 1.0 - h * bb - h * (1.0 - bb) * exit_share
                                nb = ns * h * bb
                                if nb > 0.0:
                                    base = ratio * w_t
                                    back_pay += nb * miss * cr_t * base
                                    back_payers += nb
                                    kb = ks + miss * ar * base
                                    pension = (acc_wp * (pb + ratio) / 2.0 * miny
                                               + 12.0 * kb / mo_j
                                               + tr_wp * ratio * min(miny, dm[j]))
                                    nr_tot += nb
                                    pen_sum += nb * pension
                                    acc_sum += nb * kb
                            if nr > 0.0:
                                pension = (acc_wp * (pb + ratio) / 2.0 * ys
                                           + 12.0 * ks / mo_j
                                           + tr_wp * ratio * min(ys, dm[j]))
                                nr_tot += nr
                                pen_sum += nr * pension
                                acc_sum += nr * ks
                        refund += x * ks
                        exits += x
                        cr = cs * keep
                        lr = ls * keep
                        lam = lap[j, s, g]
                        rho = res[j, s, g]
                        en = ent[j, s] * ent_band[g]
                        cn = cr * (1.0 - lam) + lr * rho + en
                        ln = cr * lam + lr * (1.0 - rho)
                        stay = cr + lr
                        tot = stay + en
                        c_new[j, s, g] = cn
                        l_new[j, s, g] = ln
                        cc += cn
                        ll += ln
                        # contributors at year end accrue a year and an account credit; non-payers accrue nothing
                        if tot > 0.0:
                            y_new[j, s, g] = (stay * ys + cn) / tot
                            k_new[j, s, g] = (stay * ks * cred1 + cn * ar * ratio * w_t) / tot
                        else:
                            y_new[j, s, g] = 0.0
                            k_new[j, s, g] = 0.0
                    rr = rs + nr_tot
                    r_new[j, s] = rr
                    if rr > 0.0:
                        bn = (rs * bs + pen_sum) / rr
                        an = (rs * as_ + acc_sum) / rr
                        # new retirees draw 12 x their account / the payout months of this age
                        d_new[j, s] = (rs * ds + 12.0 * acc_sum / mo_j) / rr
                    else:
                        bn = bs
                        an = as_
                        d_new[j, s] = ds
                    b_new[j, s] = bn
                    a_new[j, s] = an
                    nr_all += nr_tot
                    lapsed += ll
                    # flows of the cell: mid-year exposures
                    ce = 0.5 * (cb + cc)
                    cov = ce * w_t * ratio
                    bill += cov
                    contrib += cov * cr_t * coll_t
                    expend += 0.5 * (rb * bs + rr * bn)
                    cexp += ce
                    rexp += 0.5 * (rb + rr)
                    cend += cc
                    rend += rr
                    if keep_detail:
                        detail[i, t, j, s, D_CONTRIB] = cc
                        detail[i, t, j, s, D_RETIREES] = rr
                        detail[i, t, j, s, D_BENEFIT] = bn
                        detail[i, t, j, s, D_LAPSED] = ll
                        detail[i, t, j, s, D_RETIREE_ACCOUNT] = an
            c, c_new = c_new, c
            l, l_new = l_new, l
            r, r_new = r_new, r
            b, b_new = b_new, b
            yrs, y_new = y_new, yrs
            k, k_new = k_new, k
            a, a_new = a_new, a
            d, d_new = d_new, d
        refund += ret_refund
        contrib += back_pay
        # central adjustment / national pooling (中央调剂, 全国统筹): out on the insured workers' reference wage bill,
        # in per retiree; the net transfer is income of the roll-forward, so subsidy rules see benefit expenditure only
        t_out = transfer_out[t] * w_t * (cend + lapsed)
        t_in = transfer_in[t] * w_t * rend
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
        flows[i, t, F_NEW_BEN] = nr_all
        flows[i, t, F_BEN_EXPOSURE] = rexp
        flows[i, t, F_CONTRIB_EXPOSURE] = cexp
        flows[i, t, F_LAPSED] = lapsed
        flows[i, t, F_REFUND] = refund
        flows[i, t, F_EXITS] = exits
        flows[i, t, F_DEATH_GRANTS] = grants
        flows[i, t, F_RETIREE_REFUND] = ret_refund
        flows[i, t, F_BACK_PAY] = back_pay
        flows[i, t, F_BACK_PAYERS] = back_payers
        flows[i, t, F_TRANSFER_OUT] = t_out
        flows[i, t, F_TRANSFER_IN] = t_in
        opening = closing


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
