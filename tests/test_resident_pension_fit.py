"""The resident pension's multi-year fit (城乡居民基本养老保险, ``calibration.fit_multi_year``) and the rule it brought:
residents of working age moving into the employee schemes (``coverage.employee_growth``).

With employee-scheme shares fixed by cohort the default's participants rose 54,797 -> 55,158万 (2021-2024) while the
published ones fell to 53,830万 (+2.5% in 2024, a systematic miss: the employee schemes grew 48,074 -> 52,121万 in
2021-2023, the model's cohort replacement only to 49,162万). The fit (least squares, 2021 and the 2022-2024 published
figures; the 2025 rows out of sample) gives the shift 1.02% a year (s.e. 0.20%), the local top-up from 2024 105.4
yuan/month (s.e. 2.1) and the 2022-2024 contribution growth 6.6% a year (s.e. 1.4%); measured."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.resident_pension import calibration as cal
from sibrisk.funds.resident_pension.inputs import employee_share


@pytest.fixture(scope="module")
def scenario():
    return sibrisk.load_scenario("resident_pension_national")


@pytest.fixture(scope="module")
def projection(scenario):
    return sibrisk.project(scenario, keep_detail=False)


@pytest.fixture(scope="module")
def fit(scenario):
    return cal.fit_multi_year(scenario)


def _short(sc, updates, years=5):
    return sibrisk.project(sc.with_updates({**updates, "projection.years": years}), keep_detail=False)


def test_fitted_residuals_are_smaller_than_the_base_year_only_calibration(fit):
    _, table = fit
    before, after = table["residual 2021 only"].values, table["residual fitted"].values
    # measured: sum of squares 206.8 -> 8.4; the largest residual 9.5 -> 1.5 sigma
    assert (after ** 2).sum() < 0.1 * (before ** 2).sum()
    assert np.abs(after).max() < 2.0 < np.abs(before).max()
    row = table[(table.year == 2024) & (table.item == "participants (万人)")].iloc[0]
    assert abs(row["residual fitted"]) < 0.25 * abs(row["residual 2021 only"])
    assert list(table.columns) == ["year", "item", "published", "sigma", "2021 only", "fitted", "residual 2021 only",
                                   "residual fitted"]


def test_the_default_adopts_the_fit_with_standard_errors(scenario, fit):
    values, _ = fit
    assert tuple(values) == cal.FIT_PARAMETERS
    for name, (value, se) in values.items():
        assert 0 < se < abs(value), name
    lo, hi = cal.FIT_BOUNDS
    for (value, _), a, b in zip(values.values(), lo, hi):
        assert a < value < b  # an interior solution, not a bound
    years = list(scenario.years)
    assert scenario.coverage.employee_growth == pytest.approx(values["employee_growth"][0], rel=1e-8)
    assert scenario.series("benefits.local_top_up")[years.index(2024)] == pytest.approx(
        values["local_top_up_2024"][0], rel=1e-8)
    growth = scenario.series("contributions.growth")
    assert growth[years.index(2022)] == pytest.approx(values["contribution_growth"][0], rel=1e-8)
    assert growth[years.index(2025)] == cal.ASSUMED["contribution_growth_from_2025"]
    # measured values (FITTED)
    assert values["employee_growth"][0] == pytest.approx(0.0102, abs=2e-4)
    assert values["local_top_up_2024"][0] == pytest.approx(105.38, abs=0.05)
    assert values["contribution_growth"][0] == pytest.approx(0.0657, abs=5e-4)


def test_fit_targets_and_out_of_sample_rows(fit):
    """Every back-test row is either a fit target (2022-2024) or out of sample (2025), and the fit uses exactly the
    former besides the five 2021 figures."""
    _, table = fit
    uses = {(b["year"], b["item"]): b["use"] for b in cal.BACKTEST}
    assert set(uses.values()) == {"fit target", "out of sample", "derived check"}
    fitted = {(t["year"], t["item"]) for t in cal.FIT_TARGETS if t["year"] > 2021}
    assert fitted == {k for k, u in uses.items() if u == "fit target"}
    assert all(y == 2025 for (y, _), u in uses.items() if u == "out of sample")
    assert (table.year == 2021).sum() == 5


def test_the_base_year_stays_within_one_percent(projection):
    row = projection.sel(year=2021)
    pub = cal.PUBLISHED_2021
    for var, key in (("total_income", "total_income"), ("total_expenditure", "total_expenditure"),
                     ("fund_balance", "fund_balance"), ("insured", "insured"), ("beneficiaries", "beneficiaries")):
        assert float(row[var]) == pytest.approx(pub[key], rel=0.01), var


def test_backtest_rows_within_their_tolerances(projection):
    table = cal.backtest_table(projection)
    assert table.within.all(), table[~table.within].to_string()
    out = table[table.use == "out of sample"]
    assert len(out) == 3
    # measured out of sample 2025: beneficiaries -0.1%, expenditure -1.9%, balance -6.1% (before the fit +0.2%,
    # -2.6%, -6.9%)
    assert out.difference.abs().max() < 0.07


def test_the_derived_2023_balance_shows_the_accumulation_is_too_fast(projection):
    """DERIVED end-2023 balance 14,534.1亿 (2024 balance - income + expenditure): the model holds 14,892 (+2.5%; the
    base-year-only default +2.0%): its 2022-2023 surpluses are larger than the published path implies (measured)."""
    row = next(b for b in cal.BACKTEST if b["use"] == "derived check")
    assert cal.backtest_value(row, projection) / row["published"] - 1 == pytest.approx(0.0246, abs=0.002)


def test_switching_the_employee_shift_off_brings_back_the_miss(scenario, projection):
    """employee_growth = 0 (shares fixed by cohort, the previous rule): participants 2024 back to +2.5%."""
    off = _short(scenario, {"coverage.employee_growth": 0.0})
    pub = 53830.2e4
    assert float(off.insured.sel(year=2024)) / pub - 1 == pytest.approx(0.0247, abs=0.002)
    assert abs(float(projection.insured.sel(year=2024)) / pub - 1) < 0.005
    # the base year is untouched (the shift starts in 2022)
    assert float(off.insured.sel(year=2021)) == pytest.approx(float(projection.insured.sel(year=2021)), rel=1e-12)


def test_the_end_of_the_employee_shift_matters(scenario, projection):
    """ASSUMPTION: the shift stops after 2035; continued, fewer residents remain of working age in 2045."""
    later = sibrisk.project(scenario.with_updates({"coverage.employee_growth_until": 2200}), keep_detail=False)
    assert float(later.insured.sel(year=2045)) < 0.95 * float(projection.insured.sel(year=2045))
    np.testing.assert_allclose(later.insured.sel(year=slice(2021, 2035)), projection.insured.sel(
        year=slice(2021, 2035)), rtol=1e-12)


def test_the_fitted_contribution_growth_matters(scenario, projection):
    """At the base-year-only 4% the 2024 contributions are lower: income 2024 further from the published 7,287亿."""
    base = _short(scenario, {"contributions.growth": 0.04})
    assert float(base.contribution_income.sel(year=2024)) < float(projection.contribution_income.sel(year=2024))
    pub = 7287.0e8
    assert abs(float(base.total_income.sel(year=2024)) - pub) > abs(float(projection.total_income.sel(year=2024))
                                                                   - pub)


def test_the_shift_counts_only_years_below_the_pension_age(scenario):
    """A cohort's share grows each calendar year from 2022 (to 2035) while it is below 60, then is fixed."""
    c = scenario.coverage
    years, ages = np.array([2021, 2022, 2025, 2040]), np.array([30, 59, 60, 62, 70])
    plain = employee_share(c.model_copy(update={"employee_growth": 0.0}), years, ages, 2021)
    grown = employee_share(c, years, ages, 2021)
    n = np.round(np.log(grown / plain) / np.log(1 + c.employee_growth), 9)
    # 2021: none; 2022: one year for those below 60 (aged 59 in 2022 grew in 2022; 60 in 2022 was 59 in 2021: none)
    # 2025: 4 years at 30 and 59; aged 60 grew 2022-2024 (3), 62 in 2022 only (1), 70 none
    # 2040: the 14 years 2022-2035 for cohorts below 60 throughout; aged 62 in 2040 was 59 in 2037: 14; 70: 2022-2029
    np.testing.assert_array_equal(n, [[0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [4, 4, 3, 1, 0], [14, 14, 14, 14, 8]])


def test_a_later_base_year_continues_the_shift(scenario):
    """Dated by calendar year: a base year three years later, its reference age three years higher (as
    ``rebase_updates`` moves it), gives the same shares in every common year."""
    c = scenario.coverage
    ages = np.arange(16, 101)
    years = np.arange(2024, 2050)
    later = c.model_copy(update={"employee_reference_age": c.employee_reference_age + 3})
    np.testing.assert_allclose(employee_share(later, years, ages, 2024), employee_share(c, years, ages, 2021),
                               rtol=1e-14)


def test_growth_years_out_of_order_are_refused(scenario):
    from sibrisk.errors import InputError

    with pytest.raises(InputError, match=r"employee_growth_until \(2020\) is before employee_growth_from \(2022\)"):
        scenario.with_updates({"coverage.employee_growth_until": 2020})
