"""The driver: any fund's scenario -> shared economy and mortality -> the fund's inputs and kernel -> a labelled
``xarray.Dataset`` with units -> registered indicators.

The driver never names a fund: it asks the scenario's fund (``sibrisk.funds.get(scenario.meta.fund)``) to build
its inputs from the shared paths and to run. ``simulate`` (``sibrisk.stochastic``) uses the same ``run_fund`` with
stochastic paths and a leading ``scenario`` dimension. A scenario with regions gives a ``region`` dimension.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from sibrisk.demography import mortality_paths
from sibrisk.economy import economic_paths
from sibrisk.funds.base import COMMON_VARIABLES, FundRun
from sibrisk.scenario import SEXES, ScenarioBase


def fund_inputs(sc: ScenarioBase, n: int = 1, *, seed: int = 0, start: int = 0, stochastic: bool = False):
    """The fund's kernel inputs for scenarios ``start .. start + n - 1``: shared economy and mortality paths, then the
    fund's own ``build_inputs``."""
    economy = economic_paths(sc, n, seed, start, stochastic=stochastic)
    mortality = mortality_paths(sc, sc.ages, n, seed, start, stochastic=stochastic)
    extra = {}
    if sc.fund.uses_population:
        from sibrisk.demography.population import population_paths

        extra["population"] = population_paths(sc, n, seed, start, stochastic=stochastic)
    return sc.fund.build_inputs(sc, n, economy=economy, mortality=mortality, **extra)


def run_fund(sc: ScenarioBase, n: int = 1, *, seed: int = 0, start: int = 0, stochastic: bool = False,
             keep_detail: bool = True, parallel: bool = False) -> FundRun:
    """Scenarios ``start .. start + n - 1`` of one scenario (one region) through its fund's kernel."""
    inputs = fund_inputs(sc, n, seed=seed, start=start, stochastic=stochastic)
    return sc.fund.run(inputs, keep_detail=keep_detail, parallel=parallel)


def concat_runs(runs: list[FundRun]) -> FundRun:
    """Chunks of scenarios joined along the scenario axis."""
    year = {k: np.concatenate([r.year[k] for r in runs]) for k in runs[0].year}
    detail = None
    if runs[0].age_detail is not None:
        detail = {k: np.concatenate([r.age_detail[k] for r in runs]) for k in runs[0].age_detail}
    return FundRun(year=year, age_detail=detail)


def _var(fund, data, dims, name):
    units, long_name, zh = fund.metadata(name)
    return xr.DataArray(data, dims=dims, attrs={"units": units, "long_name": long_name, "long_name_zh": zh})


def to_dataset(sc: ScenarioBase, run: FundRun, *, scenario_dim: bool,
               scenario_index: np.ndarray | None = None) -> xr.Dataset:
    """Label a fund's run: (S, T) arrays over ``year`` (and ``age, sex``); with ``scenario_dim`` False the single
    scenario is dropped. Flows a fund does not have (other income, other expenditure) are zero; totals are formed
    here, the same way for every fund."""
    fund = sc.fund
    lead = ("scenario",) if scenario_dim else ()
    pick = (lambda a: a) if scenario_dim else (lambda a: a[0])
    yd = lead + ("year",)
    y = {k: pick(np.asarray(v, dtype=float)) for k, v in run.year.items()}
    zeros = np.zeros_like(y["contribution_income"])
    y.setdefault("other_income", zeros)
    y.setdefault("other_expenditure", zeros)
    y["total_income"] = y["contribution_income"] + y["fiscal_subsidy"] + y["interest_income"] + y["other_income"]
    y["total_expenditure"] = y["benefit_expenditure"] + y["other_expenditure"]
    missing = [k for k in COMMON_VARIABLES if k not in y]
    if missing:
        raise RuntimeError(f"fund {fund.id!r} did not output the common variable(s) {missing}")
    ds = xr.Dataset({name: _var(fund, v, yd, name) for name, v in y.items()})
    if run.age_detail is not None:
        dd = lead + ("year", "age", "sex")
        for name, v in run.age_detail.items():
            ds[name] = _var(fund, pick(v), dd, name)
    ds = ds.assign_coords(year=("year", sc.years.astype(int), {"long_name": "calendar year"}),
                          age=("age", sc.ages.astype(int), {"long_name": "age attained in the year (last = 100+)",
                                                            "units": "years"}),
                          sex=("sex", list(SEXES)))
    if scenario_dim:
        n = next(iter(run.year.values())).shape[0]
        idx = np.arange(n) if scenario_index is None else scenario_index
        ds = ds.assign_coords(scenario=("scenario", idx, {"long_name": "stochastic scenario number"}))
    ds.attrs.update({
        "scenario_name": sc.meta.name,
        "title": sc.meta.title or sc.meta.name,
        "fund": sc.meta.fund,
        "fund_long_name": fund.long_name,
        "fund_long_name_zh": fund.long_name_zh,
        "region": sc.meta.region,
        "base_year": int(sc.projection.base_year),
        "flow_timing": sc.projection.flow_timing,
        "flow_timing_note": ("income and expenditure flow at mid-year: interest = opening balance x i + net flow x "
                             "((1+i)^0.5 - 1)" if sc.projection.flow_timing == "mid_year" else
                             "income and expenditure flow at year end: no interest on the year's net flow"),
        "subsidy_rule": getattr(getattr(sc, "subsidy", None), "rule", ""),
        "scenario_file": sc.source or "",
        "money_units": "yuan (reports show 亿元 = 1e8 yuan)",
        "people_units": "persons (reports show 万人 = 1e4 persons)",
        "population_timing": "stocks at year end; the base year's stocks are the scenario's initial state; flows use "
                             "mid-year exposures (average of cohort-aligned start and end stocks)",
        "population_note": fund.population_note,
    })
    return ds


def add_indicators(ds: xr.Dataset, scenario: ScenarioBase | None = None) -> xr.Dataset:
    """Every registered indicator the Dataset's variables allow, less those its fund excludes. A non-finite
    projection (possible only with ``[meta] allow_outliers`` or extreme shocks) is reported against the scenario file
    and the fields allowed outside their bounds, not only as the variable that overflowed."""
    from sibrisk import funds
    from sibrisk import indicators as ind
    from sibrisk.errors import InputError

    excluded = set()
    if ds.attrs.get("fund") in funds.implemented():
        excluded = set(funds.get(ds.attrs["fund"]).excluded_indicators)
    try:
        computed = ind.compute(ds)
    except InputError as e:
        if scenario is None or "finite" not in e.reason:
            raise
        allowed = scenario.meta.allow_outliers
        cause = (f"the fields allowed outside their plausibility bounds ({', '.join(allowed)})" if allowed else
                 "the stochastic shocks ([stochastic] volatility and ar1)" if ds.attrs.get("n_scenarios") else
                 "an extreme combination of inputs")
        raise InputError(f"the projection overflowed ({e.field}: {e.reason}); check {cause}", file=scenario.source,
                         field=e.field, has_value=False) from None
    return ds.merge(computed.drop_vars([v for v in computed.data_vars if v in excluded]))


def stack_regions(datasets: dict[str, xr.Dataset], sc: ScenarioBase) -> xr.Dataset:
    """Regional Datasets along a new ``region`` dimension (attrs of the province scenario)."""
    ds = xr.concat(list(datasets.values()), dim="region", data_vars="all", coords="minimal", compat="override",
                   combine_attrs="override")
    ds = ds.assign_coords(region=("region", list(datasets), {"long_name": "pooling region"}))
    for name in ds.data_vars:
        first = next(iter(datasets.values()))
        ds[name].attrs = dict(first[name].attrs)
    ds.attrs = dict(next(iter(datasets.values())).attrs)
    ds.attrs.update({"region": sc.meta.region, "regions": ", ".join(datasets), "title": sc.meta.title or sc.meta.name,
                     "scenario_name": sc.meta.name})
    return ds


def project(scenario: ScenarioBase, *, keep_detail: bool = True, indicators: bool = True) -> xr.Dataset:
    """Deterministic projection of a scenario: an ``xarray.Dataset`` over ``year`` (and ``year, age, sex``), with a
    ``region`` dimension when the scenario has regions (``sibrisk.regions.province_total`` sums them)."""
    if scenario.regions:
        parts = {rid: project(rsc, keep_detail=keep_detail, indicators=indicators)
                 for rid, rsc in scenario.region_scenarios().items()}
        return stack_regions(parts, scenario)
    run = run_fund(scenario, 1, keep_detail=keep_detail, parallel=False)
    ds = to_dataset(scenario, run, scenario_dim=False)
    if indicators:
        ds = add_indicators(ds, scenario)
    return ds
