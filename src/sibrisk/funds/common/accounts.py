"""The fund account every fund keeps: subsidy by rule, interest, and the roll-forward of the balance.

    closing = opening + (income + subsidy + interest) - expenditure
    interest = opening * i + (income + subsidy - expenditure) * f,   f = (1 + i)^0.5 - 1 (mid-year flows) or 0

``income`` is every non-subsidy, non-interest income (contributions and other income); ``expenditure`` is benefit
plus other expenditure. Subsidy rules (``[subsidy] rule``):

- ``fixed``: an amount per year (optionally growing at ``growth`` from the base year);
- ``share_of_expenditure``: ``share`` x expenditure;
- ``gap_to_floor``: the least subsidy (never negative) that keeps the year-end balance at ``floor_months`` months of
  the year's expenditure;
- ``per_capita``: ``per_capita`` yuan a year x a headcount the fund names (insured residents, beneficiaries).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import model_validator

from sibrisk._numba import jit
from sibrisk.scenario import _Model, series_field

SUB_FIXED, SUB_SHARE, SUB_GAP, SUB_PER_CAPITA = 0, 1, 2, 3
RULES = {"fixed": SUB_FIXED, "share_of_expenditure": SUB_SHARE, "gap_to_floor": SUB_GAP,
         "per_capita": SUB_PER_CAPITA}


class SubsidySpec(_Model):
    rule: Literal["fixed", "share_of_expenditure", "gap_to_floor", "per_capita"]
    amount: series_field("amount") = None
    growth: series_field("growth") = None
    share: series_field("share") = None
    floor_months: series_field("floor_months") = None
    per_capita: series_field("yuan", bounds=(0.0, 1e6)) = None
    note: str = ""

    @model_validator(mode="after")
    def _needs(self):
        need = {"fixed": "amount", "share_of_expenditure": "share", "gap_to_floor": "floor_months",
                "per_capita": "per_capita"}[self.rule]
        if getattr(self, need) is None:
            raise ValueError(f"rule {self.rule!r} needs field {need!r}")
        return self


def subsidy_parameters(sc, section: str = "subsidy") -> tuple[int, np.ndarray]:
    """(rule id, (T,) parameter: yuan, share, months or yuan per person) of a scenario's subsidy section."""
    sub = getattr(sc, section)
    rule = RULES[sub.rule]
    if sub.rule == "fixed":
        param = sc.series(f"{section}.amount")
        if sub.growth is not None:
            g = sc.series(f"{section}.growth")
            param = param * np.cumprod(np.concatenate([[1.0], 1 + g[1:]]))
    elif sub.rule == "share_of_expenditure":
        param = sc.series(f"{section}.share")
    elif sub.rule == "gap_to_floor":
        param = sc.series(f"{section}.floor_months")
    else:
        param = sc.series(f"{section}.per_capita")
    for key in ("amount", "growth", "share", "floor_months", "per_capita"):
        if getattr(sub, key) is not None:
            sc.series(f"{section}.{key}")  # every given series must fit the horizon
    return rule, np.asarray(param, dtype=float)


@jit
def roll_forward(opening, income, expend, rate, flow_factor, rule, sub_param, headcount):
    """One year of the fund account. Returns (subsidy, interest, closing); see the module docstring."""
    if rule == SUB_FIXED:
        sub = sub_param
    elif rule == SUB_SHARE:
        sub = sub_param * expend
    elif rule == SUB_PER_CAPITA:
        sub = sub_param * headcount
    else:
        floor = sub_param * expend / 12.0
        before = opening * (1.0 + rate) + (income - expend) * (1.0 + flow_factor)
        sub = (floor - before) / (1.0 + flow_factor)
        if sub < 0.0:
            sub = 0.0
    interest = opening * rate + (income + sub - expend) * flow_factor
    closing = opening + (income + sub + interest) - expend
    return sub, interest, closing


def roll_forward_reference(opening, income, expend, rate, mid_year, rule, sub_param, headcount):
    """Plain-Python twin of ``roll_forward`` (``mid_year`` a bool instead of the flow factor)."""
    f = (1 + rate) ** 0.5 - 1 if mid_year else 0.0
    if rule == SUB_FIXED:
        sub = sub_param
    elif rule == SUB_SHARE:
        sub = sub_param * expend
    elif rule == SUB_PER_CAPITA:
        sub = sub_param * headcount
    else:
        target = sub_param * expend / 12
        sub = max(0.0, (target - opening * (1 + rate) - (income - expend) * (1 + f)) / (1 + f))
    interest = opening * rate + (income + sub - expend) * f
    return sub, interest, opening + income + sub + interest - expend
