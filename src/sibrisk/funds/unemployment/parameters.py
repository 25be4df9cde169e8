"""Scenario sections of unemployment insurance (失业保险): contributions, coverage of the population, claims and
benefits (失业保险条例, 国务院令第258号), other expenditure (稳岗返还, skills subsidies), subsidy and initial state, on
top of the sections every fund shares (``sibrisk.scenario``)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, field_validator

from sibrisk.demography.population import PopulationSpec
from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SubsidySpec
from sibrisk.scenario import EXTENSIVE, EconomySpec, Rate, ScenarioBase, _check_number, _Model, age_table, series_field

AGE_MIN = 16
AgeTable = age_table(AGE_MIN)
# contribution-years bands of 失业保险条例 Art. 17: 1-<5 years, 5-<10 years, 10 years and more
BANDS = ("1_to_5", "5_to_10", "10_plus")
STATUTORY_MAX_MONTHS = (12.0, 18.0, 24.0)


class UnemploymentEconomy(EconomySpec):
    """The shared economy; the unemployment rate (surveyed urban rate, annual average) is required here."""
    unemployment_rate: series_field("unemployment_rate")


class ContributionSpec(_Model):
    employer_rate: series_field("employer_rate")
    employee_rate: series_field("employee_rate")
    base_ratio: Annotated[float, Field(gt=0.0, le=3.0)]  # average contribution base / average wage
    note: str = ""


class CoverageSpec(_Model):
    """Insured = coverage rate x population by age and sex (year end). ``rates`` are coverage of the population
    not yet at statutory retirement age; the share past it (``funds.common.statutory``, by birth cohort) is not
    covered. ``growth``: the coverage rates grow by this each year after the base year (capped at 1)."""
    rates: AgeTable
    growth: series_field("growth") = 0.0
    retirement_reform: bool = True
    female_cadre_share: Rate = 0.3
    note: str = ""

    @field_validator("rates")
    @classmethod
    def _at_most_one(cls, v):
        for sex in ("male", "female"):
            arr = getattr(v, sex)
            for i, x in enumerate(arr):
                if x > 1.0:
                    raise ValueError(f"{sex} coverage rate at age {AGE_MIN + i} is {x!r}: a coverage rate cannot "
                                     f"exceed 1")
        return v


class BenefitSpec(_Model):
    """Claims, duration and level of unemployment benefit (失业保险金)."""
    takeup: series_field("rate")  # new benefit claims in a year per unemployed insured person
    share_1_to_5: series_field("share")   # claimants by contribution years (bands of Art. 17)
    share_5_to_10: series_field("share")
    share_10_plus: series_field("share")
    max_months: list[Annotated[float, Field(ge=0.0, le=60.0)]] = list(STATUTORY_MAX_MONTHS)
    mean_spell_months: series_field("months", bounds=(0.1, 240.0))  # uncapped unemployment spell of a claimant
    minimum_wage: series_field("yuan", bounds=(0.0, 1e5))  # yuan/month
    minimum_wage_indexed_from: Annotated[int, Field(ge=1990, le=2200)] | None = None
    share_of_minimum_wage: series_field("rate")
    medical_premium_share: series_field("share")  # medical premiums paid for recipients / benefit paid
    note: str = ""

    @field_validator("max_months")
    @classmethod
    def _three(cls, v):
        if len(v) != 3:
            raise ValueError(f"needs 3 values (bands 1-5, 5-10, 10+ contribution years); got {len(v)}")
        return v


class OtherExpenditureSpec(_Model):
    """Non-benefit expenditure: job-stabilisation refunds (稳岗返还) and skills/training and other subsidies, as
    shares of the year's contribution income, plus a dated amount (yuan)."""
    job_stabilisation_share: series_field("share")
    skills_and_other_share: series_field("share")
    amount: series_field("amount", extensive=True) = 0.0
    note: str = ""


class InitialState(_Model):
    """The fund and the state of the base year. ``insured_exposure``: the base year's contributions and claims are
    on its year-end insured times this (1: year-end insured, as the national calibration has it; a scenario re-based
    onto a later year of a projection carries that year's mid-year exposure, the mean of the insured at the start
    and the end of the year, over its year-end insured). ``opening_recipients_ratio``: persons on benefit on
    1 January of the base year over those at its year end (1: the steady state; a re-based scenario carries the
    projection's stock at the end of the year before over the one at the end of its year). A ratio, not a count,
    so that it follows the region's size and the calibrated take-up."""
    fund_balance: Annotated[float, EXTENSIVE]  # 1 January of the base year, yuan
    insured_exposure: Annotated[float, Field(ge=0.5, le=1.5)] = 1.0
    opening_recipients_ratio: Annotated[float, Field(ge=0.2, le=5.0)] = 1.0
    note: str = ""

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class UnemploymentScenario(ScenarioBase):
    """A validated scenario of unemployment insurance."""
    FIRST_AGE = AGE_MIN

    economy: UnemploymentEconomy
    population: PopulationSpec | None = None
    contributions: ContributionSpec
    coverage: CoverageSpec
    benefits: BenefitSpec
    other_expenditure: OtherExpenditureSpec
    subsidy: SubsidySpec
    initial: InitialState

    def check(self) -> None:
        super().check()
        for key in ("employer_rate", "employee_rate"):
            self.series(f"contributions.{key}")
        self.series("coverage.growth")
        for key in ("takeup", "mean_spell_months", "minimum_wage", "share_of_minimum_wage", "medical_premium_share"):
            self.series(f"benefits.{key}")
        for key in ("job_stabilisation_share", "skills_and_other_share", "amount"):
            self.series(f"other_expenditure.{key}")
        shares = sum(self.series(f"benefits.share_{b}") for b in BANDS)
        if np.any(np.abs(shares - 1.0) > 1e-6):
            bad = int(self.years[np.argmax(np.abs(shares - 1.0))])
            raise InputError(f"claimant shares by contribution-years band must sum to 1 (in {bad} they sum to "
                             f"{shares[bad - self.years[0]]:.6g})", file=self.source, field="benefits.share_1_to_5",
                             value=self.benefits.share_1_to_5)
        if self.population is not None:
            self.series("population.tfr")
            self.series("population.net_migration")
        from sibrisk.funds.common.accounts import subsidy_parameters

        subsidy_parameters(self)
