"""The adapter between goal sets and the projection engine.

Sustainability indicators (balance months, current balance, actuarial balance, probability of depletion) are never
typed into a goal set: they are computed by running the engine on the scenario the goal set names
(``[scenario] base = ...``, optionally with ``updates``), for the goal set's year. This is where the benefit
dimension's "sustainable development" (national measures Art. 9(4), Art. 16: 社会保险基金可持续运行) meets the
projection.

``SibriskEngine`` calls ``sibrisk.project`` (deterministic) and ``sibrisk.simulate`` (stochastic, when the
installation has it; otherwise ``StochasticEngineUnavailable`` is raised: no value is substituted). Anything with
the same two methods can stand in for it (tests pass a fake that returns a small contract-shaped Dataset).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import xarray as xr

from sibrisk.errors import InputError


class StochasticEngineUnavailable(InputError):
    """The stochastic engine (``sibrisk.simulate``) is not part of this installation (an ``InputError``: the CLI
    prints it and exits 2)."""


class Engine(Protocol):
    def projection(self, goalset) -> xr.Dataset: ...

    def simulation(self, goalset, n_scenarios: int, seed: int) -> xr.Dataset: ...


def scenario_path(goalset) -> Path:
    """The scenario file a goal set names: relative to the goal file's folder, else a shipped scenario's name."""
    from sibrisk.scenario import find_scenario

    base = goalset.scenario.base
    here = Path(goalset.source).parent if goalset.source else Path(".")
    for cand in (here / base, here / f"{base}.toml"):
        if cand.is_file():
            return cand
    try:
        return find_scenario(base)
    except InputError:
        raise InputError("no such scenario (neither next to the goal file nor a shipped scenario)",
                         file=goalset.source, field="scenario.base", value=base) from None


class SibriskEngine:
    """Runs sibrisk's engine once per (scenario, updates) and keeps the result."""

    def __init__(self):
        self._projections: dict[str, xr.Dataset] = {}
        self._simulations: dict[tuple, xr.Dataset] = {}

    def scenario(self, goalset):
        from sibrisk.scenario import load_scenario

        sc = load_scenario(scenario_path(goalset))
        if goalset.scenario.updates:
            try:
                sc = sc.with_updates(goalset.scenario.updates, effective_from=goalset.scenario.effective_from)
            except (KeyError, TypeError) as e:
                raise InputError(f"cannot apply the update (no such field {e})", file=goalset.source,
                                 field="scenario.updates", value=goalset.scenario.updates) from None
            except InputError as e:  # the updated scenario failed validation: say which goal file asked for it
                raise InputError(f"the updated scenario is invalid: {e.field} = {e.value!r}: {e.reason}",
                                 file=goalset.source, field="scenario.updates", value=goalset.scenario.updates,
                                 has_value=True) from None
        if sc.meta.fund != goalset.meta.fund:
            raise InputError(f"the scenario is for fund {sc.meta.fund!r}, the goal set for {goalset.meta.fund!r}",
                             file=goalset.source, field="scenario.base", value=goalset.scenario.base)
        return sc

    def _key(self, goalset) -> str:
        return json.dumps([str(scenario_path(goalset).resolve()), goalset.scenario.updates,
                           goalset.scenario.effective_from], sort_keys=True,
                          default=str)

    def projection(self, goalset) -> xr.Dataset:
        key = self._key(goalset)
        if key not in self._projections:
            import sibrisk

            self._projections[key] = sibrisk.project(self.scenario(goalset))
        return self._projections[key]

    def simulation(self, goalset, n_scenarios: int, seed: int) -> xr.Dataset:
        import sibrisk

        try:
            simulate = getattr(sibrisk, "simulate")
        except (AttributeError, ImportError):
            simulate = None
        if simulate is None:
            raise StochasticEngineUnavailable(
                "the probability of depletion needs the stochastic engine (sibrisk.simulate), which this installation "
                "does not have; remove the indicator or use a sibrisk version with sibrisk.simulate (no value is "
                "substituted)", file=goalset.source, field="sibrisk.simulate", has_value=False)
        key = (self._key(goalset), int(n_scenarios), int(seed))
        if key not in self._simulations:
            self._simulations[key] = simulate(self.scenario(goalset), n_scenarios=int(n_scenarios), seed=int(seed))
        return self._simulations[key]


def engine_value(goal, goalset, engine: Engine) -> tuple[float, str]:
    """The value (base units: yuan, months, %) of an engine-based indicator for the goal set's year, and a note
    saying where it came from."""
    li = goal.library
    opts = {k: goal.option(k) for k in li.options}
    year = goalset.meta.year
    changed = f" with the goal set's {len(goalset.scenario.updates)} updates" if goalset.scenario.updates else ""
    if li.basis == "engine":
        ds = engine.projection(goalset)
        note = f"projection of scenario {ds.attrs.get('scenario_name', goalset.scenario.base)}{changed}"
    elif li.basis == "stochastic":
        n, seed = opts.pop("n_scenarios"), opts.pop("seed")
        ds = engine.simulation(goalset, n, seed)
        note = (f"{n} stochastic scenarios of {ds.attrs.get('scenario_name', goalset.scenario.base)}{changed}, "
                f"seed {seed}")
    else:
        raise ValueError(f"{li.id} is not engine-based")
    try:
        value = li.compute(ds, year, **opts)
    except InputError as e:
        raise InputError(e.reason, file=goalset.source, field=f"indicators ({goal.id}): {e.field}", value=e.value,
                         has_value=e.value is not None) from None
    return value, note
