"""Kernel inputs of the work-injury model: a validated scenario resolved into plain arrays, the initial pension
stocks built from a stationary history (a modelling assumption, see ``initial_stocks``), and ``run_kernel``
(contract: ``kernels/work_injury.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sibrisk.economy.paths import economy_path
from sibrisk.funds.common import statutory as policy
from sibrisk.funds.common.accounts import subsidy_parameters
from sibrisk.funds.work_injury.parameters import AGE_MIN


@dataclass
class KernelInputs:
    """Everything the kernel needs. Shapes: S scenarios, T years, A ages (16..100+), 2 sexes, G = 4 pension grades."""
    insured: np.ndarray           # (S, T, A, 2) insured persons at year end
    rel_risk: np.ndarray          # (A, 2) relative injury risk (base-year insured-weighted mean 1)
    incidence: np.ndarray         # (T,) new cases receiving benefits per insured person-year (at relative risk 1)
    grade_share: np.ndarray       # (10,) share of new cases assessed at grades 1..10
    death_share: float            # share of new cases that are deaths
    d0: np.ndarray                # (G, A, 2) disability-allowance recipients at the end of the base year
    b0: np.ndarray                # (G, A, 2) their average allowance, yuan/year
    l0: float                     # survivor pensioners at the end of the base year
    bl0: float                    # their average pension, yuan/year
    q_base: np.ndarray            # (A, 2) base-table death probabilities
    mort_b: np.ndarray            # (A, 2)
    kappa: np.ndarray             # (S, T): q = min(1, q_base exp(mort_b kappa))
    excess: np.ndarray            # (G,) mortality multiplier of grade 1-4 recipients
    retired: np.ndarray           # (T, A, 2) share past statutory retirement age (allowance -> top-up only)
    wage: np.ndarray              # (S, T) average wage, yuan/year
    wage_prev: np.ndarray         # (S, T) previous year's average wage (funeral grant, care allowances)
    index: np.ndarray             # (S, T) indexation of allowances and survivor pensions in payment
    rate: np.ndarray              # (S, T) fund interest rate
    collection: np.ndarray        # (S, T) collection rate
    death_lump: np.ndarray        # (S, T) one-off death subsidy per death, yuan
    contrib_rate: np.ndarray      # (T,) average employer rate
    base_ratio: float             # contribution base / average wage
    prevention_share: np.ndarray  # (T,) prevention spending / contribution income
    own_ratio: float              # own wage (本人工资) / average wage
    one_off_months: np.ndarray    # (10,)
    allowance_ratio: np.ndarray   # (G,)
    topup: float                  # share of the allowance still paid by the fund after retirement
    care_ratio: np.ndarray        # (G,) care allowance per recipient / average wage
    medical_ratio: np.ndarray     # (12,) medical cost per case / average wage: medical-only, grades 1-10, death
    separation_months: np.ndarray  # (6,) grades 5-10, months of the average wage
    separation_share: float
    funeral_months: float
    survivor_ratio: float         # survivor pension per dependant / own wage
    dependants: float             # survivor pensioners per death
    survivor_exit: float          # annual exit rate of survivor pensions
    rule_on: bool
    thresholds: np.ndarray        # (2,)
    factors: np.ndarray           # (2,)
    opening0: float
    mid_year: bool
    sub_rule: int
    sub_param: np.ndarray         # (T,)
    exposure: np.ndarray = field(default_factory=lambda: np.ones(5))  # base-year flows on year-end stocks times
    # (cases, wage bill, allowances, care, survivor pensions)
    years: np.ndarray = field(default=None)
    ages: np.ndarray = field(default=None)
    reserve_share: float = 0.0    # display only: reserve = share x year-end balance

    @property
    def n_scenarios(self) -> int:
        return self.wage.shape[0]

    def args(self) -> tuple:
        return (self.insured, self.rel_risk, self.incidence, self.grade_share, self.death_share, self.d0, self.b0,
                self.l0, self.bl0, self.q_base, self.mort_b, self.kappa, self.excess, self.retired, self.wage,
                self.wage_prev, self.index, self.rate, self.collection, self.death_lump, self.contrib_rate,
                self.base_ratio, self.prevention_share, self.own_ratio, self.one_off_months, self.allowance_ratio,
                self.topup, self.care_ratio, self.medical_ratio, self.separation_months, self.separation_share,
                self.funeral_months, self.survivor_ratio, self.dependants, self.survivor_exit, self.rule_on,
                self.thresholds, self.factors, self.opening0, np.asarray(self.exposure, dtype=float), self.mid_year, self.sub_rule,
                self.sub_param)


@lru_cache(maxsize=32)
def retired_share(years: tuple, ages: tuple, female_cadre_share: float, reform: bool) -> np.ndarray:
    """(T, A, 2) share of each (year, age, sex) cell past its statutory retirement age (birth cohort year - age)."""
    out = np.zeros((len(years), len(ages), 2))
    for i, t in enumerate(years):
        for j, a in enumerate(ages):
            b = int(t - a)
            out[i, j, 0] = policy.cumulative_retired_share("male", b, int(t), reform=reform)
            out[i, j, 1] = ((1 - female_cadre_share) * policy.cumulative_retired_share("female_worker", b, int(t), reform=reform)
                            + female_cadre_share * policy.cumulative_retired_share("female_cadre", b, int(t), reform=reform))
    return out


def initial_stocks(cases0: np.ndarray, grade_share: np.ndarray, q0: np.ndarray, excess: np.ndarray,
                   allowance_ratio: np.ndarray, own_wage0: float, deaths0: float, dependants: float,
                   survivor_benefit0: float, survivor_exit: float, history_years: int, wage_growth: float,
                   indexation: float):
    """Stocks at the end of the base year under a stationary history (ASSUMPTION: no public data by grade and age):
    every past year had the base year's cases by age, survival at base-year mortality (x excess by grade), and a
    case of duration ``d`` years started at ``ratio x own wage / (1 + wage_growth)^d`` indexed by
    ``(1 + indexation)^d`` since. Returns (d0 (G, A, 2), b0 (G, A, 2), l0, bl0)."""
    n_g = len(allowance_ratio)
    n_a = cases0.shape[0]
    d0 = np.zeros((n_g, n_a, 2))
    bsum = np.zeros((n_g, n_a, 2))
    drift = (1.0 + indexation) / (1.0 + wage_growth)
    for g in range(n_g):
        p = 1.0 - np.minimum(1.0, q0 * excess[g])
        inflow = cases0 * grade_share[g]
        for j in range(n_a):
            surv = np.ones(2)
            for dur in range(0, min(j, history_years) + 1):
                src = j - dur
                if dur > 0:
                    surv = surv * p[src]
                n = inflow[src] * surv
                d0[g, j] += n
                bsum[g, j] += n * allowance_ratio[g] * own_wage0 * drift ** dur
    b0 = np.divide(bsum, d0, out=np.zeros_like(bsum), where=d0 > 0)
    keep = (1.0 - survivor_exit) ** np.arange(history_years + 1)
    l0 = deaths0 * dependants * keep.sum()
    bl0 = survivor_benefit0 * float((keep * drift ** np.arange(history_years + 1)).sum() / keep.sum())
    return d0, b0, l0, bl0


def risk_mean(rr: np.ndarray, insured: np.ndarray) -> float:
    """The insured-weighted mean relative risk the risks are normalised by (``incidence.risk_mean``)."""
    return float((rr * insured).sum()) / float(insured.sum())


def carried_stocks(sc):
    """(d0, b0, l0, bl0) from ``[initial.state]`` (``parameters.CarriedState``): the recipients' shape scaled to
    ``initial.disability_pensioners``, survivors ``initial.survivor_pensioners``, allowances and pensions as carried."""
    ini = sc.initial
    d = np.asarray(ini.state.disabled, dtype=float)
    total = float(d.sum())
    d0 = d * (ini.disability_pensioners / total) if total > 0 else d
    return (np.ascontiguousarray(d0), np.asarray(ini.state.allowance, dtype=float), float(ini.survivor_pensioners),
            float(ini.state.survivor_benefit))


def build_inputs(sc, n_scenarios: int, *, economy: dict[str, np.ndarray], mortality, population) -> KernelInputs:
    """Resolve a scenario into kernel inputs for ``n_scenarios`` rows of the shared ``economy`` paths,
    ``mortality`` (fund ages 16..100+) and ``population`` (``PopulationPaths``, ages 0..100+)."""
    years = sc.years
    ages = sc.ages
    n_t = len(years)

    def econ(name: str) -> np.ndarray:
        return economy_path(economy, name, (n_scenarios, n_t))

    wage = econ("average_wage")
    growth = econ("wage_growth")
    wage_prev = np.empty_like(wage)
    wage_prev[:, 0] = wage[:, 0] / (1.0 + growth[:, 0])
    wage_prev[:, 1:] = wage[:, :-1]

    cov = sc.coverage
    cov_growth = sc.series("coverage.growth")
    cov_index = np.cumprod(np.concatenate([[1.0], 1.0 + cov_growth[1:]]))
    rates = np.minimum(1.0, cov.rates.array()[None] * cov_index[:, None, None])          # (T, A, 2)
    stock = population.stock[:, :, AGE_MIN:, :]                                           # (S, T, A, 2)
    insured = np.ascontiguousarray(stock * rates[None])

    inc = sc.incidence
    rr = inc.relative_risk.array()
    ins0 = insured[0, 0]
    rel = rr / (inc.risk_mean if inc.risk_mean is not None else risk_mean(rr, ins0))
    trend = sc.series("incidence.trend")
    incidence = sc.series("incidence.rate") * np.cumprod(np.concatenate([[1.0], 1.0 + trend[1:]]))
    grade_share = np.asarray(inc.grade_shares, float)

    ben = sc.benefits
    q_base = np.ascontiguousarray(mortality.q_base, float)
    mort_b = np.ascontiguousarray(mortality.mort_b, float)
    kappa = np.ascontiguousarray(mortality.kappa, float)
    excess = np.asarray(ben.excess_mortality, float)
    allowance_ratio = np.asarray(ben.allowance_ratios, float)
    retired = retired_share(tuple(int(y) for y in years), tuple(int(a) for a in ages), float(ben.female_cadre_share),
                            bool(ben.retirement_reform))

    survivor_total = ben.survivor_benefit_ratio()
    dependants = ben.spouses_per_death + ben.others_per_death
    survivor_ratio = survivor_total / dependants if dependants > 0 else 0.0

    # stationary history at the base year (scenario 0: the base year is never shocked)
    w0 = float(wage[0, 0])
    cases0 = incidence[0] * rel * ins0
    q0 = np.minimum(1.0, q_base * np.exp(mort_b * kappa[0, 0]))
    ini = sc.initial
    d0, b0, l0, bl0 = initial_stocks(cases0, grade_share, q0, excess, allowance_ratio, ben.own_wage_ratio * w0,
                                     float(cases0.sum()) * inc.death_share, dependants,
                                     survivor_ratio * ben.own_wage_ratio * w0, ben.survivor_exit_rate,
                                     ini.history_years, ini.history_wage_growth, ini.history_indexation)
    if ini.state is not None:
        d0, b0, l0, bl0 = carried_stocks(sc)

    # one-off death subsidy: multiple x previous year's urban per-capita disposable income; after the last
    # published year it grows with the average wage (ASSUMPTION)
    income = sc.series("benefits.prior_year_disposable_income")
    last = int(np.searchsorted(years, ben.disposable_income_published_until, side="right")) - 1
    lump = np.broadcast_to(income, (n_scenarios, n_t)).copy()
    if last < n_t - 1:
        lump[:, last + 1:] = income[last] * wage[:, last + 1:] / wage[:, last:last + 1]
    death_lump = ben.death_subsidy_multiple * lump

    con = sc.contributions
    contrib_rate = (con.average_rate() * sc.series("contributions.rate_factor")
                    * (1.0 - sc.series("contributions.phased_cut")))
    medical_ratio = ben.medical_cost_level * np.asarray(ben.medical_cost_relative, float)
    sub_rule, sub_param = subsidy_parameters(sc)
    rr_spec = sc.rate_rule

    return KernelInputs(
        insured=insured, rel_risk=np.ascontiguousarray(rel), incidence=incidence, grade_share=grade_share,
        death_share=float(inc.death_share), d0=d0, b0=b0, l0=float(l0), bl0=float(bl0), q_base=q_base,
        mort_b=mort_b, kappa=kappa, excess=excess, retired=retired, wage=wage, wage_prev=wage_prev,
        index=econ("benefit_indexation"), rate=econ("interest_rate"), collection=econ("collection_rate"),
        death_lump=np.ascontiguousarray(death_lump), contrib_rate=np.ascontiguousarray(contrib_rate),
        base_ratio=float(con.base_ratio), prevention_share=sc.series("contributions.prevention_share"),
        own_ratio=float(ben.own_wage_ratio), one_off_months=np.asarray(ben.one_off_months, float),
        allowance_ratio=allowance_ratio, topup=float(ben.post_retirement_topup),
        care_ratio=np.asarray(ben.care_ratios, float), medical_ratio=medical_ratio,
        separation_months=np.asarray(ben.separation_months, float), separation_share=float(ben.separation_share),
        funeral_months=float(ben.funeral_months), survivor_ratio=float(survivor_ratio), dependants=float(dependants),
        survivor_exit=float(ben.survivor_exit_rate), rule_on=bool(rr_spec.enabled),
        thresholds=np.asarray(rr_spec.thresholds, float), factors=np.asarray(rr_spec.factors, float),
        opening0=float(ini.fund_balance),
        exposure=np.array([ini.case_exposure, ini.contribution_exposure, ini.allowance_exposure, ini.care_exposure,
                           ini.survivor_exposure], dtype=float),
        mid_year=sc.projection.flow_timing == "mid_year", sub_rule=int(sub_rule),
        sub_param=np.asarray(sub_param, float), years=years, ages=ages,
        reserve_share=float(ini.reserve_share))


def run_kernel(inp: KernelInputs, *, keep_detail: bool = True, parallel: bool | None = None):
    """Run the numba kernel; returns ``(flows (S, T, N_FLOWS), detail (S, T, A, 2, N_DETAIL) or None)``."""
    from sibrisk.funds.common.runner import run_scenario_loops
    from sibrisk.funds.work_injury import kernel as k

    n_s, n_t, n_a = inp.insured.shape[0], inp.insured.shape[1], inp.insured.shape[2]
    return run_scenario_loops(k, inp.args(), n_s, n_t, n_a, keep_detail=keep_detail, parallel=parallel)
