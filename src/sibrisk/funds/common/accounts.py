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

``history`` ({year: yuan}, optional) holds the published subsidy of the years it names: in those years the subsidy is
that amount whatever the rule, and the rule acts in the other years. With the ``fixed`` rule and no ``amount``, the
amount after the history is the last published one, growing at ``growth`` from the year after it. For the other
rules the kernel gets rule id ``rule + SUB_HISTORY`` and, in the history years, the parameter ``-1 - amount`` (every
valid rule parameter is >= 0, so the sign marks a published year).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import field_validator, model_validator

from sibrisk._numba import jit
from sibrisk.errors import InputError
from sibrisk.scenario import EXTENSIVE, _Model, series_field

SUB_FIXED, SUB_SHARE, SUB_GAP, SUB_PER_CAPITA = 0, 1, 2, 3
SUB_HISTORY = 8  # offset of a rule id whose published years are marked in the parameter (module docstring)
RULES = {"fixed": SUB_FIXED, "share_of_expenditure": SUB_SHARE, "gap_to_floor": SUB_GAP,
         "per_capita": SUB_PER_CAPITA}


class SubsidySpec(_Model):
    # how the fiscal subsidy (财政补贴) is set: ``fixed`` (``amount``), ``share_of_expenditure`` (``share``),
    # ``gap_to_floor`` (``floor_months``) or ``per_capita`` (``per_capita``); see ``sibrisk.funds.common.accounts``
    rule: Literal["fixed", "share_of_expenditure", "gap_to_floor", "per_capita"]
    # rule ``fixed``: the subsidy, yuan a year (times the cumulated ``growth`` after the base year when given)
    amount: series_field("amount", extensive=True) = None
    # rule ``fixed``: growth of the amount (rate a year; from the year after the base year, or after the last
    # ``history`` year when there is no ``amount``)
    growth: series_field("growth") = None
    # rule ``share_of_expenditure``: the subsidy as a share of the year's expenditure (benefit plus other)
    share: series_field("share") = None
    # rule ``gap_to_floor``: the least subsidy (never negative) that keeps the year-end balance at this many months of
    # the year's expenditure (months)
    floor_months: series_field("floor_months") = None
    # rule ``per_capita``: yuan a year per head of the count the fund names (insured residents, beneficiaries)
    per_capita: series_field("yuan", bounds=(0.0, 1e6)) = None
    # published subsidy by year, yuan ({year: amount}); those years take it whatever the rule
    history: Annotated[dict[int, float] | None, EXTENSIVE] = None
    # free text: the basis and source of the subsidy assumption
    note: str = ""

    @field_validator("history", mode="before")
    @classmethod
    def _years(cls, v):
        if v is None:
            return v
        if not isinstance(v, dict):
            raise ValueError(f"history must be a table {{year = yuan}}, not {v!r}")
        out = {}
        for k, x in v.items():
            try:
                year = int(k)
            except (TypeError, ValueError):
                raise ValueError(f"history keys must be years, not {k!r}") from None
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise ValueError(f"history[{year}] must be a number of yuan, not {x!r}")
            out[year] = float(x)
        return out

    @model_validator(mode="after")
    def _needs(self):
        need = {"fixed": "amount", "share_of_expenditure": "share", "gap_to_floor": "floor_months",
                "per_capita": "per_capita"}[self.rule]
        for year, value in (self.history or {}).items():
            if not (np.isfinite(value) and 0.0 <= value <= 1e14):
                raise ValueError(f"history[{year}] must be an amount in yuan between 0 and 1e14, not {value!r}")
        if need == "amount" and self.amount is None and self.history:
            return self  # the last published amount carries on
        if getattr(self, need) is None:
            raise ValueError(f"rule {self.rule!r} needs field {need!r}")
        return self


def subsidy_parameters(sc, section: str = "subsidy") -> tuple[int, np.ndarray]:
    """(rule id, (T,) parameter: yuan, share, months or yuan per person) of a scenario's subsidy section."""
    sub = getattr(sc, section)
    rule = RULES[sub.rule]
    if sub.rule == "fixed" and sub.amount is None:  # carried on from the last published amount
        last = max(sub.history)
        g = sc.series(f"{section}.growth") if sub.growth is not None else np.zeros(len(sc.years))
        after = np.asarray(sc.years) > last
        param = sub.history[last] * np.cumprod(np.where(after, 1 + g, 1.0))
    elif sub.rule == "fixed":
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
    param = np.asarray(param, dtype=float)
    if sub.history:
        years = [int(y) for y in sc.years]
        param = param.copy()
        for year, value in sub.history.items():
            if year not in years:
                raise InputError(f"a published subsidy year outside the projection years {years[0]}-{years[-1]}",
                                 file=getattr(sc, "source", None), field=f"{section}.history", value=year)
            t = years.index(year)
            param[t] = float(value) if rule == SUB_FIXED else -1.0 - float(value)
        if rule != SUB_FIXED:
            rule += SUB_HISTORY
    return rule, param


def subsidy_rebase_updates(sc, actuals: dict, row, section: str = "subsidy") -> dict:
    """Re-basing (``sibrisk.rebase``): the updates that make the subsidy rule give the actual ``fiscal_subsidy`` of
    the accounts' year, where the accounts have it: the year's published amount (``history``) replaced where there
    is one, else the rule's lever scaled by actual / projected from then on (``fixed``: the amount; ``share_of_
    expenditure``: the share; ``per_capita``: the amount per person). ``gap_to_floor`` is left alone: its subsidy is
    whatever keeps the floor (the accounts' balance sets it). ASSUMPTION (2026-12): the region's subsidy stays in
    the proportion to the rule that its accounts show (as its collection rate does)."""
    from sibrisk.rebasing import ratio, scaled_series

    r = ratio(actuals, row, "fiscal_subsidy")
    sub = getattr(sc, section)
    year = int(actuals["year"])
    if r is None or abs(r - 1.0) < 1e-12:
        return {}
    if sub.history and year in sub.history:
        return {f"{section}.history": {**sub.history, year: float(sub.history[year]) * r}}
    if sub.rule == "fixed" and sub.amount is None:  # carried on from the last published amount: this year's
        return {f"{section}.history": {**sub.history, year: float(actuals["fiscal_subsidy"])}}
    lever = {"fixed": "amount", "share_of_expenditure": "share", "per_capita": "per_capita"}.get(sub.rule)
    if lever is None:
        return {}
    return {f"{section}.{lever}": scaled_series(sc, f"{section}.{lever}", r)}


@jit
def roll_forward(opening, income, expend, rate, flow_factor, rule, sub_param, headcount):
    """One year of the fund account. Returns (subsidy, interest, closing); see the module docstring."""
    if rule >= SUB_HISTORY:
        if sub_param <= -1.0:  # a published year: the amount is -1 - sub_param
            rule = SUB_FIXED
            sub_param = -1.0 - sub_param
        else:
            rule = rule - SUB_HISTORY
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
    if rule >= SUB_HISTORY:
        rule, sub_param = (SUB_FIXED, -1.0 - sub_param) if sub_param <= -1.0 else (rule - SUB_HISTORY, sub_param)
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
