"""Re-basing a scenario on the actual accounts of a year (``sibrisk.rebase``): the base year moves to the actual
year and the projection of that year reproduces the actual balance, flows and counts; the report says what moved."""

import pytest

import sibrisk
from sibrisk.errors import InputError

ITEMS = ("fund_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
         "benefit_expenditure", "other_expenditure", "contributors", "beneficiaries")


def actuals_of(ds, year, **factors):
    row = ds.sel(year=year)
    out = {"year": year, **{k: float(row[k]) for k in ITEMS}}
    for k, f in factors.items():
        out[k] *= f
    return out


@pytest.mark.parametrize("fund", ["enterprise_pension", "public_sector_pension", "unemployment"])
def test_rebased_base_year_reproduces_the_accounts(fund):
    """Hand-made accounts: the scenario's own 2024 with 4% more contributors, 3% more contributions, 6% less
    benefit expenditure and a 10% higher balance; after re-basing the 2024 row equals them."""
    sc = sibrisk.load_scenario(f"{fund}_national")
    ds = sibrisk.project(sc, keep_detail=False)
    # the public-sector default's subsidy fills the gap to a balance-months floor: its balance follows the rule
    floor = sc.subsidy.rule == "gap_to_floor"
    act = actuals_of(ds, 2024, contributors=1.04, contribution_income=1.03, benefit_expenditure=0.94,
                     fund_balance=1.0 if floor else 1.10)
    res = sibrisk.rebase(sc, act)
    new = res.scenario
    assert new.projection.base_year == 2024
    assert int(new.years[-1]) == int(sc.years[-1])  # the end year is kept
    row = sibrisk.project(new, keep_detail=False).sel(year=2024)
    for k in ("contribution_income", "benefit_expenditure", "contributors", "beneficiaries",
              *(() if floor else ("fund_balance",))):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
        assert res.check[k][1] == pytest.approx(float(row[k]), rel=1e-12)
    # the average wage of the new base year is the scenario's own path at 2024
    assert new.economy.average_wage == pytest.approx(float(ds.average_wage.sel(year=2024)), rel=1e-12)
    text = res.report()
    assert "Re-based to 2024" in text and "initial.fund_balance" in text and "economy.average_wage" in text


def test_enterprise_rebase_scales_counts_and_keeps_profiles():
    sc = sibrisk.load_scenario("enterprise_pension_national")
    ds = sibrisk.project(sc, keep_detail=False)
    act = actuals_of(ds, 2023, contributors=1.02, beneficiaries=0.97)
    res = sibrisk.rebase(sc, act)
    # the base year's counts are the actual ones: retirees are the initial state itself; contributors are the paying
    # share of the insured workers (initial.contributors counts non-payers too), so insured workers are scaled by
    # actual / projected payers until the re-based base year pays the actual number
    assert res.scenario.initial.retirees == pytest.approx(act["beneficiaries"], rel=1e-9)
    rebased = sibrisk.project(res.scenario, keep_detail=False)
    assert float(rebased.contributors.isel(year=0)) == pytest.approx(act["contributors"], rel=1e-9)
    # the age-sex shapes are the scenario's own
    assert res.scenario.initial.contributors_profile == sc.initial.contributors_profile
    adjusted = {name for name, *_ in res.adjusted}
    assert {"initial.contributors", "initial.retirees", "initial.average_benefit", "economy.collection_rate"} <= adjusted


def test_rebase_errors(monkeypatch):
    from sibrisk.funds.base import Fund

    sc = sibrisk.load_scenario("work_injury_national")
    # a fund without re-basing (the base class's method) gets a clear error naming it
    monkeypatch.setattr(type(sc.fund), "rebase_updates", Fund.rebase_updates)
    with pytest.raises(InputError, match="not implemented for the fund 'work_injury'"):
        sibrisk.rebase(sc, {"year": 2024, "opening_balance": 1e11})
    ep = sibrisk.load_scenario("enterprise_pension_national")
    with pytest.raises(InputError, match="actuals.year"):
        sibrisk.rebase(ep, {"year": 2090, "opening_balance": 1e11})
    with pytest.raises(InputError, match="opening balance, or the year-end balance"):
        sibrisk.rebase(ep, {"year": 2024, "fund_balance": 1e12})
    with pytest.raises(InputError, match="unknown item"):
        sibrisk.rebase(ep, {"year": 2024, "opening_balance": 1e12, "balance": 1.0})


def test_rebased_on_its_own_projection_unemployment_stays_on_course():
    """Re-basing the unemployment default on its own 2024 changes little after it (the coverage shapes are the
    scenario's): balance within 1% of the original to 2050 (measured: -0.4% in 2030, -0.9% in 2050)."""
    import numpy as np

    sc = sibrisk.load_scenario("unemployment_national")
    ds = sibrisk.project(sc, keep_detail=False)
    res = sibrisk.rebase(sc, actuals_of(ds, 2024))
    new = sibrisk.project(res.scenario, keep_detail=False)
    years = slice(2024, 2050)
    np.testing.assert_allclose(new.fund_balance.sel(year=years), ds.fund_balance.sel(year=years), rtol=0.01)


def test_rebased_file_writes_nested_tables_whole(tmp_path):
    """A re-based age profile (employee medical: coverage.profile.male) is written as its whole table, so the file
    that extends the original loads and reproduces the actual base year."""
    from sibrisk.rebasing import rebased_file_text

    sc = sibrisk.load_scenario("employee_medical_national")
    ds = sibrisk.project(sc, keep_detail=False)
    act = actuals_of(ds, 2026, contributors=1.02, beneficiaries=0.97)
    res = sibrisk.rebase(sc, act)
    assert "85 values scaled by" in res.report()
    path = tmp_path / "rebased.toml"
    path.write_text(rebased_file_text(res, sc.source), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "[coverage.profile]" in text and "female = [" in text
    row = sibrisk.project(sibrisk.load_scenario(path), keep_detail=False).isel(year=0)
    for name in ("contributors", "beneficiaries", "fund_balance"):
        assert float(row[name]) == pytest.approx(act[name], rel=1e-9)
