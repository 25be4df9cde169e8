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
