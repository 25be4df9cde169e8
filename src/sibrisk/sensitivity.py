"""Sensitivity analysis of a scenario: one assumption at a time moved to a low and a high value, and what that does to
the depletion year, the peak balance, balance months and the fiscal subsidy at a horizon and the actuarial balance
(a table and a tornado chart). Generic over funds: it only uses ``scenario.with_updates`` and ``sibrisk.project``.

    table = sibrisk.sensitivity(sc, {"economy.interest_rate": [0.015, 0.035],
                                     "indexation.wage_share": [0.4, 0.8]}, horizon=2040)
    sibrisk.sensitivity_tornado(table, "balance_months_at_horizon", "tornado.png")

Each value is what ``with_updates`` accepts for that dotted path: a number, a list (one value per projection year) or
a dated table ``{year: value}``.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sibrisk.errors import InputError

METRICS = {
    "depletion_year": ("year", "First year whose year-end balance is below zero (NaN: not within the horizon)"),
    "peak_balance": ("yuan", "Largest year-end balance over the projection"),
    "peak_year": ("year", "Year of the largest year-end balance"),
    "balance_months_at_horizon": ("months", "Balance months in the horizon year"),
    "actuarial_balance": ("share of payroll", "Actuarial balance over the valuation period (US SSA definition)"),
    # what a balance held by the subsidy rule (a floor of balance months: the public-sector pension) shows instead
    "fiscal_subsidy_at_horizon": ("yuan", "Fiscal subsidy in the horizon year"),
}


def summary(ds, *, horizon: int | None = None, start: int | None = None, years: int | None = None) -> dict[str, float]:
    """The sensitivity metrics of one deterministic projection (``ds`` from ``sibrisk.project``).

    ``horizon``: the year of the balance months (default: the last year); ``start``, ``years``: the actuarial
    balance's valuation period (default: the whole projection)."""
    from sibrisk.indicators import actuarial_balance_of, depletion_year

    if "scenario" in ds.dims or "region" in ds.dims:
        raise ValueError("summary() takes one deterministic projection of one region (no scenario or region axis)")
    yrs = ds.year.values
    horizon = int(yrs[-1]) if horizon is None else int(horizon)
    if horizon not in yrs:
        raise ValueError(f"horizon {horizon} is outside the projection ({int(yrs[0])}-{int(yrs[-1])})")
    bal = ds.fund_balance.values
    i = int(np.argmax(bal))
    dep = float(depletion_year(ds.fund_balance))
    # a share of payroll: not defined for a scheme without a covered wage bill (the resident schemes): NaN
    ab = (float(actuarial_balance_of(ds, start=start, years=years).actuarial_balance)
          if "covered_wage_bill" in ds else float("nan"))
    return {
        "depletion_year": dep,
        "peak_balance": float(bal[i]),
        "peak_year": float(yrs[i]),
        "balance_months_at_horizon": float(ds.balance_months.sel(year=horizon)),
        "actuarial_balance": ab,
        "fiscal_subsidy_at_horizon": float(ds.fiscal_subsidy.sel(year=horizon)),
    }


def path_from(scenario, path: str, year: int, *, add: float | None = None, value: float | None = None) -> list[float]:
    """The scenario's series ``path`` (one value per projection year) changed from ``year`` on: ``add`` added to it,
    or ``value`` in its place; the years before kept (a variation of the future that leaves the published years and
    the base-year calibration alone). ``with_updates`` and ``sensitivity`` take the list as the path's value."""
    if (add is None) == (value is None):
        raise ValueError("give one of add= or value=")
    return [float(v) if y < year else float(v + add if add is not None else value)
            for y, v in zip(scenario.years, scenario.series(path))]


def sensitivity(scenario, variations: dict[str, list[Any] | tuple[Any, Any]], *, horizon: int | None = None,
                start: int | None = None, years: int | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``scenario`` to each dotted parameter in ``variations`` ({path: [low, high]}).

    Returns a table with one row for the base and two per parameter (columns ``parameter``, ``variant`` (base, low,
    high), ``value`` (the value given), the metrics of ``METRICS`` and, for each metric, ``delta_<metric>`` against the
    base). A bad path or value raises ``InputError`` naming it, before anything is projected."""
    from sibrisk.projection import project

    if not variations:
        raise InputError("no parameter to vary", field="variations", value=variations)
    variants = []
    for path, pair in variations.items():
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise InputError("give [low, high] for each parameter", field=path, value=pair)
        for name, value in zip(("low", "high"), pair):
            try:
                variant = scenario.with_updates({path: value})
            except KeyError:
                raise InputError("no such parameter in the scenario", file=scenario.source, field=path,
                                 value=value) from None
            variants.append((path, name, value, variant))
    rows = [{"parameter": "(base)", "variant": "base", "value": None,
             **summary(project(scenario, keep_detail=False), horizon=horizon, start=start, years=years)}]
    for path, name, value, variant in variants:
        ds = project(variant, keep_detail=False)
        rows.append({"parameter": path, "variant": name, "value": value,
                     **summary(ds, horizon=horizon, start=start, years=years)})
    table = pd.DataFrame(rows)
    for m in METRICS:
        table[f"delta_{m}"] = table[m] - table.loc[0, m]
    table.attrs.update(scenario=scenario.meta.name, horizon=horizon if horizon is not None else
                       int(scenario.years[-1]), metrics={m: u for m, (u, _) in METRICS.items()})
    return table


def tornado_chart(table: pd.DataFrame, metric: str = "balance_months_at_horizon", path: str | Path | None = None, *,
                  ax=None):
    """Tornado chart of one metric: a bar per parameter from its low to its high variant around the base value,
    the widest on top. Writes ``path`` if given; returns the matplotlib figure."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; one of {sorted(METRICS)}")
    base = float(table.loc[table.variant == "base", metric].iloc[0])
    rows = []
    for p, g in table[table.variant != "base"].groupby("parameter", sort=False):
        lo = float(g.loc[g.variant == "low", metric].iloc[0])
        hi = float(g.loc[g.variant == "high", metric].iloc[0])
        rows.append((p, lo, hi, abs(hi - lo) if np.isfinite(hi - lo) else np.inf))
    rows.sort(key=lambda r: r[3])
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.5))
    else:
        fig = ax.figure
    for i, (p, lo, hi, _) in enumerate(rows):
        for v, colour, lab in ((lo, "tab:blue", "low"), (hi, "tab:orange", "high")):
            if np.isfinite(v):
                ax.barh(i, v - base, left=base, color=colour, label=lab if i == 0 else None)
            else:
                ax.text(base, i, f" {lab}: none", va="center", fontsize=8)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r[0] for r in rows])
    unit, long = METRICS[metric]
    ax.set_xlabel(f"{long} ({unit})")
    ax.set_title(f"Sensitivity of {metric} ({table.attrs.get('scenario', '')})")
    if rows:
        ax.legend(loc="lower right")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


class _CallableModule(__import__("types").ModuleType):
    """``sibrisk.sensitivity`` is both this module and the function: importing the submodule sets the package
    attribute to the module, so the module forwards calls to ``sensitivity``."""

    def __call__(self, *args, **kwargs):
        return sensitivity(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule


class _CallableModule(types.ModuleType):
    """``sibrisk.sensitivity`` names both this module and its function ``sensitivity``. Python binds a submodule as
    the package's attribute when it first loads it, so after ``import sibrisk.sensitivity`` (the CLI does it)
    ``sibrisk.sensitivity`` is this module; calling it calls the function, as the API documents."""

    def __call__(self, *args, **kwargs):
        return sensitivity(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
