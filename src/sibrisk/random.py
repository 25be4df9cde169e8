"""Random-number streams per scenario, so that scenario i draws the same numbers however a run is split.

Scheme (QuantEcon-style, ``numpy.random.SeedSequence``): scenario ``i`` of a run seeded with ``seed`` uses the
stream ``SeedSequence(seed, spawn_key=(i,))``, which is exactly ``SeedSequence(seed).spawn(n)[i]`` for any
``n > i``. A model component (economic shocks, mortality, ...) gets its own child of that stream,
``SeedSequence(seed, spawn_key=(i, COMPONENTS[name]))`` (= ``SeedSequence(seed).spawn(n)[i].spawn(m)[j]``), so
adding mortality randomness to a run does not change its economic draws. Nothing depends on the number of
scenarios, the chunk a scenario falls in, or the thread count: kernels never draw, they receive these numbers.
"""

from __future__ import annotations

import numbers

import numpy as np

from sibrisk.errors import InputError

# Fixed child indices of each scenario's stream; append new components, never renumber.
COMPONENTS = {
    "economic": 0,
    "mortality": 1,
    "mortality_drift": 2,
    "parameters": 3,
}


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError("must be a non-negative integer", field="seed", value=seed, has_value=True)
    return int(seed)


def _check_count(n, field: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
        raise InputError("must be a positive integer", field=field, value=n, has_value=True)
    return int(n)


def _check_start(start) -> int:
    if isinstance(start, bool) or not isinstance(start, numbers.Integral) or start < 0:
        raise InputError("must be a non-negative integer", field="start", value=start, has_value=True)
    return int(start)


def scenario_seed_sequences(seed: int, n: int, start: int = 0, *,
                            component: str | None = None) -> list[np.random.SeedSequence]:
    """Seed sequences of scenarios ``start .. start + n - 1`` (see the module docstring for the scheme)."""
    seed = _check_seed(seed)
    n = _check_count(n, "n_scenarios")
    start = _check_start(start)
    if component is None:
        return [np.random.SeedSequence(seed, spawn_key=(i,)) for i in range(start, start + n)]
    if component not in COMPONENTS:
        raise InputError(f"unknown random-stream component; known: {sorted(COMPONENTS)}", field="component",
                         value=component)
    j = COMPONENTS[component]
    return [np.random.SeedSequence(seed, spawn_key=(i, j)) for i in range(start, start + n)]


def scenario_streams(seed: int, n: int, start: int = 0, *,
                     component: str | None = None) -> list[np.random.Generator]:
    """One ``numpy.random.Generator`` (PCG64) per scenario, ``start .. start + n - 1``.

    With ``component=None`` these are the generators of ``SeedSequence(seed).spawn(start + n)[start:]``;
    with a component name (``COMPONENTS``) each is that scenario's child stream for the component.
    ``n <= 0`` or a negative seed raise ``InputError``.
    """
    return [np.random.Generator(np.random.PCG64(ss))
            for ss in scenario_seed_sequences(seed, n, component=component, start=start)]


def standard_normal_block(seed: int, n_scenarios: int, n_years: int, n_vars: int = 1, start: int = 0, *,
                          component: str = "economic") -> np.ndarray:
    """Independent N(0, 1) draws shaped ``(n_scenarios, n_years, n_vars)``, row ``i`` from scenario
    ``start + i``'s stream for ``component``: ``out[i] = rng_i.standard_normal((n_years, n_vars))``.

    Scenario i's block is identical whatever ``n_scenarios`` or ``start`` chunking is used.
    """
    n_years = _check_count(n_years, "n_years")
    n_vars = _check_count(n_vars, "n_vars")
    streams = scenario_streams(seed, n_scenarios, component=component, start=start)
    out = np.empty((len(streams), n_years, n_vars))
    for i, rng in enumerate(streams):
        out[i] = rng.standard_normal((n_years, n_vars))
    return out
