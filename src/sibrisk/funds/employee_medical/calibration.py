"""How the shipped default scenario was made: assumed shapes and the 2024 base-year calibration.

Run ``python -m sibrisk.funds.employee_medical.calibration`` to regenerate ``scenarios/employee_medical_national.toml``.
Everything here is a modelling assumption except the published figures, which carry their sources. Every calibrated
parameter is solved in closed form from the model's own base-year quantities (``solve``), so a test can re-derive it.
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
# year 2025) and liubigfatty/pension-calculator (scripts/_verify_medcare_system.js). Units 亿元 and 万人. "fitted":
# the row is a target of the two 2025 parameters the default fits (medical cost growth 2025 -> expenditure; the
# effective in-service account rate from 2025 -> account income), so it checks the fit, not a forecast; the other
# rows are out-of-sample. Tolerances: 2% for flows and counts (a published figure is exact; 2% is about a third of
# the one-year-out error the former 5% cost growth made, +6.4%), 3% for the DERIVED pooled balance.
_NHSA_2025 = ("NHSA, 2025年全国医疗保障事业发展统计公报 (2026-07-16), https://www.nhsa.gov.cn/art/2026/7/16/art_7_21451.html "
              "(transcribed in GitHub xujiann/health-indicators, data/national-medical-insurance-annual-bulletins-"
              "additions.json)")
BACKTEST = [
    {"year": 2025, "item": "insured (万人)", "variable": "insured", "published": 38856.12, "unit": "万人",
     "scale": WAN, "tolerance": 0.02, "fitted": False, "source": _NHSA_2025 + ": 职工医保参保人数 38,856.12 万"},
    {"year": 2025, "item": "in-service members (万人)", "variable": "contributors", "published": 28062.32,
     "unit": "万人", "scale": WAN, "tolerance": 0.02, "fitted": False, "source": _NHSA_2025 + ": 在职职工 28,062.32 万"},
    {"year": 2025, "item": "retired members (万人)", "variable": "beneficiaries", "published": 10793.80, "unit": "万人",
     "scale": WAN, "tolerance": 0.02, "fitted": False, "source": _NHSA_2025 + ": 退休人员 10,793.80 万"},
    {"year": 2025, "item": "fund income (亿元)", "variable": "total_income", "published": 24683.60, "unit": "亿元",
     "scale": YI, "tolerance": 0.02, "fitted": False, "source": _NHSA_2025 + ": 职工医保基金（含生育保险）收入 24,683.60"},
    {"year": 2025, "item": "fund expenditure (亿元)", "variable": "total_expenditure", "published": 19376.55,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "fitted": True, "source": _NHSA_2025 + ": 支出 19,376.55"},
    {"year": 2025, "item": "pooled fund income (亿元)", "variable": "pooled_income", "published": 18292.91,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "fitted": False, "source": _NHSA_2025 + ": 统筹基金收入 18,292.91"},
    {"year": 2025, "item": "pooled fund expenditure (亿元)", "variable": "pooled_expenditure", "published": 13594.28,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "fitted": False,
     "source": _NHSA_2025 + ": 统筹基金支出 13,594.28 (the 2025 pooled share of the scenario is DERIVED from it)"},
    {"year": 2025, "item": "individual-account income (亿元)", "variable": "account_income", "published": 6390.69,
     "unit": "亿元", "scale": YI, "tolerance": 0.02, "fitted": True, "source": _NHSA_2025 + ": 个人账户收入 6,390.69"},
    {"year": 2025, "item": "individual-account expenditure (亿元)", "variable": "account_expenditure",
     "published": 5782.28, "unit": "亿元", "scale": YI, "tolerance": 0.02, "fitted": False,
     "source": _NHSA_2025 + ": 个人账户支出 5,782.28"},
    {"year": 2025, "item": "maternity expenditure (亿元)", "variable": "maternity_expenditure", "published": 1393.81,
     "unit": "亿元", "scale": YI, "tolerance": 0.03, "fitted": False,
     "source": _NHSA_2025 + ": 生育保险基金待遇支出 1,393.81"},
    {"year": 2025, "item": "pooled fund balance, year end (亿元)", "variable": "pooled_balance",
     "published": 30445.50 + 18292.91 - 13594.28, "unit": "亿元", "scale": YI, "tolerance": 0.03, "fitted": False,
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
                          more=lambda b, _: {"unit": b["unit"], "fitted": b["fitted"]})


# A published long-run path to reconcile with: 曾益, 周娅娜, 杨思琦, 幸超, 老龄化背景下城镇职工基本医疗保险基金财务运行状况的
# 精算预测——对"全面二孩"政策效应的评估, 中国卫生政策研究 2019, 12(1): 9-18, DOI 10.3969/j.issn.1674-2982.2019.01.002,
# http://journal.healthpolicy.cn/html/20190103.htm: under the rules of the time (no delayed retirement; the pre-2021
# split of contributions, part of the employer's going to the in-service accounts) the fund "将在2036年出现累计赤字";
# delayed retirement together with a larger share of contributions to the pooled fund removes the deficit. The walk
# changes sibrisk's default one assumption at a time towards that study's setting (its other assumptions, e.g. its
# cost growth, are not in the abstract, so they are not walked). Measured (default, 50 years): 2045 (default) ->
# 2042 (2025 cost growth 5%) -> 2039 (no retirement reform) -> 2031 (pre-2021 split): the study's 2036 lies between
# the last two steps, i.e. sibrisk reaches it with the study's rules and a part of the pre-reform account split.
STUDY_DEPLETION = {"study": "曾益 et al. 2019, 中国卫生政策研究 12(1): 9-18", "pooled_deficit_year": 2036}
WALK_STEPS = [
    ("sibrisk default (2025 fitted)", {}),
    ("2025 cost growth back to the former 5% assumption", {"economy.medical_cost_growth":
        {2024: 0.031, 2025: 0.05, 2027: 0.065, 2035: 0.06, 2040: 0.045, 2045: 0.04, 2050: 0.035}}),
    ("no 2024 retirement-age reform (the study's current law)", {"coverage.retirement_reform": False}),
    ("pre-2021 account split: 2% + 30% of the employer's ~6% to in-service accounts",
     {"contributions.worker_account_rate": 0.038}),
]


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
