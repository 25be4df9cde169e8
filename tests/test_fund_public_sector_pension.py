"""Public-sector basic pension (机关事业单位基本养老保险): the shared employee pension kernel on this scheme's inputs,
the 2014-2024 transition folded into the transitional coefficient, the derived 2021 base year, rules that matter,
bad inputs, stochastic runs."""

import re
from pathlib import Path

import numpy as np
import pytest

import sibrisk
from kernel_cases import tiny
from sibrisk.errors import InputError
from sibrisk.funds.enterprise_pension import kernel as k
from sibrisk.funds.public_sector_pension.calibration import (PUBLISHED_2021, floor_months, old_method_coefficient,
                                                             write_default_scenario)
from sibrisk.funds.public_sector_pension.inputs import fold_transition, transition_coefficients
from sibrisk.funds.public_sector_pension.kernel import run_kernel
from sibrisk.funds.public_sector_pension.reference import project_reference, transition_coefficient_reference

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "public_sector_pension_national.toml"
ENTERPRISE = ROOT / "scenarios" / "enterprise_pension_national.toml"


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario("public_sector_pension_national")


@pytest.fixture(scope="module")
def ds(sc):
    return sibrisk.project(sc)


def run_both(inp):
    return run_kernel(inp, keep_detail=True, parallel=False), project_reference(inp, keep_detail=True)


# (1) hand-computed case -----------------------------------------------------------------------------------------

def golden(end_year=2024, regular=0.010, old=0.015, share=1.0):
    """kernels/public_sector_pension.md: men aged 59 (10 people, 30 years, account 1,390) retiring at 60 in 2024."""
    inp = tiny(n_age=2, n_year=2, years=np.array([2023, 2024]), ages=np.array([59, 60]))
    inp.c0[0, 0] = 10.0
    inp.y0[0, 0] = 30.0
    inp.k0[0, 0] = 1390.0
    inp.hazard[1, :, 0] = 1.0
    inp.force_idx = 2
    inp.base_ratio[:] = 1.0
    inp.accrual = 0.01
    inp.months[:] = 139.0
    inp.deemed[1] = [21.0, 20.0]
    coef = transition_coefficients(inp.years, regular, old, np.full(2, share), end_year)
    return fold_transition(inp, coef)


@pytest.mark.parametrize("case, pension", [
    # in the transition, old method higher (c = 1% < c_old = 1.5%): 保低 -> 1.5%
    # 1% x 100 x (1+1)/2 x 30 + 12 x 1390/139 + 1.5% x 100 x 1 x 20 = 30 + 120 + 30 = 180
    (dict(), 180.0),
    # transition over by 2024: the new method alone, 30 + 120 + 1% x 100 x 20 = 170
    (dict(end_year=2023), 170.0),
    # new method higher (c = 3%), half the excess paid (限高): c_eff = 1.5% + 0.5 x 1.5% = 2.25% -> 30 + 120 + 45
    (dict(regular=0.03, share=0.5), 195.0),
])
def test_hand_computed_transition_case(case, pension):
    (fk, dk), (fr, dr) = run_both(golden(**case))
    for flows, detail in ((fk, dk), (fr, dr)):
        assert detail[0, 1, 1, 0, k.D_BENEFIT] == pytest.approx(pension, rel=1e-12)
        assert flows[0, 1, k.F_NEW_BEN] == pytest.approx(10.0)
        # retirees' mid-year exposure: 0 at the start of 2024, 10 at the end -> expenditure 10 x pension / 2
        assert flows[0, 1, k.F_EXPEND] == pytest.approx(5.0 * pension, rel=1e-12)


def test_transition_coefficients_match_the_rule_written_per_year():
    years = np.arange(2021, 2031)
    share = np.linspace(0.7, 1.0, len(years))
    for regular, old in [(0.012, 0.0136), (0.02, 0.0136), (0.012, 0.012)]:
        got = transition_coefficients(years, regular, old, share, 2024)
        want = [transition_coefficient_reference(int(y), regular, old, s, 2024) for y, s in zip(years, share)]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
        assert np.all(got[years > 2024] == regular)


def test_folding_keeps_the_transitional_pension(sc):
    from sibrisk.funds.enterprise_pension.inputs import build_inputs as employee_inputs
    from sibrisk.projection import economic_paths, mortality_paths

    econ, mort = economic_paths(sc, 1, 0, 0), mortality_paths(sc, sc.ages, 1, 0, 0)
    plain = employee_inputs(sc, 1, economy=econ, mortality=mort)
    folded = sc.fund.build_inputs(sc, 1, economy=econ, mortality=mort)
    coef = transition_coefficients(sc.years, sc.benefits.transitional_coefficient,
                                   sc.transition.old_method_coefficient, sc.series("transition.excess_share"), 2024)
    np.testing.assert_allclose(folded.transitional * folded.deemed, coef[:, None] * plain.deemed, rtol=1e-14)
    # the cap min(service, deemed) of the kernel is never binding: deemed years are part of service
    assert np.all(plain.deemed[0] <= plain.y0[:, 0] + 1e-12)


# (2) kernel == reference, serial == parallel ---------------------------------------------------------------------

def test_kernel_matches_reference_on_random_inputs():
    rng = np.random.default_rng(7)
    for _ in range(5):
        n_age, n_year, n_s = 4, 5, 3
        inp = tiny(n_age=n_age, n_year=n_year, n_scen=n_s, years=np.arange(2021, 2026), ages=np.arange(56, 60))
        for name in ("c0", "r0"):
            getattr(inp, name)[:] = rng.uniform(0, 100, (n_age, 2))
        inp.b0[:] = rng.uniform(500, 1500, (n_age, 2))
        inp.y0[:] = rng.uniform(15, 40, (n_age, 2))
        inp.k0[:] = rng.uniform(0, 5000, (n_age, 2))
        inp.q_base[:] = rng.uniform(0, 0.05, (n_age, 2))
        inp.hazard[:] = rng.uniform(0, 1, inp.hazard.shape)
        inp.entrants[:] = rng.uniform(0, 10, inp.entrants.shape)
        inp.wage[:] = 100 * np.cumprod(1 + rng.uniform(0, 0.08, (n_s, n_year)), axis=1)
        inp.rate[:] = rng.uniform(0, 0.05, (n_s, n_year))
        inp.collection[:] = rng.uniform(0.9, 1.0, (n_s, n_year))
        inp.contrib_rate[:], inp.acct_rate[:] = 0.24, 0.08
        inp.accrual, inp.mid_year, inp.rule, inp.opening0 = 0.01, True, k.SUB_GAP, 500.0
        inp.sub_param[:] = 3.5
        inp.deemed[:] = rng.uniform(0, 15, inp.deemed.shape)
        coef = transition_coefficients(inp.years, 0.012, rng.uniform(0.01, 0.016), np.full(n_year, 0.8), 2024)
        fold_transition(inp, coef)
        (fk, dk), (fr, dr) = run_both(inp)
        np.testing.assert_allclose(fk, fr, rtol=1e-10, atol=1e-9)
        np.testing.assert_allclose(dk, dr, rtol=1e-10, atol=1e-9)
        fp, dp = run_kernel(inp, keep_detail=True, parallel=True)
        np.testing.assert_array_equal(fk, fp)
        np.testing.assert_array_equal(dk, dp)


def test_default_inputs_kernel_matches_reference(sc):
    from sibrisk.projection import fund_inputs

    inp = fund_inputs(sc.with_updates({"projection.years": 12}), 2, seed=3, stochastic=True)
    (fk, _), (fr, _) = run_both(inp)
    np.testing.assert_allclose(fk, fr, rtol=1e-10)


# (3) roll-forward identity ---------------------------------------------------------------------------------------

def test_roll_forward_identity_every_year(ds):
    closing = ds.opening_balance + ds.contribution_income + ds.fiscal_subsidy + ds.interest_income - ds.benefit_expenditure
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-13, atol=1e-3)
    np.testing.assert_array_equal(ds.opening_balance.values[1:], ds.fund_balance.values[:-1])


# (4) base-year calibration ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["total_income", "benefit_expenditure", "fund_balance", "contributors", "beneficiaries"])
def test_base_year_reproduces_the_2021_remainder(ds, name):
    # urban employee totals (MOHRSS 2021 bulletin: 60,455 / 56,481 / 52,574 亿元, 34,917 / 13,157 万) minus the
    # enterprise scheme (Qi Tao, MOHRSS, SCIO 2022-09-02: 4.4 / 4.1 tn; Yu Weiping, MOF, SCIO 2022-02-22: 4.8 tn;
    # 42,228 万 enterprise participants split by the 2,987 元/月 average pension, Qiushi 2022-07-12)
    expected = {"total_income": 16455e8, "benefit_expenditure": 15481e8, "fund_balance": 4574e8,
                "contributors": 4127e4, "beneficiaries": 1719e4}[name]
    assert PUBLISHED_2021[name] == pytest.approx(expected, rel=1e-12)
    assert float(ds[name].sel(year=2021)) == pytest.approx(expected, rel=0.01)


def test_the_two_employee_defaults_add_up_to_the_urban_employee_totals(ds):
    ent = sibrisk.project(sibrisk.load_scenario(ENTERPRISE), keep_detail=False).sel(year=2021)
    pub = ds.sel(year=2021)
    published = {"total_income": 60455e8, "benefit_expenditure": 56481e8, "fund_balance": 52574e8,
                 "contributors": 34917e4, "beneficiaries": 13157e4}  # MOHRSS 2021 bulletin
    for name, value in published.items():
        got = float(ent[name]) + float(pub[name])
        if name == "contributors":  # 参保职工 counts insured workers, contributing or not (enterprise bands)
            got += float(ent.insured_not_contributing) + float(pub.insured_not_contributing)
        assert got == pytest.approx(value, rel=0.01), name
    # participants: 42,228 万 enterprise (published) + 5,846 万 public sector (derived) = 48,074 万
    assert PUBLISHED_2021["contributors"] + PUBLISHED_2021["beneficiaries"] == 5846e4


def test_calibrated_values_rederive(sc, ds):
    # floor months: 4,574 / (15,481 / 12) = 3.5455; income then closes exactly on the remainder 16,455
    assert floor_months() == pytest.approx(4574 / (15481 / 12), rel=1e-12)
    assert float(sc.subsidy.floor_months) == pytest.approx(floor_months(), abs=1e-6)
    assert float(ds.total_income.sel(year=2021)) == pytest.approx(16455e8, rel=1e-6)
    # most non-contribution income is fiscal
    base = ds.sel(year=2021)
    assert float(base.fiscal_subsidy) > 10 * float(base.interest_income)
    # old-method coefficient: the 2022 new pension of a man retiring at 60 equals 2021's average benefit x 1.04
    avg = 15481e8 / 1719e4
    c_old = old_method_coefficient(sc, avg * 1.04)
    assert sc.transition.old_method_coefficient == pytest.approx(c_old, abs=1e-6)
    # staffing: contributors stay within 1% of 4,127 万 through the horizon
    np.testing.assert_allclose(ds.contributors, 4127e4, rtol=0.01)


def test_shipped_scenario_is_regenerated_identically(tmp_path):
    out = tmp_path / "regenerated.toml"
    write_default_scenario(out)
    assert out.read_text(encoding="utf-8") == SCENARIO.read_text(encoding="utf-8")


# (5) rules matter ------------------------------------------------------------------------------------------------

def _proj(sc, updates):
    return sibrisk.project(sc.with_updates(updates), keep_detail=False, indicators=False)


def test_transition_guarantee_raises_pensions_of_its_retirees(sc, ds):
    # shipped: c_old > c, so 保低 binds; ending the transition before the projection lowers 2022-2024 pensions
    assert sc.transition.old_method_coefficient > sc.benefits.transitional_coefficient
    off = _proj(sc, {"transition.end_year": 2020})
    assert float(off.benefit_expenditure.sel(year=2021)) == pytest.approx(float(ds.benefit_expenditure.sel(year=2021)))
    for y in (2023, 2030):
        assert float(off.benefit_expenditure.sel(year=y)) < float(ds.benefit_expenditure.sel(year=y))
    # a longer transition (to 2030) raises later expenditure further
    longer = _proj(sc, {"transition.end_year": 2030})
    assert float(longer.benefit_expenditure.sel(year=2035)) > float(ds.benefit_expenditure.sel(year=2035))


def test_transition_cap_lowers_pensions_when_the_new_method_is_higher(sc):
    high = {"benefits.transitional_coefficient": 0.02}
    capped = _proj(sc, {**high, "transition.excess_share": 0.5})
    uncapped = _proj(sc, {**high, "transition.end_year": 2020})
    assert float(capped.benefit_expenditure.sel(year=2024)) < float(uncapped.benefit_expenditure.sel(year=2024))
    # the base year's stock is not touched by rules for new retirees
    assert float(capped.benefit_expenditure.sel(year=2021)) == float(uncapped.benefit_expenditure.sel(year=2021))


def test_deemed_service_to_2014_raises_pensions(sc, ds):
    earlier = _proj(sc, {"benefits.deemed_service_end_year": 2000})
    assert float(earlier.benefit_expenditure.sel(year=2030)) < float(ds.benefit_expenditure.sel(year=2030))


def test_subsidy_fills_the_gap_to_the_floor(sc, ds):
    np.testing.assert_allclose(ds.balance_months, sc.subsidy.floor_months, rtol=1e-12)
    assert (ds.fiscal_subsidy > 0).all()
    share = _proj(sc, {"subsidy": {"rule": "share_of_expenditure", "share": 0.0}})
    assert float(share.fund_balance.sel(year=2030)) < float(ds.fund_balance.sel(year=2030))


def test_higher_base_more_contributions_less_subsidy(sc, ds):
    more = _proj(sc, {"contributions.base_ratio": 1.3})
    np.testing.assert_allclose(more.contribution_income.sel(year=2021) / ds.contribution_income.sel(year=2021),
                               1.3 / 1.15, rtol=1e-12)
    assert float(more.fiscal_subsidy.sel(year=2021)) < float(ds.fiscal_subsidy.sel(year=2021))


def test_cadre_women_retire_later(sc, ds):
    workers = _proj(sc, {"benefits.female_cadre_share": 0.0})
    assert float(workers.beneficiaries.sel(year=2030)) > float(ds.beneficiaries.sel(year=2030))


def test_retirement_reform_lowers_cost(sc, ds):
    old = sibrisk.project(sc.with_updates({"benefits.retirement_reform": False}), keep_detail=False)
    assert float(ds.payg_cost_rate.sel(year=2040)) < float(old.payg_cost_rate.sel(year=2040))
    assert float(ds.fiscal_subsidy.sel(year=2040)) < float(old.fiscal_subsidy.sel(year=2040))


# (6) bad inputs --------------------------------------------------------------------------------------------------

def _bad(tmp_path, old, new, count=1):
    text = SCENARIO.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, field", [
    ("employer_rate = 0.16", "employer_rate = 1.6", "contributions.employer_rate"),
    ("collection_rate = 0.98", "collection_rate = 1.2", "economy.collection_rate"),
    ("female_cadre_share = 0.9", "female_cadre_share = 1.5", "benefits.female_cadre_share"),
    ("end_year = 2024\nold_method_coefficient", "end_year = 2024\nexcess_share_typo = 1\nold_method_coefficient",
     "transition"),
])
def test_bad_values_name_file_and_field(tmp_path, old, new, field):
    path = _bad(tmp_path, old, new)
    with pytest.raises(InputError) as err:
        sibrisk.load_scenario(path)
    assert "bad.toml" in str(err.value)
    assert field in str(err.value)


def test_bad_transition_share(tmp_path):
    path = _bad(tmp_path, "2024 = 1.0 }", "2024 = 1.5 }")
    with pytest.raises(InputError) as err:
        sibrisk.load_scenario(path)
    assert "bad.toml" in str(err.value) and "transition.excess_share" in str(err.value)


def test_age_table_of_wrong_length(tmp_path):
    text = SCENARIO.read_text(encoding="utf-8")
    head, tail = text.split("[initial.contributors_profile]", 1)
    tail = re.sub(r"male = \[[^\]]*\]", "male = [1.0, 2.0, 3.0]", tail, count=1)
    path = tmp_path / "bad.toml"
    path.write_text(head + "[initial.contributors_profile]" + tail, encoding="utf-8")
    with pytest.raises(InputError) as err:
        sibrisk.load_scenario(path)
    assert "bad.toml" in str(err.value) and "initial.contributors_profile" in str(err.value)


# (7) stochastic --------------------------------------------------------------------------------------------------

def test_simulate_50_scenarios_roll_forward_closes(sc):
    sim = sibrisk.simulate(sc, 50, seed=1)
    assert sim.sizes["scenario"] == 50
    closing = sim.opening_balance + sim.contribution_income + sim.fiscal_subsidy + sim.interest_income \
        - sim.benefit_expenditure
    np.testing.assert_allclose(closing, sim.fund_balance, rtol=1e-12, atol=1e-2)
    assert float(sim.fund_balance.std("scenario").sel(year=2060)) > 0
    # the budget backstop holds every scenario at the floor: never depleted
    assert (sim.fund_balance > 0).all()
