"""Resident pension (城乡居民基本养老保险): hand case, kernel == NumPy twin, identities, 2021 calibration, rules that
matter, bad inputs, stochastic runs."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import sibrisk
from sibrisk.errors import InputError
from sibrisk.funds.resident_pension import kernel as k
from sibrisk.funds.resident_pension.calibration import PUBLISHED_2021, calibrate
from sibrisk.funds.resident_pension.inputs import KernelInputs, run_kernel
from sibrisk.funds.resident_pension.reference import project_reference

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "resident_pension_national.toml"


def tiny(n_age, n_year, n_scen, **kw) -> KernelInputs:
    return KernelInputs(**kw, years=np.arange(2021, 2021 + n_year), ages=np.arange(16, 16 + n_age))


# ---------------------------------------------------------------------------------------------------------------
# (1) hand-computed case: 3 ages (index 0 below the pension age, 1 = pension age, 2 = open group), men only, 2 years
def hand_case() -> KernelInputs:
    z = np.zeros(3)
    return tiny(
        3, 2, 1,
        pop=np.array([[np.stack([[100.0, 50, 40], z], axis=1), np.stack([[80.0, 45, 60], z], axis=1)]]),
        cov=np.array([np.stack([[0.5, 1.0, 1.0]] * 2, axis=1)] * 2),
        k0=np.stack([[200.0, 0, 0], z], axis=1), ap0=np.stack([[0.0, 12, 6], z], axis=1),
        q_base=np.stack([[0.1, 0.2, 0.5]] * 2, axis=1), mort_b=np.zeros((3, 2)), kappa=np.zeros((1, 2)), jp=1,
        density=np.array([0.8, 0.8]), contrib=np.array([100.0, 100.0]), match=np.array([30.0, 30.0]),
        credit=np.array([[0.1, 0.1]]), basic=np.array([[1200.0, 1200.0]]), rate=np.zeros((1, 2)), months=100.0,
        other_share=np.array([0.1, 0.1]), other_financed=np.array([1.0, 1.0]), opening0=1000.0, mid_year=False)


@pytest.mark.parametrize("runner", ["kernel", "reference"])
def test_hand_case(runner):
    inp = hand_case()
    flows, detail = run_kernel(inp, parallel=False) if runner == "kernel" else project_reference(inp)
    y0, y1 = flows[0, 0], flows[0, 1]
    # base year: participants N = cov x pop = [50, 50, 40]; beneficiaries 50 + 40 = 90 (year-end stock)
    # basic 90 x 1200 = 108,000; account pensions 50 x 12 + 40 x 6 = 840; benefits 108,840; other 10% = 10,884
    # contributors 50 x 0.8 = 40: contributions 40 x 100 = 4,000, matching 40 x 30 = 1,200
    # subsidy = 108,000 + 1,200 + 10,884 = 120,084; closing = 1,000 + 4,000 + 120,084 - 108,840 - 10,884 = 5,360
    assert y0[k.F_BENEFICIARIES] == pytest.approx(90)
    assert y0[k.F_BASIC] == pytest.approx(108_000)
    assert y0[k.F_ACCOUNT] == pytest.approx(840)
    assert y0[k.F_OTHER] == pytest.approx(10_884)
    assert y0[k.F_CONTRIB] == pytest.approx(4_000)
    assert y0[k.F_MATCHING] == pytest.approx(1_200)
    assert y0[k.F_SUBSIDY] == pytest.approx(120_084)
    assert y0[k.F_CLOSING] == pytest.approx(5_360)
    # year 1: N = cov x pop = [40, 45, 60]; survival p = [0.9, 0.8, 0.5]
    # age 0: no one below, K = 0.8 x (100 + 30) = 104
    # age 1 (pension age): 50 x 0.9 = 45 survivors with K 200 -> account pension 200 x 1.1 x 12 / 100 = 26.4
    # age 2 (open): survivors 50 x 0.8 = 40 (AP 12) + 40 x 0.5 = 20 (AP 6): AP = (480 + 120) / 60 = 10
    #   start-of-year stock 50 + 40 = 90 with AP (600 + 240) / 90
    # exposure = (90 + 105) / 2 = 97.5; basic 97.5 x 1200 = 117,000
    # account pensions = (840 + 45 x 26.4 + 60 x 10) / 2 = 1,314; benefits 118,314; other 11,831.4
    # contributors 40 x 0.8 = 32: contributions 3,200, matching 960; subsidy 117,000 + 960 + 11,831.4
    # closing = 5,360 + 3,200 + 960 - 1,314 = 8,206 (the subsidy pays basic pensions and other expenditure)
    assert detail[0, 1, 0, 0, k.D_ACCOUNT] == pytest.approx(104)
    assert detail[0, 1, 1, 0, k.D_ACCOUNT_PENSION] == pytest.approx(26.4)
    assert detail[0, 1, 2, 0, k.D_ACCOUNT_PENSION] == pytest.approx(10)
    assert y1[k.F_BEN_EXPOSURE] == pytest.approx(97.5)
    assert y1[k.F_BASIC] == pytest.approx(117_000)
    assert y1[k.F_ACCOUNT] == pytest.approx(1_314)
    assert y1[k.F_OTHER] == pytest.approx(11_831.4)
    assert y1[k.F_SUBSIDY] == pytest.approx(129_791.4)
    assert y1[k.F_CLOSING] == pytest.approx(8_206)
    assert y1[k.F_ACCOUNTS] == pytest.approx(40 * 104)
    assert y1[k.F_NEW_BEN] == pytest.approx(45)
    assert y1[k.F_CONTRIBUTORS] == pytest.approx(32)


# ---------------------------------------------------------------------------------------------------------------
# (2) kernel == reference on random small inputs; serial == parallel
@st.composite
def kernel_inputs(draw):
    n_age = draw(st.integers(2, 7))
    n_year = draw(st.integers(1, 5))
    n_scen = draw(st.integers(1, 3))
    # magnitudes kept away from underflow (1e-300 x 1e-30 is not a population)
    pos = st.one_of(st.just(0.0), st.floats(1e-3, 1e4))
    frac = st.one_of(st.just(0.0), st.floats(1e-3, 1.0))
    rate = st.floats(-0.05, 0.15, allow_nan=False, allow_subnormal=False)

    def arr(shape, elements):
        return draw(hnp.arrays(float, shape, elements=elements))

    jp = draw(st.integers(0, n_age - 1))
    below = (np.arange(n_age) < jp)[:, None]
    return tiny(
        n_age, n_year, n_scen,
        pop=arr((n_scen, n_year, n_age, 2), pos), cov=arr((n_year, n_age, 2), frac),
        k0=np.where(below, arr((n_age, 2), pos), 0.0), ap0=np.where(below, 0.0, arr((n_age, 2), pos)),
        q_base=arr((n_age, 2), st.floats(0, 0.6)), mort_b=arr((n_age, 2), st.floats(-0.05, 0.0)),
        kappa=arr((n_scen, n_year), st.floats(0, 30)), jp=jp, density=arr((n_year,), frac),
        contrib=arr((n_year,), st.floats(0, 2000)), match=arr((n_year,), st.floats(0, 100)),
        credit=arr((n_scen, n_year), rate), basic=arr((n_scen, n_year), st.floats(0, 1e4)),
        rate=arr((n_scen, n_year), rate), months=draw(st.floats(50, 240)), other_share=arr((n_year,), frac),
        other_financed=arr((n_year,), frac), opening0=draw(st.floats(-1e6, 1e6)), mid_year=draw(st.booleans()))


@settings(max_examples=40, deadline=None)
@given(kernel_inputs())
def test_kernel_matches_reference(inp):
    f_numba, d_numba = run_kernel(inp, parallel=False)
    f_ref, d_ref = project_reference(inp)
    np.testing.assert_allclose(f_numba, f_ref, rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(d_numba, d_ref, rtol=1e-10, atol=1e-6)


@settings(max_examples=10, deadline=None)
@given(kernel_inputs())
def test_parallel_equals_serial(inp):
    f_serial, d_serial = run_kernel(inp, parallel=False)
    f_par, d_par = run_kernel(inp, parallel=True)
    np.testing.assert_array_equal(f_serial, f_par)
    np.testing.assert_array_equal(d_serial, d_par)


def test_default_inputs_kernel_matches_reference(scenario):
    from sibrisk.projection import fund_inputs

    inp = fund_inputs(scenario, 3, seed=5, stochastic=True)
    f_numba, d_numba = run_kernel(inp, parallel=True)
    f_ref, d_ref = project_reference(inp)
    np.testing.assert_allclose(f_numba, f_ref, rtol=1e-10)
    np.testing.assert_allclose(d_numba, d_ref, rtol=1e-10, atol=1e-9)


# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scenario():
    return sibrisk.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def projection(scenario):
    return sibrisk.project(scenario)


def _quick(sc, updates):
    return sibrisk.project(sc.with_updates(updates), keep_detail=False, indicators=False)


# (3) the roll-forward closes every year
def test_roll_forward_identity_every_year(projection):
    ds = projection
    closing = (ds.opening_balance + ds.contribution_income + ds.fiscal_subsidy + ds.interest_income
               - ds.benefit_expenditure - ds.other_expenditure)
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-13, atol=1e-3)
    np.testing.assert_array_equal(ds.opening_balance.values[1:], ds.fund_balance.values[:-1])
    np.testing.assert_allclose(ds.benefit_expenditure, ds.basic_pension_expenditure + ds.account_pension_expenditure,
                               rtol=1e-13)


def test_detail_adds_up(projection):
    ds = projection
    np.testing.assert_allclose(ds.participants_by_age.sum(["age", "sex"]), ds.insured, rtol=1e-12)
    np.testing.assert_allclose(ds.beneficiaries_by_age.sum(["age", "sex"]), ds.beneficiaries, rtol=1e-12)
    np.testing.assert_allclose(ds.contributors_by_age.sum(["age", "sex"]), ds.contributors, rtol=1e-12)
    assert float(ds.beneficiaries_by_age.sel(age=slice(16, 59)).sum()) == 0.0
    assert ds.participants_by_age.dims == ("year", "age", "sex") and int(ds.age[0]) == 16


# (4) base-year calibration: MOHRSS 2021年度人力资源和社会保障事业发展统计公报 (resident scheme: income 5,339, expenditure
# 3,715, balance 11,396 亿元; 54,797 万 participants, 16,213 万 beneficiaries) and Qiushi 2022-07-12 (179 yuan/month)
@pytest.mark.parametrize("name, published", [("total_income", 5339e8), ("total_expenditure", 3715e8),
                                             ("fund_balance", 11396e8), ("insured", 54797e4),
                                             ("beneficiaries", 16213e4)])
def test_base_year_reproduces_published_2021_within_1pct(projection, name, published):
    assert PUBLISHED_2021[name] == published
    assert float(projection[name].sel(year=2021)) == pytest.approx(published, rel=0.01)


def test_base_year_average_pension_179(projection):
    assert float(projection.average_benefit.sel(year=2021)) / 12 == pytest.approx(179.0, rel=0.01)


def test_calibration_rederives_the_shipped_values(scenario):
    cal = calibrate()
    assert scenario.coverage.employee_plateau == pytest.approx(cal["employee_plateau"], rel=1e-5)
    assert scenario.coverage.employee_cohort_decline == pytest.approx(cal["employee_cohort_decline"], rel=1e-5)
    assert scenario.coverage.takeup_working == pytest.approx(cal["takeup_working"], rel=1e-5)
    assert scenario.coverage.takeup_pension == pytest.approx(cal["takeup_pension"], rel=1e-5)
    assert scenario.series("benefits.local_top_up")[0] == pytest.approx(cal["local_top_up"], rel=1e-5)
    assert scenario.benefits.other_expenditure_share == pytest.approx(cal["other_expenditure_share"], rel=1e-5)
    assert scenario.contributions.average == pytest.approx(cal["average_contribution"], rel=1e-5)
    assert scenario.initial.fund_balance == pytest.approx((11396 - 5339 + 3715) * 1e8, rel=1e-6)
    assert 0 < cal["takeup_working"] <= 1 and 0 < cal["takeup_pension"] <= 1


# (5) each rule matters, in the expected direction
def test_matching_goes_to_subsidy_and_accounts(scenario, projection):
    off = _quick(scenario, {"subsidy.matching": 0.0})
    y = 2030
    assert float(off.fiscal_subsidy.sel(year=y)) < float(projection.fiscal_subsidy.sel(year=y))
    assert float(off.account_balances.sel(year=y)) < float(projection.account_balances.sel(year=y))
    np.testing.assert_allclose(off.contribution_income, projection.contribution_income, rtol=1e-12)


def test_unfinanced_other_expenditure_drains_the_fund(scenario, projection):
    off = _quick(scenario, {"subsidy.other_expenditure_financed": 0.0})
    assert float(off.fund_balance.sel(year=2030)) < float(projection.fund_balance.sel(year=2030))


def test_other_expenditure_share(scenario, projection):
    off = _quick(scenario, {"benefits.other_expenditure_share": 0.0})
    np.testing.assert_allclose(off.other_expenditure, 0.0)
    assert float(off.fiscal_subsidy.sel(year=2021)) < float(projection.fiscal_subsidy.sel(year=2021))


def test_indexation_raises_basic_pension_cost(scenario, projection):
    flat = _quick(scenario, {"economy.benefit_indexation": 0.0})
    assert float(flat.basic_pension_expenditure.sel(year=2040)) < float(projection.basic_pension_expenditure.sel(year=2040))
    # before indexation_from (2026) the published levels apply either way
    np.testing.assert_allclose(flat.basic_pension.sel(year=slice(2021, 2025)),
                               projection.basic_pension.sel(year=slice(2021, 2025)), rtol=1e-12)
    # 2024: the central minimum's +20 yuan/month and the provinces' top-up step (81.26 -> 105.38, FITTED by
    # calibration.fit_multi_year, chiefly to the 2024 expenditure): 12 x (20 + 24.114) = 529.4 yuan a year
    top = scenario.series("benefits.local_top_up")
    step = 12.0 * (20.0 + top[3] - top[2])
    assert step == pytest.approx(529.4, abs=0.05)
    assert float(projection.basic_pension.sel(year=2024) - projection.basic_pension.sel(year=2023)) == pytest.approx(step)


def test_contribution_density_and_crediting(scenario, projection):
    low = _quick(scenario, {"contributions.density": 0.5})
    assert float(low.contribution_income.sel(year=2030)) < float(projection.contribution_income.sel(year=2030))
    more = _quick(scenario, {"economy.account_crediting_rate": 0.06})
    assert (float(more.account_pension_expenditure.sel(year=2040))
            > float(projection.account_pension_expenditure.sel(year=2040)))


def test_coverage_rules(scenario, projection):
    low = _quick(scenario, {"coverage.takeup_pension": 0.5})
    assert float(low.beneficiaries.sel(year=2021)) < float(projection.beneficiaries.sel(year=2021))
    # cohorts of the same employee coverage as the young: fewer resident pensioners later
    flat = _quick(scenario, {"coverage.employee_cohort_decline": 0.0})
    assert float(flat.beneficiaries.sel(year=2040)) < float(projection.beneficiaries.sel(year=2040))


def test_mortality_improvement_raises_beneficiaries(scenario, projection):
    none = _quick(scenario, {"mortality.improvement": 0.0})
    assert float(none.beneficiaries.sel(year=2050)) < float(projection.beneficiaries.sel(year=2050))


# (6) bad inputs name the file and the field
@pytest.mark.parametrize("updates, field", [
    ({"coverage.takeup_working": 1.2}, "coverage.takeup_working"),
    ({"contributions.density": 1.5}, "contributions.density"),
    ({"economy.interest_rate": 1.5}, "economy.interest_rate"),
    ({"subsidy.matching": -30.0}, "subsidy.matching"),
])
def test_bad_rates_raise(scenario, updates, field):
    with pytest.raises(InputError) as e:
        scenario.with_updates(updates)
    assert e.value.field == field and e.value.file == str(SCENARIO)


def test_student_share_above_one_raises(scenario):
    male = list(scenario.coverage.student_share.male)
    male[2] = 1.3
    with pytest.raises(InputError) as e:
        scenario.with_updates({"coverage.student_share.male": male})
    assert "coverage.student_share" in e.value.field and e.value.file == str(SCENARIO)
    assert "at most 1" in str(e.value)


def test_age_table_wrong_length_raises(scenario):
    with pytest.raises(InputError) as e:
        scenario.with_updates({"coverage.student_share.female": [0.5] * 10})
    assert "coverage.student_share" in e.value.field and e.value.file == str(SCENARIO)
    assert "expected 85" in str(e.value)


# (7) stochastic scenarios
def test_simulate_50_closes(scenario):
    ds = sibrisk.simulate(scenario, 50, seed=1, progress=False)
    assert ds.sizes["scenario"] == 50
    closing = (ds.opening_balance + ds.contribution_income + ds.fiscal_subsidy + ds.interest_income
               - ds.benefit_expenditure - ds.other_expenditure)
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-12, atol=1e-2)
    assert float(ds.fund_balance.std("scenario").sel(year=2050)) > 0
    np.testing.assert_allclose(ds.fund_balance.sel(year=2021), 11396e8, rtol=0.01)
