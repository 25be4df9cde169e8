"""Kernel inputs of the resident medical insurance model: a validated scenario and the shared paths resolved into
plain arrays (contract: ``kernels/resident_medical.md``), and ``run_kernel`` that runs the numba kernel on them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sibrisk.economy.paths import economy_path
from sibrisk.funds.common.accounts import SUB_PER_CAPITA, subsidy_parameters


@dataclass
class KernelInputs:
    """Everything the kernel needs, as arrays. Shapes: S scenarios, T years, A ages (0..100+), 2 sexes."""
    stock: np.ndarray        # (S, T, A, 2) population at year end, persons
    coverage: np.ndarray     # (T, A, 2) share of the population insured in the resident scheme
    rel_cost: np.ndarray     # (A, 2) relative fund expenditure per insured person (age-cost curve)
    cost_level0: float       # base-year fund expenditure per insured person of relative cost 1, yuan/year
    cost_growth: np.ndarray  # (S, T) growth of the cost level (column 0 is not applied)
    premium: np.ndarray      # (T,) individual premium collected per insured person at full collection, yuan/year
    collection: np.ndarray   # (S, T) collection rate of premiums
    rate: np.ndarray         # (S, T) interest rate credited to the fund
    opening0: float          # fund balance on 1 January of the base year, yuan
    mid_year: bool           # flows at mid-year (True) or year end
    rule: int                # subsidy rule (funds.common.accounts)
    sub_param: np.ndarray    # (T,) yuan per insured person (per_capita rule), or amount / share / floor months
    years: np.ndarray = field(default=None)
    ages: np.ndarray = field(default=None)

    @property
    def n_scenarios(self) -> int:
        return self.stock.shape[0]

    def args(self) -> tuple:
        return (self.stock, self.coverage, self.rel_cost, self.cost_level0, self.cost_growth, self.premium,
                self.collection, self.rate, self.opening0, self.mid_year, self.rule, self.sub_param)


def standard_growth(sc, key: str) -> np.ndarray:
    """(T,) yearly growth of a financing standard under ``financing.indexation`` (for the years from
    ``financing.standard_growth_from``): ``fixed``: the standard's own ``financing.<key>`` series; ``cost``: the
    central ``economy.medical_cost_growth`` path + ``financing.indexation_margin``; ``frozen``: 0."""
    fin = sc.financing
    if fin.indexation == "frozen":
        return np.zeros(len(sc.years))
    if fin.indexation == "cost":
        return sc.series("economy.medical_cost_growth") + fin.indexation_margin
    return sc.series(f"financing.{key}")


def growth_factor(sc, key: str) -> np.ndarray:
    """(T,) cumulative assumed growth of a financing standard: 1 before ``financing.standard_growth_from``, then
    the product of (1 + growth) over the years from it (``standard_growth``)."""
    g = standard_growth(sc, key)
    applies = sc.years >= sc.financing.standard_growth_from
    return np.cumprod(np.where(applies, 1.0 + g, 1.0))


def financing_standards(sc) -> tuple[np.ndarray, np.ndarray]:
    """(T,) national minimum standards per insured person, yuan/year: (individual premium, fiscal subsidy), the
    dated series followed by the assumed growth. The subsidy is ``[subsidy] per_capita`` (the per_capita rule)."""
    premium = sc.series("financing.premium") * growth_factor(sc, "premium_growth")
    subsidy = sc.series("subsidy.per_capita") if sc.subsidy.per_capita is not None else np.full(len(sc.years), np.nan)
    return premium, subsidy * growth_factor(sc, "subsidy_growth")


def build_inputs(sc, n_scenarios: int, *, economy: dict[str, np.ndarray], population, mortality=None) -> KernelInputs:
    """Resolve a scenario into kernel inputs for ``n_scenarios`` rows of the shared ``economy`` paths and the
    projected ``population`` (``sibrisk.demography.population.PopulationPaths``, ages 0..100+)."""
    years = sc.years
    n_t = len(years)

    def econ(name: str) -> np.ndarray:
        return economy_path(economy, name, (n_scenarios, n_t))

    stock = np.ascontiguousarray(population.stock, dtype=float)
    if stock.shape[:2] != (n_scenarios, n_t) or stock.shape[2] != len(sc.ages):
        raise ValueError(f"population stock has shape {stock.shape}; expected {(n_scenarios, n_t, len(sc.ages), 2)}")
    participation = sc.series("coverage.participation")
    coverage = participation[:, None, None] * (1.0 - sc.coverage.employee_share.array())[None]

    top_up = sc.financing.top_up
    premium, subsidy = financing_standards(sc)
    rule, sub_param = subsidy_parameters(sc)
    if rule == SUB_PER_CAPITA:
        sub_param = subsidy * top_up  # the dated national standard, its assumed growth, and the local top-up

    return KernelInputs(
        stock=stock, coverage=np.ascontiguousarray(coverage), rel_cost=sc.costs.relative_cost.array(),
        cost_level0=float(sc.costs.cost_level), cost_growth=econ("medical_cost_growth"),
        premium=np.ascontiguousarray(premium * top_up), collection=econ("collection_rate"),
        rate=econ("interest_rate"), opening0=float(sc.initial.fund_balance),
        mid_year=sc.projection.flow_timing == "mid_year", rule=rule,
        sub_param=np.ascontiguousarray(sub_param, dtype=float), years=years, ages=sc.ages)


def run_kernel(inp: KernelInputs, *, keep_detail: bool = True, parallel: bool | None = None):
    """Run the numba kernel; returns ``(flows (S, T, N_FLOWS), detail (S, T, A, 2, N_DETAIL) or None)``."""
    from sibrisk.funds.common.runner import run_scenario_loops
    from sibrisk.funds.resident_medical import kernel as k

    n_s, n_t, n_a = inp.n_scenarios, inp.coverage.shape[0], inp.coverage.shape[1]
    return run_scenario_loops(k, inp.args(), n_s, n_t, n_a, keep_detail=keep_detail, parallel=parallel)
