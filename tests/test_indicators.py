"""Indicators on hand examples, on plain data, with a scenario dim, and their errors."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sibrisk import indicators as ind
from sibrisk.errors import InputError


def yearly(values, start=2021, name=None):
    return xr.DataArray(np.asarray(values, float), dims="year", coords={"year": np.arange(start, start + len(values))},
                        name=name)


def test_balance_months_by_hand():
    # 2021 national urban employee pension (MOHRSS): 52,574 / (56,481 / 12) = 11.17 months
    assert float(ind.balance_months(yearly([52574.0]), yearly([56481.0]))[0]) == pytest.approx(11.1699, abs=1e-4)
    bm = ind.balance_months(yearly([120.0, 60.0]), yearly([120.0, 240.0]))
    np.testing.assert_allclose(bm, [12.0, 3.0])
    nxt = ind.balance_months(yearly([120.0, 60.0]), yearly([120.0, 240.0]), definition="next_year")
    assert float(nxt[0]) == pytest.approx(6.0) and np.isnan(nxt[1])
    assert "next year's expenditure" in nxt.attrs["balance_months_definition"]
    # a pandas Series indexed by year works too
    s = ind.balance_months(pd.Series([24.0], index=[2030]), pd.Series([12.0], index=[2030]))
    assert float(s.sel(year=2030)) == 24.0


def test_depletion_year_and_probability_with_scenarios():
    bal = xr.DataArray([[5.0, 3.0, -1.0, 2.0], [5.0, 4.0, 3.0, 2.0], [-1.0, -2.0, -3.0, -4.0]],
                       dims=("scenario", "year"), coords={"year": [2030, 2031, 2032, 2033]})
    dy = ind.depletion_year(bal)
    assert dy.values[0] == 2032 and np.isnan(dy.values[1]) and dy.values[2] == 2030
    # depleted stays depleted (scenario 0 recovers in 2033 but was depleted in 2032)
    p = ind.probability_of_depletion(bal)
    np.testing.assert_allclose(p, [1 / 3, 1 / 3, 2 / 3, 2 / 3])
    assert np.all(np.diff(p.values) >= 0)


def test_registry_lists_units_and_sources():
    table = ind.list_indicators()
    for required in ["balance_months", "current_balance", "current_balance_before_subsidies", "depletion_year",
                     "payg_cost_rate", "income_rate", "trust_fund_ratio", "actuarial_balance",
                     "general_average_premium", "system_dependency_ratio", "average_replacement_rate",
                     "subsidy_share", "probability_of_depletion"]:
        assert required in table.index
        assert table.loc[required, "units"] and table.loc[required, "source"] and table.loc[required, "long_name_zh"]
    assert table.loc["balance_months", "units"] == "months"
    assert table.loc["trust_fund_ratio", "units"] == "%"


def tiny_projection():
    return xr.Dataset({
        "opening_balance": yearly([100.0, 110.0]),
        "contribution_income": yearly([50.0, 52.0]),
        "fiscal_subsidy": yearly([10.0, 10.0]),
        "interest_income": yearly([2.0, 2.0]),
        "total_income": yearly([62.0, 64.0]),
        "benefit_expenditure": yearly([52.0, 80.0]),
        "total_expenditure": yearly([52.0, 80.0]),
        "fund_balance": yearly([110.0, 94.0]),
        "covered_wage_bill": yearly([250.0, 260.0]),
        "contributors": yearly([10.0, 10.0]),
        "beneficiaries": yearly([4.0, 5.0]),
        "average_wage": yearly([25.0, 26.0]),
        "average_benefit": yearly([13.0, 16.0]),
        "interest_rate": yearly([0.0, 0.0]),
    })


def test_compute_on_a_tiny_projection_by_hand():
    out = ind.compute(tiny_projection())
    np.testing.assert_allclose(out.current_balance, [10.0, -16.0])
    np.testing.assert_allclose(out.current_balance_before_subsidies, [-2.0, -28.0])
    np.testing.assert_allclose(out.payg_cost_rate, [52 / 250, 80 / 260])
    np.testing.assert_allclose(out.income_rate, [60 / 250, 62 / 260])
    np.testing.assert_allclose(out.trust_fund_ratio, [100 * 100 / 52, 100 * 110 / 80])
    np.testing.assert_allclose(out.system_dependency_ratio, [0.4, 0.5])
    np.testing.assert_allclose(out.average_replacement_rate, [13 / 25, 16 / 26])
    np.testing.assert_allclose(out.subsidy_share, [10 / 62, 10 / 64])
    assert np.isnan(out.depletion_year)
    assert "probability_of_depletion" not in out  # meaningful only with a scenario dim
    # zero interest: discount factors 1; target = 80 x (80/52) at the end
    # actuarial balance = (100 + 60 + 62)/510 - (52 + 80 + 80*80/52)/510
    assert float(out.actuarial_balance) == pytest.approx((222 - 132 - 6400 / 52) / 510)
    # general average premium: (132 + 6400/52 - 100 - 20) / 510
    assert float(out.general_average_premium) == pytest.approx((132 + 6400 / 52 - 120) / 510)
    assert out.balance_months.attrs["units"] == "months" and "MOHRSS" in out.balance_months.attrs["source"]


def test_compute_errors():
    ds = tiny_projection().drop_vars("covered_wage_bill")
    with pytest.raises(InputError, match="payg_cost_rate.*covered_wage_bill"):
        ind.compute(ds, ["payg_cost_rate"])
    with pytest.raises(InputError, match="balance_monthz.*unknown indicator"):
        ind.get("balance_monthz")
    with pytest.raises(InputError, match="definition"):
        ind.compute(tiny_projection(), ["balance_months"], options={"balance_months": {"definition": "weekly"}})


@pytest.mark.parametrize("call, words", [
    (lambda: ind.balance_months(yearly([1.0, np.nan]), yearly([1.0, 1.0])),
     r"fund_balance = nan: must be finite; non-finite in year\(s\) \[2022\]"),
    (lambda: ind.balance_months(yearly([1.0]), yearly([1.0], start=2030)), "expenditure.year = '2030..2030.*do not match"),
    (lambda: ind.balance_months(yearly([1.0]), yearly([-1.0])), "expenditure = -1.0.*negative"),
    (lambda: ind.balance_months([1.0], yearly([1.0])), "do not match"),
    (lambda: ind.balance_months(xr.DataArray([1.0], dims="t"), yearly([1.0])), "no 'year' dimension"),
])
def test_balance_months_errors(call, words):
    with pytest.raises(InputError, match=words):
        call()


def test_indicators_in_the_projection(default_projection):
    ds = default_projection
    np.testing.assert_allclose(ds.balance_months, ds.fund_balance / (ds.total_expenditure / 12))
    # the enterprise scheme's 2021 retirees / contributing workers (funds/enterprise_pension/calibration.py; the
    # 30,790 万 insured workers contribute at the bands' steady-state share, an ASSUMPTION of the default)
    share = 0.7 * 0.5 / 0.52 + 0.2 * 0.25 / 0.4 + 0.1 * 0.1 / 0.4
    np.testing.assert_allclose(ds.system_dependency_ratio.sel(year=2021), 11438 / (30790 * share), rtol=1e-9)
    ab = ind.actuarial_balance_of(ds)
    assert float(ab.actuarial_balance) == pytest.approx(float(ds.actuarial_balance))
    # options reach the registered summary indicators
    later = ind.compute(ds, ["actuarial_balance"], options={"actuarial_balance": {"start": 2030, "years": 20}})
    assert float(later.actuarial_balance) == pytest.approx(
        float(ind.actuarial_balance_of(ds, start=2030, years=20).actuarial_balance))
    # depletion year consistent with the balances
    dy = ds.depletion_year.item()
    if not np.isnan(dy):
        assert float(ds.fund_balance.sel(year=int(dy))) < 0 <= float(ds.fund_balance.sel(year=int(dy) - 1))


def test_indicators_take_plain_numbers_and_arrays():
    """A new user passes numbers: 2021 urban employee pension 52,574 亿 balance / (56,481 亿 / 12) = 11.17 months."""
    import numpy as np

    from sibrisk import indicators as ind

    assert ind.balance_months(52574e8, 56481e8) == pytest.approx(52574 / (56481 / 12))
    np.testing.assert_allclose(ind.balance_months([52574e8, 50000e8], [56481e8, 60000e8]),
                               [52574 / (56481 / 12), 10.0])
    np.testing.assert_allclose(ind.balance_months(np.array([12.0, 6.0]), np.array([12.0, 12.0]),
                                                  definition="next_year"), [12.0, np.nan])
    assert ind.depletion_year([3.0, 2.0, -1.0, -2.0]) == 2.0  # position of the first negative year
    np.testing.assert_array_equal(ind.depletion_year(np.array([[3.0, -1.0], [1.0, 1.0]])), [1.0, np.nan])
    np.testing.assert_allclose(ind.probability_of_depletion(np.array([[3.0, 2.0, -1.0], [1.0, -1.0, 1.0]])),
                               [0.0, 0.5, 1.0])
    # valuation on plain arrays: income 1, cost 1.2, payroll 10 for two years at 0% interest, no fund, no target
    ab = ind.actuarial_balance([1.0, 1.0], [1.2, 1.2], [10.0, 10.0], initial_fund=0.0, interest_rate=[0.0, 0.0],
                               target_ratio=0.0)
    assert float(ab.actuarial_balance) == pytest.approx(-0.02)
    with pytest.raises(InputError, match="fund_balance"):
        ind.balance_months("a lot", 1.0)
