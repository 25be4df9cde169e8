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
    # the individual accounts are carried from the projection of 2024 (per participant; the history is unused):
    # participants below 60 are the projection's x the population scale 1.02 (the working take-up is kept)
    assert new_sc.initial.state is not None and "2024" in new_sc.initial.state.source
    assert new_sc.initial.history_contribution == sc.initial.history_contribution
    assert float(row.account_balances) == pytest.approx(1.02 * float(ds.account_balances.sel(year=YEAR)), rel=1e-9)
    text = res.report()
    for name in ("population.scale", "coverage.takeup_pension", "benefits.local_top_up",
                 "benefits.other_expenditure_share", "contributions.average", "subsidy.matching",
                 "initial.state", "initial.beneficiary_exposure", "initial.fund_balance"):
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
    """Re-basing the default on its own unchanged 2024 continues the projection (the accounts by age and the base
    year's mid-year exposures carried, ``carried_state_updates``). Measured against the original path: every flow
    and count within 1e-9 to 2037; from 2038 the cohorts born after 2021 reach 16, and the re-based population has
    the published fertility of 2022-2024 instead of the scenario's (a population matter, not the fund's):
    contributors and contributions then differ by up to 2.0e-4, accounts 2.0e-4, the balance 2.9e-4, the subsidy
    (matching) 5.8e-7 by 2070; beneficiaries and pensions (60+) stay within 1e-15. Before the state was carried:
    benefit expenditure -2.3% (2025) to -1.5% (2070), subsidy -2.3%, balance -1.5% in 2070."""
    sc, ds = default
    res = sibrisk.rebase(sc, actuals_of(ds, YEAR))
    new = sibrisk.project(res.scenario, keep_detail=False)
    assert res.scenario.population.scale == pytest.approx(1.0, rel=1e-9)
    assert res.scenario.series("coverage.takeup_pension")[0] == pytest.approx(sc.coverage.takeup_pension, rel=1e-9)

    def rel(v, y0, y1):
        y = slice(y0, y1)
        return float(np.abs(new[v].sel(year=y) / ds[v].sel(year=y) - 1.0).max())

    every = ("fund_balance", "contributors", "beneficiaries", "insured", "contribution_income", "fiscal_subsidy",
             "benefit_expenditure", "other_expenditure", "account_balances", "account_pension_expenditure")
    for v in every:
        assert rel(v, YEAR, 2037) < 1e-9, v
    for v in ("fund_balance", "contributors", "insured", "contribution_income", "account_balances"):
        assert rel(v, YEAR, 2070) < 5e-4, v
    assert rel("fiscal_subsidy", YEAR, 2070) < 1e-5
    for v in ("beneficiaries", "benefit_expenditure", "basic_pension"):
        assert rel(v, YEAR, 2070) < 1e-12, v


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
