"""Fujian (福建省) from published figures (issue 17): every figure has a quoted source, the shipped scenarios
reproduce the published 2021 figures they were re-based on, the figures cited are the ones in the scenarios, and the
projections are sane. The ILLUSTRATIVE prefecture reproduces its (invented) accounts."""

import re
from pathlib import Path

import numpy as np
import pytest

import sibrisk
from sibrisk import regions_data as rd
from sibrisk.performance import load_goals
from sibrisk.performance.engine import scenario_path
from sibrisk.rebasing import check_jumps

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
FUNDS = ("enterprise_pension", "public_sector_pension")
FILES = {f: SCEN / f"fujian_{f}_2021.toml" for f in FUNDS}


@pytest.fixture(scope="module")
def projections():
    return {f: sibrisk.project(sibrisk.load_scenario(FILES[f]), keep_detail=False) for f in FUNDS}


def test_every_row_has_a_documented_source_and_a_known_unit_and_period():
    rows = rd.load_published()
    ids = rd.source_ids()
    assert rows and ids
    for r in rows:
        assert r.source_id in ids, (r.fund, r.year, r.item, r.source_id)
        assert r.unit in rd.UNITS
        assert r.period in ("year", "year_end") or re.fullmatch(rf"{r.year}-(0[1-9]|1[0-2])", r.period), r
        assert np.isfinite(r.value) and r.value > 0
        if r.derived:  # a derived figure states its formula
            assert re.search(r"\d\s*[-+x/]\s*\d", r.note), r.note
    # every published value appears verbatim in its source's section of SOURCES.md
    text = rd.sources_md().read_text(encoding="utf-8")
    sections = dict(re.findall(r"^#{2,3} ([A-Z][A-Z0-9_]+)\s*\n(.*?)(?=^#{2,3} |\Z)", text, flags=re.M | re.S))
    for r in rows:
        if r.derived:
            continue
        raw = f"{r.raw:g}" if r.unit == "元" else None
        quoted = sections[r.source_id]
        candidates = [raw] if raw else [f"{r.raw:.2f}", f"{r.raw:g}"]
        assert any(c in quoted for c in candidates), (r.source_id, r.raw)


@pytest.mark.parametrize("fund", FUNDS)
def test_base_year_reproduces_the_published_2021_figures(fund, projections):
    row = projections[fund].sel(year=2021)
    for item in ("fund_balance", "expenditure", "income", "contributors", "beneficiaries"):
        pub = rd.published(fund, 2021, item).value
        got = float(rd.projected(row, item))
        assert got == pytest.approx(pub, rel=0.01), (item, got, pub)
    if fund == "public_sector_pension":  # the roll-forward closes, so the 2020 year-end is the opening
        assert float(row.opening_balance) == pytest.approx(rd.published(fund, 2020, "fund_balance").value, rel=1e-6)


@pytest.mark.parametrize("fund", FUNDS)
def test_the_cited_figures_are_the_ones_in_the_scenario(fund, projections):
    text = FILES[fund].read_text(encoding="utf-8")
    sc = sibrisk.load_scenario(FILES[fund])
    # the wage replacing the national one
    assert sc.economy.average_wage == rd.published("all", 2021, "average_wage").value
    # the header cites every 2021 figure of the table as the CSV holds it
    for item in ("fund_balance", "expenditure", "income", "contributors", "beneficiaries"):
        f = rd.published(fund, 2021, item)
        assert f"{f.raw:,.2f}" in text, (item, f.raw)
    # the sources named are documented
    ids = rd.source_ids()
    named = [s.split(":")[0] for s in sc.meta.sources if s.startswith("FJ_")]
    assert named and set(named) <= ids
    # the actuals written in the file are the ones the CSV gives today (no silent divergence)
    line = next(ln for ln in text.splitlines() if ln.startswith("# The actuals it was re-based on"))
    written = {k: float(v) for k, v in re.findall(r"(\w+) = ([-+\d.e]+)", line.split(":", 1)[1])}
    _, actuals, income = rd.fujian_inputs(fund)
    for k, v in actuals.items():
        assert written[k] == pytest.approx(v, rel=1e-5), k
    row = projections[fund].sel(year=2021)
    if fund == "enterprise_pension":  # DERIVED: published total income - the scenario's own subsidy and interest
        other = float(row.fiscal_subsidy + row.interest_income + row.other_income)
        assert written["contribution_income"] == pytest.approx(income - other, rel=1e-5)
    else:
        assert sc.subsidy.floor_months == pytest.approx(
            rd.published(fund, 2021, "fund_balance").value / (rd.published(fund, 2021, "expenditure").value / 12))
    assert sc.meta.region == "fujian" and sc.meta.allow_outliers == []


@pytest.mark.parametrize("fund", FUNDS)
def test_projection_is_sane(fund, projections):
    ds = projections[fund].sel(year=slice(2021, 2026))
    for item in ("contributors", "beneficiaries", "fund_balance"):
        path = np.asarray(rd.projected(ds, item).values, dtype=float)
        rel = path / path[0]
        assert (rel < 2.0).all() and (rel > 0.5).all(), (item, rel)
    assert (ds.fund_balance.values > 0).all()
    check_jumps(sibrisk.load_scenario(FILES[fund]), projections[fund])


def test_backtest_against_the_month_end_reports(projections):
    for fund in FUNDS:
        rows = rd.backtest(sibrisk.load_scenario(FILES[fund]), fund)
        months = {(f.period, f.item) for f in rd.load_published() if f.region == "fujian" and f.fund == fund
                  and f.year > 2021 and f.item in rd.ITEM_VARIABLES}
        assert {(r["period"], r["item"]) for r in rows} == months and len(rows) == 10
        if fund == "public_sector_pension":  # staffing held: within 5% of every report to 2024-02
            assert max(abs(r["gap"]) for r in rows) < 0.05


def test_prefecture_reproduces_its_accounts_and_the_goal_sets_name_region_scenarios():
    from sibrisk.performance import load_budget, load_execution
    from sibrisk.rebasing import actuals_from_accounts

    ex = SCEN / "execution"
    actuals = actuals_from_accounts(load_budget(ex / "prefecture_2024_budget.csv"),
                                    load_execution(ex / "prefecture_2024_execution.csv"))
    assert actuals["fund_balance"] == pytest.approx(180e8)
    sc = sibrisk.load_scenario(SCEN / "prefecture_enterprise_pension_2024.toml")
    row = sibrisk.project(sc, keep_detail=False).sel(year=2024)
    for k in ("fund_balance", "contribution_income", "benefit_expenditure", "contributors", "beneficiaries"):
        assert float(row[k]) == pytest.approx(actuals[k], rel=0.01), k
    for name, scen in (("fujian_2022", "fujian_enterprise_pension_2021"),
                       ("prefecture_2024", "prefecture_enterprise_pension_2024")):
        gs = load_goals(SCEN / "goals" / f"{name}.toml")
        assert scenario_path(gs).resolve() == (SCEN / f"{scen}.toml").resolve()
        assert sum(g.weight for g in gs.indicators) == pytest.approx(100)
