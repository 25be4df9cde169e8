"""The performance layer for funds other than the pension: goal sets of the employee medical and unemployment funds
evaluated end to end on their own engines; budget-only indicators never start the engine."""

from pathlib import Path

import numpy as np
import pytest

import sibrisk
from sibrisk.performance import evaluate
from sibrisk.performance.engine import SibriskEngine, engine_value
from sibrisk.performance.evaluation import load_assessment
from sibrisk.performance.execution import load_budget, load_execution
from sibrisk.performance.goals import goals_from_dict, load_goals

ROOT = Path(__file__).resolve().parents[1]
GOALS, EXEC = ROOT / "scenarios" / "goals", ROOT / "scenarios" / "execution"
CASES = [("employee_medical", 2025), ("unemployment", 2024)]


@pytest.mark.parametrize("fund, year", CASES)
def test_goal_set_of_another_fund_end_to_end(fund, year):
    stem = f"region_a_{year}_{fund}"
    gs = load_goals(GOALS / f"{stem}.toml")
    assert gs.meta.fund == fund
    engine = SibriskEngine()
    res = evaluate(gs, load_budget(EXEC / f"{stem}_budget.csv"), load_execution(EXEC / f"{stem}_execution.csv"),
                   assessment=load_assessment(EXEC / f"{stem}_assessment.toml", gs), engine=engine)
    assert sum(r.goal.weight for r in res.rows) == 100
    assert 0 < res.total <= 100
    # the engine value is that fund's own projection of the regional scenario, in the goal year
    sc = sibrisk.load_scenario(f"{fund}_national").with_updates(gs.scenario.updates)
    ds = sibrisk.project(sc, keep_detail=False).sel(year=year)
    assert ds.attrs["fund"] == fund
    months, note = engine_value(gs.indicator("balance_months"), gs, engine)
    assert months == pytest.approx(float(ds.fund_balance / (ds.total_expenditure / 12)), rel=1e-12)
    assert f"{fund}_national" in note
    # the evaluated year's own balance months come from its accounts (opening balance + the year's flows)
    budget, execution = load_budget(EXEC / f"{stem}_budget.csv"), load_execution(EXEC / f"{stem}_execution.csv")
    row = next(r for r in res.rows if r.goal.id == "balance_months")
    assert row.value == pytest.approx(accounts_months(budget, execution), rel=1e-12)


def accounts_months(budget, execution):
    flows = execution.cumulative(12)
    spent = flows["benefit_expenditure"] + flows.get("other_expenditure", 0.0)
    income = sum(flows.get(k, 0.0) for k in ("contribution_income", "fiscal_subsidy", "interest_income",
                                              "other_income"))
    return (budget.items["opening_balance"] + income - spent) / (spent / 12)


class NoEngine:
    def projection(self, goalset):
        raise AssertionError("the engine was started for a goal set that only needs budget and execution data")

    simulation = projection


def test_budget_only_indicators_never_start_the_engine():
    stem = "region_a_2024_unemployment"
    data = __import__("tomllib").loads((GOALS / f"{stem}.toml").read_text(encoding="utf-8"))
    keep = {"income_completion": 40, "expenditure_execution": 40, "collection": 20}
    data["indicators"] = [dict(i, weight=keep[i["id"]]) for i in data["indicators"] if i["id"] in keep]
    data["annual"]["goals"] = [{"text_zh": "预算", "text_en": "budget", "indicators": list(keep)}]
    data["overall"]["goals"] = []
    data.pop("scenario")
    gs = goals_from_dict(data, source=GOALS / f"{stem}.toml")
    res = evaluate(gs, load_budget(EXEC / f"{stem}_budget.csv"), load_execution(EXEC / f"{stem}_execution.csv"),
                   engine=NoEngine())
    assert [r.goal.id for r in res.rows] == list(keep)


@pytest.mark.parametrize("fund", sibrisk.funds.implemented())
def test_a_goal_set_of_every_fund_end_to_end(fund):
    """A minimal goal set for each fund for 2025 (a projected year of every default): budget indicators from a budget
    and execution file, engine indicators from that fund's own projection (checked against it)."""
    default = sibrisk.funds.get(fund).default_scenario
    year = 2025
    data = {
        "meta": {"fund": fund, "region": "X", "province": "P", "level": "pooling_region", "year": year,
                 "title": "ILLUSTRATIVE"},
        "scenario": {"base": default},
        "annual": {"goals": [{"text_zh": "目标", "text_en": "goal",
                              "indicators": ["income", "months", "balance"]}]},
        "indicators": [
            {"id": "income", "indicator": "income_budget_completion_rate", "direction": "at_least", "target": 100,
             "weight": 40},
            {"id": "months", "indicator": "balance_months", "direction": "at_least", "target": 6, "weight": 40},
            {"id": "balance", "indicator": "current_balance", "unit": "亿元", "direction": "at_least", "target": 0,
             "weight": 20, "scoring": {"rule": "bands", "basis": "absolute", "bands": [[100, 0.5]]}},
        ],
    }
    gs = goals_from_dict(data, source=f"<{fund} goal set>")
    stem = "region_a_2025_employee_medical"  # any 2025 budget and execution: the format is the same for every fund
    budget, execution = load_budget(EXEC / f"{stem}_budget.csv"), load_execution(EXEC / f"{stem}_execution.csv")
    engine = SibriskEngine()
    res = evaluate(gs, budget, execution, engine=engine)
    ds = sibrisk.project(sibrisk.load_scenario(default), keep_detail=False).sel(year=year)
    rows = {r.goal.id: r for r in res.rows}
    # the engine's value for the year is that fund's own projection ...
    assert engine_value(gs.indicator("months"), gs, engine)[0] == pytest.approx(float(ds.balance_months), rel=1e-9)
    assert engine_value(gs.indicator("balance"), gs, engine)[0] == pytest.approx(float(ds.current_balance), rel=1e-9)
    # ... but the evaluated year's position is read from its accounts (budget opening balance + execution)
    months = accounts_months(budget, execution)
    assert rows["months"].value == pytest.approx(months, rel=1e-12)
    # proportional credit capped at full marks ("按完成比例计算得分，满分为止")
    assert rows["months"].score == pytest.approx(40.0 * np.clip(months / 6, 0.0, 1.0), abs=1e-9)
    assert 0 <= res.total <= 100
