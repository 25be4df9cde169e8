"""Consistency guards (issue 17): base-year stocks against the flows that feed them and against each other, levels
against the wage, the collection rate, valuation periods, and the jump guard on re-based scenarios. Each guard is
tripped by the value that trips it, with its error text; each one lets through the shipped national scenarios and a
scenario that lists it in ``[meta] allow_outliers``."""

import re
from pathlib import Path

import numpy as np
import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.indicators.actuarial import actuarial_balance_of
from sibrisk.performance.goals import load_goals
from sibrisk.rebasing import JUMP_FACTOR, JUMP_YEARS, check_jumps, rebase

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
EP = SCEN / "enterprise_pension_national.toml"
PS = SCEN / "public_sector_pension_national.toml"
ENTRANTS = "total = { 2021 = 14110000.0, 2025 = 10580000.0, 2030 = 7940000.0, 2035 = 6610000.0, 2040 = 5730000.0 }"


def _edit(tmp_path, old, new, src=EP, outliers=None):
    text = src.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    if outliers:
        text = text.replace("[meta]\n", f"[meta]\nallow_outliers = {outliers!r}\n".replace("'", '"'), 1)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


# the nonsense inputs (and their kin), each with the guard that refuses it and the value it reports
@pytest.mark.parametrize("old,new,field,value,ratio", [
    ("retirees = 114380000.0", "retirees = 1.5", "initial.retirees", "1.5", "4.872e-09"),       # 1.5 retirees
    ("contributors = 307900000.0", "contributors = 1.0", "initial.retirees", "114380000.0", "1.144e\\+08"),
    (ENTRANTS, "total = 0.0", "entrants.total", "0.0", "0"),                                    # no entrants
    (ENTRANTS, "total = 1e8", "entrants.total", "100000000.0", "0.3248"),
    ("average_benefit = 35845.43", "average_benefit = 2987.0", "initial.average_benefit", "2987.0", "0.02796"),
    ("fund_balance = 4.500000e+12", "fund_balance = -3.0e13", "initial.fund_balance", "-30000000000000.0", "-7.317"),
])
def test_pension_guards_refuse_inconsistent_base_years(tmp_path, old, new, field, value, ratio):
    path = _edit(tmp_path, old, new)
    with pytest.raises(InputError) as ei:
        sibrisk.load_scenario(path)
    msg = str(ei.value)
    assert re.search(rf"s\.toml: {re.escape(field)} = {value}: inconsistent: .* is {ratio}, outside", msg), msg
    assert "ASSUMPTION 2026-12" in msg and "allow_outliers" in msg


@pytest.mark.parametrize("old,new,field", [
    ("base_ratio = 0.591577", "base_ratio = 5.91577", "contributions.base_ratio"),      # 10x the shipped base
    ("collection_rate = 0.8607", "collection_rate = 0.005", "economy.collection_rate"),  # what a wrong re-base solved
])
def test_bases_and_collection_rates_outside_the_law_are_refused(tmp_path, old, new, field):
    with pytest.raises(InputError, match=rf"s\.toml: {re.escape(field)} = .*: implausible: .* is outside"):
        sibrisk.load_scenario(_edit(tmp_path, old, new))


def test_the_public_sector_scheme_has_the_same_guards(tmp_path):
    text = PS.read_text(encoding="utf-8")
    old = re.search(r"(?m)^retirees = .*$", text).group(0)
    with pytest.raises(InputError, match=r"initial.retirees = 1.5: inconsistent: retirees per insured worker"):
        sibrisk.load_scenario(_edit(tmp_path, old, "retirees = 1.5", src=PS))


def test_a_closed_group_runs_when_the_guard_is_listed(tmp_path):
    """No entrants is a closed-group valuation: refused by default, run on purpose, and it matters."""
    path = _edit(tmp_path, ENTRANTS, "total = 0.0", outliers=["entrants_rate"])
    sc = sibrisk.load_scenario(path).with_updates({"projection.years": 10})
    closed = sibrisk.project(sc, keep_detail=False)
    open_ = sibrisk.project(sibrisk.load_scenario(EP).with_updates({"projection.years": 10}), keep_detail=False)
    assert float(closed.contributors[-1]) < 0.8 * float(open_.contributors[-1])


def test_allow_outliers_names_guards_or_bounded_fields(tmp_path):
    path = _edit(tmp_path, "interest_rate = 0.025", "interest_rate = 0.025", outliers=["entrant_rate"])
    with pytest.raises(InputError, match=r"allow_outliers\[0\] = 'entrant_rate': .*guards: .*entrants_rate"):
        sibrisk.load_scenario(path)


def test_a_region_of_a_file_is_guarded_too(tmp_path):
    src = SCEN / "example_province_enterprise_pension.toml"
    text = src.read_text(encoding="utf-8")
    block = re.search(r"\[regions\.city_a\.initial\]\n(.*?)\n\n", text, re.S).group(1)
    old = re.search(r"(?m)^retirees = .*$", block).group(0)
    path = tmp_path / "p.toml"
    path.write_text(text.replace(old, "retirees = 1.5", 1), encoding="utf-8")
    (tmp_path / EP.name).write_text(EP.read_text(encoding="utf-8"), encoding="utf-8")  # the file it extends
    with pytest.raises(InputError, match=r"p\.toml: regions\.city_a\.initial\.retirees = 1\.5: inconsistent"):
        sibrisk.load_scenario(path)


def test_shipped_scenarios_pass_every_guard_with_room():
    """The national defaults sit well inside each guard (a factor 2 from each bound at least, where one exists)."""
    for name in ("enterprise_pension_national", "public_sector_pension_national"):
        sc = sibrisk.load_scenario(name)
        for g in type(sc).GUARDS:
            r = g.ratio(sc)
            assert g.lo <= r <= g.hi, (name, g.id, r)
            if g.lo > 0:
                assert r >= 2 * g.lo and r <= g.hi / 2, (name, g.id, r)


# ---- valuation periods -------------------------------------------------------------------------------------------
def test_a_valuation_period_past_the_projection_is_refused_not_cut():
    sc = sibrisk.load_scenario("unemployment_national").with_updates({"projection.years": 12})
    ds = sibrisk.project(sc, keep_detail=False)
    assert np.isfinite(float(actuarial_balance_of(ds, years=12).actuarial_balance))
    with pytest.raises(InputError, match=r"years = 100000: the valuation period runs past the projection: it holds "
                                         r"12 years from 2021 \(to 2032\)"):
        actuarial_balance_of(ds, years=100_000)
    with pytest.raises(InputError, match=r"holds 10 years from 2023"):
        actuarial_balance_of(ds, start=2023, years=11)


def test_a_goal_set_with_a_valuation_of_100000_years_is_refused(tmp_path):
    src = SCEN / "goals" / "region_a_2024.toml"
    text = src.read_text(encoding="utf-8")
    assert "options = { valuation_years = 30 }" in text
    path = tmp_path / "g.toml"
    path.write_text(text.replace("options = { valuation_years = 30 }", "options = { valuation_years = 100000 }"),
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"g\.toml: .*options\.valuation_years = 100000: must be a whole number "
                                         r"1\.\.150"):
        load_goals(path)
    path.write_text(text.replace("options = { valuation_years = 30 }", "options = { valuation_years = 2.5 }"),
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"options\.valuation_years = 2\.5: must be a whole number"):
        load_goals(path)


# ---- the jump guard -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def enterprise():
    sc = sibrisk.load_scenario("enterprise_pension_national")
    return sc, sibrisk.project(sc, keep_detail=False)


def _accounts(ds, year, k):
    row = ds.sel(year=year)
    out = {"year": year, "opening_balance": k * float(row.opening_balance)}
    for name in ("contribution_income", "fiscal_subsidy", "interest_income", "other_income", "benefit_expenditure",
                 "other_expenditure", "fund_balance", "contributors", "beneficiaries"):
        if name in row:
            out[name] = k * float(row[name])
    return out


def test_every_national_default_stays_within_the_jump_factor():
    for fund in ("enterprise_pension", "public_sector_pension", "resident_pension", "employee_medical",
                 "resident_medical", "work_injury", "unemployment"):
        sc = sibrisk.load_scenario(f"{fund}_national")
        ds = sibrisk.project(sc, keep_detail=False)
        check_jumps(sc, ds)  # does not raise
        for v in ("contributors", "beneficiaries", "insured"):
            if v in ds:
                rel = ds[v].values[:JUMP_YEARS + 1] / ds[v].values[0]
                assert 1 / 1.3 < rel.min() and rel.max() < 1.3, (fund, v, rel)


def test_a_region_forced_to_the_nations_size_is_refused(enterprise):
    """The issue's case: a region's own head counts with the nation's entrants (size forced to 1) would grow its
    contributors 20-fold within five years: refused at once, naming entrants.total, the ratio and the fix."""
    sc, ds = enterprise
    with pytest.raises(InputError) as ei:
        rebase(sc, _accounts(ds, 2021, 1 / 200), size=1.0)
    msg = str(ei.value)
    assert re.search(r"entrants\.total = \{2021: 14110000\.0.*: re-basing .* \(inconsistent: new entrants of the base year per "
                     r"insured worker .* is 9\.165, outside 0\.003\.\.0\.25", msg), msg
    assert "scale entrants.total to the region" in msg
    ok = rebase(sc, _accounts(ds, 2021, 1 / 200))  # measured, the same accounts re-base at size 1/200
    assert ok.size == pytest.approx(1 / 200, rel=1e-9)


PROFILE = {"male": [0.0] * 20 + [1.0] * 20 + [0.0] * 61, "female": [0.0] * 20 + [1.0] * 20 + [0.0] * 61}


@pytest.fixture(scope="module")
def migrating():
    """A region of 1% of the nation given the nation's yearly net migration (30 million, ages 20-39)."""
    nat = sibrisk.load_scenario("unemployment_national")
    sc = nat.with_updates(
        {"projection.years": 10, "population.scale": 0.01, "population.net_migration": 3.0e7,
         "population.migration_profile": PROFILE, "initial.fund_balance": 0.01 * nat.initial.fund_balance})
    return sc, sibrisk.project(sc, keep_detail=False)


def test_the_jump_guard_refuses_a_doubling_stock_naming_its_input(migrating):
    sc, ds = migrating
    with pytest.raises(InputError) as ei:
        check_jumps(sc, ds)
    msg = str(ei.value)
    assert re.search(r"population\.net_migration = 30000000\.0: the projection's contributors go from [\d,]+ in "
                     r"2021 to [\d,]+ in 202\d \(x[2-9]", msg), msg
    assert f"doubles or halves within {JUMP_YEARS} years" in msg and "list 'stock_jump'" in msg
    # and rebase, which checks its result, refuses the region re-based on its own accounts
    with pytest.raises(InputError, match="the projection's contributors go from"):
        rebase(sc, _accounts(ds, 2021, 1.0))


def test_the_jump_guard_can_be_lifted_by_a_rule(migrating):
    sc, ds = migrating
    lifted = sc.with_updates({"meta.allow_outliers": ["stock_jump"]})
    check_jumps(lifted, ds)
    res = rebase(lifted, _accounts(ds, 2021, 1.0))
    grown = sibrisk.project(res.scenario, keep_detail=False)
    assert float(grown.contributors[JUMP_YEARS] / grown.contributors[0]) > JUMP_FACTOR


def test_accounts_whose_income_the_head_counts_cannot_pay_are_refused(enterprise):
    """Contribution income per contributor against the wage: the issue's prefecture accounts (2021 here) against
    the nation's 30,790 万 insured workers (size forced to 1) solve a collection rate of 0.6%: refused, naming the
    field, the value and what disagrees."""
    sc, _ = enterprise
    accounts = {"year": 2021, "contribution_income": 265e8, "fiscal_subsidy": 55e8, "benefit_expenditure": 300e8,
                "fund_balance": 180e8, "beneficiaries": 60e4}
    with pytest.raises(InputError) as ei:
        rebase(sc, accounts, size=1.0)
    msg = str(ei.value)
    assert re.search(r"economy\.collection_rate = \{2021: 0\.006\d+\}: re-basing onto the accounts of 2021 would "
                     r"need this value \(implausible: 0\.0062\d+ is outside 0\.3\.\.1", msg), msg
    assert "contribution income per contributor" in msg and "same region and year" in msg


@pytest.mark.parametrize("fund", ["work_injury", "unemployment"])
def test_a_rebase_on_a_balance_typed_in_the_wrong_unit_is_refused(fund):
    """The base-year guard of every fund: a year-end balance of 10,000 years of expenditure (万元 typed as 元) is
    refused naming the account item; listed in allow_outliers it runs."""
    from sibrisk.rebasing import rebase

    sc = sibrisk.load_scenario(f"{fund}_national")
    ds = sibrisk.project(sc, keep_detail=False)
    y = int(ds.year[0])
    row = ds.sel(year=y)
    items = ("fund_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
             "benefit_expenditure", "other_expenditure", "contributors", "beneficiaries")
    act = {"year": y, **{k: float(row[k]) / 50 for k in items}}
    ok = rebase(sc, act, size=1 / 50)
    assert 0.3 < float(ok.check["fund_balance"][1] / row.total_expenditure * 50) < 3
    act["fund_balance"] *= 1e4
    with pytest.raises(InputError, match=r"actuals.fund_balance.*balance in years of the year's expenditure .* is "
                                         r"\d\.\d+e\+04, outside -5..30"):
        rebase(sc, act, size=1 / 50)
    lifted = sc.with_updates({"meta.allow_outliers": ["balance_years"]})
    rebase(lifted, act, size=1 / 50)
