"""Re-basing calibrates the subsidy rule to the accounts' fiscal subsidy (``accounts.subsidy_rebase_updates``): the
ILLUSTRATIVE prefecture's 55 亿 was projected as 47.5 亿 before (issue 17)."""

import pytest

import sibrisk
from sibrisk.funds.common.accounts import subsidy_rebase_updates
from sibrisk.rebasing import rebase

ITEMS = ("fund_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
         "benefit_expenditure", "other_expenditure", "contributors", "beneficiaries")


@pytest.fixture(scope="module")
def national():
    sc = sibrisk.load_scenario("enterprise_pension_national")
    return sc, sibrisk.project(sc, keep_detail=False)


def _actuals(ds, year, **factors):
    row = ds.sel(year=year)
    return {"year": year, **{k: float(row[k]) * factors.get(k, 1.0) for k in ITEMS}}


@pytest.mark.parametrize("year", [2021, 2024])
def test_a_larger_subsidy_is_reproduced_and_kept_in_proportion(national, year):
    sc, ds = national
    act = _actuals(ds, year, fiscal_subsidy=1.2)
    r = rebase(sc, act)
    row = sibrisk.project(r.scenario, keep_detail=False).sel(year=year)
    assert float(row.fiscal_subsidy) == pytest.approx(act["fiscal_subsidy"], rel=1e-6)
    assert float(row.fund_balance) == pytest.approx(act["fund_balance"], rel=1e-9)
    share = float(r.scenario.series("subsidy.share")[0])
    assert share == pytest.approx(float(sc.series("subsidy.share")[0]) * 1.2, rel=1e-3)
    assert "subsidy.share" in [n for n, _, _ in r.adjusted]


def test_without_a_subsidy_in_the_accounts_the_rule_is_kept(national):
    sc, ds = national
    act = _actuals(ds, 2021, fiscal_subsidy=1.2)
    del act["fiscal_subsidy"]
    act["opening_balance"] = float(ds.sel(year=2021).opening_balance)
    r = rebase(sc, act)
    assert float(r.scenario.series("subsidy.share")[0]) == float(sc.series("subsidy.share")[0])


def test_each_rule_moves_its_own_lever(national):
    sc, ds = national
    row = ds.sel(year=2021)
    act = {"year": 2021, "fiscal_subsidy": float(row.fiscal_subsidy) * 1.5}
    fixed = sc.with_updates({"subsidy.rule": "fixed", "subsidy.amount": 6.5e11})
    up = subsidy_rebase_updates(fixed, act, row)
    assert up["subsidy.amount"][2021] == pytest.approx(6.5e11 * 1.5)
    per_head = sc.with_updates({"subsidy.rule": "per_capita", "subsidy.per_capita": 5000.0})
    assert subsidy_rebase_updates(per_head, act, row)["subsidy.per_capita"][2021] == pytest.approx(7500.0)
    published = sc.with_updates({"subsidy.history": {2021: 6.0e11, 2022: 6.5e11}})
    assert subsidy_rebase_updates(published, act, row)["subsidy.history"] == {2021: pytest.approx(9.0e11),
                                                                               2022: 6.5e11}
    floor = sc.with_updates({"subsidy.rule": "gap_to_floor", "subsidy.floor_months": 3.0})
    assert subsidy_rebase_updates(floor, act, row) == {}
    assert subsidy_rebase_updates(sc, {"year": 2021, "fiscal_subsidy": float(row.fiscal_subsidy)}, row) == {}


def test_the_prefecture_scenario_shows_its_accounts_subsidy():
    sc = sibrisk.load_scenario("prefecture_enterprise_pension_2024")
    row = sibrisk.project(sc, keep_detail=False).sel(year=2024)
    assert float(row.fiscal_subsidy) == pytest.approx(55e8, rel=1e-6)
    assert float(row.fund_balance) == pytest.approx(180e8, rel=1e-6)
