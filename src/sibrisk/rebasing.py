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
# what measures a region's size against its scenario (actual / projected in the actual year), the first one given:
# head counts before money (money mixes size with wage levels and benefit rules)
SIZE_MEASURES = ("contributors", "beneficiaries", "contribution_income", "benefit_expenditure", "fund_balance")


# ASSUMPTION (2026-12): accounts within a factor of 2 of the scenario's projection are the scenario's own region a
# year on, and the calibration (participation, collection, benefit level) absorbs the difference; a factor of 2 or
# more is another region, of that size relative to the scenario (a stock doubling is also what the jump guard
# refuses). ``region=`` or ``size=`` makes it explicit.
SAME_REGION = (0.5, 2.0)


# The jump guard (ASSUMPTION 2026-12): no head count of a re-based projection may double or halve within
# JUMP_YEARS years. Every shipped national projection stays within a factor 1.3 over its first five years (measured:
# tests/test_guards.py); a doubling is the sign of a stock and the flows that feed it describing different regions
# (a region's contributors with the nation's entrants: 150 万 to 4,898 万 in five years).
JUMP_YEARS = 5
JUMP_FACTOR = 2.0
JUMP_STOCKS = ("contributors", "beneficiaries", "insured")


def check_jumps(sc, ds, *, years: int = JUMP_YEARS, factor: float = JUMP_FACTOR) -> None:
    """Refuse a projection whose head counts (``JUMP_STOCKS``) double or halve within ``years`` years of its first
    year, naming the input that feeds the stock (``STOCK_INPUTS`` of the fund's scenario model), its value and the
    fix, unless ``[meta] allow_outliers`` lists ``"stock_jump"`` (a rule that says so: a coverage drive, a merger)."""
    if "stock_jump" in sc.meta.allow_outliers:
        return
    win = ds.isel(year=slice(0, years + 1))
    for name in JUMP_STOCKS:
        if name not in win:
            continue
        path = win[name]
        if "region" in path.dims:
            path = path.sum("region")
        path = np.asarray(path.values, dtype=float)
        first = path[0]
        if not first > 0:
            continue
        rel = path / first
        bad = np.flatnonzero((rel > factor) | (rel < 1.0 / factor))
        if bad.size:
            i = int(bad[0])
            y0, y = int(win.year.values[0]), int(win.year.values[i])
            dotted = type(sc).STOCK_INPUTS.get(name) or ("population.net_migration" if hasattr(sc, "population")
                                                          else None)
            value = _get(sc, dotted) if dotted else None
            raise InputError(
                f"the projection's {name} go from {first:,.0f} in {y0} to {path[i]:,.0f} in {y} (x{rel[i]:.3g}): a "
                f"stock that doubles or halves within {years} years without a rule that says so; the stock and the "
                f"flows that feed it are of different regions or units. Fix: give "
                f"{dotted or 'the extensive inputs'} for the same region and year as the accounts (or size= the "
                f"region's share); list 'stock_jump' in [meta] allow_outliers if a rule makes it so",
                file=sc.source, field=dotted or name, value=value, has_value=True)


# The base-year guards of every fund on a re-based projection (ASSUMPTION 2026-12): the accounts' year-end balance
# within -5 and 30 years of the year's expenditure (China's funds hold 0.3 to 3.5 years nationally, the richest
# regions under 10; 30 is a unit error: 万元 read as 元, a balance typed for a flow); contribution income within
# 0.05% to 60% of the covered wage bill where the fund has one (national rates 0.2% (work injury) to 24% (pensions);
# outside, the income and the counts or the wage are of different regions or units).
BASE_YEAR_GUARDS = {
    "balance_years": ("fund_balance", "total_expenditure", -5.0, 30.0,
                      "the year-end balance in years of the year's expenditure (fund_balance / total_expenditure)"),
    "contribution_share_of_wages": ("contribution_income", "covered_wage_bill", 0.0005, 0.6,
                                    "contribution income / the covered wage bill (contributors x wage x base)"),
}


def check_base_year(sc, row, actuals: dict) -> None:
    """Refuse a re-based scenario whose base year (``row``, its projection of the accounts' year) breaks a
    ``BASE_YEAR_GUARDS`` bound, naming the account item and its value, unless ``[meta] allow_outliers`` lists the
    guard's id."""
    for gid, (num, den, lo, hi, what) in BASE_YEAR_GUARDS.items():
        if gid in sc.meta.allow_outliers or num not in row or den not in row:
            continue
        d = float(row[den])
        if not d > 0:
            continue
        r = float(row[num]) / d
        if lo <= r <= hi:
            continue
        raise InputError(f"inconsistent accounts: {what} is {r:.4g}, outside {lo:g}..{hi:g}; check the units (元 / 万元 / "
                         f"亿元) and that the accounts, counts and wage are of the same region and year; or list "
                         f"{gid!r} in [meta] allow_outliers to run it on purpose", file=sc.source,
                         field=f"actuals.{num}", value=actuals.get(num, float(row[num])), has_value=True)


def region_size(actuals: dict, row) -> tuple[float, str | None]:
    """(k, measure): the region is ``k`` times the scenario it is re-based from, measured by the first of
    ``SIZE_MEASURES`` that ``actuals`` and ``row`` (the scenario's projection of the actual year) both have."""
    for name in SIZE_MEASURES:
        r = ratio(actuals, row, name)
        if r is not None:
            return r, name
    return 1.0, None


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
    size: float = 1.0  # the region's size relative to the scenario it was re-based from
    size_measure: str | None = None  # what measured it (actual / projected), None: given or no measure
    region: str | None = None
    measured_size: float = 1.0  # actual / projected size_measure, applied or not

    def report(self) -> str:
        lines = [f"Re-based to {self.year} (base year {self.year}, the last actual year)"
                 + (f" for {self.region}" if self.region else "") + ":"]
        if self.size != 1.0:
            how = f"actual / projected {self.size_measure} of {self.year}" if self.size_measure else "given"
            lines.append(f"size: {self.size:.6g} x the scenario ({how}); every head count, amount and entrant flow "
                         "scaled by it, rates and profiles kept")
        else:
            lines.append(f"size: the scenario's own region (actual / projected {self.size_measure or 'size'} = "
                         f"{self.measured_size:.4g}, within a factor of {SAME_REGION[1]:g}: the calibration absorbs it)")
        lines.append("adjusted:")
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
    from sibrisk.scenario import dotted_get

    return dotted_get(sc, dotted)


# what each calibrated field means when the accounts push it out of bounds: the consistency check of the accounts
# against the scenario (the income per contributor against the wage, the expenditure per beneficiary, ...)
_OUT_OF_BOUNDS = {
    "collection_rate": "the accounts' contribution income per contributor is not what the scenario's contribution "
                       "rate, base and wage give (collection solved to fit it)",
    "average_benefit": "the accounts' benefit expenditure per beneficiary is not a pension of the scenario's wage",
    "contributors": "the accounts' contributors are not of the size the scenario's flows feed",
    "retirees": "the accounts' beneficiaries are not of the size the scenario's flows feed",
}


def _updated(sc, updates: dict, year: int):
    """``sc.with_updates(updates)``; a calibrated value out of bounds is reported as what it is: the accounts of
    ``year`` disagree with the scenario's head counts, wage or rules."""
    try:
        return sc.with_updates(updates)
    except InputError as e:
        name = (e.field or "").rsplit(".", 1)[-1]
        why = _OUT_OF_BOUNDS.get(name, "the accounts disagree with the scenario")
        raise InputError(f"re-basing onto the accounts of {year} would need this value ({e.reason}); {why}: check that the "
                         "accounts, the counts (contributors, beneficiaries) and the average wage are of the same "
                         "region and year, in yuan and persons, or give size= the region's share",
                         file=e.file, field=e.field, value=e.value, has_value=e.value is not None) from None


def age_structures(fund, given: dict | None, source=None) -> dict:
    """``rebase``'s ``age_structure``: {name: ``AgeGroups`` or its fields as a dict}, names from the fund's
    ``AGE_STRUCTURES`` (``population``; the employee pensions also ``contributors``, ``beneficiaries``), validated
    (errors name the structure, its field and value)."""
    from pydantic import ValidationError

    from sibrisk.demography.age_structure import AgeGroups

    out = {}
    for name, groups in (given or {}).items():
        if name not in fund.AGE_STRUCTURES:
            raise InputError(f"the fund {fund.id} takes an age structure of {', '.join(fund.AGE_STRUCTURES) or 'nothing'}",
                             file=source, field="age_structure", value=name)
        if isinstance(groups, AgeGroups):
            out[name] = groups
            continue
        try:
            out[name] = AgeGroups(**dict(groups))
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise InputError(err["msg"].removeprefix("Value error, "), file=source,
                             field=f"age_structure.{name}" + (f".{where}" if where else ""),
                             value=err.get("input"), has_value=True) from None
        except TypeError as e:
            raise InputError(f"an age structure is year, ages, male, female ({e})", file=source,
                             field=f"age_structure.{name}", value=groups) from None
    return out


def rebase(scenario, actuals: dict, *, passes: int = 4, size: float | None = None,
           region: str | None = None, age_structure: dict | None = None) -> Rebased:
    """The scenario re-based on the actual accounts of ``actuals["year"]`` (see the module docstring).

    First the size: the region the accounts are of is ``k`` times the scenario (``size``, else measured by
    ``region_size``: actual / projected contributors, else beneficiaries, income, expenditure, balance), and every
    extensive field (``sibrisk.scenario.Extensive``: stocks, entrants, amounts, the population's share) is scaled by
    ``k``; then the fund's calibration moves the base year to the accounts. The nation re-based onto 1/k of its own
    accounts projects the nation at 1/k. ``region`` names the region (``meta.region``). ``age_structure`` gives the
    region's own age structure ({name: ``sibrisk.demography.age_structure.AgeGroups``}: its census ``population``,
    for the employee pensions also its ``contributors`` and ``beneficiaries`` by age group), applied after the size
    and before the calibration (``Fund.age_structure_updates``); without it the scenario's age structure is kept."""
    from sibrisk.projection import project
    from sibrisk.scenario import region_scale_updates

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
    structures = age_structures(fund, age_structure, src)
    original = project(scenario, keep_detail=False)
    row0 = original.sel(year=year)
    measured, measure = region_size(actuals, row0)
    if size is not None:
        k, measure = float(size), None
    elif region is not None or not SAME_REGION[0] <= measured <= SAME_REGION[1]:
        k = measured
    else:
        k = 1.0  # the same region a year on: its deviations are the calibration's (participation, collection, ...)
    updates: dict[str, Any] = dict(region_scale_updates(scenario, k)) if k != 1.0 else {}
    if region is not None:
        updates["meta.region"] = str(region)
    sized = scenario.with_updates(updates) if updates else scenario
    if k != 1.0:
        row0 = project(sized, keep_detail=False).sel(year=year)
    updates.update({"projection.base_year": year, "projection.years": int(years[-1]) - year + 1,
                    **fund.opening_balance_updates(sized, opening, row0)})
    if "average_wage" in row0 and scenario.economy.average_wage is not None:
        updates["economy.average_wage"] = float(row0.average_wage)
    # a later base year continues the projection's state where the fund can carry it (age, sex, history)
    carry = fund.carried_state_updates(sized, year) if hasattr(fund, "carried_state_updates") else {}
    basis = sized
    if carry:
        updates.update(carry)
        basis = _updated(sized, carry, year)
    if structures:
        try:
            own = fund.age_structure_updates(basis, structures, year)
        except NotImplementedError as e:
            raise InputError(str(e), file=src, field="age_structure", value=sorted(structures)) from None
        except ValueError as e:  # a group the fund's ages cannot hold (contributors aged 0-4)
            raise InputError(str(e), file=src, field="age_structure", value=sorted(structures)) from None
        updates.update(own)
        basis = _updated(basis, own, year)
    try:
        updates.update(fund.rebase_updates(basis, actuals, row0))
    except NotImplementedError as e:
        raise InputError(str(e), file=src, field="meta.fund", value=fund.id) from None
    sc = _updated(scenario, updates, year)
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
        sc = _updated(sc, more, year)
        updates.update(more)
    final = project(sc, keep_detail=False)
    check_jumps(sc, final)
    row = final.sel(year=year)
    check_base_year(sc, row, actuals)
    out = Rebased(sc, year, size=k, size_measure=measure if k != 1.0 or size is None else None, region=region,
                  measured_size=measured)
    for name in updates:
        if name == "initial.state":  # by age and sex: reported as where it comes from
            out.adjusted.append((name, "rebuilt from the history assumptions", sc.initial.state.source))
            continue
        if name.endswith("_profile"):  # an age profile replaced by the region's own
            out.adjusted.append((name, "the scenario's profile", _get(sc, name).note))
            continue
        if name == "population.stock":
            g = sc.population.stock
            out.adjusted.append((name, "the shipped national stock x population.scale",
                                 f"the region's own population of {g.year} ({len(g.ages)} age groups, "
                                 f"{sum(g.male) + sum(g.female):,.0f} persons)"))
            continue
        out.adjusted.append((name, _first_value(_get(scenario, name)), _first_value(_get(sc, name))))
    for name in CHECKED:
        if name in actuals and name in row:
            out.check[name] = (float(actuals[name]), float(row[name]))
    return out


__all__ = ["rebase", "check_base_year", "BASE_YEAR_GUARDS", "age_structures", "Rebased", "check_jumps", "JUMP_YEARS", "JUMP_FACTOR", "region_size", "SIZE_MEASURES", "actuals_from_accounts", "ratio", "scaled_series", "rebased_file_text"]
