"""Urban and rural resident basic medical insurance (城乡居民基本医疗保险): a population-based projection.

    insured(t, a, s) = participation(t) x (1 - employee_share(a, s)) x population(t, a, s)
    premiums = premium(t) x top_up x collection(t) x insured(t)
    subsidy  = subsidy per capita(t) x top_up x insured(t)            ([subsidy] rule = "per_capita")
    expenditure = sum over (a, s) of insured x relative_cost(a, s) x cost_level(t),
    cost_level(t) = cost_level(t - 1) x (1 + medical_cost_growth(t))

and the fund account of ``funds.common.accounts`` (interest on the balance, mid-year flows by default).

Files: ``parameters`` (scenario sections, pydantic), ``inputs`` (scenario -> kernel arrays), ``kernel`` (numba),
``reference`` (plain-NumPy twin), ``calibration`` (published 2024 figures and how the default scenario was
calibrated to them). Contract: ``kernels/resident_medical.md``.

Balance months: NHSA's published figure for this fund divides the year-end balance by the *coming* year's average
monthly expenditure; use ``sibrisk.indicators.compute(ds, options={"balance_months": {"definition": "next_year"}})``
for it. The ``balance_months`` that ``project`` adds uses the core's default (this year's expenditure).
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.base import Fund, FundRun
from sibrisk.funds.resident_medical.parameters import ResidentMedicalScenario

VARIABLES = {
    "contributors": ("persons", "Insured residents paying the annual premium (all insured)", "缴费参保人数"),
    "beneficiaries": ("persons", "Insured residents covered for benefits (all insured)", "享受待遇参保人数"),
    "average_benefit": ("yuan/year", "Fund expenditure per insured person", "人均基金支出"),
    "cost_level": ("yuan/year", "Fund expenditure per insured person of relative cost 1 (age-cost curve level)",
                   "人均费用水平（相对费用为1）"),
    "premium_per_capita": ("yuan/year", "Individual premium per insured person (standard x top-up)", "人均个人缴费"),
    "subsidy_per_capita": ("yuan/year", "Fiscal subsidy per insured person", "人均财政补助"),
}
DETAIL_VARIABLES = {
    "insured_by_age": ("persons", "Insured residents by age and sex at year end", "分年龄性别参保人数"),
    "expenditure_by_age": ("yuan", "Fund expenditure by age and sex", "分年龄性别基金支出"),
}


class ResidentMedicalFund(Fund):
    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.resident_medical import kernel as k
        from sibrisk.funds.resident_medical.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        col = lambda c: flows[..., c]  # noqa: E731
        insured = col(k.F_INSURED)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_head = lambda x: np.where(insured > 0, x / insured, np.nan)  # noqa: E731
            year = {
                "opening_balance": col(k.F_OPENING), "contribution_income": col(k.F_CONTRIB),
                "fiscal_subsidy": col(k.F_SUBSIDY), "interest_income": col(k.F_INTEREST),
                "benefit_expenditure": col(k.F_EXPEND), "fund_balance": col(k.F_CLOSING),
                "insured": insured, "contributors": insured.copy(), "beneficiaries": insured.copy(),
                "average_benefit": per_head(col(k.F_EXPEND)), "cost_level": col(k.F_COST_LEVEL),
                "premium_per_capita": per_head(col(k.F_CONTRIB)), "subsidy_per_capita": per_head(col(k.F_SUBSIDY)),
                "interest_rate": inputs.rate,
            }
        by_age = None
        if detail is not None:
            by_age = {"insured_by_age": detail[..., k.D_INSURED], "expenditure_by_age": detail[..., k.D_EXPEND]}
        return FundRun(year=year, age_detail=by_age)

    def rebase_updates(self, sc, actuals, row) -> dict:
        """Re-basing (``sibrisk.rebase``), each correction scaled by actual / projected of one published quantity:

        - insured (``contributors``, else ``beneficiaries``: this fund's insured are both, so where the two actual
          counts differ only ``contributors`` is matched): ``coverage.participation`` (the whole series; the
          employee-scheme shares by age and sex are kept). Participation is at most 1: what it cannot carry goes
          into ``population.scale``;
        - expenditure per insured (``benefit_expenditure`` / insured): ``costs.cost_level``, the level of the
          age-cost curve in the new base year (relative costs kept). It is always reset to the projection's level
          of that year, since the base year's cost growth is not applied;
        - premium income per insured (``contribution_income`` / insured): ``economy.collection_rate`` (the whole
          series). The collection rate is at most 1: what it cannot carry goes into ``financing.top_up``, which
          also raises the subsidy per insured (the scenario's top-up is one factor on both national standards);
        - the fiscal subsidy is not calibrated: under the ``per_capita`` rule it is the subsidy standard x top-up
          x insured, so it follows the insured (other rules compute it as they do). What it, the interest and any
          other income or expenditure still miss goes into the opening balance (``rebase``)."""
        from sibrisk.demography.population import PopulationSpec
        from sibrisk.rebasing import ratio, scaled_series

        def capped(table):  # a rate scaled up to its cap of 1 stays a rate (no rounding above 1)
            return {y: min(v, 1.0) for y, v in table.items()}

        up = {}
        ri = ratio(actuals, row, "contributors") or ratio(actuals, row, "beneficiaries")
        re_, rk = ratio(actuals, row, "benefit_expenditure"), ratio(actuals, row, "contribution_income")
        if ri is not None:
            peak = float(np.max(sc.series("coverage.participation")))
            f = min(ri, 1.0 / peak) if peak > 0 else ri
            up["coverage.participation"] = capped(scaled_series(sc, "coverage.participation", f))
            if f != ri:
                scale = (sc.population or PopulationSpec()).scale
                up["population.scale"] = scale * ri / f
        up["costs.cost_level"] = float(row.cost_level) * (re_ / (ri or 1.0) if re_ is not None else 1.0)
        if rk is not None:
            k = rk / (ri or 1.0)
            peak = float(np.max(sc.series("economy.collection_rate")))
            g = min(k, 1.0 / peak) if peak > 0 else k
            up["economy.collection_rate"] = capped(scaled_series(sc, "economy.collection_rate", g))
            if g != k:
                up["financing.top_up"] = sc.financing.top_up * k / g
        return up


FUND = ResidentMedicalFund(
    id="resident_medical", long_name="Basic medical insurance for urban and rural residents",
    long_name_zh="城乡居民基本医疗保险", scenario_model=ResidentMedicalScenario,
    default_scenario="resident_medical_national", variables=VARIABLES, detail_variables=DETAIL_VARIABLES,
    population_note=("insured: residents enrolled for the year (participation x population not in the employee "
                     "scheme); every insured person pays the annual premium (or has it paid by medical assistance) "
                     "and is covered, so contributors = beneficiaries = insured"),
    uses_population=True)
