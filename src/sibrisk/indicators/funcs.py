"""Indicator computations on DataArrays over ``year`` (any extra leading dims, e.g. ``scenario``, are kept).

They also take plain numbers, lists and NumPy arrays (the last axis is the year, counted 0, 1, ... from the first)
and then return plain numbers or arrays: ``balance_months(52574e8, 56481e8)`` is 11.17.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from sibrisk.errors import InputError


def is_plain(x) -> bool:
    """A number, list or NumPy array (not a DataArray or pandas Series)."""
    return not isinstance(x, (xr.DataArray, pd.Series, xr.Dataset))


def plain_year_array(x, name: str) -> xr.DataArray:
    """A number or array as a DataArray whose last axis is ``year`` (0, 1, ...); a number is one year."""
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InputError("must be a number, an array of numbers, an xarray.DataArray with a 'year' dimension or a "
                         "pandas Series indexed by year", field=name, value=type(x).__name__) from None
    if a.ndim == 0:
        a = a.reshape(1)
    dims = [f"dim_{i}" for i in range(a.ndim - 1)] + ["year"]
    return xr.DataArray(a, dims=dims, coords={"year": np.arange(a.shape[-1])})


def as_plain(out: xr.DataArray, scalar: bool):
    """Back to what plain inputs expect: a float for numbers, a NumPy array for arrays."""
    if scalar and "year" in out.dims and out.sizes["year"] == 1:
        out = out.isel(year=0)
    return float(out) if out.ndim == 0 else out.values


def as_year_array(x, name: str) -> xr.DataArray:
    """Accept a DataArray with a ``year`` dim, a pandas Series indexed by year, or plain numbers/arrays (last axis
    the year); reject NaN."""
    if isinstance(x, pd.Series):
        x = xr.DataArray(x.to_numpy(dtype=float), dims="year", coords={"year": x.index.to_numpy()})
    if is_plain(x):
        x = plain_year_array(x, name)
    if not isinstance(x, xr.DataArray):
        raise InputError("must be an xarray.DataArray with a 'year' dimension (or a pandas Series indexed by year)",
                         field=name, value=type(x).__name__)
    if "year" not in x.dims:
        raise InputError(f"has no 'year' dimension (dims: {x.dims})", field=name, value=x.name, has_value=True)
    if x.sizes["year"] == 0:
        raise InputError("is empty", field=name, value=x.name, has_value=True)
    # one float array, no copy when it already is one (10,000 scenarios x 75 years: each copy is 6 MB); the
    # indicators never write into their inputs
    x = x.astype(float, copy=False)
    if not np.isfinite(x.values).all():
        bad = ~np.isfinite(x)
        other = [d for d in x.dims if d != "year"]
        years = x["year"].values[bad.any(other).values if other else bad.values]
        first = float(x.where(bad, drop=True).values.ravel()[0])
        raise InputError(f"must be finite; non-finite in year(s) {[int(y) for y in years[:10]]}", field=name,
                         value=first)
    return x


def same_years(name_a: str, a: xr.DataArray, name_b: str, b: xr.DataArray) -> None:
    if not np.array_equal(a["year"].values, b["year"].values):
        ya, yb = [int(y) for y in a["year"].values], [int(y) for y in b["year"].values]
        raise InputError(f"years do not match {name_a}'s {ya[0]}..{ya[-1]} ({len(ya)} years)", field=f"{name_b}.year",
                         value=f"{yb[0]}..{yb[-1]} ({len(yb)} years)")


def balance_months(fund_balance, expenditure, *, definition: str = "current_year") -> xr.DataArray:
    """可支付月数: balance at year end / (expenditure / 12).

    ``definition="current_year"`` divides by that year's expenditure (the MOHRSS statistics); ``"next_year"`` by
    the following year's (NHSA's variant for the resident medical fund); the last year is then NaN.
    Plain numbers or arrays in, plain numbers or arrays out.
    """
    if is_plain(fund_balance) and is_plain(expenditure):
        scalar = np.ndim(fund_balance) == 0 and np.ndim(expenditure) == 0
        return as_plain(balance_months(plain_year_array(fund_balance, "fund_balance"),
                                       plain_year_array(expenditure, "expenditure"), definition=definition), scalar)
    b = as_year_array(fund_balance, "fund_balance")
    x = as_year_array(expenditure, "expenditure")
    same_years("fund_balance", b, "expenditure", x)
    if (x < 0).any():
        raise InputError("expenditure must not be negative", field="expenditure", value=float(x.min()))
    if definition == "current_year":
        monthly = x / 12.0
    elif definition == "next_year":
        monthly = x.shift(year=-1) / 12.0
    else:
        raise InputError("definition must be 'current_year' or 'next_year'", field="definition", value=definition)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = b / monthly
    out.attrs["balance_months_definition"] = (
        "year-end balance / (this year's expenditure / 12)" if definition == "current_year"
        else "year-end balance / (next year's expenditure / 12)")
    return out


def current_balance(total_income, expenditure):
    return total_income - expenditure


def current_balance_before_subsidies(contribution_income, expenditure):
    return contribution_income - expenditure


def ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def depletion_year(fund_balance) -> xr.DataArray:
    """First year whose year-end balance is below zero; NaN where the balance never goes below zero.
    For a plain array: the position (0 = first year) along its last axis."""
    if is_plain(fund_balance):
        return as_plain(depletion_year(plain_year_array(fund_balance, "fund_balance")), False)
    b = as_year_array(fund_balance, "fund_balance")
    neg = b < 0
    first = neg.argmax("year")
    years = b["year"].values.astype(float)
    out = xr.DataArray(years[first.values], dims=first.dims, coords=first.coords).where(neg.any("year"))
    out.attrs["last_year"] = int(b["year"].values[-1])
    return out


def depleted_by(fund_balance) -> xr.DataArray:
    """1.0 from the first year the year-end balance is below zero on, else 0.0 (per scenario)."""
    b = as_year_array(fund_balance, "fund_balance")
    return ((b < 0).cumsum("year") > 0).astype(float)


def probability_of_depletion(fund_balance, dim: str = "scenario") -> xr.DataArray:
    """Share of scenarios depleted by each year (non-decreasing in time). A plain array: scenarios on the first
    axis, years on the last."""
    if is_plain(fund_balance):
        b = plain_year_array(fund_balance, "fund_balance")
        return as_plain(probability_of_depletion(b, dim=b.dims[0] if b.ndim > 1 else dim), False)
    flags = depleted_by(fund_balance)
    return flags.mean(dim) if dim in flags.dims else flags


def financing_gap(ds) -> "xr.Dataset":
    """After depletion, what the fund could not pay instead of a balance running ever further below zero.

    The balance is floored at zero: ``fund_balance_floored`` = max(balance, 0); ``balance_months_floored`` from it.
    Interest is 0 once the fund is empty (``interest_income_floored``, ``current_balance_floored``).
    ``financing_gap`` is the money that would have to be found each year (the subsidy needed on top of the
    scenario's own subsidy rule): in the depletion year the part of the year's deficit the remaining balance did
    not cover (-closing balance), in the years after it the whole current deficit without interest, expenditure -
    (contribution income + fiscal subsidy + other income), since an empty fund earns none; before depletion 0.
    A scenario whose subsidy rule fills the gap (``gap_to_floor``) never depletes and has no gap.
    """
    closing = ds["fund_balance"]
    opening = ds["opening_balance"]
    non_interest = ds["total_income"] - ds["interest_income"]
    deficit = (ds["total_expenditure"] - non_interest).clip(min=0.0)
    gap = xr.where(closing >= 0, 0.0, xr.where(opening > 0, -closing, deficit))
    floored = closing.clip(min=0.0)
    interest = xr.where(opening > 0, ds["interest_income"], 0.0)  # an empty fund earns (and owes) no interest
    current = non_interest + interest - ds["total_expenditure"]
    with np.errstate(divide="ignore", invalid="ignore"):
        months = floored / (ds["total_expenditure"] / 12.0)
    return xr.Dataset({
        "fund_balance_floored": floored.assign_attrs(units="yuan", long_name="Accumulated balance floored at zero"),
        "balance_months_floored": months.assign_attrs(units="months", long_name="Balance months, balance floored "
                                                                                 "at zero"),
        "interest_income_floored": interest.assign_attrs(units="yuan", long_name="Interest income, none after "
                                                                                  "depletion"),
        "current_balance_floored": current.assign_attrs(units="yuan", long_name="Current balance, no interest "
                                                                                 "after depletion"),
        "financing_gap": gap.assign_attrs(units="yuan", long_name="Financing gap after depletion (subsidy needed)",
                                          long_name_zh="基金缺口（耗尽后需补助额）",
                                          definition="depletion year: -closing balance; after: expenditure - "
                                                     "non-interest income; 0 before depletion"),
    })
