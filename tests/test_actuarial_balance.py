"""Actuarial balance: hand-computed cases and the US Social Security 2026 Trustees Report tables."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sibrisk.errors import InputError
from sibrisk.indicators import actuarial_balance, general_average_premium, mid_year_discount_factors


def yearly(values, start=2026):
    return xr.DataArray(np.asarray(values, float), dims="year", coords={"year": np.arange(start, start + len(values))})


def test_two_years_by_hand():
    # i = 10% both years: mid-year factors 1/1.1^0.5 = 0.953463 and 1/1.1^1.5 = 0.866784; end of period 1/1.21
    i = yearly([0.1, 0.1])
    v, v_end = mid_year_discount_factors(i)
    np.testing.assert_allclose(v, [1.1 ** -0.5, 1.1 ** -1.5])
    assert float(v_end) == pytest.approx(1 / 1.21)
    income, cost, payroll = yearly([30.0, 33.0]), yearly([20.0, 40.0]), yearly([100.0, 110.0])
    out = actuarial_balance(income, cost, payroll, initial_fund=10.0, interest_rate=i)
    pv_pay = 100 * 1.1 ** -0.5 + 110 * 1.1 ** -1.5
    pv_inc = 30 * 1.1 ** -0.5 + 33 * 1.1 ** -1.5
    pv_cost = 20 * 1.1 ** -0.5 + 40 * 1.1 ** -1.5
    target = 40 * (40 / 20) / 1.21  # next year's cost extrapolated at the last growth (x2), at the end of 2027
    assert float(out.summarized_income_rate) == pytest.approx((10 + pv_inc) / pv_pay)
    assert float(out.summarized_cost_rate) == pytest.approx((pv_cost + target) / pv_pay)
    assert float(out.actuarial_balance) == pytest.approx((10 + pv_inc - pv_cost - target) / pv_pay)
    # the same with given discount factors (the end factor extends the last by half the last year's rate)
    same = actuarial_balance(income, cost, payroll, initial_fund=10.0, discount_factor=v)
    np.testing.assert_allclose(same.actuarial_balance, out.actuarial_balance, rtol=1e-12)


def test_constant_everything_closed_form():
    # zero interest, constant cost c and payroll p over n years, target ratio 1, next cost given = c:
    # balance = (F + n*inc - n*c - c) / (n*p)
    n, inc, c, p, F = 10, 12.0, 10.0, 100.0, 50.0
    out = actuarial_balance(yearly([inc] * n), yearly([c] * n), yearly([p] * n), initial_fund=F,
                            interest_rate=yearly([0.0] * n), next_year_cost=c)
    assert float(out.actuarial_balance) == pytest.approx((F + n * inc - n * c - c) / (n * p))
    no_target = actuarial_balance(yearly([inc] * n), yearly([c] * n), yearly([p] * n), initial_fund=F,
                                  interest_rate=yearly([0.0] * n), next_year_cost=c, target_ratio=0.0)
    assert float(no_target.actuarial_balance) == pytest.approx((F + n * inc - n * c) / (n * p))
    # the general average premium is the rate that makes the balance zero
    gap = general_average_premium(yearly([c] * n), yearly([p] * n), initial_fund=F, interest_rate=yearly([0.0] * n),
                                  next_year_cost=c)
    zero = actuarial_balance(float(gap) * yearly([p] * n), yearly([c] * n), yearly([p] * n), initial_fund=F,
                             interest_rate=yearly([0.0] * n), next_year_cost=c)
    assert float(zero.actuarial_balance) == pytest.approx(0.0, abs=1e-14)


def test_leading_dims_are_kept():
    inc = xr.concat([yearly([30.0, 33.0]), yearly([40.0, 43.0])], dim="scenario")
    out = actuarial_balance(inc, yearly([20.0, 40.0]), yearly([100.0, 110.0]), initial_fund=10.0,
                            interest_rate=yearly([0.1, 0.1]))
    assert out.actuarial_balance.dims == ("scenario",)
    one = actuarial_balance(yearly([40.0, 43.0]), yearly([20.0, 40.0]), yearly([100.0, 110.0]), initial_fund=10.0,
                            interest_rate=yearly([0.1, 0.1]))
    assert float(out.actuarial_balance[1]) == pytest.approx(float(one.actuarial_balance))


SSA = Path(__file__).with_name("data") / "ssa_tr2026_oasdi.csv"


def test_ssa_tr2026_summarized_rates_from_dollars_match_the_published_rates():
    """2026 Trustees Report, intermediate, 75-year period 2026-2100, reserves $2,561.3bn on 1 January 2026.

    Two independently published routes agree: our function on the dollar flows (VI.G3) with the report's discount
    factors (VI.G1), and the annual income and cost rates of Table IV.B1 weighted by discounted payroll."""
    df = pd.read_csv(SSA, comment="#")
    p = df[df.in_75yr_period == 1].set_index("year")
    da = lambda c: xr.DataArray(p[c].to_numpy(float), dims="year", coords={"year": p.index.to_numpy()})  # noqa: E731
    v = 1.0 / da("compound_effective_tf_interest_factor")
    out = actuarial_balance(da("oasdi_noninterest_income_bn"), da("oasdi_cost_bn"), da("taxable_payroll_bn"),
                            initial_fund=2561.3, discount_factor=v)
    pv_pay = float((v * da("taxable_payroll_bn")).sum())
    by_rates_income = float((v * da("taxable_payroll_bn") * da("oasdi_income_rate_pct") / 100).sum()) / pv_pay + 2561.3 / pv_pay
    by_rates_cost = float((v * da("taxable_payroll_bn") * da("oasdi_cost_rate_pct") / 100).sum()) / pv_pay
    assert float(out.summarized_income_rate) == pytest.approx(by_rates_income, abs=1e-4)
    # the cost rate also carries the ending target: 100% of 2101 cost (extrapolated) at the end of 2100
    target = float(out.summarized_cost_rate) - by_rates_cost
    assert 0.001 < target < 0.003
    assert float(out.summarized_cost_rate) == pytest.approx(by_rates_cost + target, abs=1e-12)
    assert float(out.summarized_cost_rate - out.summarized_income_rate) == pytest.approx(-float(out.actuarial_balance))
    # The report's Highlights: "The actuarial deficit ... is 4.42 percent of taxable payroll for the 75-year period
    # 2026-2100" (https://www.ssa.gov/OACT/TR/2026/tr2026.pdf). From the rounded single-year tables we get -4.44%:
    # the 0.02-point gap is within what the tables' rounding ($bn, 4-digit factors) and our extrapolation of 2101
    # cost (the report uses its own 2101 projection) can produce.
    assert float(out.actuarial_balance) == pytest.approx(-0.0442, abs=0.0003)


@pytest.mark.parametrize("kwargs, words", [
    (dict(interest_rate=None), "exactly one of discount_factor and interest_rate"),
    (dict(discount_factor=yearly([1.0, 0.9])), "exactly one"),
    (dict(payroll=yearly([100.0, 0.0])), "payroll.*positive"),
    (dict(cost=yearly([20.0, np.nan])), r"cost = nan: must be finite; non-finite in year\(s\) \[2027\]"),
    (dict(cost=yearly([20.0, np.inf])), r"cost = inf: must be finite"),
    (dict(income=yearly([30.0, 33.0], start=2030)), r"income.year = '2030..2031 \(2 years\)': years do not match"),
    (dict(initial_fund=float("nan")), "initial_fund.*NaN"),
    (dict(cost=xr.DataArray([1.0, 2.0], dims="year", coords={"year": [2026, 2028]}),
          payroll=xr.DataArray([1.0, 2.0], dims="year", coords={"year": [2026, 2028]}),
          income=xr.DataArray([1.0, 2.0], dims="year", coords={"year": [2026, 2028]}),
          interest_rate=xr.DataArray([0.0, 0.0], dims="year", coords={"year": [2026, 2028]})), "consecutive"),
])
def test_errors(kwargs, words):
    args = dict(income=yearly([30.0, 33.0]), cost=yearly([20.0, 40.0]), payroll=yearly([100.0, 110.0]),
                initial_fund=10.0, interest_rate=yearly([0.1, 0.1]))
    args.update(kwargs)
    income, cost, payroll = args.pop("income"), args.pop("cost"), args.pop("payroll")
    with pytest.raises(InputError, match=words):
        actuarial_balance(income, cost, payroll, **args)


def test_actuarial_balance_of_a_projection_equals_its_discounted_ending_fund(default_projection):
    """With the projection's own mid-year interest, F_T D_T = F_0 + sum v_t (I_t - C_t), so the actuarial balance
    must equal D_T (F_T - C_{T+1}) / PV(payroll): an identity between the indicator and the fund roll-forward."""
    from sibrisk.indicators import actuarial_balance_of, mid_year_discount_factors

    ds = default_projection
    for start, years in [(2021, 30), (2030, 20), (2021, 49)]:
        p = ds.sel(year=slice(start, start + years - 1))
        v, d_end = mid_year_discount_factors(p.interest_rate)
        next_cost = float(ds.total_expenditure.sel(year=start + years))
        expected = float(d_end) * (float(p.fund_balance[-1]) - next_cost) / float((v * p.covered_wage_bill).sum())
        got = float(actuarial_balance_of(ds, start=start, years=years).actuarial_balance)
        assert got == pytest.approx(expected, rel=1e-9)


def test_shared_valuation_gives_the_same_numbers_as_each_indicator_alone(default_scenario):
    # compute() builds discount factors and present values once for the actuarial balance and the general average
    # premium; each indicator computed on its own (nothing shared) must give the same numbers bit for bit
    import sibrisk
    from sibrisk import indicators as ind
    from sibrisk.indicators import actuarial

    ds = sibrisk.simulate(default_scenario, 12, seed=3, progress=False, indicators=False)
    together = ind.compute(ds)
    for name in ("actuarial_balance", "general_average_premium", "balance_months", "depletion_year"):
        xr.testing.assert_identical(together[name], ind.get(name)(ds))
    assert actuarial._SHARED.get() is None  # nothing kept after compute()
    # a changed interest path outside a compute() call is never served from an earlier valuation
    v1, _ = mid_year_discount_factors(ds.interest_rate)
    rate = ds.interest_rate.copy()
    rate.values[...] = 0.05
    v2, _ = mid_year_discount_factors(rate)
    np.testing.assert_allclose(v2.isel(year=1).values, 1.05 ** -1.5)
    assert not np.allclose(v1, v2)
