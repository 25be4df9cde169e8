"""How the shipped default scenario was made: the published 2021 figures, the assumed coverage shape, and the
closed-form base-year calibration of the parameters that are not published.

Run ``python -m sibrisk.funds.unemployment.calibration`` to regenerate ``scenarios/unemployment_national.toml``.
Base year 2021 (t = 0: insured exposure = the year-end stock, recipients in steady state):

- coverage level: rates = level x shape, level = published insured / sum(shape x not-retired share x population);
- months per claim D from "months paid per recipient in a year" P = D / (1 + D/12) (steady state: recipients in
  a year = claims C + the stock C D / 12 carried in), so D = P / (1 - P/12); mean spell m solves
  sum_b share_b m (1 - exp(-M_b / m)) = D;
- claims C = recipients in year / (1 + D/12); take-up = C / (insured x unemployment rate);
- minimum wage = average benefit / share of minimum wage (90%);
- medical premium share = published premiums / (C D x average benefit);
- contributions c from total income: income = c + O i + (c - X) f (no subsidy), f = (1+i)^0.5 - 1, so
  c = (income - O i + X f) / (1 + f); base ratio = c / (insured x wage x rate x collection);
- job-stabilisation share = 230 亿 / c; skills and other share = (X - benefit - premiums - 230 亿) / c.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from sibrisk.funds.unemployment.parameters import AGE_MIN, STATUTORY_MAX_MONTHS
from sibrisk.scenario import AGE_MAX

AGES = np.arange(AGE_MIN, AGE_MAX + 1)
YI, WAN = 1e8, 1e4  # 亿元, 万人

SOURCE_2021 = ("MOHRSS, 2021年度人力资源和社会保障事业发展统计公报 (news reprints quoted in "
               "/work/research/other_funds.md section C.1/D.1)")
# Published 2021 national figures, unemployment insurance, yuan and persons.
PUBLISHED_2021 = {
    "total_income": 1460 * YI,            # "全年失业保险基金收入1460亿元"
    "total_expenditure": 1500 * YI,       # "基金支出1500亿元"
    "fund_balance": 3313 * YI,            # "年末失业保险基金累计结存3313亿元"
    "insured": 22958 * WAN,               # "年末全国参加失业保险人数为22958万人"
    "recipients_in_year": 608 * WAN,      # "全年共为608万名失业人员发放了不同期限的失业保险金"
    "average_monthly_benefit": 1585.0,    # "失业保险金月人均水平1585元"
    "medical_premiums_paid": 129 * YI,    # "为领取失业保险金人员代缴基本医疗保险费129亿元"
    "job_stabilisation_refunds": 230 * YI,  # 新华社 2022-02-06: "发放失业保险稳岗返还资金230亿元"
    "unemployment_rate": 0.051,           # NBS: surveyed urban rate, 2021 annual average
    "source": SOURCE_2021 + "; 稳岗返还: 新华社 2022-02-06 (姜琳), reprinted at "
              "http://www.natcm.gov.cn/xinxifabu/guowuyuanxinxi/2022-02-07/24531.html; rate: NBS 2021 公报",
}
# Published 2023 figures for the back-test (not used in calibration).
PUBLISHED_2023 = {
    "total_income": 1807 * YI,
    "total_expenditure": 1485 * YI,
    "fund_balance": 3213 * YI,
    "recipients_in_year": 730 * WAN,
    "unemployment_benefit_paid": 729 * YI,
    "average_monthly_benefit": 1814.0,
    "beneficiaries": 352 * WAN,           # year-end recipients
    "insured": 24373 * WAN,               # DERIVED: 22,958 + 849 (2022) + 566 (2023), MOHRSS press conferences
    "source": "新华网 2024-10-08, 人力资源社会保障部：我国失业保险持续扩面强化保障 (REPRINT); insured DERIVED from "
              "MOHRSS 2022 Q4 and 2023 Q4 press conferences",
}
# ASSUMPTION: months paid per recipient in a year (research notes, DERIVED from 2023: 729 亿 / (730万 x 1,814 元))
MONTHS_PER_RECIPIENT = 5.5
SHARE_OF_MINIMUM_WAGE = 0.9   # 人社部发〔2017〕71号 target
BAND_SHARES_2021 = (0.45, 0.25, 0.30)  # ASSUMPTION, as in the scenario file
INTEREST_RATE_2021 = 0.02              # ASSUMPTION, as in the scenario file
COLLECTION_RATE = 0.9                  # ASSUMPTION, as in the scenario file
CONTRIBUTION_RATE_2021 = 0.01
AVERAGE_WAGE_2021 = 106837.0
# ASSUMPTION: skills and other spending (as a share of contributions) relative to 2021 in later years; the
# 2021-2022 level includes temporary measures (temporary unemployment subsidies 失业补助金, the 2019-2021 skills
# action financed from the fund's surplus) that the assumption lets lapse after 2022.
SKILLS_LEVEL_AFTER_2022 = 0.5


def coverage_shape() -> np.ndarray:
    """(A,) ASSUMED relative coverage by age among people not yet retired: a ramp from 16 to 25, flat to 44,
    falling linearly to 0.6 at 59, 0.3 at 60-69 (those still at work past 60 under the reformed ages), none
    from 70."""
    a = AGES.astype(float)
    shape = np.interp(a, [16, 25, 44, 59], [0.1, 1.0, 1.0, 0.6])
    shape[(a >= 60) & (a < 70)] = 0.3
    shape[a >= 70] = 0.0
    return shape


def months_per_claim(mean_spell: float, shares=BAND_SHARES_2021, max_months=STATUTORY_MAX_MONTHS) -> float:
    return float(sum(s * mean_spell * (1 - np.exp(-m / mean_spell)) for s, m in zip(shares, max_months)))


def solve_base_year(pop_not_retired_shape_sum: float, opening: float, *, flow_mid_year: bool = True) -> dict:
    """The calibrated parameters (closed form, see the module docstring). ``pop_not_retired_shape_sum``:
    sum over ages and sexes of shape x not-retired share x 2021 population."""
    pub = PUBLISHED_2021
    level = pub["insured"] / pop_not_retired_shape_sum
    d = MONTHS_PER_RECIPIENT / (1 - MONTHS_PER_RECIPIENT / 12)
    mean_spell = brentq(lambda m: months_per_claim(m) - d, 0.5, 200.0, xtol=1e-12)
    claims = pub["recipients_in_year"] / (1 + d / 12)
    takeup = claims / (pub["insured"] * pub["unemployment_rate"])
    ui_paid = claims * d * pub["average_monthly_benefit"]
    medical_share = pub["medical_premiums_paid"] / ui_paid
    i = INTEREST_RATE_2021
    f = (1 + i) ** 0.5 - 1 if flow_mid_year else 0.0
    x = pub["total_expenditure"]
    contrib = (pub["total_income"] - opening * i + x * f) / (1 + f)
    base_ratio = contrib / (pub["insured"] * AVERAGE_WAGE_2021 * CONTRIBUTION_RATE_2021 * COLLECTION_RATE)
    stab = pub["job_stabilisation_refunds"] / contrib
    skills = (x - ui_paid - pub["medical_premiums_paid"] - pub["job_stabilisation_refunds"]) / contrib
    return {"coverage_level": level, "months_per_claim": d, "mean_spell": mean_spell, "claims": claims,
            "takeup": takeup, "ui_paid": ui_paid, "medical_share": medical_share, "contributions": contrib,
            "base_ratio": base_ratio, "stab_share": stab, "skills_share": skills,
            "minimum_wage": pub["average_monthly_benefit"] / SHARE_OF_MINIMUM_WAGE}


def opening_balance() -> float:
    """DERIVED 1 January 2021 balance: year-end balance - income + expenditure."""
    pub = PUBLISHED_2021
    return pub["fund_balance"] - pub["total_income"] + pub["total_expenditure"]


def _fmt(values: np.ndarray) -> str:
    vals = [f"{v:.6g}" for v in values]
    lines = ["  " + ", ".join(vals[i:i + 10]) + "," for i in range(0, len(vals), 10)]
    return "[\n" + "\n".join(lines) + "\n]"


def render(values: dict, rates: np.ndarray) -> str:
    text = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    skills = values["skills_share"]
    later = skills * SKILLS_LEVEL_AFTER_2022
    subs = {
        "@coverage_male@": _fmt(rates), "@coverage_female@": _fmt(rates),
        "@base_ratio@": f"{values['base_ratio']:.6f}", "@takeup@": f"{values['takeup']:.6f}",
        "@mean_spell@": f"{values['mean_spell']:.6f}", "@minimum_wage@": f"{values['minimum_wage']:.4f}",
        "@medical_share@": f"{values['medical_share']:.6f}", "@stab_share@": f"{values['stab_share']:.6f}",
        "@skills_share@": f"{{ 2021 = {skills:.6f}, 2023 = {later:.6f} }}",
        "@skills_taper_note@": (f"from 2023 the skills and other share is {SKILLS_LEVEL_AFTER_2022:.0%} of its 2021 "
                                "level: the 2021-2022 level includes temporary measures (temporary unemployment "
                                "subsidies, the 2019-2021 skills-upgrading action financed from the fund's surplus) "
                                "taken to lapse after 2022. This taper was chosen knowing that 2023 expenditure was "
                                "lower than 2021, so the 2023 expenditure back-test is not fully out of sample."),
        "@opening@": f"{opening_balance():.6e}",
    }
    for k, v in subs.items():
        text = text.replace(k, v)
    return text


def shape_sum(sc) -> float:
    """sum(shape x not-retired share x population) in the base year for a loaded scenario."""
    from sibrisk.demography.population import population_paths
    from sibrisk.funds.unemployment.inputs import _not_retired

    pop = population_paths(sc, 1).stock[0, 0, AGE_MIN:, :]
    nr = _not_retired((int(sc.years[0]),), tuple(int(a) for a in sc.ages), sc.coverage.retirement_reform,
                      float(sc.coverage.female_cadre_share))[0]
    return float((coverage_shape()[:, None] * nr * pop).sum())


def write_default_scenario(path: Path) -> dict:
    from sibrisk.scenario import load_scenario

    shape = coverage_shape()
    provisional = solve_base_year(1.0, opening_balance())
    path.write_text(render(provisional, shape * 0.1), encoding="utf-8")  # first pass: the population
    sc = load_scenario(path)
    values = solve_base_year(shape_sum(sc), opening_balance(), flow_mid_year=sc.projection.flow_timing == "mid_year")
    path.write_text(render(values, shape * values["coverage_level"]), encoding="utf-8")
    return values


if __name__ == "__main__":  # pragma: no cover
    target = (Path(sys.argv[1]) if len(sys.argv) > 1 else
              Path(__file__).resolve().parents[4] / "scenarios" / "unemployment_national.toml")
    vals = write_default_scenario(target)
    print(f"wrote {target}")
    for k, v in vals.items():
        print(f"  {k} = {v:.6g}")
