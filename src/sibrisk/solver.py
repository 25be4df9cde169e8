"""Improvement measures solved for (整改措施): the change of one lever (a contribution rate, a benefit parameter, the
subsidy) that brings the actuarial balance to zero, or keeps balance months at or above a floor through a horizon;
in the deterministic scenario or in a chosen share of stochastic scenarios. Generic over funds: it only uses
``with_updates``, ``project`` and ``simulate``. Root finding by ``scipy.optimize.brentq`` on a bracket of changes.

    r = sibrisk.solve(sc, "contributions.employer_rate", target="actuarial_balance", from_year=2026)
    r.change        # +0.0xx: the employer rate from 2026 on rises by this much
    r.scenario      # the scenario with the change applied
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sibrisk.errors import InputError

TARGETS = ("actuarial_balance", "balance_months_floor")


@dataclass
class SolveResult:
    lever: str
    change: float            # additive change of the lever (from ``from_year`` on, for a dated series)
    target: str
    achieved: float          # the target metric with the change (0 for the actuarial balance; the floor's margin)
    base: float              # the same metric without the change
    scenario: Any            # the scenario with the change applied
    iterations: int
    share: float | None = None  # the share of stochastic scenarios it holds in (None: deterministic)

    def __str__(self) -> str:
        where = "deterministic" if self.share is None else f"in {self.share:.0%} of stochastic scenarios"
        return (f"{self.lever}: change {self.change:+.6g} ({where}); {self.target} {self.base:.6g} -> "
                f"{self.achieved:.6g}")


def apply_change(scenario, lever: str, change: float, from_year: int | None = None):
    """The scenario with ``change`` added to ``lever`` (a dotted path): for a series, to every year from
    ``from_year`` on (default: the year after the base year); for a plain number, to the number."""
    from sibrisk.scenario import is_series_field

    parts = lever.split(".")
    node = scenario
    for p in parts[:-1]:
        node = getattr(node, p, None)
        if node is None:
            raise InputError("no such parameter in the scenario", file=scenario.source, field=lever, value=None)
    if not hasattr(node, parts[-1]):
        raise InputError("no such parameter in the scenario", file=scenario.source, field=lever, value=None)
    if is_series_field(type(node), parts[-1]):
        values = scenario.series(lever).astype(float).copy()
        start = scenario.projection.base_year + 1 if from_year is None else from_year
        values[np.asarray(scenario.years) >= start] += change
        return scenario.with_updates({lever: [float(v) for v in values]})
    value = getattr(node, parts[-1])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError("the lever must be a number or a series", file=scenario.source, field=lever, value=value)
    return scenario.with_updates({lever: float(value) + change})


def _metric(ds, target: str, floor: float | None, horizon: int | None, from_year: int, share: float | None):
    """The metric whose root is solved for, per scenario (deterministic: a scalar), then the (1 - share) quantile."""
    from sibrisk.indicators import actuarial_balance_of

    if target == "actuarial_balance":
        value = actuarial_balance_of(ds).actuarial_balance
    else:
        months = ds.balance_months.sel(year=slice(from_year, horizon))
        value = months.min("year") - floor
    v = np.asarray(value, dtype=float)
    if share is None:
        return float(v)
    return float(np.quantile(v, 1.0 - share))


def solve(scenario, lever: str, *, target: str = "actuarial_balance", floor: float | None = None,
          horizon: int | None = None, from_year: int | None = None, bracket: tuple[float, float] = (-0.1, 0.1),
          n_scenarios: int | None = None, share: float = 0.9, seed: int = 42, xtol: float = 1e-6) -> SolveResult:
    """The additive change of ``lever`` that brings ``target`` to zero.

    ``target``: ``"actuarial_balance"`` (over the projection's valuation period) or ``"balance_months_floor"``
    (the smallest balance months from ``from_year`` to ``horizon`` equals ``floor``, so it stays at or above it).
    ``n_scenarios``: solve on that many stochastic scenarios (``sibrisk.simulate``, same ``seed`` for every trial, so
    the metric is a smooth function of the change) so that the target holds in ``share`` of them (the (1 - share)
    quantile of the metric is zero). ``bracket``: changes between which the target changes sign.
    """
    from scipy.optimize import brentq

    from sibrisk.projection import project
    from sibrisk.stochastic import simulate

    if target not in TARGETS:
        raise InputError(f"target must be one of {TARGETS}", field="target", value=target)
    if target == "balance_months_floor" and floor is None:
        raise InputError("a balance-months target needs floor (months)", field="floor", value=None)
    start = scenario.projection.base_year + 1 if from_year is None else int(from_year)
    horizon = int(scenario.years[-1]) if horizon is None else int(horizon)
    stochastic = n_scenarios is not None
    calls = [0]

    def f(change: float) -> float:
        calls[0] += 1
        sc = apply_change(scenario, lever, change, start)
        ds = (simulate(sc, n_scenarios, seed=seed, keep_detail=False) if stochastic
              else project(sc, keep_detail=False))
        return _metric(ds, target, floor, horizon, start, share if stochastic else None)

    lo, hi = bracket
    f_lo, f_hi = f(lo), f(hi)
    if np.sign(f_lo) == np.sign(f_hi):
        raise InputError(f"the target does not change sign between changes {lo:g} ({f_lo:.4g}) and {hi:g} "
                         f"({f_hi:.4g}): widen the bracket", field="bracket", value=bracket)
    change = brentq(f, lo, hi, xtol=xtol)
    solved = apply_change(scenario, lever, change, start)
    return SolveResult(lever=lever, change=float(change), target=target, achieved=f(change), base=f(0.0),
                       scenario=solved, iterations=calls[0], share=share if stochastic else None)


def effect_chart(before, after, result: SolveResult, path=None, *, floor: float | None = None):
    """Balance months before and after the solved change, side by side: percentile fans for stochastic runs (a
    ``scenario`` dim), lines for deterministic ones. Writes ``path`` if given; returns the figure."""
    import matplotlib.pyplot as plt

    from sibrisk.plots import fan_chart

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True, constrained_layout=True)
    for ax, ds, name in ((axes[0], before, "as projected"), (axes[1], after, f"{result.lever} {result.change:+.4g}")):
        if "scenario" in ds.dims:
            fan_chart(ds, "balance_months", ax=ax, ylabel="Balance months")
        else:
            ax.plot(ds.year, ds.balance_months, color="tab:blue", lw=2)
            ax.set_ylabel("Balance months")
            ax.grid(alpha=0.3)
        if floor is not None:
            ax.axhline(floor, color="tab:red", ls="--", lw=1, label=f"floor {floor:g}")
        ax.set_title(name, fontsize=9)
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig
