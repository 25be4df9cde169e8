"""Budget and execution data: the annual budget of a fund in a region, and what has come in and gone out so far.

**Budget file** (CSV, or the sheet ``budget`` of an xlsx workbook): two columns ``item,amount``, one row per item.
Items: ``year`` (required), ``contribution_income``, ``fiscal_subsidy``, ``benefit_expenditure`` (required),
``interest_income``, ``other_income``, ``other_expenditure`` (0 if absent), ``insured_persons`` (the plan, for the
insured-persons indicator) and ``opening_balance`` (optional).

**Execution file** (CSV, or the sheet ``execution`` of an xlsx workbook): one row per month (``2024-01``) or per
quarter (``2024-Q1``), every period of the year from the first up to the latest reported, none missing, or one row
for the whole year (``2024``: the final accounts, 决算). Columns:
``period``, ``contribution_income``, ``fiscal_subsidy``, ``benefit_expenditure``, ``insured_persons`` (required),
``interest_income``, ``other_income``, ``other_expenditure``, ``contribution_due``, ``contributors``,
``beneficiaries`` (optional; the two counts split the actual-versus-expected gaps into volume and price effects).
Flows are the amounts of each period (not cumulative); ``insured_persons``, ``contributors`` and ``beneficiaries``
are stocks at the end of the period.

Units in both files: money in **万元** (1e4 yuan, as local fund accounts keep it), people in **persons** (人); they
are converted to yuan on reading (``sibrisk.units``). Lines starting with ``#`` are comments.

Every problem (unknown or missing column, a blank or non-numeric cell, a negative budget or flow, a missing or
repeated period, a period of another year) raises ``InputError`` naming the file, the column or row and the value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from sibrisk._validation import cell_number
from sibrisk.errors import InputError
from sibrisk._tables import Table, read_table
from sibrisk.performance.library import EXPENDITURE_ITEMS, INCOME_ITEMS, Figures

MONEY_DIVISOR = 1e4  # files hold 万元
FLOWS = (*INCOME_ITEMS, *EXPENDITURE_ITEMS, "contribution_due")
STOCKS = ("insured_persons", "contributors", "beneficiaries")
BUDGET_REQUIRED = ("year", "contribution_income", "fiscal_subsidy", "benefit_expenditure")
BUDGET_ITEMS = (*BUDGET_REQUIRED, "interest_income", "other_income", "other_expenditure", "insured_persons",
                "opening_balance")
EXEC_REQUIRED = ("period", "contribution_income", "fiscal_subsidy", "benefit_expenditure", "insured_persons")
EXEC_COLUMNS = (*EXEC_REQUIRED, "interest_income", "other_income", "other_expenditure", "contribution_due",
                "contributors", "beneficiaries")
MAY_BE_NEGATIVE = ("interest_income",)  # losses on deposits/investments can make it negative

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})(年|-Y|-FY)?$")


MAX_MONEY = 1e12   # 万元 (1e16 yuan): over a hundred times China's GDP; a larger cell is a typing or unit error
MAX_PERSONS = 2e9  # more than China's population


def _number(table: Table, where: str, col: int, name: str, raw) -> float:
    """A cell's number. Thousands separators are read only in their exact place (``"1,460,000"``, a quoted cell in
    CSV); any other comma is refused rather than dropped. Non-finite and absurd magnitudes are refused."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        raise InputError(f"{table.cell_where(where, col)}: blank cell", file=table.file, field=name, has_value=False)
    if isinstance(raw, bool):
        raise InputError(f"{table.cell_where(where, col)}: not a number (a TRUE/FALSE cell)", file=table.file,
                         field=name, value=raw)
    try:
        x = cell_number(raw)
    except (TypeError, ValueError):
        raise InputError(f"{table.cell_where(where, col)}: not a number (thousands separators only as in "
                         "\"1,460,000\"; decimal point '.')", file=table.file, field=name, value=raw) from None
    if not math.isfinite(x):
        raise InputError(f"{table.cell_where(where, col)}: not a finite number", file=table.file, field=name, value=raw)
    limit, unit = (MAX_PERSONS, "persons") if name in STOCKS else (MAX_MONEY, "万元")
    if name != "year" and abs(x) > limit:
        raise InputError(f"{table.cell_where(where, col)}: implausibly large ({limit:.0e} {unit} at most; money is in "
                         "万元, people in persons)", file=table.file, field=name, value=raw)
    return x


def _check_header(table: Table, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, h in enumerate(table.header):
        if h not in allowed:
            raise InputError(f"{table.header_where[j]}: unknown column header; expected columns: "
                             f"{', '.join(allowed)} (required: {', '.join(required)})", file=table.file, field="header",
                             value=h)
        if h in cols:
            raise InputError(f"{table.header_where[j]}: column appears twice", file=table.file, field="header", value=h)
        cols[h] = j
    missing = [c for c in required if c not in cols]
    if missing:
        raise InputError(f"required column(s) missing from the header {table.header}", file=table.file,
                         field="header", value=missing)
    return cols


@dataclass(frozen=True)
class Budget:
    """An annual budget; money in yuan, persons in persons."""
    year: int
    items: dict[str, float]
    source: str = ""

    def as_budget_dict(self) -> dict[str, float]:
        return {k: v for k, v in self.items.items() if k != "opening_balance"}


def load_budget(path: str | Path) -> Budget:
    table = read_table(path, sheet="budget")
    cols = _check_header(table, ("item", "amount"), ("item", "amount"))
    items: dict[str, float] = {}
    for where, cells in table.rows:
        name = str(cells[cols["item"]]).strip() if cells[cols["item"]] is not None else ""
        if name not in BUDGET_ITEMS:
            raise InputError(f"{table.cell_where(where, cols['item'])}: unknown budget item; items: "
                             f"{', '.join(BUDGET_ITEMS)}", file=table.file, field="item", value=name)
        if name in items:
            raise InputError(f"{where}: budget item appears twice", file=table.file, field="item", value=name)
        x = _number(table, where, cols["amount"], name, cells[cols["amount"]])
        if x < 0:
            raise InputError(f"{table.cell_where(where, cols['amount'])}: a budget amount cannot be negative",
                             file=table.file, field=name, value=x)
        items[name] = x
    missing = [k for k in BUDGET_REQUIRED if k not in items]
    if missing:
        raise InputError("required budget item(s) missing", file=table.file, field="item", value=missing)
    year = items.pop("year")
    if year != int(year):
        raise InputError("the budget year must be a whole number", file=table.file, field="year", value=year)
    for k in ("interest_income", "other_income", "other_expenditure"):
        items.setdefault(k, 0.0)
    money = {k: (v if k == "insured_persons" else v * MONEY_DIVISOR) for k, v in items.items()}
    return Budget(int(year), money, str(table.file))


def parse_period(text: str) -> tuple[int, str, int]:
    """``"2024-03"`` -> (2024, "monthly", 3); ``"2024-Q2"`` -> (2024, "quarterly", 6) (the period's last month);
    ``"2024"`` -> (2024, "annual", 12): a year's final accounts (决算) in one row."""
    s = str(text).strip()
    m = _MONTH.match(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), "monthly", int(m.group(2))
    q = _QUARTER.match(s)
    if q:
        return int(q.group(1)), "quarterly", 3 * int(q.group(2))
    y = _YEAR.match(s)
    if y:
        return int(y.group(1)), "annual", 12
    raise ValueError("a period is a month '2024-03', a quarter '2024-Q1' or a whole year '2024' (annual accounts)")


def period_label(year: int, frequency: str, end_month: int) -> str:
    if frequency == "annual":
        return f"{year}"
    return f"{year}-{end_month:02d}" if frequency == "monthly" else f"{year}-Q{end_month // 3}"


@dataclass(frozen=True)
class Execution:
    """Execution to date: per period (keyed by the period's last month) the flows of that period and the stocks at
    its end; money in yuan."""
    year: int
    frequency: str
    periods: dict[int, dict[str, float]]
    columns: tuple[str, ...]
    source: str = ""

    @property
    def months(self) -> int:
        return max(self.periods)

    @property
    def as_of(self) -> str:
        return period_label(self.year, self.frequency, self.months)

    def cumulative(self, months: int | None = None) -> dict[str, float]:
        """Flows summed over the periods ending by ``months`` and stocks at that point."""
        m = self.months if months is None else months
        if m not in self.periods:
            raise InputError(f"no period ends in month {m} ({self.frequency} data)", file=self.source or None,
                             field="period", value=period_label(self.year, "monthly", m))
        out = {}
        for c in self.columns:
            if c in STOCKS:
                out[c] = self.periods[m][c]
            else:
                out[c] = sum(v[c] for k, v in self.periods.items() if k <= m)
        return out


def load_execution(path: str | Path) -> Execution:
    table = read_table(path, sheet="execution")
    cols = _check_header(table, EXEC_COLUMNS, EXEC_REQUIRED)
    frequency = year = None
    periods: dict[int, dict[str, float]] = {}
    for where, cells in table.rows:
        raw = cells[cols["period"]]
        try:
            y, freq, end = parse_period(raw)
        except ValueError as e:
            raise InputError(f"{table.cell_where(where, cols['period'])}: {e}", file=table.file, field="period",
                             value=raw) from None
        if year is None:
            year, frequency = y, freq
        if y != year:
            raise InputError(f"{where}: period of another year (the file starts with {year})", file=table.file,
                             field="period", value=raw)
        if freq != frequency:
            raise InputError(f"{where}: {freq} period in {frequency} data (use one frequency per file)",
                             file=table.file, field="period", value=raw)
        if end in periods:
            raise InputError(f"{where}: period appears twice", file=table.file, field="period", value=raw)
        row = {}
        for c, j in cols.items():
            if c == "period":
                continue
            x = _number(table, where, j, c, cells[j] if j < len(cells) else None)
            if x < 0 and c not in MAY_BE_NEGATIVE:
                raise InputError(f"{table.cell_where(where, j)}: must not be negative", file=table.file, field=c,
                                 value=x)
            row[c] = x if c in STOCKS else x * MONEY_DIVISOR
        periods[end] = row
    if not periods:
        raise InputError("no execution rows (only a header)", file=table.file, field="period", has_value=False)
    step = {"monthly": 1, "quarterly": 3, "annual": 12}[frequency]
    expected = list(range(step, max(periods) + 1, step))
    missing = [m for m in expected if m not in periods]
    if missing:
        raise InputError(f"missing period(s) {[period_label(year, frequency, m) for m in missing]}: every period from "
                         f"the start of the year to the latest reported ({period_label(year, frequency, max(periods))}) "
                         "is needed", file=table.file, field="period", value=period_label(year, frequency, missing[0]))
    columns = tuple(c for c in EXEC_COLUMNS if c in cols and c != "period")
    return Execution(year, frequency, dict(sorted(periods.items())), columns, str(table.file))


def check_same_year(budget: Budget, execution: Execution, year: int, goals_file: str | None = None) -> None:
    if budget.year != year:
        raise InputError(f"budget year differs from the goal set's year {year}", file=budget.source, field="year",
                         value=budget.year)
    if execution.year != year:
        raise InputError(f"execution data are for {execution.year}, the goal set for {year}", file=execution.source,
                         field="period", value=execution.year)


# --------------------------------------------------------------------------------------------- outturn
OUTTURN_METHODS = {
    "linear": ("线性外推（按已过月份的平均进度）", "linear run-rate: flows to date x 12 / months elapsed; stocks as last reported"),
    "seasonal": ("按上年同期进度外推", "seasonal: flows to date / the share of last year's annual total reached by the same "
                                 "month; stocks as last reported"),
    "actual": ("全年实际", "full-year actual (all twelve months reported)"),
}


def projected_outturn(execution: Execution, last_year: Execution | None = None) -> tuple[dict[str, float], str]:
    """Projected year-end amounts and the method used (``OUTTURN_METHODS``)."""
    m = execution.months
    to_date = execution.cumulative()
    if m == 12:
        return to_date, "actual"
    if last_year is None:
        return {c: (v if c in STOCKS else v * 12.0 / m) for c, v in to_date.items()}, "linear"
    if last_year.months != 12:
        raise InputError(f"last year's profile must cover the whole year (it ends at {last_year.as_of})",
                         file=last_year.source, field="period", value=last_year.as_of)
    prior = last_year.cumulative(m)
    prior_year = last_year.cumulative(12)
    out = {}
    for c, v in to_date.items():
        if c in STOCKS:
            out[c] = v
        elif c not in prior or prior[c] <= 0 or prior_year[c] <= 0:
            out[c] = v * 12.0 / m  # no profile for this column: linear
        else:
            out[c] = v * prior_year[c] / prior[c]
    return out, "seasonal"


def figures(budget: Budget, actual: dict[str, float], months: int, label: str = "") -> Figures:
    return Figures(budget.as_budget_dict(), dict(actual), months, label)
