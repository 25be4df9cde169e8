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

    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.resident_pension.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        return fund_run(flows, detail, inputs)

    def carried_state_updates(self, sc, year: int) -> dict:
        """Re-basing to a later ``year``: the individual accounts at the end of ``year`` as ``sc`` projects them (average
        account per participant below the pension age and account pension per beneficiary, by age and sex) as
        ``[initial.state]``, and the exposures that make the base year's pensions (paid on its year-end
        beneficiaries) those of the projection's year (paid on mid-year beneficiaries: the average of the cohort a
        year earlier and now): ``initial.beneficiary_exposure`` (basic pension) and ``account_pension_exposure``.
        Without them the base year paid on the year-end count (1.2% / 2.2% / 1.5% more than mid-year at 2022 / 2024 /
        2027), the solved local top-up lowered every later pension by as much, and the accounts were rebuilt from the
        contribution-history assumption: re-based onto its own accounts of base + 3 and base + 6 the nation drifted,
        balance months 2.8% and 2.0%, benefit expenditure 2.3% and 1.8% within ten years (measured)."""
        from sibrisk.funds.common.carried import exposure_ratio, inputs_to_year
        from sibrisk.funds.resident_pension import kernel as k
        from sibrisk.funds.resident_pension.reference import project_reference

        inp = inputs_to_year(sc, year)
        if inp is None:
            return {}
        flows, _, st = project_reference(inp, keep_detail=False, final_state=True)
        last = flows[0, -1]
        n = inp.cov[-1] * inp.pop[0, -1]
        old = np.arange(n.shape[0]) >= inp.jp
        year_end = float(n[old].sum())
        pensions = float((n * st["account_pension"])[old].sum())
        return {"initial.state": {"source": f"projection of {sc.meta.name} ({sc.meta.region}) to the end of {year}",
                                  "account": st["account"].round(10).tolist(),
                                  "account_pension": st["account_pension"].round(10).tolist()},
                "initial.beneficiary_exposure": exposure_ratio(last[k.F_BEN_EXPOSURE], year_end),
                "initial.account_pension_exposure": exposure_ratio(last[k.F_ACCOUNT], pensions)}

    def rebase_updates(self, sc, actuals, row) -> dict:
        """Re-basing (``sibrisk.rebase``): multiplicative corrections, each by actual / projected of one published
        quantity of the base year, computed from ``row`` (``sc``'s own projection of that year); the age-sex shapes
        of coverage, students, employee-scheme profile and accounts are kept.

        - ``population.scale`` x f_s and ``coverage.takeup_working`` x rc / f_s (contributors: participants below
          the pension age x density) and ``coverage.takeup_pension`` x rb / f_s (beneficiaries: participants at or
          above it), with rc, rb the actual / projected contributors and beneficiaries and
          f_s = max(rc, rb x the largest pension take-up): the population scale carries the contributors and the
          pension take-up the beneficiaries per contributor, unless that would raise the pension take-up above 1,
          when the scale also carries the beneficiaries and the working take-up falls;
        - ``benefits.local_top_up`` (every year) x the factor that makes the basic pension per beneficiary
          (benefit expenditure less the account pensions, per beneficiary exposed: the year-end beneficiaries x
          ``initial.beneficiary_exposure`` in a base year, as ``row`` pays them) the actual one: the average pension;
          the central minimum is statutory and kept (a top-up of 0 stays 0, and it never goes below 0);
        - ``benefits.other_expenditure_share`` x (actual / projected other expenditure) / (actual / projected
          benefit expenditure): other expenditure;
        - ``contributions.average`` x actual / projected contributions per contributor: contributions;
        - ``initial.history_contribution`` x actual year-end balance / projected accounts of participants below
          the pension age (``account_balances``): the base year's individual accounts (rebuilt from the
          contribution history, ``inputs.initial_accounts``) hold the fund's year-end balance, the assumption the
          default scenario was calibrated on (no accounts are published); the account pensions of the base year's
          beneficiaries follow from the same history, and the top-up makes the average pension the actual one.
          Not where the accounts are carried (``initial.state``, ``carried_state_updates``): they are the
          projection's own per participant, and the history is unused;
        - ``subsidy.matching`` (入口补贴 per contributor, every year) x the factor that makes the fund's own rule
          (basic pension cost + matching + the financed share of other expenditure) give the actual subsidy (the
          part of the subsidy beyond the basic pension and the other expenditure is what goes into individual
          accounts); never below 0, where the actual subsidy is below the basic pension cost and the financed other
          expenditure the rest stays unmatched (``Rebased.check``) and the opening balance absorbs it.

        Moving the base year (no correction; the first pass, when ``sc`` still has the old base year, t years
        earlier): ``coverage.employee_reference_age`` + t (cohort profiles of the employee schemes are fixed by age
        at the base year: the same cohorts keep the same shares; at most 60, the field's bound),
        (``coverage.employee_growth_from`` / ``employee_growth_until`` are calendar years and kept, so the shift of
        residents into the employee schemes continues: a cohort's share at the new base year already holds the years
        it grew), ``contributions.average`` also x the growth compounded from the old base year to the new one (the
        contribution path restarts from the new base year), ``initial.history_contribution`` also
        x (1 + history growth)^t (the history is in base-year yuan).
        Not calibrated: interest income (the fund's yield on the opening balance that makes the year-end balance the
        actual one: it matches only where the actual opening balance and timing of flows are the model's) and other
        income (none in this model)."""
        from sibrisk.rebasing import ratio, scaled_series

        year = int(row.year)
        t = year - int(sc.projection.base_year)
        up: dict = {}
        rc, rb = ratio(actuals, row, "contributors"), ratio(actuals, row, "beneficiaries")
        re_, ro = ratio(actuals, row, "benefit_expenditure"), ratio(actuals, row, "other_expenditure")
        rk = ratio(actuals, row, "contribution_income")
        cov = sc.coverage
        # counts: population scale and take-ups
        if rc is not None or rb is not None:
            tp_max = float(np.max(sc.series("coverage.takeup_pension")))
            f_s = rc if rc is not None else rb
            if rb is not None and rb * tp_max > f_s:
                f_s = rb * tp_max
            up["population.scale"] = sc.population.scale * f_s
            if rc is not None and rc != f_s:
                up["coverage.takeup_working"] = scaled_series(sc, "coverage.takeup_working", rc / f_s)
            if rb is not None and rb != f_s:
                up["coverage.takeup_pension"] = {y: min(v, 1.0) for y, v in  # 1 up to rounding
                                                 scaled_series(sc, "coverage.takeup_pension", rb / f_s).items()}
        # the average pension: the local top-up (basic pension = 12 x (central minimum + top-up) in the base year)
        if re_ is not None and float(row.basic_pension_expenditure) > 0:
            exposure = float(row.basic_pension_expenditure) / float(row.basic_pension)
            basic_needed = ((float(actuals["benefit_expenditure"])
                             - float(row.account_pension_expenditure) * (rb or 1.0)) / (exposure * (rb or 1.0)))
            t0 = list(sc.years).index(year)
            central = float(sc.series("benefits.central_minimum")[t0])
            top_up = float(sc.series("benefits.local_top_up")[t0])
            if top_up > 0:
                f_top = max(basic_needed / 12.0 - central, 0.0) / top_up
                up["benefits.local_top_up"] = scaled_series(sc, "benefits.local_top_up", f_top)
        if ro is not None:
            up["benefits.other_expenditure_share"] = scaled_series(sc, "benefits.other_expenditure_share",
                                                                   ro / (re_ or 1.0))
        # contributions per contributor (and the contribution path restarting from the new base year)
        g = sc.series("contributions.growth")
        compounded = float(np.prod(1.0 + g[1:t + 1])) if t > 0 else 1.0
        if rk is not None or t > 0:
            up["contributions.average"] = scaled_series(sc, "contributions.average",
                                                        compounded * (rk or 1.0) / (rc or 1.0))
        # the subsidy by the fund's rule: matching per contributor
        if "fiscal_subsidy" in actuals and float(row.matching_subsidy) > 0:
            benefit = float(actuals.get("benefit_expenditure", float(row.benefit_expenditure)))
            other = float(actuals.get("other_expenditure", float(row.other_expenditure)))
            basic_cost = benefit - float(row.account_pension_expenditure) * (rb or 1.0)
            financed = float(sc.series("subsidy.other_expenditure_financed")[list(sc.years).index(year)])
            matching_needed = float(actuals["fiscal_subsidy"]) - basic_cost - financed * other
            f_m = max(matching_needed, 0.0) / (float(row.matching_subsidy) * (rc or 1.0))
            up["subsidy.matching"] = scaled_series(sc, "subsidy.matching", f_m)
        # the individual accounts: the year-end balance, as in the scenario's calibration (unless carried)
        f_h = (1.0 + sc.initial.history_growth) ** t if t > 0 else 1.0
        if "fund_balance" in actuals and float(actuals["fund_balance"]) > 0 and float(row.account_balances) > 0:
            f_h *= float(actuals["fund_balance"]) / float(row.account_balances)
        if f_h != 1.0 and sc.initial.state is None:
            up["initial.history_contribution"] = sc.initial.history_contribution * f_h
        if t > 0:
            up["coverage.employee_reference_age"] = min(cov.employee_reference_age + t, 60.0)  # its upper bound
        return up


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
