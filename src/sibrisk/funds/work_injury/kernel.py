"""Numba kernels of the work-injury projection (contract: ``kernels/work_injury.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths).
State carried from year to year per scenario: disability-allowance recipients of grades 1-4 by (grade, age, sex)
with their average allowance, and survivor pensioners (one pool) with their average pension; both are indexed
each year and decay by mortality (disability: with grade-specific excess mortality) or exits (survivors).
``project_serial`` and ``project_parallel`` run the same per-scenario function ``_project_one``.
"""

from __future__ import annotations

import numpy as np

from sibrisk._numba import jit, scenario_loops
from sibrisk.funds.common.accounts import roll_forward

# columns of the per-(scenario, year) flow output
(F_CONTRIB, F_SUBSIDY, F_INTEREST, F_BENEFIT, F_OTHER, F_OPENING, F_CLOSING, F_WAGEBILL, F_INSURED,
 F_BENEFICIARIES, F_CASES, F_DEATHS, F_NEW_PENSION, F_DISABLED, F_SURVIVORS, F_EXP_MEDICAL, F_EXP_ONE_OFF,
 F_EXP_SEPARATION, F_EXP_ALLOWANCE, F_EXP_CARE, F_EXP_DEATH, F_EXP_SURVIVOR, F_RATE) = range(23)
N_FLOWS = 23
# last axis of the age detail
D_INSURED, D_DISABLED, D_CASES = 0, 1, 2
N_DETAIL = 3
N_PG = 4  # grades 1-4 hold a disability allowance


@jit
def _project_one(i, insured, rel_risk, incidence, grade_share, death_share, d0, b0, l0, bl0, q_base, mort_b, kappa,
                 excess, retired, wage, wage_prev, index, rate, collection, death_lump, contrib_rate, base_ratio,
                 prevention_share, own_ratio, one_off_months, allowance_ratio, topup, care_ratio, medical_ratio,
                 separation_months, separation_share, funeral_months, survivor_ratio, dependants, survivor_exit,
                 rule_on, thresholds, factors, opening0, exposure, mid_year, sub_rule, sub_param, flows, detail,
                 keep_detail):
    n_t = insured.shape[1]
    n_a = insured.shape[2]
    d = d0.copy()
    b = b0.copy()
    d_new = np.empty_like(d)
    b_new = np.empty_like(d)
    d_beg = np.zeros_like(d)
    bd_beg = np.zeros_like(d)   # start-of-year allowance x recipients, indexed
    q = np.zeros((n_a, 2))
    lsv = l0
    blsv = bl0
    # per case, in units of the average wage W(t) unless said: one-off subsidy (own wage), separation lump sums
    # (average wage) and medical costs (average wage), weighted by the outcome shares
    one_off = 0.0
    for g in range(10):
        one_off += grade_share[g] * one_off_months[g] / 12.0
    one_off *= own_ratio
    separation = 0.0
    for g in range(4, 10):
        separation += grade_share[g] * separation_months[g - 4] / 12.0
    separation *= separation_share
    medical_only = 1.0 - death_share
    for g in range(10):
        medical_only -= grade_share[g]
    medical = medical_only * medical_ratio[0] + death_share * medical_ratio[11]
    for g in range(10):
        medical += grade_share[g] * medical_ratio[g + 1]
    opening = opening0
    prev_closing = 0.0
    prev_expend = 0.0
    for t in range(n_t):
        first = t == 0
        w = wage[i, t]
        # insured exposure and new cases by age
        cases = 0.0
        bill = 0.0
        ins_end = 0.0
        for s in range(2):
            for j in range(n_a):
                if first:
                    e = insured[i, t, j, s]
                    c = incidence[t] * rel_risk[j, s] * e * exposure[0]
                    bill += e * exposure[1] * base_ratio * w
                else:
                    e = 0.5 * (insured[i, t - 1, j, s] + insured[i, t, j, s])
                    c = incidence[t] * rel_risk[j, s] * e
                    bill += e * base_ratio * w
                cases += c
                ins_end += insured[i, t, j, s]
                if keep_detail:
                    detail[i, t, j, s, D_INSURED] = insured[i, t, j, s]
                    detail[i, t, j, s, D_CASES] = c
        deaths = cases * death_share
        if not first:
            for s in range(2):
                for j in range(n_a):
                    qq = q_base[j, s] * np.exp(mort_b[j, s] * kappa[i, t])
                    q[j, s] = qq if qq < 1.0 else 1.0
        # disability allowance recipients, grades 1-4
        exp_allow = 0.0
        exp_care = 0.0
        disabled = 0.0
        continuing = 0.0
        new_pension = 0.0
        for g in range(N_PG):
            b_entry = allowance_ratio[g] * own_ratio * w
            for s in range(2):
                for j in range(n_a):
                    if first:
                        e = insured[i, t, j, s] * exposure[0]
                    else:
                        e = 0.5 * (insured[i, t - 1, j, s] + insured[i, t, j, s])
                    entrants = incidence[t] * rel_risk[j, s] * e * grade_share[g]
                    pay = 1.0 - retired[t, j, s] * (1.0 - topup)
                    if first:
                        dd = d[g, j, s]
                        exp_allow += dd * b[g, j, s] * pay * exposure[2]
                        exp_care += dd * care_ratio[g] * wage_prev[i, t] * exposure[3]
                        disabled += dd
                        continuing += dd - entrants
                        new_pension += entrants
                        continue
                    lo = j - 1
                    hi = j if j == n_a - 1 else j - 1
                    db = 0.0
                    bb = 0.0
                    ds = 0.0
                    bs = 0.0
                    for src in range(max(lo, 0), hi + 1):
                        qq = q[src, s] * excess[g]
                        if qq > 1.0:
                            qq = 1.0
                        db += d[g, src, s]
                        bb += d[g, src, s] * b[g, src, s]
                        ds += d[g, src, s] * (1.0 - qq)
                        bs += d[g, src, s] * (1.0 - qq) * b[g, src, s]
                    bb *= 1.0 + index[i, t]
                    if ds > 0.0:
                        bs = bs / ds * (1.0 + index[i, t])
                    dn = ds + entrants
                    d_new[g, j, s] = dn
                    b_new[g, j, s] = (ds * bs + entrants * b_entry) / dn if dn > 0.0 else bs
                    d_beg[g, j, s] = db
                    bd_beg[g, j, s] = bb
                    exp_allow += 0.5 * (bb + dn * b_new[g, j, s]) * pay
                    exp_care += 0.5 * (db + dn) * care_ratio[g] * wage_prev[i, t]
                    disabled += dn
                    continuing += ds
                    new_pension += entrants
        if not first:
            d, d_new = d_new, d
            b, b_new = b_new, b
        # survivor pensions (one pool)
        b_surv = survivor_ratio * own_ratio * w
        l_new = deaths * dependants
        if first:
            exp_surv = lsv * blsv * exposure[4]
            surv_continuing = lsv - l_new
        else:
            l_beg = lsv
            bl_beg = blsv * (1.0 + index[i, t])
            ls = lsv * (1.0 - survivor_exit)
            lsv = ls + l_new
            blsv = (ls * bl_beg + l_new * b_surv) / lsv if lsv > 0.0 else bl_beg
            exp_surv = 0.5 * (l_beg * bl_beg + lsv * blsv)
            surv_continuing = ls
        exp_med = cases * medical * w
        exp_one_off = cases * one_off * w
        exp_sep = cases * separation * w
        exp_death = deaths * (death_lump[i, t] + funeral_months / 12.0 * wage_prev[i, t])
        benefit = exp_med + exp_one_off + exp_sep + exp_allow + exp_care + exp_death + exp_surv
        # contributions, with the optional balance-dependent rate cut (previous year-end balance months)
        mult = 1.0
        if rule_on and not first and prev_expend > 0.0:
            months = prev_closing / (prev_expend / 12.0)
            if months >= thresholds[1]:
                mult = factors[1]
            elif months >= thresholds[0]:
                mult = factors[0]
        eff_rate = contrib_rate[t] * mult
        contrib = bill * eff_rate * collection[i, t]
        other = prevention_share[t] * contrib
        expend = benefit + other
        beneficiaries = cases + continuing + surv_continuing
        ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
        sub, interest, closing = roll_forward(opening, contrib, expend, rate[i, t], ff, sub_rule, sub_param[t],
                                              beneficiaries)
        row = flows[i, t]
        row[F_CONTRIB] = contrib
        row[F_SUBSIDY] = sub
        row[F_INTEREST] = interest
        row[F_BENEFIT] = benefit
        row[F_OTHER] = other
        row[F_OPENING] = opening
        row[F_CLOSING] = closing
        row[F_WAGEBILL] = bill
        row[F_INSURED] = ins_end
        row[F_BENEFICIARIES] = beneficiaries
        row[F_CASES] = cases
        row[F_DEATHS] = deaths
        row[F_NEW_PENSION] = new_pension
        row[F_DISABLED] = disabled
        row[F_SURVIVORS] = lsv
        row[F_EXP_MEDICAL] = exp_med
        row[F_EXP_ONE_OFF] = exp_one_off
        row[F_EXP_SEPARATION] = exp_sep
        row[F_EXP_ALLOWANCE] = exp_allow
        row[F_EXP_CARE] = exp_care
        row[F_EXP_DEATH] = exp_death
        row[F_EXP_SURVIVOR] = exp_surv
        row[F_RATE] = eff_rate
        if keep_detail:
            for s in range(2):
                for j in range(n_a):
                    tot = 0.0
                    for g in range(N_PG):
                        tot += d[g, j, s]
                    detail[i, t, j, s, D_DISABLED] = tot
        prev_closing = closing
        prev_expend = expend
        opening = closing


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
