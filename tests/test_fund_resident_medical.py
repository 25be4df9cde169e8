"""Resident basic medical insurance (城乡居民基本医疗保险): kernel by hand, kernel == NumPy reference, roll-forward
identity, 2024 calibration against the NHSA bulletin, rules that matter, bad inputs, stochastic runs."""

from pathlib import Path

import numpy as np
import pytest

import sibrisk
from sibrisk import indicators as ind
from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SUB_FIXED, SUB_GAP, SUB_PER_CAPITA, SUB_SHARE
from sibrisk.funds.resident_medical import calibration as cal
from sibrisk.funds.resident_medical import kernel as k
from sibrisk.funds.resident_medical.inputs import KernelInputs, run_kernel
from sibrisk.funds.resident_medical.reference import project_reference

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "resident_medical_national.toml"


# --------------------------------------------------------------------------------------------------------------
# fixtures
@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def ds(sc):
    return sibrisk.project(sc)


def _proj(sc, updates):
    return sibrisk.project(sc.with_updates(updates), keep_detail=False, indicators=False)


def hand_case(mid_year=False) -> KernelInputs:
    """Two years, three ages; the case worked in kernels/resident_medical.md."""
    stock = np.zeros((1, 2, 3, 2))
    stock[0, 0, :, 0] = [100.0, 200.0, 50.0]   # year 0, men
    stock[0, 0, :, 1] = [50.0, 100.0, 50.0]    # year 0, women
    stock[0, 1, :, 0] = [110.0, 190.0, 60.0]
    stock[0, 1, :, 1] = [50.0, 100.0, 40.0]
    coverage = np.empty((2, 3, 2))
    coverage[0] = 0.5
    coverage[1] = 1.0
    return KernelInputs(
        stock=stock, coverage=coverage, rel_cost=np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]]), cost_level0=10.0,
        cost_growth=np.array([[0.5, 0.1]]), premium=np.array([20.0, 30.0]), collection=np.array([[1.0, 0.5]]),
        rate=np.array([[0.04, 0.04]]), opening0=1000.0, mid_year=mid_year, rule=SUB_PER_CAPITA,
        sub_param=np.array([30.0, 40.0]), years=np.array([2000, 2001]), ages=np.arange(3))


# --------------------------------------------------------------------------------------------------------------
# (1) a case by hand
@pytest.mark.parametrize("engine", ["serial", "parallel", "reference"])
def test_hand_case(engine):
    inp = hand_case()
    if engine == "reference":
        flows, detail = project_reference(inp)
    else:
        flows, detail = run_kernel(inp, parallel=engine == "parallel")
    f0, f1 = flows[0, 0], flows[0, 1]
    # year 0: insured = 0.5 x stock: men [50, 100, 25], women [25, 50, 25]; 275 in all
    np.testing.assert_allclose(detail[0, 0, :, :, k.D_INSURED], [[50, 25], [100, 50], [25, 25]])
    assert f0[k.F_INSURED] == pytest.approx(275.0)
    # cost level 10 (the base year's growth 0.5 is not applied); men 10 x (50x1 + 100x2 + 25x4) = 3500,
    # women 10 x (25 + 100 + 100) = 2250
    assert f0[k.F_COST_LEVEL] == pytest.approx(10.0)
    assert f0[k.F_EXPEND] == pytest.approx(5750.0)
    # premiums 20 x 1.0 x 275 = 5500; subsidy 30 x 275 = 8250; interest 4% of 1000 (year-end flows)
    assert f0[k.F_CONTRIB] == pytest.approx(5500.0)
    assert f0[k.F_SUBSIDY] == pytest.approx(8250.0)
    assert f0[k.F_INTEREST] == pytest.approx(40.0)
    assert f0[k.F_CLOSING] == pytest.approx(1000 + 5500 + 8250 + 40 - 5750)  # 9040
    # year 1: everyone covered: men 360, women 190; level 10 x 1.1 = 11
    # expenditure 11 x (110 + 380 + 240) + 11 x (50 + 200 + 160) = 8030 + 4510 = 12540
    assert f1[k.F_INSURED] == pytest.approx(550.0)
    assert f1[k.F_COST_LEVEL] == pytest.approx(11.0)
    assert f1[k.F_EXPEND] == pytest.approx(12540.0)
    np.testing.assert_allclose(detail[0, 1, :, 0, k.D_EXPEND], [1210.0, 4180.0, 2640.0])
    # premiums 30 x 0.5 (collection) x 550 = 8250; subsidy 40 x 550 = 22000; interest 4% of 9040 = 361.6
    assert f1[k.F_CONTRIB] == pytest.approx(8250.0)
    assert f1[k.F_SUBSIDY] == pytest.approx(22000.0)
    assert f1[k.F_INTEREST] == pytest.approx(361.6)
    assert f1[k.F_OPENING] == pytest.approx(9040.0)
    assert f1[k.F_CLOSING] == pytest.approx(9040 + 8250 + 22000 + 361.6 - 12540)  # 27111.6


def test_hand_case_mid_year_interest():
    flows, _ = run_kernel(hand_case(mid_year=True))
    f = np.sqrt(1.04) - 1  # net flow of year 0 = 5500 + 8250 - 5750 = 8000 earns half a year
    assert flows[0, 0, k.F_INTEREST] == pytest.approx(40.0 + 8000.0 * f)


# --------------------------------------------------------------------------------------------------------------
# (2) kernel == reference on random inputs; serial == parallel
def random_case(rng, rule, n_s=4, n_t=6, n_a=5, mid_year=True):
    return KernelInputs(
        stock=rng.uniform(0, 1000, (n_s, n_t, n_a, 2)), coverage=rng.uniform(0, 1, (n_t, n_a, 2)),
        rel_cost=rng.uniform(0.2, 5, (n_a, 2)), cost_level0=float(rng.uniform(100, 1000)),
        cost_growth=rng.normal(0.05, 0.03, (n_s, n_t)), premium=rng.uniform(100, 500, n_t),
        collection=rng.uniform(0.7, 1.0, (n_s, n_t)), rate=rng.normal(0.02, 0.01, (n_s, n_t)),
        opening0=float(rng.uniform(-1e5, 1e6)), mid_year=mid_year, rule=rule,
        sub_param={SUB_FIXED: rng.uniform(0, 1e6, n_t), SUB_SHARE: rng.uniform(0, 1, n_t),
                   SUB_GAP: rng.uniform(0, 12, n_t), SUB_PER_CAPITA: rng.uniform(200, 900, n_t)}[rule],
        years=np.arange(2000, 2000 + n_t), ages=np.arange(n_a))


@pytest.mark.parametrize("rule", [SUB_FIXED, SUB_SHARE, SUB_GAP, SUB_PER_CAPITA])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("mid_year", [True, False])
def test_kernel_equals_reference(rule, seed, mid_year):
    inp = random_case(np.random.default_rng(seed * 10 + rule), rule, mid_year=mid_year)
    fs, ds_ = run_kernel(inp, parallel=False)
    fp, dp = run_kernel(inp, parallel=True)
    fr, dr = project_reference(inp)
    np.testing.assert_allclose(fs, fr, rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(ds_, dr, rtol=1e-10, atol=1e-6)
    np.testing.assert_array_equal(fs, fp)
    np.testing.assert_array_equal(ds_, dp)
    fn, dn = run_kernel(inp, keep_detail=False)
    assert dn is None
    np.testing.assert_array_equal(fn, fs)


def test_kernel_equals_reference_on_the_default_inputs(sc):
    from sibrisk.projection import fund_inputs

    inp = fund_inputs(sc, 3, seed=5, stochastic=True)
    fs, dk = run_kernel(inp, parallel=True)
    fr, dr = project_reference(inp)
    np.testing.assert_allclose(fs, fr, rtol=1e-10)
    np.testing.assert_allclose(dk, dr, rtol=1e-10, atol=1e-3)


# --------------------------------------------------------------------------------------------------------------
# (3) the roll-forward closes in every year
def test_roll_forward_identity_every_year(ds):
    closing = ds.opening_balance + ds.total_income - ds.total_expenditure
    np.testing.assert_allclose(ds.fund_balance, closing, rtol=1e-12)
    np.testing.assert_allclose(ds.opening_balance[1:], ds.fund_balance[:-1].values, rtol=0)
    # detail adds up
    np.testing.assert_allclose(ds.insured_by_age.sum(("age", "sex")), ds.insured, rtol=1e-12)
    np.testing.assert_allclose(ds.expenditure_by_age.sum(("age", "sex")), ds.benefit_expenditure, rtol=1e-12)


# --------------------------------------------------------------------------------------------------------------
# (4) base-year calibration: NHSA, 2024年全国医疗保障事业发展统计公报 (2025-07-14,
# https://www.nhsa.gov.cn/art/2025/7/14/art_7_17248.html): income 11,180.91, expenditure 10,661.49, cumulative
# balance 8,183.02 亿元, insured 94,713.73 万
@pytest.mark.parametrize("name, published", [("total_income", 11180.91e8), ("total_expenditure", 10661.49e8),
                                             ("fund_balance", 8183.02e8), ("insured", 94713.73e4)])
def test_base_year_reproduces_nhsa_2024(ds, name, published):
    assert int(ds.year[0]) == 2024
    assert float(ds[name].isel(year=0)) == pytest.approx(published, rel=0.01)
    assert cal.PUBLISHED_2024[name] == published


def test_opening_balance_is_derived_from_the_year_end(sc):
    # 8,183.02 - 11,180.91 + 10,661.49 = 7,663.60 亿元 (the 2023 bulletin: 7,663.70)
    assert sc.initial.fund_balance == pytest.approx(7663.60e8, rel=1e-6)
    assert sc.initial.fund_balance == pytest.approx(cal.PUBLISHED_OTHER[2023]["fund_balance"], rel=1e-4)


def test_calibrated_parameters_rederive(sc):
    c = cal.calibrate(sc)
    np.testing.assert_allclose(sc.coverage.employee_share.array(), c["employee_share"], rtol=1e-5, atol=1e-6)
    assert sc.coverage.participation == pytest.approx(c["participation"], rel=1e-5)
    assert sc.costs.cost_level == pytest.approx(c["cost_level"], rel=1e-5)
    assert sc.financing.top_up == pytest.approx(c["top_up"], rel=1e-5)
    # the employee shares reproduce the employee scheme's 2024 members on the same population
    work, ret = cal.employee_shapes()
    assert np.sum(c["w"] * work * c["population"]) == pytest.approx(27490.84e4)
    assert np.sum(c["r"] * ret * c["population"]) == pytest.approx(10457.50e4)
    assert 0 < c["participation"] <= 1 and c["employee_share"].max() <= 1
    # financing standards of 2024: 400 + 670 yuan, topped up by the calibrated ratio
    assert sc.series("financing.premium")[0] == 400 and sc.series("subsidy.per_capita")[0] == 670


def test_calibrated_top_up_closed_form():
    # k B (1 + f) + O i - X f = target with B = (20 x 1 + 30) x 100 = 5000, O = 1000, i = 0.04, X = 4000, f = 0
    assert cal.calibrated_top_up(20, 30, 1.0, 100, 4000, 1000, 0.04, 6040, mid_year=False) == pytest.approx(1.2)


def test_back_test_2025_within_a_few_percent(ds):
    # NHSA 2025 bulletin (not calibrated to): income 11,237.72, expenditure 10,678.63 亿元, insured 94,213.27 万
    y = ds.sel(year=2025)
    assert float(y.insured) == pytest.approx(94213.27e4, rel=0.01)
    assert float(y.total_expenditure) == pytest.approx(10678.63e8, rel=0.03)
    assert float(y.total_income) == pytest.approx(11237.72e8, rel=0.03)


def test_balance_months_both_definitions(ds):
    # core default (current_year): 8,183.02 / (10,661.49 / 12) = 9.21 months in 2024
    assert float(ds.balance_months.isel(year=0)) == pytest.approx(8183.02 / 10661.49 * 12, rel=1e-3)
    # NHSA's definition for this fund: the coming year's average monthly expenditure
    nxt = ind.balance_months(ds.fund_balance, ds.total_expenditure, definition="next_year")
    b, x = ds.fund_balance.values, ds.total_expenditure.values
    np.testing.assert_allclose(nxt.values[:-1], b[:-1] / (x[1:] / 12), rtol=1e-12)
    assert np.isnan(nxt.values[-1])
    # expenditure grows, so the next-year figure is the smaller while the balance is positive
    pos = b[:-1] > 0
    assert np.all(nxt.values[:-1][pos] < ds.balance_months.values[:-1][pos])
    via_compute = ind.compute(ds, ["balance_months"], options={"balance_months": {"definition": "next_year"}})
    np.testing.assert_allclose(via_compute.balance_months, nxt, equal_nan=True)


# --------------------------------------------------------------------------------------------------------------
# (5) each rule matters, in the expected direction
def test_medical_cost_growth_raises_expenditure(sc, ds):
    hi = _proj(sc, {"economy.medical_cost_growth": 0.08})
    assert float(hi.total_expenditure.isel(year=0)) == pytest.approx(float(ds.total_expenditure.isel(year=0)))
    assert np.all(hi.total_expenditure.values[2:] > ds.total_expenditure.values[2:])
    assert float(hi.fund_balance.isel(year=-1)) < float(ds.fund_balance.isel(year=-1))


def test_standard_growth_raises_income(sc, ds):
    lo = _proj(sc, {"financing.indexation": "frozen"})
    y = ds.year.values
    later = y >= 2027
    assert np.all(lo.contribution_income.values[later] < ds.contribution_income.values[later])
    assert np.all(lo.fiscal_subsidy.values[later] < ds.fiscal_subsidy.values[later])
    np.testing.assert_allclose(lo.contribution_income.values[~later], ds.contribution_income.values[~later])
    np.testing.assert_allclose(lo.total_expenditure, ds.total_expenditure)
    # the dated subsidy standard: 700 in 2025, 724 in 2026, then held (x top-up) when growth is zero
    top = sc.financing.top_up
    np.testing.assert_allclose(lo.subsidy_per_capita.sel(year=[2025, 2026, 2030]), np.array([700, 724, 724]) * top)


def test_top_up_and_collection_move_income_not_cost(sc, ds):
    up = _proj(sc, {"financing.top_up": sc.financing.top_up * 1.1})
    assert np.all(up.total_income.values > ds.total_income.values)
    np.testing.assert_allclose(up.total_expenditure, ds.total_expenditure)
    low = _proj(sc, {"economy.collection_rate": 0.9})
    np.testing.assert_allclose(low.contribution_income, 0.9 * ds.contribution_income, rtol=1e-12)
    np.testing.assert_allclose(low.fiscal_subsidy, ds.fiscal_subsidy, rtol=1e-12)


def test_participation_and_employee_share_change_the_insured(sc, ds):
    lo = _proj(sc, {"coverage.participation": sc.coverage.participation * 0.9})
    np.testing.assert_allclose(lo.insured, 0.9 * ds.insured, rtol=1e-12)
    np.testing.assert_allclose(lo.benefit_expenditure, 0.9 * ds.benefit_expenditure, rtol=1e-12)
    share = sc.coverage.employee_share
    more = _proj(sc, {"coverage.employee_share.male": [min(1.0, v + 0.1) for v in share.male]})
    assert np.all(more.insured.values < ds.insured.values)


def test_age_cost_curve_carries_ageing(sc, ds):
    # with the assumed curve, expenditure per insured rises faster than the cost level (the insured age);
    # with a flat curve it moves exactly with the level
    per_level = (ds.average_benefit / ds.cost_level).values
    assert per_level[-1] > per_level[0] * 1.1
    flat = _proj(sc, {"costs.relative_cost.male": [1.0] * 101, "costs.relative_cost.female": [1.0] * 101})
    np.testing.assert_allclose((flat.average_benefit / flat.cost_level).values, 1.0, rtol=1e-12)


def test_population_assumptions_move_the_insured(sc, ds):
    more_births = _proj(sc, {"population.tfr": 1.6})
    assert float(more_births.insured.isel(year=-1)) > float(ds.insured.isel(year=-1))
    longer = _proj(sc, {"mortality.improvement": 0.03})
    assert float(longer.insured.isel(year=-1)) > float(ds.insured.isel(year=-1))
    assert float(longer.average_benefit.isel(year=-1)) > float(ds.average_benefit.isel(year=-1))


def test_gap_filling_subsidy_keeps_the_floor(sc):
    g = _proj(sc, {"subsidy": {"rule": "gap_to_floor", "floor_months": 6.0}})
    months = (g.fund_balance / (g.total_expenditure / 12)).values
    assert np.all(months >= 6.0 - 1e-9)


def test_end_year_timing_has_no_interest_on_flows(sc):
    e = _proj(sc, {"projection.flow_timing": "end_year"})
    np.testing.assert_allclose(e.interest_income, e.opening_balance * e.interest_rate, rtol=1e-12)


# --------------------------------------------------------------------------------------------------------------
# (6) bad inputs name the file and the field
@pytest.mark.parametrize("updates, field, words", [
    ({"coverage.participation": 1.2}, "coverage.participation", "between"),
    ({"economy.collection_rate": 1.5}, "economy.collection_rate", "between"),
    ({"financing.premium_growth": 3.0}, "financing.premium_growth", "between"),
    ({"subsidy.per_capita": -670.0}, "subsidy.per_capita", "between"),
    ({"coverage.employee_share.female": [0.5] * 100 + [1.5]}, "coverage.employee_share.female", "at most 1"),
    ({"costs.relative_cost.male": [1.0] * 100}, "costs.relative_cost.male", "100 values; expected 101"),
    ({"coverage.employee_share.male": [0.1] * 85}, "coverage.employee_share.male", "expected 101"),
    ({"financing.premium": [400.0] * 7}, "financing.premium", "7 values; expected 31"),
])
def test_bad_inputs_name_file_and_field(sc, updates, field, words):
    with pytest.raises(InputError) as err:
        sc.with_updates(updates)
    msg = str(err.value)
    assert "resident_medical_national.toml" in msg
    assert field in msg
    assert words in msg


# --------------------------------------------------------------------------------------------------------------
# (7) stochastic scenarios run and close
def test_simulate_50_scenarios_close(sc):
    sim = sibrisk.simulate(sc, 50, seed=1, progress=False)
    assert sim.sizes["scenario"] == 50
    closing = sim.opening_balance + sim.total_income - sim.total_expenditure
    np.testing.assert_allclose(sim.fund_balance, closing, rtol=1e-10, atol=1.0)
    # shocks move cost, interest and the population; the base year is history in every scenario
    assert float(sim.total_expenditure.isel(year=-1).std()) > 0
    np.testing.assert_allclose(sim.total_expenditure.isel(year=0), sim.total_expenditure.isel(year=0, scenario=0))
    assert float(sim.insured.isel(year=-1).std()) > 0
