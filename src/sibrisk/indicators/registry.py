"""The indicator registry: every indicator with id, units, names, definition and the source of that definition.

Like xclim's indicators: the computations live in ``funcs``/``actuarial`` as plain functions on DataArrays; an
``Indicator`` adds the metadata and knows which Dataset variables it reads, so reports and evaluations can list,
document and compute indicators by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import xarray as xr

from sibrisk.errors import InputError

REGISTRY: dict[str, "Indicator"] = {}


@dataclass(frozen=True)
class Indicator:
    id: str
    long_name: str
    long_name_zh: str
    units: str
    definition: str
    source: str
    inputs: tuple[str, ...]
    func: Callable[..., xr.DataArray]
    kind: str = "year"  # "year": indexed by year; "summary": reduces over year
    needs_dims: tuple[str, ...] = field(default=())  # dims without which the indicator is not meaningful

    def attrs(self) -> dict:
        return {"units": self.units, "long_name": self.long_name, "long_name_zh": self.long_name_zh,
                "definition": self.definition, "source": self.source, "indicator_id": self.id}

    def __call__(self, ds: xr.Dataset, **options) -> xr.DataArray:
        missing = [v for v in self.inputs if v not in ds]
        if missing:
            raise InputError(f"indicator {self.id!r} needs variable(s) {missing}, absent from the dataset",
                             field="dataset", value=sorted(ds.data_vars))
        out = self.func(*(ds[v] for v in self.inputs), **options)
        out = out.rename(self.id)
        out.attrs = {**self.attrs(), **{k: v for k, v in out.attrs.items() if k not in self.attrs()}}
        return out


def register(id: str, *, long_name: str, long_name_zh: str, units: str, definition: str, source: str,
             inputs: tuple[str, ...], kind: str = "year", needs_dims: tuple[str, ...] = ()):
    """Decorator: register ``func`` as indicator ``id`` reading Dataset variables ``inputs`` (in that order)."""
    def deco(func):
        if id in REGISTRY:
            raise ValueError(f"indicator {id!r} registered twice")
        REGISTRY[id] = Indicator(id=id, long_name=long_name, long_name_zh=long_name_zh, units=units,
                                 definition=definition, source=source, inputs=tuple(inputs), func=func, kind=kind,
                                 needs_dims=tuple(needs_dims))
        return func
    return deco


def get(id: str) -> Indicator:
    try:
        return REGISTRY[id]
    except KeyError:
        raise InputError(f"unknown indicator; registered: {', '.join(sorted(REGISTRY))}", field="indicator",
                         value=id) from None


def list_indicators() -> pd.DataFrame:
    """One row per registered indicator: id, names, units, kind, definition and source."""
    rows = [{"id": i.id, "long_name": i.long_name, "long_name_zh": i.long_name_zh, "units": i.units, "kind": i.kind,
             "definition": i.definition, "source": i.source} for i in REGISTRY.values()]
    return pd.DataFrame(rows).set_index("id")


def compute(ds: xr.Dataset, ids: list[str] | None = None, *, options: dict[str, dict] | None = None) -> xr.Dataset:
    """Compute registered indicators from a projection Dataset.

    ``ids`` defaults to every indicator whose inputs are present and whose required dims (e.g. ``scenario`` for the
    probability of depletion) exist; naming an indicator explicitly raises if it cannot be computed.
    ``options`` maps an indicator id to keyword options, e.g. ``{"balance_months": {"definition": "next_year"}}``.
    """
    options = options or {}
    if ids is None:
        chosen = [i for i in REGISTRY.values()
                  if all(v in ds for v in i.inputs) and all(d in ds.dims for d in i.needs_dims)]
    else:
        chosen = [get(i) for i in ids]
    unknown = set(options) - set(REGISTRY)
    if unknown:
        raise InputError(f"options for unknown indicator(s); registered: {', '.join(sorted(REGISTRY))}",
                         field="options", value=sorted(unknown))
    from sibrisk.indicators.actuarial import shared_valuation

    computed = {}
    with shared_valuation():  # discount factors and present values built once for all valuation indicators
        for ind in chosen:
            computed[ind.id] = ind(ds, **options.get(ind.id, {}))
    return xr.Dataset(computed)
