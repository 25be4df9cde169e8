"""Numba kernels of the employee pension projection (enterprise and public-sector schemes) (contract: ``kernels/enterprise_pension.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths).
``project_serial`` and ``project_parallel`` run the same function ``_project_block`` on blocks of ``LANES``
scenarios (the scenario axis innermost, so each cell's work runs over independent scenarios back to back); the
parallel one uses ``prange`` over blocks, each iteration writing only its own scenarios' slices of the outputs.
"""

from __future__ import annotations

import numpy as np

from sibrisk._numba import jit, jit_parallel, prange
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


# scenarios per block: the innermost (contiguous) axis of the kernel's state
LANES = 8


@jit(error_model="numpy")
def _project_block(i0, nl, c0, l0, r0, b0, y0, k0, a0, d0, q_base, q_ret_base, ret_factor, mort_b, kappa, hazard,
                   min_years, force_idx, entrants, ent_band, lapse, resume, exit_share, back_share, back_max,
                   base_ratio, wage, index, rate, collection, credit, contrib_rate, acct_rate, accrual, transitional,
                   deemed, months, pension_base, inherit, grant_months, transfer_out, transfer_in, opening0, mid_year,
                   rule, sub_param, flows, detail, keep_detail):
    """Project scenarios ``i0 .. i0 + nl - 1`` (``nl <= LANES``) over all years, writing their rows of ``flows`` (and
    of ``detail`` when ``keep_detail``).

    The state carries a last axis of ``LANES`` scenarios (innermost, contiguous): insured workers (A, 2, B, LANES) by
    age, sex and contribution-history band, ``c`` contributing and ``l`` insured but not contributing (断缴), with the
    band's average contribution years ``yrs`` and account ``k``; retirees ``r``, their average benefit ``b``,
    remaining individual account ``a`` and yearly account pension ``d`` (A, 2, LANES); workers die at ``q``, retirees
    at ``q_ret``. Lanes past ``nl`` repeat scenario ``i0 + nl - 1`` and are never written out.

    Each year after the base year is one pass over (sex, age), ages ascending, with the scenario lanes innermost:
    deaths, ageing, retirement (with back-payment 补缴) or exit, lapses and resumptions, entrants and accrual of the
    cell, and in the same pass its money flows and head counts (mid-year exposures: the average of the cohort-aligned
    start-of-year stock and the year-end stock), summed per lane. Every lane does the operations of the equations in
    the contract in the same order as a one-scenario loop, so a scenario's numbers do not depend on the other
    scenarios of its block, on the thread count or on serial vs parallel. The state is double-buffered (``*_new``),
    work arrays are allocated once per block, per-year constants are hoisted out of the cell loops, and when the
    mortality index has one sensitivity for all cells (the default) ``exp`` is taken once per scenario-year.

    Compiled with numba's ``error_model="numpy"`` (through ``sibrisk._numba.jit``): divisions carry no
    divide-by-zero check (every division here is by a count tested > 0, by a constant, or by payout months, which the
    scenario bounds keep positive); about 1.15x faster, same numbers.
    """
    L = LANES
    n_age = c0.shape[0]
    n_band = c0.shape[2]
    n_year = hazard.shape[0]
    last = n_age - 1
    c = np.empty((n_age, 2, n_band, L))
    l = np.empty_like(c)
    yrs = np.empty_like(c)
    k = np.empty_like(c)
    r = np.empty((n_age, 2, L))
    b = np.empty_like(r)
    a = np.empty_like(r)
    d = np.empty_like(r)
    for j in range(n_age):
        for s in range(2):
            for g in range(n_band):
                for v in range(L):
                    c[j, s, g, v] = c0[j, s, g]
                    l[j, s, g, v] = l0[j, s, g]
                    yrs[j, s, g, v] = y0[j, s, g]
                    k[j, s, g, v] = k0[j, s, g]
            for v in range(L):
                r[j, s, v] = r0[j, s]
                b[j, s, v] = b0[j, s]
                a[j, s, v] = a0[j, s]
                d[j, s, v] = d0[j, s]
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
    # per-lane sums of a year (flows) and per-lane values of a year
    acc = np.zeros((15, L))
    (A_REFUND, A_EXITS, A_GRANTS, A_RETREF, A_BACKPAY, A_BACKPAYERS, A_CONTRIB, A_EXPEND, A_BILL, A_CEXP, A_REXP,
     A_CEND, A_REND, A_LAPSED, A_NR) = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)
    lane_w = np.empty(L)
    lane_wp = np.empty(L)
    lane_idx1 = np.empty(L)
    lane_cred1 = np.empty(L)
    lane_coll = np.empty(L)
    lane_e = np.empty(L)
    lane_accwp = np.empty(L)
    lane_trwp = np.empty(L)
    # per-cell per-lane temporaries
    rs = np.empty(L)
    bs = np.empty(L)
    as_ = np.empty(L)
    ds = np.empty(L)
    rb = np.empty(L)
    cb = np.empty(L)
    nr_tot = np.empty(L)
    pen_sum = np.empty(L)
    acc_sum = np.empty(L)
    cc = np.empty(L)
    ll = np.empty(L)
    b_one = mort_b[0, 0]
    one_b = True
    for s in range(2):
        for j in range(n_age):
            if mort_b[j, s] != b_one:
                one_b = False
    opening = np.empty(L)
    for v in range(L):
        opening[v] = opening0
    for t in range(n_year):
        for v in range(L):
            iv = i0 + (v if v < nl else nl - 1)
            lane_w[v] = wage[iv, t]
            lane_coll[v] = collection[iv, t]
        acc[:, :] = 0.0
        ratio_t = base_ratio[t]
        cr_t = contrib_rate[t]
        if t == 0:
            for s in range(2):
                for j in range(n_age):
                    ratio = ratio_t[j, s]
                    for v in range(L):
                        cc[v] = 0.0
                        ll[v] = 0.0
                    for g in range(n_band):
                        cg = c[j, s, g]
                        lg = l[j, s, g]
                        for v in range(L):
                            cc[v] += cg[v]
                            ll[v] += lg[v]
                    rj = r[j, s]
                    bj = b[j, s]
                    for v in range(L):
                        acc[A_LAPSED, v] += ll[v]
                        re = rj[v]
                        cov = cc[v] * lane_w[v] * ratio
                        acc[A_BILL, v] += cov
                        acc[A_CONTRIB, v] += cov * cr_t * lane_coll[v]
                        acc[A_EXPEND, v] += re * bj[v]
                        acc[A_CEXP, v] += cc[v]
                        acc[A_REXP, v] += re
                        acc[A_CEND, v] += cc[v]
                        acc[A_REND, v] += re
                    if keep_detail:
                        for v in range(nl):
                            detail[i0 + v, t, j, s, D_CONTRIB] = cc[v]
                            detail[i0 + v, t, j, s, D_RETIREES] = rj[v]
                            detail[i0 + v, t, j, s, D_BENEFIT] = bj[v]
                            detail[i0 + v, t, j, s, D_LAPSED] = ll[v]
                            detail[i0 + v, t, j, s, D_RETIREE_ACCOUNT] = a[j, s, v]
        else:
            rf = ret_factor[t]
            acc_t = accrual[t]
            for v in range(L):
                iv = i0 + (v if v < nl else nl - 1)
                lane_e[v] = np.exp(b_one * kappa[iv, t]) if one_b else 0.0
                wp = wage[iv, t - 1]
                lane_wp[v] = wp
                lane_idx1[v] = 1.0 + index[iv, t]
                lane_cred1[v] = 1.0 + credit[iv, t]
                lane_accwp[v] = acc_t * wp
                lane_trwp[v] = transitional * wp
            for s in range(2):
                for j in range(n_age):
                    qb = q_base[j, s]
                    qrb = q_ret_base[j, s]
                    for v in range(L):
                        if one_b:
                            e = lane_e[v]
                        else:
                            e = np.exp(mort_b[j, s] * kappa[i0 + (v if v < nl else nl - 1), t])
                        qq = qb * e
                        qq = qq if qq < 1.0 else 1.0
                        q[j, s, v] = qq
                        p[j, s, v] = 1.0 - qq
                        qq = qrb * e * rf
                        q_ret[j, s, v] = qq if qq < 1.0 else 1.0
            haz = hazard[t]
            miny = min_years[t]
            ent = entrants[t]
            lap = lapse[t]
            res = resume[t]
            bsh = back_share[t]
            bmax = back_max[t]
            ar = acct_rate[t]
            dm = deemed[t]
            mo = months[t]
            pb = pension_base[t]
            inh = inherit[t]
            gm = grant_months[t]
            for s in range(2):
                for j in range(n_age):
                    lo = j - 1 if j > 0 else 0
                    hi = j if j == last else j - 1
                    for v in range(L):
                        rs[v] = 0.0
                        bs[v] = 0.0
                        as_[v] = 0.0
                        ds[v] = 0.0
                        rb[v] = 0.0
                        cb[v] = 0.0
                    for src in range(lo, hi + 1):
                        qr_ = q_ret[src, s]
                        r_ = r[src, s]
                        b_ = b[src, s]
                        a_ = a[src, s]
                        d_ = d[src, s]
                        for v in range(L):
                            qr = qr_[v]
                            rsrc = r_[v]
                            w = rsrc * (1.0 - qr)
                            rb[v] += rsrc
                            rs[v] += w
                            bs[v] += w * b_[v]
                            as_[v] += w * a_[v]
                            ds[v] += w * d_[v]
                            acc[A_GRANTS, v] += rsrc * qr * b_[v] / 12.0 * gm
                            acc[A_RETREF, v] += rsrc * qr * a_[v] * inh
                        for g in range(n_band):
                            c_ = c[src, s, g]
                            for v in range(L):
                                cb[v] += c_[v]
                    for v in range(L):
                        r0_ = rs[v]
                        bb_ = bs[v]
                        aa_ = as_[v]
                        dd_ = ds[v]
                        if r0_ > 0.0:
                            bb_ = bb_ / r0_
                            aa_ = aa_ / r0_
                            dd_ = dd_ / r0_
                        bb_ = bb_ * lane_idx1[v]
                        aa_ = aa_ * lane_cred1[v] - dd_
                        aa_ = aa_ if aa_ >= 0.0 else 0.0
                        bs[v] = bb_
                        as_[v] = aa_
                        ds[v] = dd_
                        nr_tot[v] = 0.0
                        pen_sum[v] = 0.0
                        acc_sum[v] = 0.0
                        cc[v] = 0.0
                        ll[v] = 0.0
                    ratio = ratio_t[j, s]
                    mo_j = mo[j]
                    dm_j = dm[j]
                    h = haz[j, s]
                    eligible_age = j >= force_idx
                    pb_r = pb + ratio
                    for g in range(n_band):
                        lam = lap[j, s, g]
                        rho = res[j, s, g]
                        eg = ent[j, s] * ent_band[g]
                        cn_ = c_new[j, s, g]
                        ln_ = l_new[j, s, g]
                        yn_ = y_new[j, s, g]
                        kn_ = k_new[j, s, g]
                        cs_ = c[lo, s, g]
                        ls_ = l[lo, s, g]
                        ys_ = yrs[lo, s, g]
                        ks_ = k[lo, s, g]
                        p_ = p[lo, s]
                        q_ = q[lo, s]
                        cs2 = c[last, s, g]
                        ls2 = l[last, s, g]
                        ys2 = yrs[last, s, g]
                        ks2 = k[last, s, g]
                        p2 = p[last, s]
                        q2 = q[last, s]
                        has1 = j > 0
                        has2 = j == last
                        for v in range(L):
                            cs = 0.0
                            ls = 0.0
                            ys = 0.0
                            ks = 0.0
                            if has1:
                                pp = p_[v]
                                csrc = cs_[v]
                                lsrc = ls_[v]
                                ksrc = ks_[v]
                                n_src = csrc + lsrc
                                cs += csrc * pp
                                ls += lsrc * pp
                                ys += n_src * pp * ys_[v]
                                ks += n_src * pp * ksrc
                                acc[A_REFUND, v] += n_src * q_[v] * ksrc * inh
                            if has2:
                                pp = p2[v]
                                csrc = cs2[v]
                                lsrc = ls2[v]
                                ksrc = ks2[v]
                                n_src = csrc + lsrc
                                cs += csrc * pp
                                ls += lsrc * pp
                                ys += n_src * pp * ys2[v]
                                ks += n_src * pp * ksrc
                                acc[A_REFUND, v] += n_src * q2[v] * ksrc * inh
                            ns = cs + ls
                            if ns > 0.0:
                                ys = ys / ns
                                ks = ks / ns
                            nr = 0.0
                            x = 0.0
                            keep = 1.0
                            if h > 0.0:
                                w_t = lane_w[v]
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
                                        acc[A_BACKPAY, v] += nb * miss * cr_t * base
                                        acc[A_BACKPAYERS, v] += nb
                                        kb = ks + miss * ar * base
                                        pension = (lane_accwp[v] * pb_r / 2.0 * miny
                                                   + 12.0 * kb / mo_j
                                                   + lane_trwp[v] * ratio * min(miny, dm_j))
                                        nr_tot[v] += nb
                                        pen_sum[v] += nb * pension
                                        acc_sum[v] += nb * kb
                                if nr > 0.0:
                                    pension = (lane_accwp[v] * pb_r / 2.0 * ys
                                               + 12.0 * ks / mo_j
                                               + lane_trwp[v] * ratio * min(ys, dm_j))
                                    nr_tot[v] += nr
                                    pen_sum[v] += nr * pension
                                    acc_sum[v] += nr * ks
                                acc[A_REFUND, v] += x * ks
                                acc[A_EXITS, v] += x
                            cr = cs * keep
                            lr = ls * keep
                            cn = cr * (1.0 - lam) + lr * rho + eg
                            ln = cr * lam + lr * (1.0 - rho)
                            stay = cr + lr
                            tot = stay + eg
                            cn_[v] = cn
                            ln_[v] = ln
                            cc[v] += cn
                            ll[v] += ln
                            if tot > 0.0:
                                yn_[v] = (stay * ys + cn) / tot
                                kn_[v] = (stay * ks * lane_cred1[v] + cn * ar * ratio * lane_w[v]) / tot
                            else:
                                yn_[v] = 0.0
                                kn_[v] = 0.0
                    rn_ = r_new[j, s]
                    bn_ = b_new[j, s]
                    an_ = a_new[j, s]
                    dn_ = d_new[j, s]
                    for v in range(L):
                        rsv = rs[v]
                        rr = rsv + nr_tot[v]
                        rn_[v] = rr
                        if rr > 0.0:
                            bn = (rsv * bs[v] + pen_sum[v]) / rr
                            an = (rsv * as_[v] + acc_sum[v]) / rr
                            dn_[v] = (rsv * ds[v] + 12.0 * acc_sum[v] / mo_j) / rr
                        else:
                            bn = bs[v]
                            an = as_[v]
                            dn_[v] = ds[v]
                        bn_[v] = bn
                        an_[v] = an
                        acc[A_NR, v] += nr_tot[v]
                        acc[A_LAPSED, v] += ll[v]
                        ce = 0.5 * (cb[v] + cc[v])
                        cov = ce * lane_w[v] * ratio
                        acc[A_BILL, v] += cov
                        acc[A_CONTRIB, v] += cov * cr_t * lane_coll[v]
                        acc[A_EXPEND, v] += 0.5 * (rb[v] * bs[v] + rr * bn)
                        acc[A_CEXP, v] += ce
                        acc[A_REXP, v] += 0.5 * (rb[v] + rr)
                        acc[A_CEND, v] += cc[v]
                        acc[A_REND, v] += rr
                    if keep_detail:
                        for v in range(nl):
                            detail[i0 + v, t, j, s, D_CONTRIB] = cc[v]
                            detail[i0 + v, t, j, s, D_RETIREES] = rn_[v]
                            detail[i0 + v, t, j, s, D_BENEFIT] = bn_[v]
                            detail[i0 + v, t, j, s, D_LAPSED] = ll[v]
                            detail[i0 + v, t, j, s, D_RETIREE_ACCOUNT] = an_[v]
            c, c_new = c_new, c
            l, l_new = l_new, l
            r, r_new = r_new, r
            b, b_new = b_new, b
            yrs, y_new = y_new, yrs
            k, k_new = k_new, k
            a, a_new = a_new, a
            d, d_new = d_new, d
        for v in range(nl):
            i = i0 + v
            w_t = lane_w[v]
            refund = acc[A_REFUND, v] + acc[A_RETREF, v]
            contrib = acc[A_CONTRIB, v] + acc[A_BACKPAY, v]
            cend = acc[A_CEND, v]
            rend = acc[A_REND, v]
            lapsed = acc[A_LAPSED, v]
            expend = acc[A_EXPEND, v]
            grants = acc[A_GRANTS, v]
            t_out = transfer_out[t] * w_t * (cend + lapsed)
            t_in = transfer_in[t] * w_t * rend
            ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
            sub, interest, closing = roll_forward(opening[v], contrib + t_in - t_out, expend + refund + grants,
                                                  rate[i, t], ff, rule, sub_param[t], rend)
            flows[i, t, F_CONTRIB] = contrib
            flows[i, t, F_SUBSIDY] = sub
            flows[i, t, F_INTEREST] = interest
            flows[i, t, F_EXPEND] = expend
            flows[i, t, F_OPENING] = opening[v]
            flows[i, t, F_CLOSING] = closing
            flows[i, t, F_WAGEBILL] = acc[A_BILL, v]
            flows[i, t, F_CONTRIBUTORS] = cend
            flows[i, t, F_BENEFICIARIES] = rend
            flows[i, t, F_NEW_BEN] = acc[A_NR, v]
            flows[i, t, F_BEN_EXPOSURE] = acc[A_REXP, v]
            flows[i, t, F_CONTRIB_EXPOSURE] = acc[A_CEXP, v]
            flows[i, t, F_LAPSED] = lapsed
            flows[i, t, F_REFUND] = refund
            flows[i, t, F_EXITS] = acc[A_EXITS, v]
            flows[i, t, F_DEATH_GRANTS] = grants
            flows[i, t, F_RETIREE_REFUND] = acc[A_RETREF, v]
            flows[i, t, F_BACK_PAY] = acc[A_BACKPAY, v]
            flows[i, t, F_BACK_PAYERS] = acc[A_BACKPAYERS, v]
            flows[i, t, F_TRANSFER_OUT] = t_out
            flows[i, t, F_TRANSFER_IN] = t_in
            opening[v] = closing


def _scenario_block_loops():
    """The serial and the parallel loop (``prange``) over blocks of ``LANES`` scenarios, called as
    ``loop(*args, flows, detail, keep_detail)``; cached on disk like the kernel (named and filed as
    ``sibrisk._numba.scenario_loops`` names the other funds' loops)."""
    def make(parallel: bool):
        loop = prange if parallel else range

        def project(*args):
            n = args[-3].shape[0]
            for blk in loop((n + LANES - 1) // LANES):
                i0 = blk * LANES
                _project_block(i0, min(LANES, n - i0), *args)

        project.__module__ = _project_block.__module__
        project.__qualname__ = f"_project_block_{'parallel' if parallel else 'serial'}_loop"
        return (jit_parallel if parallel else jit)(project)

    return make(False), make(True)


# the scenario loops, serial and parallel (prange over blocks of LANES scenarios), from one definition
project_serial, project_parallel = _scenario_block_loops()
