"""Kernel inputs of the employee medical insurance model: a validated scenario and the shared population, economy
and mortality resolved into plain arrays, and ``run_kernel`` that runs the numba kernel on them (contract:
``kernels/employee_medical.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sibrisk.economy.paths import economy_path
from sibrisk.funds.common import statutory as policy
from sibrisk.funds.common.accounts import subsidy_parameters
from sibrisk.funds.employee_medical.parameters import AGE_MIN


@dataclass
class KernelInputs:
    """Everything the kernel needs, as arrays. Shapes: S scenarios, T years, A ages (16..100+), 2 sexes."""
    pop: np.ndarray            # (S, T, A, 2) population at year end (the shared projection)
    births: np.ndarray         # (S, T) births of the year surviving to year end (population aged 0 at year end)
    cov0: np.ndarray           # (A, 2) insured share of the population at the end of the base year
    young: np.ndarray          # (T, A, 2) insured share at ages below the cohort age (used where age < lock_idx)
    lock_idx: int              # age index from which coverage travels with the cohort
    retired: np.ndarray        # (T, A, 2) share of the insured past the statutory retirement age (retirees)
    curve: np.ndarray          # (A, 2) relative medical cost by age and sex
    retiree_factor: float      # cost of a retiree relative to a worker of the same age and sex
    base_cost: float           # yuan a year per unit of the curve in the base year
    utilisation: np.ndarray    # (T,) utilisation multiplier
    cost_growth: np.ndarray    # (S, T) medical cost growth per person (the base year's value is not applied)
    wage: np.ndarray           # (S, T) average wage, yuan/year
    collection: np.ndarray     # (S, T) collection rate
    rate: np.ndarray           # (S, T) interest rate credited to both accounts
    base_ratio: float          # contribution base / average wage
    contrib_rate: np.ndarray   # (T,) employer + employee rate
    acct_rate: np.ndarray      # (T,) share of the base credited to in-service accounts
    retiree_credit: np.ndarray  # (T,) yuan a year credited to each retiree's account
    pooled_share: np.ndarray   # (T,) pooled fund's share of medical cost
    maternity0: float          # base-year maternity cost per birth, yuan (indexed to the average wage)
    opening_pool0: float       # pooled fund balance on 1 January of the base year, yuan
    opening_acct0: float       # individual-account balance on 1 January of the base year, yuan
    mid_year: bool             # flows at mid-year (True) or year end
    rule: int                  # subsidy rule (applies to the pooled fund)
    sub_param: np.ndarray      # (T,) amount, share, floor months or yuan per insured by rule
    years: np.ndarray = field(default=None)
    ages: np.ndarray = field(default=None)
    # the base year pays on its year-end members times (in-service exposure, retired exposure, medical cost
    # exposure); (1, 1, 1): the year-end stocks, as a base-year calibration has it
    exposure: tuple = (1.0, 1.0, 1.0)
    maternity_base: float = -1.0  # the base year's maternity expenditure, yuan (< 0: births x the cost per birth)
    # rate adjustment rule: pooled balance below adj_floor months (< 0: off) -> rate + adj_step a year, up to adj_cap
    adj_floor: float = -1.0
    adj_step: float = 0.0
    adj_cap: float = 0.0

    @property
    def n_scenarios(self) -> int:
        return self.wage.shape[0]

    def args(self) -> tuple:
        return (self.pop, self.births, self.cov0, self.young, self.lock_idx, self.retired, self.curve,
                self.retiree_factor, self.base_cost, self.utilisation, self.cost_growth, self.wage, self.collection,
                self.rate, self.base_ratio, self.contrib_rate, self.acct_rate, self.retiree_credit,
                self.pooled_share, self.maternity0, self.opening_pool0, self.opening_acct0,
                float(self.exposure[0]), float(self.exposure[1]), float(self.exposure[2]),
                float(self.maternity_base), self.mid_year,
                self.rule, self.sub_param, float(self.adj_floor), float(self.adj_step), float(self.adj_cap))


def retired_share(years: np.ndarray, ages: np.ndarray, *, female_cadre_share: float, reform: bool) -> np.ndarray:
    """(T, A, 2) share of each birth cohort (by sex) past its statutory retirement age at the end of each year:
    men one group, women a mix of workers (50 -> 55) and cadres (55 -> 58) (``funds.common.statutory``)."""
    out = np.zeros((len(years), len(ages), 2))
    groups = ({"male": 1.0}, {"female_worker": 1.0 - female_cadre_share, "female_cadre": female_cadre_share})
    for i, t in enumerate(years):
        for j, a in enumerate(ages):
            for s, g in enumerate(groups):
                out[i, j, s] = sum(w * policy.cumulative_retired_share(name, int(t - a), int(t), reform=reform)
                                   for name, w in g.items())
    return out


def young_coverage(profile: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """(T, A, 2) insured share below the cohort age: the base profile times the cumulative trend (the base year's
    trend value is not applied), capped at 1."""
    growth = np.cumprod(np.concatenate([[1.0], 1.0 + trend[1:]]))
    return np.minimum(1.0, profile[None, :, :] * growth[:, None, None])


def build_inputs(sc, n_scenarios: int, *, economy: dict[str, np.ndarray], mortality, population) -> KernelInputs:
    """Resolve a scenario into kernel inputs for ``n_scenarios`` rows of the shared ``economy`` paths
    (``sibrisk.economy.economic_paths``) and ``population`` (``sibrisk.demography.population.PopulationPaths``,
    ages 0..100+; ``mortality`` is not used directly: it is already in the population)."""
    years, ages = sc.years, sc.ages
    n_t = len(years)

    def econ(name: str) -> np.ndarray:
        return economy_path(economy, name, (n_scenarios, n_t))

    stock = np.asarray(population.stock, dtype=float)
    if stock.shape[:2] != (n_scenarios, n_t):
        raise ValueError(f"population has shape {stock.shape}; expected ({n_scenarios}, {n_t}, 101, 2)")
    pop = np.ascontiguousarray(stock[:, :, AGE_MIN:, :])
    births = np.ascontiguousarray(stock[:, :, 0, :].sum(axis=2))

    cov = sc.coverage
    profile = cov.profile.array()
    trend = sc.series("coverage.working_trend")
    ben, con = sc.benefits, sc.contributions
    rule, sub_param = subsidy_parameters(sc)
    return KernelInputs(
        pop=pop, births=births, cov0=np.ascontiguousarray(profile), young=young_coverage(profile, trend),
        lock_idx=int(cov.cohort_age - AGE_MIN),
        retired=retired_share(years, ages, female_cadre_share=cov.female_cadre_share, reform=cov.retirement_reform),
        curve=np.ascontiguousarray(ben.cost_curve.array()), retiree_factor=float(ben.retiree_factor),
        base_cost=float(ben.base_cost), utilisation=sc.series("benefits.utilisation"),
        cost_growth=econ("medical_cost_growth"), wage=econ("average_wage"), collection=econ("collection_rate"),
        rate=econ("interest_rate"), base_ratio=float(con.base_ratio),
        contrib_rate=sc.series("contributions.employer_rate") + sc.series("contributions.employee_rate"),
        acct_rate=sc.series("contributions.worker_account_rate"),
        retiree_credit=sc.series("contributions.retiree_account_credit"),
        pooled_share=sc.series("benefits.pooled_share"), maternity0=float(ben.maternity_cost_per_birth),
        opening_pool0=float(sc.initial.pooled_balance), opening_acct0=float(sc.initial.account_balance),
        exposure=(float(sc.initial.worker_exposure), float(sc.initial.retiree_exposure),
                  float(sc.initial.cost_exposure)),
        maternity_base=(-1.0 if sc.initial.maternity_expenditure is None else float(sc.initial.maternity_expenditure)),
        mid_year=sc.projection.flow_timing == "mid_year", rule=rule, sub_param=np.asarray(sub_param, float),
        adj_floor=(-1.0 if con.adjustment_floor_months is None else float(con.adjustment_floor_months)),
        adj_step=float(con.adjustment_step), adj_cap=float(con.adjustment_cap),
        years=years, ages=ages)


def run_kernel(inp: KernelInputs, *, keep_detail: bool = True, parallel: bool | None = None):
    """Run the numba kernel; returns ``(flows (S, T, N_FLOWS), detail (S, T, A, 2, N_DETAIL) or None)``."""
    from sibrisk.funds.common.runner import run_scenario_loops
    from sibrisk.funds.employee_medical import kernel as k

    n_s, n_t, n_a = inp.n_scenarios, inp.pop.shape[1], inp.pop.shape[2]
    return run_scenario_loops(k, inp.args(), n_s, n_t, n_a, keep_detail=keep_detail, parallel=parallel)
