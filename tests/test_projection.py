"""The default national scenario end to end: published 2021 figures, identities, labels, policy effects."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.enterprise_pension.calibration import PUBLISHED_2021

REQUIRED = ["contribution_income", "fiscal_subsidy", "interest_income", "benefit_expenditure", "fund_balance",
            "contributors", "beneficiaries", "covered_wage_bill", "balance_months"]


@pytest.mark.parametrize("name", ["total_income", "benefit_expenditure", "fund_balance", "contributors", "beneficiaries"])
def test_base_year_reproduces_published_2021_within_1pct(default_projection, name):
    # enterprise scheme 2021 (PUBLISHED_2021 = ENTERPRISE_2021, see its "source"): income 4.4 tn and expenditure
    # 4.1 tn (Qi Tao, MOHRSS, SCIO 2022-09-02), balance 4.8 tn (Yu Weiping, MOF, SCIO 2022-02-22), 42,228 万
    # enterprise participants (MOHRSS 2021 bulletin) split into contributors and retirees by the published average
    # enterprise pension 2,987 元/月 (Qiushi 2022-07-12)
    value = float(default_projection[name].sel(year=2021))
    if name == "contributors":  # published 参保职工 count insured workers, contributing or not
        value += float(default_projection.insured_not_contributing.sel(year=2021))
    assert value == pytest.approx(PUBLISHED_2021[name], rel=0.01)


def test_published_2021_balance_months(default_projection):
    # 48,000 / (41,000 / 12) = 14.05 months: MOF's "can cover payments for more than 14 months" (Yu Weiping, SCIO
    # 2022-02-22) for the enterprise fund at the end of 2021
    assert float(default_projection.balance_months.sel(year=2021)) == pytest.approx(48000 / (41000 / 12), rel=0.01)
    assert float(default_projection.balance_months.sel(year=2021)) > 14.0


def test_enterprise_and_public_sector_add_up_to_the_urban_employee_totals():
    # MOHRSS 2021 bulletin: 60,455 / 56,481 / 52,574 亿元; 34,917 + 13,157 = 48,074 万
    from sibrisk.funds.enterprise_pension.calibration import PUBLIC_SECTOR_2021, SPLIT_KEYS, URBAN_EMPLOYEE_2021

    for k in SPLIT_KEYS:
        assert PUBLISHED_2021[k] + PUBLIC_SECTOR_2021[k] == URBAN_EMPLOYEE_2021[k], k
    assert PUBLISHED_2021["participants"] == 42228e4
    assert PUBLISHED_2021["contributors"] + PUBLISHED_2021["beneficiaries"] == 42228e4


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
    closing = (ds.opening_balance + ds.contribution_income + ds.fiscal_subsidy + ds.interest_income
               - ds.benefit_expenditure - ds.other_expenditure)  # other: accounts paid out to leavers
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
    base = default_scenario.economy.collection_rate
    more = sibrisk.project(default_scenario.with_updates({"economy.collection_rate": 0.9}), keep_detail=False)
    # back-payment lump sums (补缴) are paid in full, outside the collection rate
    ratio = ((more.contribution_income - more.back_payments)
             / (default_projection.contribution_income - default_projection.back_payments))
    np.testing.assert_allclose(ratio, 0.9 / base, rtol=1e-12)
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


def test_policy_change_acts_from_its_effective_date(default_scenario, default_projection):
    """Employer rate 16% -> 14% from 2025: 2021-2024 (the calibrated base year included) are unchanged; from 2025
    contributions fall by 2/24 of the total 24% rate; a plain number without a date changes the base year too."""
    sc = default_scenario.with_updates({"contributions.employer_rate": 0.14}, effective_from=2025)
    assert sc.contributions.employer_rate == {2021: 0.16, 2025: 0.14}
    ds = sibrisk.project(sc, keep_detail=False)
    early = slice(2021, 2024)
    for v in ("contribution_income", "fiscal_subsidy", "interest_income", "fund_balance", "contributors"):
        np.testing.assert_array_equal(ds[v].sel(year=early), default_projection[v].sel(year=early))
    ratio = float(ds.contribution_income.sel(year=2025) / default_projection.contribution_income.sel(year=2025))
    assert ratio == pytest.approx(22 / 24, rel=1e-12)
    whole = sibrisk.project(default_scenario.with_updates({"contributions.employer_rate": 0.14}), keep_detail=False)
    assert float(whole.contribution_income.sel(year=2021)) < float(default_projection.contribution_income.sel(year=2021))
    with pytest.raises(sibrisk.InputError, match="effective"):
        default_scenario.with_updates({"contributions.employer_rate": 0.14}, effective_from=2021)
