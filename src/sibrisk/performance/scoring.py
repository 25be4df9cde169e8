"""Scoring rules: one registry turning (direction, target, actual value) into a share of the indicator's weight.

An indicator scores ``weight x share``; the total over a goal set is on 100 points (weights sum to 100). Rules, as
published self-evaluation practice writes them (DOMAIN.md section 4; the measures leave the method to the evaluator,
national Art. 15 and 17 "比较法为主"):

- ``proportional`` 按完成比例计算得分，满分为止: at_least: actual / target; at_most: target / actual once actual is
  above the target; equal: 1 - |actual - target| / |target|; range [lo, hi]: full inside, actual / lo below,
  hi / actual above. Shares are capped at 1 ("满分为止") and floored at 0. Targets (bounds) must be positive
  (equal: non-zero).
- ``bands`` 偏差分档: the adverse deviation d (how far the actual value misses the target in the direction that
  matters, in % of the target, or in the indicator's own units with ``basis = "absolute"``) is looked up in a table
  ``bands = [[d1, s1], [d2, s2], ...]`` (d ascending): met (d = 0) scores 1; otherwise the first band with d <= d_i
  gives s_i (a deviation exactly at a band's limit belongs to that band); beyond the last band scores 0.
- ``all_or_nothing`` 达标得满分: 1 if the target is met, else 0.
- ``grade`` 定性分档: the grade given (优/良/中/差) maps to a share of the weight; default 优 1.0, 良 0.8, 中 0.6,
  差 0 (ASSUMPTION: a common convention in published tables; set ``grade_shares`` to the province's).

Comparisons allow a tolerance of 1e-9 (relative) so that a value computed as 0.1 + 0.2 meets a target of 0.3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Callable, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from sibrisk.errors import SibriskError
from sibrisk.performance.library import GRADES

TOL = 1e-9
DIRECTIONS = ("at_least", "at_most", "equal", "range", "grade")
DIRECTION_ZH = {"at_least": "≥", "at_most": "≤", "equal": "=", "range": "区间", "grade": "等级"}
DEFAULT_GRADE_SHARES = {"优": 1.0, "良": 0.8, "中": 0.6, "差": 0.0}  # ASSUMPTION, see module docstring
QUANTITATIVE = ("at_least", "at_most", "equal", "range")


class ScoringSpec(BaseModel):
    """How one indicator is scored: the rule's name and its parameters."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    rule: str
    # a TOML array [d, s] is a list: strict validation accepts it as a pair of numbers (never strings or booleans)
    bands: list[Annotated[tuple[float, float], BeforeValidator(lambda v: tuple(v) if isinstance(v, list) else v)]] \
        | None = None
    basis: Literal["relative", "absolute"] = "relative"
    grade_shares: dict[str, float] | None = None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


class NotFinite(SibriskError, ValueError):
    """A value that cannot be scored: NaN or infinite (``|inf - b| <= tol * inf`` would call it met)."""


def _finite(value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise NotFinite(f"{value!r} is not a finite number: it cannot be scored (a value of NaN or infinity "
                        "comes from a bad input; it never meets a target)")


def is_met(direction: str, target, value) -> bool:
    if direction == "grade":
        return GRADES.index(value) <= GRADES.index(target)
    _finite(value)
    if direction == "at_least":
        return value >= target or _close(value, target)
    if direction == "at_most":
        return value <= target or _close(value, target)
    if direction == "equal":
        return _close(value, target)
    lo, hi = target
    return (lo <= value or _close(value, lo)) and (value <= hi or _close(value, hi))


def signed_deviation(direction: str, target, value) -> float:
    """Deviation from the target in % of it (positive = above); for a range, from the nearest bound (0 inside).

    Used to list strongly deviating indicators in either direction (national Art. 18: 偏离绩效目标较大)."""
    if direction == "grade":
        return 0.0
    _finite(value)
    if direction == "range":
        lo, hi = target
        if is_met(direction, target, value):
            return 0.0
        ref = lo if value < lo else hi
    else:
        ref = target
    if _close(value, ref):
        return 0.0
    if ref == 0:
        return math.copysign(math.inf, value - ref)
    return 100.0 * (value - ref) / abs(ref)


def adverse_deviation(direction: str, target, value, *, basis: str = "relative") -> float:
    """How far ``value`` misses ``target`` in the direction that matters; 0 when met.

    ``basis="relative"``: in % of the target (of the nearer bound for a range); infinite when the target is 0 and
    missed. ``basis="absolute"``: in the indicator's units."""
    if direction == "grade":
        return float(GRADES.index(value) - GRADES.index(target)) if not is_met(direction, target, value) else 0.0
    if is_met(direction, target, value):
        return 0.0
    if direction == "range":
        lo, hi = target
        ref = lo if value < lo else hi
    else:
        ref = target
    gap = abs(value - ref)
    if basis == "absolute":
        return gap
    return math.inf if ref == 0 else 100.0 * gap / abs(ref)


@dataclass(frozen=True)
class ScoringRule:
    name: str
    directions: tuple[str, ...]
    label_zh: str
    label_en: str
    func: Callable[[str, object, object, ScoringSpec], float]
    check: Callable[[str, object, ScoringSpec], str | None]  # problem with a (direction, target, spec), or None


SCORING_RULES: dict[str, ScoringRule] = {}


def scoring_rule(name, *, directions, label_zh, label_en, check=lambda d, t, s: None):
    def deco(func):
        SCORING_RULES[name] = ScoringRule(name, tuple(directions), label_zh, label_en, func, check)
        return func
    return deco


def default_rule(direction: str) -> str:
    return "grade" if direction == "grade" else "proportional"


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _check_proportional(direction, target, spec):
    bounds = list(target) if direction == "range" else [target]
    if direction == "equal":
        return "proportional credit needs a non-zero target" if target == 0 else None
    if any(b <= 0 for b in bounds):
        return "proportional credit needs a positive target (use bands with basis = 'absolute' for a target of 0)"
    return None


@scoring_rule("proportional", directions=QUANTITATIVE, label_zh="按完成比例计算得分，满分为止",
              label_en="proportional credit, capped at full marks", check=_check_proportional)
def _proportional(direction, target, value, spec) -> float:
    if is_met(direction, target, value):
        return 1.0
    if direction == "at_least":
        return _clip(value / target)
    if direction == "at_most":
        return _clip(target / value) if value > 0 else 1.0
    if direction == "equal":
        return _clip(1.0 - abs(value - target) / abs(target))
    lo, hi = target
    return _clip(value / lo) if value < lo else _clip(hi / value)


def _check_bands(direction, target, spec):
    if not spec.bands:
        return "the bands rule needs bands = [[max_deviation, share], ...]"
    limits = [d for d, _ in spec.bands]
    if any(d < 0 for d in limits) or limits != sorted(limits) or len(set(limits)) != len(limits):
        return "band limits must be non-negative and strictly increasing"
    if any(not 0 <= s <= 1 for _, s in spec.bands):
        return "band shares must lie between 0 and 1"
    return None


@scoring_rule("bands", directions=QUANTITATIVE, label_zh="按偏差分档计分", label_en="deviation bands",
              check=_check_bands)
def _bands(direction, target, value, spec) -> float:
    d = adverse_deviation(direction, target, value, basis=spec.basis)
    if d == 0:
        return 1.0
    for limit, share in spec.bands:
        if d <= limit or _close(d, limit):
            return share
    return 0.0


@scoring_rule("all_or_nothing", directions=DIRECTIONS, label_zh="达到目标得满分，否则不得分",
              label_en="full marks if met, else none")
def _all_or_nothing(direction, target, value, spec) -> float:
    return 1.0 if is_met(direction, target, value) else 0.0


def _check_grade(direction, target, spec):
    shares = spec.grade_shares
    if shares is None:
        return None
    if sorted(shares) != sorted(GRADES):
        return f"grade_shares must give a share for each of {'/'.join(GRADES)}"
    if any(not 0 <= s <= 1 for s in shares.values()):
        return "grade shares must lie between 0 and 1"
    return None


@scoring_rule("grade", directions=("grade",), label_zh="按定性等级折算得分", label_en="grade mapped to a share",
              check=_check_grade)
def _grade(direction, target, value, spec) -> float:
    return (spec.grade_shares or DEFAULT_GRADE_SHARES)[value]


def check_spec(direction: str, target, spec: ScoringSpec) -> str | None:
    """The problem with scoring ``target`` in ``direction`` under ``spec``, or None."""
    rule = SCORING_RULES.get(spec.rule)
    if rule is None:
        return f"unknown scoring rule {spec.rule!r}; known: {', '.join(SCORING_RULES)}"
    if direction not in rule.directions:
        return f"scoring rule {spec.rule!r} does not apply to direction {direction!r}"
    return rule.check(direction, target, spec)


def share(direction: str, target, value, spec: ScoringSpec) -> float:
    """Share of the weight earned (0..1); ``NotFinite`` for a NaN or infinite value."""
    if direction != "grade":
        _finite(value)
    return float(SCORING_RULES[spec.rule].func(direction, target, value, spec))


GRADE_BANDS_DEFAULT = {"优": 90.0, "良": 80.0, "中": 60.0, "差": 0.0}  # Ministry of Finance practice (DOMAIN.md §4)


def grade_of(total: float, bands: dict[str, float] | None = None) -> str:
    """Overall grade of a total score: the best grade whose minimum the total reaches (优 >= 90, 良 80-89.99...,
    中 60-79.99..., 差 < 60 by default). A total within 1e-9 below a minimum counts as reaching it."""
    bands = bands or GRADE_BANDS_DEFAULT
    for g in GRADES:
        if total >= bands[g] - TOL:
            return g
    return GRADES[-1]
