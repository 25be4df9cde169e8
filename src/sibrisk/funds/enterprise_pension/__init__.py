"""Enterprise employee basic pension (企业职工基本养老保险): cohort projection of contributors and retirees by age and
sex, 国发〔2005〕38号 benefit formula, statutory retirement ages dated by birth cohort (``funds.common.statutory``).

Files: ``parameters`` (scenario sections, pydantic), ``inputs`` (scenario -> kernel arrays), ``kernel`` (numba),
``reference`` (plain-NumPy twin), ``calibration`` (how the default scenario was made). Contract:
``kernels/enterprise_pension.md``.
"""

from __future__ import annotations

import numpy as np

from sibrisk.funds.base import Fund, FundRun
from sibrisk.funds.enterprise_pension.parameters import PensionScenario

VARIABLES = {
    "contributors": ("persons", "Contributing insured persons at year end", "参保在职职工人数"),
    "insured_not_contributing": ("persons", "Insured workers not contributing (lapsed, 断缴) at year end",
                                 "中断缴费参保职工人数"),
    "account_payouts": ("yuan", "Individual accounts paid out: to leavers without the minimum years and to heirs of "
                        "insured workers and retirees who died", "个人账户一次性支付和继承支出"),
    "retiree_account_refunds": ("yuan", "Of the accounts paid out: remaining individual accounts of retirees who died, "
                                "paid to heirs", "离退休人员死亡个人账户余额继承支出"),
    "back_payments": ("yuan", "Of the contribution income: lump sums paid by those at statutory age who buy back the "
                      "missing contribution years (补缴, 一次性缴费)", "一次性补缴养老保险费收入"),
    "back_payers": ("persons", "Insured at statutory age who bought back the missing contribution years and retired "
                    "during the year", "一次性补缴后退休人数"),
    "central_transfer_out": ("yuan", "Central adjustment / national pooling paid out by the region (上解)",
                             "中央调剂（全国统筹）上解支出"),
    "central_transfer_in": ("yuan", "Central adjustment / national pooling received by the region (下拨)",
                            "中央调剂（全国统筹）下拨收入"),
    "net_central_transfer": ("yuan", "Central adjustment / national pooling received less paid out",
                             "中央调剂（全国统筹）净收入"),
    "death_grants": ("yuan", "Funeral grants and survivor benefits on the death of retirees", "丧葬补助金和抚恤金"),
    "leavers_without_pension": ("persons", "Insured at statutory age without the minimum contribution years who "
                                "left the scheme with their individual account paid out during the year",
                                "未达最低缴费年限退出人数"),
    "beneficiaries": ("persons", "Retirees receiving benefits at year end", "离退休人员人数"),
    "new_beneficiaries": ("persons", "New retirees during the year", "新增离退休人数"),
    "average_benefit": ("yuan/year", "Average annual benefit per retiree", "人均养老金"),
}
DETAIL_VARIABLES = {
    "contributors_by_age": ("persons", "Contributing insured persons by age and sex at year end", "分年龄性别参保在职职工"),
    "beneficiaries_by_age": ("persons", "Retirees by age and sex at year end", "分年龄性别离退休人员"),
    "benefit_by_age": ("yuan/year", "Average annual benefit by age and sex", "分年龄性别人均养老金"),
    "not_contributing_by_age": ("persons", "Insured workers not contributing by age and sex at year end",
                                "分年龄性别中断缴费参保职工"),
    "retiree_account_by_age": ("yuan", "Average remaining individual account per retiree by age and sex at year end",
                               "分年龄性别离退休人员人均个人账户余额"),
}


class EmployeePensionFund(Fund):
    """The employee pension model (enterprise and public-sector schemes share it; their scenarios differ)."""

    def run(self, inputs, *, keep_detail=True, parallel=False) -> FundRun:
        from sibrisk.funds.enterprise_pension import kernel as k
        from sibrisk.funds.enterprise_pension.inputs import run_kernel

        flows, detail = run_kernel(inputs, keep_detail=keep_detail, parallel=parallel)
        col = lambda c: flows[..., c]  # noqa: E731
        with np.errstate(invalid="ignore", divide="ignore"):
            avg_ben = np.where(col(k.F_BEN_EXPOSURE) > 0, col(k.F_EXPEND) / col(k.F_BEN_EXPOSURE), np.nan)
        year = {
            "opening_balance": col(k.F_OPENING), "contribution_income": col(k.F_CONTRIB),
            "fiscal_subsidy": col(k.F_SUBSIDY), "interest_income": col(k.F_INTEREST),
            "benefit_expenditure": col(k.F_EXPEND), "fund_balance": col(k.F_CLOSING),
            # accounts paid out (to leavers without a pension: 一次性支付/转出; to heirs of insured workers and
            # retirees who died: 继承), death grants (丧葬补助金, 抚恤金) and central adjustment paid out (上解); other
            # income: central adjustment received (下拨)
            "other_expenditure": col(k.F_REFUND) + col(k.F_DEATH_GRANTS) + col(k.F_TRANSFER_OUT),
            "other_income": col(k.F_TRANSFER_IN), "account_payouts": col(k.F_REFUND),
            "retiree_account_refunds": col(k.F_RETIREE_REFUND), "back_payments": col(k.F_BACK_PAY),
            "back_payers": col(k.F_BACK_PAYERS), "central_transfer_out": col(k.F_TRANSFER_OUT),
            "central_transfer_in": col(k.F_TRANSFER_IN),
            "net_central_transfer": col(k.F_TRANSFER_IN) - col(k.F_TRANSFER_OUT),
            "death_grants": col(k.F_DEATH_GRANTS), "insured_not_contributing": col(k.F_LAPSED),
            "leavers_without_pension": col(k.F_EXITS),
            "covered_wage_bill": col(k.F_WAGEBILL), "contributors": col(k.F_CONTRIBUTORS),
            "beneficiaries": col(k.F_BENEFICIARIES), "new_beneficiaries": col(k.F_NEW_BEN),
            "average_wage": inputs.wage, "average_benefit": avg_ben, "interest_rate": inputs.rate,
        }
        by_age = None
        if detail is not None:
            by_age = {"contributors_by_age": detail[..., k.D_CONTRIB], "beneficiaries_by_age": detail[..., k.D_RETIREES],
                      "benefit_by_age": detail[..., k.D_BENEFIT],
                      "not_contributing_by_age": detail[..., k.D_LAPSED],
                      "retiree_account_by_age": detail[..., k.D_RETIREE_ACCOUNT]}
        return FundRun(year=year, age_detail=by_age)


    def carried_state_updates(self, sc, year: int) -> dict:
        """Re-basing to a later ``year``: the state at the end of ``year`` as ``sc`` projects it (by age, sex and
        contribution band: insured workers, their years and accounts; retirees, their pensions and remaining
        accounts), as ``[initial.state]`` with its totals, and the exposures that make the base year's flows those
        of the projection (mid-year exposures and back-payments, where the base year pays its year-end stocks).
        The re-based scenario then continues the projection: rebuilt from the history assumptions instead, the state
        moved the nation's balance months by 4.5% five years after a re-base three years on (measured)."""
        from sibrisk.funds.common.carried import inputs_to_year
        from sibrisk.funds.enterprise_pension import kernel as k
        from sibrisk.funds.enterprise_pension.reference import project_reference

        inp = inputs_to_year(sc, year)
        if inp is None:
            return {}
        flows, _, st = project_reference(inp, keep_detail=False, final_state=True)
        last = flows[0, -1]
        insured = float(st["contributing"].sum() + st["not_contributing"].sum())
        retirees = float(st["retirees"].sum())
        pensions = float(np.sum(st["retirees"] * st["benefit"]))
        contributing = float(st["contributing"].sum())
        return {
            "initial.state": {"source": f"projection of {sc.meta.name} ({sc.meta.region}) to the end of {year}",
                              **{name: np.asarray(v).round(10).tolist() for name, v in st.items()}},
            "initial.contributors": insured, "initial.retirees": retirees,
            "initial.average_benefit": pensions / retirees if retirees > 0 else sc.initial.average_benefit,
            # mid-year contributors, and the year's back-payments (补缴) on top of the contributions at the base
            "initial.contribution_exposure": (last[k.F_CONTRIB_EXPOSURE] / contributing * last[k.F_CONTRIB]
                                              / (last[k.F_CONTRIB] - last[k.F_BACK_PAY]))
            if contributing > 0 and last[k.F_CONTRIB] > last[k.F_BACK_PAY] else 1.0,
            "initial.benefit_exposure": last[k.F_EXPEND] / pensions if pensions > 0 else 1.0,
            "initial.other_expenditure": float(last[k.F_REFUND] + last[k.F_DEATH_GRANTS]),
        }

    AGE_STRUCTURES = ("contributors", "beneficiaries", "population")

    def age_structure_updates(self, sc, structure: dict, year: int) -> dict:
        """The region's own age structure: its insured workers (``contributors``) and retirees (``beneficiaries``)
        by age group, each spread over single ages as the scenario's own profile is within the group; without a
        count by age, the region's ``population`` by age times the scenario's profile (the nation's coverage by age
        applied to the region's population: ``age_structure.population_tilt``). The totals stay (the calibration
        sets them). Without a carried state the profiles ``initial.contributors_profile`` / ``retirees_profile``
        are replaced; with one, ``[initial.state]`` is re-weighted by age (per-person years, accounts, pensions
        kept; an age the state holds nobody at stays empty). The contributors' age shape is taken as the insured
        workers' (contributing and not): ASSUMPTION, agencies count payers by age."""
        from sibrisk.demography.age_structure import population_tilt
        from sibrisk.demography.population import base_stock, nearest_data_year
        from sibrisk.funds.enterprise_pension.parameters import AGE_MIN

        ini = sc.initial
        st = ini.state.arrays() if ini.state is not None else None
        current = {"contributors": (st["contributing"] + st["not_contributing"]).sum(axis=2) if st is not None
                   else ini.contributors_profile.array(),
                   "beneficiaries": st["retirees"] if st is not None else ini.retirees_profile.array()}
        tilt = None
        if "population" in structure:
            pop = structure["population"]
            tilt = population_tilt(pop, base_stock(nearest_data_year(pop.year)), year, AGE_MIN)
        target = {}
        for name, cur in current.items():
            if name in structure:
                target[name] = structure[name].expand(cur, AGE_MIN)
            elif tilt is not None:
                target[name] = cur * tilt
        if not target:
            return {}
        what = {n: (f"the region's own {n} by age ({structure[n].year})" if n in structure else
                    f"the scenario's profile x the region's population / the nation's by age "
                    f"({structure['population'].year})") for n in target}
        if st is None:
            out = {}
            for name, field in (("contributors", "contributors_profile"), ("beneficiaries", "retirees_profile")):
                if name in target:
                    t = target[name]
                    out[f"initial.{field}"] = {"male": t[:, 0].tolist(), "female": t[:, 1].tolist(),
                                               "note": what[name]}
            return out
        factor = {n: np.divide(t, current[n], out=np.zeros_like(t), where=current[n] > 0) for n, t in target.items()}
        state = ini.state.model_dump()
        if "contributors" in factor:
            f = factor["contributors"][:, :, None]
            state["contributing"] = (st["contributing"] * f).tolist()
            state["not_contributing"] = (st["not_contributing"] * f).tolist()
        if "beneficiaries" in factor:
            state["retirees"] = (st["retirees"] * factor["beneficiaries"]).tolist()
        state["source"] = f"{ini.state.source}; re-weighted by age: " + "; ".join(what.values())
        return {"initial.state": state}

    def rebase_updates(self, sc, actuals, row) -> dict:
        """Contributors and retirees (profiles kept), the average benefit (benefit expenditure per retiree), the
        collection rate (contribution income per contributor) and the subsidy rule's lever (``subsidy_rebase_
        updates``: the fiscal subsidy), each scaled by actual / projected. A scenario that
        carries its state (``carried_state_updates``) at its base year: its pensions and collection rate are already
        corrected against the projection of that year (a mid-year year); only how the base year shows its flows
        (the exposures) is corrected against its own base-year row."""
        from sibrisk.funds.common.accounts import subsidy_rebase_updates
        from sibrisk.rebasing import ratio, scaled_series

        ini, up = sc.initial, {}
        rc, rb = ratio(actuals, row, "contributors"), ratio(actuals, row, "beneficiaries")
        re_, rk = ratio(actuals, row, "benefit_expenditure"), ratio(actuals, row, "contribution_income")
        if rc is not None:
            up["initial.contributors"] = ini.contributors * rc
        if rb is not None:
            up["initial.retirees"] = ini.retirees * rb
        own_row = ini.state is not None and sc.projection.base_year == int(actuals["year"])
        if re_ is not None:
            if own_row:
                up["initial.benefit_exposure"] = ini.benefit_exposure * re_ / (rb or 1.0)
            else:
                up["initial.average_benefit"] = ini.average_benefit * re_ / (rb or 1.0)
        if own_row and "other_expenditure" in actuals and "other_expenditure" in row:
            up["initial.other_expenditure"] = max(0.0, ini.other_expenditure + float(actuals["other_expenditure"])
                                                  - float(row["other_expenditure"]))
        if rk is not None:
            if own_row:
                up["initial.contribution_exposure"] = ini.contribution_exposure * rk / (rc or 1.0)
            else:
                up["economy.collection_rate"] = scaled_series(sc, "economy.collection_rate", rk / (rc or 1.0))
        up.update(subsidy_rebase_updates(sc, actuals, row))
        return up


FUND = EmployeePensionFund(
    id="enterprise_pension", long_name="Basic pension insurance for enterprise employees",
    long_name_zh="企业职工基本养老保险", scenario_model=PensionScenario,
    default_scenario="enterprise_pension_national", variables=VARIABLES, detail_variables=DETAIL_VARIABLES,
    population_note="contributors: insured workers contributing; beneficiaries: retirees drawing a pension")
