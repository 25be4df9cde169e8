"""Re-basing: after a year, start the projection from the fund's actual position.

``rebase(scenario, actuals)`` moves the scenario's base year to the last actual year and scales its initial state so
that the projection of that year reproduces the actual accounts (fund balance, income, expenditure, contributors,
beneficiaries), keeping the age-sex shapes of the assumptions::

    actuals = {"year": 2024, "fund_balance": ..., "contribution_income": ..., "fiscal_subsidy": ...,
               "interest_income": ..., "other_income": ..., "benefit_expenditure": ..., "other_expenditure": ...,
               "contributors": ..., "beneficiaries": ...}          # yuan and persons; flows of the actual year
    result = sibrisk.rebase(scenario, actuals)
    result.scenario                                               # the re-based scenario
    print(result.report())                                        # what was adjusted, by how much, what is left

What every fund shares is done here: the base year and horizon (the end year is kept), the average wage of the new
base year (the scenario's own path at that year), and the fund balance on 1 January of the base year (the actual
``opening_balance``, else year-end balance - income + expenditure; where the fund's base-year flows still differ
from the actual ones, the opening balance absorbs the difference, so that the year-end balance the projection rolls
forward from is the actual one, and ``Rebased.check`` shows what is left). What is fund-specific (counts, benefit levels,
collection) is the fund's ``Fund.rebase_updates``: multiplicative corrections applied until the base year matches
(a few passes). A fund that does not implement it raises ``InputError`` naming the fund.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sibrisk.errors import InputError

FLOWS = ("contribution_income", "fiscal_subsidy", "interest_income", "other_income", "benefit_expenditure",
         "other_expenditure")
KNOWN = (*FLOWS, "fund_balance", "opening_balance", "contributors", "beneficiaries")
CHECKED = ("fund_balance", "contribution_income", "fiscal_subsidy", "benefit_expenditure", "other_expenditure",
           "contributors", "beneficiaries")


def ratio(actuals: dict, row, name: str) -> float | None:
    """actual / projected for ``name`` in the re-based year, or None when either is missing or zero."""
    if name not in actuals or name not in row:
        return None
    proj = float(row[name])
    return actuals[name] / proj if proj > 0 and actuals[name] > 0 else None


def scaled_series(sc, dotted: str, factor: float) -> dict[int, float]:
    """The series ``dotted`` of ``sc`` times ``factor`` in every year, as a {year: value} table."""
    path = sc.series(dotted) * factor
    table, last = {}, None
    for y, v in zip(sc.years, path):
        if v != last:
            table[int(y)] = float(v)
            last = v
    return table


@dataclass
class Rebased:
    scenario: Any
    year: int
    adjusted: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, before, after)
    check: dict[str, tuple[float, float]] = field(default_factory=dict)  # variable: (actual, re-based projection)

    def report(self) -> str:
        lines = [f"Re-based to {self.year} (base year {self.year}, the last actual year):", "adjusted:"]
        for name, old, new in self.adjusted:
            if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and len(old) > 6:
                o, n = np.asarray(old, float), np.asarray(new, float)
                ratio_ = np.divide(n, o, out=np.ones_like(n), where=o != 0)
                lines.append(f"  {name}: {len(old)} values scaled by {ratio_.min():.4f}..{ratio_.max():.4f} "
                             f"(sum {o.sum():,.6g} -> {n.sum():,.6g})")
            elif isinstance(old, float) and isinstance(new, float):
                change = f" ({(new / old - 1) * 100:+.2f}%)" if old else ""
                lines.append(f"  {name}: {old:,.6g} -> {new:,.6g}{change}")
            else:
                lines.append(f"  {name}: {old} -> {new}")
        lines.append(f"{self.year} actual against the re-based projection:")
        for name, (a, p) in self.check.items():
            lines.append(f"  {name}: actual {a:,.6g}, projected {p:,.6g} ({(p / a - 1) * 100 if a else 0.0:+.3f}%)")
        return "\n".join(lines)


def actuals_from_accounts(budget, execution) -> dict:
    """The ``actuals`` of ``rebase`` from a year's budget (its ``opening_balance``) and full-year execution
    (``sibrisk.performance``): flows summed over the year, year-end balance = opening + income - expenditure, and
    the counts ``contributors`` and ``beneficiaries`` where the execution data have them."""
    if execution.months != 12:
        raise InputError(f"re-basing needs the whole year: the execution data end at {execution.as_of}",
                         file=execution.source, field="period", value=execution.as_of)
    if "opening_balance" not in budget.items:
        raise InputError("re-basing needs the opening balance (budget item opening_balance)", file=budget.source,
                         field="opening_balance", has_value=False)
    year = execution.cumulative(12)
    out = {"year": execution.year, "opening_balance": budget.items["opening_balance"]}
    out.update({k: year[k] for k in (*FLOWS, "contributors", "beneficiaries") if k in year})
    out["fund_balance"] = (out["opening_balance"] + sum(out.get(k, 0.0) for k in FLOWS[:4])
                           - sum(out.get(k, 0.0) for k in FLOWS[4:]))
    return out


def _toml_value(v) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, (int, float)):
        return repr(int(v)) if isinstance(v, int) else repr(float(v))
    return json.dumps(str(v), ensure_ascii=False)


def rebased_file_text(result: Rebased, base_file) -> str:
    """A scenario file that ``extends`` the original and names only what re-basing changed (``sibrisk rebase``)."""
    from pathlib import Path

    sections: dict[str, dict[str, Any]] = {}
    for name, _, _ in result.adjusted:
        section, key = name.split(".")[:2]
        # a file that extends another replaces each field it names whole, so a nested change writes its whole field
        # (e.g. coverage.profile.male -> the whole [coverage.profile] table, female and note included)
        value = getattr(getattr(result.scenario, section), key)
        if hasattr(value, "model_dump"):
            value = value.model_dump(exclude_none=True)
        sections.setdefault(section, {})[key] = value
    lines = [f"# Re-based to {result.year} by `sibrisk rebase` on the actual accounts of {result.year};",
             *(f"# {line}" for line in result.report().splitlines()),
             f"extends = {_toml_value(str(Path(base_file).resolve()))}", ""]
    for section, fields in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in fields.items() if not isinstance(v, dict) or _is_series(v))
        lines.append("")
        for k, v in fields.items():
            if isinstance(v, dict) and not _is_series(v):
                lines.append(f"[{section}.{k}]")
                lines.extend(f"{kk} = {_toml_value(vv)}" for kk, vv in v.items())
                lines.append("")
    return "\n".join(lines)


def _is_series(v: dict) -> bool:
    """A {year: value} series table (written inline), as opposed to a sub-table such as an age profile."""
    return all(isinstance(k, int) or (isinstance(k, str) and k.isdigit()) for k in v)


def _first_value(value):
    if isinstance(value, dict):
        return value[min(value)]
    return value


def _get(sc, dotted: str):
    node = sc
    for p in dotted.split("."):
        node = getattr(node, p, None)
    return node


def rebase(scenario, actuals: dict, *, passes: int = 4) -> Rebased:
    """The scenario re-based on the actual accounts of ``actuals["year"]`` (see the module docstring)."""
    from sibrisk.projection import project

    src = scenario.source
    if "year" not in actuals:
        raise InputError("the actual year is missing", file=src, field="actuals.year", has_value=False)
    year = int(actuals["year"])
    unknown = sorted(set(actuals) - {*KNOWN, "year"})
    if unknown:
        raise InputError(f"unknown item(s); known: {', '.join(KNOWN)}", file=src, field="actuals", value=unknown)
    for k in KNOWN:
        if k in actuals and not np.isfinite(float(actuals[k])):
            raise InputError("must be a finite number", file=src, field=f"actuals.{k}", value=actuals[k])
    years = scenario.years
    if not years[0] <= year < years[-1]:
        raise InputError(f"must be within the projection {years[0]}-{years[-1] - 1}", file=src, field="actuals.year",
                         value=year)
    if scenario.regions:
        raise InputError("re-base each region's scenario on its own accounts (a province is the sum of its regions)",
                         file=src, field="regions", value=list(scenario.regions))
    if "opening_balance" in actuals:
        opening = float(actuals["opening_balance"])
    else:
        missing = [k for k in ("fund_balance", "contribution_income", "benefit_expenditure") if k not in actuals]
        if missing:
            raise InputError("give the opening balance, or the year-end balance with the year's income and "
                             "expenditure", file=src, field="actuals", value=missing)
        opening = (float(actuals["fund_balance"]) - sum(float(actuals.get(k, 0.0)) for k in FLOWS[:4])
                   + sum(float(actuals.get(k, 0.0)) for k in FLOWS[4:]))
    fund = scenario.fund
    original = project(scenario, keep_detail=False)
    row0 = original.sel(year=year)
    updates: dict[str, Any] = {"projection.base_year": year, "projection.years": int(years[-1]) - year + 1,
                               **fund.opening_balance_updates(scenario, opening, row0)}
    if "average_wage" in row0 and scenario.economy.average_wage is not None:
        updates["economy.average_wage"] = float(row0.average_wage)
    try:
        updates.update(fund.rebase_updates(scenario, actuals, row0))
    except NotImplementedError as e:
        raise InputError(str(e), file=src, field="meta.fund", value=fund.id) from None
    sc = scenario.with_updates(updates)
    for i in range(passes + 1):
        row = project(sc, keep_detail=False).sel(year=year)
        more = fund.rebase_updates(sc, actuals, row) if i < passes else {}
        gap = float(actuals["fund_balance"]) - float(row.fund_balance) if "fund_balance" in actuals else 0.0
        if gap and i >= passes - 2:
            # what the fund's flows still miss (flows it does not calibrate) goes into the opening balance, so that
            # the year-end balance the projection rolls forward from is the actual one (the opening earns a year's
            # interest)
            more.update(fund.opening_balance_updates(
                sc, float(row.opening_balance) + gap / (1.0 + float(row.interest_rate)), row))
        if not more:
            break
        sc = sc.with_updates(more)
        updates.update(more)
    row = project(sc, keep_detail=False).sel(year=year)
    out = Rebased(sc, year)
    for name in updates:
        out.adjusted.append((name, _first_value(_get(scenario, name)), _first_value(_get(sc, name))))
    for name in CHECKED:
        if name in actuals and name in row:
            out.check[name] = (float(actuals[name]), float(row[name]))
    return out


__all__ = ["rebase", "Rebased", "actuals_from_accounts", "ratio", "scaled_series", "rebased_file_text"]
