"""Employee basic medical insurance (职工基本医疗保险, maternity included): hand case, kernel vs NumPy twin, identities,
2024 calibration against the NHSA bulletin, rules that matter, bad inputs, stochastic runs."""

from pathlib import Path

import numpy as np
import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SUB_FIXED, SUB_GAP, SUB_PER_CAPITA, SUB_SHARE
from sibrisk.funds.employee_medical import calibration as cal
from sibrisk.funds.employee_medical import kernel as k
from sibrisk.funds.employee_medical.inputs import run_kernel
from sibrisk.funds.employee_medical.reference import project_reference
from tests.employee_medical_cases import hand_case, random_case

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "employee_medical_national.toml"


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def ds(sc):
    return sibrisk.project(sc)


def _run(sc, updates, **kw):
    return sibrisk.project(sc.with_updates(updates), keep_detail=False, indicators=kw.get("indicators", False))


# ---- (1) the hand case -------------------------------------------------------------------------------------------
# Per sex (both sexes equal, totals are twice). Year 0 (2024): insured = pop x cov0 = [100x0.5, 100x0.4, 50x0.2] =
# [50, 40, 10]; retired share [0, 0, 1] -> workers [50, 40, 0], retirees [0, 0, 10]; the base year's exposure is the
# year-end stock. Cost = (W + 1.5 R) x curve x 100 = (50x1 + 40x2 + 15x4) x 100 = 19,000 -> 38,000 for both sexes.
# Workers 180, retirees 20. Bill = 180 x 1000 x 1.0 = 180,000; contributions 10% = 18,000; accounts get 2% of the bill
# 3,600 + retiree credits 20 x 10 = 200 = 3,800; the pool gets 14,200. Maternity 10 births x 50 = 500; pool pays
# 0.6 x 38,000 + 500 = 23,300; accounts are asked 0.4 x 38,000 = 15,200 but hold 1,000 + 3,800 = 4,800: they pay
# 4,800, shortfall 10,400. Interest (year-end flows): pool 10,000 x 5% = 500, accounts 1,000 x 5% = 50.
# Pool closes 10,000 + 14,200 + 500 - 23,300 = 1,400; accounts 1,000 + 3,800 + 50 - 4,800 = 50.
# Year 1 (2025): coverage age 0 = young 0.6; age 1 = last year's age 0 = 0.5; age 2 (open) = (100 x 0.4 + 50 x 0.2)
# / 150 = 1/3. Pop [100, 90, 120] -> insured [60, 45, 40]; retired share [0, 0.5, 1] -> W [60, 22.5, 0],
# R [0, 22.5, 40]. Exposures: W (shifted last year [0, 50, 40] + this year)/2 = [30, 36.25, 20] (86.25),
# R ([0, 0, 10] + [0, 22.5, 40])/2 = [0, 11.25, 25] (36.25). Unit cost 100 x 1.1 = 110.
# Cost = (30x1 + (36.25 + 1.5x11.25)x2 + (20 + 1.5x25)x4) x 110 = 366.25 x 110 = 40,287.5 -> 80,575.
# Bill = 172.5 x 1100 = 189,750; contributions 18,975; accounts 3,795 + 72.5 x 10 = 4,520; pool 14,455.
# Maternity 12 x 50 x 1100/1000 = 660; pool pays 0.6 x 80,575 + 660 = 49,005; accounts asked 32,230, hold
# 50 + 4,520 = 4,570: pay 4,570. Interest: pool 1,400 x 5% = 70; accounts 50 x 5% = 2.5.
# Pool closes 1,400 + 14,455 + 70 - 49,005 = -33,080; accounts 50 + 4,520 + 2.5 - 4,570 = 2.5.
HAND = {
    k.F_CONTRIB: (18000.0, 18975.0), k.F_INTEREST: (550.0, 72.5), k.F_EXPEND: (28100.0, 53575.0),
    k.F_OPENING: (11000.0, 1450.0), k.F_CLOSING: (1450.0, -33077.5), k.F_WAGEBILL: (180000.0, 189750.0),
    k.F_WORKERS: (180.0, 165.0), k.F_RETIREES: (20.0, 125.0), k.F_POOL_CONTRIB: (14200.0, 14455.0),
    k.F_POOL_EXPEND: (23300.0, 49005.0), k.F_POOL_CLOSING: (1400.0, -33080.0), k.F_ACCT_INFLOW: (3800.0, 4520.0),
    k.F_ACCT_EXPEND: (4800.0, 4570.0), k.F_ACCT_CLOSING: (50.0, 2.5), k.F_MEDICAL_COST: (38000.0, 80575.0),
    k.F_MATERNITY: (500.0, 660.0), k.F_RETIREE_CREDIT: (200.0, 725.0), k.F_ACCT_SHORTFALL: (10400.0, 27660.0),
    k.F_COST_INDEX: (1.0, 1.1), k.F_SUBSIDY: (0.0, 0.0),
}


@pytest.mark.parametrize("impl", ["kernel", "reference"])
def test_hand_case(impl):
    inp = hand_case()
    flows, detail = run_kernel(inp, parallel=False) if impl == "kernel" else project_reference(inp)
    for col, expected in HAND.items():
        np.testing.assert_allclose(flows[0, :, col], expected, rtol=1e-12, atol=1e-9, err_msg=f"column {col}")
    np.testing.assert_allclose(detail[0, 1, :, 0, k.D_WORKERS], [60.0, 22.5, 0.0], rtol=1e-12)
    np.testing.assert_allclose(detail[0, 1, :, 1, k.D_RETIREES], [0.0, 22.5, 40.0], rtol=1e-12)


# ---- (2) kernel == reference, serial == parallel ------------------------------------------------------------------
@pytest.mark.parametrize("rule", [SUB_FIXED, SUB_SHARE, SUB_GAP, SUB_PER_CAPITA])
@pytest.mark.parametrize("mid_year", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_kernel_matches_reference(rule, mid_year, seed):
    inp = random_case(seed, rule=rule, mid_year=mid_year)
    a, da = run_kernel(inp, parallel=False)
    b, db = project_reference(inp)
    scale = np.abs(b).max(axis=(0, 1), keepdims=True)  # per column: balances that cross zero cancel digits
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * scale.max())
    np.testing.assert_allclose(da, db, rtol=1e-10, atol=1e-12)
    c, dc = run_kernel(inp, parallel=True)
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(da, dc)


def test_default_inputs_kernel_matches_reference(sc):
    from sibrisk.projection import fund_inputs

    inp = fund_inputs(sc.with_updates({"projection.years": 20}), 2, stochastic=True, seed=5)
    a, _ = run_kernel(inp, keep_detail=False, parallel=True)
    b, _ = project_reference(inp, keep_detail=False)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * np.abs(b).max())


# ---- (3) roll-forward identities ----------------------------------------------------------------------------------
def test_roll_forward_identity_every_year(ds):
    closing = ds.opening_balance + ds.contribution_income + ds.fiscal_subsidy + ds.interest_income - ds.benefit_expenditure
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-13, atol=1e-2)
    np.testing.assert_array_equal(ds.opening_balance.values[1:], ds.fund_balance.values[:-1])
    np.testing.assert_allclose(ds.pooled_opening_balance + ds.pooled_income - ds.pooled_expenditure, ds.pooled_balance,
                               rtol=1e-13, atol=1e-2)
    np.testing.assert_allclose(ds.account_opening_balance + ds.account_income - ds.account_expenditure,
                               ds.account_balance, rtol=1e-13, atol=1e-2)
    # the whole fund is the sum of its two parts
    np.testing.assert_allclose(ds.pooled_balance + ds.account_balance, ds.fund_balance, rtol=1e-13)
    np.testing.assert_allclose(ds.pooled_income + ds.account_income, ds.total_income, rtol=1e-13)
    np.testing.assert_allclose(ds.pooled_expenditure + ds.account_expenditure, ds.total_expenditure, rtol=1e-13)
    assert float(ds.account_balance.min()) >= 0.0  # accounts never pay more than they hold


def test_age_detail_adds_up(ds):
    np.testing.assert_allclose(ds.contributors_by_age.sum(["age", "sex"]), ds.contributors, rtol=1e-12)
    np.testing.assert_allclose(ds.beneficiaries_by_age.sum(["age", "sex"]), ds.beneficiaries, rtol=1e-12)
    np.testing.assert_allclose(ds.medical_cost_by_age.sum(["age", "sex"]), ds.medical_cost, rtol=1e-12)


# ---- (4) 2024 calibration against the NHSA bulletin ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["total_income", "total_expenditure", "pooled_income", "pooled_expenditure",
                                  "pooled_balance", "account_income", "account_expenditure", "maternity_expenditure",
                                  "insured", "contributors", "beneficiaries"])
def test_base_year_reproduces_nhsa_2024_within_1pct(ds, name):
    # NHSA, 2024年全国医疗保障事业发展统计公报 (2025-07-14); pooled_balance DERIVED 38,628.52 - 8,183.02 (see PUBLISHED_2024)
    assert float(ds[name].sel(year=2024)) == pytest.approx(cal.PUBLISHED_2024[name], rel=0.01)


def test_base_year_balances_and_months(ds):
    # the account balance is DERIVED (not published since 2022): 13,712.65 + 2023 and 2024 account net flows
    assert float(ds.account_balance.sel(year=2024)) == pytest.approx(cal.ACCOUNT_BALANCE_END_2024, rel=0.01)
    # whole fund: (30,445.50 + 14,476.23) / (19,102.54 / 12) = 28.2 months; pooled fund 30,445.50 / (13,222.71 / 12)
    assert float(ds.balance_months.sel(year=2024)) == pytest.approx((30445.50 + 14476.23) / (19102.54 / 12), rel=0.01)
    pooled = sibrisk.indicators.balance_months(ds.pooled_balance, ds.pooled_expenditure)
    assert float(pooled.sel(year=2024)) == pytest.approx(30445.50 / (13222.71 / 12), rel=0.01)


def test_back_test_2025_members(ds):
    # NHSA 2025 bulletin: 28,062.32 万 in service, 10,793.80 万 retired (not used in the calibration)
    assert float(ds.contributors.sel(year=2025)) == pytest.approx(28062.32e4, rel=0.02)
    assert float(ds.beneficiaries.sel(year=2025)) == pytest.approx(10793.80e4, rel=0.02)


def test_calibrated_parameters_rederive(sc, ds):
    """calibration.solve on the projection's own base-year quantities gives the scenario's parameters back."""
    y = ds.sel(year=2024)
    W, R = y.contributors_by_age.values, y.beneficiaries_by_age.values
    curve = sc.benefits.cost_curve.array()
    got = cal.solve(workers_exposure=W, retirees_exposure=R, curve=curve, births=float(y.births),
                    wage=float(y.average_wage), collection=sc.economy.collection_rate, rate=float(y.interest_rate),
                    mid_year=True, employee_rate=0.02, worker_account_rate=0.02,
                    retiree_credit=sc.contributions.retiree_account_credit,
                    pooled_opening=sc.initial.pooled_balance, account_opening=sc.initial.account_balance)
    assert got["retiree_factor"] == pytest.approx(sc.benefits.retiree_factor, rel=1e-5)
    assert got["base_cost"] == pytest.approx(sc.benefits.base_cost, rel=1e-5)
    assert got["maternity_cost_per_birth"] == pytest.approx(sc.benefits.maternity_cost_per_birth, rel=1e-5)
    assert got["base_ratio"] == pytest.approx(sc.contributions.base_ratio, rel=1e-5)
    assert got["employer_rate"] == pytest.approx(sc.contributions.employer_rate, rel=1e-5)
    assert got["pooled_share"] == pytest.approx(sc.series("benefits.pooled_share")[0], rel=1e-5)
    # retirees cost 3.34x in-service members per head (NHSA 2025, DERIVED)
    cost = y.medical_cost_by_age
    ratio = float((cost * (R * sc.benefits.retiree_factor) / (W + R * sc.benefits.retiree_factor)).sum() / R.sum()) / \
        float((cost * W / (W + R * sc.benefits.retiree_factor)).sum() / W.sum())
    assert ratio == pytest.approx(cal.RETIREE_COST_RATIO, rel=1e-6)


# ---- (5) each rule matters ----------------------------------------------------------------------------------------
def test_retirement_reform_fewer_retirees_more_contributors(sc, ds):
    old = _run(sc, {"coverage.retirement_reform": False})
    assert float(old.beneficiaries.sel(year=2040)) > float(ds.beneficiaries.sel(year=2040))
    assert float(old.contributors.sel(year=2040)) < float(ds.contributors.sel(year=2040))
    assert float(old.pooled_balance.sel(year=2040)) < float(ds.pooled_balance.sel(year=2040))
    assert float(old.beneficiaries.sel(year=2024)) == pytest.approx(float(ds.beneficiaries.sel(year=2024)), rel=1e-12)


def test_faster_medical_cost_growth_lowers_the_balance(sc, ds):
    fast = _run(sc, {"economy.medical_cost_growth": 0.08})
    assert float(fast.benefit_expenditure.sel(year=2035)) > float(ds.benefit_expenditure.sel(year=2035))
    assert float(fast.pooled_balance.sel(year=2035)) < float(ds.pooled_balance.sel(year=2035))
    np.testing.assert_allclose(fast.contribution_income, ds.contribution_income, rtol=1e-12)


def test_utilisation_scales_medical_cost(sc, ds):
    more = _run(sc, {"benefits.utilisation": 1.1})
    np.testing.assert_allclose(more.medical_cost, 1.1 * ds.medical_cost, rtol=1e-12)


def test_retiree_factor_raises_cost(sc, ds):
    more = _run(sc, {"benefits.retiree_factor": sc.benefits.retiree_factor * 1.2})
    assert np.all(more.medical_cost.values > ds.medical_cost.values)


def test_account_rules_move_money_between_pool_and_accounts(sc, ds):
    no_credit = _run(sc, {"contributions.retiree_account_credit": 0.0})
    np.testing.assert_allclose(no_credit.contribution_income, ds.contribution_income, rtol=1e-12)
    y = 2024
    assert float(no_credit.pooled_contribution_income.sel(year=y)) == pytest.approx(
        float(ds.pooled_contribution_income.sel(year=y) + ds.retiree_account_credits.sel(year=y)), rel=1e-12)
    assert float(no_credit.account_income.sel(year=y)) < float(ds.account_income.sel(year=y))
    pre_reform = _run(sc, {"contributions.worker_account_rate": 0.038})  # 2% + about 30% of a 6% employer rate
    assert float(pre_reform.pooled_income.sel(year=y)) < float(ds.pooled_income.sel(year=y))
    assert float(pre_reform.account_income.sel(year=y)) > float(ds.account_income.sel(year=y))


def test_pooled_share_shifts_expenditure(sc, ds):
    more = _run(sc, {"benefits.pooled_share": 0.8})
    y = 2024
    assert float(more.pooled_expenditure.sel(year=y)) > float(ds.pooled_expenditure.sel(year=y))
    assert float(more.account_expenditure.sel(year=y)) < float(ds.account_expenditure.sel(year=y))


def test_account_cap_sends_the_excess_out_of_pocket(sc):
    all_accounts = _run(sc, {"benefits.pooled_share": 0.0})
    assert float(all_accounts.account_shortfall.sel(year=2025)) > 0.0  # 2024: balance + credits still cover it
    assert float(all_accounts.account_balance.min()) >= 0.0


def test_maternity_paid_by_the_pool(sc, ds):
    none = _run(sc, {"benefits.maternity_cost_per_birth": 0.0})
    np.testing.assert_allclose(ds.pooled_expenditure - none.pooled_expenditure, ds.maternity_expenditure, rtol=1e-9)
    np.testing.assert_allclose(none.account_expenditure.sel(year=2024), ds.account_expenditure.sel(year=2024),
                               rtol=1e-12)


def test_collection_rate_scales_contributions(sc, ds):
    more = _run(sc, {"economy.collection_rate": 0.9})
    np.testing.assert_allclose(more.contribution_income / ds.contribution_income, 0.9 / 0.95, rtol=1e-12)


def test_coverage_trend_and_cohort_carry(sc, ds):
    flat = _run(sc, {"coverage.working_trend": 0.0})
    assert float(flat.contributors.sel(year=2030)) < float(ds.contributors.sel(year=2030))
    # carrying coverage from age 60 instead of 50 gives retirees the base-year coverage of their age (lower)
    late = _run(sc, {"coverage.cohort_age": 70})
    assert float(late.beneficiaries.sel(year=2045)) != pytest.approx(float(ds.beneficiaries.sel(year=2045)), rel=1e-3)


def test_gap_filling_subsidy_keeps_the_pooled_floor(sc):
    out = _run(sc, {"subsidy": {"rule": "gap_to_floor", "floor_months": 6.0}})
    months = out.pooled_balance / (out.pooled_expenditure / 12)
    assert float(months.min()) >= 6.0 - 1e-9
    assert float(out.fiscal_subsidy.sum()) > 0.0


def test_population_fertility_changes_maternity_only_at_first(sc, ds):
    high = _run(sc, {"population.tfr": 1.5})
    assert float(high.maternity_expenditure.sel(year=2030)) > float(ds.maternity_expenditure.sel(year=2030))
    np.testing.assert_allclose(high.contributors.sel(year=2030), ds.contributors.sel(year=2030), rtol=1e-12)


# ---- (6) bad inputs -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("updates, field", [
    ({"contributions.employer_rate": 1.5}, "contributions.employer_rate"),
    ({"benefits.pooled_share": 1.2}, "benefits.pooled_share"),
    ({"coverage.profile.male": [1.2] * 85}, "coverage.profile"),
    ({"benefits.cost_curve.female": [1.0] * 84}, "benefits.cost_curve.female"),
    ({"contributions.worker_account_rate": 0.2}, "contributions.worker_account_rate"),
])
def test_bad_inputs_name_file_and_field(sc, updates, field):
    with pytest.raises(InputError) as err:
        sc.with_updates(updates)
    assert err.value.file and err.value.file.endswith("employee_medical_national.toml")
    assert err.value.field.startswith(field)


# ---- (7) stochastic -----------------------------------------------------------------------------------------------
def test_simulate_50_scenarios_close(sc):
    sim = sibrisk.simulate(sc.with_updates({"projection.years": 30}), 50, seed=1, progress=False)
    closing = sim.opening_balance + sim.total_income - sim.total_expenditure
    np.testing.assert_allclose(closing, sim.fund_balance, rtol=1e-12, atol=1e-2)
    np.testing.assert_allclose(sim.pooled_balance + sim.account_balance, sim.fund_balance, rtol=1e-12)
    spread = sim.pooled_balance.sel(year=2040).std("scenario")
    assert float(spread) > 0.0
