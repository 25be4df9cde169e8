"""Strict numbers, series keys inside the horizon, values on their indicator's own scale, non-finite values never
scored as met (issue 11)."""

import copy
import math
import shutil
from pathlib import Path

import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.performance.evaluation import execution_value, load_assessment
from sibrisk.performance.execution import load_budget, load_execution, figures
from sibrisk.performance.goals import load_goals
from sibrisk.performance.scoring import NotFinite, ScoringSpec, is_met, share, signed_deviation

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
GOALS = SCEN / "goals"
EXE = SCEN / "execution"


def _edit(src: Path, dst: Path, old: str, new: str) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text, old
    dst.write_text(text.replace(old, new, 1), encoding="utf-8")
    return dst


def _scenario(tmp_path, old, new, name="enterprise_pension_national.toml"):
    return _edit(SCEN / name, tmp_path / "s.toml", old, new)


def _goals(tmp_path, old, new):
    for f in GOALS.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    return _edit(GOALS / "region_a_2024.toml", tmp_path / "g.toml", old, new)


# ------------------------------------------------------------------------------------------------ strict numbers
@pytest.mark.parametrize("old,new,field", [
    ("retirement_reform = true", 'retirement_reform = "yes"', "benefits.retirement_reform"),
    ("contributors = 307900000.0", 'contributors = "307900000"', "initial.contributors"),
    ("contributors = 307900000.0", "contributors = true", "initial.contributors"),
    ("base_year = 2021", "base_year = 2021.0", "projection.base_year"),
])
def test_scenario_numbers_and_booleans_are_not_coerced(tmp_path, old, new, field):
    with pytest.raises(InputError, match=rf"s.toml: {field} = "):
        sibrisk.load_scenario(_scenario(tmp_path, old, new))


def test_goal_weight_true_is_not_one(tmp_path):
    text = (GOALS / "region_a_2024.toml").read_text(encoding="utf-8")
    i = text.index('id = "fund_safety"')
    j = text.index("weight = 10", i)
    for f in GOALS.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "g.toml"
    path.write_text(text[:j] + "weight = true" + text[j + len("weight = 10"):], encoding="utf-8")
    with pytest.raises(InputError, match=r"g.toml: indicators\[\d+\] \(fund_safety\).weight = True"):
        load_goals(path)


def test_scoring_bands_take_numbers_only(tmp_path):
    from sibrisk.performance.goals import goals_from_dict
    from test_performance_scoring import HAND

    bad = copy.deepcopy(HAND)
    bad["indicators"][1]["scoring"] = {"rule": "bands", "bands": [["5", 0.8]]}
    with pytest.raises(InputError, match=r"scoring.bands"):
        goals_from_dict(bad, source="hand.toml")


# ------------------------------------------------------------------------------------------------ series keys
@pytest.mark.parametrize("key,why", [("99999", "not a plausible year"), ("-5", "not a plausible year"),
                                     ("2003", "not after the key before it")])
def test_series_keys_outside_the_horizon_are_named(tmp_path, key, why):
    old = "wage_growth = { 2021 = 0.07, 2025 = 0.06, 2030 = 0.05, 2040 = 0.04, 2050 = 0.035 }"
    new = f"wage_growth = {{ 2021 = 0.07, 2025 = 0.06, {key} = 0.05, 2040 = 0.04, 2050 = 0.035 }}"
    if key != "2003":
        new = f"wage_growth = {{ 2021 = 0.07, 2025 = 0.06, 2030 = 0.05, 2040 = 0.04, {key} = 0.035 }}"
    with pytest.raises(InputError, match=rf"s.toml: economy.wage_growth = .*table key '?{key}'? is {why}"):
        sibrisk.load_scenario(_scenario(tmp_path, old, new))


def test_series_key_beyond_any_horizon(tmp_path):
    old = "wage_growth = { 2021 = 0.07, 2025 = 0.06, 2030 = 0.05, 2040 = 0.04, 2050 = 0.035 }"
    new = "wage_growth = { 2021 = 0.07, 2025 = 0.06, 2030 = 0.05, 2040 = 0.04, 2200 = 0.035 }"
    with pytest.raises(InputError, match=r"s.toml: economy.wage_growth = 2200: year key 2200 is after 2170"):
        sibrisk.load_scenario(_scenario(tmp_path, old, new))


def test_shortened_run_keeps_keys_after_its_last_year():
    sc = sibrisk.load_scenario("enterprise_pension_national").with_updates({"projection.years": 5})
    assert list(sc.series("economy.wage_growth")) == [0.07, 0.07, 0.07, 0.07, 0.06]


# ------------------------------------------------------------------------------------------------ scales
def _assessment(tmp_path, value, extra=""):
    gs = load_goals(GOALS / "region_a_2024.toml")
    path = _edit(EXE / "region_a_2024_assessment.toml", tmp_path / "a.toml", "satisfaction = 92.4",
                 f"satisfaction = {value}")
    if extra:
        path.write_text(extra + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return lambda: load_assessment(path, gs)


@pytest.mark.parametrize("value,why", [("192.4", "outside the scale of 'satisfaction', 0..100 %"),
                                       ("-5", "outside the scale"), ("0.99", "looks like a fraction"),
                                       ("-inf", "Input should be a finite number"),
                                       ("nan", "Input should be a finite number"), ("true", "values.satisfaction")])
def test_assessment_values_on_the_indicator_scale(tmp_path, value, why):
    with pytest.raises(InputError, match=rf"a.toml: values.satisfaction.*{why}"):
        _assessment(tmp_path, value)()


def test_allow_outliers_accepts_a_fraction_on_purpose(tmp_path):
    a = _assessment(tmp_path, "0.99", 'allow_outliers = ["values.satisfaction"]')()
    assert a.values["satisfaction"] == 0.99


@pytest.mark.parametrize("target,why", [("0.9", "looks like a fraction"), ("190", "outside the scale")])
def test_goal_target_on_the_indicator_scale(tmp_path, target, why):
    text = (GOALS / "region_a_2024.toml").read_text(encoding="utf-8")
    i = text.index('id = "satisfaction"')
    j = text.index("target = ", i)
    k = text.index("\n", j)
    for f in GOALS.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "g.toml"
    path.write_text(text[:j] + f"target = {target}" + text[k:], encoding="utf-8")
    with pytest.raises(InputError, match=rf"g.toml: indicators\[\d+\] \(satisfaction\).target = .*{why}"):
        load_goals(path)


# ------------------------------------------------------------------------------------------------ non-finite
@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("direction,target", [("at_least", 100.0), ("at_most", 5.0), ("equal", 1.0),
                                              ("range", (95.0, 105.0))])
def test_non_finite_never_meets_a_target(direction, target, value):
    # |inf - b| <= tol * max(1, |inf|, |b|) is true: infinity used to meet every target
    with pytest.raises(NotFinite):
        is_met(direction, target, value)
    with pytest.raises(NotFinite):
        share(direction, target, value, ScoringSpec(rule="all_or_nothing"))
    with pytest.raises(NotFinite):
        signed_deviation(direction, target, value)


def test_evaluation_with_an_infinite_value_names_its_file():
    from sibrisk.performance import evaluate
    from sibrisk.performance.evaluation import Assessment
    from sibrisk.performance.goals import goals_from_dict
    from test_performance_scoring import FIGS, HAND, FakeEngine

    gs = goals_from_dict(HAND, source="hand.toml")
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(InputError, match=r"a.toml: indicators.satisfaction = .*: indicator 'satisfaction': "
                                             r"(inf|-inf|nan) is not a finite number"):
            evaluate(gs, figs=FIGS, engine=FakeEngine(),
                     assessment=Assessment(values={"policy": "中", "satisfaction": bad}, source="a.toml"))


def test_a_zero_budget_item_names_the_budget_file(tmp_path):
    path = _edit(EXE / "region_a_2024_budget.csv", tmp_path / "budget.csv", "fiscal_subsidy,1460000",
                 "fiscal_subsidy,0")
    budget = load_budget(path)
    gs = load_goals(GOALS / "region_a_2024.toml")
    goal = gs.indicator("subsidy_arrival")
    figs = figures(budget, load_execution(EXE / "region_a_2024_execution.csv").cumulative(), 12)
    with pytest.raises(InputError, match=r"budget.csv: budget.fiscal_subsidy = 0.0: indicator 'subsidy_arrival'"):
        execution_value(goal, figs, file="execution.csv", budget_file=str(path))


@pytest.mark.parametrize("target,why", [("0.95", "looks like a fraction"), ("[0.95, 1.05]", "looks like a fraction"),
                                        ("5000", "outside the scale")])
def test_completion_rate_targets_in_percent(tmp_path, target, why):
    text = (GOALS / "region_a_2024.toml").read_text(encoding="utf-8")
    i = text.index('id = "expenditure_execution"')
    j = text.index("target = ", i)
    k = text.index("\n", j)
    direction = "range" if target.startswith("[") else "at_least"
    d = text.index("direction = ", i)
    dk = text.index("\n", d)
    for f in GOALS.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "g.toml"
    path.write_text(text[:d] + f'direction = "{direction}"' + text[dk:j] + f"target = {target}" + text[k:],
                    encoding="utf-8")
    with pytest.raises(InputError, match=rf"g.toml: indicators\[\d+\] \(expenditure_execution\).target = .*{why}"):
        load_goals(path)
