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

# Published 2021 national figures, urban employee basic pension (enterprise and public sector schemes together),
# MOHRSS 2021年度人力资源和社会保障事业发展统计公报 (as quoted in DOMAIN.md section 5). 亿元 = 1e8 yuan, 万人 = 1e4 persons.
PUBLISHED_2021 = {
    "total_income": 60455e8,
    "benefit_expenditure": 56481e8,
    "fund_balance": 52574e8,
    "contributors": 34917e4,
    "beneficiaries": 13157e4,
    "source": "MOHRSS, 2021年度人力资源和社会保障事业发展统计公报 (urban employee basic pension, enterprise and "
              "public sector schemes together)",
}


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


def _fmt(values: np.ndarray) -> str:
    vals = [f"{v:.6g}" for v in values]
    lines = []
    for i in range(0, len(vals), 10):
        lines.append("  " + ", ".join(vals[i:i + 10]) + ",")
    return "[\n" + "\n".join(lines) + "\n]"


def write_default_scenario(path: Path) -> None:
    from sibrisk.scenario import load_scenario

    prof = assumed_profiles()
    template = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    pub = PUBLISHED_2021
    opening = pub["fund_balance"] - pub["total_income"] + pub["benefit_expenditure"]
    text = template
    for key, arr in prof.items():
        text = text.replace(f"@{key}_male@", _fmt(arr[:, 0] / arr[:, 0].max()))
        text = text.replace(f"@{key}_female@", _fmt(arr[:, 1] / arr[:, 0].max()))
    text = text.replace("@opening@", f"{opening:.6e}")
    text = text.replace("@average_benefit@", f"{pub['benefit_expenditure'] / pub['beneficiaries']:.2f}")
    text = text.replace("@subsidy_share@", "0.2")
    path.write_text(text, encoding="utf-8")
    # second pass: the share that reproduces published 2021 income, given the contributions the model computes
    from sibrisk.projection import project

    sc = load_scenario(path)
    ds = project(sc, keep_detail=False, indicators=False).isel(year=0)
    share = calibrated_subsidy_share(float(ds.contribution_income), float(ds.benefit_expenditure), opening,
                                     float(ds.interest_rate), pub["total_income"], sc.projection.flow_timing == "mid_year")
    path.write_text(text.replace("share = 0.2", f"share = {share:.6f}"), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[4] / "scenarios" / "enterprise_pension_national.toml"
    write_default_scenario(target)
    print(f"wrote {target}")
