"""From actual accounts to projection and back, on a hand-made case: a pooling region's 2024 unemployment accounts
(written as budget and execution files) are evaluated from the accounts, split against the projection into volume
and price effects, and the scenario is re-based on them."""

import pytest

import sibrisk
from sibrisk.performance import evaluate, load_budget, load_execution
from sibrisk.performance.goals import goals_from_dict
from sibrisk.performance.report import self_evaluation_xlsx
from sibrisk.rebasing import actuals_from_accounts

YEAR = 2024
FLOWS = ("contribution_income", "fiscal_subsidy", "interest_income", "other_income", "benefit_expenditure",
         "other_expenditure")


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """Accounts = the default scenario's own 2024, with 4% more contributors each paying 2% more, and 5% fewer
    beneficiaries each receiving 10% more; other flows and the opening balance as projected."""
    sc = sibrisk.load_scenario("unemployment_national")
    row = sibrisk.project(sc, keep_detail=False).sel(year=YEAR)
    acc = {k: float(row[k]) for k in FLOWS}
    acc["contributors"] = 1.04 * float(row.contributors)
    acc["contribution_income"] *= 1.04 * 1.02
    acc["beneficiaries"] = 0.95 * float(row.beneficiaries)
    acc["benefit_expenditure"] *= 0.95 * 1.10
    opening = float(row.opening_balance)
    d = tmp_path_factory.mktemp("accounts")
    wan = 1e4  # files hold 万元
    (d / "budget.csv").write_text("item,amount\n" + f"year,{YEAR}\n" + "".join(
        f"{k},{acc[k] / wan!r}\n" for k in FLOWS) + f"opening_balance,{opening / wan!r}\n", encoding="utf-8")
    cols = (*FLOWS, "insured_persons", "contributors", "beneficiaries")
    lines = ["period," + ",".join(cols)]
    for m in range(1, 13):
        cells = [repr(acc[k] / 12 / wan) for k in FLOWS] + [repr(acc["contributors"]), repr(acc["contributors"]),
                                                            repr(acc["beneficiaries"])]
        lines.append(f"{YEAR}-{m:02d}," + ",".join(cells))
    (d / "execution.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    goals = goals_from_dict({
        "meta": {"fund": "unemployment", "region": "X", "province": "P", "level": "pooling_region", "year": YEAR,
                 "title": "hand-made case"},
        "scenario": {"base": "unemployment_national"},
        "annual": {"goals": [{"text_zh": "可持续", "text_en": "sustainable", "indicators": ["months", "ab"]}]},
        "indicators": [
            {"id": "months", "indicator": "balance_months", "direction": "at_least", "target": 6, "weight": 60},
            {"id": "ab", "indicator": "actuarial_balance", "direction": "at_least", "target": -5, "weight": 40,
             "scoring": {"rule": "bands", "basis": "absolute", "bands": [[2, 0.6], [5, 0.3]]}},
        ]}, source=str(d / "goals.toml"))
    return sc, row, acc, opening, load_budget(d / "budget.csv"), load_execution(d / "execution.csv"), goals


def test_evaluate_from_accounts_then_actual_vs_expected_then_rebase(case):
    sc, row, acc, opening, budget, execution, goals = case
    res = evaluate(goals, budget, execution)
    income = sum(acc[k] for k in FLOWS[:4])
    spent = acc["benefit_expenditure"] + acc["other_expenditure"]
    months = {r.goal.id: r for r in res.rows}["months"]
    assert months.value == pytest.approx((opening + income - spent) / (spent / 12), rel=1e-9)  # from the accounts
    assert "projection" in {r.goal.id: r for r in res.rows}["ab"].value_source  # forward-looking: the engine

    dev = {d.flow: d for d in res.deviations}
    c, b = dev["contribution_income"], dev["benefit_expenditure"]
    e_c, e_b = float(row.contribution_income), float(row.benefit_expenditure)
    # hand: volume = 4% of expected; price = 1.04 x 2% of expected; they add up to the gap
    assert c.volume_effect == pytest.approx(0.04 * e_c, rel=1e-9)
    assert c.price_effect == pytest.approx(1.04 * 0.02 * e_c, rel=1e-9)
    assert b.volume_effect == pytest.approx(-0.05 * e_b, rel=1e-9)
    assert b.price_effect == pytest.approx(0.95 * 0.10 * e_b, rel=1e-9)
    # a 4.5% gap in total, but a -5% volume and a +9.5% price effect: two assumptions missed, both named
    assert b.gap_percent == pytest.approx(0.95 * 1.10 * 100 - 100)
    assert b.large and b.assumption("en").startswith("beneficiaries") and "average benefit" in b.assumption("en")
    assert c.large and c.assumption("en") == "contributors: entrants, coverage, retirement ages"  # +4% volume only
    assert dev["interest_income"].volume_effect is None and dev["interest_income"].gap == pytest.approx(0, abs=1.0)
    # the split is in the report's workbook
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(self_evaluation_xlsx(res, "en")))
    sheet = wb["actual_vs_expected"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Contribution income"][5] == pytest.approx(0.04 * e_c / 1e8, rel=1e-6)  # 亿元

    rebased = sibrisk.rebase(sc, actuals_from_accounts(budget, execution))
    new = sibrisk.project(rebased.scenario, keep_detail=False).sel(year=YEAR)
    assert rebased.scenario.projection.base_year == YEAR
    for k in ("contribution_income", "benefit_expenditure", "contributors", "beneficiaries"):
        assert float(new[k]) == pytest.approx(acc[k], rel=1e-6), k
    assert float(new.fund_balance) == pytest.approx(opening + income - spent, rel=1e-6)


def test_cli_rebase_writes_a_scenario_that_extends_the_original(case, tmp_path, capsys):
    from sibrisk.cli import main

    sc, row, acc, opening, budget, execution, goals = case
    out = tmp_path / "rebased.toml"
    assert main(["rebase", "unemployment_national", "--budget", budget.source, "--execution", execution.source,
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "population.scale" in text and "initial.fund_balance" in text and f"wrote {out}" in text
    assert out.read_text(encoding="utf-8").count("extends = ") == 1
    from_file = sibrisk.project(sibrisk.load_scenario(out), keep_detail=False)
    direct = sibrisk.project(sibrisk.rebase(sc, actuals_from_accounts(budget, execution)).scenario, keep_detail=False)
    assert int(from_file.year[0]) == YEAR
    import numpy as np

    np.testing.assert_allclose(from_file.fund_balance, direct.fund_balance, rtol=1e-12)
    assert main(["rebase", "unemployment_national", "--budget", budget.source, "--execution", execution.source,
                 "--out", str(out)]) == 2  # never replaced without --overwrite


def test_goal_set_of_the_coming_year_uses_the_rebased_projection(case, tmp_path, capsys):
    from sibrisk.cli import main
    from sibrisk.performance.engine import SibriskEngine, engine_value
    from sibrisk.performance.goals import load_goals

    sc, row, acc, opening, budget, execution, goals = case
    assert main(["rebase", "unemployment_national", "--budget", budget.source, "--execution", execution.source,
                 "--out", str(tmp_path / "rebased.toml")]) == 0
    capsys.readouterr()
    (tmp_path / "goals_2025.toml").write_text(f"""
[meta]
fund = "unemployment"
region = "X"
province = "P"
level = "pooling_region"
year = {YEAR + 1}
title = "hand-made case, the coming year"
[scenario]
base = "rebased.toml"
[[annual.goals]]
text_zh = "可持续"
text_en = "sustainable"
indicators = ["months"]
[[indicators]]
id = "months"
indicator = "balance_months"
direction = "at_least"
target = 6
weight = 100
""", encoding="utf-8")
    gs = load_goals(tmp_path / "goals_2025.toml")
    value, note = engine_value(gs.indicator("months"), gs, SibriskEngine())
    rebased = sibrisk.project(sibrisk.load_scenario(tmp_path / "rebased.toml"), keep_detail=False)
    assert value == pytest.approx(float(rebased.balance_months.sel(year=YEAR + 1)), rel=1e-12)
    original = sibrisk.project(sc, keep_detail=False)
    assert value != pytest.approx(float(original.balance_months.sel(year=YEAR + 1)), rel=1e-3)
