"""Unemployment insurance (失业保险): insured = coverage x projected population by age and sex; contributions on the
covered wage bill; benefit claims from the unemployment-rate path, durations capped by contribution-years band
(失业保险条例 Art. 17: 12 / 18 / 24 months), benefits a share of the minimum wage (Art. 18; 人社部发〔2017〕71号:
90%) plus medical premiums paid for recipients; job-stabilisation refunds (稳岗返还) and skills subsidies as other
expenditure.

Files: ``parameters`` (scenario sections, pydantic), ``inputs`` (scenario -> kernel arrays), ``kernel`` (numba),
``reference`` (plain-NumPy twin), ``calibration`` (published figures and how the default scenario was solved).
Contract: ``kernels/unemployment.md``.
"""

from __future__ import annotations

from sibrisk.funds.base import Fund, FundRun
from sibrisk.funds.unemployment.parameters import UnemploymentScenario

VARIABLES = {
    "contributors": ("persons", "Insured persons at year end (all counted as contributing; collection rate "
                     "covers arrears)", "参保缴费人数"),
    "beneficiaries": ("persons", "Recipients of unemployment benefit at year end (stock)", "年末领取失业保险金人数"),
    "average_benefit": ("yuan/year", "Average annual unemployment benefit per recipient (12 x monthly)",
                        "人均失业保险金(年)"),
    "recipients_in_year": ("persons", "Persons paid unemployment benefit at some time during the year",
                           "全年领取失业保险金人数"),
    "new_claims": ("persons", "New benefit claims during the year", "新增领取失业保险金人数"),
    "unemployed_insured": ("persons", "Insured exposure x the unemployment rate claims follow (this year's and, "
                           "by benefits.claims_lag_weight, last year's)", "失业参保人员(推算)"),
    "months_per_claim": ("months", "Expected benefit months drawn per claim (bands capped at 12/18/24 months)",
                         "每次申领平均领取月数"),
    "benefit_months_paid": ("person-months", "Benefit months paid during the year", "失业保险金发放人月数"),
    "average_monthly_benefit": ("yuan/month", "Unemployment benefit per recipient per month", "失业保险金月人均水平"),
    "minimum_wage": ("yuan/month", "Minimum wage the benefit is set against", "最低工资标准"),
    "unemployment_benefit_paid": ("yuan", "Unemployment benefit paid (失业保险金)", "失业保险金支出"),
    "medical_premiums_paid": ("yuan", "Basic medical insurance premiums paid for benefit recipients",
                              "代缴基本医疗保险费"),
    "job_stabilisation_refunds": ("yuan", "Job-stabilisation refunds to employers (稳岗返还)", "稳岗返还支出"),
    "skills_and_other_expenditure": ("yuan", "Skills, training and other non-benefit subsidies",
                                     "技能提升及其他支出"),
    "unemployment_rate": ("1", "Unemployment rate (surveyed urban, annual average)", "城镇调查失业率"),
}
DETAIL_VARIABLES = {
    "insured_by_age": ("persons", "Insured persons by age and sex at year end", "分年龄性别参保人数"),
}


class UnemploymentFund(Fund):
    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.unemployment import kernel as k
        from sibrisk.funds.unemployment.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        col = lambda c: flows[..., c]  # noqa: E731
        year = {
            "opening_balance": col(k.F_OPENING), "contribution_income": col(k.F_CONTRIB),
            "fiscal_subsidy": col(k.F_SUBSIDY), "interest_income": col(k.F_INTEREST),
            "benefit_expenditure": col(k.F_BENEFIT), "other_expenditure": col(k.F_OTHER),
            "fund_balance": col(k.F_CLOSING), "covered_wage_bill": col(k.F_WAGEBILL),
            "insured": col(k.F_INSURED), "contributors": col(k.F_INSURED), "beneficiaries": col(k.F_STOCK_END),
            "average_wage": inputs.wage, "average_benefit": 12.0 * col(k.F_MONTHLY_BENEFIT),
            "interest_rate": inputs.rate, "recipients_in_year": col(k.F_IN_YEAR), "new_claims": col(k.F_CLAIMS),
            "unemployed_insured": col(k.F_UNEMPLOYED), "months_per_claim": col(k.F_MONTHS_PER_CLAIM),
            "benefit_months_paid": col(k.F_BENEFIT_MONTHS), "average_monthly_benefit": col(k.F_MONTHLY_BENEFIT),
            "minimum_wage": inputs.min_wage, "unemployment_benefit_paid": col(k.F_UI_PAID),
            "medical_premiums_paid": col(k.F_MEDICAL), "job_stabilisation_refunds": col(k.F_STABILISATION),
            "skills_and_other_expenditure": col(k.F_SKILLS),
            "unemployment_rate": inputs.unemp if inputs.surveyed_unemp is None else inputs.surveyed_unemp,
        }
        by_age = {"insured_by_age": detail} if detail is not None else None
        return FundRun(year=year, age_detail=by_age)


    def carried_state_updates(self, sc, year: int) -> dict:
        """Re-basing to a later ``year``: how ``sc``'s projection of that year pays its flows and where its stock of
        recipients starts. The base year pays contributions and claims on its year-end insured, later years on the
        mid-year insured (the mean of the start and the end of the year): ``initial.insured_exposure`` carries that
        year's ratio of the two. The base year's recipients on 1 January are otherwise the steady state (its own
        year-end stock): ``initial.opening_recipients_ratio`` carries the projection's stock at the end of ``year - 1``
        over the one at the end of ``year`` (a ratio, so it follows the size and take-up the calibration gives).
        Left out, the calibration put half a year of insured growth into the collection rate and the take-up of
        claims (both -1.1% re-based three years on) and the nation re-based onto its own accounts drifted: flows
        -1.1% (base + 3) and -0.8% (base + 6), balance months +0.6% / +0.5% ten years on, recipients during the
        re-based year +0.17% / +0.73% (measured). Where claims follow last year's unemployment rate
        (``benefits.claims_lag_weight`` > 0), ``initial.unemployment_rate_before`` carries the projection's rate of
        ``year - 1`` (left at the original's 2020 rate the nation re-based onto 2024 drifted -7.1% in claims)."""
        from sibrisk.funds.common.carried import exposure_ratio, inputs_to_year
        from sibrisk.funds.unemployment import kernel as k
        from sibrisk.funds.unemployment.inputs import run_kernel

        inp = inputs_to_year(sc, year)
        if inp is None:
            return {}
        flows, _ = run_kernel(inp, keep_detail=False, parallel=False)
        last, before = flows[0, -1], flows[0, -2]
        up = {"initial.insured_exposure": exposure_ratio(last[k.F_INSURED_EXPOSURE], last[k.F_INSURED]),
              "initial.opening_recipients_ratio": exposure_ratio(before[k.F_STOCK_END], last[k.F_STOCK_END])}
        if float(sc.benefits.claims_lag_weight) > 0.0:
            # claims of the new base year follow the rate of the year before it too
            rates = sc.series("economy.unemployment_rate")
            up["initial.unemployment_rate_before"] = float(rates[year - 1 - sc.projection.base_year])
        return up

    def rebase_updates(self, sc, actuals, row) -> dict:
        """The population scale (insured; coverage rates by age and sex kept), the take-up of claims (recipients
        per insured), the benefit as a share of the minimum wage (benefit expenditure per recipient), the collection
        rate (contributions per insured), each scaled by actual / projected; the minimum wage of the new base year
        is the scenario's own path at that year."""
        from sibrisk.rebasing import ratio, scaled_series

        up = {}
        rc, rb = ratio(actuals, row, "contributors"), ratio(actuals, row, "beneficiaries")
        re_, rk = ratio(actuals, row, "benefit_expenditure"), ratio(actuals, row, "contribution_income")
        if rc is not None:
            up["population.scale"] = sc.population.scale * rc
        if rb is not None:
            up["benefits.takeup"] = scaled_series(sc, "benefits.takeup", rb / (rc or 1.0))
        if re_ is not None:
            up["benefits.share_of_minimum_wage"] = scaled_series(sc, "benefits.share_of_minimum_wage",
                                                                 re_ / (rb or rc or 1.0))
        if rk is not None:
            up["economy.collection_rate"] = scaled_series(sc, "economy.collection_rate", rk / (rc or 1.0))
        up["benefits.minimum_wage"] = {int(row.year): float(row.minimum_wage)}
        return up


FUND = UnemploymentFund(
    id="unemployment", long_name="Unemployment insurance", long_name_zh="失业保险",
    scenario_model=UnemploymentScenario, default_scenario="unemployment_national", variables=VARIABLES,
    detail_variables=DETAIL_VARIABLES, uses_population=True,
    population_note=("contributors: insured persons (coverage x projected population; every insured person counts as "
                     "contributing, the collection rate covers arrears); beneficiaries: recipients of unemployment "
                     "benefit at year end (recipients_in_year: paid at some time during the year)"))
