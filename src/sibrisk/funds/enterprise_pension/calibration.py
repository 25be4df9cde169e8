"""How the shipped default scenario was made: assumed age profiles and the base-year calibration.

Run ``python -m sibrisk.funds.enterprise_pension.calibration`` to regenerate ``scenarios/enterprise_pension_national.toml``.
Everything here is a modelling assumption except the published totals, which carry their sources in the file.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from sibrisk.demography import lifetable
from sibrisk.funds.common import statutory as policy
from sibrisk.funds.enterprise_pension.parameters import AGE_MIN
from sibrisk.scenario import AGE_MAX

AGES = np.arange(AGE_MIN, AGE_MAX + 1)

# Published 2021 national totals of the urban employee basic pension (城镇职工基本养老保险 = the enterprise scheme AND the
# public-sector scheme together), MOHRSS 2021年度人力资源和社会保障事业发展统计公报 (released 2022-06-07; verbatim
# text reprinted by 人民日报 2022-06-07, /work/research/pensions.md section 1b). 亿元 = 1e8 yuan, 万人 = 1e4 persons.
URBAN_EMPLOYEE_2021 = {
    "total_income": 60455e8,
    "benefit_expenditure": 56481e8,
    "fund_balance": 52574e8,
    "contributors": 34917e4,
    "beneficiaries": 13157e4,
    "participants": 48074e4,
    "source": "MOHRSS, 2021年度人力资源和社会保障事业发展统计公报 (urban employee basic pension, enterprise and "
              "public sector schemes together)",
}
SPLIT_KEYS = ("total_income", "benefit_expenditure", "fund_balance", "contributors", "beneficiaries", "participants")

# What is published about the enterprise scheme alone in 2021 (/work/research/pensions.md sections 1b, 4b).
ENTERPRISE_PARTICIPANTS_2021 = 42228e4  # 执行企业制度参保人数, same MOHRSS 2021 bulletin (workers + retirees)
ENTERPRISE_INCOME_2021_ROUNDED = 4.4e12  # "4.4 trillion yuan", Qi Tao (MOHRSS), SCIO press conference 2022-09-02
ENTERPRISE_EXPENDITURE_2021_ROUNDED = 4.1e12  # "the payment 4.1 trillion yuan", same transcript
ENTERPRISE_BALANCE_2021_RANGE = (4.8e12, 5.1e12)  # MOF vice-minister Yu Weiping 2022-02-22 (end-2021, preliminary);
#                                                   Qi Tao 2022-09-02 ("5.1 trillion", reference date not stated)
ENTERPRISE_CENTRAL_SUBSIDY_2021_LOWER = 6.0e11  # "more than 600 billion yuan", Yu Weiping, SCIO 2022-02-22
ENTERPRISE_AVERAGE_PENSION_2021 = 2987.0  # 元/月, average enterprise-retiree pension 2021, MOHRSS Party group, Qiushi
#                                          (English ed.) 2022-07-12, https://en.qstheory.cn/2022-07/12/c_787974.htm

# The enterprise scheme's 2021 base year: ASSUMPTION where a figure is only rounded or ranged (reasons beside each).
_ent_retirees = round(ENTERPRISE_EXPENDITURE_2021_ROUNDED / (12 * ENTERPRISE_AVERAGE_PENSION_2021) / 1e4) * 1e4
ENTERPRISE_2021 = {
    # ASSUMPTION: the midpoints of the rounded official figures (4.4 tn covers 43,500-44,499 亿, 4.1 tn 40,500-41,499)
    "total_income": 44000e8,
    "benefit_expenditure": 41000e8,
    # ASSUMPTION: the MOF figure dated end-2021 (4.8 tn, "more than 14 months": 48,000 / (41,000/12) = 14.0); the
    # MOHRSS 5.1 tn was stated in September 2022 without a date and is read as a later (mid-2022) stock
    "fund_balance": 48000e8,
    # ASSUMPTION (not published by scheme): enterprise retirees = expenditure / (12 x the published average
    # enterprise pension 2,987 元/月), rounded to 万 (the expenditure also pays funeral and survivor grants, so this
    # slightly overstates retirees); contributors = the published enterprise participants minus these retirees
    "beneficiaries": _ent_retirees,
    "contributors": ENTERPRISE_PARTICIPANTS_2021 - _ent_retirees,
    "participants": ENTERPRISE_PARTICIPANTS_2021,
    # ASSUMPTION: fiscal subsidy income 6,500 亿: above the published central lower bound (more than 6,000 亿) to
    # allow for local budgets' subsidies, and at the about 650 billion reported for the central subsidy in 2022
    "fiscal_subsidy": 6500e8,
    "source": "MOHRSS 2021 bulletin (执行企业制度参保人数 42,228 万); Qi Tao (MOHRSS), SCIO press conference 2022-09-02 "
              "(income 4.4 tn, expenditure 4.1 tn); Yu Weiping (MOF), SCIO 2022-02-22 (balance 4.8 tn end-2021, central "
              "subsidy more than 600 bn); Qiushi 2022-07-12 (average enterprise pension 2,987 元/月); rounded or "
              "ranged figures resolved by the ASSUMPTIONS in sibrisk.funds.enterprise_pension.calibration",
}
# The public-sector scheme (机关事业单位基本养老保险) is the rest of the urban employee totals, so that the two schemes'
# base years add up exactly to the published totals. Derived (C), not published.
PUBLIC_SECTOR_2021 = {k: URBAN_EMPLOYEE_2021[k] - ENTERPRISE_2021[k] for k in SPLIT_KEYS}
PUBLIC_SECTOR_2021["source"] = ("urban employee totals (MOHRSS 2021 bulletin) minus the enterprise scheme's 2021 "
                                "figures (sibrisk.funds.enterprise_pension.calibration.ENTERPRISE_2021)")
# what the enterprise default scenario is calibrated to (the name the tests and notebooks read)
PUBLISHED_2021 = ENTERPRISE_2021

# Published figures after the 2021 base year that the default projections are checked against (back-test). Only
# rounded or derived figures are public for the enterprise scheme alone; each carries its source, how it was read and
# the tolerance it is checked with: 10% for figures published as "about" / "nearly" (they carry about +-5% themselves),
# 5% for counts and for totals rounded to 0.1 trillion. Scopes: "enterprise" (this scheme), "urban_employee"
# (enterprise + public-sector schemes, the MOHRSS 城镇职工基本养老保险 line), "three_funds" (MOHRSS 三项社会保险基金:
# the urban employee and resident pensions, unemployment and work injury insurance; the four national defaults).
BACKTEST = [
    {"year": 2022, "item": "enterprise fiscal subsidy (亿元)", "published": 6500.0, "scope": "enterprise",
     "variable": "fiscal_subsidy", "scale": 1e8, "tolerance": 0.10,
     "source": "central fiscal subsidy to the enterprise scheme 'about 650 billion yuan' in 2022 (Xinhua 2022-08-25, "
               "quoting MOHRSS); rounded, central subsidy only"},
    {"year": 2023, "item": "enterprise fund balance, year end (亿元)", "published": 60000.0, "scope": "enterprise",
     "variable": "fund_balance", "scale": 1e8, "tolerance": 0.10,
     "source": "'nearly 6 trillion yuan' at the end of 2023 (Hou Junming, MOF, SCIO 2024-02-01; China News Service "
               "reprint https://www.tellerreport.com/business/2024-02-01-ministry-of-finance--pensions-can-be-"
               "guaranteed-to-be-paid-out-in-full-and-on-time.BkxpjNcd9p.html); an upper bound read as 60,000"},
    {"year": 2022, "item": "urban employee pension participants (万人)", "published": 50355.0, "scope": "urban_employee",
     "variable": "participants", "scale": 1e4, "tolerance": 0.05,
     "source": "derived: 52,121 at end-2023 minus the 2023 increase of 1,766 (NBS 2023 statistical communiqué, Shine "
               "2024-03-08, https://www.shine.cn/biz/economy/2403089725/)"},
    {"year": 2023, "item": "urban employee pension participants (万人)", "published": 52121.0, "scope": "urban_employee",
     "variable": "participants", "scale": 1e4, "tolerance": 0.05,
     "source": "NBS 2023 statistical communiqué (Shine 2024-03-08, https://www.shine.cn/biz/economy/2403089725/)"},
    {"year": 2022, "item": "urban employee retirees (万人)", "published": 13644.0, "scope": "urban_employee",
     "variable": "beneficiaries", "scale": 1e4, "tolerance": 0.05,
     "source": "derived: 14,196 at end-2023 minus the 2023 increase of 552 (数GO from MOHRSS data, NetEase 2024-12, "
               "https://c.m.163.com/news/a/JK8932MN0556A0XW.html)"},
    {"year": 2023, "item": "urban employee retirees (万人)", "published": 14196.0, "scope": "urban_employee",
     "variable": "beneficiaries", "scale": 1e4, "tolerance": 0.05,
     "source": "城镇职工离退休人员 14,196 万 at end-2023 (数GO from MOHRSS data, NetEase 2024-12, "
               "https://c.m.163.com/news/a/JK8932MN0556A0XW.html)"},
    {"year": 2022, "item": "three social insurance funds: income (亿元)", "published": 71000.0, "scope": "three_funds",
     "variable": "total_income", "scale": 1e8, "tolerance": 0.05,
     "source": "'7.1 trillion yuan' (Qi Tao, MOHRSS, Xinhua 2023-01-22, reprint https://www.tellerreport.com/business/"
               "2023-01-22-the-number-of-people-participating-in-the-national-basic-pension-insurance-reached-1-05-"
               "billion.SyBdocscis.html); rounded to 0.1 trillion"},
    {"year": 2022, "item": "three social insurance funds: expenditure (亿元)", "published": 66000.0,
     "scope": "three_funds", "variable": "total_expenditure", "scale": 1e8, "tolerance": 0.05,
     "source": "'6.6 trillion yuan', same source; rounded to 0.1 trillion"},
    {"year": 2022, "item": "three social insurance funds: balance, year end (亿元)", "published": 74000.0,
     "scope": "three_funds", "variable": "fund_balance", "scale": 1e8, "tolerance": 0.05,
     "source": "'7.4 trillion yuan', same source; rounded to 0.1 trillion"},
    {"year": 2023, "item": "three social insurance funds: income (亿元)", "published": 79000.0, "scope": "three_funds",
     "variable": "total_income", "scale": 1e8, "tolerance": 0.05,
     "source": "7.9 trillion yuan 'according to the statistics of MOHRSS' (newsflash.city 2024-02, "
               "https://newsflash.city/2402/3df78fa714934224.html; the reprint drops the decimal points: '79 trillion')"},
    {"year": 2023, "item": "three social insurance funds: expenditure (亿元)", "published": 71000.0,
     "scope": "three_funds", "variable": "total_expenditure", "scale": 1e8, "tolerance": 0.05,
     "source": "7.1 trillion yuan, same source ('71 trillion' in the reprint)"},
    {"year": 2023, "item": "three social insurance funds: balance, year end (亿元)", "published": 82400.0,
     "scope": "three_funds", "variable": "fund_balance", "scale": 1e8, "tolerance": 0.05,
     "source": "8.24 trillion yuan, same source ('8 at the end of the year24 trillion' in the reprint)"},
]
# the largest tolerance of any row (rows carry their own)
BACKTEST_TOLERANCE = 0.10
THREE_FUNDS = ("enterprise_pension", "public_sector_pension", "resident_pension", "unemployment", "work_injury")


def _default_projection(fund: str):
    import sibrisk

    return sibrisk.project(sibrisk.load_scenario(f"{fund}_national"), keep_detail=False)


def backtest_value(row: dict, projections: dict) -> float:
    """The projected value of one ``BACKTEST`` row in its units, from ``projections`` {fund: dataset} (the funds of
    the row's scope). Participants = contributing + non-contributing insured workers + retirees."""
    funds = {"enterprise": ("enterprise_pension",),
             "urban_employee": ("enterprise_pension", "public_sector_pension"),
             "three_funds": THREE_FUNDS}[row["scope"]]
    total = 0.0
    for f in funds:
        d = projections[f].sel(year=row["year"])
        if row["variable"] == "participants":
            total += float(d.contributors + d.insured_not_contributing + d.beneficiaries)
        else:
            total += float(d[row["variable"]])
    return total / row["scale"]


def backtest_table(enterprise=None, public_sector=None, others: dict | None = None, rows=None):
    """Projected vs published figures for the years after 2021 (``BACKTEST``), from the shipped default scenarios (or
    the given projections; ``others`` {fund: dataset} for the resident pension, unemployment and work injury).
    Returns a pandas DataFrame with each row's tolerance and whether the projection lands within it."""
    from sibrisk.funds.common.backtest import backtest_frame

    rows = BACKTEST if rows is None else rows
    proj = dict(others or {})
    proj["enterprise_pension"] = enterprise if enterprise is not None else _default_projection("enterprise_pension")
    if public_sector is not None:
        proj["public_sector_pension"] = public_sector
    needed = {f for r in rows for f in {"enterprise": (), "urban_employee": ("public_sector_pension",),
                                        "three_funds": THREE_FUNDS}[r["scope"]]}
    for f in needed - set(proj):
        proj[f] = _default_projection(f)
    return backtest_frame(rows, lambda b: backtest_value(b, proj))


# Multi-year fit: the enterprise figures of 2021-2023 that the two free base-year parameters move, each with the
# relative uncertainty of the published figure (its rounding or its 'about'): residual = (projected / published - 1)
# / sigma. 2021 income is the base-year calibration target (4.4 trillion, rounded to 0.1 trillion: +-1.1%); the 2021
# subsidy is only a lower bound (more than 6,000 亿) and is left out. No enterprise figure of 2024 is published in a
# form found here (the MOHRSS 2024 bulletin's urban employee lines and the MOF 2022-2024 final accounts' enterprise
# lines 保险费收入 / 财政补贴收入 were not found in a citable copy).
FIT_TARGETS = [
    {"year": 2021, "item": "enterprise total income (亿元)", "published": 44000.0, "scope": "enterprise",
     "variable": "total_income", "scale": 1e8, "sigma": 0.011, "source": ENTERPRISE_2021["source"]},
] + [dict(b, sigma={0.10: 0.05, 0.05: 0.007}[b["tolerance"]]) for b in BACKTEST
     if b["scope"] in ("enterprise", "three_funds")]
FIT_PARAMETERS = ("economy.collection_rate", "subsidy.share")


def fit_multi_year(scenario=None, parameters=FIT_PARAMETERS, targets=None):
    """Least-squares fit (scipy.optimize.least_squares) of the enterprise default's free parameters (collection rate,
    subsidy share of expenditure) to the 2021-2023 figures of ``FIT_TARGETS``, instead of the 2021 base year alone.
    The other funds of a target's scope keep their shipped defaults. Returns ``(values, table)``: the fitted value of
    each parameter, and each target with its published value, the projection with the 2021-only calibration and the
    fitted one, and the weighted residuals."""
    import pandas as pd
    from scipy.optimize import least_squares

    import sibrisk

    sc = scenario if scenario is not None else sibrisk.load_scenario("enterprise_pension_national")
    targets = FIT_TARGETS if targets is None else targets
    others = {f: _default_projection(f) for f in THREE_FUNDS[1:]
              if any(t["scope"] == "three_funds" for t in targets)}
    if any(t["scope"] == "urban_employee" for t in targets) and "public_sector_pension" not in others:
        others["public_sector_pension"] = _default_projection("public_sector_pension")
    start = np.array([float(sc.series(p)[0]) for p in parameters])

    def projected(x):
        s = sc.with_updates({p: float(v) for p, v in zip(parameters, x)})
        proj = dict(others, enterprise_pension=sibrisk.project(s, keep_detail=False, indicators=False))
        return np.array([backtest_value(t, proj) for t in targets])

    published = np.array([t["published"] for t in targets])
    sigma = np.array([t["sigma"] for t in targets])

    def residuals(x):
        return (projected(x) / published - 1) / sigma

    fit = least_squares(residuals, start, x_scale=np.abs(start), diff_step=1e-4)
    before, after = projected(start), projected(fit.x)
    table = pd.DataFrame({"year": [t["year"] for t in targets], "item": [t["item"] for t in targets],
                          "published": published, "sigma": sigma, "2021 only": before.round(1),
                          "fitted": after.round(1), "residual 2021 only": (before / published - 1) / sigma,
                          "residual fitted": (after / published - 1) / sigma})
    return dict(zip(parameters, fit.x)), table


# ASSUMPTION: new contributors a year of the urban employee scheme as a whole (the previous default's table); the
# enterprise scheme takes its 2021 share of contributors (the public sector's entrants follow its staffing quota).
URBAN_EMPLOYEE_ENTRANTS = {2021: 16.0e6, 2025: 12.0e6, 2030: 9.0e6, 2035: 7.5e6, 2040: 6.5e6}


def enterprise_entrants() -> dict[int, float]:
    share = ENTERPRISE_2021["contributors"] / URBAN_EMPLOYEE_2021["contributors"]
    return {y: round(v * share, -4) for y, v in URBAN_EMPLOYEE_ENTRANTS.items()}


def _entry_cdf(mean: float, sd: float) -> np.ndarray:
    z = (AGES + 0.5 - mean) / sd
    cdf = 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    return cdf - cdf[0] * (1 - (AGES - AGE_MIN) / (AGES[-1] - AGE_MIN))  # nobody enters before 16


def assumed_profiles(base_year: int = 2021, *, table: str = "cl2010_2013", male_col: str = "cl1_nonpension1_male",
                     female_col: str = "cl2_nonpension1_female", entry_mean: float = 23.0, entry_sd: float = 4.0,
                     female_cadre_share: float = 0.3, retiree_coverage_decline: float = 0.03) -> dict[str, np.ndarray]:
    """Age profiles (ages 16..100, male/female columns) of contributors, retirees and entrants: a modelling assumption.

    Contributors: entered by age (normal entry ages, mean ``entry_mean``), survived on the base table, not yet at the
    pre-2025 statutory retirement age. Retirees: survived and past that age, with coverage falling by
    ``retiree_coverage_decline`` per year of age above the retirement age (older cohorts were less often insured).
    Entrants: the entry-age density. Shapes only; totals come from the published figures.
    """
    out = {"contributors": np.zeros((len(AGES), 2)), "retirees": np.zeros((len(AGES), 2)),
           "entrants": np.zeros((len(AGES), 2))}
    entered = np.clip(_entry_cdf(entry_mean, entry_sd), 0, 1)
    density = np.diff(np.concatenate([[0.0], entered]))
    density[AGES > 45] = 0.0
    for s, (col, groups) in enumerate([(male_col, {"male": 1.0}),
                                       (female_col, {"female_worker": 1 - female_cadre_share,
                                                     "female_cadre": female_cadre_share})]):
        q = lifetable.qx(table, col, AGES)
        surv = np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
        retired = np.zeros(len(AGES))
        for g, w in groups.items():
            for j, a in enumerate(AGES):
                retired[j] += w * policy.cumulative_retired_share(g, base_year - a, base_year, reform=False)
        years_past = np.zeros(len(AGES))
        for g, w in groups.items():
            ra = policy.RETIREMENT_RULES[g][0]
            years_past += w * np.clip(AGES - ra, 0, None)
        out["contributors"][:, s] = entered * surv * (1 - retired)
        out["retirees"][:, s] = entered * surv * retired * np.exp(-retiree_coverage_decline * years_past)
        out["entrants"][:, s] = density
    return out


def calibrated_subsidy_share(contribution: float, expenditure: float, opening: float, rate: float,
                             target_income: float, mid_year: bool = True) -> float:
    """Share of expenditure that makes base-year total income (contributions + subsidy + interest) equal the target.

    total = C + sX + O i + (C + sX - X) f, with f = (1+i)^0.5 - 1 for mid-year flows, solved for s.
    """
    f = (1 + rate) ** 0.5 - 1 if mid_year else 0.0
    return (target_income - contribution * (1 + f) - opening * rate + expenditure * f) / (expenditure * (1 + f))


def calibrated_collection_rate(contribution: float, collection: float, expenditure: float, opening: float,
                               rate: float, target_income: float, target_subsidy: float, mid_year: bool = True) -> float:
    """Collection rate at which base-year contributions leave exactly ``target_subsidy`` to reach ``target_income``.

    Contributions are proportional to the collection rate (``contribution`` was computed at ``collection``). From
    total = C + S + O i + (C + S - X) f:  C* = (total - O i + X f) / (1 + f) - S*.
    """
    f = (1 + rate) ** 0.5 - 1 if mid_year else 0.0
    wanted = (target_income - opening * rate + expenditure * f) / (1 + f) - target_subsidy
    return collection * wanted / contribution


# ASSUMPTIONS of the contribution base (reasons in the template's [contributions] note): the effective base is 65% of
# the non-private average wage in 2021, on declared wages with log standard deviation 0.5 bounded to 60%-300% of the
# 全口径 average wage (0.8 x the non-private average)
EFFECTIVE_BASE_RATIO_2021 = 0.65
WAGE_DISPERSION = 0.5
FULL_SCOPE_WAGE_RATIO = 0.8
BASE_BOUNDS = (0.6, 3.0)


def mean_declared_wage_ratio(effective: float = EFFECTIVE_BASE_RATIO_2021, dispersion: float = WAGE_DISPERSION,
                             bounds: tuple[float, float] = BASE_BOUNDS, full_scope: float = FULL_SCOPE_WAGE_RATIO) -> float:
    """Mean declared wage / average wage at which the bounded base E[clip(W, lo, hi)] equals ``effective``
    (``inputs.effective_base_ratio``; bounds x ``full_scope``), solved with scipy's brentq."""
    from scipy.optimize import brentq

    from sibrisk.funds.enterprise_pension.inputs import effective_base_ratio

    lo, hi = (np.array([b * full_scope]) for b in bounds)
    sd = np.array([dispersion])
    return float(brentq(lambda m: effective_base_ratio(m, lo, hi, sd)[0] - effective, 1e-3, 10.0, xtol=1e-12))


def _fmt(values: np.ndarray) -> str:
    vals = [f"{v:.6g}" for v in values]
    lines = []
    for i in range(0, len(vals), 10):
        lines.append("  " + ", ".join(vals[i:i + 10]) + ",")
    return "[\n" + "\n".join(lines) + "\n]"


def _table(values: dict[int, float]) -> str:
    return "{ " + ", ".join(f"{y} = {v:.1f}" for y, v in values.items()) + " }"


def write_default_scenario(path: Path) -> None:
    """Write the enterprise default: assumed profiles scaled to ``ENTERPRISE_2021``; then two passes on the base year:
    the collection rate that leaves the assumed fiscal subsidy (``calibrated_collection_rate``, rounded to 4
    decimals), and the subsidy share of expenditure that reproduces total income (``calibrated_subsidy_share``)."""
    from sibrisk.projection import project
    from sibrisk.scenario import load_scenario

    prof = assumed_profiles()
    template = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    pub = ENTERPRISE_2021
    opening = pub["fund_balance"] - pub["total_income"] + pub["benefit_expenditure"]
    text = template
    for key, arr in prof.items():
        text = text.replace(f"@{key}_male@", _fmt(arr[:, 0] / arr[:, 0].max()))
        text = text.replace(f"@{key}_female@", _fmt(arr[:, 1] / arr[:, 0].max()))
    text = text.replace("@opening@", f"{opening:.6e}")
    text = text.replace("@contributors@", f"{pub['contributors']:.1f}")
    text = text.replace("@retirees@", f"{pub['beneficiaries']:.1f}")
    text = text.replace("@entrants_total@", _table(enterprise_entrants()))
    text = text.replace("@average_benefit@", f"{pub['benefit_expenditure'] / pub['beneficiaries']:.2f}")
    text = text.replace("@base_ratio@", f"{mean_declared_wage_ratio():.6f}")
    first = text.replace("@collection_rate@", "0.8").replace("@subsidy_share@", "0.2")
    path.write_text(first, encoding="utf-8")
    sc = load_scenario(path)
    mid = sc.projection.flow_timing == "mid_year"
    ds = project(sc, keep_detail=False, indicators=False).isel(year=0)
    collection = calibrated_collection_rate(float(ds.contribution_income), 0.8, float(ds.benefit_expenditure), opening,
                                            float(ds.interest_rate), pub["total_income"], pub["fiscal_subsidy"], mid)
    text = text.replace("@collection_rate@", f"{collection:.4f}")
    path.write_text(text.replace("@subsidy_share@", "0.2"), encoding="utf-8")
    # second pass: the share that reproduces published 2021 income, given the contributions the model computes
    sc = load_scenario(path)
    ds = project(sc, keep_detail=False, indicators=False).isel(year=0)
    share = calibrated_subsidy_share(float(ds.contribution_income), float(ds.benefit_expenditure), opening,
                                     float(ds.interest_rate), pub["total_income"], mid)
    path.write_text(text.replace("@subsidy_share@", f"{share:.6f}"), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[4] / "scenarios" / "enterprise_pension_national.toml"
    write_default_scenario(target)
    print(f"wrote {target}")
