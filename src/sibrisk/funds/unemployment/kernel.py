"""Numba kernels of unemployment insurance (失业保险) (contract: ``kernels/unemployment.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths).
``project_serial`` and ``project_parallel`` run the same per-scenario function ``_project_one``; the parallel one
uses ``prange`` over scenarios, each iteration writing only its own slice of the outputs.
"""

from __future__ import annotations

import numpy as np

from sibrisk._numba import jit, scenario_loops
from sibrisk.funds.common.accounts import roll_forward

# columns of the per-(scenario, year) flow output
(F_OPENING, F_CONTRIB, F_SUBSIDY, F_INTEREST, F_BENEFIT, F_OTHER, F_CLOSING, F_WAGEBILL, F_INSURED,
 F_INSURED_EXPOSURE, F_UNEMPLOYED, F_CLAIMS, F_MONTHS_PER_CLAIM, F_BENEFIT_MONTHS, F_IN_YEAR, F_STOCK_END,
 F_MONTHLY_BENEFIT, F_UI_PAID, F_MEDICAL, F_STABILISATION, F_SKILLS) = range(21)
N_FLOWS = 21


@jit
def months_per_claim(shares, max_months, mean_spell):
    """Expected benefit months drawn per claim: sum_b share_b E[min(spell, M_b)] with an exponential spell of mean
    ``mean_spell``: E[min(spell, M)] = m (1 - exp(-M / m))."""
    d = 0.0
    for b in range(max_months.shape[0]):
        d += shares[b] * mean_spell * (1.0 - np.exp(-max_months[b] / mean_spell))
    return d


@jit
def _project_one(i, pop, cov, wage, base_ratio, contrib_rate, collection, unemp, takeup, band_shares, max_months,
                 mean_spell, min_wage, benefit_share, medical_share, stab_share, skills_share, other_amount, rate,
                 opening0, mid_year, rule, sub_param, exposure0, recipients0, flows, detail, keep_detail):
    n_year = cov.shape[0]
    n_age = cov.shape[1]
    opening = opening0
    insured_prev = 0.0
    stock_prev = 0.0
    for t in range(n_year):
        insured = 0.0
        for s in range(2):
            for j in range(n_age):
                x = cov[t, j, s] * pop[i, t, j, s]
                insured += x
                if keep_detail:
                    detail[i, t, j, s] = x
        # exposure: the year-end stock (times exposure0: 1 unless carried from a projection) in the base year, then
        # the mean of the start and end stocks
        exposure = insured * exposure0 if t == 0 else 0.5 * (insured_prev + insured)
        bill = exposure * wage[i, t] * base_ratio
        contrib = bill * contrib_rate[t] * collection[i, t]
        unemployed = exposure * unemp[i, t]
        claims = unemployed * takeup[t]
        d = months_per_claim(band_shares[t], max_months, mean_spell[t])
        benefit_months = claims * d
        stock_end = benefit_months / 12.0
        # base year: the year-end stock times recipients0 (1: steady state; else carried from a projection)
        stock_open = stock_end * recipients0 if t == 0 else stock_prev
        monthly = benefit_share[t] * min_wage[i, t]
        ui_paid = benefit_months * monthly
        medical = medical_share[t] * ui_paid
        benefit = ui_paid + medical
        stab = stab_share[t] * contrib
        skills = skills_share[t] * contrib + other_amount[t]
        other = stab + skills
        ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
        sub, interest, closing = roll_forward(opening, contrib, benefit + other, rate[i, t], ff, rule, sub_param[t],
                                              insured)
        f = flows[i, t]
        f[F_OPENING] = opening
        f[F_CONTRIB] = contrib
        f[F_SUBSIDY] = sub
        f[F_INTEREST] = interest
        f[F_BENEFIT] = benefit
        f[F_OTHER] = other
        f[F_CLOSING] = closing
        f[F_WAGEBILL] = bill
        f[F_INSURED] = insured
        f[F_INSURED_EXPOSURE] = exposure
        f[F_UNEMPLOYED] = unemployed
        f[F_CLAIMS] = claims
        f[F_MONTHS_PER_CLAIM] = d
        f[F_BENEFIT_MONTHS] = benefit_months
        f[F_IN_YEAR] = claims + stock_open
        f[F_STOCK_END] = stock_end
        f[F_MONTHLY_BENEFIT] = monthly
        f[F_UI_PAID] = ui_paid
        f[F_MEDICAL] = medical
        f[F_STABILISATION] = stab
        f[F_SKILLS] = skills
        opening = closing
        insured_prev = insured
        stock_prev = stock_end


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
