"""Re-basing the work-injury fund (``WorkInjuryFund.rebase_updates``): the base year moves to the last actual year and
reproduces its accounts through the levers the default's calibration solves (population scale for the insured,
incidence for the beneficiaries, the medical cost level for expenditure, the rate factor for contributions, the
prevention share for other expenditure, the fixed subsidy's amount); on its own projection the path stays close."""

import numpy as np
import pytest

import sibrisk
from sibrisk.rebasing import rebased_file_text

ITEMS = ("fund_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
         "benefit_expenditure", "other_expenditure", "contributors", "beneficiaries")
CALIBRATED = ("fund_balance", "contribution_income", "fiscal_subsidy", "benefit_expenditure", "other_expenditure",
              "contributors", "beneficiaries")


@pytest.fixture(scope="module")
def default():
    sc = sibrisk.load_scenario("work_injury_national")
    return sc, sibrisk.project(sc, keep_detail=False)


def actuals_of(ds, year, **factors):
    row = ds.sel(year=year)
    out = {"year": year, **{k: float(row[k]) for k in ITEMS}}
    for k, f in factors.items():
        out[k] *= f
    return out


def roll_forward_holds(ds):
    income = ds.contribution_income + ds.fiscal_subsidy + ds.interest_income
    spent = ds.benefit_expenditure + ds.other_expenditure
    np.testing.assert_allclose(ds.fund_balance, ds.opening_balance + income - spent, rtol=1e-12, atol=1.0)
    np.testing.assert_allclose(ds.opening_balance[1:], ds.fund_balance[:-1], rtol=1e-12)


def test_rebased_base_year_reproduces_the_accounts(default):
    """The default's own 2024 with 2% more insured, 3% fewer beneficiaries, 5% more benefit expenditure, 2% less
    contribution income, 10% more prevention spending, a 50% larger subsidy and an 8% higher year-end balance:
    after re-basing the 2024 row equals them (rel 1e-6; measured about 1e-15). Interest income is not calibrated (it
    is the opening balance x the fund yield; the opening balance absorbs the rest so that the balance matches)."""
    sc, ds = default
    act = actuals_of(ds, 2024, contributors=1.02, beneficiaries=0.97, benefit_expenditure=1.05,
                     contribution_income=0.98, other_expenditure=1.10, fiscal_subsidy=1.5, fund_balance=1.08)
    res = sibrisk.rebase(sc, act)
    new = res.scenario
    assert new.projection.base_year == 2024 and int(new.years[-1]) == int(sc.years[-1])
    rebased = sibrisk.project(new, keep_detail=False)
    row = rebased.sel(year=2024)
    for k in CALIBRATED:
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
        assert res.check[k] == pytest.approx((act[k], float(row[k])), rel=1e-12), k
    assert float(row.interest_income) != pytest.approx(act["interest_income"], rel=1e-3)  # not calibrated
    adjusted = {name: (old, new_) for name, old, new_ in res.adjusted}
    assert {"population.scale", "incidence.rate", "benefits.medical_cost_level", "contributions.rate_factor",
            "contributions.prevention_share", "subsidy.amount", "initial.fund_balance"} <= set(adjusted)
    # multiplicative corrections: the age-sex shapes and the outcome and cost structure are the scenario's own
    for name in ("coverage.rates", "coverage.growth", "incidence.relative_risk", "incidence.grade_shares",
                 "incidence.trend", "benefits.medical_cost_relative", "benefits.own_wage_ratio",
                 "contributions.class_base_rates", "economy.collection_rate"):
        assert eval(f"new.{name}") == eval(f"sc.{name}"), name
    assert new.series("subsidy.amount") == pytest.approx(1.5 * sc.subsidy.amount, rel=1e-9)  # a fixed amount: exact
    text = res.report()
    assert "benefits.medical_cost_level" in text and "population.scale" in text and "Re-based to 2024" in text
    roll_forward_holds(rebased)


def test_rebased_on_its_own_projection_stays_close(default):
    """Re-basing on the default's own 2024 changes 2024 not at all and later years a little (measured, 2024 base):
    insured unchanged to 2037 (then -0.07% in 2040, -0.8% in 2070: births 2022-2024 follow the published fertility
    when the population is projected to the new base year); contributions -0.97% from 2025 (the base year's flows
    are on year-end insured, later years' on mid-year exposure: with the insured growing 2% in 2024 the rate factor
    comes out 0.97% lower), -1.7% in 2070; benefit expenditure -1.3% in 2025, -2.8% in 2070 (the same exposure
    effect on new cases, and the stationary pensioner stocks rebuilt at 2024 are 0.2-1.8% larger, with allowances
    6.6% higher, than those the 2021 projection carries, which fewer new cases and an 8% lower medical cost level
    offset in 2024 and which fade later); the balance, about a year of expenditure, gathers those flows: +0.4% in
    2025, +3.3% in 2030, +9% in 2040, +14% in 2070. Tolerances: 1.5 x the measured drift."""
    sc, ds = default
    res = sibrisk.rebase(sc, actuals_of(ds, 2024))
    new = sibrisk.project(res.scenario, keep_detail=False)

    def drift(name, y0, y1):
        y = slice(y0, y1)
        return float(np.abs(new[name].sel(year=y) / ds[name].sel(year=y) - 1).max())

    for k in CALIBRATED:
        assert float(new[k].sel(year=2024)) == pytest.approx(float(ds[k].sel(year=2024)), rel=1e-6), k
    assert drift("contributors", 2024, 2037) < 1e-9
    assert drift("contributors", 2024, 2070) < 0.012
    assert drift("contribution_income", 2024, 2035) < 0.015
    assert drift("contribution_income", 2024, 2070) < 0.026
    assert drift("beneficiaries", 2024, 2035) < 0.012
    assert drift("beneficiaries", 2024, 2070) < 0.03
    assert drift("benefit_expenditure", 2024, 2035) < 0.027
    assert drift("benefit_expenditure", 2024, 2070) < 0.042
    assert drift("fund_balance", 2024, 2025) < 0.006
    assert drift("fund_balance", 2024, 2030) < 0.05
    assert drift("fund_balance", 2024, 2070) < 0.21
    roll_forward_holds(new)


def test_rebase_after_the_last_published_disposable_income(default):
    """A base year after the last published disposable income (2025) takes it from the scenario's own path, so the
    one-off death subsidy per death is unchanged; the base year still reproduces the accounts."""
    sc, ds = default
    act = actuals_of(ds, 2030, contributors=0.99, beneficiaries=1.04, benefit_expenditure=0.98,
                     contribution_income=1.03)
    res = sibrisk.rebase(sc, act)
    new = res.scenario
    assert new.benefits.disposable_income_published_until == 2030
    rebased = sibrisk.project(new, keep_detail=False)
    for k in CALIBRATED:
        assert float(rebased[k].sel(year=2030)) == pytest.approx(act[k], rel=1e-6), k
    years = slice(2030, 2070)

    def per_death(d):
        return d.death_benefit_expenditure.sel(year=years) / d.work_deaths.sel(year=years)

    np.testing.assert_allclose(per_death(rebased), per_death(ds), rtol=1e-9)
    roll_forward_holds(rebased)


def test_rebased_file_loads_and_projects_the_same(default, tmp_path):
    """The file ``sibrisk rebase`` writes (it extends the original) loads and projects the re-based scenario."""
    sc, ds = default
    res = sibrisk.rebase(sc, actuals_of(ds, 2026, contributors=1.01, beneficiaries=0.98, benefit_expenditure=1.02,
                                        contribution_income=0.99, fiscal_subsidy=1.2))
    path = tmp_path / "work_injury_rebased_2026.toml"
    path.write_text(rebased_file_text(res, sc.source), encoding="utf-8")
    again = sibrisk.project(sibrisk.load_scenario(path), keep_detail=False)
    direct = sibrisk.project(res.scenario, keep_detail=False)
    for k in ("fund_balance", "contribution_income", "benefit_expenditure", "beneficiaries", "contributors"):
        np.testing.assert_allclose(again[k], direct[k], rtol=1e-6, err_msg=k)


def test_rebase_without_counts_keeps_the_projected_insured(default):
    """Flows and balance only: the coverage growth built up from 2021 to 2024 (which restarts at the new base year)
    moves into the population scale, so the 2024 insured are the scenario's own (exact); the incidence trend is
    carried likewise, and the beneficiaries stay within 2% of the projected (measured +1.6%: new cases on year-end
    insured and the stocks rebuilt at 2024); the flows and the balance are the actual ones."""
    sc, ds = default
    act = {k: v for k, v in actuals_of(ds, 2024, benefit_expenditure=1.03).items()
           if k not in ("contributors", "beneficiaries")}
    res = sibrisk.rebase(sc, act)
    row = sibrisk.project(res.scenario, keep_detail=False).sel(year=2024)
    own = ds.sel(year=2024)
    assert float(row.contributors) == pytest.approx(float(own.contributors), rel=1e-9)
    assert float(row.beneficiaries) == pytest.approx(float(own.beneficiaries), rel=0.02)
    for k in ("fund_balance", "contribution_income", "fiscal_subsidy", "benefit_expenditure", "other_expenditure"):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
