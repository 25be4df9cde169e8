"""Monitoring during the year: goal attainment and budget execution to date against the goals.

National measures Art. 11-13 (Sichuan Art. 11-13): monitoring tracks goal attainment and budget execution progress,
"mainly by target comparison" (目标比较法), with a focus on premium income, arrival of fiscal subsidies, benefit
payment and the fund's balance (Art. 12). Sichuan Art. 14: deviations are met with a prompt, a warning or a
correction (提示、警示、纠偏); lagging execution is pushed; large deviations are adjusted.

For every indicator of a goal set this module gives:

- the **value to date** (execution-based indicators: e.g. income collected so far / annual income budget);
- the **time-progress comparison**: months elapsed / 12 (e.g. 50% at the end of June) against the value to date,
  as a gap in percentage points, for budget flows (``library.LibraryIndicator.progress``);
- a **projected year-end outturn** (``execution.OUTTURN_METHODS``: linear run-rate, or seasonal from last year's
  monthly profile when one is given; engine-based indicators: the projection of the goal set's scenario);
- a **level** normal / prompt / warning / correction (正常/提示/警示/纠偏) from one rule table, ``LEVEL_RULES``:

  ========================  ==================================================================================
  rule                      measure (fires when the measure >= the level's threshold)
  ========================  ==================================================================================
  ``progress_lag``          adverse gap between the value to date and time progress, in percentage points:
                            behind time for at_least targets, ahead of time for at_most targets, either way for
                            range and equal targets
  ``outturn_deviation``     adverse deviation of the projected year-end value from the target, in % of the target
                            (``scoring.adverse_deviation``; infinite when a target of 0 is missed)
  ========================  ==================================================================================

  The level is the most severe that any rule fires; every rule that fired is reported. A measure exactly at a
  threshold fires it (within 1e-9). Thresholds are the province's to set (``load_thresholds``: a TOML file with a
  table per rule); the defaults below are ASSUMPTIONS (the measures give no numbers).

Indicators entered after the year (satisfaction, qualitative grades) are not monitored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sibrisk.performance._files import read_toml, validate
from sibrisk.performance.evaluation import accounts_value, execution_value
from sibrisk.performance.execution import (OUTTURN_METHODS, Budget, Execution, check_same_year, figures,
                                           projected_outturn)
from sibrisk.performance.goals import GoalSet, IndicatorGoal
from sibrisk.performance.scoring import TOL, adverse_deviation

LEVELS = ("normal", "prompt", "warning", "correction")
LEVEL_NAMES = {"normal": ("正常", "normal"), "prompt": ("提示", "prompt"), "warning": ("警示", "warning"),
               "correction": ("纠偏", "correction")}

LEVEL_RULES = {  # rule -> (zh, en, unit of its measure)
    "progress_lag": ("执行进度偏离时间进度", "execution progress off time progress", "pp"),
    "outturn_deviation": ("预计全年完成值偏离目标", "projected year-end value off target", "%"),
}

# ASSUMPTIONS (no numbers in the measures): a province sets its own with a thresholds file.
DEFAULT_THRESHOLDS = {
    "progress_lag": {"prompt": 5.0, "warning": 10.0, "correction": 20.0},  # percentage points
    "outturn_deviation": {"prompt": 2.0, "warning": 5.0, "correction": 10.0},  # % of target
}


def _table(default):
    return Field(default_factory=lambda: dict(default))


class Thresholds(BaseModel):
    """Threshold of each level per rule; file: ``[progress_lag] prompt = 5 ...``, tables left out keep defaults."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    progress_lag: dict[str, float] = _table(DEFAULT_THRESHOLDS["progress_lag"])
    outturn_deviation: dict[str, float] = _table(DEFAULT_THRESHOLDS["outturn_deviation"])
    note: str | None = None
    source: str | None = Field(default=None, exclude=True)

    @field_validator("progress_lag", "outturn_deviation")
    @classmethod
    def _levels(cls, v):
        want = list(LEVELS[1:])
        if sorted(v) != sorted(want):
            raise ValueError(f"give a threshold for each of {', '.join(want)}")
        t = [v[k] for k in want]
        if any(x < 0 for x in t) or t != sorted(t):
            raise ValueError("thresholds must be non-negative and rise from prompt to warning to correction")
        return v

    @property
    def is_default(self) -> bool:
        return self.progress_lag == DEFAULT_THRESHOLDS["progress_lag"] and \
            self.outturn_deviation == DEFAULT_THRESHOLDS["outturn_deviation"]


def load_thresholds(path: str | Path | None = None) -> Thresholds:
    if path is None:
        return Thresholds()
    t = validate(Thresholds, read_toml(path), path)
    t.source = str(path)
    return t


def level_of(measure: float, thresholds: dict[str, float]) -> tuple[str, float | None]:
    """The most severe level whose threshold the measure reaches, and that threshold."""
    for lvl in reversed(LEVELS[1:]):
        t = thresholds[lvl]
        if measure >= t - TOL * max(1.0, abs(t)):
            return lvl, t
    return "normal", None


@dataclass
class Finding:
    rule: str
    measure: float
    level: str
    threshold: float | None
    # the miss in the indicator's own units (outturn_deviation only): what a report shows where the relative
    # measure is not defined (a target of 0 missed: ``measure`` is infinite)
    gap: float | None = None


@dataclass
class MonitoringRow:
    goal: IndicatorGoal
    value_to_date: float | None
    time_progress: float | None  # %
    progress_gap: float | None  # value to date - time progress, pp
    projected: float | None
    method: str
    findings: list[Finding] = field(default_factory=list)
    note: str = ""

    @property
    def level(self) -> str | None:
        if not self.findings:
            return None
        return max((f.level for f in self.findings), key=LEVELS.index)

    @property
    def fired(self) -> list[Finding]:
        return [f for f in self.findings if f.level != "normal"]


@dataclass
class MonitoringResult:
    goalset: GoalSet
    as_of: str
    months: int
    method: str
    rows: list[MonitoringRow]
    thresholds: Thresholds
    inputs: dict[str, str]

    @property
    def level(self) -> str:
        levels = [r.level for r in self.rows if r.level]
        return max(levels, key=LEVELS.index) if levels else "normal"


def _adverse_gap(direction: str, gap: float) -> float:
    if direction == "at_least":
        return max(0.0, -gap)
    if direction == "at_most":
        return max(0.0, gap)
    return abs(gap)


def monitor(goalset: GoalSet, budget: Budget, execution: Execution, *, last_year: Execution | None = None,
            thresholds: Thresholds | None = None, engine=None) -> MonitoringResult:
    """Monitor a goal set against the budget and the execution to date (see the module docstring)."""
    thresholds = thresholds or Thresholds()
    check_same_year(budget, execution, goalset.meta.year)
    months = execution.months
    to_date = figures(budget, execution.cumulative(), months, goalset.meta.region)
    outturn, method = projected_outturn(execution, last_year)
    if "opening_balance" in budget.items:  # the year-end position = opening balance + the projected outturn
        outturn = {**outturn, "opening_balance": budget.items["opening_balance"]}
    year_end = figures(budget, outturn, 12, goalset.meta.region)
    time_progress = 100.0 * months / 12.0
    inputs = {"goals": goalset.source or "", "budget": budget.source, "execution": execution.source}
    if last_year is not None:
        inputs["last_year"] = last_year.source
    if thresholds.source:
        inputs["thresholds"] = thresholds.source
    rows = []
    for goal in goalset.indicators:
        basis = goal.library.basis
        if basis == "manual":
            rows.append(MonitoringRow(goal, None, None, None, None, "", note="entered after the year (not monitored)"))
            continue
        findings = []
        value_to_date = gap = tp = None
        if basis == "execution":
            value_to_date = execution_value(goal, to_date, file=execution.source, budget_file=budget.source)
            projected = execution_value(goal, year_end, file=execution.source, budget_file=budget.source)
            row_method = method
            if goal.library.progress:
                tp = time_progress
                gap = value_to_date - tp
                lag = _adverse_gap(goal.direction, gap)
                findings.append(Finding("progress_lag", lag, *level_of(lag, thresholds.progress_lag)))
        elif basis == "engine" and (acc := accounts_value(goal, year_end)) is not None:
            # the year-end balance months (and current balance, subsidy share) of this year: the opening balance
            # plus the projected outturn of the year's flows, against the floor
            projected, row_method = acc[0], f"accounts+{method}"
        else:
            if engine is None:
                from sibrisk.performance.engine import SibriskEngine

                engine = SibriskEngine()
            from sibrisk.performance.engine import engine_value

            raw, row_method = engine_value(goal, goalset, engine)
            projected = raw / goal.divisor
        dev = adverse_deviation(goal.direction, goal.target, projected)
        findings.append(Finding("outturn_deviation", dev, *level_of(dev, thresholds.outturn_deviation),
                                gap=adverse_deviation(goal.direction, goal.target, projected, basis="absolute")))
        rows.append(MonitoringRow(goal, value_to_date, tp, gap, projected, row_method, findings))
    return MonitoringResult(goalset, execution.as_of, months, method, rows, thresholds, inputs)


def method_text(method: str, lang: str = "zh") -> str:
    if method.startswith("accounts+"):  # a year-end position from the opening balance and the projected outturn
        rest = method_text(method[len("accounts+"):], lang)
        return f"年初结余＋全年预计收支（{rest}）" if lang == "zh" else f"opening balance + year-end outturn ({rest})"
    if method in OUTTURN_METHODS:
        return OUTTURN_METHODS[method][0 if lang == "zh" else 1]
    return method
