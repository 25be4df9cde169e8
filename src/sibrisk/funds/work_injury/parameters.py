"""Scenario sections of work-injury insurance (工伤保险): coverage, contributions, incidence, benefits (工伤保险条例,
国务院令第375号 as revised by 国务院令第586号, in force 2011-01-01), the fund account and the initial state, on top of
the sections every fund shares (``sibrisk.scenario``)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, field_validator, model_validator

from sibrisk.demography.population import PopulationSpec
from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SubsidySpec
from sibrisk.scenario import (AGE_MAX, EXTENSIVE, EconomySpec, Rate, ScenarioBase, _check_number, _Model, age_table,
                              series_field)

AGE_MIN = 16
AgeTable = age_table(AGE_MIN)
N_GRADES = 10          # disability grades 1 (most severe) .. 10
N_PENSION_GRADES = 4   # grades 1-4 draw a monthly disability allowance (伤残津贴) from the fund (Art. 35)
N_CLASSES = 8          # industry risk classes (人社部发〔2015〕71号)

Months = Annotated[float, Field(ge=0.0, le=120.0)]
NonNegRatio = Annotated[float, Field(ge=0.0, le=100.0)]


def fixed(item, n: int):
    """A list of exactly ``n`` items."""
    return Annotated[list[item], Field(min_length=n, max_length=n)]


class WorkInjuryEconomy(EconomySpec):
    # adjustment of disability allowances and survivor pensions in payment (Art. 40: provinces adjust them with wages
    # and living costs)
    benefit_indexation: series_field("benefit_indexation")


class CoverageSpec(_Model):
    """Insured = coverage rate (age, sex) x population (age, sex) x coverage index (year)."""
    rates: AgeTable
    growth: series_field("growth") = 0.0   # annual growth of every coverage rate (the base year's is not applied)
    note: str = ""

    @field_validator("rates")
    @classmethod
    def _at_most_one(cls, v):
        for sex in ("male", "female"):
            for i, x in enumerate(getattr(v, sex)):
                if x > 1.0:
                    raise ValueError(f"{sex} coverage rate at age {AGE_MIN + i} is {x!r}; a coverage rate is at most 1")
        return v


class ContributionSpec(_Model):
    """Average employer rate = sum(class payroll share x class base rate) x rate_factor x (1 - phased_cut);
    contributions = rate x covered wage bill x collection rate.

    ``rate_factor``: the floating rates (浮动费率, 人社部发〔2015〕71号) and the class mix's departure from the base
    rates; ``phased_cut``: the national average share by which the phased rate reduction (阶段性降低工伤保险费率, from
    2018-05-01, renewed at each expiry, most recently by 人社部发〔2023〕19号 to the end of 2024) lowers the rate that
    year, a dated series whose years after the last notice are an ASSUMPTION. In a pooling region the reduction
    depends on its own balance months (国办发〔2019〕13号 conditions); ``[rate_rule]`` applies it that way instead,
    so the two are exclusive (one mechanism per scenario)."""
    class_base_rates: fixed(Rate, N_CLASSES)
    class_payroll_shares: fixed(Rate, N_CLASSES)
    rate_factor: series_field("rate_factor", bounds=(0.0, 3.0))
    phased_cut: series_field("share") = 0.0
    base_ratio: Annotated[float, Field(ge=0.6, le=3.0)]
    prevention_share: series_field("share") = 0.0
    note: str = ""


    @model_validator(mode="after")
    def _shares_sum(self):
        if abs(sum(self.class_payroll_shares) - 1.0) > 1e-6:
            raise ValueError(f"class_payroll_shares sum to {sum(self.class_payroll_shares):.6g}; they must sum to 1")
        return self

    def average_rate(self) -> float:
        return float(np.dot(self.class_base_rates, self.class_payroll_shares))


class RateRuleSpec(_Model):
    """Optional balance-dependent rate cut: next year's rate x factors[k] when the year-end balance months reach
    thresholds[k] (the highest threshold reached applies)."""
    enabled: bool = False
    thresholds: list[Annotated[float, Field(ge=0.0, le=600.0)]] = [18.0, 24.0]
    factors: list[Annotated[float, Field(ge=0.0, le=1.0)]] = [0.8, 0.5]
    note: str = ""

    @model_validator(mode="after")
    def _two(self):
        if len(self.thresholds) != 2 or len(self.factors) != 2:
            raise ValueError("thresholds and factors need two values each")
        if self.thresholds[1] < self.thresholds[0]:
            raise ValueError("thresholds must be increasing")
        return self


class IncidenceSpec(_Model):
    """New cases receiving benefits = rate x relative risk (age, sex) x insured; split into deaths, grades 1-10 and
    medical-only cases (the remainder)."""
    rate: series_field("incidence", bounds=(0.0, 0.5))
    trend: series_field("growth") = 0.0   # annual change of the rate (the base year's is not applied)
    relative_risk: AgeTable
    death_share: Rate
    grade_shares: fixed(Rate, N_GRADES)
    # the insured-weighted mean of relative_risk the risks are divided by (None: over the base year's insured; a
    # re-based scenario keeps its original base year's, so that its cases per insured stay the projection's)
    risk_mean: Annotated[float, Field(gt=0.0, le=100.0)] | None = None
    note: str = ""


    @model_validator(mode="after")
    def _sum(self):
        if sum(self.grade_shares) + self.death_share > 1.0 + 1e-12:
            raise ValueError("death_share + grade_shares exceed 1 (the remainder are medical-only cases)")
        return self


class BenefitSpec(_Model):
    """Benefit rules. Amounts tied to "own wage" (本人工资, Art. 64: bounded to 60%-300% of the regional average) use
    own_wage_ratio x the average wage."""
    own_wage_ratio: Annotated[float, Field(ge=0.6, le=3.0)]
    one_off_months: fixed(Months, N_GRADES) = [27, 25, 23, 21, 18, 16, 13, 11, 9, 7]
    allowance_ratios: fixed(Rate, 4) = [0.90, 0.85, 0.80, 0.75]
    post_retirement_topup: Rate = 0.0
    care_ratios: fixed(Rate, 4) = [0.0, 0.0, 0.0, 0.0]
    excess_mortality: fixed(NonNegRatio, 4) = [1.0, 1.0, 1.0, 1.0]
    medical_cost_level: Annotated[float, Field(ge=0.0, le=100.0)]
    medical_cost_relative: fixed(NonNegRatio, 12)  # medical-only, grades 1-10, death
    separation_months: fixed(Months, 6) = [0, 0, 0, 0, 0, 0]
    separation_share: Rate = 0.0
    death_subsidy_multiple: Annotated[float, Field(ge=0.0, le=100.0)] = 20.0
    prior_year_disposable_income: series_field("yuan")
    disposable_income_published_until: Annotated[int, Field(ge=1990, le=2100)]
    funeral_months: Months = 6.0
    spouses_per_death: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    others_per_death: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    spouse_ratio: Rate = 0.40
    other_ratio: Rate = 0.30
    survivor_exit_rate: Rate = 0.05
    retirement_reform: bool = True
    female_cadre_share: Rate = 0.3
    note: str = ""


    def survivor_benefit_ratio(self) -> float:
        """Survivor pensions of one death as a share of the deceased's own wage: 40% per spouse, 30% per other
        dependant, capped at 100% (Art. 39)."""
        return min(1.0, self.spouse_ratio * self.spouses_per_death + self.other_ratio * self.others_per_death)


class CarriedState(_Model):
    """The pension stocks at the end of the base year, carried from a projection by ``sibrisk.rebase`` (a later base
    year continues the projection instead of rebuilding the stocks from the stationary-history assumptions):
    grade 1-4 disability-allowance recipients by grade, age (16..100+) and sex (a shape: ``initial
    .disability_pensioners`` scales it to its total) with their average allowance, and the survivor pensioners'
    average pension (their number is ``initial.survivor_pensioners``)."""
    source: str = ""
    disabled: list[list[list[float]]]    # (4, A, 2) recipients (shape)
    allowance: list[list[list[float]]]   # (4, A, 2) average allowance, yuan a year
    survivor_benefit: Annotated[float, Field(ge=0.0)]  # average survivor pension, yuan a year

    @model_validator(mode="after")
    def _shapes(self):
        shape = (N_PENSION_GRADES, AGE_MAX - AGE_MIN + 1, 2)
        for name in ("disabled", "allowance"):
            x = np.asarray(getattr(self, name), dtype=float)
            if x.shape != shape:
                raise ValueError(f"initial.state.{name} must be {shape[0]} grades x {shape[1]} ages x 2 sexes, "
                                 f"got shape {x.shape}")
            if not np.all(np.isfinite(x)) or np.any(x < 0):
                raise ValueError(f"initial.state.{name} must be finite and >= 0")
        return self


Exposure = Annotated[float, Field(ge=0.5, le=1.5)]


class InitialState(_Model):
    fund_balance: Annotated[float, EXTENSIVE]
    reserve_share: Rate = 0.0   # reserve (储备金) as a share of the year-end balance (display only)
    history_wage_growth: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.08
    history_indexation: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.05
    history_years: Annotated[int, Field(ge=0, le=84)] = 40
    state: CarriedState | None = None
    # totals of a carried state (required with it): recipients of grades 1-4 and survivor pensioners, persons
    disability_pensioners: Annotated[float, Field(ge=0.0), EXTENSIVE] | None = None
    survivor_pensioners: Annotated[float, Field(ge=0.0), EXTENSIVE] | None = None
    # the base year pays its flows on its year-end stocks times these (1: year-end stocks, as the national
    # calibration has it; a re-based scenario carrying its state sets the projection's mid-year exposures so that
    # its base year shows the projection's flows): new cases (insured x risk), the covered wage bill, allowances,
    # care allowances, survivor pensions
    case_exposure: Exposure = 1.0
    contribution_exposure: Exposure = 1.0
    allowance_exposure: Exposure = 1.0
    care_exposure: Exposure = 1.0
    survivor_exposure: Exposure = 1.0
    note: str = ""

    @model_validator(mode="after")
    def _totals(self):
        if self.state is not None and (self.disability_pensioners is None or self.survivor_pensioners is None):
            raise ValueError("initial.state needs initial.disability_pensioners and initial.survivor_pensioners")
        return self

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class WorkInjuryScenario(ScenarioBase):
    """A validated scenario of work-injury insurance."""
    FIRST_AGE = AGE_MIN

    economy: WorkInjuryEconomy
    population: PopulationSpec | None = None
    coverage: CoverageSpec
    contributions: ContributionSpec
    rate_rule: RateRuleSpec = RateRuleSpec()
    incidence: IncidenceSpec
    benefits: BenefitSpec
    subsidy: SubsidySpec
    initial: InitialState

    def check(self) -> None:
        super().check()
        from sibrisk.funds.common.accounts import subsidy_parameters

        for key in ("contributions.rate_factor", "contributions.phased_cut", "contributions.prevention_share",
                    "coverage.growth",
                    "incidence.rate", "incidence.trend", "benefits.prior_year_disposable_income"):
            self.series(key)
        subsidy_parameters(self)
        if self.rate_rule.enabled and np.any(self.series("contributions.phased_cut") > 0.0):
            raise InputError("the phased rate cut is given as a dated national average (contributions.phased_cut) "
                             "or follows the balance (rate_rule.enabled), not both: set phased_cut = 0 with the rule",
                             file=self.source, field="contributions.phased_cut",
                             value=self.contributions.phased_cut)
        rates = np.asarray(self.contributions.class_base_rates) * self.series("contributions.rate_factor").max()
        if np.any(rates > 1.0):
            raise InputError("a class rate times rate_factor exceeds 1", file=self.source,
                             field="contributions.rate_factor", value=self.contributions.rate_factor)
        growth = self.series("coverage.growth")
        index = np.cumprod(np.concatenate([[1.0], 1.0 + growth[1:]]))
        top = self.coverage.rates.array().max() * index.max()
        if top > 1.0 + 1e-12:
            raise InputError(f"coverage rates times the coverage growth index reach {top:.4g} (> 1)",
                             file=self.source, field="coverage.growth", value=self.coverage.growth)
        if self.benefits.disposable_income_published_until < self.projection.base_year:
            raise InputError("must be the base year or later", file=self.source,
                             field="benefits.disposable_income_published_until",
                             value=self.benefits.disposable_income_published_until)
