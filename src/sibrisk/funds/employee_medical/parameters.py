"""Scenario sections of the employee basic medical insurance (职工基本医疗保险, maternity merged since 2019): the
population it draws its insured from, coverage, contributions and the two accounts, medical costs, subsidy and the
opening balances, on top of the sections every fund shares (``sibrisk.scenario``)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, field_validator

from sibrisk.demography.population import PopulationSpec
from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SubsidySpec
from sibrisk.scenario import EXTENSIVE, EconomySpec, Rate, ScenarioBase, _check_number, _Model, age_table, series_field

AGE_MIN = 16  # the employee scheme insures people in (or retired from) urban employment; children are in the resident scheme
AgeTable = age_table(AGE_MIN)


class MedicalEconomy(EconomySpec):
    """The shared economic paths, with medical cost growth required (it drives expenditure)."""
    # yearly growth of medical cost per member of a given age and sex (fraction a year; ageing comes from the cost
    # curve); the base year's value is not applied
    medical_cost_growth: series_field("medical_cost_growth")


class CoverageSpec(_Model):
    """Who is insured: ``profile`` (insured share of the population by age and sex at the end of the base year); at
    ages below ``cohort_age`` the share follows the profile times the cumulative ``working_trend``; from
    ``cohort_age`` on, each birth cohort keeps the share it had a year earlier (retirees stay insured without
    contributions, so coverage travels with the cohort). Within the insured, the share past the statutory retirement
    age of its birth cohort (``funds.common.statutory``) are retirees."""
    profile: AgeTable  # insured share of the population by age (16..100+) and sex at the end of the base year (0..1)
    # first age (years) from which a birth cohort keeps the insured share it had a year earlier
    cohort_age: Annotated[int, Field(ge=AGE_MIN + 1, le=100)] = 50
    # yearly growth of the insured share below cohort_age (fraction a year, cumulative from the base year)
    working_trend: series_field("growth") = 0.0
    retirement_reform: bool = True  # the 2024 NPC retirement-age reform (from 2025) applies: true / false
    female_cadre_share: Rate = 0.3  # share of insured women with the cadre retirement age (55, rising to 58) (0..1)
    note: str = ""  # free text: sources and assumptions of the section

    @field_validator("profile")
    @classmethod
    def _at_most_one(cls, v):
        arr = v.array()
        if np.any(arr > 1.0):
            j, s = np.argwhere(arr > 1.0)[0]
            sex = ("male", "female")[s]
            raise InputError(f"a coverage rate must be at most 1 ({sex}, age {AGE_MIN + j}: {arr[j, s]!r})",
                             field=sex, value=float(arr[j, s]))
        return v


class ContributionSpec(_Model):
    """Rates on the contribution base (``base_ratio`` x the average wage). ``worker_account_rate``: share of the base
    credited to in-service members' individual accounts (after 国办发〔2021〕14号 the employee's own 2%; before it,
    2% plus about 30% of the employer's contribution); ``retiree_account_credit``: yuan a year credited to each
    retiree's account out of the employer contributions (after the reform a fixed amount, about 2% of the
    reform-year average pension)."""
    employer_rate: series_field("employer_rate")  # employer contribution rate, maternity included (share of the base)
    employee_rate: series_field("employee_rate")  # employee contribution rate (share of the base)
    # share of the base credited to in-service members' individual accounts (fraction; post-reform: at most 2%)
    worker_account_rate: series_field("individual_account_rate")
    # yuan a year credited to each retiree's individual account out of employer contributions
    retiree_account_credit: series_field("yuan", bounds=(0.0, 1e6))
    base_ratio: Annotated[float, Field(gt=0.0, le=10.0)]  # average contribution base / average wage (ratio)
    # rate adjustment rule (None: off): when the pooled balance on 1 January is below ``adjustment_floor_months``
    # months of the previous year's pooled expenditure, the contribution rate rises by ``adjustment_step`` (to the
    # pooled fund) from that year on, cumulatively, at most ``adjustment_cap`` in all. ASSUMPTIONS: 1 point a year,
    # 5 points at most; a floor of 6 months is the lower end of the 6-9 months of 人社部发〔2009〕67号
    adjustment_floor_months: Annotated[float | None, Field(ge=0.0, le=120.0)] = None
    adjustment_step: Annotated[float, Field(ge=0.0, le=0.05)] = 0.01  # rate rise a year of the rule (share of the base)
    adjustment_cap: Annotated[float, Field(ge=0.0, le=0.2)] = 0.05  # largest total rise of the rule (share of the base)
    note: str = ""  # free text: sources and assumptions of the section


class BenefitSpec(_Model):
    """Medical cost per insured person = ``base_cost`` x ``cost_curve``(age, sex) x (``retiree_factor`` for retirees)
    x ``utilisation``(t) x the medical cost index (cumulative ``economy.medical_cost_growth`` from the base year).
    The pooled fund pays ``pooled_share`` of it, the individual accounts the rest (up to what the accounts hold).
    Maternity: ``maternity_cost_per_birth`` (base-year yuan, indexed to the average wage) x births, paid by the pool."""
    cost_curve: AgeTable  # relative medical cost by age (16..100+) and sex (ratio, 1 at the reference ages)
    # medical cost of a retiree relative to an in-service member of the same age and sex (ratio)
    retiree_factor: Annotated[float, Field(gt=0.0, le=20.0)] = 1.0
    # base-year medical cost per member of relative cost 1 (yuan a year)
    base_cost: Annotated[float, Field(ge=0.0, le=1e6)]
    utilisation: series_field("ratio") = 1.0  # multiplier of medical cost per member (ratio, 1 = base-year use)
    pooled_share: series_field("share")  # share of medical cost paid by the pooled fund (0..1); accounts pay the rest
    # base-year maternity expenditure per birth, indexed to the average wage (yuan per birth)
    maternity_cost_per_birth: Annotated[float, Field(ge=0.0, le=1e7)] = 0.0
    note: str = ""  # free text: sources and assumptions of the section


class InitialState(_Model):
    """Balances on 1 January of the base year (yuan)."""
    pooled_balance: Annotated[float, EXTENSIVE]  # pooled fund balance on 1 January of the base year (yuan)
    # individual accounts' balance on 1 January of the base year (yuan)
    account_balance: Annotated[float, Field(ge=0.0, le=1e16), EXTENSIVE]
    # how the base year pays its flows: on its year-end members times these (later years: mid-year members). 1: the
    # year-end stocks, as the national base-year calibration has it; a scenario re-based to a later year of a
    # projection (``sibrisk.rebase``) sets that year's: in-service person-years per year-end in-service member (the
    # contribution base, account credits), retired person-years per year-end retiree (retiree account credits) and
    # medical cost per cost of the year-end members (the exposures by age, weighted by the cost curve)
    worker_exposure: Annotated[float, Field(ge=0.5, le=1.5)] = 1.0
    # retired person-years per year-end retiree in the base year (ratio; 1: the year-end stock)
    retiree_exposure: Annotated[float, Field(ge=0.5, le=1.5)] = 1.0
    # base-year medical cost per cost of the year-end members (ratio; 1: the year-end stock)
    cost_exposure: Annotated[float, Field(ge=0.5, le=1.5)] = 1.0
    # the base year's maternity expenditure, yuan (None: the base year's births x maternity_cost_per_birth, as the
    # national calibration has it). A re-based scenario carries its projection's: the re-based population has the
    # published fertility up to its base year, so the base year's births are not those the projection paid for
    maternity_expenditure: Annotated[float | None, Field(ge=0.0, le=1e16), EXTENSIVE] = None
    note: str = ""  # free text: sources and assumptions of the section

    @field_validator("pooled_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class MedicalScenario(ScenarioBase):
    """A validated scenario of the employee basic medical insurance."""
    FIRST_AGE = AGE_MIN

    economy: MedicalEconomy  # the shared economic paths plus medical cost growth
    population: PopulationSpec | None = None  # the shared projected population the members are drawn from
    coverage: CoverageSpec  # who is insured, in service or retired
    contributions: ContributionSpec  # contribution rates, base and the split between pool and accounts
    benefits: BenefitSpec  # medical cost per member, the pooled share and maternity
    subsidy: SubsidySpec = SubsidySpec(rule="fixed", amount=0.0)  # fiscal subsidy rule of the pooled fund (yuan)
    initial: InitialState  # balances on 1 January of the base year

    def check(self) -> None:
        super().check()
        from sibrisk.funds.common.accounts import subsidy_parameters

        for key in ("employer_rate", "employee_rate", "worker_account_rate", "retiree_account_credit"):
            self.series(f"contributions.{key}")
        for key in ("utilisation", "pooled_share"):
            self.series(f"benefits.{key}")
        self.series("coverage.working_trend")
        if self.population is not None:
            self.series("population.tfr")
            self.series("population.net_migration")
        subsidy_parameters(self)
        acct = self.series("contributions.worker_account_rate")
        tot = self.series("contributions.employer_rate") + self.series("contributions.employee_rate")
        if np.any(acct > tot):
            raise InputError("the in-service account rate exceeds the total contribution rate", file=self.source,
                             field="contributions.worker_account_rate", value=self.contributions.worker_account_rate)
