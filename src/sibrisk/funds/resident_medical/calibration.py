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
5. the opening balance = published year-end balance - income + expenditure (the roll-forward run backwards);
6. after the base year, the 2025 growth of the cost level from the NHSA 2025 bulletin's expenditure per insured
   (``cost_growth_2025``; it does not touch 2024).

Also here: the history of the financing standards (``FINANCING_HISTORY``, ``financing_history_growth``), the
back-test on the years after the base year (``BACKTEST``, ``backtest_table``), the long-run walk of assumptions
(``long_run_walk``, ``solvency_margin``), the fan of cost growth against its history 2020-2025
(``cost_growth_volatility``, ``PUBLISHED_BEFORE_2023``), its trend (``cost_growth_trend``; no least-squares fit of
several years: after the base year only 2025 is published, three figures met exactly by three parameters) and the
sensitivity table (``sensitivity_table``).
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

# The published history of the national minimum standards, yuan per person per year: (fiscal subsidy 人均财政补助标准,
# individual premium 个人缴费标准, source). The scenario's dated tables (SUBSIDY_STANDARD, PREMIUM_STANDARD) are the
# years from 2021; the years before the 2024 base year justify the rule for the future (financing_history_growth).
FINANCING_HISTORY = {
    2018: (490, 220, "the 2018 standards as a city notice states them when raising them for 2019 (below)"),
    2019: (520, 250, "a city notice implementing the national 2019 notice: subsidy 490 -> 520, premium 220 -> 250 "
                     "元 (http://zipooo.com.cn/hangyedongtai17/270.html, seen via the search corpus 2026-12-07)"),
    2020: (550, 280, "NOT VERIFIED: from memory of 医保发〔2020〕24号 (+30 / +30); no source found in the corpus"),
    2021: (580, 320, STANDARD_SOURCES[0]),
    2022: (610, 350, STANDARD_SOURCES[1]),
    2023: (640, 380, STANDARD_SOURCES[2]),
    2024: (670, 400, STANDARD_SOURCES[3]),
    2025: (700, 400, STANDARD_SOURCES[4]),
    2026: (724, 400, STANDARD_SOURCES[5]),
}


def financing_history_growth(first: int = 2019, last: int = 2026) -> dict:
    """Average yearly growth of the national minimum standards between two years of ``FINANCING_HISTORY``:
    (x_last / x_first)^(1 / (last - first)) - 1 for the subsidy, the premium and their total. 2019-2026: subsidy
    520 -> 724 (4.84%), premium 250 -> 400 (6.94%), total 770 -> 1,124 (5.55%): the justification of the
    ``indexation = "cost"`` ASSUMPTION (the default's cost growth is 5%-6% a year 2026-2035)."""
    if first not in FINANCING_HISTORY or last not in FINANCING_HISTORY or last <= first:
        raise ValueError(f"years {first}..{last}: need two years of FINANCING_HISTORY "
                         f"({min(FINANCING_HISTORY)}..{max(FINANCING_HISTORY)}), the first before the last")
    (s0, p0, _), (s1, p1, _) = FINANCING_HISTORY[first], FINANCING_HISTORY[last]
    n = last - first
    g = lambda a, b: (b / a) ** (1.0 / n) - 1.0  # noqa: E731
    return {"subsidy": g(s0, s1), "premium": g(p0, p1), "total": g(s0 + p0, s1 + p1)}


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


def cost_growth_2025(sc) -> float:
    """The 2025 growth of the (age-standardised) cost level that gives the published 2025 expenditure per insured
    (NHSA 2025 bulletin: 10,678.63 亿元 / 94,213.27 万 = 1,133.44 元), given the projected 2025 insured and their
    ages: (published per insured) / (projected per insured at zero growth) - 1. DERIVED, not assumed: the ageing
    on the age-cost curve alone raises expenditure per insured 1.7% in 2025, the bulletin shows 0.63%."""
    import sibrisk

    g = np.array(sc.series("economy.medical_cost_growth"), dtype=float)
    t = int(np.searchsorted(sc.years, 2025))
    if t >= len(sc.years) or sc.years[t] != 2025 or t == 0:
        raise ValueError("cost_growth_2025 needs a scenario whose projection years include 2025 after the base year")
    g[t] = 0.0
    d = sibrisk.project(sc.with_updates({"economy.medical_cost_growth": list(g)}), keep_detail=False,
                        indicators=False).sel(year=2025)
    pub = PUBLISHED_OTHER[2025]
    return (pub["total_expenditure"] / pub["insured"]) / float(d.benefit_expenditure / d.insured) - 1.0


# --------------------------------------------------------------------------------------------------------------
# Back-test: every national figure after the 2024 base year that could be cited (the NHSA 2025 bulletin). Not
# found: the 2025 cumulative balance (the transcription of the bulletin does not carry it), the MOF 2025 final
# accounts of the social insurance funds (premium / subsidy split), any 2026 outturn.
NHSA_2025 = PUBLISHED_OTHER[2025]["source"] + " (via the GitHub xujiann/health-indicators transcription)"
BACKTEST = [
    {"year": 2025, "item": "resident medical insured (万人)", "published": 94213.27, "unit": "万人",
     "variable": "insured", "scale": 1e4, "tolerance": 0.005, "source": NHSA_2025,
     "note": "the population projection at the 2024 participation; the fall of participation since 2022 (98,349 -> "
             "94,213 万) is not projected"},
    {"year": 2025, "item": "resident medical fund income (亿元)", "published": 11237.72, "unit": "亿元",
     "variable": "total_income", "scale": 1e8, "tolerance": 0.025, "source": NHSA_2025,
     "note": "tolerance from the noise of income per insured against the standards: +7.6% vs +4.9% (2023-24), "
             "+1.0% vs +2.8% (2024-25), residuals of +2.7 and -1.8 points (subsidies arriving across years)"},
    {"year": 2025, "item": "resident medical fund expenditure (亿元)", "published": 10678.63, "unit": "亿元",
     "variable": "total_expenditure", "scale": 1e8, "tolerance": 0.01, "source": NHSA_2025,
     "note": "the 2025 cost growth is derived from this bulletin's expenditure per insured (cost_growth_2025): the "
             "row then checks the insured; with the earlier assumption (0 in 2025) it was +1.31%"},
    {"year": 2025, "item": "resident medical current balance (亿元)", "published": 559.09, "unit": "亿元",
     "variable": "current_balance", "scale": 1e8, "tolerance": 0.70, "source": NHSA_2025 + "; DERIVED: income - "
     "expenditure, 11,237.72 - 10,678.63",
     "note": "a difference of two figures: the income and expenditure tolerances (281 + 107 亿元) are 69% of it"},
]
BACKTEST_TOLERANCE = 0.025


def backtest_value(row: dict, ds) -> float:
    """The projected value of one ``BACKTEST`` row in its units from a projection ``ds`` of this fund
    (``current_balance`` = total income - total expenditure)."""
    d = ds.sel(year=row["year"])
    if row["variable"] == "current_balance":
        return float(d.total_income - d.total_expenditure) / row["scale"]
    return float(d[row["variable"]]) / row["scale"]


def backtest_table(ds=None, rows=None):
    """Projected vs published figures for the years after the 2024 base year (``BACKTEST``), from the shipped
    default scenario (or the projection ``ds``): a pandas DataFrame with each row's tolerance and whether the
    projection lands within it."""
    import sibrisk
    from sibrisk.funds.common.backtest import backtest_frame

    if ds is None:
        ds = sibrisk.project(sibrisk.load_scenario("resident_medical_national"), keep_detail=False)
    return backtest_frame(BACKTEST if rows is None else rows, lambda b: backtest_value(b, ds), digits=2)


# --------------------------------------------------------------------------------------------------------------
# The long run. No published *national* projection of the resident medical fund with a depletion year was found in
# the reference corpus (searched 2026-12-07: 城乡居民基本医疗保险基金 精算 预测 累计结余 赤字). What was found, for
# comparison of direction only (regional, older bases, other schemes):
PUBLISHED_PROJECTIONS = [
    {"study": "张心洁, 周绿林, 曾益, 生育政策调整对城乡居民医疗保险财政负担的影响研究, 湖北社会科学 2017(9)",
     "url": "https://www.fx361.cc/page/2017/1024/18406359.shtml", "scope": "Jiangsu, resident medical insurance",
     "finding": "actuarial model: without a change of fertility the fiscal cover of the fund's deficits grows with "
                "ageing to 2090; higher fertility lowers the cumulative burden (by 62.27 points at a 100% "
                "two-child intention)", "sibrisk_step": "total fertility 1.6 from 2025"},
    {"study": "张心洁, 曾益, 周绿林, 刘畅, 农村居民大病保险基金运行的可持续性研究 (2017)",
     "url": "https://m.fx361.cc/news/2017/0328/1317393.html", "scope": "five Jiangsu cities, rural (NCMS) funds",
     "finding": "current and then cumulative deficits of the sample funds within five years at the financing "
                "then in force", "sibrisk_step": "standards frozen at the 2026 notice"},
    {"study": "孙翎, 马晓玲, 申曙光, 城乡人口迁移对基本医疗保险统筹基金长期精算平衡的影响分析, 社会保障研究 2019(4)",
     "url": "https://m.fx361.com/news/2019/0806/17611364.html", "scope": "employee medical pooled fund (not this one)",
     "finding": "first current deficit 2036 (2041 with rural-urban migration)", "sibrisk_step": None},
]
# The walk below shows which assumptions move sibrisk's depletion year, and how much.
def depletion_year(ds):
    """First year whose year-end balance is below zero, or None."""
    below = np.flatnonzero(ds.fund_balance.values < 0)
    return int(ds.year.values[below[0]]) if len(below) else None


def walk_steps(sc) -> list[tuple[str, dict]]:
    """The alternatives of ``long_run_walk``: (label, scenario updates)."""
    hist = financing_history_growth()["total"]
    wage = list(sc.series("economy.wage_growth"))
    flat = [1.0] * len(AGES)
    return [
        ("default: standards indexed to the cost level from 2027", {}),
        ("standards frozen at the 2026 notice", {"financing.indexation": "frozen"}),
        ("standards +3.5% a year (the rule before 2026-12)", {"financing.indexation": "fixed"}),
        (f"standards at their 2019-2026 growth, {hist:.2%} a year",
         {"financing.indexation": "fixed", "financing.premium_growth": hist, "financing.subsidy_growth": hist}),
        ("standards at the cost level + 1.5 points (the ageing financed)", {"financing.indexation_margin": 0.015}),
        ("medical cost growth = wage growth from 2026",
         {"economy.medical_cost_growth": [g if y < 2026 else w for y, g, w in
                                          zip(sc.years, sc.series("economy.medical_cost_growth"), wage)]}),
        ("flat age-cost curve (no cost of ageing)", {"costs.relative_cost.male": flat,
                                                     "costs.relative_cost.female": flat}),
        ("total fertility 1.6 from 2025", {"population.tfr": 1.6}),
    ]


def long_run_walk(sc=None):
    """Depletion year, first year of a current deficit and balance months (current-year definition) in 2030,
    2035 and the last year, for the default and each alternative of ``walk_steps``: a pandas DataFrame."""
    import pandas as pd

    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("resident_medical_national")
    last = int(sc.years[-1])
    rows = []
    for label, up in walk_steps(sc):
        d = sibrisk.project(sc.with_updates(up) if up else sc, keep_detail=False)
        deficit = np.flatnonzero((d.total_income - d.total_expenditure).values < 0)
        months = {y: float(d.balance_months.sel(year=y)) for y in (2030, 2035, last)}
        rows.append({"assumption": label, "depletion_year": depletion_year(d),
                     "first_current_deficit": int(d.year.values[deficit[0]]) if len(deficit) else None,
                     "balance_months_2030": months[2030], "balance_months_2035": months[2035],
                     f"balance_months_{last}": months[last]})
    out = pd.DataFrame(rows)
    for c in ("depletion_year", "first_current_deficit"):
        out[c] = out[c].astype("Int64")
    return out


def solvency_margin(sc=None, tol: float = 1e-4) -> float:
    """The ``financing.indexation_margin`` (yearly growth of the standards above the cost level from 2027) that
    keeps the year-end balance at or above zero through the projection's last year, by bisection on [0, 0.1]."""
    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("resident_medical_national")

    def solvent(m):
        d = sibrisk.project(sc.with_updates({"financing.indexation": "cost", "financing.indexation_margin": m}),
                            keep_detail=False, indicators=False)
        return bool(np.all(d.fund_balance.values >= 0))

    lo, hi = 0.0, 0.1
    if solvent(lo):
        return 0.0
    if not solvent(hi):
        raise ValueError("not solvent even with the standards growing 10 points a year above the cost level")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if solvent(mid) else (mid, hi)
    return hi


# The published history before 2023 (NHSA bulletins as the press reprinted them; 亿元 and 万人). Not found in the
# reference corpus (searched 2026-12-07): the 2019 resident fund expenditure (the reprint of the 2019 bulletin is cut
# before it; the 2019 快报 gives the insured, 102,510 万, and the year-end balance, 5,061.82 亿元), and a 2018 figure
# on the 2019 basis (the 2018 快报, 新华社 2019-03-01, has the resident scheme 6,284.51 亿元 for 89,741 万 and the
# not-yet-merged rural scheme NCMS 818.22 亿元 for 13,038 万 separately).
PUBLISHED_BEFORE_2023 = {
    2020: {"total_expenditure": 9296.37 / 1.139 * YI, "insured": 101676 * WAN,
           "source": "DERIVED expenditure: the 2021 figure 9,296.37 / 1.139 (its published growth, rounded to 0.1 "
                     "point); insured 101,676 万: 人民日报海外版 (叶紫) on the NHSA 2020年全国医疗保障事业发展统计公报, "
                     "reprinted at http://52js.top/?id=118 (REPRINT)"},
    2021: {"total_income": 9724.48 * YI, "total_expenditure": 9296.37 * YI, "fund_balance": 6716.58 * YI,
           "insured": 100866 * WAN,
           "source": "人民日报海外版 2022-06-10 (叶紫) on the NHSA 2021年全国医疗保障事业发展统计公报, reprinted at "
                     "http://www.chinahightech.com/html/chany/swyy/2022/0610/5643213.html (REPRINT): 100,866 万, "
                     "income 9,724.48, expenditure 9,296.37 (+6.7%, +13.9%), balance 6,716.58"},
    2022: {"total_income": 10128.90 * YI, "total_expenditure": 9353.44 * YI, "fund_balance": 7534.13 * YI,
           "insured": 98349 * WAN,
           "source": "人民日报 2023-07-12 (孙秀艷) on the NHSA 2022年全国医疗保障事业发展统计公报, reprinted at "
                     "http://duocaiyimin.com/2023/0713/677710.shtml (REPRINT): 98,349 万, income 10,128.90 (+4.2%), "
                     "expenditure 9,353.44 (+0.6%), balance 7,534.13"},
}
# Years of the COVID-19 epidemic and its rebounds (2020 and late 2022 suppressed care; 2021 and 2023 caught up):
# growth per insured +14.8% (2021), +3.2% (2022), +14.2% (2023).
COVID_REBOUND_YEARS = (2021, 2023)
COVID_YEARS = (2021, 2022, 2023)


def expenditure_per_insured_history(first: int = 2023) -> dict:
    """{year: fund expenditure per year-end insured person, yuan} from the NHSA bulletins, ``first``..2025
    (PUBLISHED_BEFORE_2023, PUBLISHED_2024, PUBLISHED_OTHER): 802.7 (2020), 921.7, 951.0, 1,086.0, 1,125.7,
    1,133.4 元 (2025). The default, 2023, keeps the three years of the final bulletins at hand."""
    pubs = {**PUBLISHED_BEFORE_2023, 2023: PUBLISHED_OTHER[2023], 2024: PUBLISHED_2024, 2025: PUBLISHED_OTHER[2025]}
    if first not in pubs:
        raise ValueError(f"first year {first}: the history covers {min(pubs)}..{max(pubs)}")
    return {y: p["total_expenditure"] / p["insured"] for y, p in sorted(pubs.items()) if y >= first}


def history_growth_sd(exclude=(), first: int = 2020) -> float:
    """Sample s.d. (ddof 1) of the yearly growth of expenditure per insured person from ``first`` on, without the
    years ``exclude`` (e.g. ``COVID_REBOUND_YEARS``)."""
    h = expenditure_per_insured_history(first)
    ys = sorted(h)
    g = [h[b] / h[a] - 1.0 for a, b in zip(ys, ys[1:]) if b not in set(exclude)]
    if len(g) < 2:
        raise ValueError(f"fewer than two growth values left after excluding {tuple(exclude)}")
    return float(np.std(g, ddof=1))



def cost_growth_trend(first: int = 2020, last: int = 2025) -> dict:
    """Log-linear trend of fund expenditure per insured person, ``first``..``last`` (OLS of ln(expenditure per
    insured) on the year; s.e. by the delta method, residuals taken as independent). Measured 2020-2025: +7.27% a
    year, s.e. 1.1 points. The closest thing to a multi-year fit this fund allows: after the 2024 base year only
    2025 is published, three figures (insured, income, expenditure) that its three free parameters (participation,
    top-up, cost growth) meet exactly, so a least-squares fit of them would have no residual degree of freedom; the
    years before the base cannot be projected from the 2024 state. The trend measures the uncertainty of the future
    cost growth assumption instead (``projected_cost_growth``)."""
    from sibrisk.funds.common.backtest import log_linear_trend

    h = expenditure_per_insured_history(first)
    span = {y: v for y, v in h.items() if y <= last}
    if len(span) < 3:
        raise ValueError(f"{first}..{last}: need at least three years of history")
    return log_linear_trend(span)


def projected_cost_growth(sc=None, first: int = 2025, last: int = 2035) -> float:
    """Average yearly growth of expenditure per insured person in the projection of ``sc`` (default scenario),
    ``first``..``last`` (age mix and cost level together, as the history measures it)."""
    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("resident_medical_national")
    a = sibrisk.project(sc, keep_detail=False, indicators=False).average_benefit
    return float((a.sel(year=last) / a.sel(year=first)) ** (1.0 / (last - first)) - 1.0)

def cost_growth_volatility(sc=None, n: int = 200, seed: int = 1, years=(2026, 2035), first: int = 2023) -> dict:
    """The fan of cost growth against its published history: the s.d. (across ``n`` stochastic scenarios, averaged
    over ``years``) of the yearly growth of expenditure per insured around the deterministic path, and the s.d.
    of the published growth of expenditure per insured from ``first`` (default 2023: 2024 +3.65%, 2025 +0.69%,
    s.d. 2.1 points), plus the longer history 2020-2025 (``PUBLISHED_BEFORE_2023``): all five growths, without the
    rebound years 2021 and 2023, and without 2021-2023."""
    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("resident_medical_national")
    sim = sibrisk.simulate(sc, n, seed=seed, progress=False)
    det = sibrisk.project(sc, keep_detail=False, indicators=False)
    span = slice(years[0] - 1, years[1])
    g_sim = sim.average_benefit.sel(year=span).values
    g_det = det.average_benefit.sel(year=span).values
    dev = (g_sim[:, 1:] / g_sim[:, :-1]) - (g_det[1:] / g_det[:-1])
    hist = expenditure_per_insured_history(first)
    ys = sorted(hist)
    growth = np.array([hist[b] / hist[a] - 1.0 for a, b in zip(ys, ys[1:])])
    return {"simulated_sd": float(np.mean(np.std(dev, axis=0, ddof=1))), "history_sd": float(np.std(growth, ddof=1)),
            "history_growth": dict(zip(ys[1:], growth.tolist())), "n_scenarios": n, "years": years,
            "history_sd_2020_2025": history_growth_sd(), "history_sd_without_rebounds":
            history_growth_sd(COVID_REBOUND_YEARS), "history_sd_without_covid": history_growth_sd(COVID_YEARS)}


def sensitivity_variations(sc=None) -> dict:
    """The one-at-a-time variations of ``sensitivity_table`` (``sibrisk.sensitivity``): [low, high] per dotted
    parameter. ASSUMPTIONS, each a plausible band, not a probability: medical cost growth -/+ 1 point a year from 2026
    (about the s.e. of the 2020-2025 trend, ``cost_growth_trend``); financing: the top-up of the standards -/+ 5% and
    the indexation margin of the standards -/+ 1 point a year; participation -/+ 2%; the deposit yield 1% / 3%."""
    import sibrisk
    from sibrisk.sensitivity import path_from

    sc = sc if sc is not None else sibrisk.load_scenario("resident_medical_national")

    def shifted(path, d):
        return path_from(sc, path, 2026, add=d)

    part = float(sc.series("coverage.participation")[0])
    return {
        "economy.medical_cost_growth": [shifted("economy.medical_cost_growth", -0.01),
                                        shifted("economy.medical_cost_growth", 0.01)],
        "financing.top_up": [sc.financing.top_up * 0.95, sc.financing.top_up * 1.05],
        "financing.indexation_margin": [-0.01, 0.01],
        "coverage.participation": [part * 0.98, min(part * 1.02, 1.0)],
        "economy.interest_rate": [0.01, 0.03],
    }


def sensitivity_table(sc=None, horizon: int = 2040):
    """The one-at-a-time sensitivity of the default (or ``sc``) to ``sensitivity_variations``, balance months
    (current-year definition) in ``horizon``: ``sibrisk.sensitivity``'s table (``actuarial_balance`` NaN: a share
    of payroll, not defined for a scheme without a covered wage bill)."""
    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("resident_medical_national")
    return sibrisk.sensitivity(sc, sensitivity_variations(sc), horizon=horizon)


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
             .replace("@participation@", "0.9").replace("@cost_level@", "1000.0").replace("@top_up@", "1.0")
             .replace("@cost_growth_2025@", "0.0"))
    path.write_text(first, encoding="utf-8")
    cal = calibrate(load_scenario(path))
    share = cal["employee_share"]
    final = (text.replace("@employee_share_male@", _fmt(share[:, 0])).replace("@employee_share_female@", _fmt(share[:, 1]))
             .replace("@participation@", f"{cal['participation']:.6f}").replace("@cost_level@", f"{cal['cost_level']:.4f}")
             .replace("@top_up@", f"{cal['top_up']:.6f}"))
    path.write_text(final.replace("@cost_growth_2025@", "0.0"), encoding="utf-8")
    cal["cost_growth_2025"] = cost_growth_2025(load_scenario(path))
    path.write_text(final.replace("@cost_growth_2025@", f"{cal['cost_growth_2025']:.6f}"), encoding="utf-8")
    return cal


if __name__ == "__main__":  # pragma: no cover
    target = (Path(sys.argv[1]) if len(sys.argv) > 1 else
              Path(__file__).resolve().parents[4] / "scenarios" / "resident_medical_national.toml")
    cal = write_default_scenario(target)
    print(f"wrote {target}: w = {cal['w']:.4f}, r = {cal['r']:.4f}, participation = {cal['participation']:.4f}, "
          f"cost_level = {cal['cost_level']:.2f}, top_up = {cal['top_up']:.4f}, "
          f"cost growth 2025 = {cal['cost_growth_2025']:.4%}")
