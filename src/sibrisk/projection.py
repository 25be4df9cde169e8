"""Deterministic projection of a fund: the thin labelled layer over the kernels in ``pension_numba``.

``build_inputs`` turns a validated scenario into the plain arrays the kernel takes (every assumption resolved to
one value per year); ``run_kernel`` runs it; ``project`` labels the result as an ``xarray.Dataset`` with units and
adds the registered indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from sibrisk import lifetable, policy
from sibrisk.scenario import AGE_MIN, SEXES, Scenario

BASE_RATIO_BOUNDS = (0.6, 3.0)  # contribution base bounded to 60%-300% of the average wage

ECONOMIC_PATHS = ("wage_growth", "benefit_indexation", "interest_rate", "collection_rate", "account_crediting_rate")


@dataclass
class KernelInputs:
    """Everything the kernel needs, as arrays. Shapes: A ages, 2 sexes, T years, S scenarios."""
    c0: np.ndarray            # (A, 2) contributors at the end of the base year
    r0: np.ndarray            # (A, 2) retirees
    b0: np.ndarray            # (A, 2) average annual benefit per retiree, yuan
    y0: np.ndarray            # (A, 2) average contribution years of contributors
    k0: np.ndarray            # (A, 2) average individual-account balance per contributor, yuan
    q_base: np.ndarray        # (A, 2) base-table one-year death probabilities
    mort_b: np.ndarray        # (A, 2) log-mortality sensitivity to kappa
    kappa: np.ndarray         # (S, T) mortality index: q = min(1, q_base * exp(mort_b * kappa))
    hazard: np.ndarray        # (T, A, 2) retirement probability of a contributor
    min_years: np.ndarray     # (T,) minimum contribution years
    force_idx: int            # age index from which retirement ignores the minimum years
    entrants: np.ndarray      # (T, A, 2) new contributors
    base_ratio: np.ndarray    # (A, 2) contribution base / average wage, clamped to 60%-300%
    wage: np.ndarray          # (S, T) average wage, yuan/year
    index: np.ndarray         # (S, T) benefit indexation of existing pensions
    rate: np.ndarray          # (S, T) fund interest rate
    collection: np.ndarray    # (S, T) collection rate
    credit: np.ndarray        # (S, T) individual-account crediting rate
    contrib_rate: np.ndarray  # (T,) employer + employee rate
    acct_rate: np.ndarray     # (T,) individual-account rate
    accrual: float            # basic pension accrual per contribution year
    transitional: float       # transitional-pension coefficient per deemed year
    deemed: np.ndarray        # (T, A) deemed service years (before 1996) of the cohort
    months: np.ndarray        # (A,) payout months (计发月数) by retirement age
    opening0: float           # fund balance on 1 January of the base year, yuan
    mid_year: bool            # flows at mid-year (True) or year end
    rule: int                 # subsidy rule
    sub_param: np.ndarray     # (T,) amount, share or floor months by rule
    years: np.ndarray = field(default=None)
    ages: np.ndarray = field(default=None)

    @property
    def n_scenarios(self) -> int:
        return self.wage.shape[0]

    def args(self) -> tuple:
        return (self.c0, self.r0, self.b0, self.y0, self.k0, self.q_base, self.mort_b, self.kappa, self.hazard,
                self.min_years, self.force_idx, self.entrants, self.base_ratio, self.wage, self.index, self.rate,
                self.collection, self.credit, self.contrib_rate, self.acct_rate, self.accrual, self.transitional,
                self.deemed, self.months, self.opening0, self.mid_year, self.rule, self.sub_param)


def _normalised(table: np.ndarray, total: float) -> np.ndarray:
    s = table.sum()
    return table * (total / s) if s > 0 else table * 0.0


def initial_accounts(sc: Scenario, ages: np.ndarray, base_ratio: np.ndarray, acct_rate0: float) -> tuple[np.ndarray, np.ndarray]:
    """Average contribution years and individual-account balances by age at the end of the base year.

    Modelling assumption (no public data by age): service accrues at ``contribution_density`` a year from
    ``work_start_age``; accounts accrue from ``account_start_year`` at this year's account rate on the base, with
    past wages growing at ``history_wage_growth`` and crediting at ``history_crediting_rate``.
    """
    ini, ben = sc.initial, sc.benefits
    base = sc.projection.base_year
    service = np.clip(ages - ben.work_start_age, 0.0, None) * ini.contribution_density
    years_acct = np.minimum(service / max(ini.contribution_density, 1e-12), base - ini.account_start_year + 1)
    g, c = ini.history_wage_growth, ini.history_crediting_rate
    acct = np.zeros(len(ages))
    for n_back in range(int(np.ceil(years_acct.max())) + 1):
        w = sc.economy.average_wage * (1 + g) ** (-n_back)
        weight = np.clip(years_acct - n_back, 0.0, 1.0)
        acct += weight * acct_rate0 * w * ini.contribution_density * (1 + c) ** n_back
    y0 = np.repeat(service[:, None], 2, axis=1)
    k0 = acct[:, None] * base_ratio
    return y0, k0


def build_inputs(sc: Scenario, n_scenarios: int = 1, *, paths: dict[str, np.ndarray] | None = None,
                 kappa: np.ndarray | None = None, mort_b: np.ndarray | None = None) -> KernelInputs:
    """Resolve a scenario into kernel inputs; ``paths`` (name -> (S, T)) replace deterministic economic series,
    ``kappa`` (S, T) and ``mort_b`` (A, 2) replace the deterministic mortality improvement."""
    years = sc.years
    ages = sc.ages
    n_t, n_a = len(years), len(ages)
    paths = dict(paths or {})

    def econ(name: str) -> np.ndarray:
        if name in paths:
            arr = np.asarray(paths[name], dtype=float)
            if arr.shape != (n_scenarios, n_t):
                raise ValueError(f"path {name} has shape {arr.shape}; expected {(n_scenarios, n_t)}")
            return arr
        return np.broadcast_to(sc.series(f"economy.{name}"), (n_scenarios, n_t)).copy()

    growth = econ("wage_growth")
    wage = sc.economy.average_wage * np.cumprod(np.concatenate([np.ones((n_scenarios, 1)), 1 + growth[:, 1:]], axis=1), axis=1)

    m = sc.mortality
    q_base = np.stack([lifetable.qx(m.table, m.male, ages, field="mortality.male"),
                       lifetable.qx(m.table, m.female, ages, field="mortality.female")], axis=1)
    if kappa is None:
        mort_b = np.full((n_a, 2), np.log1p(-m.improvement))
        kappa = np.broadcast_to((years - m.table_year).astype(float), (n_scenarios, n_t)).copy()

    ben = sc.benefits
    reform = ben.retirement_reform
    h_m = policy.retirement_hazard({"male": 1.0}, years, ages, reform=reform)
    h_f = policy.retirement_hazard({"female_worker": 1.0 - ben.female_cadre_share,
                                    "female_cadre": ben.female_cadre_share}, years, ages, reform=reform)
    hazard = np.stack([h_m, h_f], axis=2)
    min_years = np.array([policy.minimum_contribution_years(int(y)) for y in years])

    base_ratio = np.full((n_a, 2), float(np.clip(sc.contributions.base_ratio, *BASE_RATIO_BOUNDS)))
    acct_rate = sc.series("contributions.individual_account_rate")
    y0, k0 = initial_accounts(sc, ages, base_ratio, float(acct_rate[0]))

    ini = sc.initial
    c0 = _normalised(ini.contributors_profile.array(), ini.contributors)
    r0 = _normalised(ini.retirees_profile.array(), ini.retirees)
    b0 = np.full((n_a, 2), ini.average_benefit)

    ent_total = sc.series("entrants.total")
    ent_profile = sc.entrants.profile.array()
    ent_profile = ent_profile / ent_profile.sum()
    entrants = ent_total[:, None, None] * ent_profile[None, :, :]

    birth = years[:, None] - ages[None, :]
    deemed = np.clip(ben.deemed_service_end_year - (birth + ben.work_start_age), 0.0, None).astype(float)

    sub = sc.subsidy
    rule = {"fixed": 0, "share_of_expenditure": 1, "gap_to_floor": 2}[sub.rule]
    if sub.rule == "fixed":
        sub_param = sc.series("subsidy.amount")
        if sub.growth is not None:
            g = sc.series("subsidy.growth")
            sub_param = sub_param * np.cumprod(np.concatenate([[1.0], 1 + g[1:]]))
    elif sub.rule == "share_of_expenditure":
        sub_param = sc.series("subsidy.share")
    else:
        sub_param = sc.series("subsidy.floor_months")

    return KernelInputs(
        c0=c0, r0=r0, b0=b0, y0=y0, k0=k0, q_base=q_base, mort_b=np.ascontiguousarray(mort_b, dtype=float),
        kappa=np.ascontiguousarray(kappa, dtype=float), hazard=hazard, min_years=min_years,
        force_idx=int(ben.forced_retirement_age - AGE_MIN), entrants=entrants, base_ratio=base_ratio, wage=wage,
        index=econ("benefit_indexation"), rate=econ("interest_rate"), collection=econ("collection_rate"),
        credit=econ("account_crediting_rate"),
        contrib_rate=sc.series("contributions.employer_rate") + sc.series("contributions.employee_rate"),
        acct_rate=acct_rate, accrual=ben.accrual_rate, transitional=ben.transitional_coefficient, deemed=deemed,
        months=policy.payout_months(ages), opening0=float(ini.fund_balance),
        mid_year=sc.projection.flow_timing == "mid_year", rule=rule, sub_param=np.asarray(sub_param, float),
        years=years, ages=ages)


def run_kernel(inp: KernelInputs, *, keep_detail: bool = True, parallel: bool | None = None):
    """Run the numba kernel; returns ``(flows (S, T, N_FLOWS), detail (S, T, A, 2, 3) or None)``."""
    from sibrisk import pension_numba as k

    n_s, n_t, n_a = inp.n_scenarios, len(inp.years), len(inp.ages)
    flows = np.zeros((n_s, n_t, k.N_FLOWS))
    detail = np.zeros((n_s, n_t, n_a, 2, k.N_DETAIL) if keep_detail else (1, 1, 1, 1, k.N_DETAIL))
    if parallel is None:
        parallel = n_s > 1
    fn = k.project_parallel if parallel else k.project_serial
    fn(*inp.args(), flows, detail, keep_detail)
    return flows, (detail if keep_detail else None)


VARIABLES = {
    # name: (units, long_name, long_name_zh)
    "opening_balance": ("yuan", "Fund balance at 1 January", "年初累计结余"),
    "contribution_income": ("yuan", "Contribution income", "保险费收入"),
    "fiscal_subsidy": ("yuan", "Fiscal subsidy income", "财政补助收入"),
    "interest_income": ("yuan", "Interest income", "利息收入"),
    "total_income": ("yuan", "Total income", "基金收入合计"),
    "benefit_expenditure": ("yuan", "Benefit expenditure", "待遇支出"),
    "fund_balance": ("yuan", "Accumulated fund balance at 31 December", "年末累计结余"),
    "covered_wage_bill": ("yuan", "Covered wage bill (contributors x contribution base)", "缴费工资总额"),
    "contributors": ("persons", "Contributing insured persons at year end", "参保在职职工人数"),
    "beneficiaries": ("persons", "Retirees receiving benefits at year end", "离退休人员人数"),
    "new_beneficiaries": ("persons", "New retirees during the year", "新增离退休人数"),
    "average_wage": ("yuan/year", "Average wage", "社会平均工资"),
    "average_benefit": ("yuan/year", "Average annual benefit per retiree", "人均养老金"),
    "interest_rate": ("1", "Effective interest rate credited to the fund", "基金收益率"),
    "contributors_by_age": ("persons", "Contributing insured persons by age and sex at year end", "分年龄性别参保在职职工"),
    "beneficiaries_by_age": ("persons", "Retirees by age and sex at year end", "分年龄性别离退休人员"),
    "benefit_by_age": ("yuan/year", "Average annual benefit by age and sex", "分年龄性别人均养老金"),
}


def _var(data, dims, name, coords=None):
    units, long_name, zh = VARIABLES[name]
    return xr.DataArray(data, dims=dims, attrs={"units": units, "long_name": long_name, "long_name_zh": zh})


def to_dataset(sc: Scenario, flows: np.ndarray, detail: np.ndarray | None, *, wage: np.ndarray, rate: np.ndarray,
               scenario_dim: bool, scenario_index: np.ndarray | None = None) -> xr.Dataset:
    """Label kernel outputs: ``flows`` (S, T, N_FLOWS), ``detail`` (S, T, A, 2, 3) or None, ``wage`` and ``rate``
    (S, T) paths; with ``scenario_dim`` False the single scenario is dropped."""
    from sibrisk import pension_numba as k

    lead = ("scenario",) if scenario_dim else ()
    f = flows if scenario_dim else flows[0]
    pick = (lambda col: f[..., col])
    yd = lead + ("year",)
    total = pick(k.F_CONTRIB) + pick(k.F_SUBSIDY) + pick(k.F_INTEREST)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg_ben = np.where(pick(k.F_BEN_EXPOSURE) > 0, pick(k.F_EXPEND) / pick(k.F_BEN_EXPOSURE), np.nan)
    wage = wage if scenario_dim else wage[0]
    rate = rate if scenario_dim else rate[0]
    data = {
        "opening_balance": pick(k.F_OPENING),
        "contribution_income": pick(k.F_CONTRIB),
        "fiscal_subsidy": pick(k.F_SUBSIDY),
        "interest_income": pick(k.F_INTEREST),
        "total_income": total,
        "benefit_expenditure": pick(k.F_EXPEND),
        "fund_balance": pick(k.F_CLOSING),
        "covered_wage_bill": pick(k.F_WAGEBILL),
        "contributors": pick(k.F_CONTRIBUTORS),
        "beneficiaries": pick(k.F_BENEFICIARIES),
        "new_beneficiaries": pick(k.F_NEW_BEN),
        "average_wage": wage,
        "average_benefit": avg_ben,
        "interest_rate": rate,
    }
    ds = xr.Dataset({name: _var(v, yd, name) for name, v in data.items()})
    if detail is not None:
        d = detail if scenario_dim else detail[0]
        dd = lead + ("year", "age", "sex")
        ds["contributors_by_age"] = _var(d[..., k.D_CONTRIB], dd, "contributors_by_age")
        ds["beneficiaries_by_age"] = _var(d[..., k.D_RETIREES], dd, "beneficiaries_by_age")
        ds["benefit_by_age"] = _var(d[..., k.D_BENEFIT], dd, "benefit_by_age")
    ds = ds.assign_coords(year=("year", sc.years.astype(int), {"long_name": "calendar year"}),
                          age=("age", sc.ages.astype(int), {"long_name": "age attained in the year (last = 100+)",
                                                            "units": "years"}),
                          sex=("sex", list(SEXES)))
    if scenario_dim:
        idx = np.arange(flows.shape[0]) if scenario_index is None else scenario_index
        ds = ds.assign_coords(scenario=("scenario", idx, {"long_name": "stochastic scenario number"}))
    ds.attrs.update({
        "scenario_name": sc.meta.name,
        "title": sc.meta.title or sc.meta.name,
        "fund": sc.meta.fund,
        "region": sc.meta.region,
        "base_year": int(sc.projection.base_year),
        "flow_timing": sc.projection.flow_timing,
        "flow_timing_note": ("income and expenditure flow at mid-year: interest = opening balance x i + net flow x "
                             "((1+i)^0.5 - 1)" if sc.projection.flow_timing == "mid_year" else "income and expenditure flow at year end: no interest on the year's net flow"),
        "subsidy_rule": sc.subsidy.rule,
        "scenario_file": sc.source or "",
        "money_units": "yuan (reports show 亿元 = 1e8 yuan)",
        "people_units": "persons (reports show 万人 = 1e4 persons)",
        "population_timing": "stocks at year end; the base year's stocks are the scenario's initial state; flows use "
                             "mid-year exposures (average of cohort-aligned start and end stocks)",
    })
    return ds


def project(scenario: Scenario, *, keep_detail: bool = True, indicators: bool = True) -> xr.Dataset:
    """Deterministic projection of a scenario: an ``xarray.Dataset`` over ``year`` (and ``year, age, sex``)."""
    inp = build_inputs(scenario, 1)
    flows, detail = run_kernel(inp, keep_detail=keep_detail, parallel=False)
    ds = to_dataset(scenario, flows, detail, wage=inp.wage, rate=inp.rate, scenario_dim=False)
    if indicators:
        ds = add_indicators(ds)
    return ds


def add_indicators(ds: xr.Dataset) -> xr.Dataset:
    from sibrisk import indicators as ind

    return ds.merge(ind.compute(ds))
