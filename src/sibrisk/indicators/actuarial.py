"""Actuarial balance (US Social Security Trustees) and the general average premium (ILO).

Valuation date: 1 January of the first year of the valuation period. Flows are mid-year.

- summarized income rate = (fund at the valuation date + PV of non-interest income) / PV of payroll
- summarized cost rate = (PV of cost + PV of an ending target fund) / PV of payroll, where the ending target is
  ``target_ratio`` x the following year's cost, held at the END of the period
- actuarial balance = summarized income rate - summarized cost rate

Source: Social Security Board of Trustees, *Annual Report* (2026), section IV.B.4 and glossary ("Actuarial balance",
"Summarized income rate", "Summarized cost rate"); DOMAIN.md section 3.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import xarray as xr

from sibrisk.errors import InputError
from sibrisk.indicators.funcs import as_year_array, same_years


# While ``shared_valuation()`` is active (``indicators.compute`` over one Dataset), discount factors and present
# values of the same arrays are built once and shared by the indicators that need them (actuarial balance, general
# average premium): {key: (arrays kept alive so that their buffers cannot be reused, result)}
_SHARED: ContextVar[dict | None] = ContextVar("sibrisk_shared_valuation", default=None)


@contextmanager
def shared_valuation():
    """Share discount factors and present values between the valuations made inside the block (the arrays must not
    be changed in place meanwhile; ``indicators.compute`` uses it over one Dataset)."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _array_key(x: xr.DataArray) -> tuple:
    a = x.variable.values  # the numpy buffer itself (no copy for numpy-backed data)
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str, x.dims,
            tuple(x["year"].values.tolist()) if "year" in x.coords else None)


def _shared(key: tuple, keep: tuple, build):
    cache = _SHARED.get()
    if cache is None:
        return build()
    if key not in cache:
        cache[key] = (keep, build())
    return cache[key][1]


def mid_year_discount_factors(interest_rate: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """(v_mid, v_end): v_mid[t] = prod_{j<t} 1/(1+i_j) x (1+i_t)^-1/2 discounts a mid-year flow of year t to the
    valuation date; v_end = prod_all 1/(1+i) discounts an amount at the end of the period."""
    i = as_year_array(interest_rate, "interest_rate")
    return _shared(("discount",) + _array_key(i), (i,), lambda: _discount_factors(i))


def _discount_factors(i: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    _check_consecutive(i, "interest_rate")
    if (i.values <= -1).any():
        raise InputError("interest rates must be above -100%", field="interest_rate", value=float(i.min()))
    growth = 1.0 + i
    end_of_year = 1.0 / growth.cumprod("year")
    start_of_year = end_of_year * growth
    return start_of_year / np.sqrt(growth), end_of_year.isel(year=-1, drop=True)


def _present_value(v: xr.DataArray, x: xr.DataArray) -> xr.DataArray:
    """sum over years of v x (shared inside ``shared_valuation``)."""
    return _shared(("pv",) + _array_key(v) + _array_key(x), (v, x), lambda: (v * x).sum("year"))


def _check_consecutive(x: xr.DataArray, name: str) -> None:
    years = x["year"].values
    if len(years) > 1 and not np.all(np.diff(years) == 1):
        raise InputError("years must be consecutive", field=f"{name}.year", value=[int(y) for y in years[:10]])


def _valuation(income, cost, payroll, *, discount_factor, interest_rate, next_year_cost, target_ratio):
    cost = as_year_array(cost, "cost")
    payroll = as_year_array(payroll, "payroll")
    _check_consecutive(cost, "cost")
    same_years("cost", cost, "payroll", payroll)
    if income is not None:
        income = as_year_array(income, "income")
        same_years("cost", cost, "income", income)
    if (payroll.values <= 0).any():
        raise InputError("payroll must be positive in every year", field="payroll", value=float(payroll.min()))
    if (discount_factor is None) == (interest_rate is None):
        raise InputError("give exactly one of discount_factor and interest_rate", field="discount_factor",
                         value="both" if discount_factor is not None else "neither")
    if target_ratio < 0 or not np.isfinite(target_ratio):
        raise InputError("must be a finite number >= 0", field="target_ratio", value=target_ratio)
    if interest_rate is not None:
        rate = as_year_array(interest_rate, "interest_rate")
        same_years("cost", cost, "interest_rate", rate)
        v, v_end = mid_year_discount_factors(rate)
    else:
        v = as_year_array(discount_factor, "discount_factor")
        same_years("cost", cost, "discount_factor", v)
        if (v <= 0).any():
            raise InputError("discount factors must be positive", field="discount_factor", value=float(v.min()))
        if v.sizes["year"] < 2:
            raise InputError("needs at least two years to extend the last mid-year factor to the end of the period "
                             "(or give interest_rate)", field="discount_factor", value=v.values.tolist())
        last, prev = v.isel(year=-1, drop=True), v.isel(year=-2, drop=True)
        # one more half year at the rate implied by the last two factors (each spans a year: half of each of two years)
        v_end = last * np.sqrt(last / prev)
    if next_year_cost is None:
        if cost.sizes["year"] < 2:
            raise InputError("needs next_year_cost when the period has one year", field="next_year_cost", value=None,
                             has_value=True)
        last_c, prev_c = cost.isel(year=-1, drop=True), cost.isel(year=-2, drop=True)
        next_year_cost = last_c * (last_c / prev_c)
    else:
        next_year_cost = xr.DataArray(next_year_cost) if not isinstance(next_year_cost, xr.DataArray) else next_year_cost
        if not np.isfinite(next_year_cost).all():
            raise InputError("contains NaN", field="next_year_cost", value=next_year_cost.values.tolist())
    pv_payroll = _present_value(v, payroll)
    pv_cost = _present_value(v, cost)
    pv_target = target_ratio * next_year_cost * v_end
    pv_income = (v * income).sum("year") if income is not None else None
    return pv_income, pv_cost, pv_target, pv_payroll


def _fund(initial_fund):
    f = initial_fund if isinstance(initial_fund, xr.DataArray) else xr.DataArray(float(initial_fund))
    if not np.isfinite(f).all():
        raise InputError("contains NaN", field="initial_fund", value=f.values.tolist())
    return f


def actuarial_balance(income, cost, payroll, *, initial_fund, discount_factor=None, interest_rate=None,
                      next_year_cost=None, target_ratio: float = 1.0) -> xr.Dataset:
    """Summarized income rate, summarized cost rate and actuarial balance, as fractions of payroll.

    ``income`` (non-interest), ``cost`` and ``payroll`` are ``year``-indexed DataArrays over the valuation period
    (extra leading dims are kept). Give either mid-year ``discount_factor``s or an ``interest_rate`` path (factors are
    then built with mid-year timing). The ending target fund is ``target_ratio`` x next year's cost (extrapolated
    from the last year's cost growth unless ``next_year_cost`` is given), valued at the end of the period.
    """
    fund = _fund(initial_fund)
    pv_income, pv_cost, pv_target, pv_payroll = _valuation(
        income, cost, payroll, discount_factor=discount_factor, interest_rate=interest_rate,
        next_year_cost=next_year_cost, target_ratio=target_ratio)
    inc = (fund + pv_income) / pv_payroll
    cst = (pv_cost + pv_target) / pv_payroll
    years = as_year_array(cost, "cost")["year"].values
    period = f"{int(years[0])}-{int(years[-1])}"
    common = {"units": "1", "valuation_period": period, "ending_target": f"{target_ratio:g} x next year's cost",
              "source": "US Social Security Trustees Report: summarized income and cost rates, actuarial balance"}
    return xr.Dataset({
        "summarized_income_rate": inc.assign_attrs(long_name="Summarized income rate", **common),
        "summarized_cost_rate": cst.assign_attrs(long_name="Summarized cost rate", **common),
        "actuarial_balance": (inc - cst).assign_attrs(long_name="Actuarial balance", **common),
    })


def general_average_premium(cost, payroll, *, initial_fund, other_income=None, discount_factor=None,
                            interest_rate=None, next_year_cost=None, target_ratio: float = 1.0) -> xr.DataArray:
    """ILO general average premium: the level contribution rate on ``payroll`` such that the initial reserve + PV
    of contributions (+ PV of ``other_income``, e.g. subsidies) = PV of cost + PV of the ending reserve target.

    The rate is what must actually be collected on the payroll (collection losses are not added on top).
    """
    fund = _fund(initial_fund)
    pv_other, pv_cost, pv_target, pv_payroll = _valuation(
        other_income, cost, payroll, discount_factor=discount_factor, interest_rate=interest_rate,
        next_year_cost=next_year_cost, target_ratio=target_ratio)
    other = pv_other if pv_other is not None else 0.0
    return (pv_cost + pv_target - fund - other) / pv_payroll


def _period(ds: xr.Dataset, start: int | None, years: int | None) -> tuple[xr.Dataset, xr.DataArray | None]:
    """The valuation period of a projection, and next year's cost when the projection contains it."""
    y0 = int(ds.year.values[0]) if start is None else int(start)
    if years is not None and (isinstance(years, bool) or int(years) < 1):
        raise InputError("must be at least 1", field="years", value=years)
    sel = ds.sel(year=slice(y0, None))
    if years is not None:
        if int(years) > sel.sizes["year"] and sel.sizes["year"]:
            # a longer period would be cut silently to what the projection holds
            raise InputError(f"the valuation period runs past the projection: it holds {sel.sizes['year']} years "
                             f"from {y0} (to {int(ds.year.values[-1])}); lengthen projection.years (at most 150) "
                             "or shorten the period", field="years", value=years)
        sel = sel.isel(year=slice(0, int(years)))
    if sel.sizes["year"] == 0 or int(sel.year.values[0]) != y0:
        raise InputError(f"valuation start outside the projection {int(ds.year.values[0])}-{int(ds.year.values[-1])}",
                         field="start", value=start)
    after = int(sel.year.values[-1]) + 1
    next_cost = ds.total_expenditure.sel(year=after, drop=True) if after in ds.year.values else None
    return sel, next_cost


def actuarial_balance_of(ds: xr.Dataset, *, start: int | None = None, years: int | None = None,
                         target_ratio: float = 1.0) -> xr.Dataset:
    """Actuarial balance of a projection Dataset over ``years`` years from 1 January of ``start`` (default: all).

    Income = total income less interest (contributions + subsidies), cost = benefit expenditure, payroll = covered
    wage bill, initial fund = the balance on 1 January of ``start``, discounting at the fund's own interest path.
    """
    p, next_cost = _period(ds, start, years)
    return actuarial_balance(p.total_income - p.interest_income, p.total_expenditure, p.covered_wage_bill,
                             initial_fund=p.opening_balance.isel(year=0, drop=True), interest_rate=p.interest_rate,
                             next_year_cost=next_cost, target_ratio=target_ratio)


def general_average_premium_of(ds: xr.Dataset, *, start: int | None = None, years: int | None = None,
                               target_ratio: float = 1.0) -> xr.DataArray:
    """General average premium of a projection Dataset; all non-interest income other than contributions
    (subsidies, transfers) counts as other income."""
    p, next_cost = _period(ds, start, years)
    return general_average_premium(p.total_expenditure, p.covered_wage_bill,
                                   initial_fund=p.opening_balance.isel(year=0, drop=True),
                                   other_income=p.total_income - p.interest_income - p.contribution_income,
                                   interest_rate=p.interest_rate, next_year_cost=next_cost, target_ratio=target_ratio)
