"""Stochastic projections: thousands of reproducible scenarios through the same kernel as ``project``.

Shocks are drawn outside the kernels (``sibrisk.economy``, ``sibrisk.demography``) from per-scenario random streams
(``sibrisk.random``): scenario ``i`` gets the same numbers whatever the number of scenarios, the chunk size or the
thread count, and every fund and region sees the same economy and mortality for scenario ``i``. Each chunk of
scenarios becomes the fund's kernel inputs with (S, T) paths, runs through its kernel, and the labelled result gains
a leading ``scenario`` dimension.
"""

from __future__ import annotations

import numbers
import sys

import numpy as np
import xarray as xr

from sibrisk.errors import InputError
from sibrisk.projection import concat_runs, run_fund, stack_regions, to_dataset
from sibrisk.scenario import ScenarioBase

PERCENTILES = (5, 25, 50, 75, 95)


# netCDF and zarr store the seed as a 64-bit integer attribute
SEED_MAX = 2**63 - 1


def check_seed(seed) -> int:
    """``seed`` as an int in 0..2^63-1, else ``InputError`` naming the field."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed <= SEED_MAX:
        raise InputError("must be an integer in 0..2^63-1", field="seed", value=seed, has_value=True)
    return int(seed)


def _positive_int(v, field):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0:
        raise InputError("must be a positive integer", field=field, value=v, has_value=True)
    return int(v)


def run_plan(scenario: ScenarioBase, n_scenarios, seed, chunk_size, progress: bool | None):
    """What every chunked stochastic run (``simulate``, ``sibrisk.batch.stream_summary``) starts with: the checked
    ``n``, ``chunk`` and ``seed``, the scenario of each pooling region (``{None: scenario}`` without regions), and a
    progress bar over all their scenarios (shown when ``progress``; default: when stderr is a terminal)."""
    from tqdm.auto import tqdm

    n = _positive_int(n_scenarios, "n_scenarios")
    chunk = _positive_int(chunk_size, "chunk_size")
    seed = check_seed(seed)
    if progress is None:
        progress = sys.stderr.isatty()
    regional = scenario.region_scenarios() or {None: scenario}
    bar = tqdm(total=n * len(regional), desc=f"simulating {scenario.meta.name}", unit="scenario",
               disable=not progress)
    return n, chunk, seed, regional, bar


def check_detail_scenarios(detail_scenarios, n: int | None, field: str = "detail_scenarios") -> tuple[int, ...]:
    """``detail_scenarios`` as a tuple of distinct scenario numbers in ``0 .. n - 1`` (``n`` None: any number
    >= 0; ``detail_scenarios`` None: none), else ``InputError`` naming the entry (``detail_scenarios[1]``) and its
    value."""
    if detail_scenarios is None:
        return ()
    if isinstance(detail_scenarios, (str, bytes, numbers.Number)) or not hasattr(detail_scenarios, "__iter__"):
        raise InputError("must be a list of scenario numbers", field=field, value=detail_scenarios, has_value=True)
    out: list[int] = []
    for k, i in enumerate(detail_scenarios):
        where = f"{field}[{k}]"
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, numbers.Integral):
            raise InputError("must be a scenario number (an integer)", field=where, value=i, has_value=True)
        if i < 0 or (n is not None and i >= n):
            raise InputError("must be a scenario number >= 0" if n is None else
                             f"must be a scenario number in 0..{n - 1} (the run has {n} scenarios)", field=where,
                             value=i, has_value=True)
        if int(i) in out:
            raise InputError("scenario listed twice", field=where, value=i, has_value=True)
        out.append(int(i))
    return tuple(out)


def age_detail(scenario: ScenarioBase, detail_scenarios, seed: int = 42, *, n_scenarios: int | None = None,
               indicators: bool = True) -> xr.Dataset:
    """The stochastic scenarios numbered ``detail_scenarios`` of a run with ``seed``, each rerun alone with its age
    detail: the Dataset ``simulate(..., keep_detail=True)`` gives for them (``scenario`` coordinate = their numbers,
    year and age-by-sex variables, per-scenario indicators), the same numbers bit for bit, at the cost of those
    scenarios only. Draws are keyed by (seed, scenario, component) (``sibrisk.random``), so scenario ``i`` is the same
    alone as in any chunk of any run. ``n_scenarios``: the size of the run they belong to (checks the numbers and
    is kept in the attributes). A scenario with regions gives a ``region`` dimension."""
    from sibrisk.projection import add_indicators

    seed = check_seed(seed)
    n = None if n_scenarios is None else _positive_int(n_scenarios, "n_scenarios")
    idx = check_detail_scenarios(detail_scenarios, n)
    if not idx:
        raise InputError("name at least one scenario", field="detail_scenarios", value=detail_scenarios,
                         has_value=True)
    results = {}
    for rid, sc in (scenario.region_scenarios() or {None: scenario}).items():
        runs = [run_fund(sc, 1, seed=seed, start=i, stochastic=True, keep_detail=True, parallel=False) for i in idx]
        ds = to_dataset(sc, concat_runs(runs), scenario_dim=True, scenario_index=np.asarray(idx))
        ds.attrs.update({"seed": int(seed), "detail_scenarios": list(idx),
                         **({"n_scenarios": n} if n is not None else {}),
                         "stochastic_note": (scenario.stochastic.note if scenario.stochastic else
                                             "no [stochastic] section: every scenario equals the deterministic "
                                             "projection")})
        if indicators:
            ds = add_indicators(ds, sc)
        # only per-scenario variables: an indicator over scenarios (probability of depletion) would be over these few
        results[rid] = ds[[v for v in ds.data_vars if ds[v].dims[:1] == ("scenario",)]]
    if None in results:
        return results[None]
    return stack_regions(results, scenario)


def with_age_detail(ds: xr.Dataset, detail: xr.Dataset) -> xr.Dataset:
    """``ds`` plus the age-by-sex variables of ``detail`` (``age_detail``) on a ``detail_scenario`` dimension."""
    by_age = detail[[v for v in detail.data_vars if "age" in detail[v].dims]].rename(scenario="detail_scenario")
    by_age["detail_scenario"].attrs = {"long_name": "stochastic scenario number of the age detail"}
    out = ds.merge(by_age, combine_attrs="override")
    out.attrs["detail_scenarios"] = [int(i) for i in detail.scenario.values]
    return out


def simulate(scenario: ScenarioBase, n_scenarios: int = 1000, seed: int = 42, *, keep_detail: bool = False,
             chunk_size: int = 1000, progress: bool | None = None, parallel: bool = True,
             indicators: bool = True, detail_scenarios=None) -> xr.Dataset:
    """Run ``n_scenarios`` stochastic scenarios; the same Dataset as ``project`` with a leading ``scenario`` dim.

    Age detail (``*_by_age``) of every scenario only with ``keep_detail=True`` (10,000 scenarios x 50 years x 85 ages
    x 2 sexes x 3 states is 2 GB); of a few scenarios with ``detail_scenarios=[0, 17]``: their ``*_by_age`` variables
    on a ``detail_scenario`` dimension (coordinate 0, 17), each scenario rerun alone (``age_detail``), the same
    numbers as ``keep_detail=True`` gives for them. ``progress`` shows a progress bar (default: when stderr is a
    terminal).
    """
    n, chunk, seed, regional, bar = run_plan(scenario, n_scenarios, seed, chunk_size, progress)
    detail_idx = check_detail_scenarios(detail_scenarios, n)
    if detail_idx and keep_detail:
        raise InputError("keep_detail=True already keeps every scenario's age detail; leave detail_scenarios out",
                         field="detail_scenarios", value=detail_scenarios, has_value=True)
    results = {}
    with bar:
        for rid, sc in regional.items():
            runs = []
            for start in range(0, n, chunk):
                m = min(chunk, n - start)
                runs.append(run_fund(sc, m, seed=seed, start=start, stochastic=True, keep_detail=keep_detail,
                                     parallel=parallel))
                bar.update(m)
            ds = to_dataset(sc, concat_runs(runs), scenario_dim=True)
            ds.attrs.update({"n_scenarios": n, "seed": int(seed),
                             "stochastic_note": (scenario.stochastic.note if scenario.stochastic else
                                                 "no [stochastic] section: every scenario equals the deterministic "
                                                 "projection")})
            if indicators:
                from sibrisk.projection import add_indicators

                ds = add_indicators(ds, sc)
            results[rid] = ds
    out = results[None] if None in results else stack_regions(results, scenario)
    if detail_idx:
        out = with_age_detail(out, age_detail(scenario, detail_idx, seed, n_scenarios=n, indicators=indicators))
    return out


SUMMARY_VARIABLES = ("fund_balance", "balance_months", "current_balance", "payg_cost_rate", "total_income",
                     "total_expenditure")


def percentiles(ds: xr.Dataset, variables=SUMMARY_VARIABLES, q=PERCENTILES) -> xr.Dataset:
    """Percentiles over scenarios (dim ``percentile``) of year-indexed variables, units kept."""
    out = xr.Dataset()
    for v in variables:
        if v in ds:
            p = ds[v].quantile(np.asarray(q) / 100.0, dim="scenario").rename(quantile="percentile")
            out[v] = p.assign_coords(percentile=list(q)).assign_attrs(ds[v].attrs)
    return out


def depletion_distribution(ds: xr.Dataset) -> xr.Dataset:
    """Share of scenarios first depleted in each year, ``not_depleted`` share, and cumulative probability, over the
    years of ``ds`` (select a period first to count depletion from its start)."""
    from sibrisk.indicators import depletion_year, probability_of_depletion

    years = ds.year.values
    dy = depletion_year(ds.fund_balance).values
    counts = np.array([(dy == y).sum() for y in years], dtype=float)
    n = ds.sizes["scenario"]
    return xr.Dataset({
        "share_first_depleted": xr.DataArray(counts / n, dims="year", coords={"year": years},
                                             attrs={"units": "1", "long_name": "Share of scenarios first depleted in the year"}),
        "probability_of_depletion": probability_of_depletion(ds.fund_balance),
        "not_depleted": xr.DataArray(float(np.isnan(dy).mean()),
                                     attrs={"units": "1", "long_name": f"Share not depleted by {int(years[-1])}"}),
    })
