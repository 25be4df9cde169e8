"""Kernel inputs of unemployment insurance: a validated scenario resolved into plain arrays (every assumption one
value per year), and ``run_kernel`` that runs the numba kernel on them (contract: ``kernels/unemployment.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sibrisk.economy.paths import economy_path
from sibrisk.funds.common import statutory as policy
from sibrisk.funds.common.accounts import subsidy_parameters
from sibrisk.funds.unemployment.parameters import AGE_MIN, BANDS


@dataclass
class KernelInputs:
    """Everything the kernel needs, as arrays. Shapes: S scenarios, T years, A ages (16..100+), 2 sexes."""
    pop: np.ndarray           # (S, T, A, 2) population at year end, persons
    cov: np.ndarray           # (T, A, 2) coverage rate (insured / population) at year end
    wage: np.ndarray          # (S, T) average wage, yuan/year
    base_ratio: float         # average contribution base / average wage
    contrib_rate: np.ndarray  # (T,) employer + employee rate
    collection: np.ndarray    # (S, T) collection rate
    unemp: np.ndarray         # (S, T) unemployment rate that claims follow (``claims_unemployment_rate``)
    takeup: np.ndarray        # (T,) new claims per year per unemployed insured person
    band_shares: np.ndarray   # (T, 3) claimants by contribution-years band (1-5, 5-10, 10+)
    max_months: np.ndarray    # (3,) maximum benefit months of each band
    mean_spell: np.ndarray    # (T,) mean uncapped unemployment spell of a claimant, months
    min_wage: np.ndarray      # (S, T) minimum wage, yuan/month
    benefit_share: np.ndarray  # (T,) benefit / minimum wage
    medical_share: np.ndarray  # (T,) medical premiums paid for recipients / benefit paid
    stab_share: np.ndarray    # (T,) job-stabilisation refunds / contribution income
    skills_share: np.ndarray  # (T,) skills and other subsidies / contribution income
    other_amount: np.ndarray  # (T,) other expenditure, yuan
    rate: np.ndarray          # (S, T) fund interest rate
    opening0: float           # fund balance on 1 January of the base year, yuan
    mid_year: bool            # flows at mid-year (True) or year end
    rule: int                 # subsidy rule
    sub_param: np.ndarray     # (T,) amount, share, floor months or yuan per insured person, by rule
    exposure0: float = 1.0    # base year's insured exposure / its year-end insured
    recipients0: float = 1.0  # recipients on 1 January / at the end of the base year (1: steady state)
    surveyed_unemp: np.ndarray = field(default=None)  # (S, T) surveyed unemployment rate (output only)
    years: np.ndarray = field(default=None)
    ages: np.ndarray = field(default=None)

    @property
    def n_scenarios(self) -> int:
        return self.wage.shape[0]

    def args(self) -> tuple:
        return (self.pop, self.cov, self.wage, self.base_ratio, self.contrib_rate, self.collection, self.unemp,
                self.takeup, self.band_shares, self.max_months, self.mean_spell, self.min_wage, self.benefit_share,
                self.medical_share, self.stab_share, self.skills_share, self.other_amount, self.rate, self.opening0,
                self.mid_year, self.rule, self.sub_param, self.exposure0, self.recipients0)


@lru_cache(maxsize=None)
def _not_retired(years: tuple, ages: tuple, reform: bool, female_cadre_share: float) -> np.ndarray:
    """(T, A, 2) share of each cell (age at year end) not yet at statutory retirement age."""
    out = np.empty((len(years), len(ages), 2))
    groups = (({"male": 1.0}), ({"female_worker": 1.0 - female_cadre_share, "female_cadre": female_cadre_share}))
    for i, t in enumerate(years):
        for j, a in enumerate(ages):
            for s, g in enumerate(groups):
                out[i, j, s] = sum(w * (1.0 - policy.cumulative_retired_share(name, int(t - a), int(t), reform=reform))
                                   for name, w in g.items())
    return out


def coverage_rates(sc) -> np.ndarray:
    """(T, A, 2) insured / population: the scenario's rates among people not yet at statutory retirement age,
    grown by ``coverage.growth`` after the base year (capped at 1), times the share not yet retired."""
    c = sc.coverage
    growth = sc.series("coverage.growth")
    level = np.cumprod(np.concatenate([[1.0], 1.0 + growth[1:]]))
    rates = np.minimum(1.0, c.rates.array()[None, :, :] * level[:, None, None])
    return rates * _not_retired(tuple(int(y) for y in sc.years), tuple(int(a) for a in sc.ages), c.retirement_reform,
                                float(c.female_cadre_share))


def minimum_wage_path(sc, wage: np.ndarray) -> np.ndarray:
    """(S, T) minimum wage, yuan/month: the scenario's dated levels, then (from ``minimum_wage_indexed_from``)
    last year's level grown with the average wage of each scenario."""
    levels = sc.series("benefits.minimum_wage")
    out = np.broadcast_to(levels, wage.shape).copy()
    start = sc.benefits.minimum_wage_indexed_from
    if start is not None:
        for t, y in enumerate(sc.years):
            if y >= start and t > 0:
                out[:, t] = out[:, t - 1] * wage[:, t] / wage[:, t - 1]
    return out


def claims_unemployment_rate(sc, unemp: np.ndarray) -> np.ndarray:
    """(S, T) the unemployment rate that new claims follow: ``(1 - w) u[t] + w u[t-1]`` with
    ``w = benefits.claims_lag_weight``, and for the base year the rate of the year before from
    ``initial.unemployment_rate_before`` (its own rate when not given). A spell that starts late in a year is
    registered and paid mostly in the next: claims lag the surveyed rate, an annual average of a stock."""
    w = float(sc.benefits.claims_lag_weight)
    if w == 0.0:
        return unemp
    before = np.empty_like(unemp)
    before[:, 1:] = unemp[:, :-1]
    u0 = sc.initial.unemployment_rate_before
    before[:, 0] = unemp[:, 0] if u0 is None else float(u0)
    return (1.0 - w) * unemp + w * before


def build_inputs(sc, n_scenarios: int, *, economy: dict[str, np.ndarray], mortality, population) -> KernelInputs:
    """Resolve a scenario into kernel inputs for ``n_scenarios`` rows of the shared ``economy`` paths and the
    projected ``population`` (``sibrisk.demography.population.PopulationPaths``, ages 0..100+)."""
    years, ages = sc.years, sc.ages
    n_t = len(years)

    def econ(name: str) -> np.ndarray:
        return economy_path(economy, name, (n_scenarios, n_t))

    wage = econ("average_wage")
    pop = np.ascontiguousarray(population.stock[:, :, AGE_MIN:, :], dtype=float)
    if pop.shape[:2] != (n_scenarios, n_t):
        raise ValueError(f"population has shape {pop.shape}; expected {(n_scenarios, n_t)} leading")
    b = sc.benefits
    rule, sub_param = subsidy_parameters(sc)
    surveyed = np.clip(econ("unemployment_rate"), 0.0, 1.0)
    return KernelInputs(
        pop=pop, cov=np.ascontiguousarray(coverage_rates(sc)), wage=wage,
        base_ratio=float(sc.contributions.base_ratio),
        contrib_rate=sc.series("contributions.employer_rate") + sc.series("contributions.employee_rate"),
        collection=econ("collection_rate"), unemp=claims_unemployment_rate(sc, surveyed),
        takeup=sc.series("benefits.takeup"),
        band_shares=np.ascontiguousarray(np.stack([sc.series(f"benefits.share_{x}") for x in BANDS], axis=1)),
        max_months=np.asarray(b.max_months, dtype=float), mean_spell=sc.series("benefits.mean_spell_months"),
        min_wage=np.ascontiguousarray(minimum_wage_path(sc, wage)),
        benefit_share=sc.series("benefits.share_of_minimum_wage"),
        medical_share=sc.series("benefits.medical_premium_share"),
        stab_share=sc.series("other_expenditure.job_stabilisation_share"),
        skills_share=sc.series("other_expenditure.skills_and_other_share"),
        other_amount=sc.series("other_expenditure.amount"), rate=econ("interest_rate"),
        opening0=float(sc.initial.fund_balance), mid_year=sc.projection.flow_timing == "mid_year", rule=rule,
        sub_param=np.asarray(sub_param, dtype=float), exposure0=float(sc.initial.insured_exposure),
        recipients0=float(sc.initial.opening_recipients_ratio), surveyed_unemp=surveyed,
        years=years, ages=ages)


def run_kernel(inp: KernelInputs, *, keep_detail: bool = True, parallel: bool | None = None):
    """Run the numba kernel; returns ``(flows (S, T, N_FLOWS), insured by age (S, T, A, 2) or None)``."""
    from sibrisk.funds.common.runner import run_scenario_loops
    from sibrisk.funds.unemployment import kernel as k

    n_s, n_t = inp.n_scenarios, inp.cov.shape[0]
    n_a = inp.cov.shape[1]
    return run_scenario_loops(k, inp.args(), n_s, n_t, n_a, keep_detail=keep_detail, parallel=parallel)
