"""Registered indicators: the figures that feed goals, monitoring and evaluation.

``compute(ds)`` computes them from a projection; ``list_indicators()`` documents them; ``balance_months`` and
``actuarial_balance`` also work on plain year-indexed data that did not come from sibrisk.
"""

from __future__ import annotations

import xarray as xr

from sibrisk.indicators import funcs as _f
from sibrisk.indicators.actuarial import (actuarial_balance, actuarial_balance_of, general_average_premium,
                                          general_average_premium_of, mid_year_discount_factors)
from sibrisk.indicators.funcs import (balance_months, current_balance, current_balance_before_subsidies,
                                      depleted_by, depletion_year, probability_of_depletion)
from sibrisk.indicators.registry import REGISTRY, Indicator, compute, get, list_indicators, register

__all__ = ["REGISTRY", "Indicator", "compute", "get", "list_indicators", "register", "balance_months",
           "actuarial_balance", "actuarial_balance_of", "general_average_premium", "general_average_premium_of",
           "mid_year_discount_factors", "current_balance", "current_balance_before_subsidies", "depletion_year",
           "depleted_by", "probability_of_depletion"]

CN_STATS = ("MOHRSS 人力资源和社会保障事业发展统计公报 and NHSA 全国医疗保障事业发展统计公报 (fund statistics); "
            "DOMAIN.md section 3")
SSA = "US Social Security Board of Trustees, Annual Report (2026), glossary and section IV.B"

register("balance_months", long_name="Balance months", long_name_zh="可支付月数", units="months",
         definition="year-end accumulated balance / (this year's expenditure / 12); option definition='next_year' "
                    "divides by next year's expenditure (NHSA's variant for resident medical insurance)",
         source=CN_STATS, inputs=("fund_balance", "total_expenditure"))(balance_months)

register("current_balance", long_name="Current balance", long_name_zh="当期结余", units="yuan",
         definition="total income - total expenditure (benefits and other expenditure)", source=CN_STATS,
         inputs=("total_income", "total_expenditure"))(current_balance)

register("current_balance_before_subsidies", long_name="Current balance before subsidies",
         long_name_zh="剔除财政补助的当期结余", units="yuan",
         definition="contribution income - total expenditure (interest, subsidies and other income excluded)", source=CN_STATS,
         inputs=("contribution_income", "total_expenditure"))(current_balance_before_subsidies)

register("payg_cost_rate", long_name="PAYG cost rate", long_name_zh="现收现付成本率", units="1",
         definition="total expenditure / covered wage bill", source=SSA + " ('cost rate')",
         inputs=("total_expenditure", "covered_wage_bill"))(_f.ratio)


@register("income_rate", long_name="Income rate", long_name_zh="收入率", units="1",
          definition="(total income - interest income) / covered wage bill", source=SSA + " ('income rate')",
          inputs=("total_income", "interest_income", "covered_wage_bill"))
def _income_rate(total_income, interest_income, covered_wage_bill):
    return _f.ratio(total_income - interest_income, covered_wage_bill)


@register("trust_fund_ratio", long_name="Trust fund ratio", long_name_zh="基金储备率", units="%",
          definition="balance at the start of the year / expenditure during the year x 100",
          source=SSA + " ('trust fund ratio')", inputs=("opening_balance", "total_expenditure"))
def _trust_fund_ratio(opening_balance, total_expenditure):
    return 100.0 * _f.ratio(opening_balance, total_expenditure)


register("system_dependency_ratio", long_name="System dependency ratio", long_name_zh="制度赡养率", units="1",
         definition="beneficiaries / contributors (year-end stocks)", source=CN_STATS,
         inputs=("beneficiaries", "contributors"))(_f.ratio)

register("average_replacement_rate", long_name="Average replacement rate", long_name_zh="平均替代率", units="1",
         definition="average benefit per beneficiary / average wage", source=CN_STATS,
         inputs=("average_benefit", "average_wage"))(_f.ratio)

register("subsidy_share", long_name="Subsidy share of income", long_name_zh="财政补助占收入比重", units="1",
         definition="fiscal subsidy / total income", source=CN_STATS,
         inputs=("fiscal_subsidy", "total_income"))(_f.ratio)

register("depletion_year", long_name="Depletion year", long_name_zh="基金耗尽年份", units="year", kind="summary",
         definition="first year whose year-end balance is below zero; NaN if not depleted within the projection",
         source=SSA + " ('reserve depletion date')", inputs=("fund_balance",))(depletion_year)

register("probability_of_depletion", long_name="Probability of depletion by year", long_name_zh="基金耗尽概率",
         units="1", definition="share of scenarios whose year-end balance has been below zero by each year",
         source=SSA + ", appendix on stochastic projections", inputs=("fund_balance",),
         needs_dims=("scenario",))(probability_of_depletion)


def _dataset(**arrays) -> xr.Dataset:
    return xr.Dataset(arrays)


_VALUATION = ("total_income", "interest_income", "contribution_income", "total_expenditure", "covered_wage_bill",
              "opening_balance", "interest_rate")


@register("actuarial_balance", long_name="Actuarial balance", long_name_zh="精算平衡", units="1", kind="summary",
          definition="summarized income rate - summarized cost rate over the valuation period (default: the whole "
                     "projection; options start, years), valued at 1 January of its first year at the fund's "
                     "interest path, mid-year flows, ending target = 100% of the following year's cost (the "
                     "projection's own when it has that year, else extrapolated); fraction of the covered wage bill",
          source=SSA + " ('actuarial balance')", inputs=_VALUATION)
def _actuarial_balance(total_income, interest_income, contribution_income, total_expenditure, covered_wage_bill,
                       opening_balance, interest_rate, *, start=None, years=None, target_ratio: float = 1.0):
    ds = _dataset(total_income=total_income, interest_income=interest_income, contribution_income=contribution_income,
                  total_expenditure=total_expenditure, covered_wage_bill=covered_wage_bill,
                  opening_balance=opening_balance, interest_rate=interest_rate)
    out = actuarial_balance_of(ds, start=start, years=years, target_ratio=target_ratio)
    return out.actuarial_balance


@register("general_average_premium", long_name="General average premium", long_name_zh="一般平均保费率",
          units="1", kind="summary",
          definition="level contribution rate on the covered wage bill that, with the initial reserve and the PV of "
                     "other non-interest income (subsidies), pays the PV of expenditure and an ending reserve of 100% "
                     "of the following year's cost; same valuation as the actuarial balance; collection losses not "
                     "included",
          source="ILO, Actuarial practice in social security (Plamondon et al., 2002), general average premium",
          inputs=_VALUATION)
def _gap(total_income, interest_income, contribution_income, total_expenditure, covered_wage_bill, opening_balance,
         interest_rate, *, start=None, years=None, target_ratio: float = 1.0):
    ds = _dataset(total_income=total_income, interest_income=interest_income, contribution_income=contribution_income,
                  total_expenditure=total_expenditure, covered_wage_bill=covered_wage_bill,
                  opening_balance=opening_balance, interest_rate=interest_rate)
    return general_average_premium_of(ds, start=start, years=years, target_ratio=target_ratio)
