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

``rate_factor`` is solved given the dated phased cut of 2021 (``contributions.phased_cut``, made by
``phased_cut_table`` from ``PHASED_CUT_NOTICES``). ``BACKTEST`` / ``backtest_table``: the published figures of the
years after 2021 against the default's projection.
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
# The phased rate reduction (阶段性降低工伤保险费率) as dated notices: (in force from, to, document, status). The
# default's ``contributions.phased_cut`` table is made from it (``phased_cut_table``): the national average cut
# PHASED_CUT_LEVEL (ASSUMPTION, not published: regions with 18-23 months of balance cut 20%, 24 months or more 50%,
# fewer none) in every year a notice covers, pro rata in the first year, and held after the last notice
# (ASSUMPTION: renewed at every expiry since 2018). 2020's extra exemptions for small firms (免征, 人社部发〔2020〕11号)
# fall before the 2021 base year and are not quantified here.
PHASED_CUT_NOTICES = [
    ("2018-05-01", "2019-04-30", "人社部 财政部《关于继续阶段性降低社会保险费率的通知》人社部发〔2018〕25号 (number and the "
     "tiers by balance months as recalled, not re-verified)", "recalled"),
    ("2019-05-01", "2020-04-30", "国务院办公厅《降低社会保险费率综合方案》国办发〔2019〕13号, same conditions", "recalled"),
    ("2020-05-01", "2023-04-30", "yearly extensions by MOHRSS/MOF notices (2020, 2021, 2022), same conditions",
     "recalled"),
    ("2023-05-01", "2024-12-31", "人社部 财政部 国家税务总局《关于阶段性降低失业保险、工伤保险费率有关问题的通知》"
     "人社部发〔2023〕19号: '自2023年5月1日起，按照国办发〔2019〕13号有关实施条件，继续实施阶段性降低工伤保险费率政策，"
     "实施期限延长至2024年底' (text reprinted at http://m.cqfoy.com/zcjd/2023-4/6/234927.html)", "verified"),
]
PHASED_CUT_LEVEL = 0.25


def phased_cut_table(level: float = PHASED_CUT_LEVEL, expires_after: int | None = None) -> dict[int, float]:
    """{year: average phased cut} from ``PHASED_CUT_NOTICES``: 0 before 2018, ``level`` x 8/12 in 2018 (from 1 May),
    ``level`` from 2019, held after the last notice unless ``expires_after`` (a year) ends it (0 from the next)."""
    table = {2015: 0.0, 2018: round(level * 8 / 12, 6), 2019: level}
    if expires_after is not None:
        table[expires_after + 1] = 0.0
    return table


OPENING_2021 = PUBLISHED_2021["fund_balance"] - PUBLISHED_2021["total_income"] + PUBLISHED_2021["total_expenditure"]
RESERVE_SHARE = PUBLISHED_2021["reserve"] / PUBLISHED_2021["fund_balance"]


# Published figures after the 2021 base year that the default is checked against (back-test). Kinds: "level" (the
# variable at year end, in units of ``scale``), "quarter_index" (the year-on-year index of a quarter-end stock,
# published as the stock and its increase on a year before: the model's year-end stocks are interpolated linearly to
# the quarter end, Q(t, q) = (1 - q/4) Y(t-1) + (q/4) Y(t), and Q(t, q) / Q(t-1, q) is compared; the quarter-end
# stocks themselves sit 2-3% below the year-end ones, e.g. 29,429 万 at the end of March 2024 after 30,166 万 at the end
# of 2023, so only their year-on-year ratio is used). Tolerances: 1% for the counts (derived to the 万 from a
# published stock and its increase; the national insured move by 1-4% a year). No national work-injury income,
# expenditure, balance, beneficiary or case figure of 2022-2025 was found in a citable copy (the MOHRSS bulletins of
# 2022-2024 are not in the sources searched); the fund's flows enter the three-funds totals of 2022 and 2023 that
# sibrisk.funds.enterprise_pension.calibration.BACKTEST checks (scope "three_funds", referenced, not repeated here).
BACKTEST = [
    {"year": 2022, "item": "work-injury insured, year end (万人)", "published": 29112.0, "kind": "level",
     "variable": "contributors", "scale": 1e4, "tolerance": 0.01,
     "source": "derived: 28,287 (2021 bulletin) + the 2022 increase of 825 万 ('工伤保险参保人数…2.9亿人…同比增加…825万人', "
               "MOHRSS via 中商情报网 2023-02-24, reprint http://loja-hidrogenio.com/news/data/hongguan/20230224/"
               "094421267720305584816802.shtml)"},
    {"year": 2023, "item": "work-injury insured, year end (万人)", "published": 30166.0, "kind": "level",
     "variable": "contributors", "scale": 1e4, "tolerance": 0.01,
     "source": "derived: 29,112 + the 2023 increase of 1,054 万 ('302 million … a year-on-year increase of … 10.54 "
               "million', Chen Feng, MOHRSS Q4 press conference, China News Service 2024-01-24, reprint http://www."
               "tellerreport.com/business/2024-01-24-ministry-of-human-resources-and-social-security--12-44-million-"
               "new-urban-jobs-will-be-created-in-2023--and-the-employment-situation-will-remain-generally-stable."
               "Hy8vTPeRK6.html)"},
    {"year": 2024, "quarter": 2, "item": "work-injury insured, end of June, index on a year before", "kind":
     "quarter_index", "published": round(29900.0 / (29900.0 - 478.0), 5), "variable": "contributors", "scale": 1.0,
     "tolerance": 0.01,
     "source": "299 million at the end of June 2024, 'an increase of … 4.78 million year-on-year' (Chen Feng, SCIO "
               "press conference 2024-07-23, Cailianshe reprint https://information.bz/english/news/view/2024/07/23/"
               "4061.html): 29,900 / 29,422"},
    {"year": 2025, "quarter": 1, "item": "work-injury insured, end of March, index on a year before", "kind":
     "quarter_index", "published": round(29700.0 / (29700.0 - 271.0), 5), "variable": "contributors", "scale": 1.0,
     "tolerance": 0.01,
     "source": "297 million at the end of March 2025, an increase of 2.71 million (MOHRSS Q1 2025 release, CCTV News "
               "reprint https://de.china-news-online.com/lang/Canada/424725.html): 29,700 / 29,429"},
]
BACKTEST_TOLERANCE = 0.01


def backtest_value(row: dict, ds) -> float:
    """The projected value of one ``BACKTEST`` row from a work-injury projection ``ds`` (first scenario)."""
    if "scenario" in ds.dims:
        ds = ds.isel(scenario=0)
    y = ds[row["variable"]]
    if row["kind"] == "level":
        return float(y.sel(year=row["year"])) / row["scale"]
    if row["kind"] == "quarter_index":
        q, t = row["quarter"] / 4.0, row["year"]

        def stock(year):
            return (1 - q) * float(y.sel(year=year - 1)) + q * float(y.sel(year=year))
        return stock(t) / stock(t - 1)
    raise ValueError(f"unknown back-test row kind {row['kind']!r} (level, quarter_index)")


def backtest_table(ds=None, rows=None):
    """Projected vs published figures after 2021 (``BACKTEST``) from ``ds`` (default: the shipped default scenario).
    Returns a pandas DataFrame with each row's tolerance and whether the projection lands within it."""
    import sibrisk
    from sibrisk.funds.common.backtest import backtest_frame

    if ds is None:
        ds = sibrisk.project(sibrisk.load_scenario("work_injury_national"), keep_detail=False)
    return backtest_frame(BACKTEST if rows is None else rows, lambda b: backtest_value(b, ds),
                          digits=lambda b: 5 if b["kind"] == "quarter_index" else 1)


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
            .replace("@opening@", f"{OPENING_2021:.6e}").replace("@reserve_share@", f"{RESERVE_SHARE:.6f}")
            .replace("@phased_cut@", "{ " + ", ".join(f"{y} = {v:g}" for y, v in phased_cut_table().items()) + " }"))
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
