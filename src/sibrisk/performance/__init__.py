"""Performance goals, monitoring and evaluation of social insurance fund budgets (社会保险基金预算绩效管理).

Implements the national *Measures for the Budget Performance Management of Social Insurance Funds*
(财社〔2022〕65号) and Sichuan's implementing measures where they add detail (article numbers in each module):

- ``goals``: goal sets for a (fund, region, year) in TOML, validated (Art. 7-10);
- ``library``: the standard indicators with formulas, from budget/execution data, the engine, or entered values;
- ``scoring``: one registry of scoring rules; overall grades 优/良/中/差;
- ``execution``: budget and execution files (CSV/xlsx), projected year-end outturn;
- ``monitoring``: in-year levels normal/prompt/warning/correction from one rule table (Art. 11-14; Sichuan Art. 14);
- ``evaluation``: the after-year self-evaluation (Art. 15-18);
- ``province``: the province view over its regions (Art. 17, 19); ``calendar``: the due dates;
- ``engine``: runs sibrisk's projection for sustainability indicators; ``report``: xlsx/Markdown/HTML;
- ``cli``: ``sibrisk monitor``, ``sibrisk evaluate``, ``sibrisk province``.

Example::

    from sibrisk import performance as perf
    gs = perf.load_goals("scenarios/goals/region_a_2024.toml")
    res = perf.evaluate(gs, perf.load_budget(".../region_a_2024_budget.csv"),
                        perf.load_execution(".../region_a_2024_execution.csv"),
                        assessment=perf.load_assessment(".../region_a_2024_assessment.toml", gs))
    res.total, res.grade
"""

from __future__ import annotations

from sibrisk.performance.calendar import Deadline, deadlines, upcoming
from sibrisk.performance.engine import SibriskEngine, StochasticEngineUnavailable
from sibrisk.performance.evaluation import (Assessment, EvaluationResult, assessment_from_dict, evaluate,
                                            load_assessment)
from sibrisk.performance.execution import Budget, Execution, load_budget, load_execution, projected_outturn
from sibrisk.performance.goals import GoalSet, goals_from_dict, load_goals
from sibrisk.performance.library import LIBRARY, Figures
from sibrisk.performance.monitoring import LEVELS, MonitoringResult, Thresholds, load_thresholds, monitor
from sibrisk.performance.province import ProvinceResult, province_view
from sibrisk.performance.scoring import SCORING_RULES, grade_of

__all__ = ["Assessment", "Budget", "Deadline", "EvaluationResult", "Execution", "Figures", "GoalSet", "LEVELS",
           "LIBRARY", "MonitoringResult", "ProvinceResult", "SCORING_RULES", "SibriskEngine",
           "StochasticEngineUnavailable", "Thresholds", "assessment_from_dict", "deadlines", "evaluate", "goals_from_dict",
           "grade_of", "load_assessment", "load_budget", "load_execution", "load_goals", "load_thresholds", "monitor",
           "projected_outturn", "province_view", "upcoming"]
