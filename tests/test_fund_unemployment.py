"""Unemployment insurance (失业保险): hand-computed kernel case, kernel == NumPy twin, the default scenario's
calibration to the MOHRSS 2021 bulletin, a 2023 back-test, rules that must matter, bad inputs, stochastic runs."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import sibrisk
from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SUB_FIXED
from sibrisk.funds.unemployment import calibration as cal
from sibrisk.funds.unemployment import kernel as k
from sibrisk.funds.unemployment.inputs import KernelInputs, run_kernel
from sibrisk.funds.unemployment.reference import project_reference

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "unemployment_national.toml"


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def ds(sc):
    return sibrisk.project(sc)


def _proj(sc, updates):
    return sibrisk.project(sc.with_updates(updates), keep_detail=False)


# ---------------------------------------------------------------- (1) a tiny case by hand
def tiny_case():
    pop = np.zeros((1, 2, 2, 2))
    pop[0, 0, :, 0] = [100.0, 300.0]   # year 0: men aged a0, a1
    pop[0, 1, :, 0] = [200.0, 300.0]   # year 1
    return KernelInputs(
        pop=pop, cov=np.full((2, 2, 2), 0.5), wage=np.array([[1000.0, 1100.0]]), base_ratio=0.8,
        contrib_rate=np.array([0.01, 0.02]), collection=np.array([[1.0, 0.5]]), unemp=np.array([[0.1, 0.2]]),
        takeup=np.array([0.5, 0.5]), band_shares=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
        max_months=np.array([12.0, 18.0, 24.0]), mean_spell=np.array([12.0, 24.0]),
        min_wage=np.array([[100.0, 200.0]]), benefit_share=np.array([0.9, 0.5]), medical_share=np.array([0.1, 0.2]),
        stab_share=np.array([0.1, 0.2]), skills_share=np.array([0.05, 0.0]), other_amount=np.array([0.0, 50.0]),
        rate=np.array([[0.04, 0.04]]), opening0=1000.0, mid_year=False, rule=SUB_FIXED,
        sub_param=np.array([0.0, 10.0]), years=np.array([2021, 2022]), ages=np.array([16, 17]))


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_tiny_case_by_hand(engine):
    inp = tiny_case()
    flows, detail = run_kernel(inp) if engine == "numba" else project_reference(inp)
    f0, f1 = flows[0, 0], flows[0, 1]
    d0 = 12 * (1 - math.exp(-1))          # band 1-5 only, cap 12, mean spell 12: E[min(spell, 12)]
    d1 = 24 * (1 - math.exp(-1))          # band 10+ only, cap 24, mean spell 24
    # year 0: insured 0.5 x 400 = 200 (year-end stock); wage bill 200 x 1000 x 0.8 = 160,000; 1% -> 1,600
    assert f0[k.F_INSURED] == pytest.approx(200.0)
    assert f0[k.F_WAGEBILL] == pytest.approx(160000.0)
    assert f0[k.F_CONTRIB] == pytest.approx(1600.0)
    # unemployed 200 x 10% = 20, claims 20 x 50% = 10, months 10 d0; steady state: stock = 10 d0 / 12 carried in
    assert f0[k.F_CLAIMS] == pytest.approx(10.0)
    assert f0[k.F_MONTHS_PER_CLAIM] == pytest.approx(d0)
    assert f0[k.F_STOCK_END] == pytest.approx(10 * d0 / 12)
    assert f0[k.F_IN_YEAR] == pytest.approx(10 + 10 * d0 / 12)
    # benefit 90% x 100 = 90 a month: paid 900 d0, medical 10% -> 90 d0; refunds 10% x 1,600, skills 5% x 1,600
    assert f0[k.F_UI_PAID] == pytest.approx(900 * d0)
    assert f0[k.F_BENEFIT] == pytest.approx(990 * d0)
    assert f0[k.F_OTHER] == pytest.approx(160.0 + 80.0)
    # year-end flows: interest 4% x 1,000
    assert f0[k.F_INTEREST] == pytest.approx(40.0)
    c0 = 1000 + 1600 + 40 - 990 * d0 - 240
    assert f0[k.F_CLOSING] == pytest.approx(c0)
    # year 1: insured 0.5 x 500 = 250, exposure (200 + 250)/2 = 225; bill 225 x 1100 x 0.8 = 198,000;
    # contributions 2% x 50% collected = 1,980
    assert f1[k.F_INSURED] == pytest.approx(250.0)
    assert f1[k.F_WAGEBILL] == pytest.approx(198000.0)
    assert f1[k.F_CONTRIB] == pytest.approx(1980.0)
    # unemployed 225 x 20% = 45, claims 22.5, months 22.5 d1; in year = claims + last year's year-end stock
    assert f1[k.F_CLAIMS] == pytest.approx(22.5)
    assert f1[k.F_IN_YEAR] == pytest.approx(22.5 + 10 * d0 / 12)
    assert f1[k.F_STOCK_END] == pytest.approx(22.5 * d1 / 12)
    # benefit 50% x 200 = 100 a month; paid 2,250 d1, medical 20%; refunds 20% x 1,980 = 396; other amount 50
    assert f1[k.F_MONTHLY_BENEFIT] == pytest.approx(100.0)
    assert f1[k.F_BENEFIT] == pytest.approx(2250 * d1 * 1.2)
    assert f1[k.F_OTHER] == pytest.approx(396.0 + 50.0)
    # fixed subsidy 10; interest 4% of the opening c0
    assert f1[k.F_SUBSIDY] == pytest.approx(10.0)
    assert f1[k.F_CLOSING] == pytest.approx(c0 * 1.04 + 1980 + 10 - 2250 * d1 * 1.2 - 446)
    np.testing.assert_allclose(detail[0, 1, :, 0], [100.0, 150.0])


# ---------------------------------------------------------------- (2) kernel == reference, serial == parallel
@st.composite
def kernel_inputs(draw):
    n_a = draw(st.integers(1, 5))
    n_t = draw(st.integers(1, 5))
    n_s = draw(st.integers(1, 3))
    frac = st.floats(0.0, 1.0, allow_nan=False)
    rate = st.floats(-0.05, 0.15, allow_nan=False)

    def arr(shape, el):
        return draw(hnp.arrays(float, shape, elements=el))

    shares = arr((n_t, 3), st.floats(0.0, 1.0))
    shares = shares / np.maximum(shares.sum(axis=1, keepdims=True), 1e-12)
    return KernelInputs(
        pop=arr((n_s, n_t, n_a, 2), st.floats(0.0, 1e6)), cov=arr((n_t, n_a, 2), frac),
        wage=arr((n_s, n_t), st.floats(1.0, 1e5)), base_ratio=draw(st.floats(0.3, 3.0)),
        contrib_rate=arr((n_t,), st.floats(0.0, 0.05)), collection=arr((n_s, n_t), frac),
        unemp=arr((n_s, n_t), st.floats(0.0, 0.3)), takeup=arr((n_t,), frac), band_shares=shares,
        max_months=arr((3,), st.floats(0.0, 36.0)), mean_spell=arr((n_t,), st.floats(0.5, 60.0)),
        min_wage=arr((n_s, n_t), st.floats(0.0, 5000.0)), benefit_share=arr((n_t,), frac),
        medical_share=arr((n_t,), frac), stab_share=arr((n_t,), frac), skills_share=arr((n_t,), frac),
        other_amount=arr((n_t,), st.floats(0.0, 1e6)), rate=arr((n_s, n_t), rate),
        opening0=draw(st.floats(-1e8, 1e8)), mid_year=draw(st.booleans()), rule=draw(st.integers(0, 3)),
        sub_param=arr((n_t,), st.floats(0.0, 24.0)), years=np.arange(2021, 2021 + n_t),
        ages=np.arange(16, 16 + n_a))


@settings(max_examples=60, deadline=None)
@given(kernel_inputs())
def test_kernel_matches_reference(inp):
    f_numba, d_numba = run_kernel(inp, parallel=False)
    f_ref, d_ref = project_reference(inp)
    np.testing.assert_allclose(f_numba, f_ref, rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(d_numba, d_ref, rtol=1e-10, atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(kernel_inputs())
def test_parallel_equals_serial(inp):
    f_s, d_s = run_kernel(inp, parallel=False)
    f_p, d_p = run_kernel(inp, parallel=True)
    np.testing.assert_array_equal(f_s, f_p)
    np.testing.assert_array_equal(d_s, d_p)


# ---------------------------------------------------------------- (3) identities of the default projection
def test_roll_forward_identity_every_year(ds):
    closing = ds.opening_balance + ds.total_income - ds.total_expenditure
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-13, atol=1e-2)  # yuan, balances ~1e11-1e12
    np.testing.assert_array_equal(ds.opening_balance.values[1:], ds.fund_balance.values[:-1])
    np.testing.assert_allclose(ds.total_expenditure, ds.unemployment_benefit_paid + ds.medical_premiums_paid
                               + ds.job_stabilisation_refunds + ds.skills_and_other_expenditure, rtol=1e-13)
    np.testing.assert_allclose(ds.insured_by_age.sum(["age", "sex"]), ds.insured, rtol=1e-12)
    # balance months count other expenditure too (the core's indicator uses total expenditure)
    np.testing.assert_allclose(ds.balance_months, ds.fund_balance / (ds.total_expenditure / 12), rtol=1e-12)


# ---------------------------------------------------------------- (4) calibration and back-test
@pytest.mark.parametrize("name", ["total_income", "total_expenditure", "fund_balance", "insured",
                                  "recipients_in_year", "average_monthly_benefit", "medical_premiums_paid",
                                  "job_stabilisation_refunds"])
def test_base_year_reproduces_published_2021_within_1pct(ds, name):
    # MOHRSS 2021年度人力资源和社会保障事业发展统计公报; 稳岗返还: 新华社 2022-02-06 (see PUBLISHED_2021["source"])
    assert float(ds[name].sel(year=2021)) == pytest.approx(cal.PUBLISHED_2021[name], rel=0.01)


def test_opening_balance_derived_from_published_year_end(ds):
    # 3,313 - 1,460 + 1,500 = 3,353 亿元 on 1 January 2021
    assert float(ds.opening_balance.sel(year=2021)) == pytest.approx(3353e8, rel=1e-12)


def test_calibrated_parameters_rederive(sc, ds):
    from sibrisk.projection import fund_inputs

    vals = cal.solve_base_year(cal.shape_sum(sc), cal.opening_balance(),
                               claims_lag_weight=sc.benefits.claims_lag_weight)
    b = sc.benefits
    assert sc.contributions.base_ratio == pytest.approx(vals["base_ratio"], rel=1e-5)
    assert b.takeup[2021] == pytest.approx(vals["takeup"], rel=1e-5)
    # 2021 claims follow (1 - w) x 5.1% + w x 5.6% (2020, initial.unemployment_rate_before)
    assert sc.initial.unemployment_rate_before == 0.056
    y0 = ds.sel(year=2021)
    assert float(y0.unemployed_insured / y0.insured) == pytest.approx(cal.claims_rate_2021(b.claims_lag_weight),
                                                                      rel=1e-12)
    assert b.mean_spell_months == pytest.approx(vals["mean_spell"], rel=1e-5)
    assert b.medical_premium_share == pytest.approx(vals["medical_share"], rel=1e-5)
    assert sc.other_expenditure.job_stabilisation_share[2021] == pytest.approx(vals["stab_share"], rel=1e-5)
    assert b.minimum_wage[2021] == pytest.approx(1585 / 0.9, rel=1e-6)
    np.testing.assert_allclose(np.asarray(sc.coverage.rates.male), cal.coverage_shape() * vals["coverage_level"],
                               rtol=1e-5)
    # 5.5 months paid per recipient in the base year (steady state), the calibration target
    y0 = ds.sel(year=2021)
    assert float(y0.benefit_months_paid / y0.recipients_in_year) == pytest.approx(5.5, rel=1e-6)
    assert float(fund_inputs(sc).cov.max()) <= 1.0


# The back-test against the published figures of 2022-2024 and the multi-year fit: tests/test_backtest_unemployment.py.


# ---------------------------------------------------------------- (5) each rule matters
def test_higher_unemployment_lowers_the_balance(sc, ds):
    high = _proj(sc, {"economy.unemployment_rate": {"2021": 0.051, "2022": 0.056, "2023": 0.052, "2024": 0.07}})
    assert float(high.fund_balance.sel(year=2040)) < float(ds.fund_balance.sel(year=2040))
    assert float(high.balance_months.sel(year=2040)) < float(ds.balance_months.sel(year=2040))
    assert float(high.beneficiaries.sel(year=2030)) > float(ds.beneficiaries.sel(year=2030))
    # before 2024 nothing changes
    assert float(high.fund_balance.sel(year=2023)) == pytest.approx(float(ds.fund_balance.sel(year=2023)), rel=1e-12)


def test_duration_caps_bind(sc, ds):
    short = _proj(sc, {"benefits.max_months": [12.0, 12.0, 12.0]})
    assert float(short.months_per_claim.sel(year=2030)) < float(ds.months_per_claim.sel(year=2030))
    assert float(short.benefit_expenditure.sel(year=2030)) < float(ds.benefit_expenditure.sel(year=2030))
    longer_service = _proj(sc, {"benefits.share_1_to_5": 0.0, "benefits.share_10_plus": 0.75})
    assert float(longer_service.unemployment_benefit_paid.sel(year=2021)) > float(
        ds.unemployment_benefit_paid.sel(year=2021))


def test_benefit_level_and_medical_premiums(sc, ds):
    lower = _proj(sc, {"benefits.share_of_minimum_wage": 0.8})
    np.testing.assert_allclose(lower.unemployment_benefit_paid, ds.unemployment_benefit_paid * 0.8 / 0.9, rtol=1e-12)
    no_med = _proj(sc, {"benefits.medical_premium_share": 0.0})
    np.testing.assert_allclose(no_med.benefit_expenditure, ds.unemployment_benefit_paid, rtol=1e-12)
    frozen = _proj(sc, {"benefits.minimum_wage_indexed_from": None})
    assert float(frozen.average_monthly_benefit.sel(year=2030)) == pytest.approx(1585.0)
    assert float(frozen.fund_balance.sel(year=2030)) > float(ds.fund_balance.sel(year=2030))


def test_other_expenditure_counts_in_balance_months(sc, ds):
    none = _proj(sc, {"other_expenditure.job_stabilisation_share": 0.0, "other_expenditure.skills_and_other_share": 0.0,
                      "other_expenditure.amount": 0.0})
    assert float(none.other_expenditure.max()) == 0.0
    assert float(none.balance_months.sel(year=2030)) > float(ds.balance_months.sel(year=2030))
    amount = _proj(sc, {"other_expenditure.amount": 1e10})
    zero = _proj(sc, {"other_expenditure.amount": 0.0})
    np.testing.assert_allclose(amount.other_expenditure - zero.other_expenditure, 1e10, rtol=1e-9)


def test_contribution_rate_collection_and_coverage(sc, ds):
    doubled = _proj(sc, {"contributions.employer_rate": 0.015, "contributions.employee_rate": 0.005})
    np.testing.assert_allclose(doubled.contribution_income, 2 * ds.contribution_income, rtol=1e-12)
    no_growth = _proj(sc, {"coverage.growth": 0.0})
    assert float(no_growth.insured.sel(year=2030)) < float(ds.insured.sel(year=2030))
    old_ages = _proj(sc, {"coverage.retirement_reform": False})
    assert float(old_ages.insured.sel(year=2035)) < float(ds.insured.sel(year=2035))
    assert float(old_ages.insured.sel(year=2024)) == pytest.approx(float(ds.insured.sel(year=2024)), rel=1e-12)
    more_claims = _proj(sc, {"benefits.takeup": 0.35})
    assert float(more_claims.new_claims.sel(year=2030)) > float(ds.new_claims.sel(year=2030))


def test_gap_filling_subsidy_keeps_the_floor(sc):
    low = _proj(sc, {"economy.unemployment_rate": 0.12,
                     "subsidy": {"rule": "gap_to_floor", "floor_months": 12.0}})
    assert float(low.balance_months.min()) >= 12.0 - 1e-9
    assert float(low.fiscal_subsidy.max()) > 0.0


# ---------------------------------------------------------------- (6) bad inputs
def _bad(tmp_path, old, new):
    text = SCENARIO.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,field", [
    ("employer_rate = { 2021 = 0.005 }", "employer_rate = 1.5", "contributions.employer_rate"),
    ("takeup = ", "takeup = 1.5 #", "benefits.takeup"),
    ("share_of_minimum_wage = 0.9", "share_of_minimum_wage = 1.2", "benefits.share_of_minimum_wage"),
    ("male = [\n  0.0333738,", "male = [\n  1.2,", "coverage.rates"),
    ("male = [\n  0.0333738,", "male = [\n", "coverage.rates.male"),
    ("share_5_to_10 = 0.25", "share_5_to_10 = 0.5", "benefits.share_1_to_5"),
    ("fund_balance = ", "fund_balance = -inf #", "initial.fund_balance"),
])
def test_bad_inputs_name_file_and_field(tmp_path, old, new, field):
    with pytest.raises(InputError) as err:
        sibrisk.load_scenario(_bad(tmp_path, old, new))
    assert err.value.file and err.value.file.endswith("bad.toml")
    assert err.value.field.startswith(field), err.value.field
    assert "bad.toml" in str(err.value)


# ---------------------------------------------------------------- (7) stochastic scenarios
def test_simulate_50_closes(sc, ds):
    sim = sibrisk.simulate(sc, 50, seed=1, progress=False)
    closing = sim.opening_balance + sim.total_income - sim.total_expenditure
    np.testing.assert_allclose(closing, sim.fund_balance, rtol=1e-12, atol=1e-2)
    assert sim.sizes["scenario"] == 50
    assert float(sim.unemployment_rate.min()) >= 0.0
    assert float(sim.unemployment_rate.std("scenario").sel(year=2040)) > 0.0
    # the base year is history: not shocked
    np.testing.assert_allclose(sim.fund_balance.sel(year=2021), float(ds.fund_balance.sel(year=2021)), rtol=1e-9)
