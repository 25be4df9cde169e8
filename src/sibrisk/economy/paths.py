"""Economic paths of a scenario, one row per stochastic scenario: the input every fund's kernel shares.

``economic_paths`` returns ``{name: (n, T)}`` for every economic series the scenario gives (``[economy]``), plus
``average_wage`` (yuan/year), the level implied by the base-year wage and ``wage_growth``. Without shocks every row
is the scenario's series. With ``[stochastic.economy]`` the listed series get shocks from ``models`` centred on the
scenario's series; series named in ``wage_links`` follow wage-growth deviations times their link (e.g. pension
indexation that follows 60% of wage surprises). The base year is history: its values are never shocked.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def wage_level(average_wage: float, growth: np.ndarray) -> np.ndarray:
    """(n, T) average wage from the base-year level and growth rates (the base year's growth is not applied)."""
    n = growth.shape[0]
    return average_wage * np.cumprod(np.concatenate([np.ones((n, 1)), 1 + growth[:, 1:]], axis=1), axis=1)


def fitted_model(history, variables: tuple[str, ...]):
    """The shock model fitted to a history CSV: a VAR(1) over the listed series, an AR(1) for a single series.
    Fitted once per file version (path, modification time, size) and variables, not again for every chunk of a
    stochastic run (a fit costs about 0.17 s)."""
    import os

    try:
        st = os.stat(history)
    except OSError:  # let the reader name the file in its error
        return _fit(str(history), None, None, tuple(variables))
    return _fit_once(str(history), st.st_mtime_ns, st.st_size, tuple(variables))


def _fit(history: str, mtime_ns, size, variables: tuple[str, ...]):
    from sibrisk.economy import models

    if len(variables) > 1:
        return models.fit_var(history, variables=list(variables))
    return models.fit_arima(history, order=(1, 0, 0), variables=list(variables))


_fit_once = lru_cache(maxsize=32)(_fit)


def economic_paths(sc, n: int, seed: int = 0, start: int = 0, *, stochastic: bool = False) -> dict[str, np.ndarray]:
    """(n, T) paths of the scenario's economic series for scenarios ``start .. start + n - 1``."""
    means = sc.economy_series()
    paths = {name: np.broadcast_to(m, (n, len(m))).copy() for name, m in means.items()}
    spec = sc.stochastic.economy if (stochastic and sc.stochastic) else None
    if spec is not None:
        from sibrisk.economy import models

        years = sc.years
        if spec.history_csv:
            model = fitted_model(sc.resolve_path(spec.history_csv), tuple(spec.variables))
        else:
            model = models.assumption_model(
                {v: float(means[v].mean()) for v in spec.variables},
                dict(zip(spec.variables, spec.volatility)), ar1=dict(zip(spec.variables, spec.ar1)),
                correlation=spec.correlation or None)
        sim = model.simulate(years, n, seed, mean={v: means[v] for v in spec.variables},
                             shock_from=int(years[0]) + 1, start=start,
                             parameter_uncertainty=spec.parameter_uncertainty)
        for v in spec.variables:
            paths[v] = np.ascontiguousarray(sim[v].values, dtype=float)
        if "wage_growth" in spec.variables:
            dev = paths["wage_growth"] - means["wage_growth"]
            for v, link in spec.wage_links.items():
                if v not in spec.variables and link:
                    paths[v] = paths[v] + link * dev
    paths["average_wage"] = wage_level(sc.economy.average_wage, paths["wage_growth"])
    return paths


def economy_path(economy: dict[str, np.ndarray], name: str, shape: tuple[int, int]) -> np.ndarray:
    """One path of ``economic_paths``' output as a contiguous float array of ``shape`` (scenarios, years); a
    ``KeyError`` names a series the scenario does not give."""
    arr = np.ascontiguousarray(economy[name], dtype=float)
    if arr.shape != shape:
        raise ValueError(f"path {name} has shape {arr.shape}; expected {shape}")
    return arr
