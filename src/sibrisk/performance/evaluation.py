"""Evaluation after the year: score each indicator of a goal set, total on 100, grade, and list what was missed.

National measures Art. 15-18 (Sichuan Art. 15-18): after the budget year each pooling region evaluates itself per
fund (自评), "mainly by comparison" (比较法为主), and reports a self-evaluation table (绩效自评表) and report by
31 May; goals not met or strongly deviated from must be explained with improvement measures (Art. 18:
未完成绩效目标或偏离绩效目标较大的，应分析并说明原因，研究提出改进措施).

Values come from four places (``library.BASES``): the budget and the full-year execution data; the engine
(``engine.engine_value``); the stochastic engine; and the **assessment file** for what only the region knows after
the year (survey satisfaction, on-time payment, audit findings, qualitative grades), which also carries the
reasons and measures for missed indicators::

    # assessment for goal set X (state the source of every value)
    [values]
    on_time = 100              # in the indicator's unit as the goal set shows it
    policy_making = "良"
    [explanations.income_completion]
    reason = "..."
    measures = "..."

Scoring: ``scoring.share`` (one registry of rules); grade: ``scoring.grade_of`` with the goal set's bands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sibrisk.errors import InputError
from sibrisk.performance import library as lib
from sibrisk.performance._files import read_toml, validate
from sibrisk.performance.execution import Budget, Execution, check_same_year, figures
from sibrisk.performance.goals import GoalSet, IndicatorGoal
from sibrisk.performance.library import Figures
from sibrisk.performance.scoring import NotFinite, grade_of, is_met, share, signed_deviation


# --------------------------------------------------------------------------------------------- assessment file
class _Explanation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = ""
    measures: str = ""


class _AssessmentFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    values: dict[str, float | str] = Field(default_factory=dict)
    # values outside their indicator's plausible scale, accepted on purpose (``["values.satisfaction"]``)
    allow_outliers: list[str] = Field(default_factory=list)
    sources: dict[str, str] = Field(default_factory=dict)
    explanations: dict[str, _Explanation] = Field(default_factory=dict)
    note: str | None = None


@dataclass
class Assessment:
    """Values entered after the year (in the goal's display unit, or a grade) and explanations, by indicator id."""
    values: dict[str, Any] = field(default_factory=dict)
    explanations: dict[str, tuple[str, str]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    source: str | None = None


def assessment_from_dict(data: dict, goalset: GoalSet, *, source: str | Path | None = None) -> Assessment:
    f = validate(_AssessmentFile, data, source)
    ids = {g.id for g in goalset.indicators}
    values = {}
    for section, keys in (("values", f.values), ("explanations", f.explanations), ("sources", f.sources)):
        for k in keys:
            if k not in ids:
                raise InputError(f"no indicator with this id in the goal set {goalset.source or ''} (ids: "
                                 f"{sorted(ids)})", file=source, field=f"{section}.{k}", value=k)
    for k, v in f.values.items():
        goal = goalset.indicator(k)
        if goal.direction == "grade":
            g = lib.normalise_grade(v)
            if g is None:
                raise InputError(f"must be a grade {'/'.join(lib.GRADES)}", file=source, field=f"values.{k}", value=v)
            values[k] = g
        else:
            if isinstance(v, str):
                raise InputError(f"must be a number (in {goal.unit})", file=source, field=f"values.{k}", value=v)
            if goal.library.basis != "manual":
                raise InputError(f"indicator {goal.indicator!r} is computed ({goal.library.basis}), not entered",
                                 file=source, field=f"values.{k}", value=v)
            check_scale(goal, float(v), file=source, field=f"values.{k}",
                        allowed=f"values.{k}" in f.allow_outliers)
            values[k] = float(v)
    return Assessment(values, {k: (e.reason, e.measures) for k, e in f.explanations.items()}, dict(f.sources),
                      str(source) if source is not None else None)


def load_assessment(path: str | Path, goalset: GoalSet) -> Assessment:
    return assessment_from_dict(read_toml(path), goalset, source=path)


def check_scale(goal: IndicatorGoal, value: float, *, file, field: str, allowed: bool = False) -> None:
    """A value (in the goal's display unit) on its indicator's own scale (``LibraryIndicator.scale``, e.g. 0..100 for
    a satisfaction rate in %); a value of at most 1 where the target is above 1 on a % scale is taken for a fraction
    (0.99 meant as 99%) and refused. ``allowed`` (the file's ``allow_outliers``) accepts either on purpose."""
    scale = goal.library.scale
    if scale is None or allowed:
        return
    lo, hi = (x / goal.divisor for x in scale)
    how = f"(list {field!r} in allow_outliers to accept it on purpose)"
    if not lo <= value <= hi:
        raise InputError(f"outside the scale of {goal.indicator!r}, {lo:g}..{hi:g} {goal.unit} {how}", file=file,
                         field=field, value=value)
    target = max(goal.target) if isinstance(goal.target, tuple) else goal.target
    if goal.unit == "%" and 0 < value <= 1 and isinstance(target, float) and target > 1:
        raise InputError(f"looks like a fraction: values are in % (write {value * 100:g} for {value * 100:g}%; the "
                         f"target is {target:g}) {how}", file=file, field=field, value=value)


# --------------------------------------------------------------------------------------------- values
def execution_value(goal: IndicatorGoal, figs: Figures, *, file: str | None = None,
                    budget_file: str | None = None) -> float:
    """An execution-based indicator in the goal's display unit. A problem with a budget item (``budget.*``, e.g. a
    budget of 0 under a completion rate) names ``budget_file``; others name ``file`` (the execution data)."""
    try:
        return goal.library.compute(figs) / goal.divisor
    except InputError as e:
        where = budget_file if budget_file and (e.field or "").startswith("budget.") else file
        raise InputError(f"indicator {goal.id!r}: {e.reason}", file=where, field=e.field, value=e.value,
                         has_value=e.value is not None) from None


def manual_value(goal: IndicatorGoal, assessment: Assessment | None):
    if assessment is None or goal.id not in assessment.values:
        where = assessment.source if assessment else None
        raise InputError(f"indicator {goal.id!r} ({goal.name_en}) is entered after the year: give its value in the "
                         "assessment file" + ("" if assessment else " (none was given)"), file=where,
                         field=f"values.{goal.id}", has_value=False)
    return assessment.values[goal.id]


# --------------------------------------------------------------------------------------------- evaluation
@dataclass
class ScoredIndicator:
    goal: IndicatorGoal
    value: Any  # display unit, or a grade
    value_source: str
    share: float
    score: float
    met: bool
    deviation: float  # signed, % of target (0 within a range; 0 for grades)
    strongly_deviating: bool
    reason: str = ""
    measures: str = ""

    @property
    def listed(self) -> bool:
        """Missed or strongly deviating: needs a reason and measures (national Art. 18). Strong deviation counts
        in both directions (a target far exceeded may have been set too low: Sichuan Art. 20, 绩效目标设置不合理),
        from ``grading.strong_deviation`` % of the target; a target of 0 has no relative deviation (only a miss
        lists it)."""
        return (not self.met) or self.strongly_deviating


@dataclass
class EvaluationResult:
    goalset: GoalSet
    rows: list[ScoredIndicator]
    total: float
    grade: str
    figures: Figures | None
    inputs: dict[str, str]
    # actual versus expected by flow (``deviations.actual_vs_expected``): the year's accounts against the goal
    # set's projection for that year; empty without full-year accounts or without an engine indicator
    deviations: list = field(default_factory=list)

    @property
    def listed(self) -> list[ScoredIndicator]:
        return [r for r in self.rows if r.listed]

    def by_dimension(self) -> dict[str, tuple[float, float]]:
        """Score and weight per dimension."""
        out: dict[str, list[float]] = {}
        for r in self.rows:
            s = out.setdefault(r.goal.dimension, [0.0, 0.0])
            s[0] += r.score
            s[1] += r.goal.weight
        return {k: (v[0], v[1]) for k, v in out.items()}


def score_indicator(goal: IndicatorGoal, value, *, strong_deviation: float, value_source: str = "",
                    explanation: tuple[str, str] = ("", "")) -> ScoredIndicator:
    s = share(goal.direction, goal.target, value, goal.scoring)
    dev = signed_deviation(goal.direction, goal.target, value)
    return ScoredIndicator(goal, value, value_source, s, goal.weight * s, is_met(goal.direction, goal.target, value),
                           dev, math.isfinite(dev) and abs(dev) >= strong_deviation - 1e-9, *explanation)


def year_end_accounts(budget: Budget, execution: Execution) -> dict[str, float]:
    """The year's flows (full-year execution) and the opening balance (the budget's ``opening_balance``, when it
    has one): what the year-end indicators are computed from."""
    actual = dict(execution.cumulative(12))
    if "opening_balance" in budget.items:
        actual["opening_balance"] = budget.items["opening_balance"]
    return actual


def accounts_value(goal: IndicatorGoal, figs: Figures | None) -> tuple[float, str] | None:
    """A year-end indicator of the evaluated year (balance months, current balance, current balance before
    subsidies, subsidy share) from the year's accounts (full-year execution and the budget's opening balance), in
    the goal's display unit, with its definition; None where the accounts are incomplete (not the full year, no
    opening balance) or cannot give it (a next-year definition): the projection gives it then."""
    li = goal.library
    if li.accounts is None or figs is None or figs.months != 12 or "opening_balance" not in figs.actual:
        return None
    opts = {k: goal.option(k) for k in li.options}
    raw = li.accounts(figs, **opts)
    if raw is None:
        return None
    return raw / goal.divisor, li.accounts_formula[1]


def evaluate(goalset: GoalSet, budget: Budget | None = None, execution: Execution | None = None, *,
             assessment: Assessment | None = None, engine=None, figs: Figures | None = None) -> EvaluationResult:
    """Score a goal set after the year.

    Execution-based indicators need the budget and the full-year execution (or ``figs``, e.g. a province's sum of
    its regions); engine-based ones run ``engine`` (default: ``SibriskEngine()``) on the goal set's scenario;
    manual ones read ``assessment``."""
    inputs = {"goals": goalset.source or ""}
    needs_execution = any(g.library.basis == "execution" for g in goalset.indicators)
    if figs is None and (needs_execution or (budget is not None and execution is not None)):
        if budget is None or execution is None:
            raise InputError("execution-based indicators need the budget and the execution data", file=goalset.source,
                             field="budget/execution", has_value=False)
        check_same_year(budget, execution, goalset.meta.year)
        if execution.months != 12:
            raise InputError(f"evaluation is after the year: the execution data end at {execution.as_of}, not in "
                             "December", file=execution.source, field="period", value=execution.as_of)
        figs = figures(budget, year_end_accounts(budget, execution), 12, goalset.meta.region)
        inputs.update(budget=budget.source, execution=execution.source)
    if assessment is not None:
        inputs["assessment"] = assessment.source or ""
    rows = []
    for goal in goalset.indicators:
        basis = goal.library.basis
        if basis == "execution":
            value, src = execution_value(goal, figs, file=execution.source if execution else None,
                                         budget_file=budget.source if budget else None), "budget/execution"
        elif basis == "engine" and (acc := accounts_value(goal, figs)) is not None:
            value, src = acc  # the evaluated year's own position, from its accounts
        elif basis in ("engine", "stochastic"):
            if engine is None:
                from sibrisk.performance.engine import SibriskEngine

                engine = SibriskEngine()
            from sibrisk.performance.engine import engine_value

            raw, src = engine_value(goal, goalset, engine)
            value = raw / goal.divisor
        else:
            value = manual_value(goal, assessment)
            src = (assessment.sources.get(goal.id) if assessment else None) or "assessment"
        expl = assessment.explanations.get(goal.id, ("", "")) if assessment else ("", "")
        try:
            rows.append(score_indicator(goal, value, strong_deviation=goalset.grading.strong_deviation,
                                        value_source=src, explanation=expl))
        except NotFinite as e:
            where = {"execution": ", ".join(x for x in (budget and budget.source, execution and execution.source)
                                            if x) or None,
                     "manual": assessment.source if assessment else None}.get(basis, goalset.source)
            raise InputError(f"indicator {goal.id!r}: {e}", file=where, field=f"indicators.{goal.id}",
                             value=value) from None
    total = sum(r.score for r in rows)
    deviations = expected_vs_actual(goalset, figs, engine) if engine is not None else []
    return EvaluationResult(goalset, rows, total, grade_of(total, goalset.grading.bands), figs, inputs, deviations)


def expected_vs_actual(goalset: GoalSet, figs: Figures | None, engine) -> list:
    """The year's accounts against the goal set's projection of that year (volume and price effects by flow)."""
    from sibrisk.performance.deviations import actual_vs_expected

    if figs is None or figs.months != 12 or not any(g.library.basis == "engine" for g in goalset.indicators):
        return []
    ds = engine.projection(goalset)
    year = goalset.meta.year
    if "year" not in ds.dims or year not in ds["year"].values or {"region", "scenario"} & set(ds.dims):
        return []
    return actual_vs_expected(figs.actual, ds.sel(year=year))
