"""Numba kernels of the resident pension projection (contract: ``kernels/resident_pension.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths).
``project_serial`` and ``project_parallel`` run the same per-scenario function ``_project_one``; the parallel one
uses ``prange`` over scenarios, each iteration writing only its own slice of the outputs.
"""

from __future__ import annotations

import numpy as np

from sibrisk._numba import jit, scenario_loops
from sibrisk.funds.common.accounts import SUB_FIXED, roll_forward

# columns of the per-(scenario, year) flow output
(F_CONTRIB, F_SUBSIDY, F_INTEREST, F_BENEFIT, F_OTHER, F_OPENING, F_CLOSING, F_BASIC, F_ACCOUNT, F_MATCHING,
 F_PARTICIPANTS, F_CONTRIBUTORS, F_BENEFICIARIES, F_NEW_BEN, F_BEN_EXPOSURE, F_ACCOUNTS) = range(16)
N_FLOWS = 16
# last axis of the age-detail output
D_PARTICIPANTS, D_CONTRIBUTORS, D_BENEFICIARIES, D_ACCOUNT, D_ACCOUNT_PENSION = range(5)
N_DETAIL = 5


@jit
def cohort_step(n, k, ap, q, cov, pop, jp, density, contrib, match, credit, months,
                n_new, k_new, ap_new, r_beg, ap_beg):
    """Advance one year for one scenario.

    ``n, k, ap`` (A, 2): last year-end participants, average account per participant (ages below the pension age)
    and average account pension per beneficiary (yuan/year, from the pension age). Participants this year end are
    ``cov x pop``; survivors of last year's cell keep their average (accounts credited at ``credit``), net joiners
    bring no account, net leavers take the cell's average with them. Writes ``n_new, k_new, ap_new`` and the
    cohort-aligned start-of-year beneficiaries ``r_beg`` with their average account pension ``ap_beg``.
    """
    n_age = n.shape[0]
    for s in range(2):
        for j in range(n_age):
            ns = 0.0
            nb = 0.0
            ks = 0.0
            aps = 0.0
            apb = 0.0
            lo = j - 1
            hi = j if j == n_age - 1 else j - 1
            for src in range(max(lo, 0), hi + 1):
                p = 1.0 - q[src, s]
                nb += n[src, s]
                ns += n[src, s] * p
                ks += n[src, s] * p * k[src, s]
                aps += n[src, s] * p * ap[src, s]
                apb += n[src, s] * ap[src, s]
            kbar = ks / ns if ns > 0.0 else 0.0
            apbar = aps / ns if ns > 0.0 else 0.0
            nn = cov[j, s] * pop[j, s]
            stay = ns if ns < nn else nn
            n_new[j, s] = nn
            if j < jp:
                k_new[j, s] = (stay * kbar * (1.0 + credit) / nn if nn > 0.0 else 0.0) + density * (contrib + match)
                ap_new[j, s] = 0.0
                r_beg[j, s] = 0.0
                ap_beg[j, s] = 0.0
            elif j == jp:
                k_new[j, s] = 0.0
                ap_new[j, s] = stay * kbar * (1.0 + credit) / nn * 12.0 / months if nn > 0.0 else 0.0
                r_beg[j, s] = 0.0
                ap_beg[j, s] = 0.0
            else:
                k_new[j, s] = 0.0
                ap_new[j, s] = stay * apbar / nn if nn > 0.0 else 0.0
                r_beg[j, s] = nb
                ap_beg[j, s] = apb / nb if nb > 0.0 else 0.0


@jit
def _project_one(i, pop, cov, k0, ap0, q_base, mort_b, kappa, jp, density, contrib, match, credit, basic, rate,
                 months, other_share, other_financed, opening0, mid_year, ben_exposure0, acct_exposure0, flows, detail,
                 keep_detail):
    n_age = k0.shape[0]
    n_year = cov.shape[0]
    n = np.empty_like(k0)
    for s in range(2):
        for j in range(n_age):
            n[j, s] = cov[0, j, s] * pop[i, 0, j, s]
    k = k0.copy()
    ap = ap0.copy()
    n_new = np.empty_like(k0)
    k_new = np.empty_like(k0)
    ap_new = np.empty_like(k0)
    r_beg = np.zeros_like(k0)
    ap_beg = np.zeros_like(k0)
    q = np.empty_like(k0)
    opening = opening0
    for t in range(n_year):
        first = t == 0
        if not first:
            for s in range(2):
                for j in range(n_age):
                    qq = q_base[j, s] * np.exp(mort_b[j, s] * kappa[i, t])
                    q[j, s] = qq if qq < 1.0 else 1.0
            cohort_step(n, k, ap, q, cov[t], pop[i, t], jp, density[t], contrib[t], match[t], credit[i, t], months,
                        n_new, k_new, ap_new, r_beg, ap_beg)
            n, n_new = n_new, n
            k, k_new = k_new, k
            ap, ap_new = ap_new, ap
        participants = 0.0
        contributors = 0.0
        beneficiaries = 0.0
        exposure = 0.0
        account_exp = 0.0
        accounts = 0.0
        for s in range(2):
            for j in range(n_age):
                participants += n[j, s]
                if j < jp:
                    contributors += n[j, s] * density[t]
                    accounts += n[j, s] * k[j, s]
                else:
                    beneficiaries += n[j, s]
                    if first:  # year-end stocks x the base year's exposures (1 unless carried)
                        exposure += n[j, s] * ben_exposure0
                        account_exp += n[j, s] * ap[j, s] * acct_exposure0
                    else:
                        exposure += 0.5 * (r_beg[j, s] + n[j, s])
                        account_exp += 0.5 * (r_beg[j, s] * ap_beg[j, s] + n[j, s] * ap[j, s])
        contribution = contributors * contrib[t]
        matching = contributors * match[t]
        basic_exp = exposure * basic[i, t]
        benefit = basic_exp + account_exp
        other = other_share[t] * benefit
        subsidy_due = basic_exp + matching + other_financed[t] * other
        ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
        sub, interest, closing = roll_forward(opening, contribution, benefit + other, rate[i, t], ff, SUB_FIXED,
                                              subsidy_due, beneficiaries)
        flows[i, t, F_CONTRIB] = contribution
        flows[i, t, F_SUBSIDY] = sub
        flows[i, t, F_INTEREST] = interest
        flows[i, t, F_BENEFIT] = benefit
        flows[i, t, F_OTHER] = other
        flows[i, t, F_OPENING] = opening
        flows[i, t, F_CLOSING] = closing
        flows[i, t, F_BASIC] = basic_exp
        flows[i, t, F_ACCOUNT] = account_exp
        flows[i, t, F_MATCHING] = matching
        flows[i, t, F_PARTICIPANTS] = participants
        flows[i, t, F_CONTRIBUTORS] = contributors
        flows[i, t, F_BENEFICIARIES] = beneficiaries
        nb = 0.0
        if not first and jp < n_age:
            nb = n[jp, 0] + n[jp, 1]
        flows[i, t, F_NEW_BEN] = nb
        flows[i, t, F_BEN_EXPOSURE] = exposure
        flows[i, t, F_ACCOUNTS] = accounts
        if keep_detail:
            for s in range(2):
                for j in range(n_age):
                    below = j < jp
                    detail[i, t, j, s, D_PARTICIPANTS] = n[j, s]
                    detail[i, t, j, s, D_CONTRIBUTORS] = n[j, s] * density[t] if below else 0.0
                    detail[i, t, j, s, D_BENEFICIARIES] = 0.0 if below else n[j, s]
                    detail[i, t, j, s, D_ACCOUNT] = k[j, s]
                    detail[i, t, j, s, D_ACCOUNT_PENSION] = ap[j, s]
        opening = closing


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
