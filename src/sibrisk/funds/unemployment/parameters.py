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
    # surveyed urban unemployment rate, annual average (fraction; NBS), one value per year
    unemployment_rate: series_field("unemployment_rate")


class ContributionSpec(_Model):
    employer_rate: series_field("employer_rate")  # employer contribution rate (fraction of the contribution base)
    employee_rate: series_field("employee_rate")  # employee contribution rate (fraction of the contribution base)
    base_ratio: Annotated[float, Field(gt=0.0, le=3.0)]  # average contribution base / average wage (ratio)
    note: str = ""  # free text: sources and assumptions of the section


class CoverageSpec(_Model):
    """Insured = coverage rate x population by age and sex (year end). ``rates`` are coverage of the population
    not yet at statutory retirement age; the share past it (``funds.common.statutory``, by birth cohort) is not
    covered. ``growth``: the coverage rates grow by this each year after the base year (capped at 1)."""
    rates: AgeTable  # insured / population not yet retired, by single year of age 16..100+ and sex (fraction)
    growth: series_field("growth") = 0.0  # yearly growth of the coverage rates after the base year (fraction a year)
    retirement_reform: bool = True  # statutory retirement ages of the 2024 NPC reform (True) or the pre-2025 ages
    female_cadre_share: Rate = 0.3  # share of women under the cadre retirement age (55 before the reform; fraction)
    note: str = ""  # free text: sources and assumptions of the section

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
    takeup: series_field("rate")  # new benefit claims in a year per unemployed insured person (claims/person)
    # claims follow the unemployment rate of the year (weight 1 - w) and of the year before (weight w); 0: the
    # year's own rate only (fraction)
    claims_lag_weight: Rate = 0.0
    share_1_to_5: series_field("share")   # share of claimants with 1 to <5 contribution years (Art. 17; fraction)
    share_5_to_10: series_field("share")  # share of claimants with 5 to <10 contribution years (fraction)
    share_10_plus: series_field("share")  # share of claimants with 10 or more contribution years (fraction)
    # maximum benefit months of the three bands (失业保险条例 Art. 17: 12, 18, 24; months)
    max_months: list[Annotated[float, Field(ge=0.0, le=60.0)]] = list(STATUTORY_MAX_MONTHS)
    mean_spell_months: series_field("months", bounds=(0.1, 240.0))  # mean uncapped spell of a claimant (months)
    minimum_wage: series_field("yuan", bounds=(0.0, 1e5))  # minimum wage the benefit is set against (yuan/month)
    # first year in which the minimum wage grows with the average wage instead of its dated levels (year; none:
    # the dated levels hold)
    minimum_wage_indexed_from: Annotated[int, Field(ge=1990, le=2200)] | None = None
    share_of_minimum_wage: series_field("rate")  # monthly benefit / minimum wage (Art. 18; 人社部发〔2017〕71号: 90%)
    medical_premium_share: series_field("share")  # medical premiums paid for recipients / benefit paid (ratio)
    note: str = ""  # free text: sources and assumptions of the section

    @field_validator("max_months")
    @classmethod
    def _three(cls, v):
        if len(v) != 3:
            raise ValueError(f"needs 3 values (bands 1-5, 5-10, 10+ contribution years); got {len(v)}")
        return v


class OtherExpenditureSpec(_Model):
    """Non-benefit expenditure: job-stabilisation refunds (稳岗返还) and skills/training and other subsidies, as
    shares of the year's contribution income, plus a dated amount (yuan)."""
    # job-stabilisation refunds (稳岗返还) / the year's contribution income (fraction)
    job_stabilisation_share: series_field("share")
    # skills, training and other non-benefit spending / the year's contribution income (fraction)
    skills_and_other_share: series_field("share")
    # dated other expenditure (one-off measures such as 一次性留工培训补助, 一次性扩岗补助; yuan a year)
    amount: series_field("amount", extensive=True) = 0.0
    note: str = ""  # free text: sources and assumptions of the section


class InitialState(_Model):
    """The fund and the state of the base year. ``insured_exposure``: the base year's contributions and claims are
    on its year-end insured times this (1: year-end insured, as the national calibration has it; a scenario re-based
    onto a later year of a projection carries that year's mid-year exposure, the mean of the insured at the start
    and the end of the year, over its year-end insured). ``opening_recipients_ratio``: persons on benefit on
    1 January of the base year over those at its year end (1: the steady state; a re-based scenario carries the
    projection's stock at the end of the year before over the one at the end of its year). A ratio, not a count,
    so that it follows the region's size and the calibrated take-up."""
    fund_balance: Annotated[float, EXTENSIVE]  # fund on 1 January of the base year (yuan)
    # base year's insured exposure / its year-end insured (ratio; 1: year-end insured)
    insured_exposure: Annotated[float, Field(ge=0.5, le=1.5)] = 1.0
    # recipients on 1 January of the base year / at its year end (ratio; 1: steady state)
    opening_recipients_ratio: Annotated[float, Field(ge=0.2, le=5.0)] = 1.0
    # unemployment rate of the year before the base year, for claims that follow it (fraction; none: the base
    # year's own rate)
    unemployment_rate_before: Rate | None = None
    note: str = ""  # free text: sources and assumptions of the section

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class UnemploymentScenario(ScenarioBase):
    """A validated scenario of unemployment insurance."""
    FIRST_AGE = AGE_MIN

    economy: UnemploymentEconomy  # the shared economic paths; the unemployment rate is required here
    population: PopulationSpec | None = None  # projected population (insured = coverage x population)
    contributions: ContributionSpec  # contribution rates and the average contribution base
    coverage: CoverageSpec  # coverage rates by age and sex and their growth
    benefits: BenefitSpec  # claims, durations and level of unemployment benefit
    other_expenditure: OtherExpenditureSpec  # refunds, skills subsidies and dated one-off measures
    subsidy: SubsidySpec  # fiscal subsidy rule
    initial: InitialState  # the fund and the carried state on 1 January of the base year

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
