"""The one interface every fund implements, and the output variables every fund shares.

A fund is a ``Fund`` instance named ``FUND`` in ``sibrisk/funds/<id>/__init__.py``. The driver calls, for a chunk of
``n`` scenarios:

    inputs = fund.build_inputs(scenario, n, economy=paths, mortality=mortality)   # plain arrays
                                                   # (+ population=... when fund.uses_population)
    run = fund.run(inputs, keep_detail=..., parallel=...)                          # FundRun of (S, T) arrays

and labels ``run`` as an ``xarray.Dataset`` (``sibrisk.projection``). ``economy`` is ``{name: (n, T)}`` from
``sibrisk.economy.economic_paths`` (every economic series of the scenario, plus ``average_wage``); ``mortality`` is
``sibrisk.demography.MortalityPaths`` at the fund's ages. Both are shared by every fund, so the stochastic
scenarios of two funds see the same economy and the same mortality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

# name: (units, long_name, long_name_zh). Every fund outputs these (the driver fills a flow a fund does not have
# with zeros: other_income, other_expenditure); the indicators read only these.
COMMON_VARIABLES = {
    "opening_balance": ("yuan", "Fund balance at 1 January", "年初累计结余"),
    "contribution_income": ("yuan", "Contribution income", "保险费收入"),
    "fiscal_subsidy": ("yuan", "Fiscal subsidy income", "财政补助收入"),
    "interest_income": ("yuan", "Interest income", "利息收入"),
    "other_income": ("yuan", "Other income (transfers, central adjustment)", "其他收入"),
    "total_income": ("yuan", "Total income", "基金收入合计"),
    "benefit_expenditure": ("yuan", "Benefit expenditure", "待遇支出"),
    "other_expenditure": ("yuan", "Other expenditure", "其他支出"),
    "total_expenditure": ("yuan", "Total expenditure", "基金支出合计"),
    "fund_balance": ("yuan", "Accumulated fund balance at 31 December", "年末累计结余"),
    "contributors": ("persons", "Contributing insured persons at year end", "缴费参保人数"),
    "beneficiaries": ("persons", "Beneficiaries at year end", "享受待遇人数"),
    "interest_rate": ("1", "Effective interest rate credited to the fund", "基金收益率"),
}
# common but optional: present where the fund has it
OPTIONAL_COMMON = {
    "covered_wage_bill": ("yuan", "Covered wage bill (contributors x contribution base)", "缴费工资总额"),
    "insured": ("persons", "Insured persons at year end", "参保人数"),
    "average_wage": ("yuan/year", "Average wage", "社会平均工资"),
    "average_benefit": ("yuan/year", "Average annual benefit per beneficiary", "人均待遇"),
}
FLOW_INPUTS = ("contribution_income", "fiscal_subsidy", "interest_income", "other_income", "benefit_expenditure",
               "other_expenditure", "opening_balance", "fund_balance")


@dataclass
class FundRun:
    """What a fund's kernel returns for S scenarios and T years: ``year`` (S, T) arrays by name, and optional
    ``age_detail`` (S, T, A, 2) arrays by name (ages: the fund's ``ages``)."""
    year: dict[str, np.ndarray]
    age_detail: dict[str, np.ndarray] | None = None


@dataclass
class Fund:
    """A fund's model. Subclass and implement ``build_inputs`` and ``run``."""
    id: str
    long_name: str
    long_name_zh: str
    scenario_model: type
    default_scenario: str
    # fund-specific variables (beyond COMMON_VARIABLES and OPTIONAL_COMMON): name -> (units, long_name, zh)
    variables: dict = field(default_factory=dict)
    # by (age, sex): name -> (units, long_name, zh)
    detail_variables: dict = field(default_factory=dict)
    # a line for the Dataset attrs: what "contributors" and "beneficiaries" mean for this fund
    population_note: str = ""
    # True: the driver also passes ``population`` (``sibrisk.demography.population.PopulationPaths``, ages 0..100+,
    # from the scenario's ``[population]`` section) to ``build_inputs``
    uses_population: bool = False
    # registered indicators whose meaning does not fit this fund (e.g. a replacement rate for a medical fund);
    # ``add_indicators`` leaves them out of its Datasets
    excluded_indicators: tuple = ()

    def build_inputs(self, sc, n_scenarios: int, *, economy: dict[str, np.ndarray], mortality, population=None):
        """The fund's kernel inputs: by default ``sibrisk.funds.<id>.inputs.build_inputs(sc, n, economy=,
        mortality=[, population=])``, population passed when ``uses_population``."""
        from importlib import import_module

        kwargs = {"economy": economy, "mortality": mortality}
        if self.uses_population:
            if population is None:
                raise ValueError(f"{self.id} is population-based: pass population= "
                                 "(sibrisk.projection.fund_inputs does)")
            kwargs["population"] = population
        return import_module(f"sibrisk.funds.{self.id}.inputs").build_inputs(sc, n_scenarios, **kwargs)

    def run(self, inputs, *, keep_detail: bool = True, parallel: bool = False) -> FundRun:
        raise NotImplementedError

    def rebase_updates(self, sc, actuals: dict, row) -> dict:
        """Re-basing (``sibrisk.rebase``): dotted updates that move ``sc``'s base year (already the last actual
        year) towards ``actuals`` (common variable names, yuan and persons), given ``row``, ``sc``'s own projection
        of that year. Corrections are multiplicative on the fund's initial state and rates, so the age-sex shapes
        of the assumptions are kept. Funds that do not implement it raise ``NotImplementedError``."""
        raise NotImplementedError(f"re-basing is not implemented for the fund {self.id!r} yet")

    # the age structures a region can give its re-basing (``sibrisk.rebase(..., age_structure=...)``)
    AGE_STRUCTURES: ClassVar[tuple[str, ...]] = ("population",)

    def age_structure_updates(self, sc, structure: dict, year: int) -> dict:
        """Re-basing a region with its own age structure (``structure``: {name: ``AgeGroups``}, names from
        ``AGE_STRUCTURES``): the dotted updates that give ``sc`` (already sized, base year ``year``) the region's
        structure. A fund that projects a population takes the region's census as its base stock
        (``[population.stock]``, ``population.scale`` 1); its coverage by age stays the scenario's and the
        calibration sets the levels. Other funds override this."""
        if not self.uses_population:
            raise NotImplementedError(f"the fund {self.id!r} takes no age structure")
        if "population" not in structure:
            return {}
        return {"population.stock": structure["population"].model_dump(), "population.scale": 1.0}

    def opening_balance_updates(self, sc, opening: float, row) -> dict:
        """Re-basing: the dotted updates that make the base year open with ``opening`` yuan (the whole fund).
        Funds whose fund account is kept in parts (employee medical: pooled fund and individual accounts) split it,
        e.g. by the parts' shares in ``row``."""
        return {"initial.fund_balance": float(opening)}

    def metadata(self, name: str) -> tuple[str, str, str]:
        for table in (self.variables, self.detail_variables, COMMON_VARIABLES, OPTIONAL_COMMON):  # the fund's own first
            if name in table:
                return table[name]
        raise KeyError(f"fund {self.id!r} has no output variable {name!r}")
