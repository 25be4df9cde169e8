"""Scenario sections of the enterprise employee basic pension (企业职工基本养老保险): contributions, benefits, subsidy,
initial state and entrants, on top of the sections every fund shares (``sibrisk.scenario``)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, field_validator

from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SubsidySpec
from sibrisk.scenario import EconomySpec, Rate, ScenarioBase, _check_number, _Model, age_table, series_field

AGE_MIN = 16
AgeTable = age_table(AGE_MIN)


class PensionEconomy(EconomySpec):
    benefit_indexation: series_field("benefit_indexation")
    account_crediting_rate: series_field("account_crediting_rate")


class ContributionSpec(_Model):
    employer_rate: series_field("employer_rate")
    employee_rate: series_field("employee_rate")
    individual_account_rate: series_field("individual_account_rate")
    base_ratio: Annotated[float, Field(gt=0.0, le=10.0)]
    note: str = ""


class BenefitSpec(_Model):
    accrual_rate: Annotated[float, Field(ge=0.0, le=0.05)] = 0.01
    transitional_coefficient: Annotated[float, Field(ge=0.0, le=0.05)] = 0.012
    deemed_service_end_year: Annotated[int, Field(ge=1950, le=2100)] = 1996
    work_start_age: Annotated[float, Field(ge=14.0, le=40.0)] = 22.0
    retirement_reform: bool = True
    female_cadre_share: Rate = 0.3
    forced_retirement_age: Annotated[int, Field(ge=50, le=100)] = 75
    note: str = ""


class InitialState(_Model):
    fund_balance: float
    contributors: Annotated[float, Field(gt=0.0)]
    retirees: Annotated[float, Field(ge=0.0)]
    average_benefit: Annotated[float, Field(ge=0.0)]
    contribution_density: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    history_wage_growth: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.1
    history_crediting_rate: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.05
    account_start_year: Annotated[int, Field(ge=1990, le=2100)] = 1996
    contributors_profile: AgeTable
    retirees_profile: AgeTable
    note: str = ""

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class EntrantSpec(_Model):
    total: series_field("new_entrants")
    profile: AgeTable
    note: str = ""


class PensionScenario(ScenarioBase):
    """A validated scenario of an employee pension scheme (enterprise or public sector: same sections)."""
    FIRST_AGE = AGE_MIN

    economy: PensionEconomy
    contributions: ContributionSpec
    benefits: BenefitSpec
    subsidy: SubsidySpec
    initial: InitialState
    entrants: EntrantSpec

    def check(self) -> None:
        super().check()
        src = self.source
        for key in ("employer_rate", "employee_rate", "individual_account_rate"):
            self.series(f"contributions.{key}")
        self.series("entrants.total")
        from sibrisk.funds.common.accounts import subsidy_parameters

        subsidy_parameters(self)
        ia = self.series("contributions.individual_account_rate")
        tot = self.series("contributions.employer_rate") + self.series("contributions.employee_rate")
        if np.any(ia > tot):
            raise InputError("individual account rate exceeds the total contribution rate", file=src,
                             field="contributions.individual_account_rate",
                             value=self.contributions.individual_account_rate)
