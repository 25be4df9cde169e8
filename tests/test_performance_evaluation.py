"""Evaluation, the self-evaluation xlsx round trip, the province view's aggregation identities, the calendar, the
engine adapter (real engine and stochastic engine) and the CLI handlers (nothing entered is lost)."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

import sibrisk
from sibrisk.errors import InputError
from sibrisk.performance import (Assessment, StochasticEngineUnavailable, assessment_from_dict, deadlines, evaluate,
                                 goals_from_dict, load_budget, load_execution, load_goals, province_view, upcoming)
from sibrisk.performance.cli import build_parser, main_for_tests
from sibrisk.performance.engine import SibriskEngine
from sibrisk.performance.report import read_self_evaluation_xlsx, self_evaluation_xlsx

from test_performance_scoring import FIGS, HAND, FakeEngine

ROOT = Path(__file__).resolve().parents[1]
GOALS = ROOT / "scenarios" / "goals"
EXEC = ROOT / "scenarios" / "execution"


@pytest.fixture(scope="module")
def hand_result():
    gs = goals_from_dict(HAND, source="hand.toml")
    return evaluate(gs, figs=FIGS, engine=FakeEngine(), assessment=Assessment(
        values={"policy": "中", "satisfaction": 85.0}, explanations={"income": ("收入未达预期", "加强征缴")}))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_self_evaluation_xlsx_round_trip(tmp_path, hand_result, lang):
    p = tmp_path / "table.xlsx"
    p.write_bytes(self_evaluation_xlsx(hand_result, lang))
    ws = load_workbook(p).worksheets[0]
    assert ws.title == ("自评表" if lang == "zh" else "self-evaluation")
    assert "2024" in ws["A1"].value
    assert ws["B3"].value == "Test" and ws["B4"].value == 2024
    assert ws["B5"].value == pytest.approx(81.98989898989899, abs=1e-6)
    assert ws["D5"].value == ("良" if lang == "zh" else "Good")
    header = [c.value for c in ws[7]]
    assert header[3] == ("指标代码" if lang == "zh" else "Indicator id")
    ids = [ws.cell(r, 4).value for r in range(8, 17)]
    assert ids == [x["id"] for x in HAND["indicators"]]
    income = 8  # first indicator row: income, 19 of 20 points
    assert ws.cell(income, 7).value == pytest.approx(95.0) and ws.cell(income, 8).value == 20
    assert ws.cell(income, 9).value == pytest.approx(19.0)
    assert ws.cell(income, 14).value == "收入未达预期" and ws.cell(income, 15).value == "加强征缴"
    assert ws.cell(14, 7).value == ("中" if lang == "zh" else "Fair")  # the qualitative grade
    total_row = 17
    assert ws.cell(total_row, 1).value == ("总分" if lang == "zh" else "Total score")
    assert ws.cell(total_row, 8).value == 100 and ws.cell(total_row, 9).value == pytest.approx(81.989899, abs=1e-6)
    missed = load_workbook(p).worksheets[1]
    assert [missed.cell(r, 1).value for r in range(2, missed.max_row + 1)] == [r.goal.id for r in hand_result.listed]
    goals = load_workbook(p).worksheets[2]
    assert [goals.cell(2, 1).value, goals.cell(2, 2).value] == [("年度目标" if lang == "zh" else "Annual goals"), "全部"]
    back = read_self_evaluation_xlsx(p)
    assert back["lang"] == lang and back["total"] == pytest.approx(hand_result.total, abs=1e-6)
    assert [r["score"] for r in back["rows"]] == pytest.approx([r.score for r in hand_result.rows], abs=1e-6)


def test_reading_a_table_with_a_wrong_header(tmp_path):
    wb = Workbook()
    wb.active.append(["whatever"])
    p = tmp_path / "not_a_table.xlsx"
    wb.save(p)
    with pytest.raises(InputError, match="not a self-evaluation table") as ei:
        read_self_evaluation_xlsx(p)
    assert str(p) in str(ei.value) and "cell A7" in str(ei.value)


def test_evaluation_needs_the_whole_year_and_the_entered_values():
    gs = load_goals(GOALS / "region_b_2024.toml")
    budget = load_budget(EXEC / "region_b_2024_budget.csv")
    half = load_execution(EXEC / "region_b_2024_execution_to_june.csv")
    with pytest.raises(InputError, match="after the year.*2024-06") as ei:
        evaluate(gs, budget, half, engine=FakeEngine())
    assert ei.value.field == "period"
    full = load_execution(EXEC / "region_b_2024_execution.csv")
    with pytest.raises(InputError, match="entered after the year") as ei:
        evaluate(gs, budget, full, engine=FakeEngine())
    assert ei.value.field == "values.policy"


@pytest.mark.parametrize("data,field", [
    ({"values": {"nope": 1}}, "values.nope"),
    ({"values": {"policy": 90}}, "values.policy"),
    ({"values": {"satisfaction": "优"}}, "values.satisfaction"),
    ({"values": {"balance_months": 14}}, "values.balance_months"),  # computed by the engine, not entered
    ({"explanations": {"nope": {"reason": "x"}}}, "explanations.nope"),
    ({"valeus": {}}, "valeus"),
])
def test_bad_assessment(data, field):
    gs = load_goals(GOALS / "region_a_2024.toml")
    with pytest.raises(InputError) as ei:
        assessment_from_dict(data, gs, source="a.toml")
    assert ei.value.field == field and "a.toml" in str(ei.value)


# ------------------------------------------------------------------ real engine
@pytest.fixture(scope="module")
def engine():
    return SibriskEngine()


def test_engine_indicators_come_from_the_projection(engine):
    gs = load_goals(GOALS / "region_a_2024.toml")
    sc = sibrisk.load_scenario("enterprise_pension_national").with_updates(gs.scenario.updates)
    ds = sibrisk.project(sc).sel(year=2024)
    months = float(ds.fund_balance / (ds.total_expenditure / 12))
    from sibrisk.performance.engine import engine_value

    value, note = engine_value(gs.indicator("balance_months"), gs, engine)
    assert value == pytest.approx(months, rel=1e-12)
    assert "enterprise_pension_national" in note
    cb, _ = engine_value(gs.indicator("current_balance"), gs, engine)
    assert cb == pytest.approx(float(ds.total_income - ds.total_expenditure), rel=1e-12)


def test_bad_scenario_updates_name_the_goal_file(tmp_path, engine):
    text = (GOALS / "region_a_2024.toml").read_text(encoding="utf-8")
    p = tmp_path / "g.toml"
    p.write_text(text.replace('"initial.retirees" = 1.20e+06', '"initial.retirees" = -5.0'), encoding="utf-8")
    with pytest.raises(InputError, match="updated scenario is invalid: initial.retirees") as ei:
        SibriskEngine().projection(load_goals(p))
    assert ei.value.file == str(p) and ei.value.field == "scenario.updates"


def test_stochastic_engine_missing_raises(monkeypatch):
    gs = goals_from_dict(HAND)
    monkeypatch.setattr(sibrisk, "simulate", None, raising=False)
    with pytest.raises(StochasticEngineUnavailable, match="stochastic engine.*no value is substituted"):
        evaluate(gs, figs=FIGS, engine=SibriskEngine(), assessment=Assessment({"policy": "中", "satisfaction": 85.0}))


def test_depletion_probability_from_the_stochastic_engine(engine):
    # the national scenario has no [stochastic] section: every scenario equals the deterministic projection, so the
    # probability is 0 or 100 according to the deterministic depletion year
    data = {"meta": {"fund": "enterprise_pension", "region": "national", "year": 2040},
            "scenario": {"base": "enterprise_pension_national"},
            "annual": {"goals": [{"text_zh": "x", "indicators": ["p10", "p20"]}]},
            "indicators": [{"id": f"p{n}", "indicator": "depletion_probability", "direction": "at_most", "target": 10,
                            "weight": 50, "options": {"horizon_years": n, "n_scenarios": 8, "seed": 1}}
                           for n in (10, 20)]}
    res = evaluate(goals_from_dict(data), engine=engine)
    dep = float(sibrisk.project(sibrisk.load_scenario("enterprise_pension_national")).depletion_year)
    assert [r.value for r in res.rows] == [100.0 * (dep <= 2040 + n - 1) for n in (10, 20)]


# ------------------------------------------------------------------ province
@pytest.fixture(scope="module")
def province(engine):
    return province_view(GOALS / "example_province_2024.toml", engine=engine)


def test_province_totals_are_sums_of_regions(province):
    regions = province.regions
    assert len(regions) == 3
    for table in ("budget", "actual"):
        keys = set().union(*(getattr(r.figures, table) for r in regions))
        for k in keys:
            assert getattr(province.totals, table)[k] == pytest.approx(
                sum(getattr(r.figures, table).get(k, 0.0) for r in regions), rel=1e-12), (table, k)
    own = {r.goal.id: r for r in province.own.rows}
    inc = ("contribution_income", "fiscal_subsidy", "interest_income", "other_income")
    actual = sum(r.figures.actual[k] for r in regions for k in inc)
    budget = sum(r.figures.budget[k] for r in regions for k in inc)
    assert own["income_completion"].value == pytest.approx(100 * actual / budget, rel=1e-12)
    # the province's rate is the ratio of sums, not the mean of the regions' rates
    rates = [{x.goal.id: x for x in r.evaluation.rows}["subsidy_arrival"].value for r in regions]
    sub = sum(r.figures.actual["fiscal_subsidy"] for r in regions) / sum(r.figures.budget["fiscal_subsidy"]
                                                                         for r in regions)
    assert own["subsidy_arrival"].value == pytest.approx(100 * sub)
    assert own["subsidy_arrival"].value != pytest.approx(np.mean(rates))


def test_province_ranking_side_by_side_and_warnings(province):
    ranked = province.ranking()
    totals = [r.evaluation.total for _, r in ranked]
    assert totals == sorted(totals, reverse=True) and [k for k, _ in ranked] == [1, 2, 3]
    df = province.side_by_side()
    for r in province.regions:
        assert df.loc["total", r.name] == pytest.approx(r.evaluation.total)
        assert df[r.name].drop("total").sum() == pytest.approx(r.evaluation.total)
    assert df.loc["total", province.province_name()] == pytest.approx(province.own.total)
    warned = {r.name: lvl for r, lvl, _ in province.under_warning()}
    assert warned == {"示例市B": "correction"}  # invented region B: subsidies 82% arrived, income 93%
    assert [d.date for d in province.calendar] == [dt.date(2025, 1, 31), dt.date(2025, 5, 31), dt.date(2025, 7, 10),
                                                   dt.date(2025, 7, 31)]


def test_calendar():
    nat = deadlines(2024, "national")
    assert [(d.date, "Art. 18" in d.basis) for d in nat] == [(dt.date(2025, 5, 31), True), (dt.date(2025, 7, 31), True)]
    sc = deadlines(2024)
    assert sc[0].what_zh == "上年运行监控情况报告汇总" and "Art. 13" in sc[0].basis
    assert sc[2].to_zh == "财政厅" and sc[2].date == dt.date(2025, 7, 10)
    nxt = upcoming(dt.date(2025, 6, 1))
    assert [d.date for _, d in nxt] == [dt.date(2025, 7, 10), dt.date(2025, 7, 31), dt.date(2026, 1, 31),
                                        dt.date(2026, 5, 31)]
    assert nxt[0][0] == 2024 and nxt[2][0] == 2025
    with pytest.raises(InputError):
        deadlines(2024, "beijing")


# ------------------------------------------------------------------ CLI
def _args(goals, out, *extra):
    return ["evaluate", str(GOALS / goals), "--budget", str(EXEC / "region_a_2024_budget.csv"), "--execution",
            str(EXEC / "region_a_2024_execution.csv"), "--assessment", str(EXEC / "region_a_2024_assessment.toml"),
            "--out", str(out), *extra]


def test_cli_evaluate_keeps_what_was_entered(tmp_path, capsys):
    assert main_for_tests(_args("region_a_2024.toml", tmp_path, "--format", "md")) == 0
    xlsx = tmp_path / "enterprise_pension_City_A_2024_self_evaluation.xlsx"
    md = tmp_path / "enterprise_pension_City_A_2024_self_evaluation.md"
    assert xlsx.is_file() and md.is_file()
    assert (tmp_path / "enterprise_pension_City_A_2024_self_evaluation_evaluation_scores.png").is_file()
    assert "自评报告" in md.read_text(encoding="utf-8")
    # someone types a reason into the table; a re-run keeps it
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    row = next(r for r in range(8, ws.max_row + 1) if ws.cell(r, 4).value == "policy")
    ws.cell(row, 14, "文件出台滞后（示例）")
    wb.save(xlsx)
    assert main_for_tests(_args("region_a_2024.toml", tmp_path, "--format", "md")) == 0
    assert "kept reasons/measures" in capsys.readouterr().out
    ws = load_workbook(xlsx).worksheets[0]
    assert ws.cell(row, 14).value == "文件出台滞后（示例）"
    # a bad input: error, exit 2, and the existing outputs are untouched
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    bad = tmp_path / "bad.csv"
    bad.write_text("period,contribution_income,fiscal_subsidy,benefit_expenditure,insured_persons\n"
                   "2024-01,1,1,1,1\n2024-03,1,1,1,1\n", encoding="utf-8")
    argv = _args("region_a_2024.toml", tmp_path, "--format", "md")
    argv[argv.index("--execution") + 1] = str(bad)
    assert main_for_tests(argv) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "2024-02" in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "bad.csv"} == before


def test_cli_monitor_and_province(tmp_path, capsys):
    argv = ["monitor", str(GOALS / "region_b_2024.toml"), "--budget", str(EXEC / "region_b_2024_budget.csv"),
            "--execution", str(EXEC / "region_b_2024_execution_to_june.csv"), "--out", str(tmp_path), "--lang", "en"]
    assert main_for_tests(argv) == 0
    assert main_for_tests(argv + ["--fail-on-warning"]) == 3
    out = capsys.readouterr().out
    assert "subsidy_arrival" in out and "correction" in out
    html = (tmp_path / "enterprise_pension_City_B_2024_monitoring_2024-06.html").read_text(encoding="utf-8")
    assert "data:image/png;base64" in html and "monitoring report" in html
    argv = ["monitor", str(GOALS / "region_a_2024.toml"), "--budget", str(EXEC / "region_a_2024_budget.csv"),
            "--execution", str(EXEC / "region_a_2024_execution.csv"), "--last-year",
            str(EXEC / "region_a_2023_execution.csv"), "--out", str(tmp_path)]
    assert main_for_tests(argv) == 0
    assert main_for_tests(["province", str(GOALS / "example_province_2024.toml"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "due 2025-05-31" in out and (tmp_path / "enterprise_pension_Example_Province_2024_province.xlsx").is_file()


def test_register_adds_the_three_subcommands():
    parser = build_parser()
    for cmd in ("monitor", "evaluate", "province"):
        args = parser.parse_args([cmd, "x", "--lang", "en"] + (["--budget", "b", "--execution", "e"]
                                                             if cmd == "monitor" else []))
        assert args.lang == "en" and callable(args.func)
    with pytest.raises(SystemExit):
        parser.parse_args(["evaluate", "x", "--lang", "fr"])


def test_main_cli_knows_the_subcommands():
    from sibrisk.cli import build_parser as main_parser

    args = main_parser().parse_args(["evaluate", "g.toml"])
    assert args.func.__module__ == "sibrisk.performance.cli"


def test_year_end_indicators_come_from_the_accounts(engine):
    """Region A 2024: balance months = (opening balance in the budget + the year's income - expenditure in the
    execution file) / (the year's expenditure / 12), summed here from the CSV by hand; the engine gives only the
    forward-looking actuarial balance."""
    import csv

    from sibrisk.performance.evaluation import load_assessment

    ex = EXEC / "region_a_2024_execution.csv"
    rows = list(csv.DictReader(l for l in ex.read_text(encoding="utf-8").splitlines() if not l.startswith("#")))
    col = {c: sum(float(r[c]) for r in rows) for c in rows[0] if c != "period"}
    income = col["contribution_income"] + col["fiscal_subsidy"] + col["interest_income"] + col["other_income"]
    spent = col["benefit_expenditure"] + col["other_expenditure"]
    opening = 10_400_000.0  # 万元, region_a_2024_budget.csv
    months = (opening + income - spent) / (spent / 12)
    gs = load_goals(GOALS / "region_a_2024.toml")
    res = evaluate(gs, load_budget(EXEC / "region_a_2024_budget.csv"), load_execution(ex),
                   assessment=load_assessment(EXEC / "region_a_2024_assessment.toml", gs), engine=engine)
    row = {r.goal.id: r for r in res.rows}
    assert row["balance_months"].value == pytest.approx(months, rel=1e-9)
    assert "opening balance" in row["balance_months"].value_source  # the definition is stated in the table
    assert row["current_balance"].value == pytest.approx((income - spent) / 1e4, rel=1e-9)  # 亿元
    assert "projection" in row["actuarial_balance"].value_source
    # without an opening balance the accounts cannot give a year-end balance: the projection does, and says so
    from dataclasses import replace

    budget = load_budget(EXEC / "region_a_2024_budget.csv")
    no_opening = replace(budget, items={k: v for k, v in budget.items.items() if k != "opening_balance"})
    res2 = evaluate(gs, no_opening, load_execution(ex), assessment=load_assessment(EXEC / "region_a_2024_assessment.toml",
                                                                                   gs), engine=engine)
    assert "projection" in {r.goal.id: r for r in res2.rows}["balance_months"].value_source


def test_sources_cite_articles_in_the_reports_language_and_only_what_ships(hand_result):
    import re

    from sibrisk.performance.report import article_zh, cite, self_evaluation_rows

    assert [article_zh(n) for n in (2, 10, 12, 17, 20, 21)] == ["第二条", "第十条", "第十二条", "第十七条", "第二十条",
                                                               "第二十一条"]
    assert cite("社会保险基金预算绩效管理办法 (财社〔2022〕65号) Art. 2, 16 (sustainable operation)", "zh") == \
        "《社会保险基金预算绩效管理办法》（财社〔2022〕65号） 第二条、第十六条（基金可持续运行）"
    for lang in ("zh", "en"):
        header, rows = self_evaluation_rows(hand_result, lang)
        sources = [row[header.index(header[12])] for row in rows]
        assert all("DOMAIN" not in s_ for s_ in sources)  # cite only what ships
        if lang == "zh":
            assert all("Art." not in s_ for s_ in sources)
        else:
            assert not any(re.search(r"[\u4e00-\u9fff]", s_) for s_ in sources)


def test_chinese_report_has_no_english_of_its_own(engine, tmp_path):
    """Region A's Chinese report: apart from what the input files themselves say (notes, sources entered in the
    assessment, file paths, identifiers), no English words."""
    import re

    from sibrisk.performance.evaluation import load_assessment
    from sibrisk.performance.report import evaluation_document

    gs = load_goals(GOALS / "region_a_2024.toml")
    assessment = load_assessment(EXEC / "region_a_2024_assessment.toml", gs)
    res = evaluate(gs, load_budget(EXEC / "region_a_2024_budget.csv"),
                   load_execution(EXEC / "region_a_2024_execution.csv"), assessment=assessment, engine=engine)
    text = evaluation_document(res, "zh").markdown()
    allowed = [gs.meta.note or "", *assessment.sources.values(), *res.inputs.values(), "enterprise_pension_national",
               gs.meta.region]
    for a in sorted(allowed, key=len, reverse=True):
        text = text.replace(a, "")
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # image links
    assert re.findall(r"[A-Za-z]{3,}", text) == []
