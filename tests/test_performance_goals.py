"""Goal sets: the shipped samples load; every class of bad goal file is rejected naming the file, field and value."""

from pathlib import Path

import pytest

from sibrisk.errors import InputError
from sibrisk.performance import LIBRARY, load_goals
from sibrisk.performance.goals import FUND_NAMES

ROOT = Path(__file__).resolve().parents[1]
GOALS = ROOT / "scenarios" / "goals"
SAMPLE = GOALS / "region_a_2024.toml"


def test_samples_load_and_are_labelled_illustrative():
    for p in GOALS.glob("*.toml"):
        assert "ILLUSTRATIVE" in p.read_text(encoding="utf-8").splitlines()[0], p
    for name in ("region_a_2024", "region_b_2024", "region_c_2024", "province_2024"):
        gs = load_goals(GOALS / f"{name}.toml")
        assert sum(x.weight for x in gs.indicators) == pytest.approx(100)
        assert gs.meta.fund == "enterprise_pension" and gs.meta.year == 2024
    gs = load_goals(SAMPLE)
    months = gs.indicator("balance_months")
    assert (months.name_zh, months.unit, months.dimension, months.target) == ("可支付月数", "月", "benefit", 12.0)
    assert gs.indicator("expenditure_execution").target == (95.0, 105.0)
    assert gs.indicator("policy").target == "良"
    assert gs.indicator("current_balance").divisor == 1e8  # 亿元


def test_library_covers_the_issue_list():
    for id in ("income_budget_completion_rate", "expenditure_budget_execution_rate", "collection_rate",
               "fiscal_subsidy_arrival_rate", "benefits_paid_on_time_rate", "insured_persons_vs_plan",
               "fund_safety_rate", "balance_months", "current_balance", "actuarial_balance", "depletion_probability",
               "satisfaction", "qualitative"):
        li = LIBRARY[id]
        assert li.formula and li.source and li.name_zh and li.name_en
    assert {LIBRARY[i].basis for i in ("balance_months", "current_balance", "actuarial_balance")} == {"engine"}
    assert LIBRARY["depletion_probability"].basis == "stochastic"


def _write(tmp_path, text, name="goals.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _edit(tmp_path, old, new, count=1):
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    # keep the [scenario] base resolvable from tmp_path: it is a shipped scenario's name
    return _write(tmp_path, text.replace(old, new, count))


@pytest.mark.parametrize("old,new,field,value", [
    # weights that do not sum to 100
    ('id = "satisfaction"\nindicator = "satisfaction"\ndirection = "at_least"\ntarget = 90\nweight = 5',
     'id = "satisfaction"\nindicator = "satisfaction"\ndirection = "at_least"\ntarget = 90\nweight = 6',
     "indicators[*].weight", "101"),
    # unknown indicator
    ('indicator = "collection_rate"', 'indicator = "colection_rate"', "indicators[5] (collection).indicator",
     "'colection_rate'"),
    # unknown fund
    ('fund = "enterprise_pension"', 'fund = "pension"', "meta.fund", "'pension'"),
    # target of the wrong kind: a range given one number, a number given a grade, a grade given a number
    ("target = [95, 105]", "target = 95", "indicators[1] (expenditure_execution).target", "95"),
    ("target = [95, 105]", "target = [105, 95]", "indicators[1] (expenditure_execution).target", "[105, 95]"),
    ('weight = 15', 'target = "优"\nweight = 15', None, None),  # duplicate key: TOML error
    ('target = "良"', 'target = 80', "indicators[0] (policy).target", "80"),
    ('id = "insured"\nindicator = "insured_persons_vs_plan"\ndirection = "at_least"\ntarget = 100',
     'id = "insured"\nindicator = "insured_persons_vs_plan"\ndirection = "at_least"\ntarget = "优"',
     "indicators[7] (insured).target", "'优'"),
    # an indicator with no target
    ('id = "insured"\nindicator = "insured_persons_vs_plan"\ndirection = "at_least"\ntarget = 100\n',
     'id = "insured"\nindicator = "insured_persons_vs_plan"\ndirection = "at_least"\n',
     "indicators[7] (insured).target", None),
    # an annual goal with no indicator (no target)
    ('indicators = ["income_completion", "subsidy_arrival", "collection"]', 'indicators = []',
     "annual.goals[0].indicators", None),
    ('indicators = ["income_completion", "subsidy_arrival", "collection"]',
     'indicators = ["income_completion", "nonexistent"]', "annual.goals[0].indicators", "'nonexistent'"),
    # scoring problems
    ('scoring = { rule = "all_or_nothing" }', 'scoring = { rule = "generous" }',
     "indicators[2] (fund_safety).scoring", "{'rule': 'generous'"),
    ('bands = [[2, 0.8], [5, 0.5], [10, 0.2]]', 'bands = [[5, 0.8], [2, 0.5]]',
     "indicators[5] (collection).scoring", None),
    ('id = "policy"', 'id = "policy"\nscoring = { rule = "proportional" }', "indicators[0] (policy).scoring", None),
    # proportional credit needs a positive target
    ("target = 12\nweight = 10", "target = 0\nweight = 10", "indicators[8] (balance_months).scoring", None),
    # unit that does not fit
    ('unit = "亿元"', 'unit = "万人"', "indicators[9] (current_balance).unit", "'万人'"),
    # unknown option, unknown field, unknown direction, duplicate id
    ("options = { valuation_years = 30 }", "options = { valuation_year = 30 }",
     "indicators[10] (actuarial_balance).options", "['valuation_year']"),
    ('region_zh = "示例市A"', 'region_zh = "示例市A"\nregoin = "x"', "meta.regoin", "'x'"),
    ('direction = "range"', 'direction = "between"', "indicators[1] (expenditure_execution).direction", "'between'"),
    ('id = "fund_safety"', 'id = "policy"', "indicators[2].id", "'policy'"),
    # grading bands that do not fall
    ("[[annual.goals]]", '[grading]\nbands = { "优" = 80, "良" = 90, "中" = 60, "差" = 0 }\n\n[[annual.goals]]',
     "grading.bands", None),
])
def test_bad_goal_files(tmp_path, old, new, field, value):
    p = _edit(tmp_path, old, new)
    with pytest.raises(InputError) as ei:
        load_goals(p)
    msg = str(ei.value)
    assert str(p) in msg
    if field is not None:
        assert ei.value.field == field, msg
    if value is not None:
        assert f"= {value}" in msg, msg


def test_engine_indicators_need_a_scenario(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    start, end = text.index("[scenario]"), text.index("[overall]")
    p = _write(tmp_path, text[:start] + text[end:])
    with pytest.raises(InputError, match=r"balance_months.*\[scenario\]") as ei:
        load_goals(p)
    assert ei.value.field == "scenario"


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not valid TOML"):
        load_goals(_write(tmp_path, "[meta\nfund = 1"))
    with pytest.raises(InputError, match="cannot read"):
        load_goals(tmp_path / "absent.toml")


def test_grade_aliases_and_defaults(tmp_path):
    p = _edit(tmp_path, 'target = "良"', 'target = "Good"')
    gs = load_goals(p)
    assert gs.indicator("policy").target == "良"
    assert gs.indicator("income_completion").scoring.rule == "proportional"
    assert gs.indicator("policy").scoring.rule == "grade"
    assert set(FUND_NAMES) == {"enterprise_pension", "resident_pension", "public_sector_pension", "employee_medical",
                               "resident_medical", "work_injury", "unemployment"}
