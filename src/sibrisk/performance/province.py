"""The province view: the self-evaluations of a province's pooling regions for one fund, side by side, and the
province's own evaluation.

National measures Art. 17 and 19 (Sichuan Art. 17 and 19): the provincial finance department organises the
provincial evaluation, building on the regions' self-evaluations, analyses each region's actual performance and
feeds the results back. This module gives: each region's score and grade, the scores side by side per indicator,
the ranking, the regions whose monitoring ends at warning or correction, the province's own evaluation, and the
calendar of what is due (``calendar.deadlines``).

**Aggregation**: the province's budget-based indicators are recomputed from the *sums* of its regions' budgets and
execution (``Figures.__add__``), never averaged from the regions' rates, so that province totals equal the sum of the
regions'. Engine indicators of the province come from the province goal set's own scenario; manual ones from its
assessment file.

A province file (paths relative to it)::

    [meta]
    province = "Example Province"
    province_zh = "示例省"
    fund = "enterprise_pension"
    year = 2024
    rules = "sichuan"            # or "national": which calendar applies

    [[regions]]
    goals = "region_a_2024.toml"
    budget = "../execution/region_a_2024_budget.csv"
    execution = "../execution/region_a_2024_execution.csv"
    assessment = "../execution/region_a_2024_assessment.toml"

    [province]                   # the province's own goal set (optional)
    goals = "province_2024.toml"
    assessment = "../execution/province_2024_assessment.toml"
    thresholds = "thresholds.toml"   # optional, for the monitoring levels
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sibrisk.errors import InputError
from sibrisk.performance._files import read_toml, validate
from sibrisk.performance.calendar import Deadline, deadlines
from sibrisk.performance.evaluation import EvaluationResult, evaluate, load_assessment
from sibrisk.performance.execution import figures, load_budget, load_execution
from sibrisk.performance.goals import FUND_NAMES, load_goals
from sibrisk.performance.library import Figures
from sibrisk.performance.monitoring import LEVELS, MonitoringResult, load_thresholds, monitor


class _Meta(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    province: str
    province_zh: str | None = None
    fund: str
    year: int
    rules: Literal["sichuan", "national"] = "sichuan"
    note: str | None = None


class _Region(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    goals: str
    budget: str
    execution: str
    assessment: str | None = None


class _Own(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    goals: str
    assessment: str | None = None
    thresholds: str | None = None


class ProvinceFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    meta: _Meta
    regions: list[_Region] = Field(min_length=1)
    province: _Own | None = None


@dataclass
class RegionResult:
    name: str
    evaluation: EvaluationResult
    monitoring: MonitoringResult
    figures: Figures


@dataclass
class ProvinceResult:
    meta: _Meta
    regions: list[RegionResult]
    totals: Figures
    own: EvaluationResult | None
    calendar: list[Deadline]
    source: str | None = None

    def ranking(self) -> list[tuple[int, RegionResult]]:
        """Regions by total score, best first; equal scores share a rank (1, 2, 2, 4)."""
        ordered = sorted(self.regions, key=lambda r: -r.evaluation.total)
        out = []
        for i, r in enumerate(ordered):
            tied = i and abs(r.evaluation.total - ordered[i - 1].evaluation.total) < 1e-9
            out.append((out[-1][0] if tied else i + 1, r))
        return out

    def side_by_side(self):
        """pandas DataFrame: one row per indicator id, one column per region (and the province): scores."""
        import pandas as pd

        cols = {r.name: {x.goal.id: x.score for x in r.evaluation.rows} for r in self.regions}
        if self.own is not None:
            cols[self.province_name()] = {x.goal.id: x.score for x in self.own.rows}
        df = pd.DataFrame(cols)
        totals = {r.name: r.evaluation.total for r in self.regions}
        if self.own is not None:
            totals[self.province_name()] = self.own.total
        df.loc["total"] = pd.Series(totals)
        return df

    def under_warning(self) -> list[tuple[RegionResult, str, list[str]]]:
        """Regions whose monitoring level is warning or correction, with the indicators that fired them."""
        out = []
        for r in self.regions:
            lvl = r.monitoring.level
            if LEVELS.index(lvl) >= LEVELS.index("warning"):
                ids = [row.goal.id for row in r.monitoring.rows
                       if row.level and LEVELS.index(row.level) >= LEVELS.index("warning")]
                out.append((r, lvl, ids))
        return out

    def province_name(self, lang: str = "zh") -> str:
        return (self.meta.province_zh or self.meta.province) if lang == "zh" else self.meta.province

    def fund_name(self, lang: str = "zh") -> str:
        return FUND_NAMES[self.meta.fund][0 if lang == "zh" else 1]


def province_view(path: str | Path, *, engine=None) -> ProvinceResult:
    """Evaluate every region listed in a province file, and the province itself; see the module docstring."""
    path = Path(path)
    cfg = validate(ProvinceFile, read_toml(path), path)
    here = path.parent

    def rel(p):
        return here / p

    own_cfg = cfg.province
    thresholds = load_thresholds(rel(own_cfg.thresholds)) if own_cfg and own_cfg.thresholds else None
    if engine is None:
        from sibrisk.performance.engine import SibriskEngine

        engine = SibriskEngine()
    regions: list[RegionResult] = []
    for i, reg in enumerate(cfg.regions):
        gs = load_goals(rel(reg.goals))
        for key, want in (("fund", cfg.meta.fund), ("year", cfg.meta.year)):
            if getattr(gs.meta, key) != want:
                raise InputError(f"the province file is for {key} {want!r}", file=gs.source, field=f"meta.{key}",
                                 value=getattr(gs.meta, key))
        budget, execution = load_budget(rel(reg.budget)), load_execution(rel(reg.execution))
        assessment = load_assessment(rel(reg.assessment), gs) if reg.assessment else None
        ev = evaluate(gs, budget, execution, assessment=assessment, engine=engine)
        mon = monitor(gs, budget, execution, thresholds=thresholds, engine=engine)
        regions.append(RegionResult(gs.region_name(), ev, mon, figures(budget, execution.cumulative(), 12,
                                                                      gs.meta.region)))
    names = [r.name for r in regions]
    if len(set(names)) != len(names):
        raise InputError("two regions have the same name", file=path, field="regions", value=names)
    totals = regions[0].figures
    for r in regions[1:]:
        totals = totals + r.figures
    own = None
    if own_cfg is not None:
        gs = load_goals(rel(own_cfg.goals))
        if gs.meta.fund != cfg.meta.fund or gs.meta.year != cfg.meta.year:
            raise InputError(f"the province's goal set must be for fund {cfg.meta.fund!r} and year {cfg.meta.year}",
                             file=gs.source, field="meta", value=(gs.meta.fund, gs.meta.year))
        assessment = load_assessment(rel(own_cfg.assessment), gs) if own_cfg.assessment else None
        own = evaluate(gs, assessment=assessment, engine=engine, figs=totals)
        own.inputs["figures"] = "sum of the regions' budgets and execution"
    return ProvinceResult(cfg.meta, regions, totals, own, deadlines(cfg.meta.year, cfg.meta.rules), str(path))
