"""Employee basic medical insurance (职工基本医疗保险, maternity insurance merged into it since 2019, 国办发〔2019〕10号):
population-based projection of in-service (contributing) and retired (non-contributing) members, contributions on
wages split between the pooled fund (统筹基金) and individual accounts (个人账户) by the 2021 outpatient mutual-aid
reform's rules (国办发〔2021〕14号), medical cost by age and sex growing with medical cost growth, maternity costs from
births.

The common variables (``fund_balance``, ``benefit_expenditure``, ...) are the whole fund, pooled fund plus individual
accounts, as NHSA publishes its totals; the pooled fund and the accounts are extra variables (``pooled_*``,
``account_*``). Files: ``parameters``, ``inputs``, ``kernel``, ``reference``, ``calibration``. Contract:
``kernels/employee_medical.md``.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.base import Fund, FundRun
from sibrisk.funds.employee_medical.parameters import MedicalScenario

VARIABLES = {
    "contributors": ("persons", "In-service (contributing) members at year end", "参保在职职工人数"),
    "beneficiaries": ("persons", "Retired members (insured without contributions) at year end", "参保退休人员人数"),
    "insured": ("persons", "Insured members at year end (in-service + retired)", "参保人数"),
    "average_benefit": ("yuan/year", "Fund expenditure per insured member (pooled + accounts)", "人均基金支出"),
    "pooled_opening_balance": ("yuan", "Pooled fund balance at 1 January", "统筹基金年初累计结存"),
    "pooled_income": ("yuan", "Pooled fund income (contributions net of account credits + subsidy + interest)",
                      "统筹基金收入"),
    "pooled_contribution_income": ("yuan", "Contributions to the pooled fund (net of account credits)",
                                   "统筹基金征缴收入"),
    "pooled_interest_income": ("yuan", "Interest income of the pooled fund", "统筹基金利息收入"),
    "pooled_expenditure": ("yuan", "Pooled fund expenditure (medical + maternity)", "统筹基金支出"),
    "pooled_balance": ("yuan", "Pooled fund balance at 31 December", "统筹基金累计结存"),
    "account_opening_balance": ("yuan", "Individual-account balance at 1 January", "个人账户年初累计结存"),
    "account_income": ("yuan", "Individual-account income (credits + interest)", "个人账户收入"),
    "account_expenditure": ("yuan", "Individual-account expenditure", "个人账户支出"),
    "account_balance": ("yuan", "Individual-account balance at 31 December", "个人账户累计结存"),
    "retiree_account_credits": ("yuan", "Credits to retirees' accounts out of employer contributions",
                                "退休人员个人账户划入额"),
    "medical_cost": ("yuan", "Medical cost claimed on the fund (pooled share + account share, maternity excluded)",
                     "医疗费用（基金及个人账户负担部分）"),
    "maternity_expenditure": ("yuan", "Maternity expenditure (paid by the pooled fund)", "生育保险待遇支出"),
    "account_shortfall": ("yuan", "Account share of medical cost not covered by account balances (paid out of pocket)",
                          "个人账户不足支付部分"),
    "medical_cost_index": ("1", "Medical cost index per person (base year = 1)", "人均医疗费用指数"),
    "births": ("persons", "Births of the year surviving to year end (national population)", "出生人口"),
}
DETAIL_VARIABLES = {
    "contributors_by_age": ("persons", "In-service members by age and sex at year end", "分年龄性别在职职工"),
    "beneficiaries_by_age": ("persons", "Retired members by age and sex at year end", "分年龄性别退休人员"),
    "medical_cost_by_age": ("yuan", "Medical cost by age and sex (maternity excluded)", "分年龄性别医疗费用"),
}


class EmployeeMedicalFund(Fund):
    """The employee basic medical insurance model (pooled fund + individual accounts)."""

    def build_inputs(self, sc, n_scenarios, *, economy, mortality, population=None):
        from sibrisk.funds.employee_medical.inputs import build_inputs

        if population is None:
            raise ValueError("employee_medical is population-based: the driver must pass population=")
        return build_inputs(sc, n_scenarios, economy=economy, mortality=mortality, population=population)

    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.employee_medical.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        return FundRun(year=year_outputs(flows, inputs), age_detail=detail_outputs(detail))


def year_outputs(flows: np.ndarray, inputs) -> dict[str, np.ndarray]:
    """Named (S, T) outputs from the kernel's flow columns (shared by the kernel and the reference runs)."""
    from sibrisk.funds.employee_medical import kernel as k

    col = lambda c: flows[..., c]  # noqa: E731
    insured = col(k.F_WORKERS) + col(k.F_RETIREES)
    exposure = col(k.F_WORKER_EXPOSURE) + col(k.F_RETIREE_EXPOSURE)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(exposure > 0, col(k.F_EXPEND) / exposure, np.nan)
    return {
        "opening_balance": col(k.F_OPENING), "contribution_income": col(k.F_CONTRIB),
        "fiscal_subsidy": col(k.F_SUBSIDY), "interest_income": col(k.F_INTEREST),
        "benefit_expenditure": col(k.F_EXPEND), "fund_balance": col(k.F_CLOSING),
        "covered_wage_bill": col(k.F_WAGEBILL), "contributors": col(k.F_WORKERS),
        "beneficiaries": col(k.F_RETIREES), "insured": insured, "average_wage": inputs.wage,
        "average_benefit": avg, "interest_rate": inputs.rate,
        "pooled_opening_balance": col(k.F_POOL_OPENING),
        "pooled_income": col(k.F_POOL_CONTRIB) + col(k.F_SUBSIDY) + col(k.F_POOL_INTEREST),
        "pooled_contribution_income": col(k.F_POOL_CONTRIB), "pooled_interest_income": col(k.F_POOL_INTEREST),
        "pooled_expenditure": col(k.F_POOL_EXPEND), "pooled_balance": col(k.F_POOL_CLOSING),
        "account_opening_balance": col(k.F_ACCT_OPENING),
        "account_income": col(k.F_ACCT_INFLOW) + col(k.F_ACCT_INTEREST),
        "account_expenditure": col(k.F_ACCT_EXPEND), "account_balance": col(k.F_ACCT_CLOSING),
        "retiree_account_credits": col(k.F_RETIREE_CREDIT), "medical_cost": col(k.F_MEDICAL_COST),
        "maternity_expenditure": col(k.F_MATERNITY), "account_shortfall": col(k.F_ACCT_SHORTFALL),
        "medical_cost_index": col(k.F_COST_INDEX), "births": inputs.births,
    }


def detail_outputs(detail):
    from sibrisk.funds.employee_medical import kernel as k

    if detail is None:
        return None
    return {"contributors_by_age": detail[..., k.D_WORKERS], "beneficiaries_by_age": detail[..., k.D_RETIREES],
            "medical_cost_by_age": detail[..., k.D_COST]}


FUND = EmployeeMedicalFund(
    id="employee_medical", long_name="Basic medical insurance for employees (maternity included)",
    long_name_zh="职工基本医疗保险（含生育保险）", scenario_model=MedicalScenario,
    default_scenario="employee_medical_national", variables=VARIABLES, detail_variables=DETAIL_VARIABLES,
    population_note=("contributors: in-service members paying contributions; beneficiaries: retired members, "
                     "insured without contributions (every member is covered; expenditure is on all of them). "
                     "Money flows and balances are the whole fund: pooled fund (统筹基金) + individual accounts "
                     "(个人账户); pooled_* and account_* give each part"),
    uses_population=True,
    # average_benefit here is spending per insured member, so benefit / wage is not a replacement rate
    excluded_indicators=("average_replacement_rate",))
