"""How the shipped public-sector default scenario was made: the base year (the urban employee totals minus the
enterprise scheme), assumed age profiles, and three calibrated values.

Run ``python -m sibrisk.funds.public_sector_pension.calibration`` to regenerate
``scenarios/public_sector_pension_national.toml``. Everything here is a modelling assumption except the published
totals, which carry their sources (``sibrisk.funds.enterprise_pension.calibration``, where the split is made once).

Calibrated, each re-derivable by a test:
- ``floor_months`` of the gap-to-floor subsidy: the 2021 balance in months of 2021 expenditure, so that the budget
  holds the fund where it stood; with it the base year's total income equals the published remainder exactly;
- ``old_method_coefficient`` of the transition (``old_method_coefficient``);
- the entrants table that keeps the number of contributors at its 2021 level (``staffing_entrants``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from sibrisk.funds.enterprise_pension.calibration import (PUBLIC_SECTOR_2021, _fmt,
                                                          assumed_profiles)
from sibrisk.funds.enterprise_pension.parameters import AGE_MIN

# The scheme's 2021 base year: derived as the urban employee totals (MOHRSS 2021 bulletin) minus the enterprise
# scheme's figures (rounded official statements and labelled ASSUMPTIONS; see ENTERPRISE_2021). Not published.
PUBLISHED_2021 = dict(PUBLIC_SECTOR_2021)
# ASSUMPTIONS of the age profiles (shapes only; totals from PUBLISHED_2021): public employees enter after university
# (mean 25, s.d. 3), 90% of women are cadres (retiring at 55, the rest at 50), and every older cohort was covered
# (public employees always drew a retirement pension), so no coverage decline with age among retirees.
PROFILE_ASSUMPTIONS = dict(entry_mean=25.0, entry_sd=3.0, female_cadre_share=0.9, retiree_coverage_decline=0.0)
REPRESENTATIVE_RETIREMENT_AGE = 60  # the transition's representative retiree: a man retiring at 60 (pre-2025 age)
ENTRANT_BLOCK = 5  # years per step of the staffing entrants table


# Back-test (issue 18): published figures after the 2021 base year. No national figure of this scheme alone after
# 2021 was found in a citable copy: the MOF 全国社会保险基金决算 / 预算 lines of 机关事业单位基本养老保险基金 (income,
# 保险费收入, 财政补贴收入, expenditure, balance) for 2022-2024 and the scheme's insured and retirees are not in the
# sources searched (stored news reprints and MOF pages: only the central-level 2018 accounts, no national 2022-2024
# ones). BACKTEST therefore holds no row of its own; the scheme is checked (1) through the urban employee rows of
# sibrisk.funds.enterprise_pension.calibration.BACKTEST (scope "urban_employee": this default and the enterprise
# default together; referenced by ``referenced_rows``, not copied), and (2) region by region through Fujian's
# month-end reports of 2022-2024 (sibrisk.regions_data, tests/test_fujian.py: within 5%).
BACKTEST: list[dict] = []
BACKTEST_TOLERANCE = 0.05  # the urban employee rows' tolerance (counts, derived to the 万)
# The fiscal subsidy as published before the base year, for a plausibility check of the derived 2021 subsidy (the
# gap the budget fills: 4,428 亿 in the default, 27% of the scheme's income; with the enterprise default's 6,500 亿,
# 10,928 亿 for both schemes): the 2019 fiscal subsidy to the urban employee pension (both schemes), MOF 2019 national
# social insurance fund final accounts, as quoted in shared/DOMAIN.md section 5.
URBAN_EMPLOYEE_SUBSIDY_2019 = {"value": 10318.66e8, "source": "MOF, 2019年全国社会保险基金决算 (urban employee basic "
                               "pension, 财政补贴收入), quoted in shared/DOMAIN.md section 5"}


def referenced_rows() -> list[dict]:
    """The enterprise pension's back-test rows that include this scheme (scope "urban_employee")."""
    from sibrisk.funds.enterprise_pension.calibration import BACKTEST as EMPLOYEE_BACKTEST

    return [b for b in EMPLOYEE_BACKTEST if b["scope"] == "urban_employee"]


def backtest_table(public_sector=None, enterprise=None):
    """The urban employee rows (``referenced_rows``) projected by the two employee defaults (or the given
    projections), with this scheme's part: a pandas DataFrame of published, projected (both schemes), difference,
    tolerance, within, public_sector (this scheme's projected value) and public_share."""
    from sibrisk.funds.common.backtest import backtest_frame
    from sibrisk.funds.enterprise_pension.calibration import _default_projection, backtest_value

    proj = {"public_sector_pension": public_sector if public_sector is not None
            else _default_projection("public_sector_pension"),
            "enterprise_pension": enterprise if enterprise is not None
            else _default_projection("enterprise_pension")}
    def part(b, projected):
        own = backtest_value(dict(b, scope="enterprise"), {"enterprise_pension": proj["public_sector_pension"]})
        return {"public_sector": round(own, 1), "public_share": own / projected}

    return backtest_frame(referenced_rows() + BACKTEST, lambda b: backtest_value(b, proj), more=part)


def floor_months(pub: dict = PUBLISHED_2021) -> float:
    """Balance months at the end of 2021: year-end balance / (expenditure / 12)."""
    return pub["fund_balance"] / (pub["benefit_expenditure"] / 12.0)


def old_method_coefficient(sc, target_benefit: float) -> float:
    """Transitional coefficient at which the base-year-plus-one new pension of a man retiring at 60 equals
    ``target_benefit`` (yuan a year), the assumed old-method level. The new pension (kernel contract) is
    accrual x W (1 + ratio)/2 x Y + 12 K / months + c x W x ratio x D, with W the base-year wage and Y, K, D the
    service, account and deemed years of the cell aged 59 at the end of the base year; solved for c."""
    from sibrisk.funds.common import statutory as policy
    from sibrisk.funds.enterprise_pension.inputs import BASE_RATIO_BOUNDS, initial_accounts

    ages = sc.ages
    j = REPRESENTATIVE_RETIREMENT_AGE - AGE_MIN
    ratio = float(np.clip(sc.contributions.base_ratio, *BASE_RATIO_BOUNDS))
    acct0 = float(sc.series("contributions.individual_account_rate")[0])
    y0, k0 = initial_accounts(sc, ages, np.full((len(ages), 2), ratio), acct0)
    ys, ks = y0[j - 1, 0], k0[j - 1, 0]
    ben = sc.benefits
    birth = sc.projection.base_year + 1 - REPRESENTATIVE_RETIREMENT_AGE
    deemed = max(0.0, ben.deemed_service_end_year - (birth + ben.work_start_age))
    wage = sc.economy.average_wage
    months = float(policy.payout_months(np.array([REPRESENTATIVE_RETIREMENT_AGE]))[0])
    rest = ben.accrual_rate * wage * (1 + ratio) / 2 * ys + 12 * ks / months
    return (target_benefit - rest) / (wage * ratio * min(ys, deemed))


def staffing_entrants(sc) -> dict[int, float]:
    """Entrants that replace the contributors who retire or die, so that contributors stay near their base-year
    level: exits(t) = C(t-1) + E(t) - C(t) from a projection of ``sc``, averaged over blocks of ``ENTRANT_BLOCK``
    years from the base year (rounded to 1,000 persons), keyed by each block's first year."""
    from sibrisk.projection import project

    ds = project(sc, keep_detail=False, indicators=False)
    c = ds.contributors.values
    e = sc.series("entrants.total")
    exits = c[:-1] + e[1:] - c[1:]  # years base+1 .. end
    years = sc.years[1:]
    base = sc.projection.base_year
    out = {}
    for start in range(base, int(years[-1]) + 1, ENTRANT_BLOCK):  # the base year's own entrants are not used
        sel = (years >= start) & (years < start + ENTRANT_BLOCK)
        out[start] = round(float(exits[sel].mean()), -3)
    return out


def _table(values: dict[int, float]) -> str:
    return "{ " + ", ".join(f"{y} = {v:.1f}" for y, v in values.items()) + " }"


def write_default_scenario(path: Path) -> None:
    """Fill the template with the base year and profiles; solve ``old_method_coefficient``; then two passes of
    ``staffing_entrants`` starting from a flat 1.2 million a year."""
    from sibrisk.scenario import load_scenario

    pub = PUBLISHED_2021
    prof = assumed_profiles(**PROFILE_ASSUMPTIONS)
    text = Path(__file__).with_name("default_scenario.toml.in").read_text(encoding="utf-8")
    for key, arr in prof.items():
        text = text.replace(f"@{key}_male@", _fmt(arr[:, 0] / arr[:, 0].max()))
        text = text.replace(f"@{key}_female@", _fmt(arr[:, 1] / arr[:, 0].max()))
    opening = pub["fund_balance"] - pub["total_income"] + pub["benefit_expenditure"]
    average_benefit = pub["benefit_expenditure"] / pub["beneficiaries"]
    text = text.replace("@opening@", f"{opening:.6e}")
    text = text.replace("@contributors@", f"{pub['contributors']:.1f}")
    text = text.replace("@retirees@", f"{pub['beneficiaries']:.1f}")
    text = text.replace("@average_benefit@", f"{average_benefit:.2f}")
    text = text.replace("@floor_months@", f"{floor_months(pub):.6f}")

    def write(old_method: str, entrants: dict[int, float]):
        path.write_text(text.replace("@old_method_coefficient@", old_method)
                        .replace("@entrants_total@", _table(entrants)), encoding="utf-8")
        return load_scenario(path)

    sc = write("0.012", {2021: 1.2e6})
    index_next = float(sc.series("economy.benefit_indexation")[1])
    coef = f"{old_method_coefficient(sc, average_benefit * (1 + index_next)):.6f}"
    entrants = {2021: 1.2e6}
    for _ in range(2):
        entrants = staffing_entrants(write(coef, entrants))
    write(coef, entrants)


if __name__ == "__main__":  # pragma: no cover
    target = (Path(sys.argv[1]) if len(sys.argv) > 1 else
              Path(__file__).resolve().parents[4] / "scenarios" / "public_sector_pension_national.toml")
    write_default_scenario(target)
    print(f"wrote {target}")
