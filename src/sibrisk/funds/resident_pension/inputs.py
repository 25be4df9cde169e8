"""Kernel inputs of the resident pension model: a validated scenario and the projected population resolved into
plain arrays, and ``run_kernel`` that runs the numba kernel on them (contract: ``kernels/resident_pension.md``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sibrisk.economy.paths import economy_path
from sibrisk.funds.common import statutory
from sibrisk.funds.resident_pension.parameters import AGE_MIN


@dataclass
class KernelInputs:
    """Everything the kernel needs, as arrays. Shapes: S scenarios, T years, A ages (16..100+), 2 sexes."""
    pop: np.ndarray             # (S, T, A, 2) population at year end (sibrisk.demography.population)
    cov: np.ndarray             # (T, A, 2) coverage rate: participants / population
    k0: np.ndarray              # (A, 2) average account per participant below the pension age, base year end, yuan
    ap0: np.ndarray             # (A, 2) average account pension per beneficiary, yuan/year (0 below the pension age)
    q_base: np.ndarray          # (A, 2) base-table death probabilities
    mort_b: np.ndarray          # (A, 2) log-mortality sensitivity to kappa
    kappa: np.ndarray           # (S, T) mortality index: q = min(1, q_base exp(mort_b kappa))
    jp: int                     # age index of the pension age
    density: np.ndarray         # (T,) share of participants below the pension age who contribute in the year
    contrib: np.ndarray         # (T,) average contribution per contributor, yuan/year
    match: np.ndarray           # (T,) government matching (入口补贴) per contributor, yuan/year
    credit: np.ndarray          # (S, T) account crediting rate
    basic: np.ndarray           # (S, T) basic pension per beneficiary, yuan/year
    rate: np.ndarray            # (S, T) fund interest rate
    months: float               # payout months (计发月数) at the pension age
    other_share: np.ndarray     # (T,) other expenditure / benefit expenditure
    other_financed: np.ndarray  # (T,) share of other expenditure the subsidy pays
    opening0: float             # fund balance on 1 January of the base year, yuan
    mid_year: bool              # flows at mid-year (True) or year end
    ben_exposure0: float = 1.0  # base year: basic-pension exposure / year-end beneficiaries
    acct_exposure0: float = 1.0  # base year: account pensions paid / year-end beneficiaries' account pensions
    years: np.ndarray = field(default=None)
    ages: np.ndarray = field(default=None)

    @property
    def n_scenarios(self) -> int:
        return self.basic.shape[0]

    def args(self) -> tuple:
        return (self.pop, self.cov, self.k0, self.ap0, self.q_base, self.mort_b, self.kappa, self.jp, self.density,
                self.contrib, self.match, self.credit, self.basic, self.rate, self.months, self.other_share,
                self.other_financed, self.opening0, self.mid_year, self.ben_exposure0, self.acct_exposure0)


def _phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x, float) / math.sqrt(2.0)))


def employee_growth_years(cov_spec, years: np.ndarray, ages: np.ndarray, pension_age: int) -> np.ndarray:
    """(T, A) number of calendar years y in [``employee_growth_from``, min(t, ``employee_growth_until``)] in which the
    cohort aged a in year t was below the pension age (aged a - (t - y) < pension age): the years its employee share
    grew."""
    last = np.minimum(np.minimum(years[:, None], cov_spec.employee_growth_until),
                      years[:, None] + pension_age - 1 - ages[None, :])
    return np.clip(last - cov_spec.employee_growth_from + 1, 0, None).astype(float)


def employee_share(cov_spec, years: np.ndarray, ages: np.ndarray, base_year: int) -> np.ndarray:
    """(T, A) share of each cell in the employee schemes (a cohort property once it has entered work, growing by
    ``employee_growth`` a year while below the pension age from ``employee_growth_from`` on); see
    ``parameters.CoverageSpec``. ASSUMPTION, the same for both sexes."""
    age_at_base = ages[None, :] - (years[:, None] - base_year)
    cohort = cov_spec.employee_plateau * np.exp(-cov_spec.employee_cohort_decline
                                                * np.clip(age_at_base - cov_spec.employee_reference_age, 0.0, None))
    ramp = _phi((ages + 0.5 - cov_spec.employee_entry_mean) / cov_spec.employee_entry_sd)
    share = cohort * ramp[None, :]
    if cov_spec.employee_growth != 0.0:
        n = employee_growth_years(cov_spec, np.asarray(years), np.asarray(ages), cov_spec.pension_age)
        share = share * (1.0 + cov_spec.employee_growth) ** n
    return share


def coverage_rates(sc) -> np.ndarray:
    """(T, A, 2) participants / population by year, age and sex."""
    c = sc.coverage
    years, ages = sc.years, sc.ages
    emp = employee_share(c, years, ages, sc.projection.base_year)
    eligible = np.clip(1.0 - emp[:, :, None] - c.student_share.array()[None, :, :], 0.0, 1.0)
    take = np.where(ages[None, :] < c.pension_age, sc.series("coverage.takeup_working")[:, None],
                    sc.series("coverage.takeup_pension")[:, None])
    return eligible * take[:, :, None]


def initial_accounts(sc, ages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average account per participant (below the pension age) and account pension per beneficiary (yuan/year, from
    the pension age) at the end of the base year: ``initial.state`` where carried, else rebuilt from the history.

    ASSUMPTION (no data by age): accounts exist from ``account_start_year`` (新农保 pilot 2009); each year a participant
    aged 16..pension age - 1 pays ``history_contribution`` (contribution + matching, base-year yuan, lower by
    ``history_growth`` a year back) x contribution density, credited at ``history_crediting_rate``; a beneficiary's
    account pension is the account so built at the pension age / payout months x 12.
    """
    ini, cov = sc.initial, sc.coverage
    if ini.state is not None:  # carried from a projection (``ResidentPensionFund.carried_state_updates``)
        return (np.ascontiguousarray(ini.state.account, dtype=float),
                np.ascontiguousarray(ini.state.account_pension, dtype=float))
    base = sc.projection.base_year
    pa = cov.pension_age
    dens = float(sc.series("contributions.density")[0])
    months = float(statutory.payout_months(pa))
    k0 = np.zeros(len(ages))
    ap0 = np.zeros(len(ages))
    for j, a in enumerate(ages):
        birth = base - a
        last_paid = min(base, birth + pa - 1)        # the year before reaching the pension age
        first_paid = max(ini.account_start_year, birth + AGE_MIN)
        acct = 0.0
        for y in range(first_paid, last_paid + 1):
            paid = ini.history_contribution * (1.0 + ini.history_growth) ** (y - base) * dens
            acct += paid * (1.0 + ini.history_crediting_rate) ** (last_paid - y)
        if a < pa:
            k0[j] = acct
        else:
            ap0[j] = acct / months * 12.0
    return np.repeat(k0[:, None], 2, axis=1), np.repeat(ap0[:, None], 2, axis=1)


def basic_pension(sc, benefit_indexation: np.ndarray) -> np.ndarray:
    """(S, T) basic pension per beneficiary, yuan/year: (central minimum + local top-up) x 12 before
    ``indexation_from``, then last year's level x (1 + benefit indexation)."""
    b = sc.benefits
    level = 12.0 * (sc.series("benefits.central_minimum") + sc.series("benefits.local_top_up"))
    out = np.broadcast_to(level, benefit_indexation.shape).copy()
    for t, y in enumerate(sc.years):
        if y >= b.indexation_from and t > 0:
            out[:, t] = out[:, t - 1] * (1.0 + benefit_indexation[:, t])
    return out


def build_inputs(sc, n_scenarios: int, *, economy: dict[str, np.ndarray], mortality, population) -> KernelInputs:
    """Resolve a scenario into kernel inputs for ``n_scenarios`` rows of the shared ``economy`` paths, ``mortality``
    (at ages 16..100+) and ``population`` (``PopulationPaths``, ages 0..100+)."""
    years, ages = sc.years, sc.ages
    n_t = len(years)

    def econ(name: str) -> np.ndarray:
        return economy_path(economy, name, (n_scenarios, n_t))

    pop = np.ascontiguousarray(population.stock[:, :, AGE_MIN:, :], dtype=float)
    if pop.shape != (n_scenarios, n_t, len(ages), 2):
        raise ValueError(f"population has shape {pop.shape}; expected {(n_scenarios, n_t, len(ages), 2)}")
    k0, ap0 = initial_accounts(sc, ages)
    growth = sc.series("contributions.growth")
    contrib = sc.series("contributions.average") * np.cumprod(np.concatenate([[1.0], 1.0 + growth[1:]]))
    pa = sc.coverage.pension_age
    return KernelInputs(
        pop=pop, cov=coverage_rates(sc), k0=k0, ap0=ap0, q_base=np.ascontiguousarray(mortality.q_base, float),
        mort_b=np.ascontiguousarray(mortality.mort_b, float), kappa=np.ascontiguousarray(mortality.kappa, float),
        jp=int(pa - AGE_MIN), density=sc.series("contributions.density"), contrib=contrib,
        match=sc.series("subsidy.matching"), credit=econ("account_crediting_rate"),
        basic=basic_pension(sc, econ("benefit_indexation")), rate=econ("interest_rate"),
        months=float(statutory.payout_months(pa)), other_share=sc.series("benefits.other_expenditure_share"),
        other_financed=sc.series("subsidy.other_expenditure_financed"), opening0=float(sc.initial.fund_balance),
        mid_year=sc.projection.flow_timing == "mid_year", ben_exposure0=float(sc.initial.beneficiary_exposure),
        acct_exposure0=float(sc.initial.account_pension_exposure), years=years, ages=ages)


def run_kernel(inp: KernelInputs, *, keep_detail: bool = True, parallel: bool | None = None):
    """Run the numba kernel; returns ``(flows (S, T, N_FLOWS), detail (S, T, A, 2, N_DETAIL) or None)``."""
    from sibrisk.funds.common.runner import run_scenario_loops
    from sibrisk.funds.resident_pension import kernel as k

    n_s, n_t, n_a = inp.n_scenarios, inp.cov.shape[0], inp.k0.shape[0]
    return run_scenario_loops(k, inp.args(), n_s, n_t, n_a, keep_detail=keep_detail, parallel=parallel)
