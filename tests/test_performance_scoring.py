"""Scoring rules and grades computed by hand, and a whole goal set scored by hand (every rule, every basis)."""

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings, strategies as st

from sibrisk.performance import evaluate, goals_from_dict, grade_of
from sibrisk.performance.evaluation import Assessment
from sibrisk.performance.library import Figures
from sibrisk.performance.scoring import ScoringSpec, adverse_deviation, is_met, share, signed_deviation

PROP = ScoringSpec(rule="proportional")
BANDS = ScoringSpec(rule="bands", bands=[(5, 0.8), (10, 0.5), (20, 0.2)])


@pytest.mark.parametrize("direction,target,value,expected", [
    ("at_least", 100.0, 95.0, 0.95),
    ("at_least", 100.0, 100.0, 1.0),
    ("at_least", 100.0, 130.0, 1.0),  # 满分为止: capped
    ("at_least", 90.0, 0.0, 0.0),
    ("at_most", 100.0, 125.0, 0.8),
    ("at_most", 100.0, 60.0, 1.0),
    ("equal", 100.0, 90.0, 0.9),
    ("equal", 100.0, 110.0, 0.9),
    ("equal", 100.0, 250.0, 0.0),  # floored at 0
    ("range", (95.0, 105.0), 100.0, 1.0),
    ("range", (95.0, 105.0), 76.0, 0.8),  # 76 / 95
    ("range", (95.0, 105.0), 126.0, 105.0 / 126.0),
    ("at_least", 0.3, 0.1 + 0.2, 1.0),  # floating-point tolerance
])
def test_proportional(direction, target, value, expected):
    assert share(direction, target, value, PROP) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("value,expected", [
    (100.0, 1.0), (95.0, 0.8),  # deviation exactly 5%: the 5% band
    (94.99, 0.5), (90.0, 0.5), (89.0, 0.2), (80.0, 0.2), (79.99, 0.0)])
def test_bands_relative_at_least(value, expected):
    assert share("at_least", 100.0, value, BANDS) == expected


def test_bands_absolute_and_at_most():
    spec = ScoringSpec(rule="bands", basis="absolute", bands=[(10, 0.5), (30, 0.2)])
    assert share("at_least", 0.0, -10.0, spec) == 0.5
    assert share("at_least", 0.0, -10.0001, spec) == 0.2
    assert share("at_least", 0.0, 5.0, spec) == 1.0
    assert share("at_most", 20.0, 25.0, ScoringSpec(rule="bands", bands=[(25, 0.6)])) == 0.6  # 25% over


def test_all_or_nothing_and_grades():
    aon = ScoringSpec(rule="all_or_nothing")
    assert share("at_least", 95.0, 95.0, aon) == 1.0
    assert share("at_least", 95.0, 94.999, aon) == 0.0
    g = ScoringSpec(rule="grade")
    assert [share("grade", "良", x, g) for x in ("优", "良", "中", "差")] == [1.0, 0.8, 0.6, 0.0]
    custom = ScoringSpec(rule="grade", grade_shares={"优": 1.0, "良": 0.9, "中": 0.7, "差": 0.4})
    assert share("grade", "优", "差", custom) == 0.4
    assert is_met("grade", "良", "优") and is_met("grade", "良", "良") and not is_met("grade", "良", "中")


def test_deviations():
    assert adverse_deviation("at_least", 100.0, 90.0) == pytest.approx(10.0)
    assert adverse_deviation("at_least", 100.0, 120.0) == 0.0
    assert adverse_deviation("at_most", 100.0, 120.0) == pytest.approx(20.0)
    assert adverse_deviation("range", (95.0, 105.0), 84.55) == pytest.approx(11.0)
    assert adverse_deviation("at_least", 0.0, -1.0) == math.inf
    assert signed_deviation("at_least", 100.0, 130.0) == pytest.approx(30.0)
    assert signed_deviation("range", (95.0, 105.0), 100.0) == 0.0


@pytest.mark.parametrize("total,grade", [
    (100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"), (59.99, "差"), (0, "差"),
    (90 - 1e-12, "优"),  # a total that is 90 up to rounding error
])
def test_grade_boundaries(total, grade):
    assert grade_of(total) == grade


def test_grade_bands_configurable():
    bands = {"优": 85, "良": 70, "中": 50, "差": 0}
    assert [grade_of(x, bands) for x in (85, 84.99, 70, 69.99, 50, 49.99)] == ["优", "良", "良", "中", "中", "差"]


# ------------------------------------------------------------------ a goal set scored by hand
def fake_dataset(scenario_dim=False):
    """A contract-shaped projection 2021-2030: expenditure 120 a year; 2024 balance 150 (15 months); income 100."""
    years = np.arange(2021, 2031)
    exp = np.full(10, 120.0)
    income = np.full(10, 100.0)
    fund = np.array([210.0, 190.0, 170.0, 150.0, 130.0, 110.0, 90.0, 70.0, 50.0, 30.0])
    ds = xr.Dataset({
        "opening_balance": ("year", np.r_[230.0, fund[:-1]]),
        "contribution_income": ("year", income * 0.8), "fiscal_subsidy": ("year", income * 0.2),
        "interest_income": ("year", np.zeros(10)), "total_income": ("year", income),
        "benefit_expenditure": ("year", exp), "total_expenditure": ("year", exp), "fund_balance": ("year", fund),
        "covered_wage_bill": ("year", np.full(10, 1000.0)), "interest_rate": ("year", np.zeros(10)),
    }, coords={"year": years}, attrs={"scenario_name": "fake", "fund": "enterprise_pension", "region": "X"})
    if scenario_dim:  # four scenarios; one depleted in 2026, one in 2030
        arr = np.array([fund, fund - 200.0 * (years >= 2026), fund, fund - 100.0 * (years >= 2030)])
        ds = ds.assign(fund_balance=(("scenario", "year"), arr))
    return ds


class FakeEngine:
    def __init__(self):
        self.calls = []

    def projection(self, goalset):
        self.calls.append("projection")
        return fake_dataset()

    def simulation(self, goalset, n_scenarios, seed):
        self.calls.append(("simulation", n_scenarios, seed))
        return fake_dataset(scenario_dim=True)


def ind(id, indicator, direction, target, weight, **kw):
    return {"id": id, "indicator": indicator, "direction": direction, "target": target, "weight": weight, **kw}


HAND = {
    "meta": {"fund": "enterprise_pension", "region": "Test", "year": 2024},
    "scenario": {"base": "enterprise_pension_national"},
    "annual": {"goals": [{"text_zh": "全部", "indicators": ["income", "subsidy", "expenditure", "collection",
                                                          "months", "current", "policy", "satisfaction", "depletion"]}]},
    "indicators": [
        ind("income", "income_budget_completion_rate", "at_least", 100, 20),
        ind("subsidy", "fiscal_subsidy_arrival_rate", "at_least", 100, 10,
            scoring={"rule": "bands", "bands": [[5, 0.8], [10, 0.5]]}),
        ind("expenditure", "expenditure_budget_execution_rate", "range", [95, 105], 10),
        ind("collection", "collection_rate", "at_least", 95, 10, scoring={"rule": "all_or_nothing"}),
        ind("months", "balance_months", "at_least", 12, 10),
        ind("current", "current_balance", "at_least", 0, 10, unit="元",
            scoring={"rule": "bands", "basis": "absolute", "bands": [[10, 0.5], [30, 0.2]]}),
        ind("policy", "qualitative", "grade", "良", 10),
        ind("satisfaction", "satisfaction", "at_least", 90, 10),
        ind("depletion", "depletion_probability", "at_most", 20, 10,
            options={"horizon_years": 5, "n_scenarios": 4, "seed": 7}),
    ],
}
FIGS = Figures(budget={"contribution_income": 800.0, "fiscal_subsidy": 200.0, "benefit_expenditure": 900.0},
               actual={"contribution_income": 760.0, "fiscal_subsidy": 190.0, "benefit_expenditure": 990.0,
                       "contribution_due": 800.0, "insured_persons": 10.0})


def test_goal_set_scored_by_hand():
    gs = goals_from_dict(HAND)
    engine = FakeEngine()
    res = evaluate(gs, figs=FIGS, engine=engine,
                   assessment=Assessment(values={"policy": "中", "satisfaction": 85.0}))
    by = {r.goal.id: r for r in res.rows}
    expected = {
        "income": 20 * 950 / 1000,  # proportional: 95%
        "subsidy": 10 * 0.8,  # 95%: deviation exactly 5% -> 5% band
        "expenditure": 10 * 105 / 110,  # 110% above the range: hi / actual
        "collection": 10.0,  # 760 / 800 = 95% meets 95
        "months": 10.0,  # 150 / (120 / 12) = 15 months >= 12
        "current": 10 * 0.2,  # 100 - 120 = -20 yuan: 20 off a target of 0 -> the 30 band
        "policy": 10 * 0.6,  # 中
        "satisfaction": 10 * 85 / 90,
        "depletion": 10 * 20 / 25,  # 1 of 4 scenarios depleted by 2028 -> 25% vs at most 20%
    }
    for k, v in expected.items():
        assert by[k].score == pytest.approx(v, abs=1e-12), k
    assert by["months"].value == pytest.approx(15.0)
    assert by["current"].value == pytest.approx(-20.0)
    assert by["depletion"].value == pytest.approx(25.0)
    assert res.total == pytest.approx(sum(expected.values()))
    assert res.total == pytest.approx(81.98989898989899)
    assert res.grade == "良"
    # listed (Art. 18): missed ones, and months (15 vs 12 = +25% >= 20%, strongly deviating upwards)
    assert {r.goal.id for r in res.listed} == {"income", "subsidy", "expenditure", "current", "policy",
                                                "satisfaction", "depletion", "months"}
    assert ("simulation", 4, 7) in engine.calls
    dims = res.by_dimension()
    assert sum(w for _, w in dims.values()) == pytest.approx(100)
    assert sum(s for s, _ in dims.values()) == pytest.approx(res.total)


def test_depletion_horizon_counts_the_goal_year():
    gs = goals_from_dict({**HAND, "indicators": [
        ind("depletion", "depletion_probability", "at_most", 20, 100, options={"horizon_years": 7})],
        "annual": {"goals": [{"text_zh": "x", "indicators": ["depletion"]}]}})
    res = evaluate(gs, engine=FakeEngine())
    assert res.rows[0].value == pytest.approx(50.0)  # 2024..2030: scenarios depleted in 2026 and 2030


# ------------------------------------------------------------------ properties
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
values = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
SPECS = [PROP, BANDS, ScoringSpec(rule="all_or_nothing")]


@settings(max_examples=60, deadline=None)
@given(direction=st.sampled_from(["at_least", "at_most", "equal", "range"]), a=positive, b=positive, v=values,
       w=values)
def test_shares_lie_in_0_1_full_when_met_and_proportional_is_monotone(direction, a, b, v, w):
    target = (min(a, b), max(a, b)) if direction == "range" else a
    for spec in SPECS:
        s = share(direction, target, v, spec)
        assert 0.0 <= s <= 1.0
        if is_met(direction, target, v):
            assert s == 1.0
    lo, hi = sorted((v, w))
    if direction == "at_least":
        assert share(direction, target, lo, PROP) <= share(direction, target, hi, PROP)
    if direction == "at_most":
        assert share(direction, target, lo, PROP) >= share(direction, target, hi, PROP)


def test_public_api():
    from sibrisk import performance

    assert set(performance.__all__) >= {"load_goals", "evaluate", "monitor", "province_view", "deadlines",
                                        "load_budget", "load_execution", "load_assessment", "load_thresholds",
                                        "LIBRARY", "SCORING_RULES", "SibriskEngine"}
    assert all(hasattr(performance, n) for n in performance.__all__)
