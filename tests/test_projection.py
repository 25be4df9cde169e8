"""The default national scenario end to end: published 2021 figures, identities, labels, policy effects."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.enterprise_pension.calibration import PUBLISHED_2021

REQUIRED = ["contribution_income", "fiscal_subsidy", "interest_income", "benefit_expenditure", "fund_balance",
            "contributors", "beneficiaries", "covered_wage_bill", "balance_months"]


@pytest.mark.parametrize("name", ["total_income", "benefit_expenditure", "fund_balance", "contributors", "beneficiaries"])
def test_base_year_reproduces_published_2021_within_1pct(default_projection, name):
    # MOHRSS 2021 statistical bulletin, urban employee basic pension (see PUBLISHED_2021["source"])
    value = float(default_projection[name].sel(year=2021))
    assert value == pytest.approx(PUBLISHED_2021[name], rel=0.01)


def test_published_2021_balance_months(default_projection):
    # 52,574 / (56,481 / 12) = 11.17 months, from the same bulletin's figures
    assert float(default_projection.balance_months.sel(year=2021)) == pytest.approx(52574 / (56481 / 12), rel=0.01)


def test_dataset_shape_and_labels(default_projection):
    ds = default_projection
    for name in REQUIRED:
        assert name in ds, name
        assert ds[name].dims == ("year",)
    assert ds.contributors_by_age.dims == ("year", "age", "sex")
    assert ds.age.values[0] == 16 and ds.age.values[-1] == 100 and list(ds.sex.values) == ["male", "female"]
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units"), f"{name} has no units"
        assert var.attrs.get("long_name"), f"{name} has no long_name"
    assert ds.fund_balance.attrs["units"] == "yuan"
    assert ds.contributors.attrs["units"] == "persons"
    assert ds.attrs["flow_timing"] == "mid_year"
    assert ds.year.values[0] == 2021 and len(ds.year) == 50


def test_roll_forward_identity_every_year(default_projection):
    ds = default_projection
    closing = ds.opening_balance + ds.contribution_income + ds.fiscal_subsidy + ds.interest_income - ds.benefit_expenditure
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-13, atol=1e-3)  # yuan, on balances of ~1e12-1e14
    np.testing.assert_array_equal(ds.opening_balance.values[1:], ds.fund_balance.values[:-1])


def test_age_detail_adds_up(default_projection):
    ds = default_projection
    np.testing.assert_allclose(ds.contributors_by_age.sum(["age", "sex"]), ds.contributors, rtol=1e-12)
    np.testing.assert_allclose(ds.beneficiaries_by_age.sum(["age", "sex"]), ds.beneficiaries, rtol=1e-12)


def test_retirement_reform_lowers_cost_and_dependency(default_scenario, default_projection):
    old_rules = sibrisk.project(default_scenario.with_updates({"benefits.retirement_reform": False}))
    y = 2040
    assert float(default_projection.system_dependency_ratio.sel(year=y)) < float(old_rules.system_dependency_ratio.sel(year=y))
    assert float(default_projection.payg_cost_rate.sel(year=y)) < float(old_rules.payg_cost_rate.sel(year=y))
    # before 2025 the rules are the same
    assert float(default_projection.benefit_expenditure.sel(year=2024)) == pytest.approx(
        float(old_rules.benefit_expenditure.sel(year=2024)), rel=1e-12)


def test_mortality_improvement_raises_retirees(default_scenario, default_projection):
    none = sibrisk.project(default_scenario.with_updates({"mortality.improvement": 0.0}), keep_detail=False)
    assert float(none.beneficiaries.sel(year=2050)) < float(default_projection.beneficiaries.sel(year=2050))


def test_more_collection_more_income_same_expenditure(default_scenario, default_projection):
    more = sibrisk.project(default_scenario.with_updates({"economy.collection_rate": 0.9}), keep_detail=False)
    ratio = more.contribution_income / default_projection.contribution_income
    np.testing.assert_allclose(ratio, 0.9 / 0.8, rtol=1e-12)
    np.testing.assert_allclose(more.benefit_expenditure, default_projection.benefit_expenditure, rtol=1e-12)


def test_gap_filling_subsidy_keeps_the_floor(default_scenario):
    sc = default_scenario.with_updates({"subsidy": {"rule": "gap_to_floor", "floor_months": 6.0}})
    ds = sibrisk.project(sc, keep_detail=False)
    months = ds.fund_balance / (ds.benefit_expenditure / 12)
    assert float(months.min()) >= 6.0 - 1e-9
    assert (ds.fiscal_subsidy >= 0).all()


def test_end_year_timing_has_no_interest_on_flows(default_scenario, default_projection):
    ds = sibrisk.project(default_scenario.with_updates({"projection.flow_timing": "end_year"}), keep_detail=False)
    np.testing.assert_allclose(ds.interest_income, ds.opening_balance * ds.interest_rate, rtol=1e-12)
