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
    "contribution_rate_increase": ("1", "Contribution rate added by the rate adjustment rule (pooled fund below its floor)",
                                   "费率调整增加的缴费率"),
    "births": ("persons", "Births of the year surviving to year end (national population)", "出生人口"),
}
DETAIL_VARIABLES = {
    "contributors_by_age": ("persons", "In-service members by age and sex at year end", "分年龄性别在职职工"),
    "beneficiaries_by_age": ("persons", "Retired members by age and sex at year end", "分年龄性别退休人员"),
    "medical_cost_by_age": ("yuan", "Medical cost by age and sex (maternity excluded)", "分年龄性别医疗费用"),
}


class EmployeeMedicalFund(Fund):
    """The employee basic medical insurance model (pooled fund + individual accounts)."""

    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.employee_medical.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        return FundRun(year=year_outputs(flows, inputs), age_detail=detail_outputs(detail))

    def carried_state_updates(self, sc, year: int) -> dict:
        """Re-basing to a later ``year``: how ``sc``'s projection of that year pays its flows, as the exposures of the
        new base year (``initial.worker_exposure, retiree_exposure, cost_exposure``). The base year pays on its
        year-end members, later years on mid-year members (the average of the cohort a year earlier and now): left
        at 1, the calibration put that half-year of growth into the contribution base (-0.7%) and the cost per
        unit, and a re-based projection drifted from its own (balance months -6.3% ten years after a re-base
        three years on, -38% six years on; measured). Also the year's maternity expenditure
        (``initial.maternity_expenditure``): the re-based population has the published fertility up to its base
        year, so its base-year births are not the projection's (+0.23% at 2027), and the cost per unit took the
        difference (-0.015% on medical cost in every later year). The insured shares by age and sex, the cost level
        reached and the maternity cost per birth are carried by ``rebase_updates``; the balances of the pooled fund
        and the accounts by ``opening_balance_updates``."""
        from sibrisk.funds.common.carried import exposure_ratio, inputs_to_year
        from sibrisk.funds.employee_medical import kernel as k
        from sibrisk.funds.employee_medical.inputs import run_kernel

        inp = inputs_to_year(sc, year)
        if inp is None:
            return {}
        flows, detail = run_kernel(inp, keep_detail=True, parallel=False)
        last, t = flows[0, -1], year - sc.projection.base_year
        W, R = detail[0, -1, ..., k.D_WORKERS], detail[0, -1, ..., k.D_RETIREES]
        end_cost = float(np.sum((W + inp.retiree_factor * R) * inp.curve)) * (
            inp.base_cost * inp.utilisation[t] * last[k.F_COST_INDEX])
        return {"initial.worker_exposure": exposure_ratio(last[k.F_WORKER_EXPOSURE], last[k.F_WORKERS]),
                "initial.retiree_exposure": exposure_ratio(last[k.F_RETIREE_EXPOSURE], last[k.F_RETIREES]),
                "initial.cost_exposure": exposure_ratio(last[k.F_MEDICAL_COST], end_cost),
                "initial.maternity_expenditure": float(last[k.F_MATERNITY])}

    def rebase_updates(self, sc, actuals, row) -> dict:
        """Re-basing (``sibrisk.rebase``) on the actual accounts of ``row.year``. The new base year starts from the
        scenario's own path at that year (as the average wage): the insured shares by age and sex are those the
        scenario projects for that year (the cohorts have moved on from the old base profile), the cost per unit of
        the age-cost curve includes the medical cost index reached (the index restarts at 1 in the new base year)
        and the maternity cost per birth is the year's own (it is indexed to the wage of the base year). On top of
        that, each correction targets one published quantity, solved from the model's own base-year formulas
        (exposure in the base year = the year-end members times ``initial.worker_exposure`` and
        ``cost_exposure``, 1 unless carried by ``carried_state_updates``) and refined by the passes of ``rebase``:

        - ``coverage.profile`` (male, female): the in-service and the retired members (``contributors``,
          ``beneficiaries``). The insured share at each age and sex is multiplied by ``a (1 - R) + b R`` (R: share
          past the statutory retirement age in that year), (a, b) solving the 2 x 2 linear system that gives both
          counts exactly; the age-sex shape is kept, shares are capped at 1.
        - ``benefits.base_cost``: benefit expenditure (medical cost per insured member, maternity per birth kept on
          the scenario's path): base_cost = (expenditure - maternity + account shortfall) / sum over ages of
          (in-service + retiree_factor x retired) x cost curve x utilisation.
        - ``contributions.base_ratio``: contribution income per contributor (contribution base / average wage, the
          parameter the default's calibration identifies; the collection rate stays an assumption and is not
          capped at 100% by this correction). It scales the account credits of in-service members with it.
        - ``subsidy``: the fiscal subsidy where the rule computes it (``fixed``: the amount, times the growth
          reached; ``share_of_expenditure``: the share; ``per_capita``: yuan per insured member), by actual /
          projected; ``gap_to_floor`` follows its rule and is not calibrated, nor is a projected subsidy of zero.

        Interest (the scenario's rate), other income and other expenditure are not calibrated: what they miss goes
        into the opening balance (``opening_balance_updates``), so the year-end balance is the actual one."""
        from sibrisk.funds.employee_medical import kernel as k
        from sibrisk.projection import fund_inputs
        from sibrisk.rebasing import ratio, scaled_series

        year = int(row.year)
        t = year - int(sc.years[0])  # > 0 on the first call (old base year), 0 once the base year has moved
        moving = t != 0
        inp = fund_inputs(sc, 1)
        cov = inp.cov0.copy()
        nxt = np.empty_like(cov)
        for i in range(1, t + 1):  # the scenario's own insured shares at ``year`` (the kernel's coverage step)
            k.coverage_step(cov, inp.pop[0, i - 1], inp.young[i], inp.lock_idx, nxt)
            cov, nxt = nxt, cov
        pop, R = inp.pop[0, t], inp.retired[t]
        up: dict = {}

        def target(name):
            v = actuals.get(name)
            return float(v) if v is not None and float(v) > 0 else float(row[name])

        # members: in-service and retired, the age-sex shape of the insured shares kept
        ins = pop * cov
        a_w, a_r = ins * (1 - R), ins * R
        m = np.array([[np.sum(a_w * (1 - R)), np.sum(a_w * R)], [np.sum(a_r * (1 - R)), np.sum(a_r * R)]])
        want = np.array([target("contributors"), target("beneficiaries")])
        a, b = np.linalg.solve(m, want)
        if not (a > 0 and b > 0):  # targets the shapes cannot give both: scale the insured as a whole
            a = b = want.sum() / (m.sum())
        new_cov = np.minimum(1.0, cov * (a * (1 - R) + b * R))
        if moving or a != 1.0 or b != 1.0:
            up["coverage.profile.male"] = [float(x) for x in new_cov[:, 0]]
            up["coverage.profile.female"] = [float(x) for x in new_cov[:, 1]]
        workers = np.sum(pop * new_cov * (1 - R))
        retirees_cost = np.sum(pop * new_cov * R * inp.curve) * inp.retiree_factor
        workers_cost = np.sum(pop * new_cov * (1 - R) * inp.curve)
        ew, _, ec = (float(x) for x in inp.exposure)  # the new base year's exposures (carried or 1)

        # expenditure: the medical cost per member (maternity per birth kept on the scenario's path)
        maternity = float(row.maternity_expenditure)
        if moving:
            births = float(row.births)
            if births > 0:
                up["benefits.maternity_cost_per_birth"] = maternity / births
        base_cost = float(sc.benefits.base_cost) * float(row.medical_cost_index)
        if ratio(actuals, row, "benefit_expenditure") is not None:
            medical = float(actuals["benefit_expenditure"]) - maternity + float(row.account_shortfall)
            units = (workers_cost + retirees_cost) * inp.utilisation[t] * ec
            if medical > 0 and units > 0:
                base_cost = medical / units
        if moving or base_cost != float(sc.benefits.base_cost):
            up["benefits.base_cost"] = base_cost

        # contributions per contributor: the contribution base (exposure of the base year = year-end members)
        if ratio(actuals, row, "contribution_income") is not None and workers > 0:
            per = workers * ew * float(row.average_wage) * inp.contrib_rate[t] * inp.collection[0, t]
            if per > 0:
                up["contributions.base_ratio"] = float(actuals["contribution_income"]) / per

        # subsidy where the rule computes it
        sub = sc.subsidy
        rs = ratio(actuals, row, "fiscal_subsidy")
        if sub.rule == "fixed" and sub.amount is not None:
            grown = 1.0
            if moving and sub.growth is not None:  # the growth is cumulated from the base year
                grown = float(np.prod(1 + sc.series("subsidy.growth")[1:t + 1]))
            if rs is not None or grown != 1.0:
                up["subsidy.amount"] = scaled_series(sc, "subsidy.amount", grown * (rs or 1.0))
        elif rs is not None and sub.rule == "share_of_expenditure":
            up["subsidy.share"] = scaled_series(sc, "subsidy.share", rs)
        elif rs is not None and sub.rule == "per_capita":
            up["subsidy.per_capita"] = scaled_series(sc, "subsidy.per_capita", rs)
        return up

    def opening_balance_updates(self, sc, opening, row) -> dict:
        """The opening balance split between the pooled fund and the individual accounts by their shares of the
        opening balance in ``row`` (NHSA has published the account balance only to 2022); where those shares are
        not both non-negative (a pooled deficit) or the opening is negative, the accounts keep their projected
        balance (never negative) and the pooled fund takes the rest."""
        pool, acct = float(row.pooled_opening_balance), max(0.0, float(row.account_opening_balance))
        if pool >= 0.0 and pool + acct > 0.0 and opening >= 0.0:
            acct = opening * acct / (pool + acct)
        return {"initial.pooled_balance": float(opening) - acct, "initial.account_balance": acct}


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
        "medical_cost_index": col(k.F_COST_INDEX), "contribution_rate_increase": col(k.F_RATE_INCREASE),
        "births": inputs.births,
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
