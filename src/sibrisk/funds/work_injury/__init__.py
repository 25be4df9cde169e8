"""Work-injury insurance (工伤保险): insured workers from the population by coverage rates, employer contributions
by industry risk class, injury incidence split into medical-only cases, disability grades 1-10 and deaths, the
benefits of 工伤保险条例 (国务院令第586号, 2011), and the long-running stocks they create: disability allowances of
grades 1-4 (by grade, age and sex) and survivor pensions.

Files: ``parameters`` (scenario sections), ``inputs`` (scenario -> kernel arrays, initial stocks), ``kernel`` (numba),
``reference`` (plain-NumPy twin), ``calibration`` (published 2021 figures, the solved parameters, the back-test of the
later years ``BACKTEST`` and the phased-cut notices ``PHASED_CUT_NOTICES``). Contract:
``kernels/work_injury.md``.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.base import Fund, FundRun
from sibrisk.funds.work_injury.parameters import WorkInjuryScenario

VARIABLES = {
    "contributors": ("persons", "Insured workers at year end (employers contribute for all of them)", "参保人数"),
    "beneficiaries": ("persons", "Persons receiving benefits during the year: new cases plus continuing disability "
                      "and survivor pensioners", "享受工伤保险待遇人数"),
    "new_cases": ("persons", "New work-injury cases receiving benefits (incl. deaths)", "新发工伤人数"),
    "work_deaths": ("persons", "Work-related deaths (工亡)", "工亡人数"),
    "new_disability_pensioners": ("persons", "New disability-allowance recipients (grades 1-4)", "新增1-4级伤残津贴人数"),
    "disability_pensioners": ("persons", "Disability-allowance recipients, grades 1-4, at year end", "1-4级伤残津贴领取人数"),
    "survivor_pensioners": ("persons", "Survivor pension recipients at year end", "供养亲属抚恤金领取人数"),
    "medical_expenditure": ("yuan", "Medical, rehabilitation and related costs of new cases", "工伤医疗费等支出"),
    "one_off_disability_expenditure": ("yuan", "One-off disability subsidies (一次性伤残补助金)", "一次性伤残补助金"),
    "separation_expenditure": ("yuan", "One-off medical subsidies on separation, grades 5-10 (一次性工伤医疗补助金)",
                               "一次性工伤医疗补助金"),
    "disability_allowance_expenditure": ("yuan", "Disability allowances grades 1-4 and post-retirement top-ups",
                                         "伤残津贴支出"),
    "care_expenditure": ("yuan", "Nursing-care allowances (生活护理费)", "生活护理费"),
    "death_benefit_expenditure": ("yuan", "One-off death subsidies and funeral grants", "一次性工亡补助金和丧葬补助金"),
    "survivor_pension_expenditure": ("yuan", "Survivor pensions (供养亲属抚恤金)", "供养亲属抚恤金"),
    "effective_contribution_rate": ("1", "Average employer contribution rate applied", "平均缴费费率"),
    "reserve": ("yuan", "Reserve (储备金) held inside the fund balance, at the base year's share", "储备金"),
}
DETAIL_VARIABLES = {
    "insured_by_age": ("persons", "Insured workers by age and sex at year end", "分年龄性别参保人数"),
    "disability_pensioners_by_age": ("persons", "Disability-allowance recipients (grades 1-4) by age and sex",
                                     "分年龄性别1-4级伤残津贴领取人数"),
    "new_cases_by_age": ("persons", "New work-injury cases by age and sex", "分年龄性别新发工伤人数"),
}


class WorkInjuryFund(Fund):
    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.work_injury.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        return fund_run(inputs, flows, detail, reserve_share=getattr(inputs, "reserve_share", 0.0))

    def carried_state_updates(self, sc, year: int) -> dict:
        """Re-basing to a later ``year``: the pension stocks at the end of ``year`` as ``sc`` projects them (grade 1-4
        allowance recipients by grade, age and sex with their allowances; survivor pensioners and their pension) as
        ``[initial.state]`` with its totals, the exposures that make the base year's flows (paid on year-end stocks)
        those of the projection's year (mid-year exposures: cases, wage bill, allowances, care, survivor pensions),
        and the relative-risk normalisation of ``sc``'s base year (``incidence.risk_mean``). Rebuilt from the
        stationary-history assumptions instead, and with the base year's year-end exposures fitting the levers, the
        nation re-based onto its own accounts drifted: balance months 7.9% (base + 3) and 8.5% (base + 6) off after
        ten years (measured)."""
        from sibrisk.funds.common.carried import exposure_ratio, inputs_to_year
        from sibrisk.funds.work_injury import kernel as k
        from sibrisk.funds.work_injury.inputs import risk_mean
        from sibrisk.funds.work_injury.reference import project_reference

        inp = inputs_to_year(sc, year)
        if inp is None:
            return {}
        flows, _, st = project_reference(inp, keep_detail=False, final_state=True)
        last = flows[0, -1]
        ins = inp.insured[0, -1]
        w = float(inp.wage[0, -1])
        D, B, L, BL = st["disabled"], st["allowance"], st["survivors"], st["survivor_benefit"]
        pay = 1.0 - inp.retired[-1][None] * (1.0 - inp.topup)
        rr = sc.incidence.relative_risk.array()
        return {
            "initial.state": {"source": f"projection of {sc.meta.name} ({sc.meta.region}) to the end of {year}",
                              "disabled": D.round(12).tolist(), "allowance": B.round(10).tolist(),
                              "survivor_benefit": float(BL)},
            "initial.disability_pensioners": float(D.sum()), "initial.survivor_pensioners": float(L),
            "incidence.risk_mean": (float(sc.incidence.risk_mean) if sc.incidence.risk_mean is not None
                                    else risk_mean(rr, inp.insured[0, 0])),
            "initial.case_exposure": exposure_ratio(last[k.F_CASES],
                                                    float(inp.incidence[-1] * (inp.rel_risk * ins).sum())),
            "initial.contribution_exposure": exposure_ratio(last[k.F_WAGEBILL],
                                                            float(ins.sum()) * inp.base_ratio * w),
            "initial.allowance_exposure": exposure_ratio(last[k.F_EXP_ALLOWANCE], float((D * B * pay).sum())),
            "initial.care_exposure": exposure_ratio(last[k.F_EXP_CARE],
                                                    float((D * np.asarray(inp.care_ratio)[:, None, None]).sum())
                                                    * float(inp.wage_prev[0, -1])),  # Art. 34: last year's wage
            "initial.survivor_exposure": exposure_ratio(last[k.F_EXP_SURVIVOR], L * BL),
        }

    def rebase_updates(self, sc, actuals, row) -> dict:
        """Re-basing: the levers the default's calibration solves (``calibration``), each scaled by actual /
        projected of one published quantity, age-sex shapes kept:

        - ``population.scale`` <- insured (``contributors``): the coverage rates by age and sex and their growth
          path are kept, the insured are scaled as a whole;
        - ``incidence.rate`` (every year) <- beneficiaries per insured: new cases and, through the stationary
          initial stocks, the continuing grade 1-4 disability and survivor pensioners are all proportional to it
          in the base year, so the beneficiaries scale with it exactly; a carried state (``carried_state_updates``)
          has its totals ``initial.disability_pensioners`` and ``survivor_pensioners`` scaled by the same
          beneficiaries ratio, so that again every beneficiary and benefit stream scales together;
        - ``benefits.medical_cost_level`` <- benefit expenditure per beneficiary. Only the medical part of
          expenditure depends on it (about 13% of the default's expenditure): the other benefits follow statutory
          multiples of wages and incomes, so the level is solved from the affine relation (as in the calibration),
          new level = level x (1 + (actual / s - projected) / medical), s the scaling of the cases this pass
          (beneficiaries ratio): a 1% gap per beneficiary moves the level about 8%. It cannot go below zero:
          actual expenditure per beneficiary below the non-medical part (about 87% of the projected one) is
          matched only down to that floor, and the rest shows in the check (and the opening balance);
        - ``contributions.rate_factor`` (every year) <- contribution income per insured (the average employer
          rate; the collection rate, a shared economy assumption capped at 1, is kept);
        - ``contributions.prevention_share`` <- other expenditure (prevention spending) per contribution income;
        - ``subsidy.amount`` / ``share`` / ``per_capita`` <- the fiscal subsidy, for the rules that compute it from
          a parameter (``fixed``, ``share_of_expenditure``, ``per_capita``); a ``gap_to_floor`` subsidy follows
          the balance rule and is left alone.

        Not calibrated: interest income (opening balance x the fund yield) and other income (the model has none);
        what they miss goes into the opening balance, so the year-end balance is the actual one.

        Carried, not calibrated (where a count is not given, the scenario's own projection of it is kept): the
        coverage growth, incidence trend and fixed-subsidy growth indices restart at the new base year, so what they
        built up from the old base year to the new one is moved into ``population.scale``, ``incidence.rate`` and
        ``subsidy.amount``; a new base year after ``benefits.disposable_income_published_until`` gets the
        disposable income the one-off death subsidy is set against from the scenario's own path (the last published
        value grown with the average wage), and becomes the last published year, so the subsidy path is unchanged."""
        from sibrisk.rebasing import ratio, scaled_series

        up = {}
        year, ben = int(row.year), sc.benefits
        years = [int(y) for y in sc.years]
        if year > ben.disposable_income_published_until:
            from sibrisk.economy import economic_paths

            last = years.index(ben.disposable_income_published_until)
            wage = economic_paths(sc, 1)["average_wage"][0]
            income = float(sc.series("benefits.prior_year_disposable_income")[last])
            up["benefits.prior_year_disposable_income"] = {year: income * float(wage[years.index(year)] / wage[last])}
            up["benefits.disposable_income_published_until"] = year
        rc, rb = ratio(actuals, row, "contributors"), ratio(actuals, row, "beneficiaries")
        re_, rk = ratio(actuals, row, "benefit_expenditure"), ratio(actuals, row, "contribution_income")
        ro, rs = ratio(actuals, row, "other_expenditure"), ratio(actuals, row, "fiscal_subsidy")
        cases = rb or rc or 1.0  # how the base year's cases (and every benefit stream) scale with this pass

        def carried(growth: str) -> float:
            # what an annual-growth series built up from sc's base year to the new one (1 once the base has moved)
            return float(np.prod(1.0 + sc.series(growth)[1:years.index(year) + 1]))

        cover, trend = carried("coverage.growth"), carried("incidence.trend")
        if rc is not None or cover != 1.0:
            scale = sc.population.scale if sc.population is not None else 1.0
            up["population.scale"] = scale * (rc or 1.0) * cover
        if rb is not None or trend != 1.0:
            up["incidence.rate"] = scaled_series(sc, "incidence.rate",
                                                 (rb / (rc or 1.0) if rb is not None else 1.0) * trend)
        medical = float(row["medical_expenditure"])
        if rb is not None and sc.initial.state is not None:
            up["initial.disability_pensioners"] = sc.initial.disability_pensioners * rb
            up["initial.survivor_pensioners"] = sc.initial.survivor_pensioners * rb
        if re_ is not None and medical > 0.0:
            spent = float(row["benefit_expenditure"])
            factor = 1.0 + (float(actuals["benefit_expenditure"]) / cases - spent) / medical
            level = sc.benefits.medical_cost_level
            up["benefits.medical_cost_level"] = float(min(max(level * factor, 0.0), 100.0))
        if rk is not None:
            up["contributions.rate_factor"] = scaled_series(sc, "contributions.rate_factor", rk / (rc or 1.0))
        if ro is not None:
            up["contributions.prevention_share"] = scaled_series(sc, "contributions.prevention_share",
                                                                 ro / (rk or rc or 1.0))
        rule = sc.subsidy.rule
        if rule == "fixed" and (rs is not None or sc.subsidy.growth is not None):
            grown = carried("subsidy.growth") if sc.subsidy.growth is not None else 1.0
            up["subsidy.amount"] = scaled_series(sc, "subsidy.amount", (rs or 1.0) * grown)
        elif rs is not None and rule == "per_capita":
            up["subsidy.per_capita"] = scaled_series(sc, "subsidy.per_capita", rs / cases)
        elif rs is not None and rule == "share_of_expenditure":
            # the total expenditure this pass is heading for (the actual flows where given)
            total = float(row["benefit_expenditure"]) + float(row["other_expenditure"])
            heading = (float(actuals.get("benefit_expenditure", float(row["benefit_expenditure"]) * cases))
                       + float(actuals.get("other_expenditure", float(row["other_expenditure"]) * (rk or rc or 1.0))))
            up["subsidy.share"] = scaled_series(sc, "subsidy.share", rs * total / heading)
        return up


def fund_run(inputs, flows: np.ndarray, detail, reserve_share: float = 0.0) -> FundRun:
    """Name the kernel's columns (shared by the kernel and the reference)."""
    from sibrisk.funds.work_injury import kernel as k

    col = lambda c: flows[..., c]  # noqa: E731
    year = {
        "opening_balance": col(k.F_OPENING), "contribution_income": col(k.F_CONTRIB),
        "fiscal_subsidy": col(k.F_SUBSIDY), "interest_income": col(k.F_INTEREST),
        "benefit_expenditure": col(k.F_BENEFIT), "other_expenditure": col(k.F_OTHER),
        "fund_balance": col(k.F_CLOSING), "covered_wage_bill": col(k.F_WAGEBILL),
        "contributors": col(k.F_INSURED), "insured": col(k.F_INSURED), "beneficiaries": col(k.F_BENEFICIARIES),
        "average_wage": inputs.wage, "interest_rate": inputs.rate,
        "new_cases": col(k.F_CASES), "work_deaths": col(k.F_DEATHS),
        "new_disability_pensioners": col(k.F_NEW_PENSION), "disability_pensioners": col(k.F_DISABLED),
        "survivor_pensioners": col(k.F_SURVIVORS), "medical_expenditure": col(k.F_EXP_MEDICAL),
        "one_off_disability_expenditure": col(k.F_EXP_ONE_OFF), "separation_expenditure": col(k.F_EXP_SEPARATION),
        "disability_allowance_expenditure": col(k.F_EXP_ALLOWANCE), "care_expenditure": col(k.F_EXP_CARE),
        "death_benefit_expenditure": col(k.F_EXP_DEATH), "survivor_pension_expenditure": col(k.F_EXP_SURVIVOR),
        "effective_contribution_rate": col(k.F_RATE),
        "reserve": reserve_share * np.maximum(col(k.F_CLOSING), 0.0),
    }
    by_age = None
    if detail is not None:
        by_age = {"insured_by_age": detail[..., k.D_INSURED], "disability_pensioners_by_age": detail[..., k.D_DISABLED],
                  "new_cases_by_age": detail[..., k.D_CASES]}
    return FundRun(year=year, age_detail=by_age)


FUND = WorkInjuryFund(
    id="work_injury", long_name="Work-related injury insurance", long_name_zh="工伤保险",
    scenario_model=WorkInjuryScenario, default_scenario="work_injury_national", variables=VARIABLES,
    detail_variables=DETAIL_VARIABLES, uses_population=True,
    population_note=("contributors = insured workers (employers pay for all of them); beneficiaries = persons "
                     "receiving benefits during the year (new cases + continuing grade 1-4 disability-allowance and "
                     "survivor pensioners), the MOHRSS bulletin's 享受工伤保险待遇人数"))
