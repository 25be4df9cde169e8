"""Scenario sections of the basic pension insurance for urban and rural residents (城乡居民基本养老保险, 国发〔2014〕8号):
coverage of the projected population, flat contributions, basic and individual-account pensions, the fiscal subsidy
and the initial state, on top of the sections every fund shares (``sibrisk.scenario``)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, field_validator, model_validator

from sibrisk.demography.population import PopulationSpec
from sibrisk.funds.common.carried import Exposure, check_stock_arrays
from sibrisk.scenario import (AGE_MAX, EXTENSIVE, EconomySpec, Rate, ScenarioBase, _check_number, _Model, age_table,
                              series_field)

AGE_MIN = 16  # the scheme covers residents aged 16 and over (国发〔2014〕8号)
AgeTable = age_table(AGE_MIN)

YUAN_YEAR = (0.0, 1e5)    # a flat amount per person and year
YUAN_MONTH = (0.0, 1e4)   # a monthly pension level


class ResidentEconomy(EconomySpec):
    # yearly increase of the basic pension from ``benefits.indexation_from`` on (rate a year)
    benefit_indexation: series_field("benefit_indexation")
    # crediting rate of the individual accounts (个人账户记账利率; rate a year)
    account_crediting_rate: series_field("account_crediting_rate")


class CoverageSpec(_Model):
    """Participants = population x coverage rate, by age and sex (every value an ASSUMPTION calibrated to totals).

    coverage(t, a, s) = max(0, 1 - employee_share(t, a) - student_share(a, s)) x take-up(t, a), where the share of a
    cohort in the employee schemes (enterprise and public sector, workers or retirees) is
    employee_plateau x Phi((a - entry_mean) / entry_sd) x exp(-cohort_decline x max(base-year age - reference_age, 0)):
    a cohort's share is fixed once it has entered work, and cohorts older than reference_age in the base year were
    less often insured, the older the less; the share is further times (1 + employee_growth)^n, n the years from
    employee_growth_from to min(t, employee_growth_until) in which the cohort was below the pension age (residents
    moving into the employee schemes at working ages; a cohort's share is fixed from the pension age on). Take-up
    differs below and from the pension age.
    """
    # the age from which participants draw the pension and stop contributing (years; 60, 国发〔2014〕8号)
    pension_age: Annotated[int, Field(ge=50, le=70)] = 60
    # share of a cohort in the employee schemes once it has entered work (before the cohort decline)
    employee_plateau: Rate
    # how much less often older cohorts were in the employee schemes: the share is times exp(-this x the years of
    # base-year age above ``employee_reference_age``) (per year of age)
    employee_cohort_decline: Annotated[float, Field(ge=0.0, le=0.5)]
    # base-year age above which cohorts were less often in the employee schemes (years)
    employee_reference_age: Annotated[float, Field(ge=16.0, le=60.0)] = 30.0
    # mean age of entering the employee schemes (years; the share ramps up as a normal distribution function)
    employee_entry_mean: Annotated[float, Field(ge=14.0, le=40.0)] = 22.0
    # standard deviation of that entry age (years)
    employee_entry_sd: Annotated[float, Field(gt=0.0, le=15.0)] = 3.0
    # yearly growth of every cohort's employee share while it is below the pension age, from ``employee_growth_from``
    # on (rate a year): residents moving into the employee schemes at working ages (the employee schemes grew
    # 48,074 -> 52,121万 participants 2021-2023 while the resident scheme shrank); 0 keeps the shares fixed by cohort
    employee_growth: Annotated[float, Field(ge=-0.1, le=0.2)] = 0.0
    # the first calendar year the employee shares grow (a calendar year, so a re-based scenario continues the trend)
    employee_growth_from: Annotated[int, Field(ge=1990, le=2200)] = 2022
    # the last calendar year the employee shares grow (from the year after, shares are again fixed by cohort)
    employee_growth_until: Annotated[int, Field(ge=1990, le=2200)] = 2200
    # share of the eligible residents below the pension age who participate (dated)
    takeup_working: series_field("rate")
    # share of the eligible residents from the pension age who participate (draw the pension; dated)
    takeup_pension: series_field("rate")
    # share of each age and sex in full-time education, not eligible (ages 16..100+)
    student_share: AgeTable
    # free text: the basis of the coverage assumptions and the totals they are calibrated to
    note: str = ""

    @model_validator(mode="after")
    def _growth_years(self):
        if self.employee_growth_until < self.employee_growth_from:
            raise ValueError(f"employee_growth_until ({self.employee_growth_until}) is before employee_growth_from "
                             f"({self.employee_growth_from}): the employee shares would never grow")
        return self

    @field_validator("student_share")
    @classmethod
    def _shares(cls, v):
        for sex in ("male", "female"):
            for i, x in enumerate(getattr(v, sex)):
                if x > 1.0:
                    raise ValueError(f"{sex} age {AGE_MIN + i} ({x!r}) is a share of the population: must be at most 1")
        return v


class ContributionSpec(_Model):
    """Flat individual contributions (tiers 100..2,000 yuan a year, 国发〔2014〕8号): the average paid per contributor."""
    # average contribution per contributor (yuan a year; dated), times the cumulated ``growth`` after the base year
    average: series_field("yuan", bounds=YUAN_YEAR)
    # growth of the average contribution (rate a year; from the year after the base year)
    growth: series_field("growth") = 0.0
    # share of participants below the pension age who contribute in the year
    density: series_field("rate")
    # free text: the basis and sources of the contribution assumptions
    note: str = ""


class BenefitSpec(_Model):
    """Monthly basic pension = central minimum + local top-up (yuan/month) until ``indexation_from``, then last year's
    level x (1 + economy.benefit_indexation); account pension = account at the pension age / payout months x 12."""
    # the central minimum basic pension (中央确定的基础养老金最低标准; yuan a month; dated)
    central_minimum: series_field("yuan", bounds=YUAN_MONTH)
    # the average local addition to the basic pension (地方提高的基础养老金; yuan a month; dated)
    local_top_up: series_field("yuan", bounds=YUAN_MONTH)
    # the first year the basic pension is last year's times (1 + ``economy.benefit_indexation``) instead of minimum +
    # top-up
    indexation_from: Annotated[int, Field(ge=1990, le=2200)] = 2026
    # other expenditure as a share of benefit expenditure (basic and account pensions)
    other_expenditure_share: series_field("rate") = 0.0
    # free text: the basis and sources of the benefit levels
    note: str = ""


class SubsidySpec(_Model):
    """Fiscal subsidy = basic pension cost (出口补贴) + matching per contributor (入口补贴, at least 30 yuan a year)
    + ``other_expenditure_financed`` x other expenditure."""
    # the government's matching contribution per contributor (入口补贴; yuan a year; dated)
    matching: series_field("yuan", bounds=YUAN_YEAR)
    # share of other expenditure that the subsidy pays
    other_expenditure_financed: series_field("rate") = 1.0
    # free text: the basis and sources of the subsidy assumptions
    note: str = ""


class CarriedState(_Model):
    """The individual accounts by age (16..100+) and sex at the end of the base year, carried from a projection by
    ``sibrisk.rebase`` (a later base year continues the projection instead of rebuilding the accounts from the
    contribution-history assumptions ``history_contribution``, ``history_growth``, ``history_crediting_rate``).
    Per-person values (the participants themselves are coverage x population): ``account`` is read below the pension
    age, ``account_pension`` from it."""
    # where the carried accounts come from (the projection and year ``sibrisk.rebase`` carried them from)
    source: str = ""
    account: list[list[float]]           # (A, 2) average account per participant below the pension age, yuan
    account_pension: list[list[float]]   # (A, 2) average account pension per beneficiary, yuan a year

    @model_validator(mode="after")
    def _shapes(self):
        n = AGE_MAX - AGE_MIN + 1
        check_stock_arrays(self, ("account", "account_pension"), (n, 2), f"{n} ages ({AGE_MIN}..{AGE_MAX}+) x 2 sexes",
                           "yuan")
        return self


class InitialState(_Model):
    # the fund's balance on 1 January of the base year (yuan)
    fund_balance: Annotated[float, EXTENSIVE]
    # the year individual accounts began (2009: the 新农保 pilot); no account before it
    account_start_year: Annotated[int, Field(ge=1980, le=2100)] = 2009
    # contribution plus matching credited to an account per contributing year, in base-year yuan (yuan a year; a
    # modelling assumption to rebuild the accounts)
    history_contribution: Annotated[float, Field(ge=0.0, le=1e5)]
    # yearly growth of that credit before the base year (rate a year; a modelling assumption)
    history_growth: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.05
    # average account crediting rate before the base year (rate a year; a modelling assumption)
    history_crediting_rate: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.04
    # individual accounts carried from a projection (``CarriedState``) in place of the history assumptions
    state: CarriedState | None = None
    # the base year pays its pensions on its year-end beneficiaries times these (1: year-end stocks, as the national
    # calibration has it; a re-based scenario carrying its state sets the projection's mid-year exposures, so that its
    # base year shows the projection's flows): beneficiaries (the basic pension), their account pensions
    beneficiary_exposure: Exposure = 1.0
    # the same for the base year's account pensions (ratio; see ``beneficiary_exposure``)
    account_pension_exposure: Exposure = 1.0
    # free text: the sources of the initial state
    note: str = ""

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class ResidentPensionScenario(ScenarioBase):
    """A validated scenario of the resident pension scheme."""
    FIRST_AGE = AGE_MIN

    # the economic paths, with the pension indexation and the account crediting rate (``ResidentEconomy``)
    economy: ResidentEconomy
    # the projected population the coverage applies to (``PopulationSpec``; the shipped national one when left out)
    population: PopulationSpec | None = None
    # participants as a share of the population by age and sex (``CoverageSpec``)
    coverage: CoverageSpec
    # the flat contributions (``ContributionSpec``)
    contributions: ContributionSpec
    # the basic and account pensions (``BenefitSpec``)
    benefits: BenefitSpec
    # the fiscal subsidy (``SubsidySpec``)
    subsidy: SubsidySpec
    # the state at the base year (``InitialState``)
    initial: InitialState

    def check(self) -> None:
        super().check()
        for key in ("coverage.takeup_working", "coverage.takeup_pension", "contributions.average",
                    "contributions.growth", "contributions.density", "benefits.central_minimum",
                    "benefits.local_top_up", "benefits.other_expenditure_share", "subsidy.matching",
                    "subsidy.other_expenditure_financed"):
            self.series(key)  # every series must fit the horizon
        if self.population is not None:
            self.series("population.tfr")
            self.series("population.net_migration")
        np.asarray(self.coverage.student_share.array())
