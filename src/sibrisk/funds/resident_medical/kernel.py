"""Numba kernel of the resident basic medical insurance projection (contract: ``kernels/resident_medical.md``).

Plain arrays and scalars only: no parameter objects, no I/O, no random numbers (shocks arrive as paths: the
population stock, the cost growth, the interest and collection rates per scenario). ``project_serial`` and
``project_parallel`` run the same per-scenario function ``_project_one``; the parallel one uses ``prange`` over
scenarios, each iteration writing only its own slice of the outputs.
"""

from __future__ import annotations

from sibrisk._numba import jit, scenario_loops
from sibrisk.funds.common.accounts import roll_forward

# columns of the per-(scenario, year) flow output
F_CONTRIB, F_SUBSIDY, F_INTEREST, F_EXPEND, F_OPENING, F_CLOSING, F_INSURED, F_COST_LEVEL = 0, 1, 2, 3, 4, 5, 6, 7
N_FLOWS = 8
# last axis of the age-detail output
D_INSURED, D_EXPEND = 0, 1
N_DETAIL = 2


@jit
def _project_one(i, stock, coverage, rel_cost, cost_level0, cost_growth, premium, collection, rate, opening0,
                 mid_year, rule, sub_param, flows, detail, keep_detail):
    n_year = coverage.shape[0]
    n_age = coverage.shape[1]
    level = cost_level0
    opening = opening0
    for t in range(n_year):
        if t > 0:  # the base year's growth is history: the base level is calibrated to it
            level *= 1.0 + cost_growth[i, t]
        insured = 0.0
        expend = 0.0
        for s in range(2):
            for j in range(n_age):
                n = coverage[t, j, s] * stock[i, t, j, s]
                e = n * rel_cost[j, s] * level
                insured += n
                expend += e
                if keep_detail:
                    detail[i, t, j, s, D_INSURED] = n
                    detail[i, t, j, s, D_EXPEND] = e
        contrib = premium[t] * collection[i, t] * insured
        ff = (1.0 + rate[i, t]) ** 0.5 - 1.0 if mid_year else 0.0
        sub, interest, closing = roll_forward(opening, contrib, expend, rate[i, t], ff, rule, sub_param[t], insured)
        flows[i, t, F_CONTRIB] = contrib
        flows[i, t, F_SUBSIDY] = sub
        flows[i, t, F_INTEREST] = interest
        flows[i, t, F_EXPEND] = expend
        flows[i, t, F_OPENING] = opening
        flows[i, t, F_CLOSING] = closing
        flows[i, t, F_INSURED] = insured
        flows[i, t, F_COST_LEVEL] = level
        opening = closing


# the scenario loops, serial and parallel (prange over scenarios), from one definition
project_serial, project_parallel = scenario_loops(_project_one, count_from=-3)
