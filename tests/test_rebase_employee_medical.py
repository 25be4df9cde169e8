"""Re-basing the employee medical insurance (``EmployeeMedicalFund.rebase_updates`` / ``opening_balance_updates``):
the re-based base year reproduces the actual counts, flows and year-end balance; re-basing on the scenario's own
projection stays on its path; the re-based projection rolls forward (whole fund and both parts)."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.employee_medical.inputs import retired_share

ITEMS = ("fund_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
         "benefit_expenditure", "other_expenditure", "contributors", "beneficiaries")
YEAR = 2030


def actuals_of(ds, year, **factors):
    row = ds.sel(year=year)
    out = {"year": year, **{k: float(row[k]) for k in ITEMS}}
    for k, f in factors.items():
        out[k] *= f
    return out


@pytest.fixture(scope="module")
def default():
    sc = sibrisk.load_scenario("employee_medical_national")
    return sc, sibrisk.project(sc, keep_detail=True)


@pytest.fixture(scope="module")
def rebased(default):
    sc, ds = default
    act = actuals_of(ds, YEAR, contributors=1.02, beneficiaries=0.97, benefit_expenditure=1.05,
                     contribution_income=0.98, fund_balance=1.04)
    res = sibrisk.rebase(sc, act)
    return act, res, sibrisk.project(res.scenario, keep_detail=True)


def test_rebased_base_year_reproduces_the_accounts(default, rebased):
    """In-service x1.02, retired x0.97, expenditure x1.05, contributions x0.98, year-end balance x1.04 (2030): the
    counts, the flows and the balance are matched (1e-6; measured ~1e-16). Interest is not calibrated (the
    scenario's rate on the re-based opening balance; measured +1.8% here), nor other income or expenditure."""
    sc, ds = default
    act, res, new = rebased
    assert res.scenario.projection.base_year == YEAR and int(res.scenario.years[-1]) == int(sc.years[-1])
    row = new.sel(year=YEAR)
    for k in ("contributors", "beneficiaries", "contribution_income", "benefit_expenditure", "fund_balance"):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
        assert res.check[k][1] == pytest.approx(float(row[k]), rel=1e-12)
    assert float(row.fiscal_subsidy) == act["fiscal_subsidy"] == 0.0
    # the whole fund is its two parts; the opening is split by the parts' shares of the projected 2030 opening
    old = ds.sel(year=YEAR)
    ini = res.scenario.initial
    assert float(row.pooled_balance + row.account_balance) == pytest.approx(float(row.fund_balance), rel=1e-12)
    assert ini.account_balance / (ini.pooled_balance + ini.account_balance) == pytest.approx(
        float(old.account_opening_balance / old.opening_balance), rel=1e-9)
    text = res.report()
    for name in ("coverage.profile.male", "coverage.profile.female", "benefits.base_cost", "contributions.base_ratio",
                 "benefits.maternity_cost_per_birth", "initial.pooled_balance", "initial.account_balance",
                 "economy.average_wage"):
        assert name in text, name


def test_rebase_keeps_the_age_sex_shapes(default, rebased):
    """The insured shares of the new base year are the scenario's own 2030 shares times a (1 - R) + b R: one factor
    for the in-service, one for the retired; the medical cost index restarts at 1, the cost per unit carries it."""
    sc, ds = default
    _, res, new = rebased
    own = (ds.contributors_by_age + ds.beneficiaries_by_age).sel(year=YEAR).values
    new_ins = (new.contributors_by_age + new.beneficiaries_by_age).sel(year=YEAR).values
    cov = res.scenario.coverage
    R = retired_share(np.array([YEAR]), res.scenario.ages, female_cadre_share=cov.female_cadre_share,
                      reform=cov.retirement_reform)[0]
    factor = new_ins / own
    ok = own > 0
    working, retired = ok & (R == 0), ok & (R == 1)
    assert working.sum() > 40 and retired.sum() > 40
    a, b = factor[working].mean(), factor[retired].mean()
    np.testing.assert_allclose(factor[working], a, rtol=1e-9)
    np.testing.assert_allclose(factor[retired], b, rtol=1e-9)
    np.testing.assert_allclose(factor[ok], (a * (1 - R) + b * R)[ok], rtol=1e-9)
    assert a == pytest.approx(1.02, abs=0.01) and b == pytest.approx(0.97, abs=0.01)
    assert float(new.medical_cost_index.sel(year=YEAR)) == 1.0
    assert res.scenario.benefits.base_cost > sc.benefits.base_cost * float(ds.medical_cost_index.sel(year=YEAR))


def test_rebased_on_its_own_projection_stays_on_course(default):
    """Re-basing the default on its own 2030 (unchanged) reproduces 2030 exactly and continues the projection: the
    base year's exposures are carried (``carried_state_updates``; before, the year-end convention set the base
    0.74% low from 2031). What is left is the population's: 2024-2030 births use the published fertility inside the
    re-based population's history, and those children's own children (from 2040) and entry into insurance (from
    2041) differ, measured to 2073: contributors and contributions 3.3e-4, expenditure 8e-5, balance within 0.0013 x
    the year's expenditure (the balance crosses zero about 2041, so a relative balance tolerance means nothing
    there). Tolerances: 1e-3 on counts and flows, 0.01 x expenditure on the balance, 1e-6 on the 2035 balance."""
    sc, ds = default
    act = actuals_of(ds, YEAR)
    res = sibrisk.rebase(sc, act)
    new = sibrisk.project(res.scenario, keep_detail=False)
    row = new.sel(year=YEAR)
    for k in ("contributors", "beneficiaries", "contribution_income", "benefit_expenditure", "fund_balance",
              "interest_income"):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-9), k
    years = slice(YEAR, int(sc.years[-1]))
    for k, tol in (("contributors", 1e-3), ("beneficiaries", 1e-3), ("contribution_income", 1e-3),
                   ("benefit_expenditure", 1e-3)):
        np.testing.assert_allclose(new[k].sel(year=years), ds[k].sel(year=years), rtol=tol, err_msg=k)
    gap = (new.fund_balance - ds.fund_balance).sel(year=years) / ds.benefit_expenditure.sel(year=years)
    assert float(abs(gap).max()) < 0.01
    # five years on, the balance is the projection's (measured 3e-10 in 2035; -3.5% before the exposures)
    assert float(new.fund_balance.sel(year=2035)) == pytest.approx(float(ds.fund_balance.sel(year=2035)), rel=1e-6)


def test_rebased_on_its_own_base_year_changes_nothing(default):
    sc, ds = default
    res = sibrisk.rebase(sc, actuals_of(ds, 2024))
    new = sibrisk.project(res.scenario, keep_detail=False)
    for k in ("fund_balance", "contribution_income", "benefit_expenditure", "contributors", "beneficiaries",
              "pooled_balance", "account_balance"):
        np.testing.assert_allclose(new[k], ds[k], rtol=1e-9, err_msg=k)


def test_rebased_projection_rolls_forward(rebased):
    """Whole fund and each part: closing = opening + income - expenditure, next opening = closing."""
    _, res, new = rebased
    income = new.contribution_income + new.fiscal_subsidy + new.interest_income + new.other_income
    np.testing.assert_allclose(new.fund_balance, new.opening_balance + income - new.benefit_expenditure
                               - new.other_expenditure, rtol=1e-9, atol=1.0)
    np.testing.assert_allclose(new.opening_balance.values[1:], new.fund_balance.values[:-1], rtol=1e-12)
    np.testing.assert_allclose(new.pooled_balance, new.pooled_opening_balance + new.pooled_income
                               - new.pooled_expenditure, rtol=1e-9, atol=1.0)
    np.testing.assert_allclose(new.account_balance, new.account_opening_balance + new.account_income
                               - new.account_expenditure, rtol=1e-9, atol=1.0)
    np.testing.assert_allclose(new.pooled_balance + new.account_balance, new.fund_balance, rtol=1e-9, atol=1.0)
    assert float(new.opening_balance.isel(year=0)) == pytest.approx(
        res.scenario.initial.pooled_balance + res.scenario.initial.account_balance, rel=1e-12)


def test_opening_split_with_a_pooled_deficit(default):
    """A pooled deficit: the accounts keep their projected balance (never negative), the pooled fund the rest."""
    sc, ds = default
    row = ds.sel(year=2024).copy()
    row["pooled_opening_balance"] = -1e11
    up = sc.fund.opening_balance_updates(sc, 5e11, row)
    assert up["initial.account_balance"] == pytest.approx(float(row.account_opening_balance))
    assert up["initial.pooled_balance"] + up["initial.account_balance"] == pytest.approx(5e11)
    up = sc.fund.opening_balance_updates(sc, -2e11, row)
    assert up["initial.account_balance"] == pytest.approx(float(row.account_opening_balance))
    assert up["initial.pooled_balance"] == pytest.approx(-2e11 - float(row.account_opening_balance))
    row["account_opening_balance"] = -5.0  # never negative
    assert sc.fund.opening_balance_updates(sc, 1e11, row)["initial.account_balance"] == 0.0


@pytest.mark.parametrize("subsidy", [{"subsidy.rule": "per_capita", "subsidy.per_capita": 50.0},
                                     {"subsidy.rule": "share_of_expenditure", "subsidy.share": 0.05},
                                     {"subsidy.amount": 1e10, "subsidy.growth": 0.05}])
def test_subsidy_where_the_rule_computes_it(default, subsidy):
    """Per insured member, share of expenditure, fixed with growth: the actual subsidy (x1.1) is matched (1e-6);
    re-based on its own 2030, the fixed amount carries the growth reached (2035 subsidy unchanged)."""
    sc = default[0].with_updates(subsidy)
    ds = sibrisk.project(sc, keep_detail=False)
    act = actuals_of(ds, YEAR, fiscal_subsidy=1.1, benefit_expenditure=1.05, contributors=1.02)
    row = sibrisk.project(sibrisk.rebase(sc, act).scenario, keep_detail=False).sel(year=YEAR)
    for k in ("fiscal_subsidy", "benefit_expenditure", "contributors", "fund_balance"):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
    new = sibrisk.project(sibrisk.rebase(sc, actuals_of(ds, YEAR)).scenario, keep_detail=False)
    assert float(new.fiscal_subsidy.sel(year=2035)) == pytest.approx(float(ds.fiscal_subsidy.sel(year=2035)),
                                                                      rel=0.01)
