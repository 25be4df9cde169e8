"""Back-test of the resident pension default (城乡居民基本养老保险) against the published figures after its 2021 base
year (``calibration.BACKTEST``, each row with its source), and the basic pension set by decision as a dated rule:
the central minimum's published steps (``benefits.central_minimum``), the provinces' top-ups (``benefits.local_top_up``,
raised in 2024 to the published 2024 expenditure) and, after the last decision (2025), indexation from 2026
(ASSUMPTION, ``economy.benefit_indexation``, ``benefits.indexation_from``). Measured before the 2024 top-up: 2024
expenditure 4,825亿 against 5,321.6 (-9.3%), income 6,595 against 7,287 (-9.5%), 2025 expenditure 5,545 against
6,223 (-10.9%); after: 5,321.6 (solved), 7,091 (-2.7%), 6,063 (-2.6%); with the multi-year fit
(``calibration.fit_multi_year``: employee-scheme shift, top-up from 2024 and contribution growth fitted to 2021-2024)
5,367 (+0.9%, a fit target), 7,201 (-1.2%, a fit target), 6,102 (-1.9%, out of sample)."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.resident_pension.calibration import (BACKTEST, BACKTEST_TOLERANCE, EXPENDITURE_2024,
                                                       backtest_table, backtest_value, local_top_up_2024)


@pytest.fixture(scope="module")
def scenario():
    return sibrisk.load_scenario("resident_pension_national")


@pytest.fixture(scope="module")
def projection(scenario):
    return sibrisk.project(scenario, keep_detail=False)


def test_every_backtest_row_is_within_its_tolerance(projection):
    table = backtest_table(projection)
    assert len(table) == len(BACKTEST) >= 10
    assert table.tolerance.max() == BACKTEST_TOLERANCE
    assert set(table.use) == {"fit target", "out of sample", "derived check"}
    assert (table[table.use == "out of sample"].year == 2025).all()
    bad = table[~table.within]
    assert bad.empty, bad[["year", "item", "published", "projected", "difference"]].to_string()
    for row in BACKTEST:
        assert row["source"] and row["tolerance"] <= BACKTEST_TOLERANCE


def test_backtest_values_are_the_projection(projection):
    row = next(r for r in BACKTEST if r["year"] == 2024 and r["variable"] == "beneficiaries")
    assert backtest_value(row, projection) == pytest.approx(float(projection.beneficiaries.sel(year=2024)) / 1e4)
    # measured: 18,119 against the published 18,039.4 (+0.4%; 18,146, +0.6%, before the employee-scheme shift)
    assert backtest_value(row, projection) == pytest.approx(18118.6, rel=1e-3)


def test_the_2024_top_up_fits_the_published_expenditure(scenario, projection):
    """A fit target: 2024 expenditure 5,321.6亿 within 1% (the fitted top-up from 2024 trades a little of it for 2024
    income: +0.9%, measured), the fitted top-up within two of its standard errors (2.1 yuan/month) of the one that
    solves the expenditure alone."""
    assert float(projection.total_expenditure.sel(year=2024)) == pytest.approx(EXPENDITURE_2024, rel=0.01)
    top = scenario.series("benefits.local_top_up")
    years = list(scenario.years)
    assert top[years.index(2023)] == top[0]
    assert top[years.index(2024)] == pytest.approx(local_top_up_2024(scenario), abs=2 * 2.12)
    assert top[years.index(2024)] == pytest.approx(105.38, abs=0.01)  # yuan/month, FITTED, from 81.26 in 2021


def test_the_base_year_calibration_is_kept(projection):
    """2021 stays within 1% of the published figures (MOHRSS 2021 bulletin)."""
    row = projection.sel(year=2021)
    assert float(row.total_income) == pytest.approx(5339e8, rel=0.01)
    assert float(row.total_expenditure) == pytest.approx(3715e8, rel=0.01)
    assert float(row.fund_balance) == pytest.approx(11396e8, rel=0.01)
    assert float(row.insured) == pytest.approx(54797e4, rel=0.01)
    assert float(row.beneficiaries) == pytest.approx(16213e4, rel=0.01)


def test_without_the_2024_top_up_the_backtest_fails(scenario):
    """Held at the 2021 top-up (the previous default) the 2024 expenditure is 9.3% short: the cause of the gap."""
    t0 = float(scenario.series("benefits.local_top_up")[0])
    old = sibrisk.project(scenario.with_updates({"benefits.local_top_up": t0, "projection.years": 6}),
                          keep_detail=False)
    assert float(old.total_expenditure.sel(year=2024)) / EXPENDITURE_2024 - 1 == pytest.approx(-0.093, abs=0.002)
    assert not backtest_table(old, rows=[r for r in BACKTEST if r["year"] == 2024]).within.all()


def test_the_decided_central_minimum_matters(scenario, projection):
    """Switching the decided increases off (the central minimum held at its 2021 level, 93 yuan/month) lowers the
    basic pension by exactly the steps: 12 x (143 - 93) = 600 yuan a year in 2025."""
    held = sibrisk.project(scenario.with_updates({"benefits.central_minimum": 93.0}), keep_detail=False)
    diff = float(projection.basic_pension.sel(year=2025) - held.basic_pension.sel(year=2025))
    assert diff == pytest.approx(600.0, rel=1e-9)
    assert float(held.fund_balance.sel(year=2025)) == pytest.approx(float(projection.fund_balance.sel(year=2025)),
                                                                    rel=1e-9)  # the subsidy pays the basic pension
    assert float(held.fiscal_subsidy.sel(year=2025)) < float(projection.fiscal_subsidy.sel(year=2025))


def test_the_future_indexation_rule_matters(scenario, projection):
    """ASSUMPTION after the last decision: indexed at 4% from 2026 (3.5% from 2035, 3% from 2040). Switched off
    (no indexation) the basic pension stays at its 2025 level."""
    off = sibrisk.project(scenario.with_updates({"economy.benefit_indexation": 0.0}), keep_detail=False)
    b25 = float(projection.basic_pension.sel(year=2025))
    assert float(off.basic_pension.sel(year=2030)) == pytest.approx(b25, rel=1e-12)
    assert float(projection.basic_pension.sel(year=2030)) == pytest.approx(b25 * 1.04 ** 5, rel=1e-12)
    assert np.all(off.benefit_expenditure.sel(year=slice(2026, 2070)).values
                  < projection.benefit_expenditure.sel(year=slice(2026, 2070)).values)
