"""Numba kernels of the employee pension projection (enterprise and public-sector schemes) (contract: ``kernels/enterprise_pension.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths).
``project_serial`` and ``project_parallel`` run the same function ``_project_block`` on blocks of ``LANES``
scenarios (the scenario axis innermost, so each cell's work runs over independent scenarios back to back); the
parallel one uses ``prange`` over blocks, each iteration writing only its own scenarios' slices of the outputs.
"""

from __future__ import annotations

import numpy as np

from sibrisk._numba import jit, jit_noalias, jit_parallel, prange
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
# years of contribution compared with the minimum (and the missing years with the back-payment limit) within this
# tolerance: a cell's average years is a ratio of sums, and a cell at exactly 15 years must not fall on either side
# by rounding (it did: the nation at 1/200 retired 0.2% fewer back-payers in one year than the nation / 200)
YEARS_TOL = 1e-9


# scenarios per block: the innermost (contiguous) axis of the kernel's state, and the row length of its per-lane
# work arrays (flat, row ``x`` at ``x * LANES``: constant row offsets, which LLVM can see never overlap)
LANES = 32
# rows of the flat per-lane year sums ``acc``: first lane of each row
(_A_REFUND, _A_EXITS, _A_GRANTS, _A_RETREF, _A_BACKPAY, _A_BACKPAYERS, _A_CONTRIB, _A_EXPEND, _A_BILL, _A_CEXP,
 _A_REXP, _A_CEND, _A_REND, _A_LAPSED, _A_NR) = tuple(x * LANES for x in range(15))
N_ACC = 15
# rows of the flat per-lane work array of one age: the retirees' survivors and their (average) benefit, account and
# account pension, and the retirees before deaths (``_W_RS`` .. ``_W_RB``); the workers at the start of the year, the
# age's new retirees with their pensions and accounts, its workers at the end of the year (``_W_CB`` .. ``_W_LL``).
# Each group is contiguous, so it is zeroed in one loop.
(_W_RS, _W_BS, _W_AS, _W_DS, _W_RB, _W_CB, _W_NR, _W_PEN, _W_ACS, _W_CC, _W_LL) = tuple(x * LANES for x in range(11))
N_WORK = 11


@jit(error_model="numpy", inline="always")
def _band_cell(n_src, retire, j, s, g, lo, c, l, yrs, k, p, q, c_new, l_new, y_new, k_new, cell, lane_w, lane_cred1,
               lane_accwp, lane_trwp, wk, acc, L):
    """Band ``g`` of age ``j``, sex ``s``, lanes ``0 .. L - 1``, in one loop: survivors of the ``n_src`` source cells
    from age ``lo`` (none at the first age; age ``j - 1``; at the last age also the open age group itself), their
    average years and account,
    retirement (with back-payment 补缴) or exit when ``retire``, lapses, resumptions, entrants and accrual; writes
    the new cell and adds its flows to ``acc`` and its head counts to ``wk``. Returns whether the new cell is empty in
    every lane. Called with literal flags on the hot paths, so each call compiles to a loop without their branches;
    the workers at the start of the year (``_W_CB``) are added here when there is one source cell (the caller adds
    them at the last age, in the one-scenario loop's order).
    ``cell`` holds the cell's scalars (a tuple: a call with over 30 arguments cannot be inlined by numba)."""
    h, miny, eligible_age, bsh, bmax, exit_share, lam, rho, eg, ratio, cr_t, ar, pb_r, mo_j, dm_j, inh = cell
    found = False
    for v in range(L):
        cs = 0.0
        ls = 0.0
        ys = 0.0
        ks = 0.0
        for m in range(n_src):
            src = lo + m
            pp = p[src, s, v]
            csrc = c[src, s, g, v]
            lsrc = l[src, s, g, v]
            ksrc = k[src, s, g, v]
            n_cell = csrc + lsrc
            cs += csrc * pp
            ls += lsrc * pp
            ys += n_cell * pp * yrs[src, s, g, v]
            ks += n_cell * pp * ksrc
            acc[_A_REFUND + v] += n_cell * q[src, s, v] * ksrc * inh
            if n_src == 1:
                wk[_W_CB + v] += csrc
        ns = cs + ls
        pos = ns > 0.0
        den = ns if pos else 1.0
        ys = ys / den if pos else ys
        ks = ks / den if pos else ks
        keep = 1.0
        if retire:
            elig = (ys >= miny - YEARS_TOL) | eligible_age
            miss = miny - ys
            bb = 0.0 if elig else (bsh if miss <= bmax + YEARS_TOL else 0.0)
            nr = ns * h if elig else 0.0
            x = 0.0 if elig else ns * h * (1.0 - bb) * exit_share
            keep = (1.0 - h) if elig else 1.0 - h * bb - h * (1.0 - bb) * exit_share
            nb = ns * h * bb
            base = ratio * lane_w[v]
            bp = nb > 0.0
            acc[_A_BACKPAY + v] += nb * miss * cr_t * base if bp else 0.0
            acc[_A_BACKPAYERS + v] += nb if bp else 0.0
            kb = ks + miss * ar * base
            pen_b = (lane_accwp[v] * pb_r / 2.0 * miny
                     + 12.0 * kb / mo_j
                     + lane_trwp[v] * ratio * (miny if miny < dm_j else dm_j))
            pen_r = (lane_accwp[v] * pb_r / 2.0 * ys
                     + 12.0 * ks / mo_j
                     + lane_trwp[v] * ratio * (ys if ys < dm_j else dm_j))
            rt = nr > 0.0
            # in the order of the one-scenario loop: back-payers, then the others
            n1 = wk[_W_NR + v] + (nb if bp else 0.0)
            p1 = wk[_W_PEN + v] + (nb * pen_b if bp else 0.0)
            a1 = wk[_W_ACS + v] + (nb * kb if bp else 0.0)
            wk[_W_NR + v] = n1 + (nr if rt else 0.0)
            wk[_W_PEN + v] = p1 + (nr * pen_r if rt else 0.0)
            wk[_W_ACS + v] = a1 + (nr * ks if rt else 0.0)
            acc[_A_REFUND + v] += x * ks
            acc[_A_EXITS + v] += x
        cr = cs * keep
        lr = ls * keep
        cn = cr * (1.0 - lam) + lr * rho + eg
        ln = cr * lam + lr * (1.0 - rho)
        stay = cr + lr
        tot = stay + eg
        c_new[j, s, g, v] = cn
        l_new[j, s, g, v] = ln
        wk[_W_CC + v] += cn
        wk[_W_LL + v] += ln
        pos = tot > 0.0
        den = tot if pos else 1.0
        y_new[j, s, g, v] = (stay * ys + cn) / den if pos else 0.0
        k_new[j, s, g, v] = (stay * ks * lane_cred1[v] + cn * ar * ratio * lane_w[v]) / den if pos else 0.0
        found |= (cn != 0.0) | (ln != 0.0)
    return not found


@jit(error_model="numpy", inline="always")
def _retiree_cell(none, j, s, r_new, b_new, a_new, d_new, ratio, cr_t, mo_j, lane_w, lane_coll, wk, acc, L):
    """The end of age ``j``, sex ``s``, lanes ``0 .. L - 1``, in one loop: workers' flows and head counts (mid-year
    exposure: the mean of the start-of-year stock ``_W_CB`` and the year-end stock ``_W_CC``), and unless ``none``
    (no retiree in the source cells and no new retiree: all zero) the retirees at the end of the year and their
    flows. Returns whether the retirees are none in every lane."""
    found = False
    for v in range(L):
        ccv = wk[_W_CC + v]
        acc[_A_LAPSED + v] += wk[_W_LL + v]
        ce = 0.5 * (wk[_W_CB + v] + ccv)
        cov = ce * lane_w[v] * ratio
        acc[_A_BILL + v] += cov
        acc[_A_CONTRIB + v] += cov * cr_t * lane_coll[v]
        acc[_A_CEXP + v] += ce
        acc[_A_CEND + v] += ccv
        if none:
            r_new[j, s, v] = 0.0
            b_new[j, s, v] = 0.0
            a_new[j, s, v] = 0.0
            d_new[j, s, v] = 0.0
        else:
            rsv = wk[_W_RS + v]
            nrt = wk[_W_NR + v]
            acs = wk[_W_ACS + v]
            bsv = wk[_W_BS + v]
            asv = wk[_W_AS + v]
            dsv = wk[_W_DS + v]
            rbv = wk[_W_RB + v]
            rr = rsv + nrt
            r_new[j, s, v] = rr
            pos = rr > 0.0
            den = rr if pos else 1.0
            bn = (rsv * bsv + wk[_W_PEN + v]) / den if pos else bsv
            a_new[j, s, v] = (rsv * asv + acs) / den if pos else asv
            d_new[j, s, v] = (rsv * dsv + 12.0 * acs / mo_j) / den if pos else dsv
            b_new[j, s, v] = bn
            acc[_A_NR + v] += nrt
            acc[_A_EXPEND + v] += 0.5 * (rbv * bsv + rr * bn)
            acc[_A_REXP + v] += 0.5 * (rbv + rr)
            acc[_A_REND + v] += rr
            found |= rr != 0.0
    return not found


@jit_noalias(error_model="numpy", refcounts=False)
def _age_pass(t, L, i0, nl, c, l, yrs, k, r, b, a, d, c_new, l_new, y_new, k_new, r_new, b_new, a_new, d_new, ew,
              er, ew_new, er_new, p, q, q_ret, hazard, min_years, force_idx, entrants, ent_band, lapse, resume,
              exit_share, back_share, back_max, base_ratio, contrib_rate, acct_rate, deemed, months, pension_base,
              inherit, grant_months, lane_w, lane_coll, lane_idx1, lane_cred1, lane_accwp, lane_trwp, acc, wk, detail,
              keep_detail):
    """Year ``t`` (> 0) of lanes ``0 .. L - 1``: one pass over (sex, age), ages ascending, from the state at the start
    of the year (``c`` .. ``d``) to the state at its end (``c_new`` .. ``d_new``), adding the year's flows and head
    counts to ``acc``.

    Compiled with ``sibrisk._numba.jit_noalias``: the caller passes distinct arrays (old and new state, the
    mortality of the year, the lane constants, ``acc``, ``wk``, ``detail``), so LLVM vectorises the lane loops.
    Each cell is one or two loops over the lanes (``_band_cell`` per band, ``_retiree_cell``), branch-free (selects),
    doing the operations of a one-scenario loop in its order.

    Empty cells are skipped: a band with no worker in its source cells (nor entrants) in any lane, and the retirees of
    an age with none in the source cells and no retirement hazard. Their new state is zero and every flow they would
    add is an exact zero (0 x a finite number), so the numbers are those of the full pass, bit for bit. Which cells
    are empty in every lane is carried from year to year (``ew``, ``er``: workers by age, sex and band; retirees by
    age and sex) and found in the same loops that write the cells."""
    n_age = c.shape[0]
    n_band = c.shape[2]
    last = n_age - 1
    ratio_t = base_ratio[t]
    cr_t = contrib_rate[t]
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
            h = haz[j, s]
            none_before = True
            for src in range(lo, hi + 1):
                none_before = none_before and er[src, s]
            no_retirees = h == 0.0 and none_before
            wk[_W_CB:_W_LL + LANES] = 0.0
            # retirees: survivors of the source cells, their benefit, account and account pension (averages, after
            # indexation and crediting); deaths' grants and accounts
            if not no_retirees:
                if hi < lo:
                    wk[_W_RS:_W_RB + LANES] = 0.0
                for src in range(lo, hi + 1):
                    first = src == lo
                    final = src == hi
                    for v in range(L):
                        qr = q_ret[src, s, v]
                        rsrc = r[src, s, v]
                        bsrc = b[src, s, v]
                        asrc = a[src, s, v]
                        w = rsrc * (1.0 - qr)
                        rb = (0.0 if first else wk[_W_RB + v]) + rsrc
                        rs = (0.0 if first else wk[_W_RS + v]) + w
                        bs = (0.0 if first else wk[_W_BS + v]) + w * bsrc
                        as_ = (0.0 if first else wk[_W_AS + v]) + w * asrc
                        ds = (0.0 if first else wk[_W_DS + v]) + w * d[src, s, v]
                        acc[_A_GRANTS + v] += rsrc * qr * bsrc / 12.0 * gm
                        acc[_A_RETREF + v] += rsrc * qr * asrc * inh
                        if final:
                            pos = rs > 0.0
                            den = rs if pos else 1.0
                            bs = bs / den if pos else bs
                            as_ = as_ / den if pos else as_
                            ds = ds / den if pos else ds
                            bs = bs * lane_idx1[v]
                            as_ = as_ * lane_cred1[v] - ds
                            as_ = as_ if as_ >= 0.0 else 0.0
                        wk[_W_RB + v] = rb
                        wk[_W_RS + v] = rs
                        wk[_W_BS + v] = bs
                        wk[_W_AS + v] = as_
                        wk[_W_DS + v] = ds
                if hi < lo:
                    for v in range(L):
                        wk[_W_BS + v] = wk[_W_BS + v] * lane_idx1[v]
                        as_ = wk[_W_AS + v] * lane_cred1[v] - wk[_W_DS + v]
                        wk[_W_AS + v] = as_ if as_ >= 0.0 else 0.0
            if j == last:  # workers at the start of the year: both source cells, in the one-scenario loop's order
                for src in range(lo, hi + 1):
                    for g in range(n_band):
                        for v in range(L):
                            wk[_W_CB + v] += c[src, s, g, v]
            ratio = ratio_t[j, s]
            mo_j = mo[j]
            dm_j = dm[j]
            eligible_age = j >= force_idx
            pb_r = pb + ratio
            for g in range(n_band):
                lam = lap[j, s, g]
                rho = res[j, s, g]
                eg = ent[j, s] * ent_band[g]
                if eg == 0.0 and (j == 0 or ew[lo, s, g]) and (j != last or ew[last, s, g]):
                    for v in range(L):
                        c_new[j, s, g, v] = 0.0
                        l_new[j, s, g, v] = 0.0
                        y_new[j, s, g, v] = 0.0
                        k_new[j, s, g, v] = 0.0
                    ew_new[j, s, g] = True
                    continue
                cell = (h, miny, eligible_age, bsh, bmax, exit_share, lam, rho, eg, ratio, cr_t, ar, pb_r, mo_j, dm_j,
                        inh)
                if j == 0 or j == last:
                    ew_new[j, s, g] = _band_cell(hi - lo + 1, h > 0.0, j, s, g, lo, c, l, yrs, k, p, q, c_new, l_new,
                                                 y_new, k_new, cell, lane_w, lane_cred1, lane_accwp, lane_trwp, wk,
                                                 acc, L)
                elif h > 0.0:
                    ew_new[j, s, g] = _band_cell(1, True, j, s, g, lo, c, l, yrs, k, p, q, c_new, l_new, y_new,
                                                 k_new, cell, lane_w, lane_cred1, lane_accwp, lane_trwp, wk, acc, L)
                else:
                    ew_new[j, s, g] = _band_cell(1, False, j, s, g, lo, c, l, yrs, k, p, q, c_new, l_new, y_new,
                                                 k_new, cell, lane_w, lane_cred1, lane_accwp, lane_trwp, wk, acc, L)
            # the cell's workers' flows; its retirees at the end of the year and their flows
            if no_retirees:
                er_new[j, s] = _retiree_cell(True, j, s, r_new, b_new, a_new, d_new, ratio, cr_t, mo_j, lane_w,
                                             lane_coll, wk, acc, L)
            else:
                er_new[j, s] = _retiree_cell(False, j, s, r_new, b_new, a_new, d_new, ratio, cr_t, mo_j, lane_w,
                                             lane_coll, wk, acc, L)
            if keep_detail:
                for v in range(nl):
                    detail[i0 + v, t, j, s, D_CONTRIB] = wk[_W_CC + v]
                    detail[i0 + v, t, j, s, D_RETIREES] = r_new[j, s, v]
                    detail[i0 + v, t, j, s, D_BENEFIT] = b_new[j, s, v]
                    detail[i0 + v, t, j, s, D_LAPSED] = wk[_W_LL + v]
                    detail[i0 + v, t, j, s, D_RETIREE_ACCOUNT] = a_new[j, s, v]


@jit(error_model="numpy")
def _project_block(i0, nl, lanes, c0, l0, r0, b0, y0, k0, a0, d0, q_base, q_ret_base, ret_factor, mort_b, kappa, hazard,
                   min_years, force_idx, entrants, ent_band, lapse, resume, exit_share, back_share, back_max,
                   base_ratio, wage, index, rate, collection, credit, contrib_rate, acct_rate, accrual, transitional,
                   deemed, months, pension_base, inherit, grant_months, transfer_out, transfer_in, opening0,
                   exposure_c, exposure_r, other0, mid_year, rule, sub_param, flows, detail, keep_detail):
    """Project scenarios ``i0 .. i0 + nl - 1`` (``nl <= lanes <= LANES``) over all years, writing their rows of
    ``flows`` (and of ``detail`` when ``keep_detail``).

    The state carries a last axis of ``lanes`` scenarios (innermost, contiguous): insured workers (A, 2, B, lanes) by
    age, sex and contribution-history band, ``c`` contributing and ``l`` insured but not contributing (断缴), with the
    band's average contribution years ``yrs`` and account ``k``; retirees ``r``, their average benefit ``b``,
    remaining individual account ``a`` and yearly account pension ``d`` (A, 2, lanes); workers die at ``q``, retirees
    at ``q_ret``. Lanes past ``nl`` repeat scenario ``i0 + nl - 1`` and are never written out.

    Each year after the base year is one pass over (sex, age) (``_age_pass``), ages ascending, with the scenario lanes
    innermost: deaths, ageing, retirement (with back-payment 补缴) or exit, lapses and resumptions, entrants and
    accrual of the cell, and in the same pass its money flows and head counts (mid-year exposures: the average of the
    cohort-aligned start-of-year stock and the year-end stock), summed per lane. Every lane does the operations of the
    equations in the contract in the same order as a one-scenario loop, so a scenario's numbers do not depend on the
    other scenarios of its block, on the block size, on the thread count or on serial vs parallel. The state is
    double-buffered (``*_new``), work arrays are allocated once per block, per-year constants are hoisted out of the
    cell loops, and when the mortality index has one sensitivity for all cells (the default) ``exp`` is taken once
    per scenario-year.

    Compiled with numba's ``error_model="numpy"`` (through ``sibrisk._numba.jit``): divisions carry no
    divide-by-zero check (every division here is by a count tested > 0, by a constant, or by payout months, which the
    scenario bounds keep positive); about 1.15x faster, same numbers.
    """
    L = lanes
    n_age = c0.shape[0]
    n_band = c0.shape[2]
    n_year = hazard.shape[0]
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
    # cells empty in every lane (all lanes start from the same state): workers by band, retirees
    ew = np.empty((n_age, 2, n_band), dtype=np.bool_)
    er = np.empty((n_age, 2), dtype=np.bool_)
    for j in range(n_age):
        for s in range(2):
            for g in range(n_band):
                ew[j, s, g] = c0[j, s, g] == 0.0 and l0[j, s, g] == 0.0
            er[j, s] = r0[j, s] == 0.0
    ew_new = np.empty_like(ew)
    er_new = np.empty_like(er)
    # per-lane sums of a year (flat rows of LANES), per-lane work of a cell, per-lane values of a year
    acc = np.zeros(N_ACC * LANES)
    wk = np.zeros(N_WORK * LANES)
    lane_w = np.empty(L)
    lane_idx1 = np.empty(L)
    lane_cred1 = np.empty(L)
    lane_coll = np.empty(L)
    lane_e = np.empty(L)
    lane_accwp = np.empty(L)
    lane_trwp = np.empty(L)
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
        acc[:] = 0.0
        if t == 0:
            for v in range(L):  # the base year's other expenditure (account payouts, grants), given as an amount
                acc[_A_REFUND + v] = other0
            ratio_t = base_ratio[t]
            cr_t = contrib_rate[t]
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
                        acc[_A_LAPSED + v] += ll[v]
                        re = rj[v]
                        cov = cc[v] * exposure_c * lane_w[v] * ratio
                        acc[_A_BILL + v] += cov
                        acc[_A_CONTRIB + v] += cov * cr_t * lane_coll[v]
                        acc[_A_EXPEND + v] += re * exposure_r * bj[v]
                        acc[_A_CEXP + v] += cc[v] * exposure_c
                        acc[_A_REXP + v] += re * exposure_r
                        acc[_A_CEND + v] += cc[v]
                        acc[_A_REND + v] += re
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
                lane_idx1[v] = 1.0 + index[iv, t]
                lane_cred1[v] = 1.0 + credit[iv, t]
                lane_accwp[v] = acc_t * wp
                lane_trwp[v] = transitional * wp
            # the year's death rates of workers (q, p = 1 - q) and retirees (q_ret), capped at 1
            for s in range(2):
                for j in range(n_age):
                    qb = q_base[j, s]
                    qrb = q_ret_base[j, s]
                    if not one_b:
                        bj = mort_b[j, s]
                        for v in range(L):
                            lane_e[v] = np.exp(bj * kappa[i0 + (v if v < nl else nl - 1), t])
                    for v in range(L):
                        e = lane_e[v]
                        qq = qb * e
                        qq = qq if qq < 1.0 else 1.0
                        q[j, s, v] = qq
                        p[j, s, v] = 1.0 - qq
                        qq = qrb * e * rf
                        q_ret[j, s, v] = qq if qq < 1.0 else 1.0
            _age_pass(t, L, i0, nl, c, l, yrs, k, r, b, a, d, c_new, l_new, y_new, k_new, r_new, b_new, a_new, d_new,
                      ew, er, ew_new, er_new, p, q, q_ret, hazard, min_years, force_idx, entrants, ent_band, lapse, resume, exit_share,
                      back_share, back_max, base_ratio, contrib_rate, acct_rate, deemed, months, pension_base,
                      inherit, grant_months, lane_w, lane_coll, lane_idx1, lane_cred1, lane_accwp, lane_trwp, acc,
                      wk, detail, keep_detail)
            c, c_new = c_new, c
            l, l_new = l_new, l
            r, r_new = r_new, r
            b, b_new = b_new, b
            yrs, y_new = y_new, yrs
            k, k_new = k_new, k
            a, a_new = a_new, a
            d, d_new = d_new, d
            ew, ew_new = ew_new, ew
            er, er_new = er_new, er
        for v in range(nl):
            i = i0 + v
            w_t = lane_w[v]
            refund = acc[_A_REFUND + v] + acc[_A_RETREF + v]
            contrib = acc[_A_CONTRIB + v] + acc[_A_BACKPAY + v]
            cend = acc[_A_CEND + v]
            rend = acc[_A_REND + v]
            lapsed = acc[_A_LAPSED + v]
            expend = acc[_A_EXPEND + v]
            grants = acc[_A_GRANTS + v]
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
            flows[i, t, F_WAGEBILL] = acc[_A_BILL + v]
            flows[i, t, F_CONTRIBUTORS] = cend
            flows[i, t, F_BENEFICIARIES] = rend
            flows[i, t, F_NEW_BEN] = acc[_A_NR + v]
            flows[i, t, F_BEN_EXPOSURE] = acc[_A_REXP + v]
            flows[i, t, F_CONTRIB_EXPOSURE] = acc[_A_CEXP + v]
            flows[i, t, F_LAPSED] = lapsed
            flows[i, t, F_REFUND] = refund
            flows[i, t, F_EXITS] = acc[_A_EXITS + v]
            flows[i, t, F_DEATH_GRANTS] = grants
            flows[i, t, F_RETIREE_REFUND] = acc[_A_RETREF + v]
            flows[i, t, F_BACK_PAY] = acc[_A_BACKPAY + v]
            flows[i, t, F_BACK_PAYERS] = acc[_A_BACKPAYERS + v]
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
            lanes = LANES if n >= LANES else n
            for blk in loop((n + lanes - 1) // lanes):
                i0 = blk * lanes
                _project_block(i0, min(lanes, n - i0), lanes, *args)

        project.__module__ = _project_block.__module__
        project.__qualname__ = f"_project_block_{'parallel' if parallel else 'serial'}_loop"
        return (jit_parallel if parallel else jit)(project)

    return make(False), make(True)


# the scenario loops, serial and parallel (prange over blocks of LANES scenarios), from one definition
project_serial, project_parallel = _scenario_block_loops()
