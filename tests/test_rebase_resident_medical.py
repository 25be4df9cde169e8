"""Re-basing the resident medical fund (城乡居民基本医疗保险, ``ResidentMedicalFund.rebase_updates``): insured through
the participation rate (then the population scale), expenditure per insured through the cost level, premium income
per insured through the collection rate (then the top-up); the per-capita subsidy follows the insured."""

import numpy as np
import pytest

import sibrisk

ITEMS = ("fund_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
         "benefit_expenditure", "other_expenditure", "contributors", "beneficiaries")
YEAR = 2026  # two years after the default's base year 2024


def actuals_of(ds, year, **factors):
    row = ds.sel(year=year)
    out = {"year": year, **{k: float(row[k]) for k in ITEMS}}
    for k, f in factors.items():
        out[k] *= f
    return out


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario("resident_medical_national")


@pytest.fixture(scope="module")
def ds(sc):
    return sibrisk.project(sc, keep_detail=False)


def test_rebased_base_year_reproduces_the_accounts(sc, ds):
    """The default's own 2026 with 2% more insured, 5% more expenditure, 2% less premium income and a 10% higher
    balance: the re-based 2026 reproduces the insured (contributors = beneficiaries), the expenditure, the premium
    income and the year-end balance (measured residuals below 1e-12). The fiscal subsidy is not calibrated: it is
    the projection's subsidy per insured times the actual insured (2% above the actual subsidy here), and the
    interest follows the re-based opening balance; both gaps are in the opening balance."""
    act = actuals_of(ds, YEAR, contributors=1.02, beneficiaries=1.02, benefit_expenditure=1.05,
                     contribution_income=0.98, fund_balance=1.10)
    res = sibrisk.rebase(sc, act)
    new = res.scenario
    assert new.projection.base_year == YEAR and int(new.years[-1]) == int(sc.years[-1])
    row = sibrisk.project(new, keep_detail=False).sel(year=YEAR)
    for k in ("contribution_income", "benefit_expenditure", "contributors", "beneficiaries", "fund_balance"):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
        assert res.check[k][1] == pytest.approx(float(row[k]), rel=1e-12)
    old = ds.sel(year=YEAR)
    # the subsidy follows the insured: per insured as projected
    assert float(row.fiscal_subsidy) == pytest.approx(float(old.subsidy_per_capita) * act["contributors"], rel=1e-9)
    assert float(row.fiscal_subsidy) == pytest.approx(1.02 * act["fiscal_subsidy"], rel=1e-9)
    # the corrections: participation +2%, cost level = 2026 level x 1.05 / 1.02, collection 0.98 / 1.02
    assert new.series("coverage.participation")[0] == pytest.approx(1.02 * sc.series("coverage.participation")[0],
                                                                    rel=1e-4)
    assert new.costs.cost_level == pytest.approx(float(old.cost_level) * 1.05 / 1.02, rel=1e-4)
    assert new.series("economy.collection_rate")[0] == pytest.approx(0.98 / 1.02, rel=1e-4)
    assert new.financing.top_up == sc.financing.top_up
    assert new.population.scale == sc.population.scale
    # the age-sex shapes are the scenario's own
    assert new.coverage.employee_share == sc.coverage.employee_share
    assert new.costs.relative_cost == sc.costs.relative_cost
    text = res.report()
    for name in ("coverage.participation", "costs.cost_level", "economy.collection_rate", "initial.fund_balance"):
        assert name in text, name


def test_rates_capped_at_one_pass_the_rest_on(sc, ds):
    """15% more insured than the participation rate of at most 1 allows (default 0.91): participation goes to 1
    and the population scale carries the rest; 25% more premium income (about 8.7% more per insured) than full
    collection allows: the collection rate stays 1 and the top-up carries it, raising the subsidy per insured
    with it (the top-up is one factor on both national standards)."""
    act = actuals_of(ds, YEAR, contributors=1.15, beneficiaries=1.15, contribution_income=1.25,
                     benefit_expenditure=1.05)
    res = sibrisk.rebase(sc, act)
    new = res.scenario
    row = sibrisk.project(new, keep_detail=False).sel(year=YEAR)
    for k in ("contribution_income", "benefit_expenditure", "contributors", "fund_balance"):
        assert float(row[k]) == pytest.approx(act[k], rel=1e-6), k
    assert np.max(new.series("coverage.participation")) <= 1.0
    assert np.max(new.series("coverage.participation")) == pytest.approx(1.0, abs=1e-3)
    assert new.population.scale > 1.04
    assert np.max(new.series("economy.collection_rate")) <= 1.0
    assert new.financing.top_up == pytest.approx(sc.financing.top_up * 1.25 / 1.15, rel=1e-4)
    old = ds.sel(year=YEAR)
    assert float(row.subsidy_per_capita) == pytest.approx(float(old.subsidy_per_capita) * 1.25 / 1.15, rel=1e-4)
    adjusted = {name for name, *_ in res.adjusted}
    assert {"population.scale", "financing.top_up"} <= adjusted


def test_differing_counts_match_the_insured(sc, ds):
    """contributors = beneficiaries = insured in this fund: actual counts that differ cannot both be matched; the
    insured follow ``contributors`` (and ``beneficiaries`` when it is the only count)."""
    act = actuals_of(ds, YEAR, contributors=1.02, beneficiaries=0.97)
    row = sibrisk.project(sibrisk.rebase(sc, act).scenario, keep_detail=False).sel(year=YEAR)
    assert float(row.insured) == pytest.approx(act["contributors"], rel=1e-6)
    act = actuals_of(ds, YEAR, beneficiaries=0.97)
    del act["contributors"]
    row = sibrisk.project(sibrisk.rebase(sc, act).scenario, keep_detail=False).sel(year=YEAR)
    assert float(row.insured) == pytest.approx(act["beneficiaries"], rel=1e-6)


def test_rebased_on_its_own_projection_stays_on_course(sc, ds):
    """Re-basing on the default's own 2026 keeps the path: the re-based population is projected to 2026 with the
    published fertility instead of the scenario's (``population_paths``), which moves the age mix slightly; the
    participation and cost level absorb it in 2026. Measured to 2054: insured and expenditure within 1.1e-5
    (relative), the balance within 1.6e-4 of the year's expenditure (it crosses zero about 2031). Tolerances:
    1e-4 and 1e-3."""
    res = sibrisk.rebase(sc, actuals_of(ds, YEAR))
    new = sibrisk.project(res.scenario, keep_detail=False)
    years = slice(YEAR, int(sc.years[-1]))
    for k in ("insured", "benefit_expenditure", "contribution_income", "fiscal_subsidy"):
        np.testing.assert_allclose(new[k].sel(year=years), ds[k].sel(year=years), rtol=1e-4, err_msg=k)
    gap = np.abs(new.fund_balance.sel(year=years) - ds.fund_balance.sel(year=years))
    assert float(np.max(gap / ds.benefit_expenditure.sel(year=years))) < 1e-3
    # on the base year itself nothing moves
    same = sibrisk.project(sibrisk.rebase(sc, actuals_of(ds, 2024)).scenario, keep_detail=False)
    np.testing.assert_allclose(same.fund_balance, ds.fund_balance, rtol=1e-9)


def test_rebased_projection_rolls_forward(sc, ds):
    act = actuals_of(ds, YEAR, contributors=1.02, beneficiaries=1.02, benefit_expenditure=1.05,
                     contribution_income=0.98, fund_balance=1.10)
    new = sibrisk.project(sibrisk.rebase(sc, act).scenario, keep_detail=False)
    income = new.contribution_income + new.fiscal_subsidy + new.interest_income + new.other_income
    spend = new.benefit_expenditure + new.other_expenditure
    np.testing.assert_allclose(new.total_income, income, rtol=1e-12)
    np.testing.assert_allclose(new.total_expenditure, spend, rtol=1e-12)
    scale = float(np.max(np.abs(new.fund_balance)))
    np.testing.assert_allclose(new.fund_balance, new.opening_balance + income - spend, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(new.opening_balance[1:], new.fund_balance[:-1], rtol=0, atol=1e-9 * scale)
    assert int(new.year[0]) == YEAR
