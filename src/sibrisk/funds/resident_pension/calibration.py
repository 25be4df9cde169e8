"""How the shipped default scenario ``scenarios/resident_pension_national.toml`` was made: the published 2021 figures
it reproduces, the assumed coverage and account profiles, and the closed-form solutions of each calibrated
parameter (so that a test can re-derive them).

Run ``python -m sibrisk.funds.resident_pension.calibration`` to regenerate the scenario file. Everything here is a
modelling assumption except the published figures, which carry their sources.

Calibrated (each solves one published figure, in this order):

1. employee-scheme cohort profile (plateau E, cohort decline d): with the WPP population of 2021, the employee schemes
   hold 48,074万 participants of whom 13,157万 are past the employee retirement age (men 60, women 50 for 70% and 55
   for 30%, the enterprise scenario's mix): two equations, two unknowns (``employee_profile``);
2. take-up below and from age 60: 54,797万 participants, of whom 16,213万 beneficiaries (``takeups``);
3. local top-up: the base-year average pension (basic + account) is 179 yuan/month (``local_top_up``);
4. other expenditure share: benefit expenditure x (1 + share) = 3,715亿 (``other_expenditure_share``);
5. average contribution: contributions + subsidy + interest = 5,339亿 (``average_contribution``);
6. history growth of contributions (how much lower they were each year back to 2009): the accounts of participants
   below 60 at the end of 2021 equal the fund's 11,396亿 (ASSUMPTION: the accumulated balance is essentially the
   individual accounts) (``history_growth``);
7. the multi-year fit (``fit_multi_year``; FITTED values, with standard errors from the Jacobian): least squares of
   three free parameters, each acting from 2022 so that steps 1-6 keep 2021, to the five 2021 figures and the seven
   2022-2024 ``BACKTEST`` rows labelled "fit target" (participants 2022-2024, 2024 beneficiaries, income,
   expenditure, balance), each weighted by its sigma (``FIT_SIGMA``): the shift of working-age residents into the
   employee schemes (``coverage.employee_growth``: every cohort's employee share grows this much a year while below
   60, 2022-2035; with shares fixed by cohort the model's participants rose while the published ones fell), the local
   top-up from 2024 (provinces raised their own basic pensions; chiefly the 2024 expenditure of 5,321.6亿, China
   Statistical Yearbook 2025) and the 2022-2024 growth of the average contribution (chiefly 2024 income and balance;
   from 2025 ASSUMED 4%). The 2025 rows (MOHRSS 2025 bulletin) stay "out of sample". The generator first writes the
   base-year-only calibration (``BASE_YEAR_ONLY``: no shift, the 2021 top-up held, 4% growth) and fits on it.
   ``local_top_up_2024`` still solves the top-up from the 2024 expenditure alone (a check of the fitted one).
"""

from __future__ import annotations

import math
import sys
import textwrap
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from sibrisk.funds.common import statutory
from sibrisk.funds.resident_pension.parameters import AGE_MIN
from sibrisk.scenario import AGE_MAX

AGES = np.arange(AGE_MIN, AGE_MAX + 1)
BASE_YEAR = 2021

BULLETIN = ("MOHRSS, 2021年度人力资源和社会保障事业发展统计公报 (released 2022-06-07; verbatim text reprinted by 人民日报 "
            "2022-06-07), via /work/research/pensions.md section 1b")
QIUSHI = ("MOHRSS Party leadership group, Qiushi (English edition), 2022-07-12, https://en.qstheory.cn/2022-07/12/"
          "c_787974.htm: average resident pension 179 yuan/month in 2021")

# 亿元 = 1e8 yuan, 万人 = 1e4 persons
PUBLISHED_2021 = {
    "total_income": 5339e8,
    "total_expenditure": 3715e8,
    "fund_balance": 11396e8,
    "insured": 54797e4,
    "beneficiaries": 16213e4,
    "average_benefit_monthly": 179.0,
    "employee_participants": 48074e4,
    "employee_retirees": 13157e4,
    "source": f"{BULLETIN} (resident scheme: participants, beneficiaries, income, expenditure, balance; urban employee "
              f"scheme: participants and retirees); {QIUSHI}",
}

# ASSUMPTIONS (stated, not fitted)
ASSUMED = {
    "employee_reference_age": 30.0,   # cohorts older than this in 2021 were less often in the employee schemes
    "employee_entry_mean": 22.0,      # entry into the employee schemes ~ N(22, 3) by age
    "employee_entry_sd": 3.0,
    "female_cadre_share": 0.3,        # as the enterprise scenario: 30% of insured women retire at 55, 70% at 50
    "density": 0.8,                   # share of participants below 60 who pay in a year (about 1 in 5 suspend)
    "matching": 40.0,                 # yuan/year per contributor: >= 30 at the lowest tier, >= 60 from 500 yuan
    "interest_rate": 0.025,           # fund yield (balances held mostly as bank deposits)
    "history_crediting_rate": 0.04,   # average crediting of resident accounts 2009-2021
    "central_minimum_2021": 93.0,     # yuan/month, 2020-07 level held through 2021 (research notes §3a)
    "contribution_growth_from_2025": 0.04,  # after the fitted years, as the base-year-only default assumed
    "employee_growth_until": 2035,    # the fitted shift into the employee schemes continues through 2035, then stops
}

# ASSUMPTION: share of each age in full-time education (upper-secondary near universal to 18, tertiary about half of
# those aged 19-22, a tail into postgraduate study); students are outside the scheme. Same for both sexes.
STUDENT_SHARE = {16: 0.90, 17: 0.88, 18: 0.80, 19: 0.55, 20: 0.50, 21: 0.45, 22: 0.30, 23: 0.10, 24: 0.06, 25: 0.04}


def student_share() -> np.ndarray:
    s = np.array([STUDENT_SHARE.get(int(a), 0.0) for a in AGES])
    return np.repeat(s[:, None], 2, axis=1)


def base_population() -> np.ndarray:
    """(A, 2) population at ages 16..100+ at the end of 2021 (UN WPP 2022, ``sibrisk.demography.population``)."""
    from sibrisk.demography.population import base_stock

    return base_stock(BASE_YEAR)[AGE_MIN:]


def _employee_shape(decline: float) -> np.ndarray:
    ramp = 0.5 * (1 + np.vectorize(math.erf)((AGES + 0.5 - ASSUMED["employee_entry_mean"])
                                             / ASSUMED["employee_entry_sd"] / math.sqrt(2)))
    return ramp * np.exp(-decline * np.clip(AGES - ASSUMED["employee_reference_age"], 0, None))


def _past_employee_retirement_age() -> np.ndarray:
    """(A, 2) share of each cell past the pre-2025 employee retirement age (men 60; women 50 or 55 by group)."""
    out = np.zeros((len(AGES), 2))
    out[:, 0] = AGES >= 60
    w = ASSUMED["female_cadre_share"]
    out[:, 1] = (1 - w) * (AGES >= 50) + w * (AGES >= 55)
    return out


def employee_profile(pop: np.ndarray | None = None) -> tuple[float, float]:
    """(plateau E, cohort decline d) such that sum(e P) = 48,074万 and sum(e P past retirement age) = 13,157万,
    e(a) = E x ramp(a) x exp(-d max(a - 30, 0))."""
    pop = base_population() if pop is None else pop
    past = _past_employee_retirement_age()
    tot, ret = PUBLISHED_2021["employee_participants"], PUBLISHED_2021["employee_retirees"]

    def retirees_minus_target(d):
        shape = _employee_shape(d)[:, None] * pop
        plateau = tot / shape.sum()
        return plateau * (shape * past).sum() - ret

    d = brentq(retirees_minus_target, 0.0, 0.3)
    plateau = tot / (_employee_shape(d)[:, None] * pop).sum()
    return float(plateau), float(d)


def takeups(pop: np.ndarray, plateau: float, decline: float) -> tuple[float, float]:
    """(take-up below 60, take-up from 60): participants below 60 = 54,797万 - 16,213万, from 60 = 16,213万."""
    eligible = np.clip(1 - plateau * _employee_shape(decline)[:, None] - student_share(), 0, 1) * pop
    old = AGES >= 60
    working = PUBLISHED_2021["insured"] - PUBLISHED_2021["beneficiaries"]
    return float(working / eligible[~old].sum()), float(PUBLISHED_2021["beneficiaries"] / eligible[old].sum())


def history_accounts(history_contribution: float, density: float, growth: float) -> tuple[np.ndarray, np.ndarray]:
    """(k0 by age, account pension by age, yuan/year): the same construction as ``inputs.initial_accounts``."""
    months = float(statutory.payout_months(60))
    k0, ap0 = np.zeros(len(AGES)), np.zeros(len(AGES))
    for j, a in enumerate(AGES):
        birth = BASE_YEAR - a
        last, first = min(BASE_YEAR, birth + 59), max(2009, birth + AGE_MIN)
        acct = sum(history_contribution * (1 + growth) ** (y - BASE_YEAR) * density
                   * (1 + ASSUMED["history_crediting_rate"]) ** (last - y) for y in range(first, last + 1))
        if a < 60:
            k0[j] = acct
        else:
            ap0[j] = acct / months * 12
    return k0, ap0


def local_top_up(beneficiaries: np.ndarray, ap0: np.ndarray) -> float:
    """Top-up (yuan/month) with 93 + top-up + average account pension / 12 = 179 yuan/month."""
    avg_ap = float((beneficiaries.sum(axis=1) * ap0).sum() / beneficiaries.sum())
    return PUBLISHED_2021["average_benefit_monthly"] - ASSUMED["central_minimum_2021"] - avg_ap / 12


def other_expenditure_share() -> float:
    """Other expenditure / benefits: benefits = 16,213万 x 179 x 12 in the base year (year-end stock)."""
    benefits = PUBLISHED_2021["beneficiaries"] * PUBLISHED_2021["average_benefit_monthly"] * 12
    return PUBLISHED_2021["total_expenditure"] / benefits - 1


def opening_balance() -> float:
    """Balance on 1 January 2021 = published year-end balance - income + expenditure."""
    p = PUBLISHED_2021
    return p["fund_balance"] - p["total_income"] + p["total_expenditure"]


def average_contribution(contributors: float, basic_cost: float, matching: float, other: float, rate: float,
                         mid_year: bool = True, other_financed: float = 1.0) -> float:
    """Average contribution per contributor (yuan/year) such that base-year total income = 5,339亿.

    income = C + S + O i + (C + S - X) f with S = basic cost + matching + financed other, X = 3,715亿, f = (1+i)^0.5 - 1;
    solved for C and divided by the number of contributors.
    """
    f = (1 + rate) ** 0.5 - 1 if mid_year else 0.0
    x = PUBLISHED_2021["total_expenditure"]
    sub = basic_cost + matching + other_financed * other
    c = (PUBLISHED_2021["total_income"] - opening_balance() * rate + x * f) / (1 + f) - sub
    return c / contributors


def calibrate() -> dict:
    """Every calibrated value of the default scenario, re-derived from the published figures and ASSUMED."""
    pop = base_population()
    plateau, decline = employee_profile(pop)
    tw, tp = takeups(pop, plateau, decline)
    eligible = np.clip(1 - plateau * _employee_shape(decline)[:, None] - student_share(), 0, 1) * pop
    old = AGES >= 60
    participants = eligible * np.where(old, tp, tw)[:, None]
    beneficiaries = participants * old[:, None]
    contributors = participants[~old].sum() * ASSUMED["density"]
    share = other_expenditure_share()
    hist = 500.0
    below = participants * (~old)[:, None]
    for _ in range(100):  # the history contribution is the base-year contribution + matching: a fixed point
        growth = brentq(lambda g: (below.sum(axis=1) * history_accounts(hist, ASSUMED["density"], g)[0]).sum()
                        - PUBLISHED_2021["fund_balance"], -0.1, 1.0)
        k0, ap0 = history_accounts(hist, ASSUMED["density"], growth)
        top_up = local_top_up(beneficiaries, ap0)
        basic_cost = beneficiaries.sum() * 12 * (ASSUMED["central_minimum_2021"] + top_up)
        benefits = beneficiaries.sum() * 12 * PUBLISHED_2021["average_benefit_monthly"]
        avg = average_contribution(contributors, basic_cost, contributors * ASSUMED["matching"], share * benefits,
                                   ASSUMED["interest_rate"])
        new = avg + ASSUMED["matching"]
        if abs(new - hist) < 1e-9:
            break
        hist = new
    return {"employee_plateau": plateau, "employee_cohort_decline": decline, "takeup_working": tw,
            "takeup_pension": tp, "local_top_up": top_up, "other_expenditure_share": share,
            "average_contribution": avg, "history_contribution": hist, "history_growth": growth, "opening_balance": opening_balance(),
            "contributors": contributors, "basic_cost": basic_cost}


# Published figures after the 2021 base year (back-test). Each row: year, item, published value in its unit, the
# projection's variable and scale, the tolerance it is checked with, its use and its source. Use: "fit target" (a
# target of ``fit_multi_year``, in sample: not a back-test), "out of sample" (2025, kept out of the fit) or "derived
# check" (a figure derived from fit targets, shown but not fitted). Tolerances:
# 5% for head counts (published to the 万 person); 10% for flows and balances three or more years after the base year
# (the basic pension follows decisions the model takes as assumptions); 1% for 2024 expenditure (the fit's local
# top-up from 2024 is all but determined by it). No national resident-pension income,
# expenditure or balance of 2022 or 2023 was found in a citable copy (the MOHRSS 2022 and 2023 bulletins' text was not
# in the searchable stores), nor the split of 2024 income into contributions and subsidies.
YEARBOOK_2025 = ("China Statistical Yearbook 2025 (中国统计年鉴2025), table 24-27 分地区城乡居民基本养老保险情况 (2024), "
                 "national row: 参保人数 53,830.2 万人, 实际领取待遇人数 18,039.4 万人, 基金收入 7,287.0 亿元, 基金支出 "
                 "5,321.6 亿元, 累计结余 16,499.5 亿元 (https://www.stats.gov.cn/sj/ndsj/2025/indexch.htm; transcribed in "
                 "a public GitHub source file, constant YEARBOOK_2024_JU, fetched there 2026-09-22)")
BULLETIN_2025 = ("MOHRSS, 2025年度人力资源和社会保障事业发展统计公报 (released 2026-07-16), national resident pension: 实际领取"
                 "待遇人数 18,820 万人, 基金支出 6,223 亿元, 累计结存 19,774 亿元 (as quoted, constant MOHRSS_2025, in the "
                 "same public GitHub file as the 2024 yearbook row)")
BACKTEST = [
    {"year": 2022, "item": "participants (万人)", "published": 54952.0, "variable": "insured", "scale": 1e4,
     "tolerance": 0.05, "use": "fit target",
     "source": "derived: all basic pension participants 105,307 万 at end-2022 (2022年度国家老龄事业发展公报, Xinhua "
               "2023-12-14, http://m.ityetg.xyz/news/67d399930.html; en.people.cn/n3/2023/1214/c90000-20110590.html: "
               "'increase of 24.36 million') minus the urban employee participants 50,355 万 (derived in "
               "sibrisk.funds.enterprise_pension.calibration.BACKTEST from the NBS 2023 communiqué)"},
    {"year": 2023, "item": "participants (万人)", "published": 54522.0, "variable": "insured", "scale": 1e4,
     "tolerance": 0.05, "use": "fit target",
     "source": "derived: 54,126 万 at end-November 2024 after a fall of 396 万 in eleven months (数GO from MOHRSS "
               "data, NetEase 2024-12, https://c.m.163.com/news/a/JK8932MN0556A0XW.html)"},
    {"year": 2023, "item": "balance, year end (亿元), derived", "published": 14534.1, "variable": "fund_balance",
     "scale": 1e8, "tolerance": 0.05, "use": "derived check",
     "source": "DERIVED from the 2024 row of YEARBOOK_2025: 2024 year-end balance 16,499.5 - income 7,287.0 + "
               "expenditure 5,321.6 亿元 (ASSUMPTION: no other change to the balance in 2024). Not a fit target: it "
               "repeats the 2024 rows, but it shows the 2022-2023 accumulation (3,138亿 from the 2021 year end)"},
    {"year": 2024, "item": "participants (万人)", "published": 53830.2, "variable": "insured", "scale": 1e4,
     "tolerance": 0.05, "use": "fit target", "source": YEARBOOK_2025},
    {"year": 2024, "item": "beneficiaries (万人)", "published": 18039.4, "variable": "beneficiaries", "scale": 1e4,
     "tolerance": 0.05, "use": "fit target", "source": YEARBOOK_2025},
    {"year": 2024, "item": "income (亿元)", "published": 7287.0, "variable": "total_income", "scale": 1e8,
     "tolerance": 0.10, "use": "fit target", "source": YEARBOOK_2025},
    {"year": 2024, "item": "expenditure (亿元)", "published": 5321.6,
     "variable": "total_expenditure", "scale": 1e8, "tolerance": 0.01, "use": "fit target", "source": YEARBOOK_2025},
    {"year": 2024, "item": "balance, year end (亿元)", "published": 16499.5, "variable": "fund_balance", "scale": 1e8,
     "tolerance": 0.10, "use": "fit target", "source": YEARBOOK_2025},
    {"year": 2025, "item": "beneficiaries (万人)", "published": 18820.0, "variable": "beneficiaries", "scale": 1e4,
     "tolerance": 0.05, "use": "out of sample", "source": BULLETIN_2025},
    {"year": 2025, "item": "expenditure (亿元)", "published": 6223.0, "variable": "total_expenditure", "scale": 1e8,
     "tolerance": 0.10, "use": "out of sample", "source": BULLETIN_2025},
    {"year": 2025, "item": "balance, year end (亿元)", "published": 19774.0, "variable": "fund_balance", "scale": 1e8,
     "tolerance": 0.10, "use": "out of sample", "source": BULLETIN_2025},
]
# the largest tolerance of any row (rows carry their own)
BACKTEST_TOLERANCE = 0.10
EXPENDITURE_2024 = 5321.6e8  # yuan: YEARBOOK_2025, the 2024 local top-up's target


def backtest_value(row: dict, projection) -> float:
    """The projected value of one ``BACKTEST`` row in its units, from a projection of the resident pension."""
    return float(projection[row["variable"]].sel(year=row["year"])) / row["scale"]


def backtest_table(projection=None, rows=None):
    """Projected vs published figures for the years after 2021 (``BACKTEST``), from the shipped default (or the given
    projection). Returns a pandas DataFrame with each row's tolerance and whether the projection lands within it."""
    import sibrisk
    from sibrisk.funds.common.backtest import backtest_frame

    rows = BACKTEST if rows is None else rows
    if projection is None:
        projection = sibrisk.project(sibrisk.load_scenario("resident_pension_national"), keep_detail=False)
    return backtest_frame(rows, lambda b: backtest_value(b, projection))


def local_top_up_2024(scenario) -> float:
    """The local top-up (yuan/month) from 2024 that makes the 2024 expenditure of ``scenario`` the published 5,321.6
    亿元 (``EXPENDITURE_2024``), the 2021 top-up kept to 2023. Held at the 2021 value the projection paid 4,825亿 (-9.3%):
    provinces raised their own basic pensions on top of the central minimum."""
    t0 = float(scenario.series("benefits.local_top_up")[0])
    short = scenario.with_updates({"projection.years": 2024 - scenario.projection.base_year + 1})

    def gap(x):
        s = short.with_updates({"benefits.local_top_up": {int(scenario.projection.base_year): t0, 2024: float(x)}})
        import sibrisk

        return float(sibrisk.project(s, keep_detail=False).total_expenditure.sel(year=2024)) - EXPENDITURE_2024

    return float(brentq(gap, 0.0, 1000.0, xtol=1e-9))


# The multi-year fit (``fit_multi_year``): free parameters, their starting values, bounds and the targets with the
# relative sigma each is weighted by (residual = (projected / published - 1) / sigma). The 2021 figures are fitted by
# the base-year calibration (steps 1-6) and stay targets, untouched by the free parameters (all act from 2022); the
# later targets are the BACKTEST rows whose use is "fit target" (2022-2024); the 2025 rows stay out of sample.
FIT_PARAMETERS = ("employee_growth", "local_top_up_2024", "contribution_growth")
FIT_START = (0.01, 100.0, 0.04)
FIT_BOUNDS = ([-0.05, 0.0, -0.1], [0.1, 400.0, 0.3])
# the base-year-only calibration: employee shares fixed by cohort, the 2021 top-up held, contributions +4% a year
# (ASSUMPTION of the base-year default)
BASE_YEAR_ONLY = (0.0, None, 0.04)
FIT_SIGMA = {"insured": 0.005, "beneficiaries": 0.005, "total_income": 0.01, "total_expenditure": 0.01,
             "fund_balance": 0.01}
FIT_TARGETS = [
    {"year": 2021, "item": "participants (万人)", "published": 54797.0, "variable": "insured", "scale": 1e4},
    {"year": 2021, "item": "beneficiaries (万人)", "published": 16213.0, "variable": "beneficiaries", "scale": 1e4},
    {"year": 2021, "item": "income (亿元)", "published": 5339.0, "variable": "total_income", "scale": 1e8},
    {"year": 2021, "item": "expenditure (亿元)", "published": 3715.0, "variable": "total_expenditure", "scale": 1e8},
    {"year": 2021, "item": "balance, year end (亿元)", "published": 11396.0, "variable": "fund_balance", "scale": 1e8},
]
FIT_TARGETS = ([dict(t, source=PUBLISHED_2021["source"], sigma=FIT_SIGMA[t["variable"]]) for t in FIT_TARGETS]
               + [dict(b, sigma=FIT_SIGMA[b["variable"]]) for b in BACKTEST if b["use"] == "fit target"])


def fit_updates(sc, x) -> dict:
    """Scenario updates for the free parameters ``x`` (in ``FIT_PARAMETERS`` order; a ``None`` top-up holds the
    2021 one): ``coverage.employee_growth`` (from 2022), ``benefits.local_top_up`` from 2024,
    and ``contributions.growth`` (2022-2024; from 2025 the ASSUMED rate); the employee shares grow through
    ``ASSUMED["employee_growth_until"]``."""
    base = int(sc.projection.base_year)
    t0 = float(sc.series("benefits.local_top_up")[0])
    g, top, cg = x
    return {"coverage.employee_growth": float(g),
            "benefits.local_top_up": {base: t0, 2024: float(t0 if top is None else top)},
            "contributions.growth": {base: float(cg), 2025: ASSUMED["contribution_growth_from_2025"]},
            "coverage.employee_growth_until": int(ASSUMED["employee_growth_until"])}


def _project_short(sc, last_year: int):
    import sibrisk

    return sibrisk.project(sc.with_updates({"projection.years": last_year - sc.projection.base_year + 1}),
                           keep_detail=False)


def fit_multi_year(scenario=None, targets=None, start=None):
    """Least-squares fit (scipy.optimize.least_squares) of ``FIT_PARAMETERS`` to ``FIT_TARGETS`` (2021 and the
    2022-2024 fit targets of ``BACKTEST``) on ``scenario`` (default: the shipped default), within ``FIT_BOUNDS``.

    Returns ``(values, table)``: ``values`` maps each parameter to ``(value, standard error)``, the standard errors
    from the Jacobian at the solution, cov = (J'J)^-1 x max(1, chi2 / (m - n)) (the sigmas taken as the targets'
    standard deviations, inflated where the fit is worse than they say); ``table`` has each target with its published
    value, sigma, the projection of the base-year-only calibration (``BASE_YEAR_ONLY``), the fitted one and both
    weighted residuals."""
    import pandas as pd
    from scipy.optimize import least_squares

    import sibrisk

    sc = scenario if scenario is not None else sibrisk.load_scenario("resident_pension_national")
    targets = FIT_TARGETS if targets is None else targets
    last = max(t["year"] for t in targets)
    published = np.array([t["published"] for t in targets])
    sigma = np.array([t["sigma"] for t in targets])

    def projected(x):
        ds = _project_short(sc.with_updates(fit_updates(sc, x)), last)
        return np.array([backtest_value(t, ds) for t in targets])

    def residuals(x):
        return (projected(x) / published - 1) / sigma

    start = FIT_START if start is None else start
    x_scale = np.array([0.01, 10.0, 0.01])
    fit = least_squares(residuals, np.asarray(start, dtype=float), bounds=FIT_BOUNDS, diff_step=1e-4,
                        x_scale=x_scale, xtol=1e-10, ftol=1e-10)
    dof = max(len(published) - len(fit.x), 1)
    chi2 = float(fit.fun @ fit.fun)
    cov = np.linalg.pinv(fit.jac.T @ fit.jac) * max(1.0, chi2 / dof)
    se = np.sqrt(np.diag(cov))
    before, after = projected(BASE_YEAR_ONLY), projected(fit.x)
    table = pd.DataFrame({"year": [t["year"] for t in targets], "item": [t["item"] for t in targets],
                          "published": published, "sigma": sigma, "2021 only": before.round(1),
                          "fitted": after.round(1), "residual 2021 only": (before / published - 1) / sigma,
                          "residual fitted": (after / published - 1) / sigma})
    values = {k: (float(v), float(e)) for k, v, e in zip(FIT_PARAMETERS, fit.x, se)}
    return values, table


def _fmt(values: np.ndarray) -> str:
    vals = [f"{v:.6g}" for v in values]
    return "[\n" + "\n".join("  " + ", ".join(vals[i:i + 10]) + "," for i in range(0, len(vals), 10)) + "\n]"


def write_default_scenario(path: Path) -> None:
    cal = calibrate()
    template = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    stud = student_share()
    repl = {
        "@employee_plateau@": f"{cal['employee_plateau']:.10g}",
        "@employee_cohort_decline@": f"{cal['employee_cohort_decline']:.10g}",
        "@takeup_working@": f"{cal['takeup_working']:.10g}",
        "@takeup_pension@": f"{cal['takeup_pension']:.10g}",
        "@local_top_up@": f"{cal['local_top_up']:.10g}",
        "@other_expenditure_share@": f"{cal['other_expenditure_share']:.10g}",
        "@average_contribution@": f"{cal['average_contribution']:.10g}",
        "@history_contribution@": f"{cal['history_contribution']:.10g}",
        "@history_growth@": f"{cal['history_growth']:.10g}",
        "@opening@": f"{cal['opening_balance']:.6e}",
        "@student_male@": _fmt(stud[:, 0]), "@student_female@": _fmt(stud[:, 1]),
    }
    for k, v in ASSUMED.items():
        repl[f"@{k}@"] = f"{v:g}"
    text = template
    for k, v in repl.items():
        text = text.replace(k, v)
    fitted_keys = ("@employee_growth@", "@contribution_growth@", "@local_top_up_2024@", "@fit_note@")
    leftover = [w for w in text.split() if w.startswith("@") and w.endswith("@") and w not in fitted_keys]
    if leftover:
        raise RuntimeError(f"unfilled placeholders {leftover}")

    def fill(g, top, cg, note):
        return (text.replace("@employee_growth@", f"{g:.10g}").replace("@local_top_up_2024@", f"{top:.10g}")
                .replace("@contribution_growth@", f"{cg:.10g}").replace("@fit_note@", note))

    # first the base-year-only calibration (BASE_YEAR_ONLY), then the multi-year fit on it (``fit_multi_year``)
    path.write_text(fill(0.0, cal["local_top_up"], BASE_YEAR_ONLY[2], ""), encoding="utf-8")
    from sibrisk.scenario import load_scenario

    values, _ = fit_multi_year(load_scenario(path))
    (g, g_se), (top, top_se), (cg, cg_se) = (values[k] for k in FIT_PARAMETERS)
    note = (f"FITTED (sibrisk.funds.resident_pension.calibration.fit_multi_year, least squares to 2021-2024, s.e. from "
            f"the Jacobian): employee_growth {g:.4f} (s.e. {g_se:.4f}), local top-up from 2024 {top:.2f} yuan/month "
            f"(s.e. {top_se:.2f}), contribution growth {cg:.4f} (s.e. {cg_se:.4f}).")
    note = textwrap.fill(note, width=114).replace("\n", "\n# ")
    path.write_text(fill(g, top, cg, note), encoding="utf-8")

if __name__ == "__main__":  # pragma: no cover
    target = (Path(sys.argv[1]) if len(sys.argv) > 1 else
              Path(__file__).resolve().parents[4] / "scenarios" / "resident_pension_national.toml")
    write_default_scenario(target)
    print(f"wrote {target}")
