"""Re-basing the resident pension (城乡居民基本养老保险) on actual accounts (``ResidentPensionFund.rebase_updates``):
the default scenario re-based on its own projection of 2024 with factors reproduces the factored accounts; re-based on
the unchanged projection it stays close to the original path; the re-based projection rolls forward."""

import numpy as np
import pytest
from test_rebase import actuals_of

import sibrisk

YEAR = 2024
# hand-made accounts: 2% more contributors, 3% fewer beneficiaries, 5% more benefit expenditure, 2% less contribution
# income, 10% more other expenditure, 4% more fiscal subsidy than the default projects for 2024
FACTORS = {"contributors": 1.02, "beneficiaries": 0.97, "benefit_expenditure": 1.05, "contribution_income": 0.98,
           "other_expenditure": 1.10, "fiscal_subsidy": 1.04}
CALIBRATED = ("contribution_income", "fiscal_subsidy", "benefit_expenditure", "other_expenditure", "contributors",
              "beneficiaries", "fund_balance")


@pytest.fixture(scope="module")
def default():
    sc = sibrisk.load_scenario("resident_pension_national")
    return sc, sibrisk.project(sc, keep_detail=False)


@pytest.fixture(scope="module")
def factored(default):
    sc, ds = default
    act = actuals_of(ds, YEAR, **FACTORS)
    res = sibrisk.rebase(sc, act)
    return act, res, sibrisk.project(res.scenario, keep_detail=False)


def test_rebased_base_year_reproduces_the_factored_accounts(default, factored):
    sc, ds = default
    act, res, new = factored
    assert res.scenario.projection.base_year == YEAR and int(new.year[-1]) == int(ds.year[-1])
    row = new.sel(year=YEAR)
    for k in CALIBRATED:
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
        assert res.check[k] == pytest.approx((act[k], float(row[k])), rel=1e-12)
    # interest is not calibrated: it is the fund's yield on the opening balance that gives the actual year-end
    # balance with the actual flows (measured: +0.30% against the factored 2024 interest)
    assert float(row.interest_income) == pytest.approx(act["interest_income"], rel=0.01)
    new_sc = res.scenario
    # what moved, by the rule of the docstring: the scale carries the contributors, the pension take-up the
    # beneficiaries per contributor; the working take-up and the statutory central minimum are kept
    assert new_sc.population.scale == pytest.approx(1.02, rel=1e-9)
    assert new_sc.series("coverage.takeup_pension")[0] == pytest.approx(sc.coverage.takeup_pension * 0.97 / 1.02,
                                                                  rel=1e-9)
    assert new_sc.coverage.takeup_working == sc.coverage.takeup_working
    assert new_sc.benefits.central_minimum == sc.benefits.central_minimum
    assert new_sc.coverage.student_share == sc.coverage.student_share  # age shapes kept
    assert new_sc.coverage.employee_reference_age == sc.coverage.employee_reference_age + (YEAR - 2021)
    # contributions per contributor: 0.98 / 1.02 of the default's 2024 level
    per_head = float(ds.contribution_income.sel(year=YEAR) / ds.contributors.sel(year=YEAR))
    assert float(row.contribution_income / row.contributors) == pytest.approx(per_head * 0.98 / 1.02, rel=1e-6)
    # the subsidy by the fund's own rule: basic pension cost + matching + other expenditure (all financed)
    assert float(row.fiscal_subsidy) == pytest.approx(
        float(row.basic_pension_expenditure + row.matching_subsidy + row.other_expenditure), rel=1e-12)
    # the individual accounts hold the year-end balance, as in the default's calibration
    assert float(row.account_balances) == pytest.approx(act["fund_balance"], rel=1e-6)
    text = res.report()
    for name in ("population.scale", "coverage.takeup_pension", "benefits.local_top_up",
                 "benefits.other_expenditure_share", "contributions.average", "subsidy.matching",
                 "initial.history_contribution", "initial.fund_balance"):
        assert name in text, name


def test_rebased_projection_rolls_forward(factored):
    _, _, new = factored
    income = new.contribution_income + new.fiscal_subsidy + new.interest_income + new.other_income
    spent = new.benefit_expenditure + new.other_expenditure
    np.testing.assert_allclose(new.fund_balance, new.opening_balance + income - spent, rtol=1e-10, atol=1.0)
    np.testing.assert_allclose(new.opening_balance[1:], new.fund_balance[:-1], rtol=1e-12)
    # the subsidy rule and the counts hold in every year, not only the base year
    np.testing.assert_allclose(new.fiscal_subsidy, new.basic_pension_expenditure + new.matching_subsidy
                               + new.other_expenditure, rtol=1e-10)
    np.testing.assert_allclose(new.insured, new.contributors / 0.8 + new.beneficiaries, rtol=1e-10)


def test_rebased_on_its_own_projection_stays_on_course(default):
    """Re-basing the default on its own unchanged 2024. Measured drift against the original path (2024-2070):
    counts and contributions within 0.03%; fund balance within 0.7% to 2060 and -1.5% in 2070; benefit expenditure
    -2.3% (2025) to -1.5% (2070) and subsidy about -2.3%: the base year's account pensions are rebuilt from the
    contribution-history assumption (12% above the ones the original accumulated from 2021), so the local top-up
    that gives the same average pension in 2024 is 7% lower, and so is the basic pension after 2024. Tolerances:
    1% (balance to 2060), 2% (to 2070), 0.1% (counts, contributions), 3% (benefit expenditure, subsidy)."""
    sc, ds = default
    res = sibrisk.rebase(sc, actuals_of(ds, YEAR))
    new = sibrisk.project(res.scenario, keep_detail=False)
    assert res.scenario.population.scale == pytest.approx(1.0, rel=1e-9)
    assert res.scenario.series("coverage.takeup_pension")[0] == pytest.approx(sc.coverage.takeup_pension, rel=1e-9)

    def rel(v, y0, y1):
        y = slice(y0, y1)
        return np.abs(new[v].sel(year=y) / ds[v].sel(year=y) - 1.0)

    assert float(rel("fund_balance", YEAR, 2024).max()) < 1e-9
    assert float(rel("fund_balance", YEAR, 2060).max()) < 0.01
    assert float(rel("fund_balance", YEAR, 2070).max()) < 0.02
    for v in ("contributors", "beneficiaries", "insured", "contribution_income"):
        assert float(rel(v, YEAR, 2070).max()) < 0.001, v
    for v in ("benefit_expenditure", "fiscal_subsidy"):
        assert float(rel(v, YEAR, 2070).max()) < 0.03, v


def test_pension_takeup_stays_a_rate_and_a_short_subsidy_is_left_to_the_opening_balance(default):
    """5% more beneficiaries with the same contributors would lift the pension take-up (0.975) above 1: the scale
    carries the beneficiaries, the pension take-up is 1 and the working take-up falls. A subsidy 30% short of the
    projection is below the basic pension cost: matching is 0, the subsidy stays above the actual (the fund's rule
    pays the basic pension in full) and the opening balance absorbs the difference."""
    sc, ds = default
    act = actuals_of(ds, YEAR, beneficiaries=1.05, fiscal_subsidy=0.7)
    res = sibrisk.rebase(sc, act)
    new = res.scenario
    row = sibrisk.project(new, keep_detail=False).sel(year=YEAR)
    assert max(new.series("coverage.takeup_pension")) == pytest.approx(1.0, rel=1e-9)
    assert max(new.series("coverage.takeup_working")) < sc.coverage.takeup_working
    for k in ("contributors", "beneficiaries", "benefit_expenditure", "contribution_income", "fund_balance"):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
    assert max(new.series("subsidy.matching")) == 0.0
    assert float(row.fiscal_subsidy) > act["fiscal_subsidy"] * 1.3
    opening = act["fund_balance"] - sum(act[k] for k in ("contribution_income", "fiscal_subsidy", "interest_income",
                                                         "other_income")) + act["benefit_expenditure"] + act[
        "other_expenditure"]
    excess = float(row.fiscal_subsidy) - act["fiscal_subsidy"]
    assert opening - float(row.opening_balance) == pytest.approx(excess, rel=0.01)  # less the year's interest
