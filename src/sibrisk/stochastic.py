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


def simulate(scenario: ScenarioBase, n_scenarios: int = 1000, seed: int = 42, *, keep_detail: bool = False,
             chunk_size: int = 1000, progress: bool | None = None, parallel: bool = True,
             indicators: bool = True) -> xr.Dataset:
    """Run ``n_scenarios`` stochastic scenarios; the same Dataset as ``project`` with a leading ``scenario`` dim.

    Age detail (``*_by_age``) only with ``keep_detail=True`` (10,000 scenarios x 50 years x 85 ages x 2 sexes x 3
    states is 2 GB). ``progress`` shows a progress bar (default: when stderr is a terminal).
    """
    n, chunk, seed, regional, bar = run_plan(scenario, n_scenarios, seed, chunk_size, progress)
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
    if None in results:
        return results[None]
    out = stack_regions(results, scenario)
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
