"""Scenario sections of the urban and rural resident basic medical insurance (城乡居民基本医疗保险), on top of the
sections every fund shares (``sibrisk.scenario``): coverage of the projected population, the financing standards
(individual premium and fiscal subsidy per person per year), the age-cost curve and the opening balance.

Every section is population-based: the insured are ``participation x (1 - employee_share(age, sex)) x population``
(the residents not in the employee medical scheme, at a participation rate); the population comes from the
scenario's ``[population]`` section (``sibrisk.demography.population``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator

from sibrisk.demography.population import PopulationSpec
from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SubsidySpec
from sibrisk.scenario import EXTENSIVE, EconomySpec, ScenarioBase, _check_number, _Model, age_table, series_field

AGE_MIN = 0
AgeTable = age_table(AGE_MIN)


class MedicalEconomy(EconomySpec):
    """The shared economy plus the growth of the per-capita medical cost level (required by this fund)."""
    # yearly growth of the per-capita cost level of relative cost 1 (fraction a year); the base year's is not applied
    medical_cost_growth: series_field("medical_cost_growth")


class CoverageSpec(_Model):
    """insured(t, a, s) = participation(t) x (1 - employee_share(a, s)) x population(t, a, s)."""
    participation: series_field("rate")  # share of the population outside the employee scheme that is insured (0..1)
    employee_share: AgeTable  # share of each age (0..100+) and sex in the employee medical scheme (0..1)
    note: str = ""  # free text: sources and assumptions of the section


class FinancingSpec(_Model):
    """The individual premium (the national minimum standard, yuan per person per year, dated) and the rule that
    raises both standards (premium and fiscal subsidy) from ``standard_growth_from`` on, after the last dated
    notice; ``top_up`` is the ratio of the actual average financing per insured person to the national minimum
    standards (provinces and cities finance above the minimum: "不低于").

    ``indexation`` (one mechanism, three rules for the years from ``standard_growth_from``):

    - ``"fixed"``: each standard grows at its own ``premium_growth`` / ``subsidy_growth`` series;
    - ``"cost"``: both grow with the per-capita medical cost level, ``economy.medical_cost_growth`` (the scenario's
      central path, not its stochastic shocks: the notices set the standards ahead of the year) plus
      ``indexation_margin``;
    - ``"frozen"``: both stay at the last dated notice (the growth series are ignored)."""
    premium: series_field("yuan")  # national minimum individual premium (yuan per person a year, dated)
    # actual average financing per insured person / the national minimum standards (ratio, both standards)
    top_up: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0
    # first year (calendar year) in which the indexation rule raises the standards
    standard_growth_from: Annotated[int, Field(ge=1990, le=2200)]
    indexation: Literal["fixed", "cost", "frozen"] = "fixed"  # rule for the standards from standard_growth_from
    # growth of the standards above the cost level under indexation = "cost" (fraction a year)
    indexation_margin: Annotated[float, Field(ge=-0.2, le=0.2)] = 0.0
    premium_growth: series_field("growth")  # yearly growth of the premium under indexation = "fixed" (fraction)
    subsidy_growth: series_field("growth")  # yearly growth of the per-capita subsidy under "fixed" (fraction)
    note: str = ""  # free text: sources and assumptions of the section


class CostSpec(_Model):
    """Fund expenditure per insured person = cost_level(t) x relative_cost(a, s); cost_level grows at
    ``economy.medical_cost_growth`` from the base year (whose growth is not applied)."""
    # base-year fund expenditure per insured person of relative cost 1 (yuan a year)
    cost_level: Annotated[float, Field(gt=0.0, le=1e7)]
    relative_cost: AgeTable  # relative fund expenditure per insured by age (0..100+) and sex (ratio)
    note: str = ""  # free text: sources and assumptions of the section


class InitialState(_Model):
    fund_balance: Annotated[float, EXTENSIVE]  # fund balance on 1 January of the base year (yuan)
    note: str = ""  # free text: sources and assumptions of the section

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class ResidentMedicalScenario(ScenarioBase):
    """A validated scenario of the resident basic medical insurance fund."""
    FIRST_AGE = AGE_MIN

    economy: MedicalEconomy  # the shared economic paths plus medical cost growth
    population: PopulationSpec | None = None  # the shared projected population the insured are drawn from
    coverage: CoverageSpec  # who is insured
    financing: FinancingSpec  # individual premium, top-up and the indexation of the standards
    subsidy: SubsidySpec  # fiscal subsidy rule (per capita standard, yuan per person a year)
    costs: CostSpec  # the age-cost curve and its level
    initial: InitialState  # balance on 1 January of the base year

    def check(self) -> None:
        super().check()
        from sibrisk.funds.common.accounts import subsidy_parameters

        for key in ("premium", "premium_growth", "subsidy_growth"):
            self.series(f"financing.{key}")
        self.series("coverage.participation")
        subsidy_parameters(self)
        share = self.coverage.employee_share.array()
        if np.any(share > 1.0):
            a, s = np.argwhere(share > 1.0)[0]
            sex = ("male", "female")[s]
            raise InputError(f"a share of the population must be at most 1 (age {a}, {sex})", file=self.source,
                             field=f"coverage.employee_share.{sex}", value=float(share[a, s]))
        if not np.any(self.costs.relative_cost.array() > 0):
            raise InputError("all zero: no one would cost anything", file=self.source, field="costs.relative_cost",
                             has_value=False)
