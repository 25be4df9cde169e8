"""How the shipped default scenario was made: the published 2024 figures, the assumed age profiles and the
base-year calibration (every step closed-form, so that a test can re-derive it).

Run ``python -m sibrisk.funds.resident_medical.calibration`` to regenerate ``scenarios/resident_medical_national.toml``
from ``default_scenario.toml.in``. Everything here is a modelling assumption except the published figures, which
carry their sources.

Calibration, in order, on the 2024 population that the scenario's ``[population]`` and ``[mortality]`` project
from the UN WPP 2022 base stock (``sibrisk.demography.population``):

1. ``employee_share`` (who is in the *employee* scheme) = w x working_shape + r x retired_shape, with w and r
   solved so that the shares reproduce the employee scheme's 2024 in-service and retired members;
2. ``participation`` = published resident insured / sum of (1 - employee_share) x population;
3. ``cost_level`` = published expenditure / sum of insured x relative_cost;
4. ``top_up`` = the ratio of actual to minimum financing that makes modelled total income (premiums + subsidy +
   interest) equal the published income, given the opening balance and the interest rate;
5. the opening balance = published year-end balance - income + expenditure (the roll-forward run backwards).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sibrisk.scenario import AGE_MAX

AGES = np.arange(0, AGE_MAX + 1)
YI = 1e8   # 亿元
WAN = 1e4  # 万人

NHSA_2024 = ("NHSA (国家医疗保障局), 2024年全国医疗保障事业发展统计公报, 2025-07-14, "
             "https://www.nhsa.gov.cn/art/2025/7/14/art_7_17248.html (seen as the structured transcription in GitHub "
             "xujiann/health-indicators data/national-medical-insurance-annual-bulletins-additions.json; research "
             "notes /work/research/other_funds.md section B.1)")

# Published 2024 national figures of the resident basic medical insurance fund.
PUBLISHED_2024 = {
    "total_income": 11180.91 * YI,
    "total_expenditure": 10661.49 * YI,
    "fund_balance": 8183.02 * YI,     # 累计结存 (cumulative balance at year end), not the year's surplus (519.42)
    "insured": 94713.73 * WAN,
    "source": NHSA_2024,
}
# The employee scheme's 2024 members (same bulletin): residents are the population outside it.
EMPLOYEE_2024 = {
    "in_service": 27490.84 * WAN,     # 37,948.34 - 10,457.50 (DOMAIN.md's 27,491.84 is a typo; research notes A.2)
    "retired": 10457.50 * WAN,
    "source": NHSA_2024,
}
# Back-test figures (not calibrated to).
PUBLISHED_OTHER = {
    2023: {"total_income": 10569.71 * YI, "total_expenditure": 10457.65 * YI, "fund_balance": 7663.70 * YI,
           "insured": 96294 * WAN, "source": "NHSA, 2023年全国医疗保障事业发展统计公报, 2024-07-25, "
                                              "https://www.nhsa.gov.cn/art/2024/7/25/art_7_13340.html"},
    2025: {"total_income": 11237.72 * YI, "total_expenditure": 10678.63 * YI, "insured": 94213.27 * WAN,
           "source": "NHSA, 2025年全国医疗保障事业发展统计公报, 2026-07-16, "
                     "https://www.nhsa.gov.cn/art/2026/7/16/art_7_21451.html"},
}

# National minimum financing standards, yuan per person per year (research notes section B.2).
SUBSIDY_STANDARD = {2021: 580, 2022: 610, 2023: 640, 2024: 670, 2025: 700, 2026: 724}
PREMIUM_STANDARD = {2021: 320, 2022: 350, 2023: 380, 2024: 400, 2025: 400}
STANDARD_SOURCES = [
    "2021 580/320: 晋医保发〔2021〕14号 (Shanxi, 2021-07-28) implementing the national 2021 notice (verbatim)",
    "2022 subsidy 610: 2023 政府工作报告 (official text); 2022 premium 350: NOT VERIFIED (from memory of 医保发〔2022〕20号)",
    "2023 640/380: DERIVED from the 2024 increments (+30/+20); a Hunan snippet gives 640; the 2023 notice not seen",
    "2024 670/400: NHSA interpretation of 医保发〔2024〕19号, 2024-08-26, https://www.nhsa.gov.cn/art/2024/8/26/art_105_13634.html",
    "2025 700/400: 冀医保发〔2025〕6号 (Hebei, 2025-09-25); national notice not verified",
    "2026 subsidy 724 (+24): NHSA 2026-03-05, https://www.nhsa.gov.cn/art/2026/3/5/art_14_19809.html; "
    "premium 400 from provincial notices (Shanxi, Hunan)",
]

# ASSUMPTION: relative fund expenditure per insured person by age group, 1.0 = ages 20-44, the same for both sexes
# (research notes A.6: shape suggested from the employee scheme's retiree / in-service cost ratio of about 3.3 in
# the 2025 NHSA bulletin and the Tsinghua study of costs per visit; no resident-scheme age profile is published).
RELATIVE_COST_GROUPS = [(0, 4, 0.8), (5, 19, 0.4), (20, 44, 1.0), (45, 54, 1.6), (55, 59, 2.2), (60, 64, 2.8),
                        (65, 69, 3.3), (70, 74, 3.9), (75, 79, 4.5), (80, 100, 5.0)]


def relative_cost() -> np.ndarray:
    """(101, 2) ASSUMED age-cost curve (``RELATIVE_COST_GROUPS``)."""
    out = np.zeros((len(AGES), 2))
    for lo, hi, v in RELATIVE_COST_GROUPS:
        out[lo:hi + 1] = v
    return out


def employee_shapes(female_cadre_share: float = 0.3, retiree_decline: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """(101, 2) ASSUMED shapes of the employee scheme's membership by age: (in service, retired).

    In service: a ramp from age 16 to full at 23, up to the pre-2025 retirement ages (men 60; women 50 for
    workers, 55 for the ``female_cadre_share`` of cadres). Retired: from those ages, falling by ``retiree_decline``
    per year of age past them (older cohorts were less often in urban employment). Shapes only; the levels come
    from ``calibrate_employee_share``.
    """
    ramp = np.interp(AGES, [15, 16, 17, 18, 19, 20, 21, 22, 23], [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 1.0])
    work = np.zeros((len(AGES), 2))
    retired = np.zeros((len(AGES), 2))
    for s, groups in enumerate([{60: 1.0}, {50: 1.0 - female_cadre_share, 55: female_cadre_share}]):
        for age, weight in groups.items():
            work[:, s] += weight * ramp * (AGES < age)
            retired[:, s] += weight * (AGES >= age) * np.exp(-retiree_decline * np.clip(AGES - age, 0, None))
    return work, retired


def calibrate_employee_share(population: np.ndarray, in_service: float = EMPLOYEE_2024["in_service"],
                             retired: float = EMPLOYEE_2024["retired"]) -> tuple[float, float, np.ndarray]:
    """(w, r, employee_share (101, 2)): levels of the two shapes that reproduce the employee scheme's members in
    ``population`` (101, 2) persons; w = in_service / sum(work shape x P), r likewise."""
    work, ret = employee_shapes()
    w = in_service / float(np.sum(work * population))
    r = retired / float(np.sum(ret * population))
    return w, r, w * work + r * ret


def calibrated_participation(population: np.ndarray, employee_share: np.ndarray,
                             insured: float = PUBLISHED_2024["insured"]) -> float:
    """Share of the population outside the employee scheme that is insured in the resident scheme."""
    return insured / float(np.sum((1.0 - employee_share) * population))


def calibrated_cost_level(insured_by_age: np.ndarray, rel_cost: np.ndarray,
                          expenditure: float = PUBLISHED_2024["total_expenditure"]) -> float:
    """Base-year expenditure per insured person of relative cost 1: expenditure / sum(insured x relative cost)."""
    return expenditure / float(np.sum(insured_by_age * rel_cost))


def opening_balance(pub: dict = PUBLISHED_2024) -> float:
    """Balance on 1 January of the base year: year-end balance - income + expenditure."""
    return pub["fund_balance"] - pub["total_income"] + pub["total_expenditure"]


def calibrated_top_up(premium: float, subsidy: float, collection: float, insured: float, expenditure: float,
                      opening: float, rate: float, target_income: float, mid_year: bool = True) -> float:
    """Ratio k of actual to minimum financing per insured person that makes base-year total income equal the target.

    With B = (premium x collection + subsidy) x insured and f = (1+i)^0.5 - 1 (mid-year) or 0:
    income = kB + O i + (kB - X) f, so k = (target - O i + X f) / (B (1 + f)).
    """
    f = (1.0 + rate) ** 0.5 - 1.0 if mid_year else 0.0
    base = (premium * collection + subsidy) * insured
    return (target_income - opening * rate + expenditure * f) / (base * (1.0 + f))


def _fmt(values: np.ndarray) -> str:
    vals = [f"{v:.6g}" for v in values]
    lines = ["  " + ", ".join(vals[i:i + 10]) + "," for i in range(0, len(vals), 10)]
    return "[\n" + "\n".join(lines) + "\n]"


def _table(d: dict) -> str:
    return "{ " + ", ".join(f"{k} = {v}" for k, v in d.items()) + " }"


def calibrate(sc) -> dict:
    """The calibrated values for scenario ``sc`` (its population, financing standards and interest rate)."""
    from sibrisk.demography.population import population_paths
    from sibrisk.funds.resident_medical.inputs import financing_standards

    pop = population_paths(sc, 1).stock[0, 0]
    w, r, share = calibrate_employee_share(pop)
    part = calibrated_participation(pop, share)
    insured_by_age = part * (1.0 - share) * pop
    rel = sc.costs.relative_cost.array()
    level = calibrated_cost_level(insured_by_age, rel)
    premium, subsidy = financing_standards(sc)
    econ = sc.economy_series()
    top_up = calibrated_top_up(float(premium[0]), float(subsidy[0]), float(econ["collection_rate"][0]),
                               float(insured_by_age.sum()), PUBLISHED_2024["total_expenditure"], opening_balance(),
                               float(econ["interest_rate"][0]), PUBLISHED_2024["total_income"],
                               sc.projection.flow_timing == "mid_year")
    return {"w": w, "r": r, "employee_share": share, "participation": part, "cost_level": level, "top_up": top_up,
            "population": pop}


def write_default_scenario(path: Path) -> dict:
    from sibrisk.scenario import load_scenario

    template = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    rel = relative_cost()
    text = (template.replace("@relative_cost_male@", _fmt(rel[:, 0])).replace("@relative_cost_female@", _fmt(rel[:, 1]))
            .replace("@subsidy_standard@", _table(SUBSIDY_STANDARD)).replace("@premium_standard@", _table(PREMIUM_STANDARD))
            .replace("@opening@", f"{opening_balance():.6e}"))
    first = (text.replace("@employee_share_male@", _fmt(np.zeros(len(AGES))))
             .replace("@employee_share_female@", _fmt(np.zeros(len(AGES))))
             .replace("@participation@", "0.9").replace("@cost_level@", "1000.0").replace("@top_up@", "1.0"))
    path.write_text(first, encoding="utf-8")
    cal = calibrate(load_scenario(path))
    share = cal["employee_share"]
    final = (text.replace("@employee_share_male@", _fmt(share[:, 0])).replace("@employee_share_female@", _fmt(share[:, 1]))
             .replace("@participation@", f"{cal['participation']:.6f}").replace("@cost_level@", f"{cal['cost_level']:.4f}")
             .replace("@top_up@", f"{cal['top_up']:.6f}"))
    path.write_text(final, encoding="utf-8")
    return cal


if __name__ == "__main__":  # pragma: no cover
    target = (Path(sys.argv[1]) if len(sys.argv) > 1 else
              Path(__file__).resolve().parents[4] / "scenarios" / "resident_medical_national.toml")
    cal = write_default_scenario(target)
    print(f"wrote {target}: w = {cal['w']:.4f}, r = {cal['r']:.4f}, participation = {cal['participation']:.4f}, "
          f"cost_level = {cal['cost_level']:.2f}, top_up = {cal['top_up']:.4f}")
