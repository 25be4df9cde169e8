"""Monitoring: levels exactly at their thresholds, time progress and outturn computed by hand, and every class of
bad budget/execution input named by file, column/row and value."""

import math
from pathlib import Path

import pytest
from openpyxl import Workbook

from sibrisk.errors import InputError
from sibrisk.performance import (Thresholds, goals_from_dict, load_budget, load_execution, load_thresholds, monitor,
                                 projected_outturn)
from sibrisk.performance.execution import Budget, Execution

ROOT = Path(__file__).resolve().parents[1]
EXEC = ROOT / "scenarios" / "execution"


def goalset(direction="at_least", target=100, indicator="contribution_income_completion_rate"):
    return goals_from_dict({
        "meta": {"fund": "unemployment", "region": "T", "year": 2024},
        "annual": {"goals": [{"text_zh": "收入", "indicators": ["x"]}]},
        "indicators": [{"id": "x", "indicator": indicator, "direction": direction, "target": target, "weight": 100}],
    })


BUDGET = Budget(2024, {"contribution_income": 1200.0, "fiscal_subsidy": 120.0, "benefit_expenditure": 1200.0,
                       "interest_income": 0.0, "other_income": 0.0, "other_expenditure": 0.0})


def execution(monthly_contributions, expenditure=100.0):
    periods = {m + 1: {"contribution_income": c, "fiscal_subsidy": 10.0, "benefit_expenditure": expenditure,
                       "insured_persons": 100.0} for m, c in enumerate(monthly_contributions)}
    return Execution(2024, "monthly", periods, ("contribution_income", "fiscal_subsidy", "benefit_expenditure",
                                                "insured_persons"))


LOOSE_OUTTURN = {"prompt": 1000.0, "warning": 2000.0, "correction": 3000.0}  # isolates the progress rule


@pytest.mark.parametrize("cumulative,level", [
    (540.0, "prompt"),  # 45% at half year: lag exactly 5 pp (45.00000000000001 in floating point)
    (540.12, "normal"),  # lag 4.99 pp
    (480.0, "warning"),  # 40%: lag exactly 10 pp
    (480.12, "prompt"),  # lag 9.99 pp
    (360.0, "correction"),  # 30%: lag exactly 20 pp
    (600.0, "normal"), (700.0, "normal"),  # on or ahead of time
])
def test_progress_levels_at_thresholds(cumulative, level):
    ex = execution([cumulative / 6] * 6)
    res = monitor(goalset(), BUDGET, ex, thresholds=Thresholds(outturn_deviation=LOOSE_OUTTURN))
    row = res.rows[0]
    assert row.time_progress == pytest.approx(50.0)
    assert row.value_to_date == pytest.approx(100 * cumulative / 1200)
    assert row.progress_gap == pytest.approx(100 * cumulative / 1200 - 50)
    assert row.level == level
    assert res.level == level
    fired = {f.rule for f in row.fired}
    assert fired == ({"progress_lag"} if level != "normal" else set())


@pytest.mark.parametrize("cumulative,level", [
    (588.0, "prompt"),  # linear outturn 1176 = 98% of 1200: 2% short of a 100% target
    (588.06, "normal"),
    (570.0, "warning"),  # 95%: exactly 5% short
    (540.0, "correction"),  # 90%: exactly 10% short
])
def test_outturn_levels_at_thresholds(cumulative, level):
    loose = {"prompt": 90.0, "warning": 95.0, "correction": 99.0}
    res = monitor(goalset(), BUDGET, execution([cumulative / 6] * 6), thresholds=Thresholds(progress_lag=loose))
    row = res.rows[0]
    assert res.method == "linear"
    assert row.projected == pytest.approx(100 * cumulative * 2 / 1200)
    assert row.level == level


def test_at_most_and_range_directions_count_running_ahead():
    # expenditure 660 at half year = 55% of budget: 5 pp ahead of time
    ex = execution([100.0] * 6, expenditure=110.0)
    loose = {"prompt": 50.0, "warning": 60.0, "correction": 70.0}
    for direction, target, level in (("at_most", 100, "prompt"), ("range", [95, 105], "prompt"),
                                     ("at_least", 100, "normal")):
        gs = goalset(direction, target, "expenditure_budget_execution_rate")
        res = monitor(gs, BUDGET, ex, thresholds=Thresholds(outturn_deviation=loose))
        assert res.rows[0].progress_gap == pytest.approx(5.0)
        assert res.rows[0].level == level, direction


def test_seasonal_outturn_from_last_years_profile():
    last = execution([50.0] * 6 + [150.0] * 6)  # by June last year: 300 of 1200 = 25%
    now = execution([60.0] * 6)
    out, method = projected_outturn(now, last)
    assert method == "seasonal"
    assert out["contribution_income"] == pytest.approx(360.0 / 0.25)
    assert out["insured_persons"] == 100.0  # stocks: as last reported
    out, method = projected_outturn(now)
    assert (method, out["contribution_income"]) == ("linear", pytest.approx(720.0))
    with pytest.raises(InputError, match="whole year"):
        projected_outturn(now, execution([1.0] * 5))


def test_sample_mid_year_monitoring_and_thresholds_file():
    gs_path = ROOT / "scenarios" / "goals" / "region_b_2024.toml"
    from sibrisk.performance import load_goals

    th = load_thresholds(ROOT / "scenarios" / "goals" / "thresholds_example.toml")
    assert th.progress_lag == {"prompt": 5, "warning": 10, "correction": 20}

    class NoEngine:
        def projection(self, gs):
            raise AssertionError("not needed")

    gs = load_goals(gs_path)
    gs.indicators = [g for g in gs.indicators if g.library.basis == "execution"]
    res = monitor(gs, load_budget(EXEC / "region_b_2024_budget.csv"),
                  load_execution(EXEC / "region_b_2024_execution_to_june.csv"), thresholds=th, engine=NoEngine())
    by = {r.goal.id: r for r in res.rows}
    # subsidies: 10% + 15% of 82% of the budget arrived by June -> 20.5% against 50% time progress
    assert by["subsidy_arrival"].value_to_date == pytest.approx(0.82 * 25.0, abs=1e-6)
    assert by["subsidy_arrival"].level == "correction"
    assert res.as_of == "2024-06" and res.months == 6


def test_bad_thresholds(tmp_path):
    p = tmp_path / "t.toml"
    p.write_text("[progress_lag]\nprompt = 10\nwarning = 5\ncorrection = 20\n", encoding="utf-8")
    with pytest.raises(InputError, match="rise from prompt") as ei:
        load_thresholds(p)
    assert ei.value.field == "progress_lag" and str(p) in str(ei.value)


# ------------------------------------------------------------------ bad budget and execution files
HEADER = "period,contribution_income,fiscal_subsidy,benefit_expenditure,insured_persons\n"


def _csv(tmp_path, text, name="exec.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_execution_units_and_quarters(tmp_path):
    p = _csv(tmp_path, "# comment\n" + HEADER + "2024-Q1,30,3,20,1000\n2024-Q2,30,3,20,1010\n")
    ex = load_execution(p)
    assert (ex.frequency, ex.months, ex.as_of) == ("quarterly", 6, "2024-Q2")
    assert ex.cumulative()["contribution_income"] == pytest.approx(60e4)  # 万元 -> yuan
    assert ex.cumulative()["insured_persons"] == 1010


@pytest.mark.parametrize("body,field,fragment", [
    ("2024-01,1,1,1,1\n2024-02,1,1,1,1\n2024-04,1,1,1,1\n", "period", "2024-03"),  # a missing month
    ("2024-02,1,1,1,1\n", "period", "2024-01"),  # the year must start in January
    ("2024-01,1,1,1,1\n2024-01,1,1,1,1\n", "period", "appears twice"),
    ("2024-01,1,1,1,1\n2024-Q1,1,1,1,1\n", "period", "one frequency"),
    ("2024-01,1,1,1,1\n2025-02,1,1,1,1\n", "period", "another year"),
    ("2024-13,1,1,1,1\n", "period", "'2024-13'"),
    ("2024-01,1,,1,1\n", "fiscal_subsidy", "line 2, column 3: blank cell"),
    ("2024-01,1,abc,1,1\n", "fiscal_subsidy", "'abc'"),
    ("2024-01,-5,1,1,1\n", "contribution_income", "-5.0"),
    ("", "period", "no execution rows"),
])
def test_bad_execution_csv(tmp_path, body, field, fragment):
    p = _csv(tmp_path, HEADER + body)
    with pytest.raises(InputError) as ei:
        load_execution(p)
    assert ei.value.field == field and fragment in str(ei.value) and str(p) in str(ei.value), str(ei.value)


def test_bad_execution_headers(tmp_path):
    with pytest.raises(InputError, match="unknown column header") as ei:
        load_execution(_csv(tmp_path, HEADER.replace("fiscal_subsidy", "subsidy") + "2024-01,1,1,1,1\n"))
    assert ei.value.value == "subsidy" and "column 3" in str(ei.value)
    with pytest.raises(InputError, match="required column") as ei:
        load_execution(_csv(tmp_path, "period,contribution_income,fiscal_subsidy,benefit_expenditure\n2024-01,1,1,1\n"))
    assert ei.value.value == ["insured_persons"]


def test_xlsx_with_a_wrong_header(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "execution"
    ws.append(["period", "contribution_income", "fiscal_subsidy", "benefit_expenditur", "insured_persons"])
    ws.append(["2024-01", 1, 1, 1, 1])
    p = tmp_path / "bad.xlsx"
    wb.save(p)
    with pytest.raises(InputError) as ei:
        load_execution(p)
    msg = str(ei.value)
    assert str(p) in msg and "cell D1" in msg and "'benefit_expenditur'" in msg
    ws.cell(1, 4, "benefit_expenditure")
    ws.cell(2, 3).value = None
    wb.save(p)
    with pytest.raises(InputError, match="cell C2: blank cell"):
        load_execution(p)


def test_shipped_xlsx_reads_like_the_csv():
    wb_path = EXEC / "region_c_2024.xlsx"
    b, ex = load_budget(wb_path), load_execution(wb_path)
    assert b.year == 2024 and b.items["contribution_income"] == pytest.approx(2_030_000e4)
    assert (ex.frequency, ex.months) == ("quarterly", 12)


@pytest.mark.parametrize("body,field,fragment", [
    ("year,2024\ncontribution_income,-100\nfiscal_subsidy,1\nbenefit_expenditure,1\n", "contribution_income",
     "cannot be negative"),
    ("year,2024\ncontribution_income,100\nbenefit_expenditure,1\n", "item", "['fiscal_subsidy']"),
    ("year,2024\ncontribution_incom,100\n", "item", "'contribution_incom'"),
    ("year,2024\nyear,2025\n", "item", "appears twice"),
    ("year,2024.5\ncontribution_income,1\nfiscal_subsidy,1\nbenefit_expenditure,1\n", "year", "whole number"),
])
def test_bad_budget(tmp_path, body, field, fragment):
    p = _csv(tmp_path, "item,amount\n" + body, "budget.csv")
    with pytest.raises(InputError) as ei:
        load_budget(p)
    assert ei.value.field == field and fragment in str(ei.value) and str(p) in str(ei.value), str(ei.value)


def test_budget_and_execution_of_another_year(tmp_path):
    b = load_budget(_csv(tmp_path, "item,amount\nyear,2023\ncontribution_income,1\nfiscal_subsidy,1\n"
                                   "benefit_expenditure,1\n", "b.csv"))
    with pytest.raises(InputError, match="differs from the goal set's year 2024"):
        monitor(goalset(), b, execution([1.0]))


def test_shipped_sample_data_regenerate(tmp_path):
    """scenarios/execution/ is what sibrisk.performance.samples.write_samples writes (CSV byte for byte, xlsx cell
    for cell), and every file is labelled illustrative."""
    from openpyxl import load_workbook

    from sibrisk.performance.samples import write_samples

    for new in write_samples(tmp_path):
        old = EXEC / new.name
        if new.suffix == ".csv":
            assert new.read_bytes() == old.read_bytes(), new.name
            assert old.read_text(encoding="utf-8").startswith("# ILLUSTRATIVE DATA, NOT REAL")
        else:
            a, b = load_workbook(new), load_workbook(old)
            assert a.sheetnames == b.sheetnames
            for name in a.sheetnames:
                assert list(a[name].values) == list(b[name].values), name
                assert str(b[name]["A1"].value).startswith("# ILLUSTRATIVE DATA, NOT REAL")
    for p in EXEC.glob("*.toml"):
        assert p.read_text(encoding="utf-8").startswith("# ILLUSTRATIVE"), p


def test_year_end_balance_months_from_opening_balance_and_outturn():
    """Region B to June: balance months at year end = (budget opening balance + the linear outturn of the flows)
    / (outturn expenditure / 12), computed here from the execution file by hand; the engine is not started."""
    import csv

    from sibrisk.performance import load_goals

    class NoEngine:
        def projection(self, gs):
            raise AssertionError("not needed")

        simulation = projection

    gs = load_goals(ROOT / "scenarios" / "goals" / "region_b_2024.toml")
    gs.indicators = [g for g in gs.indicators if g.indicator in ("balance_months", "current_balance")]
    budget = load_budget(EXEC / "region_b_2024_budget.csv")
    ex = EXEC / "region_b_2024_execution_to_june.csv"
    res = monitor(gs, budget, load_execution(ex), engine=NoEngine())
    rows = list(csv.DictReader(l for l in ex.read_text(encoding="utf-8").splitlines() if not l.startswith("#")))
    year = {c: 2 * sum(float(r[c]) for r in rows) for c in rows[0] if c not in ("period", "insured_persons")}
    income = sum(year.get(c, 0.0) for c in ("contribution_income", "fiscal_subsidy", "interest_income", "other_income"))
    spent = year["benefit_expenditure"] + year.get("other_expenditure", 0.0)
    opening = budget.items["opening_balance"] / 1e4  # 万元
    by = {r.goal.id: r for r in res.rows}
    assert by["balance_months"].projected == pytest.approx((opening + income - spent) / (spent / 12), rel=1e-9)
    assert by["current_balance"].projected == pytest.approx((income - spent) / 1e4, rel=1e-9)  # 亿元
    assert by["balance_months"].method == "accounts+linear"
    # a target of 0 missed: the relative deviation is not defined (infinite, the most severe level); the finding
    # carries the miss in 亿元 and the report prints that instead of "inf"
    from sibrisk.performance.report import finding_measure

    cb = by["current_balance"]
    assert cb.goal.target == 0 and cb.projected < 0
    (f,) = cb.findings
    assert math.isinf(f.measure) and f.level == "correction"
    assert f.gap == pytest.approx(-cb.projected, rel=1e-12)
    text = finding_measure(f, cb.goal.unit, "en")
    assert "inf" not in text and f"{-cb.projected:,.2f}" in text
    assert f"{-cb.projected:,.2f}亿元" in finding_measure(f, cb.goal.unit, "zh")


def test_chinese_monitoring_report_has_no_english_of_its_own():
    import re

    from sibrisk.performance import load_goals
    from sibrisk.performance.report import monitoring_document

    gs = load_goals(ROOT / "scenarios" / "goals" / "region_b_2024.toml")
    res = monitor(gs, load_budget(EXEC / "region_b_2024_budget.csv"),
                  load_execution(EXEC / "region_b_2024_execution_to_june.csv"))
    text = monitoring_document(res, "zh").markdown()
    for a in sorted([gs.meta.note or "", *res.inputs.values(), "enterprise_pension_national", gs.meta.region],
                    key=len, reverse=True):
        text = text.replace(a, "")
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    assert re.findall(r"[A-Za-z]{2,}", text) == []
    assert "个百分点" in text
