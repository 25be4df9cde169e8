"""Pooling regions and their province: the province total is the sum of its regions.

A multi-region projection (a scenario with ``[regions.<id>]`` tables) has a ``region`` dimension. Money and people
add up across regions; ratios do not, so ``province_total`` sums the additive variables and recomputes every
indicator from the sums (balance months of the province = its balance / its monthly expenditure, never an average
of the regions' months).
"""

from __future__ import annotations

import xarray as xr

ADDITIVE_UNITS = {"yuan", "persons"}


def additive_variables(ds: xr.Dataset) -> list[str]:
    """Variables that add across regions: money (yuan) and people (persons), not indicators."""
    return [name for name, v in ds.data_vars.items()
            if "region" in v.dims and v.attrs.get("units") in ADDITIVE_UNITS and "indicator_id" not in v.attrs]


def province_total(ds: xr.Dataset, *, indicators: bool = True) -> xr.Dataset:
    """The province: additive variables (yuan, persons) summed over ``region``; the interest rate and the average
    wage kept only where every region has the same path; indicators recomputed from the sums."""
    if "region" not in ds.dims:
        raise ValueError("the dataset has no 'region' dimension (a scenario without [regions.<id>] tables)")
    out = xr.Dataset({name: ds[name].sum("region", keep_attrs=True) for name in additive_variables(ds)})
    for name in ("interest_rate", "average_wage"):
        if name in ds and bool((ds[name] == ds[name].isel(region=0)).all()):
            out[name] = ds[name].isel(region=0, drop=True)
    out.attrs = dict(ds.attrs)
    out.attrs["region"] = ds.attrs.get("region", "province")
    out.attrs["aggregation"] = f"sum of regions {', '.join(str(r) for r in ds.region.values)}"
    if indicators:
        from sibrisk.projection import add_indicators

        out = add_indicators(out)
    return out
