"""How the shipped default scenario was made: the published 2021 figures, the assumed age tables, and the three
parameters solved on the base year.

Run ``python -m sibrisk.funds.work_injury.calibration`` to regenerate ``scenarios/work_injury_national.toml`` from
``default_scenario.toml.in``. Everything here is a modelling assumption except the published totals.

Solved on 2021 (the base year, flows on year-end stocks), each linear in its parameter:

1. coverage level: the assumed coverage shape x the shipped 2021 population (ages 16..100+) = 28,287 万 insured;
2. ``incidence.rate``: beneficiaries (new cases + continuing pensioners; the stationary initial stocks are
   proportional to the rate too) = 206 万;
3. ``contributions.rate_factor``: contributions C from total income 952 = C + S + O i + (C + S - X) f, with the
   fixed subsidy S, the opening balance O = 1,411 - 952 + 990, expenditure X = 990, f = (1+i)^0.5 - 1;
4. ``benefits.medical_cost_level``: benefit expenditure + prevention share x C = 990.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sibrisk.funds.work_injury.parameters import AGE_MIN
from sibrisk.scenario import AGE_MAX

AGES = np.arange(AGE_MIN, AGE_MAX + 1)
YI = 1e8  # 亿元
WAN = 1e4  # 万人

# MOHRSS 2021年度人力资源和社会保障事业发展统计公报 (released 2022-06-07), work-injury insurance, as quoted digit for
# digit by several news reprints (经济参考报 2022-06-08; 中国日报 2022-06-09; 人民日报; 人民日报海外版), collected in
# /work/research/other_funds.md section C.1 (confidence: REPRINT, multiple concordant).
PUBLISHED_2021 = {
    "total_income": 952 * YI,          # "全年工伤保险基金收入952亿元"
    "total_expenditure": 990 * YI,     # "基金支出990亿元"
    "fund_balance": 1411 * YI,         # "年末工伤保险基金累计结存1411亿元（含储备金164亿元）"
    "reserve": 164 * YI,
    "insured": 28287 * WAN,            # "年末全国参加工伤保险人数为28287万人"
    "beneficiaries": 206 * WAN,        # "全年有206万人享受工伤保险待遇"
    "source": "MOHRSS, 2021年度人力资源和社会保障事业发展统计公报 (2022-06-07), work-injury insurance; news reprints "
              "quoted in /work/research/other_funds.md C.1",
}
OPENING_2021 = PUBLISHED_2021["fund_balance"] - PUBLISHED_2021["total_income"] + PUBLISHED_2021["total_expenditure"]
RESERVE_SHARE = PUBLISHED_2021["reserve"] / PUBLISHED_2021["fund_balance"]


def coverage_shape() -> np.ndarray:
    """(A, 2) relative coverage by age and sex (ASSUMPTION, shape only): ramps in from 16 to 25, full to 49 (men) /
    44 (women), falls linearly to 40% at 59 (men) / 54 (women), 10% just past that, fading to zero by 75; women at 75%
    of men's level."""
    out = np.zeros((len(AGES), 2))
    for s, (full_to, end, level) in enumerate([(49, 59, 1.0), (44, 54, 0.75)]):
        for j, a in enumerate(AGES):
            if a < 25:
                v = 0.1 + 0.9 * (a - 16) / 9
            elif a <= full_to:
                v = 1.0
            elif a <= end:
                v = 1.0 - 0.6 * (a - full_to) / (end - full_to)
            else:
                v = max(0.0, 0.1 * (75 - a) / (75 - end))
            out[j, s] = level * v
    return out


def relative_risk() -> np.ndarray:
    """(A, 2) relative injury risk (ASSUMPTION): 1.2 at 16-24, 1.0 at 25-44, 1.1 at 45-59, 1.3 from 60; men 1.5 times
    women (the kernel inputs normalise it to an insured-weighted mean of 1)."""
    r = np.where(AGES < 25, 1.2, np.where(AGES < 45, 1.0, np.where(AGES < 60, 1.1, 1.3)))
    return np.stack([1.5 * r, r], axis=1)


def coverage_rates(year: int = 2021) -> np.ndarray:
    """The coverage shape scaled so that the shipped population of ``year`` holds the published insured."""
    from sibrisk.demography.population import base_stock

    pop = base_stock(year)[AGE_MIN:]
    shape = coverage_shape()
    return shape * PUBLISHED_2021["insured"] / float((shape * pop).sum())


def solved_contribution(opening: float, rate: float, subsidy: float, mid_year: bool = True) -> float:
    """Contributions C with total income = C + S + O i + (C + S - X) f equal to the published income."""
    f = (1 + rate) ** 0.5 - 1 if mid_year else 0.0
    inc, x = PUBLISHED_2021["total_income"], PUBLISHED_2021["total_expenditure"]
    return (inc - subsidy - opening * rate - (subsidy - x) * f) / (1 + f)


def calibrate(sc) -> dict[str, float]:
    """The three solved parameters for scenario ``sc`` (its other assumptions as given): incidence rate, rate factor,
    medical cost level. Re-derivable by a test from the shipped scenario."""
    from sibrisk.projection import project

    trial = {"incidence.rate": 0.01, "contributions.rate_factor": 1.0, "benefits.medical_cost_level": 0.1,
             "projection.years": 1}
    ds = project(sc.with_updates(trial), keep_detail=False, indicators=False).isel(year=0)
    incidence = 0.01 * PUBLISHED_2021["beneficiaries"] / float(ds.beneficiaries)
    trial["incidence.rate"] = incidence
    ds = project(sc.with_updates(trial), keep_detail=False, indicators=False).isel(year=0)
    mid = sc.projection.flow_timing == "mid_year"
    contrib = solved_contribution(float(ds.opening_balance), float(ds.interest_rate), float(ds.fiscal_subsidy), mid)
    rate_factor = contrib / float(ds.contribution_income)
    prevention = float(sc.series("contributions.prevention_share")[0]) * contrib
    benefits_target = PUBLISHED_2021["total_expenditure"] - prevention
    medical = float(ds.medical_expenditure)
    other = float(ds.benefit_expenditure) - medical
    level = 0.1 * (benefits_target - other) / medical
    return {"incidence.rate": incidence, "contributions.rate_factor": rate_factor,
            "benefits.medical_cost_level": level}


def _fmt(values: np.ndarray) -> str:
    vals = [f"{v:.6g}" for v in values]
    return "[\n" + "\n".join("  " + ", ".join(vals[i:i + 10]) + "," for i in range(0, len(vals), 10)) + "\n]"


def write_default_scenario(path: Path) -> dict[str, float]:
    from sibrisk.scenario import load_scenario

    template = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    cov = coverage_rates()
    risk = relative_risk()
    text = (template.replace("@coverage_male@", _fmt(cov[:, 0])).replace("@coverage_female@", _fmt(cov[:, 1]))
            .replace("@risk_male@", _fmt(risk[:, 0])).replace("@risk_female@", _fmt(risk[:, 1]))
            .replace("@opening@", f"{OPENING_2021:.6e}").replace("@reserve_share@", f"{RESERVE_SHARE:.6f}"))
    first = (text.replace("@incidence@", "0.01").replace("@rate_factor@", "1.0")
             .replace("@medical_cost_level@", "0.1"))
    path.write_text(first, encoding="utf-8")
    solved = calibrate(load_scenario(path))
    text = (text.replace("@incidence@", f"{solved['incidence.rate']:.8f}")
            .replace("@rate_factor@", f"{solved['contributions.rate_factor']:.8f}")
            .replace("@medical_cost_level@", f"{solved['benefits.medical_cost_level']:.8f}"))
    path.write_text(text, encoding="utf-8")
    return solved


if __name__ == "__main__":  # pragma: no cover
    target = (Path(sys.argv[1]) if len(sys.argv) > 1 else
              Path(__file__).resolve().parents[4] / "scenarios" / "work_injury_national.toml")
    print(write_default_scenario(target))
