"""Basic pension insurance for urban and rural residents (城乡居民基本养老保险, 国发〔2014〕8号): participants as coverage
rates of the projected population, flat contributions and government matching into individual accounts, a
tax-financed basic pension plus an account pension from age 60.

Files: ``parameters`` (scenario sections, pydantic), ``inputs`` (scenario + population -> kernel arrays), ``kernel``
(numba), ``reference`` (plain-NumPy twin), ``calibration`` (how the default scenario was made). Contract:
``kernels/resident_pension.md``.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.base import Fund, FundRun
from sibrisk.funds.resident_pension.parameters import ResidentPensionScenario

VARIABLES = {
    "contributors": ("persons", "Participants below the pension age who contribute in the year (year end)", "缴费人数"),
    "beneficiaries": ("persons", "Participants drawing a pension at year end", "实际领取待遇人数"),
    "insured": ("persons", "Participants at year end", "参保人数"),
    "new_beneficiaries": ("persons", "Participants reaching the pension age in the year", "新增领取待遇人数"),
    "average_benefit": ("yuan/year", "Average annual pension per beneficiary (basic + account)", "人均养老金"),
    "basic_pension": ("yuan/year", "Basic pension per beneficiary (central minimum + local top-up)", "基础养老金标准"),
    "basic_pension_expenditure": ("yuan", "Basic pension expenditure", "基础养老金支出"),
    "account_pension_expenditure": ("yuan", "Individual-account pension expenditure", "个人账户养老金支出"),
    "matching_subsidy": ("yuan", "Government matching paid into individual accounts (entry subsidy)", "缴费补贴（入口补贴）"),
    "account_balances": ("yuan", "Individual-account balances of participants below the pension age at year end",
                         "未领取待遇参保人员个人账户储存额"),
}
DETAIL_VARIABLES = {
    "participants_by_age": ("persons", "Participants by age and sex at year end", "分年龄性别参保人数"),
    "contributors_by_age": ("persons", "Contributors by age and sex at year end", "分年龄性别缴费人数"),
    "beneficiaries_by_age": ("persons", "Beneficiaries by age and sex at year end", "分年龄性别领取待遇人数"),
    "account_by_age": ("yuan", "Average individual account per participant below the pension age",
                       "分年龄性别人均个人账户储存额"),
    "account_pension_by_age": ("yuan/year", "Average individual-account pension per beneficiary",
                               "分年龄性别人均个人账户养老金"),
}


class ResidentPensionFund(Fund):
    """The resident pension model: population x coverage, accounts by cohort, basic + account pensions."""

    def build_inputs(self, sc, n_scenarios, *, economy, mortality, population=None):
        from sibrisk.funds.resident_pension.inputs import build_inputs

        if population is None:
            raise ValueError("the resident pension needs the projected population (uses_population=True)")
        return build_inputs(sc, n_scenarios, economy=economy, mortality=mortality, population=population)

    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.resident_pension.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        return fund_run(flows, detail, inputs)


def fund_run(flows, detail, inputs) -> FundRun:
    """Name the kernel's (or the reference's) output columns."""
    from sibrisk.funds.resident_pension import kernel as k

    col = lambda c: flows[..., c]  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        avg_ben = np.where(col(k.F_BEN_EXPOSURE) > 0, col(k.F_BENEFIT) / col(k.F_BEN_EXPOSURE), np.nan)
    year = {
        "opening_balance": col(k.F_OPENING), "contribution_income": col(k.F_CONTRIB),
        "fiscal_subsidy": col(k.F_SUBSIDY), "interest_income": col(k.F_INTEREST),
        "benefit_expenditure": col(k.F_BENEFIT), "other_expenditure": col(k.F_OTHER),
        "fund_balance": col(k.F_CLOSING), "contributors": col(k.F_CONTRIBUTORS),
        "beneficiaries": col(k.F_BENEFICIARIES), "insured": col(k.F_PARTICIPANTS),
        "new_beneficiaries": col(k.F_NEW_BEN), "average_benefit": avg_ben, "basic_pension": inputs.basic,
        "basic_pension_expenditure": col(k.F_BASIC), "account_pension_expenditure": col(k.F_ACCOUNT),
        "matching_subsidy": col(k.F_MATCHING), "account_balances": col(k.F_ACCOUNTS), "interest_rate": inputs.rate,
    }
    by_age = None
    if detail is not None:
        by_age = {"participants_by_age": detail[..., k.D_PARTICIPANTS],
                  "contributors_by_age": detail[..., k.D_CONTRIBUTORS],
                  "beneficiaries_by_age": detail[..., k.D_BENEFICIARIES],
                  "account_by_age": detail[..., k.D_ACCOUNT],
                  "account_pension_by_age": detail[..., k.D_ACCOUNT_PENSION]}
    return FundRun(year=year, age_detail=by_age)


FUND = ResidentPensionFund(
    id="resident_pension", long_name="Basic pension insurance for urban and rural residents",
    long_name_zh="城乡居民基本养老保险", scenario_model=ResidentPensionScenario,
    default_scenario="resident_pension_national", variables=VARIABLES, detail_variables=DETAIL_VARIABLES,
    population_note="insured: residents aged 16+ outside the employee schemes and not students who participate "
                    "(coverage rates x the projected population); contributors: participants below the pension age "
                    "who pay in the year; beneficiaries: participants at or above the pension age (60)",
    uses_population=True)
