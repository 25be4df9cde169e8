"""sibrisk.sensitivity: one-at-a-time variants, their metrics against separately computed projections, the tornado
chart, the CLI form, and bad input."""

import numpy as np
import pandas as pd
import pytest

import sibrisk
from sibrisk.cli import main
from sibrisk.sensitivity import METRICS, summary


@pytest.fixture(scope="module")
def small():
    """The enterprise default over 15 years (2021-2035): small enough to project a few times."""
    return sibrisk.load_scenario("enterprise_pension_national").with_updates({"projection.years": 15})


@pytest.fixture(scope="module")
def table(small):
    return sibrisk.sensitivity(small, {"economy.interest_rate": [0.01, 0.04],
                                       "contributions.employer_rate": [0.14, 0.18]}, horizon=2030)


def test_table_reproduces_each_variant(small, table):
    assert list(table.variant) == ["base", "low", "high", "low", "high"]
    for _, row in table.iterrows():
        sc = small if row.variant == "base" else small.with_updates({row.parameter: row.value})
        ds = sibrisk.project(sc, keep_detail=False)
        # by definition: balance months = balance / (expenditure / 12) in the horizon year; peak = the largest balance
        y = ds.sel(year=2030)
        assert row.balance_months_at_horizon == pytest.approx(float(y.fund_balance / (y.total_expenditure / 12)),
                                                              rel=1e-12)
        assert row.peak_balance == pytest.approx(float(ds.fund_balance.max()), rel=1e-12)
        assert row.peak_year == float(ds.year.values[np.argmax(ds.fund_balance.values)])
        assert row.actuarial_balance == pytest.approx(float(ds.actuarial_balance), rel=1e-12)
        assert row.fiscal_subsidy_at_horizon == pytest.approx(float(ds.fiscal_subsidy.sel(year=2030)), rel=1e-12)
        dep = row.depletion_year
        assert (np.isnan(dep) and float(ds.fund_balance.min()) >= 0) or float(ds.fund_balance.sel(year=int(dep))) < 0
    for m in METRICS:
        np.testing.assert_allclose(table[f"delta_{m}"], table[m] - table.loc[0, m])


def test_directions(table):
    """Higher fund yield and higher employer rate improve the balance; the base lies between low and high."""
    for p in ("economy.interest_rate", "contributions.employer_rate"):
        g = table[table.parameter == p].set_index("variant")
        assert g.loc["low", "balance_months_at_horizon"] < table.loc[0, "balance_months_at_horizon"]
        assert table.loc[0, "balance_months_at_horizon"] < g.loc["high", "balance_months_at_horizon"]
        assert g.loc["low", "actuarial_balance"] < g.loc["high", "actuarial_balance"]


def test_generic_over_funds():
    sc = sibrisk.load_scenario("unemployment_national").with_updates({"projection.years": 10})
    t = sibrisk.sensitivity(sc, {"economy.interest_rate": [0.01, 0.03]})
    base = summary(sibrisk.project(sc, keep_detail=False))
    assert t.loc[0, "balance_months_at_horizon"] == pytest.approx(base["balance_months_at_horizon"])
    assert t.attrs["horizon"] == int(sc.years[-1])


def test_tornado_chart(table, tmp_path):
    fig = sibrisk.sensitivity_tornado(table, "balance_months_at_horizon", tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 5_000
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert set(labels) == {"economy.interest_rate", "contributions.employer_rate"}
    with pytest.raises(ValueError, match="unknown metric"):
        sibrisk.sensitivity_tornado(table, "nope")


def test_bad_input_names_the_parameter(small):
    with pytest.raises(sibrisk.InputError, match="economy.interest_rate"):
        sibrisk.sensitivity(small, {"economy.interest_rate": [0.01]})
    with pytest.raises(sibrisk.InputError, match="interest_rate"):
        sibrisk.sensitivity(small, {"economy.interest_rate": [0.01, 5.0]})
    with pytest.raises(ValueError, match="horizon"):
        sibrisk.sensitivity(small, {"economy.interest_rate": [0.01, 0.02]}, horizon=2090)


def test_cli_sensitivity(tmp_path, capsys):
    code = main(["sensitivity", "--vary", "economy.interest_rate=0.01,0.04", "--horizon", "2030", "--out",
                 str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "economy.interest_rate" in out and "balance_months_at_horizon" in out
    csv = pd.read_csv(tmp_path / "enterprise_pension_national_sensitivity.csv")
    assert list(csv.variant) == ["base", "low", "high"]
    assert (tmp_path / "enterprise_pension_national_tornado_depletion_year.png").exists()
    assert main(["sensitivity", "--vary", "economy.interest_rate=0.01", "--out", str(tmp_path)]) == 2
    assert "dotted.path=low,high" in capsys.readouterr().err


def test_cass_2019_walk_as_in_readme_and_notebook_05():
    """The seven cumulative steps from the default to the CASS 2019 report (README, notebooks/05) give depletion in
    2034 with the peak in 2027 and the first current deficit in 2028 (CASS: 2035, 2027, 2028); each step alone as the
    README states. With early, special-occupation, ill-health and flexible retirement ([retirement_options]). The
    pension-base step keeps the contribution bounds at the default's 48%-240% of the average wage (60%-300% of the
    全口径 wage), so that it moves the pension base only."""
    sc = sibrisk.load_scenario("enterprise_pension_national")
    base_only = {"benefits.pension_base_ratio": 1.0, "contributions.base_floor": 0.48, "contributions.base_ceiling": 2.4}
    steps = [({"indexation.wage_share": 1.0}, 2041, 2041), (base_only, 2038, 2048),
             ({"contribution_history.shares": [1.0, 0.0, 0.0]}, 2042, 2053),
             ({"contribution_history.deferred_age_lapse": 0.0}, 2042, 2052), ({"subsidy.share": 0.10}, 2038, 2046),
             ({"economy.interest_rate": 0.02}, 2038, 2051), ({"benefits.retirement_reform": False}, 2034, 2043)]
    assert float(sibrisk.project(sc, keep_detail=False).depletion_year) == 2052
    cur = sc
    for update, cumulative, alone in steps:
        cur = cur.with_updates(update)
        ds = sibrisk.project(cur, keep_detail=False)
        assert float(ds.depletion_year) == cumulative, update
        assert float(sibrisk.project(sc.with_updates(update), keep_detail=False).depletion_year) == alone, update
    net = (ds.total_income - ds.total_expenditure).values
    assert int(ds.year.values[np.argmax(ds.fund_balance.values)]) == 2027
    assert int(ds.year.values[np.argmax(net < 0)]) == 2028


def test_a_scheme_without_payroll_has_no_actuarial_balance():
    """The resident pension has no covered wage bill: its actuarial balance (a share of payroll) is NaN and the other
    metrics move with the parameter (sibrisk.sensitivity raised AttributeError 'covered_wage_bill' on it before)."""
    sc = sibrisk.load_scenario("resident_pension_national")
    t = sibrisk.sensitivity(sc, {"economy.interest_rate": [0.01, 0.04]})
    assert t.actuarial_balance.isna().all()
    low, high = t.balance_months_at_horizon.iloc[1], t.balance_months_at_horizon.iloc[2]
    assert high > low


def test_path_from_changes_only_the_years_from_its_year():
    from sibrisk.sensitivity import path_from

    sc = sibrisk.load_scenario("unemployment_national")
    base = sc.series("economy.unemployment_rate")
    up = np.asarray(path_from(sc, "economy.unemployment_rate", 2026, add=0.01))
    later = sc.years >= 2026
    np.testing.assert_allclose(up[~later], base[~later], rtol=0)
    np.testing.assert_allclose(up[later], base[later] + 0.01, rtol=1e-12)
    held = np.asarray(path_from(sc, "economy.unemployment_rate", 2030, value=0.06))
    assert (held[sc.years >= 2030] == 0.06).all() and held[sc.years == 2029][0] == base[sc.years == 2029][0]
    moved = sibrisk.project(sc.with_updates({"economy.unemployment_rate": up.tolist()}), keep_detail=False)
    assert float(moved.fund_balance.sel(year=2025)) == pytest.approx(
        float(sibrisk.project(sc, keep_detail=False).fund_balance.sel(year=2025)), rel=1e-12)
    with pytest.raises(ValueError, match="one of add= or value="):
        path_from(sc, "economy.unemployment_rate", 2026)


def test_a_balance_held_by_the_subsidy_rule_shows_in_the_subsidy():
    """The public-sector pension's subsidy holds its balance at a floor of months: a higher benefit indexation leaves
    the balance months where they are and raises the fiscal subsidy."""
    sc = sibrisk.load_scenario("public_sector_pension_national")
    from sibrisk.sensitivity import path_from

    t = sibrisk.sensitivity(sc, {"economy.benefit_indexation": [
        path_from(sc, "economy.benefit_indexation", 2026, add=-0.01),
        path_from(sc, "economy.benefit_indexation", 2026, add=0.01)]}, horizon=2045)
    months = t.balance_months_at_horizon.values
    assert np.ptp(months) < 1e-6 * abs(months[0])
    sub = t.set_index("variant").fiscal_subsidy_at_horizon
    assert sub["low"] < sub["base"] < sub["high"]
