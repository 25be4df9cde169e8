"""Stochastic projections: thousands of reproducible scenarios through the same kernel as ``project``.

Shocks are drawn here, outside the kernel, from per-scenario random streams (``sibrisk.random``): scenario ``i``
gets the same numbers whatever the number of scenarios, the chunk size or the thread count. Each chunk of
scenarios becomes kernel inputs with (S, T) economic paths and mortality indices, runs through the parallel kernel
(``prange`` over scenarios), and the labelled result gains a leading ``scenario`` dimension.
"""

from __future__ import annotations

import numbers
import sys

import numpy as np
import xarray as xr

from sibrisk.errors import InputError
from sibrisk.projection import ECONOMIC_PATHS, build_inputs, run_kernel, to_dataset
from sibrisk.scenario import Scenario

PERCENTILES = (5, 25, 50, 75, 95)


def _positive_int(v, field):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v <= 0:
        raise InputError("must be a positive integer", field=field, value=v, has_value=True)
    return int(v)


def economic_paths(sc: Scenario, n: int, seed: int, start: int = 0) -> dict[str, np.ndarray]:
    """(n, T) paths of the scenario's economic variables for scenarios ``start .. start + n - 1``.

    Without a ``[stochastic.economy]`` section every path is the scenario's deterministic series. Otherwise the
    listed variables get shocks from ``sibrisk.economic`` centred on the scenario's series; benefit indexation and
    the account crediting rate may follow wage-growth deviations (``indexation_wage_link``, ``crediting_wage_link``).
    The base year is history: its values are never shocked.
    """
    means = {name: sc.series(f"economy.{name}") for name in ECONOMIC_PATHS}
    paths = {name: np.broadcast_to(m, (n, len(m))).copy() for name, m in means.items()}
    spec = sc.stochastic.economy if sc.stochastic else None
    if spec is None:
        return paths
    from sibrisk import economic

    years = sc.years
    if spec.history_csv:
        history = sc.resolve_path(spec.history_csv)
        if len(spec.variables) > 1:  # a VAR(1) over the listed series; a single series gets an AR(1) (ARIMA(1,0,0))
            model = economic.fit_var(history, variables=list(spec.variables))
        else:
            model = economic.fit_arima(history, order=(1, 0, 0), variables=list(spec.variables))
    else:
        model = economic.assumption_model(
            {v: float(means[v].mean()) for v in spec.variables},
            dict(zip(spec.variables, spec.volatility)), ar1=dict(zip(spec.variables, spec.ar1)),
            correlation=spec.correlation or None)
    sim = model.simulate(years, n, seed, mean={v: means[v] for v in spec.variables}, shock_from=int(years[0]) + 1,
                         start=start, parameter_uncertainty=spec.parameter_uncertainty)
    for v in spec.variables:
        paths[v] = np.ascontiguousarray(sim[v].values, dtype=float)
    if "wage_growth" in spec.variables:
        dev = paths["wage_growth"] - means["wage_growth"]
        if "benefit_indexation" not in spec.variables and spec.indexation_wage_link:
            paths["benefit_indexation"] = paths["benefit_indexation"] + spec.indexation_wage_link * dev
        if "account_crediting_rate" not in spec.variables and spec.crediting_wage_link:
            paths["account_crediting_rate"] = paths["account_crediting_rate"] + spec.crediting_wage_link * dev
    return paths


def mortality_paths(sc: Scenario, n: int, seed: int, start: int = 0) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(mort_b (A, 2), kappa (n, T)) for the kernel, or (None, None) for the deterministic improvement."""
    spec = sc.stochastic.mortality if sc.stochastic else None
    if spec is None:
        return None, None
    years = sc.years
    m = sc.mortality
    if spec.model == "random_walk":
        from sibrisk.random import standard_normal_block

        mort_b = np.full((len(sc.ages), 2), np.log1p(-m.improvement))
        mean = (years - m.table_year).astype(float)
        z = standard_normal_block(seed, n, len(years), 1, component="mortality", start=start)[..., 0]
        z[:, 0] = 0.0  # the base year is history
        return mort_b, mean[None, :] + spec.sigma * np.cumsum(z, axis=1)
    from sibrisk.mortality import load_lee_carter

    fit = load_lee_carter(sc.resolve_path(spec.fit))
    b, kappa = fit.improvement(sc.ages, m.table_year, years, n, seed, drift_uncertainty=spec.drift_uncertainty,
                               start=start)
    return np.repeat(np.asarray(b.values, float)[:, None], 2, axis=1), np.asarray(kappa.values, float)


def simulate(scenario: Scenario, n_scenarios: int = 1000, seed: int = 42, *, keep_detail: bool = False,
             chunk_size: int = 1000, progress: bool | None = None, parallel: bool = True,
             indicators: bool = True) -> xr.Dataset:
    """Run ``n_scenarios`` stochastic scenarios; the same Dataset as ``project`` with a leading ``scenario`` dim.

    Age detail (``*_by_age``) only with ``keep_detail=True`` (10,000 scenarios x 50 years x 85 ages x 2 sexes x 3
    states is 2 GB). ``progress`` shows a progress bar (default: when stderr is a terminal).
    """
    n = _positive_int(n_scenarios, "n_scenarios")
    chunk = _positive_int(chunk_size, "chunk_size")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError("must be a non-negative integer", field="seed", value=seed, has_value=True)
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    flows, details, wages, rates = [], [], [], []
    with tqdm(total=n, desc=f"simulating {scenario.meta.name}", unit="scenario", disable=not progress) as bar:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            paths = economic_paths(scenario, m, seed, start)
            mort_b, kappa = mortality_paths(scenario, m, seed, start)
            inp = build_inputs(scenario, m, paths=paths, kappa=kappa, mort_b=mort_b)
            f, d = run_kernel(inp, keep_detail=keep_detail, parallel=parallel)
            flows.append(f)
            wages.append(inp.wage)
            rates.append(inp.rate)
            if keep_detail:
                details.append(d)
            bar.update(m)
    ds = to_dataset(scenario, np.concatenate(flows), np.concatenate(details) if keep_detail else None,
                    wage=np.concatenate(wages), rate=np.concatenate(rates), scenario_dim=True)
    ds.attrs.update({"n_scenarios": n, "seed": int(seed),
                     "stochastic_note": (scenario.stochastic.note if scenario.stochastic else
                                         "no [stochastic] section: every scenario equals the deterministic projection")})
    if indicators:
        from sibrisk.projection import add_indicators

        ds = add_indicators(ds)
    return ds


SUMMARY_VARIABLES = ("fund_balance", "balance_months", "current_balance", "payg_cost_rate", "total_income",
                     "benefit_expenditure")


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
