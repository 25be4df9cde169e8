"""How the shipped default scenario was made: assumed shapes and the 2024 base-year calibration.

Run ``python -m sibrisk.funds.employee_medical.calibration`` to regenerate ``scenarios/employee_medical_national.toml``.
Everything here is a modelling assumption except the published figures, which carry their sources. Every calibrated
parameter is solved in closed form from the model's own base-year quantities (``solve``), so a test can re-derive it.

Also here: the back-test on 2025 (``BACKTEST``, ``backtest_table``); the walk to a published study (``walk_to_study``);
the published history of expenditure per insured member 2020-2025 (``EXPENDITURE_HISTORY``) with the fan of cost growth
against it (``cost_growth_volatility``, which set the default's cost-growth volatility) and its trend
(``cost_growth_trend``); the joint fit of the post-base parameters to 2025 (``fit_multi_year``); the account
balances around the 2021 reform (``ACCOUNT_BALANCE_HISTORY``); the sensitivity table (``sensitivity_table``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sibrisk.funds.employee_medical.parameters import AGE_MIN
from sibrisk.scenario import AGE_MAX

AGES = np.arange(AGE_MIN, AGE_MAX + 1)
YI = 1e8  # 亿元
WAN = 1e4  # 万人

# NHSA, 2024年全国医疗保障事业发展统计公报 (2025-07-14), https://www.nhsa.gov.cn/art/2025/7/14/art_7_17248.html, as
# transcribed in GitHub xujiann/health-indicators (research notes other_funds.md, A.2 and A.3). 亿元 and 万人 -> yuan and
# persons. The in-service figure is 27,490.84 (= 37,948.34 - 10,457.50; DOMAIN.md's 27,491.84 is a typo).
PUBLISHED_2024 = {
    "total_income": 23732.47 * YI,
    "total_expenditure": 19102.54 * YI,
    "pooled_income": 17342.45 * YI,
    "pooled_expenditure": 13222.71 * YI,
    "account_income": 6390.01 * YI,
    "account_expenditure": 5879.83 * YI,
    "maternity_expenditure": 1402.93 * YI,
    "insured": 37948.34 * WAN,
    "contributors": 27490.84 * WAN,
    "beneficiaries": 10457.50 * WAN,
    # DERIVED: basic medical insurance pooled-fund balance 38,628.52 - resident fund balance 8,183.02
    "pooled_balance": (38628.52 - 8183.02) * YI,
    "source": "NHSA, 2024年全国医疗保障事业发展统计公报 (2025-07-14), employee basic medical insurance incl. maternity; "
              "pooled_balance DERIVED as the basic medical insurance pooled-fund balance minus the resident fund's",
}
# DERIVED (not published after 2022): 人民日报 2023-07-12 on the 2022 bulletin, account balance 13,712.65 亿元 at
# end-2022, rolled forward with the published account income and expenditure of 2023 (6,351.35 / 6,097.95) and 2024.
ACCOUNT_BALANCE_END_2022 = 13712.65 * YI
ACCOUNT_FLOWS = {2023: (6351.35 * YI, 6097.95 * YI), 2024: (6390.01 * YI, 5879.83 * YI)}
ACCOUNT_BALANCE_END_2023 = ACCOUNT_BALANCE_END_2022 + ACCOUNT_FLOWS[2023][0] - ACCOUNT_FLOWS[2023][1]
ACCOUNT_BALANCE_END_2024 = ACCOUNT_BALANCE_END_2023 + ACCOUNT_FLOWS[2024][0] - ACCOUNT_FLOWS[2024][1]
# The reform of the individual accounts (国办发〔2021〕14号, provinces implementing in 2021-2023) seen in the published
# year-end account balances, 亿元: 2019 8,426 (NHSA 2019 bulletin, reprinted at http://ddk88.cn/xwxx/28599.html),
# 2020 10,096 (人民日报海外版 on the 2020 bulletin, http://52js.top/?id=118), 2021 11,753.98 (人民日报海外版 2022-06-10,
# http://www.chinahightech.com/html/chany/swyy/2022/0610/5643213.html), 2022 13,712.65 (人民日报 2023-07-12): REPRINTS;
# 2023-2024 DERIVED (above); 2025 DERIVED with the 2025 bulletin's account flows 6,390.69 / 5,782.28. The yearly net
# inflow falls from 1,650-1,960 (2020-2022, the pre-reform split) to 253-608 (2023-2025, the employer's share in the
# pool): most provinces moved on 1 January 2023. The account flows before 2023 are not in the reprints found, so the
# pre-reform account rate is not identified from them (the net inflow also moves with what the accounts pay).
ACCOUNT_BALANCE_HISTORY = {2019: 8426.0, 2020: 10096.0, 2021: 11753.98, 2022: 13712.65,
                           2023: ACCOUNT_BALANCE_END_2023 / YI, 2024: ACCOUNT_BALANCE_END_2024 / YI,
                           2025: ACCOUNT_BALANCE_END_2024 / YI + 6390.69 - 5782.28}
# the first year of the reform's account rules in the national figures (ASSUMPTION from the break above)
ACCOUNT_REFORM_YEAR = 2023


def account_net_inflow_history() -> dict[int, float]:
    """{year: change of the year-end account balance, 亿元} from ``ACCOUNT_BALANCE_HISTORY``."""
    ys = sorted(ACCOUNT_BALANCE_HISTORY)
    return {b: ACCOUNT_BALANCE_HISTORY[b] - ACCOUNT_BALANCE_HISTORY[a] for a, b in zip(ys, ys[1:])}


POOLED_OPENING_2024 = PUBLISHED_2024["pooled_balance"] - PUBLISHED_2024["pooled_income"] + PUBLISHED_2024["pooled_expenditure"]
# NHSA 2025 bulletin (via liubigfatty/pension-calculator scripts/_verify_medcare_system.js): medical-institution costs
# of in-service members 8,085.07 亿元 and retirees 10,377.63 亿元, 28,062.32 and 10,793.80 万 members: DERIVED ratio.
RETIREE_COST_RATIO = (10377.63 / 10793.80) / (8085.07 / 28062.32)
# 国办发〔2021〕14号: retiree accounts credited about 2% of the reform-year average pension; MOHRSS 2021 urban employee
# pension expenditure 56,481 亿元 / 13,157 万 retirees = 42,928 yuan a year (DERIVED).
RETIREE_ACCOUNT_CREDIT = 0.02 * 56481e8 / 13157e4

# Published figures after the 2024 base year that the default projection is checked against (back-test): NHSA,
# 2025年全国医疗保障事业发展统计公报 (2026-07-16), https://www.nhsa.gov.cn/art/2026/7/16/art_7_21451.html, as
# transcribed in GitHub xujiann/health-indicators (data/national-medical-insurance-annual-bulletins-additions.json,
# year 2025) and liubigfatty/pension-calculator (scripts/_verify_medcare_system.js). Units 亿元 and 万人. "use": "fit
# target" where the row is a target of the two 2025 parameters the default fits (medical cost growth 2025 ->
# expenditure; the effective in-service account rate from 2025 -> account income), so it checks the fit, not a
# forecast; the other rows are "out of sample". Tolerances: 2% for flows and counts (a published figure is exact; 2%
# is about a third of the one-year-out error the former 5% cost growth made, +6.4%), 3% for the DERIVED pooled
# balance.
_NHSA_2025 = ("NHSA, 2025年全国医疗保障事业发展统计公报 (2026-07-16), https://www.nhsa.gov.cn/art/2026/7/16/art_7_21451.html "
              "(transcribed in GitHub xujiann/health-indicators, data/national-medical-insurance-annual-bulletins-"
              "additions.json)")
BACKTEST = [
    {"year": 2025, "item": "insured (万人)", "variable": "insured", "published": 38856.12, "unit": "万人",
     "scale": WAN, "tolerance": 0.02, "use": "out of sample", "source": _NHSA_2025 + ": 职工医保参保人数 38,856.12 万"},
    {"year": 2025, "item": "in-service members (万人)", "variable": "contributors", "published": 28062.32,
     "unit": "万人", "scale": WAN, "tolerance": 0.02, "use": "out of sample",
     "source": _NHSA_2025 + ": 在职职工 28,062.32 万"},
    {"year": 2025, "item": "retired members (万人)", "variable": "beneficiaries", "published": 10793.80, "unit": "万人",
     "scale": WAN, "tolerance": 0.02, "use": "out of sample", "source": _NHSA_2025 + ": 退休人员 10,793.80 万"},
    {"year": 2025, "item": "fund income (亿元)", "variable": "total_income", "published": 24683.60, "unit": "亿元",
     "scale": YI, "tolerance": 0.02, "use": "out of sample", "source": _NHSA_2025 + ": 职工医保基金（含生育保险）收入 24,683.60"},
    {"year": 2025, "item": "fund expenditure (亿元)", "variable": "total_expenditure", "published": 19376.55,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "use": "fit target", "source": _NHSA_2025 + ": 支出 19,376.55"},
    {"year": 2025, "item": "pooled fund income (亿元)", "variable": "pooled_income", "published": 18292.91,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "use": "out of sample", "source": _NHSA_2025 + ": 统筹基金收入 18,292.91"},
    {"year": 2025, "item": "pooled fund expenditure (亿元)", "variable": "pooled_expenditure", "published": 13594.28,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "use": "out of sample",
     "source": _NHSA_2025 + ": 统筹基金支出 13,594.28 (the 2025 pooled share of the scenario is DERIVED from it)"},
    {"year": 2025, "item": "individual-account income (亿元)", "variable": "account_income", "published": 6390.69,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "use": "fit target", "source": _NHSA_2025 + ": 个人账户收入 6,390.69"},
    {"year": 2025, "item": "individual-account expenditure (亿元)", "variable": "account_expenditure",
     "published": 5782.28, "unit": "亿元", "scale": YI, "tolerance": 0.02, "use": "out of sample",
     "source": _NHSA_2025 + ": 个人账户支出 5,782.28"},
    {"year": 2025, "item": "maternity expenditure (亿元)", "variable": "maternity_expenditure", "published": 1393.81,
     "unit": "亿元", "scale": YI, "tolerance": 0.03, "use": "out of sample",
     "source": _NHSA_2025 + ": 生育保险基金待遇支出 1,393.81"},
    {"year": 2025, "item": "pooled fund balance, year end (亿元)", "variable": "pooled_balance",
     "published": 30445.50 + 18292.91 - 13594.28, "unit": "亿元", "scale": YI, "tolerance": 0.03, "use": "out of sample",
     "source": "DERIVED: end-2024 pooled balance 30,445.50 (NHSA 2024) + 2025 pooled income 18,292.91 - expenditure "
               "13,594.28 (NHSA 2025; the 2025 pooled current balance of both medical funds, 5,257.72, equals 4,698.63 "
               "+ the resident fund's 559.09, so no other item enters); the 2025 balance itself is not in the "
               "transcription"},
]
# the largest tolerance of any row (rows carry their own)
BACKTEST_TOLERANCE = 0.03
# One year out before the 2025 fit (medical cost growth 5%, account rate 2%), measured on the former default:
# expenditure 20,621.70 (+6.4%), pooled 14,448.88 (+6.3%), accounts 6,172.82 (+6.8%), account income 6,657.85 (+4.2%)
BEFORE_2025_FIT = {"total_expenditure": 20621.70, "pooled_expenditure": 14448.88, "account_expenditure": 6172.82,
                   "account_income": 6657.85, "total_income": 24889.47}


def backtest_value(row: dict, ds) -> float:
    """The projected value of one ``BACKTEST`` row in its unit, from an employee medical projection ``ds``."""
    if row["variable"] not in ds:
        raise KeyError(f"the projection has no variable {row['variable']!r} (back-test row {row['item']!r})")
    return float(ds[row["variable"]].sel(year=row["year"])) / row["scale"]


def backtest_table(ds=None, rows=None):
    """Projected vs published figures for the years after 2024 (``BACKTEST``), from the shipped default scenario (or
    the projection ``ds``). Returns a pandas DataFrame with each row's tolerance and whether it lands within it."""
    import sibrisk
    from sibrisk.funds.common.backtest import backtest_frame

    if ds is None:
        ds = sibrisk.project(sibrisk.load_scenario("employee_medical_national").with_updates({"projection.years": 3}),
                             keep_detail=False)
    return backtest_frame(BACKTEST if rows is None else rows, lambda b: backtest_value(b, ds), digits=2,
                          more=lambda b, _: {"unit": b["unit"]})


# A published long-run path to reconcile with: 曾益, 周娅娜, 杨思琦, 幸超, 老龄化背景下城镇职工基本医疗保险基金财务运行状况的
# 精算预测——对"全面二孩"政策效应的评估, 中国卫生政策研究 2019, 12(1): 9-18, DOI 10.3969/j.issn.1674-2982.2019.01.002,
# http://journal.healthpolicy.cn/html/20190103.htm: under the rules of the time (no delayed retirement; the pre-2021
# split of contributions, part of the employer's going to the in-service accounts) the fund "将在2036年出现累计赤字";
# delayed retirement together with a larger share of contributions to the pooled fund removes the deficit. The walk
# changes sibrisk's default one assumption at a time towards that study's setting (its other assumptions, e.g. its
# cost growth, are not in the abstract, so they are not walked). The pre-reform rules have two sides: more of the
# contributions went to the accounts (3.8% of the base, step 4), and the accounts paid more of the cost (outpatient
# care, pharmacies), which step 5 restores: the pooled share that gives the base year the accounts' pre-reform net
# inflow, 12.4% of fund expenditure (the mean of 2020-2022, ``pre_reform_account_inflow_share``; DERIVED,
# ``pre_reform_pooled_share``). Step 4 alone sends the accounts 5,858 亿元 net in 2026, three times the 1,650-1,960 of
# 2020-2022. Measured (default, 50 years): 2045 (default) -> 2042 (2025 cost growth 5%) -> 2039 (no retirement reform)
# -> 2031 (pre-2021 contribution split) -> 2038 (and its account spending; the accounts pay their share until 2036,
# run short from 2037): the two sides of the reform nearly cancel for the pooled fund (2039 -> 2038), and the study's
# 2036 lies 2 years before sibrisk's pre-reform setting, within what the assumptions not walked (its cost growth)
# can explain.
STUDY_DEPLETION = {"study": "曾益 et al. 2019, 中国卫生政策研究 12(1): 9-18", "pooled_deficit_year": 2036}
WALK_STEPS = [
    ("sibrisk default (2025 fitted)", {}),
    ("2025 cost growth back to the former 5% assumption", {"economy.medical_cost_growth":
        {2024: 0.031, 2025: 0.05, 2027: 0.065, 2035: 0.06, 2040: 0.045, 2045: 0.04, 2050: 0.035}}),
    ("no 2024 retirement-age reform (the study's current law)", {"coverage.retirement_reform": False}),
    ("pre-2021 account split: 2% + 30% of the employer's ~6% to in-service accounts",
     {"contributions.worker_account_rate": 0.038}),
    ("pre-2021 account spending: the accounts' net inflow 12.4% of expenditure (2020-2022)",
     {"benefits.pooled_share": 0.5064}),   # DERIVED: pre_reform_pooled_share(), to 4 decimals
]


def pre_reform_account_inflow_share() -> float:
    """The accounts' net inflow (change of the year-end account balances, ``ACCOUNT_BALANCE_HISTORY``) over fund
    expenditure (``EXPENDITURE_HISTORY``), mean of 2020-2022, the last years before the reform reached the national
    figures (``ACCOUNT_REFORM_YEAR``): 12.98%, 11.24%, 12.85% -> 12.36%."""
    return float(np.mean([(ACCOUNT_BALANCE_HISTORY[y] - ACCOUNT_BALANCE_HISTORY[y - 1]) / EXPENDITURE_HISTORY[y][0]
                          for y in (2020, 2021, 2022)]))


def pre_reform_pooled_share(scenario=None) -> float:
    """The pooled share of medical cost with which the walk's pre-reform setting (``WALK_STEPS`` up to the pre-2021
    split) gives its base year the accounts' pre-reform net inflow share (``pre_reform_account_inflow_share``)."""
    from scipy.optimize import brentq

    import sibrisk

    sc = scenario if scenario is not None else sibrisk.load_scenario("employee_medical_national")
    updates = {}
    for _, change in WALK_STEPS:
        if "benefits.pooled_share" in change:
            break
        updates.update(change)
    y0, target = sc.projection.base_year, pre_reform_account_inflow_share()
    base = sc.with_updates({**updates, "projection.years": 1})

    def gap(share):
        r = sibrisk.project(base.with_updates({"benefits.pooled_share": share}), keep_detail=False,
                            indicators=False).sel(year=y0)
        return float((r.account_income - r.account_expenditure) / r.total_expenditure) - target

    return float(brentq(gap, 0.3, 0.69, xtol=1e-7))


def depletion_year(ds, variable: str = "pooled_balance"):
    """First year whose year-end ``variable`` is below zero (None if never)."""
    v = ds[variable].values.reshape(-1)
    years = ds.year.values
    return int(years[np.argmax(v < 0)]) if np.any(v < 0) else None


def walk_to_study(scenario=None, steps=None):
    """The walk from sibrisk's default to the setting of ``STUDY_DEPLETION``: the steps of ``WALK_STEPS`` applied
    cumulatively, one at a time; returns a pandas DataFrame (step, pooled-fund depletion year, pooled balance 2035
    in 亿元)."""
    import pandas as pd

    import sibrisk

    sc = scenario if scenario is not None else sibrisk.load_scenario("employee_medical_national")
    rows, updates = [], {}
    for name, change in (WALK_STEPS if steps is None else steps):
        if not isinstance(change, dict):
            raise TypeError(f"walk step {name!r}: the change must be a dict of scenario updates, not {change!r}")
        updates.update(change)
        ds = sibrisk.project(sc.with_updates(dict(updates)), keep_detail=False, indicators=False)
        bal = float(ds.pooled_balance.sel(year=2035)) / YI if 2035 in ds.year.values else float("nan")
        rows.append({"step": name, "pooled_depletion_year": depletion_year(ds), "pooled_balance_2035": bal})
    return pd.DataFrame(rows)



# --------------------------------------------------------------------------------------------------------------
# The published history of fund expenditure per insured member: the yardstick of the stochastic cost-growth fan
# (``cost_growth_volatility``) and of the cost-growth trend (``cost_growth_trend``). Fund expenditure (maternity
# included since the 2019 merger, 国办发〔2019〕10号) in 亿元 and year-end insured in 万人, NHSA bulletins. Not found in
# the reference corpus (searched 2026-12-07): the 2019 fund expenditure (the 2019 bulletin's reprint is cut before
# it) and a 2018 figure on the same basis (the 2018 快报 of 2019-03-01, 新华社, gives 10,504.92 亿元 for 31,673 万
# members *without* maternity, so its growth into 2019 would mix the merger in). 2020 is therefore the first year.
_RMRB_2020 = ("人民日报海外版 (叶紫) on the NHSA 2020年全国医疗保障事业发展统计公报, reprinted at http://52js.top/?id=118 "
              "(REPRINT): 职工基本医疗保险参保人数 34,455 万")
_RMRB_2021 = ("人民日报海外版 2022-06-10 (叶紫) on the NHSA 2021年全国医疗保障事业发展统计公报, reprinted at "
              "http://www.chinahightech.com/html/chany/swyy/2022/0610/5643213.html (REPRINT): 职工医保参保人数 35,431 万; "
              "基金（含生育保险）收入 19,003.10 亿元 (+20.8%), 支出 14,746.73 亿元 (+14.6%)")
_RMRB_2022 = ("人民日报 2023-07-12 (孙秀艷) on the NHSA 2022年全国医疗保障事业发展统计公报, reprinted at "
              "http://duocaiyimin.com/2023/0713/677710.shtml (REPRINT): 职工医保参保人数 36,243 万; 基金（含生育保险）收入 "
              "20,793.27 亿元 (+9.4%), 支出 15,243.80 亿元 (+3.3%)")
_NHSA_2023 = ("NHSA, 2023年全国医疗保障事业发展统计公报 (2024-07-25), https://www.nhsa.gov.cn/art/2024/7/25/art_7_13340.html "
              "(transcribed in GitHub xujiann/health-indicators): 参保 37,095 万, 支出 17,750.73 亿元")
EXPENDITURE_HISTORY = {
    # year: (fund expenditure 亿元, year-end insured 万人, source)
    2020: (14746.73 / 1.146, 34455.0, "DERIVED expenditure: the 2021 figure 14,746.73 / 1.146 (its published growth, "
           "rounded to 0.1 point: +-0.04%, about 6 亿元); " + _RMRB_2020 + "; the 2020 total of both funds, 21,032 亿元 "
           "(same reprint), is met within 2 亿元 with the resident fund's DERIVED 8,162"),
    2021: (14746.73, 35431.0, _RMRB_2021),
    2022: (15243.80, 36243.0, _RMRB_2022),
    2023: (17750.73, 37095.0, _NHSA_2023),
    2024: (PUBLISHED_2024["total_expenditure"] / YI, PUBLISHED_2024["insured"] / WAN, PUBLISHED_2024["source"]),
    2025: (19376.55, 38856.12, _NHSA_2025),
}
# Years of the COVID-19 epidemic and its rebounds. 2020 and 2022 suppressed care (lockdowns; the Omicron wave of
# late 2022), 2021 and 2023 caught up: growth per member +11.4% (2021), +1.0% (2022), +13.8% (2023). The fan is
# compared with the history with and without the rebound years (the suppressed years' growth is not in the series
# for 2020, which needs 2019; 2022's is).
COVID_REBOUND_YEARS = (2021, 2023)
COVID_YEARS = (2021, 2022, 2023)


def expenditure_per_insured_history() -> dict[int, float]:
    """{year: fund expenditure per year-end insured member, yuan} from ``EXPENDITURE_HISTORY`` (NHSA bulletins):
    3,734.7 (2020), 4,162.1, 4,206.0, 4,785.2, 5,033.8, 4,986.7 元 (2025)."""
    return {y: e * YI / (n * WAN) for y, (e, n, _) in EXPENDITURE_HISTORY.items()}


def history_growth(history: dict | None = None) -> dict[int, float]:
    """{year: growth of expenditure per insured member over the year before}."""
    h = expenditure_per_insured_history() if history is None else history
    ys = sorted(h)
    return {b: h[b] / h[a] - 1.0 for a, b in zip(ys, ys[1:]) if b == a + 1}


def history_growth_sd(exclude=(), history: dict | None = None) -> float:
    """Sample s.d. (ddof 1) of the yearly growth of expenditure per insured member, leaving out the years
    ``exclude`` (e.g. ``COVID_REBOUND_YEARS``)."""
    g = [v for y, v in history_growth(history).items() if y not in set(exclude)]
    if len(g) < 2:
        raise ValueError(f"fewer than two growth values left after excluding {tuple(exclude)}")
    return float(np.std(g, ddof=1))


def history_growth_autocorrelation(history: dict | None = None) -> float:
    """Lag-1 autocorrelation of the yearly growth of expenditure per insured member (all years: dips and rebounds
    alternate, so it is negative; the shipped AR(1) coefficient of the deviations is +0.5, an ASSUMPTION)."""
    g = np.array(list(history_growth(history).values()))
    d = g - g.mean()
    return float(np.sum(d[1:] * d[:-1]) / np.sum(d * d))


def cost_growth_volatility(sc=None, n: int = 200, seed: int = 1, years=(2026, 2035)) -> dict:
    """The fan of cost growth against its published history: the s.d. (across ``n`` stochastic scenarios, averaged
    over ``years``) of the yearly growth of expenditure per insured member around the deterministic path, and the
    s.d. of the published growth of expenditure per insured member 2021-2025 (``EXPENDITURE_HISTORY``): with every
    year, without the rebound years 2021 and 2023 (``COVID_REBOUND_YEARS``), and without 2021-2023
    (``COVID_YEARS``, two values left)."""
    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("employee_medical_national")
    sc = sc.with_updates({"projection.years": max(years[1] - sc.projection.base_year + 1, 2)})
    sim = sibrisk.simulate(sc, n, seed=seed, progress=False)
    det = sibrisk.project(sc, keep_detail=False, indicators=False)
    span = slice(years[0] - 1, years[1])
    g_sim = sim.average_benefit.sel(year=span).values
    g_det = det.average_benefit.sel(year=span).values.reshape(-1)
    dev = (g_sim[:, 1:] / g_sim[:, :-1]) - (g_det[1:] / g_det[:-1])
    return {"simulated_sd": float(np.mean(np.std(dev, axis=0, ddof=1))),
            "history_sd": history_growth_sd(),
            "history_sd_without_rebounds": history_growth_sd(COVID_REBOUND_YEARS),
            "history_sd_without_covid": history_growth_sd(COVID_YEARS),
            "history_growth": history_growth(), "history_autocorrelation": history_growth_autocorrelation(),
            "n_scenarios": n, "years": years}


# --------------------------------------------------------------------------------------------------------------
# Several years at once. The 2024 base year is met exactly by the closed forms of ``solve``; after it only 2025 is
# published, so the free parameters of the years after the base are fitted to 2025's figures together, with their
# uncertainty, instead of one parameter per figure. The years before the base (2022-2023) cannot be projected: the
# projection starts from the base year's state (coverage profile, opening balances, the post-reform account rules),
# and a 2022 or 2023 base would need that year's pooled/account split of contributions while the provinces were
# moving to the 国办发〔2021〕14号 rules (2021-2023, not published by province) and the 2022 pooled/account flows (not
# found). Those years enter instead through the cost-growth trend (``cost_growth_trend``, 2020-2025).
#
# Free parameters: (dotted path, year, "only" for that year's value / "from" for that year on).
FIT_PARAMETERS = [
    ("economy.medical_cost_growth", 2025, "only"),       # cost growth of the year -> pooled and account expenditure
    ("contributions.worker_account_rate", 2025, "from"),  # effective in-service account rate -> account income
    ("coverage.working_trend", 2025, "only"),            # widening of in-service coverage -> members, incomes
    ("economy.wage_growth", 2025, "only"),               # average wage growth -> incomes per member, maternity
]
# Targets: the published figures that are independent of each other (the fund's totals are the pooled + account
# lines, the insured the in-service + retired, the DERIVED pooled balance the pooled lines: not counted twice).
# sigma: ASSUMPTION, the relative model error of one figure, 1% (the base year is met to 1%); the parameters'
# uncertainty is scaled by the fit's own residual variance, so it does not rest on this value.
FIT_VARIABLES = ["contributors", "beneficiaries", "pooled_income", "account_income", "pooled_expenditure",
                 "account_expenditure", "maternity_expenditure"]
FIT_SIGMA = 0.01
BASE_YEAR_ROWS = ["total_income", "total_expenditure", "pooled_income", "pooled_expenditure", "account_income",
                  "account_expenditure", "contributors", "beneficiaries"]


def _with_year_value(sc, dotted: str, year: int, value: float, mode: str):
    path = np.array(sc.series(dotted), dtype=float)
    t = int(np.searchsorted(sc.years, year))
    if t >= len(sc.years) or sc.years[t] != year:
        raise ValueError(f"{dotted}: year {year} is not in the projection {sc.years[0]}-{sc.years[-1]}")
    if mode == "only":
        path[t] = value
    elif mode == "from":
        path[t:] = value
    else:
        raise ValueError(f"{dotted}: mode must be 'only' or 'from', not {mode!r}")
    return sc.with_updates({dotted: [float(v) for v in path]})


def fit_multi_year(scenario=None, parameters=FIT_PARAMETERS, variables=FIT_VARIABLES, sigma: float = FIT_SIGMA):
    """Weighted least squares (scipy.optimize.least_squares) of the free parameters of the years after the base
    (``FIT_PARAMETERS``) to the independent 2025 figures of ``BACKTEST`` (``FIT_VARIABLES``), the 2024 base year
    kept by its closed-form calibration. Residual of a figure: (projected / published - 1) / ``sigma``.

    Returns ``(values, table)``: ``values`` maps each parameter ("path@year") to a dict (value, the default's value,
    standard error from the Jacobian, s.e. = sqrt(diag(s2 (J'J)^-1)), s2 = the weighted residual sum of squares /
    (targets - parameters)); ``table`` has one row per figure, 2024 (the base year, not fitted: the parameters do
    not act on it) and 2025, with the published value, the default's and the fitted projection, and their relative
    errors. 7 targets, 4 parameters: 3 residual degrees of freedom (the retirees move with no parameter), so the
    uncertainty is rough.

    Measured on the default (sigma 1%): medical cost growth 2025 -1.85% (s.e. 0.21 point; default -1.81%), account
    rate 1.921% (s.e. 0.007; default 1.902%), working_trend 2025 +2.68% (s.e. 0.33; default assumption 1.5%), wage
    growth 2025 +2.32% (s.e. 0.20; default assumption 4%); weighted sum of squares 6.03 (default) -> 0.25, every
    2025 figure within 0.4% (default: pooled income +1.19%, maternity +2.00%, in-service members -0.77%). Not
    adopted in the default scenario (its long-run measurements, e.g. the depletion years of ``walk_to_study``,
    rest on the shipped values); pass the fitted values as updates to use them."""
    import pandas as pd
    from scipy.optimize import least_squares

    import sibrisk

    sc0 = scenario if scenario is not None else sibrisk.load_scenario("employee_medical_national")
    sc0 = sc0.with_updates({"projection.years": 3})
    rows = {r["variable"]: r for r in BACKTEST}
    targets = [rows[v] for v in variables]
    published = np.array([r["published"] for r in targets])
    start = np.array([float(sc0.series(p)[int(np.searchsorted(sc0.years, y))]) for p, y, _ in parameters])

    def scenario_at(x):
        s = sc0
        for (p, y, mode), v in zip(parameters, x):
            s = _with_year_value(s, p, y, float(v), mode)
        return s

    def project(x):
        return sibrisk.project(scenario_at(x), keep_detail=False, indicators=False)

    def residuals(x):
        ds = project(x)
        return (np.array([backtest_value(r, ds) for r in targets]) / published - 1.0) / sigma

    fit = least_squares(residuals, start, x_scale=np.maximum(np.abs(start), 1e-3), diff_step=1e-3)
    m, n = len(targets), len(parameters)
    s2 = float(fit.fun @ fit.fun) / (m - n) if m > n else float("nan")
    cov = s2 * np.linalg.pinv(fit.jac.T @ fit.jac)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    values = {f"{p}@{y}": {"value": float(v), "default": float(v0), "se": float(e), "mode": mode}
              for (p, y, mode), v, v0, e in zip(parameters, fit.x, start, se)}
    before, after = project(start), project(fit.x)
    out = []
    for name in BASE_YEAR_ROWS:
        pub = PUBLISHED_2024[name]
        out.append({"year": 2024, "variable": name, "published": pub, "default": float(before[name].sel(year=2024)),
                    "fitted": float(after[name].sel(year=2024)), "target": False})
    for r in BACKTEST:
        out.append({"year": r["year"], "variable": r["variable"], "published": r["published"] * r["scale"],
                    "default": backtest_value(r, before) * r["scale"], "fitted": backtest_value(r, after) * r["scale"],
                    "target": r["variable"] in variables})
    table = pd.DataFrame(out)
    table["error default"] = table["default"] / table["published"] - 1.0
    table["error fitted"] = table["fitted"] / table["published"] - 1.0
    table.attrs.update(sigma=sigma, s2=s2, dof=m - n, cost=float(fit.cost))
    return values, table


def cost_growth_trend(first: int = 2020, last: int = 2025) -> dict:
    """Log-linear trend of fund expenditure per insured member (``EXPENDITURE_HISTORY``): OLS of
    ln(expenditure per insured) on the year, ``first``..``last``. Returns the trend growth exp(b) - 1, its standard
    error (delta method, (1 + g) x s.e.(b), the residuals taken as independent), the residuals and the years.
    Measured 2020-2025: +6.32% a year, s.e. 0.99 point (the residuals alternate in sign with the epidemic's dips
    and rebounds). The yardstick of the default's future cost growth: ``projected_cost_growth`` compares them."""
    from sibrisk.funds.common.backtest import log_linear_trend

    h = expenditure_per_insured_history()
    span = {y: v for y, v in h.items() if first <= y <= last}
    if len(span) < 3:
        raise ValueError(f"{first}..{last}: need at least three years of EXPENDITURE_HISTORY ({min(h)}..{max(h)})")
    return log_linear_trend(span)


def projected_cost_growth(sc=None, first: int = 2025, last: int = 2035) -> float:
    """Average yearly growth of expenditure per insured member in the projection of ``sc`` (default scenario),
    ``first``..``last``: (a_last / a_first)^(1 / (last - first)) - 1 (age-mix and cost growth together, as the
    history measures it)."""
    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("employee_medical_national")
    a = sibrisk.project(sc, keep_detail=False, indicators=False).average_benefit
    return float((a.sel(year=last) / a.sel(year=first)) ** (1.0 / (last - first)) - 1.0)

# ASSUMPTION (research notes A.6): relative medical cost by age band, 1.0 at 20-44
COST_BANDS = [(16, 0.4), (20, 1.0), (45, 1.6), (55, 2.2), (60, 2.8), (65, 3.3), (70, 3.9), (75, 4.5), (80, 5.0)]


def cost_curve() -> np.ndarray:
    """(A,) relative cost by age (same for both sexes): the value of the band an age falls in."""
    out = np.zeros(len(AGES))
    for start, value in COST_BANDS:
        out[AGES >= start] = value
    return out


def coverage_shapes(ramp_from: float = 0.05, full_at: int = 25, decline_from: int = 45, decline: float = 0.02,
                    retiree_decline: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """Shapes (A,) of the insured share: (in-service, retired). ASSUMPTIONS: in-service coverage rises linearly from
    ``ramp_from`` at 16 to 1 at ``full_at``, stays at 1 to ``decline_from`` and falls ``decline`` a year after it
    (older cohorts held fewer formal urban jobs); retiree coverage falls ``retiree_decline`` a year per year of age
    above 50 (older cohorts were less often insured). Levels are calibrated (``coverage_levels``)."""
    a = AGES.astype(float)
    work = np.clip(ramp_from + (1 - ramp_from) * (a - AGE_MIN) / (full_at - AGE_MIN), 0.0, 1.0)
    work = work * np.exp(-decline * np.clip(a - decline_from, 0.0, None))
    retired = np.exp(-retiree_decline * np.clip(a - 50.0, 0.0, None))
    return work, retired


def coverage_levels(pop: np.ndarray, retired_share: np.ndarray, work_shape: np.ndarray, ret_shape: np.ndarray,
                    workers: float, retirees: float) -> tuple[float, float]:
    """Levels (k_w, k_r) of the profile ``k_w work_shape (1 - R) + k_r ret_shape R`` (R the base-year retired share)
    that give ``workers`` in service and ``retirees`` retired: a 2 x 2 linear system."""
    R = retired_share
    w, r = work_shape[:, None] * (1 - R), ret_shape[:, None] * R
    a = np.array([[np.sum(pop * w * (1 - R)), np.sum(pop * r * (1 - R))],
                  [np.sum(pop * w * R), np.sum(pop * r * R)]])
    k = np.linalg.solve(a, np.array([workers, retirees]))
    return float(k[0]), float(k[1])


def profile_from_levels(k_w, k_r, work_shape, ret_shape, retired_share) -> np.ndarray:
    R = retired_share
    return k_w * work_shape[:, None] * (1 - R) + k_r * ret_shape[:, None] * R


def solve(*, workers_exposure, retirees_exposure, curve, births, wage, collection, rate, mid_year, employee_rate,
          worker_account_rate, retiree_credit, pooled_opening, account_opening, pub=PUBLISHED_2024,
          cost_ratio=RETIREE_COST_RATIO) -> dict[str, float]:
    """Calibrated parameters from base-year quantities: exposures (A, 2) of in-service and retired members, the cost
    curve (A, 2), births, wage, collection and interest rates and the fixed rules. Closed forms:

    - retiree_factor = ratio x (sum W c / sum W) / (sum R c / sum R)           (retiree/in-service cost per head)
    - base_cost = (published expenditure - maternity) / sum (W + R rf) c
    - pooled_share = (pooled expenditure - maternity) / (expenditure - maternity)
    - maternity_cost_per_birth = maternity / births
    - base_ratio from account income = (a_w B k + R cr)(1 + f) + O_a i - X_a f,  B = sum W x wage x base_ratio
    - employer_rate from pooled income = ((e + ee - a_w) B k - R cr)(1 + f) + O_p i - X_p f
    """
    W, R, c = workers_exposure, retirees_exposure, curve
    rf = cost_ratio * (np.sum(W * c) / np.sum(W)) / (np.sum(R * c) / np.sum(R))
    medical = pub["total_expenditure"] - pub["maternity_expenditure"]
    base_cost = medical / np.sum((W + R * rf) * c)
    pooled_medical = pub["pooled_expenditure"] - pub["maternity_expenditure"]
    f = (1 + rate) ** 0.5 - 1 if mid_year else 0.0
    credits = np.sum(R) * retiree_credit
    x_a = pub["account_expenditure"]
    inflow = (pub["account_income"] - account_opening * rate + x_a * f) / (1 + f)
    per_ratio = np.sum(W) * wage * worker_account_rate * collection
    base_ratio = (inflow - credits) / per_ratio
    bill = np.sum(W) * wage * base_ratio
    pool_in = (pub["pooled_income"] - pooled_opening * rate + pub["pooled_expenditure"] * f) / (1 + f)
    employer_rate = (pool_in + inflow) / (bill * collection) - employee_rate
    return {"retiree_factor": float(rf), "base_cost": float(base_cost), "pooled_share": float(pooled_medical / medical),
            "maternity_cost_per_birth": float(pub["maternity_expenditure"] / births), "base_ratio": float(base_ratio),
            "employer_rate": float(employer_rate)}


def sensitivity_variations(sc=None) -> dict:
    """The one-at-a-time variations of ``sensitivity_table`` (``sibrisk.sensitivity``): [low, high] per dotted
    parameter. ASSUMPTIONS, each a plausible band, not a probability: medical cost growth -/+ 1 point a year from 2026
    (about the s.e. of the 2020-2025 trend, ``cost_growth_trend``); the effective employer rate -/+ 0.5 point from
    2026 (financing); wage growth -/+ 1 point from 2026; the deposit yield 1% / 3%; utilisation -/+ 5%; the pooled
    share 0.65 / 0.75 from 2026."""
    import sibrisk
    from sibrisk.sensitivity import path_from

    sc = sc if sc is not None else sibrisk.load_scenario("employee_medical_national")

    def shifted(path, d):
        return path_from(sc, path, 2026, add=d)

    def from_2026(path, v):
        return path_from(sc, path, 2026, value=v)

    return {
        "economy.medical_cost_growth": [shifted("economy.medical_cost_growth", -0.01),
                                        shifted("economy.medical_cost_growth", 0.01)],
        "contributions.employer_rate": [shifted("contributions.employer_rate", -0.005),
                                        shifted("contributions.employer_rate", 0.005)],
        "economy.wage_growth": [shifted("economy.wage_growth", -0.01), shifted("economy.wage_growth", 0.01)],
        "economy.interest_rate": [0.01, 0.03],
        "benefits.utilisation": [0.95, 1.05],
        "benefits.pooled_share": [from_2026("benefits.pooled_share", 0.65), from_2026("benefits.pooled_share", 0.75)],
    }


def sensitivity_table(sc=None, horizon: int = 2045):
    """``sibrisk.sensitivity`` of the default (or ``sc``) to ``sensitivity_variations``, balance months in
    ``horizon`` (the whole fund: pool + accounts)."""
    import sibrisk

    sc = sc if sc is not None else sibrisk.load_scenario("employee_medical_national")
    return sibrisk.sensitivity(sc, sensitivity_variations(sc), horizon=horizon)


def _fmt(values: np.ndarray) -> str:
    vals = [f"{v:.6g}" for v in values]
    lines = ["  " + ", ".join(vals[i:i + 10]) + "," for i in range(0, len(vals), 10)]
    return "[\n" + "\n".join(lines) + "\n]"


def _fill(template: str, values: dict) -> str:
    for key, v in values.items():
        template = template.replace(f"@{key}@", v)
    return template


def write_default_scenario(path: Path) -> dict[str, float]:
    """Write the default scenario to ``path`` (two passes: provisional values, then the calibrated ones); returns
    the calibrated parameters."""
    from sibrisk.funds.employee_medical.inputs import retired_share
    from sibrisk.projection import fund_inputs
    from sibrisk.scenario import load_scenario

    template = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    curve = cost_curve()
    work_shape, ret_shape = coverage_shapes()
    common = {"curve": _fmt(curve), "retiree_credit": f"{RETIREE_ACCOUNT_CREDIT:.2f}",
              "pooled_opening": f"{POOLED_OPENING_2024:.6e}", "account_opening": f"{ACCOUNT_BALANCE_END_2023:.6e}",
              "profile_note": "ASSUMPTION (shape) and CALIBRATED (levels): in-service share rising from 16 to 25, flat "
                              "to 45, -2% a year after; retiree share -3% a year per year of age above 50 "
                              "(calibration.coverage_shapes)"}
    provisional = dict(common, profile_male=_fmt(np.full(len(AGES), 0.3)), profile_female=_fmt(np.full(len(AGES), 0.3)),
                       employer_rate="0.07", base_ratio="0.8", retiree_factor="1.0", base_cost="3000.0",
                       pooled_share="0.67", maternity="15000.0")
    path.write_text(_fill(template, provisional), encoding="utf-8")
    sc = load_scenario(path)
    cov = sc.coverage
    R0 = retired_share(sc.years[:1], sc.ages, female_cadre_share=cov.female_cadre_share,
                       reform=cov.retirement_reform)[0]
    inp = fund_inputs(sc, 1)
    pop = inp.pop[0, 0]
    k_w, k_r = coverage_levels(pop, R0, work_shape, ret_shape, PUBLISHED_2024["contributors"],
                               PUBLISHED_2024["beneficiaries"])
    profile = profile_from_levels(k_w, k_r, work_shape, ret_shape, R0)
    W, R = pop * profile * (1 - R0), pop * profile * R0
    params = solve(workers_exposure=W, retirees_exposure=R, curve=np.stack([curve, curve], axis=1),
                   births=float(inp.births[0, 0]), wage=float(inp.wage[0, 0]), collection=float(inp.collection[0, 0]),
                   rate=float(inp.rate[0, 0]), mid_year=inp.mid_year, employee_rate=0.02, worker_account_rate=0.02,
                   retiree_credit=RETIREE_ACCOUNT_CREDIT, pooled_opening=POOLED_OPENING_2024,
                   account_opening=ACCOUNT_BALANCE_END_2023)
    final = dict(common, profile_male=_fmt(profile[:, 0]), profile_female=_fmt(profile[:, 1]),
                 employer_rate=f"{params['employer_rate']:.6f}", base_ratio=f"{params['base_ratio']:.6f}",
                 retiree_factor=f"{params['retiree_factor']:.6f}", base_cost=f"{params['base_cost']:.4f}",
                 pooled_share=f"{params['pooled_share']:.6f}", maternity=f"{params['maternity_cost_per_birth']:.2f}")
    path.write_text(_fill(template, final), encoding="utf-8")
    params.update({"coverage_level_in_service": k_w, "coverage_level_retired": k_r})
    return params


if __name__ == "__main__":  # pragma: no cover
    target = (Path(sys.argv[1]) if len(sys.argv) > 1 else
              Path(__file__).resolve().parents[4] / "scenarios" / "employee_medical_national.toml")
    print(write_default_scenario(target))
    print(f"wrote {target}")
