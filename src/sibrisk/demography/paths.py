"""Mortality paths for a scenario: the base table's q(x) by sex and an improvement index per scenario and year.

    q(x, s, t) = min(1, q_base(x, s) * exp(b(x, s) * kappa(scenario, t)))

Deterministic: ``b = ln(1 - improvement)`` at every age and ``kappa = t - table_year`` (years of improvement since
the table's central year). Stochastic (``[stochastic.mortality]``): a random walk around that index, or a saved
Lee-Carter fit's ``b(x)`` and simulated ``k(t)`` (``sibrisk.demography.mortality``). Draws come from each
scenario's "mortality" stream (``sibrisk.random``), never from inside a kernel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sibrisk.demography import lifetable


@dataclass
class MortalityPaths:
    q_base: np.ndarray  # (A, 2) base-table one-year death probabilities at the fund's ages (last = open group)
    mort_b: np.ndarray  # (A, 2) log-mortality sensitivity to kappa
    kappa: np.ndarray   # (S, T) mortality index

    def qx(self, scenario: int, t: int) -> np.ndarray:
        """(A, 2) death probabilities of one scenario and year index (for checks and slow references)."""
        return np.minimum(1.0, self.q_base * np.exp(self.mort_b * self.kappa[scenario, t]))


def base_table(sc, ages: np.ndarray) -> np.ndarray:
    m = sc.mortality
    return np.stack([lifetable.qx(m.table, m.male, ages, field="mortality.male"),
                     lifetable.qx(m.table, m.female, ages, field="mortality.female")], axis=1)


def mortality_paths(sc, ages: np.ndarray, n: int, seed: int = 0, start: int = 0, *,
                    stochastic: bool = False) -> MortalityPaths:
    """Mortality of scenarios ``start .. start + n - 1`` at ``ages``; deterministic unless ``stochastic`` and the
    scenario has a ``[stochastic.mortality]`` section."""
    years = sc.years
    m = sc.mortality
    q_base = base_table(sc, ages)
    spec = sc.stochastic.mortality if (stochastic and sc.stochastic) else None
    mean = (years - m.table_year).astype(float)
    if spec is None:
        mort_b = np.full((len(ages), 2), np.log1p(-m.improvement))
        return MortalityPaths(q_base, mort_b, np.broadcast_to(mean, (n, len(years))).copy())
    if spec.model == "random_walk":
        from sibrisk.random import standard_normal_block

        mort_b = np.full((len(ages), 2), np.log1p(-m.improvement))
        z = standard_normal_block(seed, n, len(years), 1, component="mortality", start=start)[..., 0]
        z[:, 0] = 0.0  # the base year is history
        return MortalityPaths(q_base, mort_b, np.ascontiguousarray(mean[None, :] + spec.sigma * np.cumsum(z, axis=1)))
    from sibrisk.demography.mortality import load_lee_carter

    fit = load_lee_carter(sc.resolve_path(spec.fit))
    b, kappa = fit.improvement(ages, m.table_year, years, n, seed, drift_uncertainty=spec.drift_uncertainty,
                               start=start)
    mort_b = np.repeat(np.asarray(b.values, float)[:, None], 2, axis=1)
    return MortalityPaths(q_base, np.ascontiguousarray(mort_b), np.ascontiguousarray(kappa.values, dtype=float))
