"""Goal sets: the performance goals and indicators of one fund, one region and one year, from a TOML file.

The measures (社会保险基金预算绩效管理办法, national Art. 7-10; Sichuan Art. 7-10) ask for overall (multi-year) and
annual goals (Art. 8), decomposed into quantitative and qualitative indicators in four dimensions, decision, process,
output and benefit (Art. 9), set before the budget (Art. 7: 绩效目标设置作为预算安排的前置条件). A goal set file::

    [meta]
    fund = "enterprise_pension"         # one of the seven funds (Art. 3)
    region = "Region A"                 # pooling region (统筹地区) or province
    level = "pooling_region"            # or "province"
    year = 2024

    [scenario]                          # the region's projection scenario (feeds engine indicators)
    base = "enterprise_pension_national"   # a file next to this one, or a shipped scenario's name
    updates = { "initial.fund_balance" = 1.2e11 }   # optional dotted-path changes (Scenario.with_updates)

    [overall]                           # 总体目标 (Art. 8)
    period = "2023-2027"
    goals = [{ text_zh = "...", text_en = "..." }]

    [[annual.goals]]                    # 年度目标: each names the indicators that measure it
    text_zh = "..."
    indicators = ["income_completion"]

    [[indicators]]
    id = "income_completion"            # unique in the file
    indicator = "income_budget_completion_rate"   # library id (default: id); see performance.library
    direction = "at_least"              # at_least, at_most, equal, range, grade
    target = 100                        # number; [lo, hi] for a range; "优"/"良"/"中"/"差" for a grade
    weight = 20                         # weights sum to 100
    scoring = { rule = "proportional" } # see performance.scoring (default: proportional, grade for grades)
    # optional: name_zh, name_en, dimension, sub_aspect, unit, source, options

    [grading]                           # optional
    bands = { "优" = 90, "良" = 80, "中" = 60, "差" = 0 }   # TOML: quote non-ASCII keys
    strong_deviation = 20               # % from target listed as 偏离较大 (national Art. 18)

Validation rejects weights that do not sum to 100, unknown indicators and funds, targets of the wrong kind for their
direction, annual goals without indicators and indicators without targets, naming the file, field and value.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sibrisk.errors import InputError
from sibrisk.performance import library as lib
from sibrisk.performance._files import read_toml, validate
from sibrisk.performance.scoring import (DIRECTIONS, GRADE_BANDS_DEFAULT, ScoringSpec, check_spec, default_rule)
from sibrisk.funds import FUND_IDS as FUNDS

FUND_NAMES = {  # national measures Art. 3; DOMAIN.md section 1
    "enterprise_pension": ("企业职工基本养老保险", "Basic pension insurance for enterprise employees"),
    "resident_pension": ("城乡居民基本养老保险", "Basic pension insurance for urban and rural residents"),
    "public_sector_pension": ("机关事业单位基本养老保险", "Basic pension insurance for government agencies and institutions"),
    "employee_medical": ("职工基本医疗保险（含生育保险）", "Basic medical insurance for employees, maternity included"),
    "resident_medical": ("城乡居民基本医疗保险", "Basic medical insurance for urban and rural residents"),
    "work_injury": ("工伤保险", "Work-related injury insurance"),
    "unemployment": ("失业保险", "Unemployment insurance"),
}
assert set(FUND_NAMES) == set(FUNDS)
WEIGHT_TOTAL = 100.0
STRONG_DEVIATION_DEFAULT = 20.0  # ASSUMPTION: % from target counted as 偏离较大; the measures give no number


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Goal(_Model):
    text_zh: str
    text_en: str | None = None
    indicators: list[str] = Field(default_factory=list)


class Overall(_Model):
    period: str | None = None
    goals: list[Goal] = Field(default_factory=list)


class Annual(_Model):
    goals: list[Goal]


class Meta(_Model):
    fund: str
    region: str
    region_zh: str | None = None
    province: str | None = None
    level: Literal["pooling_region", "province"] = "pooling_region"
    year: int = Field(ge=1990, le=2200)
    title: str | None = None
    note: str | None = None

    @field_validator("fund")
    @classmethod
    def _fund(cls, v):
        if v not in FUNDS:
            raise ValueError(f"unknown fund; the measures' seven funds (Art. 3) are: {', '.join(FUNDS)}")
        return v


class ScenarioRef(_Model):
    base: str
    updates: dict[str, Any] = Field(default_factory=dict)
    # series updates act from this year (a policy change), the years before keep the scenario's values
    effective_from: int | None = None
    note: str | None = None


class Grading(_Model):
    bands: dict[str, float] = Field(default_factory=lambda: dict(GRADE_BANDS_DEFAULT))
    strong_deviation: float = Field(default=STRONG_DEVIATION_DEFAULT, gt=0)

    @field_validator("bands")
    @classmethod
    def _bands(cls, v):
        if sorted(v) != sorted(lib.GRADES):
            raise ValueError(f"bands must give the minimum score of each grade {'/'.join(lib.GRADES)}")
        mins = [v[g] for g in lib.GRADES]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != 4 or v["差"] != 0 or v["优"] > 100:
            raise ValueError("grade minimums must fall strictly from 优 to 差, with 差 = 0 and 优 <= 100")
        return v


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class IndicatorGoal(_Model):
    id: str
    indicator: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    dimension: str | None = None
    sub_aspect: str | None = None
    unit: str | None = None
    direction: str | None = None
    target: Any = None
    weight: float = Field(gt=0, le=100)
    source: str | None = None
    scoring: ScoringSpec | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self):
        li = lib.get(self.indicator or self.id, field="indicator" if self.indicator else "id")
        self.indicator = li.id
        self.name_zh = self.name_zh or li.name_zh
        self.name_en = self.name_en or li.name_en
        self.dimension = self.dimension or li.dimension
        if self.dimension not in lib.DIMENSIONS:
            raise InputError(f"unknown dimension; the measures' four (Art. 9): {', '.join(lib.DIMENSIONS)}",
                             field="dimension", value=self.dimension)
        self.sub_aspect = self.sub_aspect or li.sub_aspect_zh
        self.unit = self.unit or li.default_unit
        if self.unit not in lib.UNITS[li.quantity]:
            raise InputError(f"unit does not fit indicator {li.id!r} ({li.quantity}); use one of "
                             f"{list(lib.UNITS[li.quantity])}", field="unit", value=self.unit)
        self.direction = self.direction or li.default_direction
        if self.direction not in DIRECTIONS:
            raise InputError(f"unknown direction; use one of {', '.join(DIRECTIONS)}", field="direction",
                             value=self.direction)
        if (li.quantity == "grade") != (self.direction == "grade"):
            raise InputError(f"indicator {li.id!r} is {'' if li.quantity == 'grade' else 'not '}graded 优/良/中/差: "
                             f"direction must {'' if li.quantity == 'grade' else 'not '}be 'grade'",
                             field="direction", value=self.direction)
        self.target = self._check_target(self.target)
        if li.scale is not None:  # a target on the indicator's own scale (a satisfaction rate: 0..100 %)
            lo, hi = (x / self.divisor for x in li.scale)
            bounds = self.target if isinstance(self.target, tuple) else (self.target,)
            if any(not lo <= b <= hi for b in bounds):
                raise InputError(f"outside the scale of {li.id!r}, {lo:g}..{hi:g} {self.unit}", field="target",
                                 value=self.target)
            if self.unit == "%" and all(0 < b <= 2 for b in bounds):  # 0.95 or [0.95, 1.05] meant as 95 %
                raise InputError(f"looks like a fraction: targets are in % (write {bounds[-1] * 100:g} for "
                                 f"{bounds[-1] * 100:g}%)", field="target", value=self.target)
        self.source = self.source or li.source
        self.scoring = self.scoring or ScoringSpec(rule=default_rule(self.direction))
        problem = check_spec(self.direction, self.target, self.scoring)
        if problem:
            raise InputError(problem, field="scoring", value=self.scoring.model_dump(exclude_none=True))
        unknown = set(self.options) - set(li.options)
        if unknown:
            raise InputError(f"unknown option(s) for {li.id!r}; accepted: {sorted(li.options) or 'none'}",
                             field="options", value=sorted(unknown))
        for key, value in self.options.items():
            bound = OPTION_BOUNDS.get(key)
            if bound and value is not None and not (_is_number(value) and float(value) == int(value)
                                                    and bound[0] <= value <= bound[1]):
                raise InputError(f"must be a whole number {bound[0]}..{bound[1]} ({bound[2]})",
                                 field=f"options.{key}", value=value)
        return self

    def _check_target(self, t):
        d = self.direction
        if t is None:
            raise InputError("the indicator has no target (every indicator needs one)", field="target",
                             has_value=False)
        if d == "grade":
            g = lib.normalise_grade(t)
            if g is None:
                raise InputError(f"a grade target must be one of {'/'.join(lib.GRADES)}", field="target", value=t)
            return g
        if d == "range":
            if not (isinstance(t, list) and len(t) == 2 and all(_is_number(x) for x in t) and t[0] <= t[1]):
                raise InputError("a range target must be [low, high] with two numbers, low <= high", field="target",
                                 value=t)
            return (float(t[0]), float(t[1]))
        if not _is_number(t):
            raise InputError(f"direction {d!r} needs a single number as target", field="target", value=t)
        return float(t)

    # ---- conveniences
    @property
    def library(self) -> lib.LibraryIndicator:
        return lib.LIBRARY[self.indicator]

    @property
    def divisor(self) -> float:
        return lib.UNITS[self.library.quantity][self.unit]

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def option(self, key: str):
        return self.options.get(key, self.library.options.get(key))


# whole-number options of the library's indicators: (lowest, highest, why)
OPTION_BOUNDS = {
    "valuation_years": (1, 150, "years of the valuation period; a projection holds at most 150"),
    "horizon_years": (1, 150, "years ahead; a projection holds at most 150"),
    "n_scenarios": (1, 100_000, "stochastic scenarios drawn"),
}


class GoalSet(_Model):
    meta: Meta
    scenario: ScenarioRef | None = None
    overall: Overall = Field(default_factory=Overall)
    annual: Annual
    grading: Grading = Field(default_factory=Grading)
    indicators: list[IndicatorGoal] = Field(min_length=1)
    source: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _whole(self):
        seen = set()
        for i, ind in enumerate(self.indicators):
            if ind.id in seen:
                raise InputError("indicator id used twice", field=f"indicators[{i}].id", value=ind.id)
            seen.add(ind.id)
        total = sum(ind.weight for ind in self.indicators)
        if abs(total - WEIGHT_TOTAL) > 1e-6:
            raise InputError(f"indicator weights sum to {total:g}, not 100 "
                             f"({', '.join(f'{x.id}={x.weight:g}' for x in self.indicators)})",
                             field="indicators[*].weight", value=total)
        for gi, goal in enumerate(self.annual.goals):
            if not goal.indicators:
                raise InputError("an annual goal with no target: name the indicator(s) that measure it",
                                 field=f"annual.goals[{gi}].indicators", value=goal.text_zh)
            for name in goal.indicators:
                if name not in seen:
                    raise InputError(f"names an indicator not in this goal set (ids: {sorted(seen)})",
                                     field=f"annual.goals[{gi}].indicators", value=name)
        for gi, goal in enumerate(self.overall.goals):
            for name in goal.indicators:
                if name not in seen:
                    raise InputError(f"names an indicator not in this goal set (ids: {sorted(seen)})",
                                     field=f"overall.goals[{gi}].indicators", value=name)
        needs_engine = [x.id for x in self.indicators if x.library.basis in ("engine", "stochastic")]
        if needs_engine and self.scenario is None:
            raise InputError(f"indicators {needs_engine} are computed by the projection engine: add a [scenario] "
                             "table naming the region's scenario", field="scenario", has_value=False)
        return self

    def indicator(self, id: str) -> IndicatorGoal:
        for x in self.indicators:
            if x.id == id:
                return x
        raise InputError("no such indicator in the goal set", file=self.source, field="indicator", value=id)

    def fund_name(self, lang: str = "zh") -> str:
        return FUND_NAMES[self.meta.fund][0 if lang == "zh" else 1]

    def region_name(self, lang: str = "zh") -> str:
        return (self.meta.region_zh or self.meta.region) if lang == "zh" else self.meta.region


def goals_from_dict(data: dict, *, source: str | Path | None = None) -> GoalSet:
    gs = validate(GoalSet, data, source)
    gs.source = str(source) if source is not None else None
    return gs


def load_goals(path: str | Path) -> GoalSet:
    """Load and validate a goal-set TOML file; raise ``InputError`` naming file, field and value."""
    return goals_from_dict(read_toml(path), source=path)
