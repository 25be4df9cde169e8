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
from sibrisk.funds.common.carried import Exposure, check_stock_arrays
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
    # insured / population by age and sex in the base year (share; ages 16..100+)
    rates: AgeTable
    growth: series_field("growth") = 0.0   # annual growth of every coverage rate (the base year's is not applied)
    # free text: the basis of the coverage assumptions
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
    # the base rate of each of the 8 industry risk classes (行业基准费率, 人社部发〔2015〕71号; share of the wage bill)
    class_base_rates: fixed(Rate, N_CLASSES)
    # share of the covered wage bill in each risk class (sum 1)
    class_payroll_shares: fixed(Rate, N_CLASSES)
    # dated multiplier of the average base rate (the floating rates and the class mix; see above)
    rate_factor: series_field("rate_factor", bounds=(0.0, 3.0))
    # share by which the phased rate reduction lowers the rate in the year (dated; 0 with ``[rate_rule]``)
    phased_cut: series_field("share") = 0.0
    # the contribution base (the covered wage bill per insured) / the average wage
    base_ratio: Annotated[float, Field(ge=0.6, le=3.0)]
    # work-injury prevention spending (工伤预防费) as a share of contribution income (other expenditure; dated)
    prevention_share: series_field("share") = 0.0
    # free text: the basis and sources of the contribution assumptions
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
    # apply the balance-dependent rate cut (exclusive with ``contributions.phased_cut``)
    enabled: bool = False
    # the two year-end balance levels (months of expenditure, increasing) from which the cuts apply
    thresholds: list[Annotated[float, Field(ge=0.0, le=600.0)]] = [18.0, 24.0]
    # next year's rate is multiplied by factors[k] when the balance reaches thresholds[k]
    factors: list[Annotated[float, Field(ge=0.0, le=1.0)]] = [0.8, 0.5]
    # free text: the basis of the rule
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
    # new cases receiving benefits per insured person a year at relative risk 1 (dated), times the cumulated ``trend``
    # after the base year
    rate: series_field("incidence", bounds=(0.0, 0.5))
    trend: series_field("growth") = 0.0   # annual change of the rate (the base year's is not applied)
    # relative injury risk by age and sex (normalised to an insured-weighted mean of 1, ``risk_mean``)
    relative_risk: AgeTable
    # share of new cases that are deaths (工亡)
    death_share: Rate
    # share of new cases assessed at disability grades 1..10 (the rest of the cases are medical-only)
    grade_shares: fixed(Rate, N_GRADES)
    # the insured-weighted mean of relative_risk the risks are divided by (None: over the base year's insured; a
    # re-based scenario keeps its original base year's, so that its cases per insured stay the projection's)
    risk_mean: Annotated[float, Field(gt=0.0, le=100.0)] | None = None
    # free text: the basis and sources of the incidence assumptions
    note: str = ""


    @model_validator(mode="after")
    def _sum(self):
        if sum(self.grade_shares) + self.death_share > 1.0 + 1e-12:
            raise ValueError("death_share + grade_shares exceed 1 (the remainder are medical-only cases)")
        return self


class BenefitSpec(_Model):
    """Benefit rules. Amounts tied to "own wage" (本人工资, Art. 64: bounded to 60%-300% of the regional average) use
    own_wage_ratio x the average wage."""
    # the injured worker's own wage (本人工资) / the average wage
    own_wage_ratio: Annotated[float, Field(ge=0.6, le=3.0)]
    # one-off disability subsidy (一次性伤残补助金) by grade 1..10, months of own wage (Arts. 35-37: 27, 25, ..., 7)
    one_off_months: fixed(Months, N_GRADES) = [27, 25, 23, 21, 18, 16, 13, 11, 9, 7]
    # monthly disability allowance (伤残津贴) of grades 1..4 as a share of own wage (Art. 35: 90%, 85%, 80%, 75%)
    allowance_ratios: fixed(Rate, 4) = [0.90, 0.85, 0.80, 0.75]
    # share of the allowance the fund still pays to a recipient past the statutory retirement age (the pension pays the
    # rest; Art. 35)
    post_retirement_topup: Rate = 0.0
    # care allowance (生活护理费) per recipient of grades 1..4 as a share of the average wage (Art. 34: 50%, 40% or 30% by
    # the care needed; default 0)
    care_ratios: fixed(Rate, 4) = [0.0, 0.0, 0.0, 0.0]
    # mortality multiplier of allowance recipients of grades 1..4 (ratio to the base table)
    excess_mortality: fixed(NonNegRatio, 4) = [1.0, 1.0, 1.0, 1.0]
    # medical cost (工伤医疗费) per medical-only case as a share of the average wage (the shipped scenario calibrates it to
    # the base year's expenditure); ``medical_cost_relative`` scales it by case type
    medical_cost_level: Annotated[float, Field(ge=0.0, le=100.0)]
    medical_cost_relative: fixed(NonNegRatio, 12)  # medical-only, grades 1-10, death
    # the lump sums on leaving employment (一次性工伤医疗补助金 and 伤残就业补助金) of grades 5..10, months of the average wage
    separation_months: fixed(Months, 6) = [0, 0, 0, 0, 0, 0]
    # share of grade 5-10 cases that leave employment and receive them
    separation_share: Rate = 0.0
    # one-off death subsidy (一次性工亡补助金) as a multiple of the previous year's national urban per-capita disposable income
    # (Art. 39: 20)
    death_subsidy_multiple: Annotated[float, Field(ge=0.0, le=100.0)] = 20.0
    # the national urban per-capita disposable income of the year before, by year (yuan a year: the value of year y is
    # year y - 1's; published up to ``disposable_income_published_until``)
    prior_year_disposable_income: series_field("yuan")
    # the last year of published disposable income; after it the income grows with the average wage (an assumption)
    disposable_income_published_until: Annotated[int, Field(ge=1990, le=2100)]
    # funeral grant (丧葬补助金) in months of the previous year's average wage (Art. 39: 6)
    funeral_months: Months = 6.0
    # survivor pensioners who are spouses per death (persons; a modelling assumption)
    spouses_per_death: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    # other dependants with a survivor pension per death (persons; a modelling assumption)
    others_per_death: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    # survivor pension (供养亲属抚恤金) of a spouse as a share of the deceased's own wage (Art. 39: 40%)
    spouse_ratio: Rate = 0.40
    # survivor pension of each other dependant as a share of the deceased's own wage (Art. 39: 30%; the total capped at
    # 100%)
    other_ratio: Rate = 0.30
    # yearly exit rate of survivor pensions (deaths, children coming of age; a modelling assumption)
    survivor_exit_rate: Rate = 0.05
    # apply the 2024 gradual rise of the statutory retirement ages (for the allowance recipients past it)
    retirement_reform: bool = True
    # share of insured women who are cadres (statutory age 55) rather than workers (50) (a modelling assumption)
    female_cadre_share: Rate = 0.3
    # free text: the basis and sources of the benefit rules
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
    # where the carried stocks come from (the projection and year ``sibrisk.rebase`` carried them from)
    source: str = ""
    disabled: list[list[list[float]]]    # (4, A, 2) recipients (shape)
    allowance: list[list[list[float]]]   # (4, A, 2) average allowance, yuan a year
    survivor_benefit: Annotated[float, Field(ge=0.0)]  # average survivor pension, yuan a year

    @model_validator(mode="after")
    def _shapes(self):
        n = AGE_MAX - AGE_MIN + 1
        check_stock_arrays(self, ("disabled", "allowance"), (N_PENSION_GRADES, n, 2),
                           f"{N_PENSION_GRADES} grades x {n} ages x 2 sexes")
        return self


class InitialState(_Model):
    # the fund's balance on 1 January of the base year (yuan)
    fund_balance: Annotated[float, EXTENSIVE]
    reserve_share: Rate = 0.0   # reserve (储备金) as a share of the year-end balance (display only)
    # wage growth over the stationary history that builds the base year's allowances and pensions (rate a year; a
    # modelling assumption)
    history_wage_growth: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.08
    # indexation of allowances and pensions over that history (rate a year; a modelling assumption)
    history_indexation: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.05
    # the length of that history: the longest duration of a base-year allowance or survivor pension (years)
    history_years: Annotated[int, Field(ge=0, le=84)] = 40
    # the stocks carried from a projection (``CarriedState``) in place of the stationary history
    state: CarriedState | None = None
    # totals of a carried state (required with it): recipients of grades 1-4 and survivor pensioners, persons
    disability_pensioners: Annotated[float, Field(ge=0.0), EXTENSIVE] | None = None
    # survivor pensioners at the end of the base year (persons; with ``state``)
    survivor_pensioners: Annotated[float, Field(ge=0.0), EXTENSIVE] | None = None
    # the base year pays its flows on its year-end stocks times these (1: year-end stocks, as the national
    # calibration has it; a re-based scenario carrying its state sets the projection's mid-year exposures so that
    # its base year shows the projection's flows): new cases (insured x risk), the covered wage bill, allowances,
    # care allowances, survivor pensions
    case_exposure: Exposure = 1.0
    # the same for the covered wage bill (ratio; see ``case_exposure``)
    contribution_exposure: Exposure = 1.0
    # the same for disability allowances (ratio)
    allowance_exposure: Exposure = 1.0
    # the same for care allowances (ratio)
    care_exposure: Exposure = 1.0
    # the same for survivor pensions (ratio)
    survivor_exposure: Exposure = 1.0
    # free text: the sources of the initial state
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

    # the economic paths, with the indexation of allowances and survivor pensions (``WorkInjuryEconomy``)
    economy: WorkInjuryEconomy
    # the projected population coverage applies to (``PopulationSpec``; the shipped national one when left out)
    population: PopulationSpec | None = None
    # insured as a share of the population by age and sex (``CoverageSpec``)
    coverage: CoverageSpec
    # the employer contribution rate and base (``ContributionSpec``)
    contributions: ContributionSpec
    # the optional balance-dependent rate cut (``RateRuleSpec``; off by default)
    rate_rule: RateRuleSpec = RateRuleSpec()
    # new injury cases, deaths and disability grades (``IncidenceSpec``)
    incidence: IncidenceSpec
    # the benefit rules (``BenefitSpec``)
    benefits: BenefitSpec
    # the fiscal subsidy rule (``SubsidySpec``)
    subsidy: SubsidySpec
    # the state at the base year (``InitialState``)
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
