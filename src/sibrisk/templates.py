"""Templates a finance department fills: one workbook per fund that becomes a pooling region's scenario.

``write_template(fund, path)`` writes an xlsx workbook (or one CSV, ``fmt="csv"``) with Chinese and English headers
and the unit of every number in its own column, one sheet per kind of input:

- ``accounts`` (基金收支决算): the year's final accounts: 上年结余 ``opening_balance``, the flows of
  ``sibrisk.rebasing.FLOWS`` and 年末滚存结余 ``fund_balance``, in **万元** (as fund accounts and sibrisk's
  execution files keep them; 元 and 亿元 are read too when the unit cell says so);
- ``counts`` (参保人数): ``contributors`` and ``beneficiaries`` at year end in **人** (the fund's own meaning of
  each, from its output variables);
- ``population`` (人口, funds that project a population only): the region's resident population at year end in
  人. The scenario models take a region's population as a share of the nation's (``population.scale``, the
  national age-sex structure kept), so only the total is asked; it sizes the region (region / nation);
- ``ages`` (年龄结构, optional): head counts by 5-year age group and sex in 人 (0-4, ..., 95-99, 100+): the region's
  population (a census: the base stock of a population-based fund, ``[population.stock]``) and, for the employee
  pensions, its contributors and beneficiaries (their profiles; the population alone tilts the national ones).
  The value column is left blank (the national figures are in the national column): blank keeps the national
  structure; a series half filled is an error;
- ``assumptions`` (假设): the fund (fixed), the region's name (``meta.region``), the year of the accounts, the
  region's average wage (元/年, optional), its size relative to the nation (optional) and the year of the age
  structure (optional, default the year of the accounts);
- ``说明 README``: what to fill, the units, and what a blank cell means.

The value column comes pre-filled with the shipped national scenario's projection of its base year (an example,
and a template read unchanged reproduces the nation). A blank optional cell falls back to the national scenario
scaled to the region: the re-basing does not calibrate to it.

The CSV form is one long file with a ``sheet`` column first and the same headers after it (lines starting with
``#`` are comments: the README).

``read_template(path)`` returns ``(actuals, options)``: ``actuals`` as ``sibrisk.rebase`` takes them (yuan,
persons, ``year``), ``options`` the assumptions (``fund``, ``region``, ``year``, ``average_wage`` yuan/year,
``size``, ``population`` persons, ``age_structure`` {series: ``AgeGroups``}, ``notes``). Every bad cell raises ``InputError`` naming the file, the cell
(``accounts!C5 (contribution_income)``, or ``line 7, column 5 [accounts] (...)`` in CSV) and the value.

``region_scenario_from_template(path)`` builds the region's scenario by the one re-basing mechanism,
``sibrisk.rebasing.rebase(national, actuals, region=..., size=...)``, after setting the national scenario's
``economy.average_wage`` to the region's wage if given; ``sibrisk region FILLED.xlsx`` writes it as a scenario
file (``rebased_file_text``).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sibrisk._validation import cell_number
from sibrisk.errors import InputError
from sibrisk.rebasing import FLOWS

README_SHEET = "说明 README"
SHEETS = ("accounts", "counts", "population", "ages", "assumptions")
REQUIRED_SHEETS = ("accounts", "counts", "assumptions")
SHEET_TITLES = {"accounts": "基金收支决算 final accounts of the year",
                "counts": "参保人数 head counts at year end",
                "population": "人口 resident population at year end (optional)",
                "ages": "年龄结构 age structure at year end by 5-year group, persons (optional: blank keeps the national)",
                "assumptions": "假设 assumptions"}
HEADER = ("item 项目代码", "name 项目名称", "value 数值", "unit 单位", "national 全国示例", "required 必填",
          "note 说明")
CSV_HEADER = ("sheet 表", *HEADER)

# units a cell may state, by kind: factor to yuan, persons, yuan/year; the first is the template's
UNITS = {"money": {"万元": 1e4, "元": 1.0, "亿元": 1e8},
         "persons": {"人": 1.0, "万人": 1e4},
         "wage": {"元/年": 1.0, "元/月": 12.0},
         "year": {"年": 1.0},
         "share": {"1": 1.0},
         "text": {"": 1.0}}
_UNIT_ALIASES = {"10k yuan": "万元", "yuan": "元", "100m yuan": "亿元", "person": "人", "persons": "人",
                 "10k persons": "万人", "yuan/year": "元/年", "元/人年": "元/年", "yuan/month": "元/月",
                 "year": "年", "share": "1", "倍": "1"}
# what a cell can hold before it is a typing or unit error (the bounds of sibrisk's execution files)
MAX_YUAN = 1e16     # over a hundred times China's GDP
MAX_PERSONS = 2e9   # more than China's population
MAY_BE_NEGATIVE = ("interest_income", "opening_balance", "fund_balance")  # investment losses, a deficit
# ASSUMPTION (2026-12): the accounts close (opening + income - expenditure = year-end balance) within 1% of the
# larger of the year-end balance and the year's expenditure when every item is given; more is a typing error (or
# the national example left in a cell)
CLOSE_TOLERANCE = 0.01
# ASSUMPTION (2026-12): a region's contributors per resident differ from the nation's by less than a factor of 5;
# a larger gap between the size from the population (or the size given) and the size from the contributors is a
# population and counts of different regions (typically the national example left in the population cell)
SIZE_AGREEMENT = 5.0


# the age structures a template can give (sheet ``ages``), in 5-year groups: those of the fund's AGE_STRUCTURES
AGE_SERIES = {"population": ("常住人口", "Resident population"),
              "contributors": ("参保缴费人数", "Contributors"),
              "beneficiaries": ("待遇领取人数", "Beneficiaries")}


def _age_labels() -> tuple[str, ...]:
    from sibrisk.demography.age_structure import FIVE_YEAR_GROUPS, AgeGroups

    g = FIVE_YEAR_GROUPS
    return tuple(AgeGroups(year=2020, ages=list(g), male=[1.0] * len(g), female=[1.0] * len(g)).labels())


AGE_LABELS = _age_labels()   # 0-4, 5-9, ..., 95-99, 100+


@dataclass(frozen=True)
class Item:
    sheet: str
    id: str
    zh: str
    en: str
    kind: str  # a key of UNITS
    required: bool = False
    note: str = ""


_ACCOUNT_NAMES = {
    "opening_balance": ("上年结余", "Fund balance at 1 January (last year's year-end balance)"),
    "contribution_income": ("缴费收入", "Contribution income"),
    "fiscal_subsidy": ("财政补贴收入", "Fiscal subsidy income"),
    "interest_income": ("利息收入", "Interest income"),
    "other_income": ("其他收入", "Other income (transfers, central adjustment)"),
    "benefit_expenditure": ("待遇支出", "Benefit expenditure"),
    "other_expenditure": ("其他支出", "Other expenditure"),
    "fund_balance": ("年末滚存结余", "Accumulated fund balance at 31 December"),
}
_REQUIRED_ACCOUNTS = ("contribution_income", "benefit_expenditure", "fund_balance")


def template_items(fund) -> list[Item]:
    """The items of ``fund``'s template (a ``sibrisk.funds.base.Fund``), in sheet order."""
    items = [Item("accounts", k, *_ACCOUNT_NAMES[k], "money", k in _REQUIRED_ACCOUNTS,
                  "may be negative" if k in MAY_BE_NEGATIVE else "")
             for k in ("opening_balance", *FLOWS, "fund_balance")]
    for k, required in (("contributors", True), ("beneficiaries", False)):
        _, en, zh = fund.metadata(k)
        items.append(Item("counts", k, zh, en, "persons", required))
    if fund.uses_population:
        items.append(Item("population", "population_total", "年末常住人口", "Resident population at year end",
                          "persons", False, "sizes the region: region / nation (national age-sex structure kept)"))
    for series in AGE_SERIES:
        if series not in fund.AGE_STRUCTURES:
            continue
        zh, en = AGE_SERIES[series]
        for sex, sex_zh in (("male", "男"), ("female", "女")):
            for label in AGE_LABELS:
                items.append(Item("ages", f"{series}.{sex}.{label}", f"{zh} {sex_zh} {label}岁",
                                  f"{en}, {sex}, aged {label}", "persons", False))
    items += [
        Item("assumptions", "fund", "险种", "Fund (do not change)", "text", True, fund.long_name_zh),
        Item("assumptions", "region", "统筹地区", "Pooling region's name (meta.region)", "text", True),
        Item("assumptions", "year", "决算年度", "Year of the accounts", "year", True),
        Item("assumptions", "average_wage", "平均工资", "Region's average wage of the year", "wage", False,
             "blank: the national scenario's wage path"),
        Item("assumptions", "size", "相对全国规模", "Region's size relative to the nation", "share", False,
             "blank: region / nation population, else contributors"),
        Item("assumptions", "ages_year", "年龄结构年份", "Year of the age structure (sheet ages: a census)", "year",
             False, "blank: the year of the accounts"),
    ]
    return items


def _fund(fund_id: str):
    from sibrisk.funds import FUND_IDS, get, implemented

    if fund_id not in FUND_IDS and fund_id not in implemented():
        raise InputError(f"unknown fund; the funds are {', '.join(implemented())}", field="fund", value=fund_id)
    return get(fund_id)


def national_scenario(fund_id: str):
    """The shipped national scenario of ``fund_id`` (its ``default_scenario``)."""
    from sibrisk.scenario import find_scenario, load_scenario

    return load_scenario(find_scenario(_fund(fund_id).default_scenario))


def national_population(sc, year: int) -> float:
    """The population (persons, year end) of ``sc``'s ``[population]`` in ``year`` (its deterministic path)."""
    from sibrisk.demography.population import population_paths

    stock = population_paths(sc, 1).stock
    return float(stock[0, year - int(sc.years[0])].sum())


def national_example(fund_id: str) -> dict[str, Any]:
    """The template's example values (in the template's units: 万元, 人, 元/年): the national scenario's
    projection of its base year."""
    from sibrisk.projection import project

    sc = national_scenario(fund_id)
    year = int(sc.years[0])
    row = project(sc, keep_detail=False, indicators=False).sel(year=year)
    out: dict[str, Any] = {"fund": fund_id, "region": sc.meta.region, "year": year,
                           "average_wage": round(float(sc.economy.average_wage))}
    for k in ("opening_balance", *FLOWS, "fund_balance"):
        out[k] = round(float(row[k]) / UNITS["money"]["万元"], 2)
    for k in ("contributors", "beneficiaries"):
        out[k] = round(float(row[k]))
    if sc.fund.uses_population:
        out["population_total"] = round(national_population(sc, year))
    out.update(national_ages(sc, year, row))
    return out


def national_ages(sc, year: int, row) -> dict[str, float]:
    """The ``ages`` sheet's example: the national scenario's population at the end of ``year`` and, for a fund
    that takes them, its insured workers' and retirees' profiles scaled to the year's contributors and
    beneficiaries, by 5-year group (persons)."""
    import numpy as np

    from sibrisk.demography.age_structure import grouped
    from sibrisk.demography.population import population_paths

    out: dict[str, float] = {}
    tables = {}
    if "population" in sc.fund.AGE_STRUCTURES:
        tables["population"] = (population_paths(sc, 1).stock[0, year - int(sc.years[0])], 0)
    ini = getattr(sc, "initial", None)
    for series, field, total in (("contributors", "contributors_profile", "contributors"),
                                 ("beneficiaries", "retirees_profile", "beneficiaries")):
        if series in sc.fund.AGE_STRUCTURES and hasattr(ini, field):
            prof = getattr(ini, field)
            a = prof.array()
            tables[series] = (a / a.sum() * float(row[total]), type(prof).first_age)
    for series, (table, first) in tables.items():
        g = grouped(np.asarray(table), year, first_age=first)
        for sex in ("male", "female"):
            for label, v in zip(g.labels(), getattr(g, sex)):
                out[f"{series}.{sex}.{label}"] = round(float(v))
    return out


# ------------------------------------------------------------------------------------------------ writing
def _readme_lines(fund, example: dict) -> list[str]:
    return [
        f"{fund.long_name_zh} {fund.long_name} ({fund.id}): 统筹地区基金决算模板 / a pooling region's template",
        "",
        "填写 What to fill:",
        "  accounts 基金收支决算: 决算年度的基金收支 (万元). The year's final accounts in 万元 (10,000 yuan).",
        "  counts 参保人数: 年末人数 (人). Head counts at year end in persons.",
        *(["  population 人口: 年末常住人口 (人, 可空). Resident population at year end (optional): it sizes the "
           "region (region / nation), the national age-sex structure is kept."] if fund.uses_population else []),
        "  ages 年龄结构 (可空): 按5岁组的年末人数 (人): "
        + ", ".join(f"{AGE_SERIES[x][0]} {x}" for x in AGE_SERIES if x in fund.AGE_STRUCTURES)
        + ". Head counts by 5-year age group and sex (persons), optional: a census (七普) for the population; "
        "each series all filled or all blank; blank keeps the national age structure (national column: the "
        "example). Within a group the national single-age shape is kept."
        + (" Contributors / beneficiaries by age replace the national profiles; the population alone applies the "
           "nation's coverage by age to it." if "contributors" in fund.AGE_STRUCTURES else
           " The population becomes the base stock (projected from ages_year); coverage by age stays national."),
        "  assumptions 假设: 统筹地区名称, 决算年度, 平均工资 (元/年, 可空), 相对全国规模 (可空), 年龄结构年份 (可空). "
        "Region, year, average wage (yuan/year, optional), size relative to the nation (optional), year of the "
        "age structure (optional).",
        "",
        "单位 Units: 以 unit 单位 列为准; 可写 万元/元/亿元, 人/万人, 元/年/元/月. The unit column says the unit "
        "of each value; money may be 万元, 元 or 亿元, persons 人 or 万人, the wage 元/年 or 元/月.",
        "",
        "示例 Example: value 数值 列已填入全国情景基年 "
        f"({example['year']}) 的预测值, 原样读入即为全国. The value column is pre-filled with the shipped national "
        "scenario's projection of its base year (also in the national column); read unchanged it reproduces the "
        "nation. Overwrite every value you have; clear those you do not.",
        "",
        "空格 Blank cells: 必填项 (required = yes) 不可空. 可空项留空时采用按地区规模缩放的全国情景. A blank "
        "optional cell falls back to the national scenario scaled to the region (the scenario is not calibrated "
        "to it).",
        "",
        "核对 Checks: 上年结余 + 收入 - 支出 = 年末滚存结余 (1% 以内, 全部填写时). Opening + income - expenditure "
        "must equal the year-end balance within 1% when every item is given.",
        "",
        "生成情景 Make the scenario: sibrisk region THIS_FILE.xlsx --out region.toml",
    ]


def _rows(fund, example: dict) -> dict[str, list[list[Any]]]:
    out: dict[str, list[list[Any]]] = {}
    for it in template_items(fund):
        if it.sheet == "assumptions" and it.id in ("fund", "region", "year"):
            unit = "" if it.kind == "text" else next(iter(UNITS[it.kind]))
        else:
            unit = next(iter(UNITS[it.kind]))
        national = example.get(it.id)
        value = None if it.sheet == "ages" else national  # an age structure is the region's own or none
        out.setdefault(it.sheet, []).append([it.id, f"{it.zh} {it.en}", value, unit, national,
                                             "是 yes" if it.required else "否 no", it.note])
    return out


def write_template(fund_id: str, path: str | Path, *, fmt: str | None = None) -> Path:
    """Write ``fund_id``'s template to ``path`` (xlsx, or CSV: ``fmt`` or the suffix), pre-filled with the national
    example (``national_example``). Returns the path."""
    from sibrisk._outputs import OutputSet

    fund = _fund(fund_id)
    p = Path(path)
    fmt = fmt or ("csv" if p.suffix.lower() == ".csv" else "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise InputError("format must be xlsx or csv", field="format", value=fmt)
    example = national_example(fund_id)
    rows, readme = _rows(fund, example), _readme_lines(fund, example)
    with OutputSet([p]) as outs:
        staged = outs.stage(p)
        if fmt == "csv":
            buf = io.StringIO(newline="")
            for line in readme:
                buf.write(f"# {line}\n" if line else "#\n")
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(CSV_HEADER)
            for sheet in SHEETS:
                for r in rows.get(sheet, []):
                    w.writerow([sheet, *("" if c is None else c for c in r)])
            staged.write_bytes(buf.getvalue().encode("utf-8-sig"))  # a BOM: spreadsheet programs read it as UTF-8
        else:
            _write_xlsx(staged, fund, example, rows, readme)
    return p


def _write_xlsx(path: Path, fund, example: dict, rows: dict, readme: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = README_SHEET
    for i, line in enumerate(readme, start=1):
        ws.cell(i, 1, line)
    ws["A1"].font = Font(bold=True, size=12)
    ws.column_dimensions["A"].width = 140
    fill = PatternFill("solid", fgColor="FFF2CC")
    for sheet in SHEETS:
        if sheet not in rows:
            continue
        s = wb.create_sheet(sheet)
        s.cell(1, 1, f"{SHEET_TITLES[sheet]} — {fund.long_name_zh} {fund.id}").font = Font(bold=True)
        for j, h in enumerate(HEADER, start=1):
            s.cell(2, j, h).font = Font(bold=True)
        for i, r in enumerate(rows[sheet], start=3):
            for j, v in enumerate(r, start=1):
                c = s.cell(i, j, v)
                if j in (3, 5) and isinstance(v, float):
                    c.number_format = "#,##0.00"
                elif j in (3, 5) and isinstance(v, int) and r[0] != "year":
                    c.number_format = "#,##0"
            s.cell(i, 3).fill = fill  # the cells to fill
        for col, width in zip("ABCDEFG", (20, 52, 20, 10, 20, 10, 50)):
            s.column_dimensions[col].width = width
        for row in s.iter_rows(min_row=3):
            row[6].alignment = Alignment(wrap_text=True)
        s.freeze_panes = "A3"
    wb.save(path)


# ------------------------------------------------------------------------------------------------ reading
@dataclass
class _Row:
    sheet: str
    item: Any
    value: Any
    unit: Any
    item_ref: str   # where the item's name is
    value_ref: str  # where its value is
    unit_ref: str


def _header_columns(header: list[Any], where: str, file: Path, sheet: str) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, h in enumerate(header):
        word = str(h).strip().split(" ")[0].lower() if h is not None else ""
        if word in ("item", "value", "unit") and word not in cols:
            cols[word] = j
    missing = [w for w in ("item", "value", "unit") if w not in cols]
    if missing:
        raise InputError(f"the header of sheet {sheet} lacks the column(s) {', '.join(missing)}; the template's "
                         f"header is {' | '.join(HEADER)}", file=file, field=where,
                         value=[h for h in header if h is not None])
    return cols


def _xlsx_rows(p: Path) -> tuple[dict[str, list[_Row]], list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(p, data_only=True)
    except Exception as e:  # openpyxl raises several types for a damaged file
        raise InputError(f"not a readable xlsx workbook ({type(e).__name__}: {e})", file=p) from None
    out: dict[str, list[_Row]] = {}
    for sheet in SHEETS:
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        cols, rows = None, []
        for cells in ws.iter_rows():
            values = [c.value for c in cells]
            first = values[0] if values else None
            if cols is None:
                if isinstance(first, str) and first.strip().lower().startswith("item"):
                    cols = _header_columns(values, f"{sheet}!{cells[0].coordinate}", p, sheet)
                continue
            if first is None or (isinstance(first, str) and (first.strip() == "" or first.lstrip().startswith("#"))):
                if all(v is None or str(v).strip() == "" for v in values):
                    continue
            r = cells[0].row

            def ref(j, r=r):
                return f"{sheet}!{get_column_letter(j + 1)}{r}"

            def get(j, values=values):
                return values[j] if j < len(values) else None

            rows.append(_Row(sheet, get(cols["item"]), get(cols["value"]), get(cols["unit"]), ref(cols["item"]),
                             ref(cols["value"]), ref(cols["unit"])))
        if cols is None:
            raise InputError(f"sheet {sheet} has no header row (a row whose first cell is {HEADER[0]!r})", file=p,
                             field=f"sheet {sheet}", has_value=False)
        out[sheet] = rows
    names = list(wb.sheetnames)
    wb.close()
    return out, names


def _csv_rows(p: Path) -> tuple[dict[str, list[_Row]], list[str]]:
    from sibrisk._tables import read_table

    table = read_table(p)  # '#' lines (the README) skipped, rows as wide as the header
    head = table.header
    if not head or head[0].split(" ")[0].lower() != "sheet":
        raise InputError(f"the first column of the CSV template is the sheet ({CSV_HEADER[0]!r})", file=p,
                         field=f"{table.header_where[0] if head else 'header'}", value=head[0] if head else None)
    cols = _header_columns(head[1:], "header", p, "(all)")
    out: dict[str, list[_Row]] = {}
    for where, cells in table.rows:
        sheet = cells[0].strip()
        if sheet not in SHEETS:
            raise InputError(f"unknown sheet; sheets: {', '.join(SHEETS)}", file=p, field=f"{where}, column 1",
                             value=cells[0])

        def ref(j, where=where, sheet=sheet):
            return f"{where}, column {j + 2} [{sheet}]"

        def get(j, cells=cells):
            v = cells[j + 1] if j + 1 < len(cells) else None
            return None if v is None or v.strip() == "" else v

        out.setdefault(sheet, []).append(_Row(sheet, get(cols["item"]), get(cols["value"]), get(cols["unit"]),
                                              ref(cols["item"]), ref(cols["value"]), ref(cols["unit"])))
    return out, sorted(out)


def _number(raw: Any, *, file: Path, field: str) -> float:
    if isinstance(raw, bool):
        raise InputError("not a number (a TRUE/FALSE cell)", file=file, field=field, value=raw)
    try:
        x = cell_number(raw)
    except (TypeError, ValueError):
        raise InputError("not a number (digits with '.' for decimals; thousands separators only as in "
                         "1,460,000)", file=file, field=field, value=raw) from None
    if not math.isfinite(x):
        raise InputError("not a finite number (NaN or infinity)", file=file, field=field, value=raw)
    return x


def _unit_factor(row: _Row, item: Item, file: Path) -> float:
    units = UNITS[item.kind]
    if item.kind == "text":
        return 1.0
    unit = "" if row.unit is None else str(row.unit).strip()
    if unit == "":
        return next(iter(units.values()))  # the template's unit
    unit = _UNIT_ALIASES.get(unit.lower(), unit)
    if unit not in units:
        raise InputError(f"wrong unit for {item.id} ({item.zh}); units: {', '.join(units)}", file=file,
                         field=f"{row.unit_ref} ({item.id})", value=row.unit)
    return units[unit]


def read_template(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(actuals, options)`` from a filled template (xlsx or CSV; see the module docstring). ``actuals``: yuan,
    persons and ``year``, only the items given (a blank optional cell is left out); ``options``: ``fund``,
    ``region``, ``year``, ``average_wage`` (yuan/year or None), ``size`` (or None), ``population`` (persons or
    None), ``notes`` (what was read how), ``file``."""
    from sibrisk.funds import FUND_IDS, implemented

    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", file=p)
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        sheets, names = _xlsx_rows(p)
    elif suffix == ".csv":
        sheets, names = _csv_rows(p)
    else:
        raise InputError("expected a template .xlsx or .csv file (sibrisk template FUND)", file=p, field="suffix",
                         value=p.suffix)
    for sheet in REQUIRED_SHEETS:
        if sheet not in sheets:
            raise InputError(f"sheet {sheet!r} ({SHEET_TITLES[sheet]}) is missing; sheets found: "
                             f"{', '.join(names) or 'none'}", file=p, field=f"sheet {sheet}", value=names)
    fund_row = next((r for r in sheets["assumptions"] if str(r.item).strip() == "fund"), None)
    if fund_row is None or fund_row.value is None:
        raise InputError("the fund is missing (assumptions item 'fund')", file=p, field="assumptions: fund",
                         has_value=False)
    fund_id = str(fund_row.value).strip()
    if fund_id not in implemented():
        raise InputError(f"unknown fund; the funds are {', '.join(FUND_IDS)}", file=p,
                         field=f"{fund_row.value_ref} (fund)", value=fund_row.value)
    fund = _fund(fund_id)
    items = {(it.sheet, it.id): it for it in template_items(fund)}
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    notes: list[str] = []
    if "population" in sheets and not fund.uses_population:
        notes.append(f"sheet population ignored: {fund_id} does not project a population")
        del sheets["population"]
    for sheet, rows in sheets.items():
        for row in rows:
            name = "" if row.item is None else str(row.item).strip()
            item = items.get((sheet, name))
            if item is None:
                known = [k for s, k in items if s == sheet]
                raise InputError(f"unknown item in sheet {sheet}; items: {', '.join(known)}", file=p,
                                 field=row.item_ref, value=row.item, has_value=True)
            if name in values:
                raise InputError(f"item appears twice (first at {where[name]})", file=p, field=row.item_ref,
                                 value=name)
            field = f"{row.value_ref} ({name})"
            where[name] = row.value_ref
            raw = row.value
            if raw is None or (isinstance(raw, str) and raw.strip() == ""):
                continue  # blank: not given
            if item.kind == "text":
                values[name] = str(raw).strip()
                continue
            x = _number(raw, file=p, field=field) * _unit_factor(row, item, p)
            if item.kind == "persons":
                if x < 0:
                    raise InputError("a head count cannot be negative", file=p, field=field, value=raw)
                if x > MAX_PERSONS:
                    raise InputError(f"implausibly large ({MAX_PERSONS:.0e} persons at most: is the unit right?)",
                                     file=p, field=field, value=raw)
            elif item.kind == "money":
                if x < 0 and name not in MAY_BE_NEGATIVE:
                    raise InputError(f"{item.zh} {name} cannot be negative", file=p, field=field, value=raw)
                if abs(x) > MAX_YUAN:
                    raise InputError(f"implausibly large ({MAX_YUAN / 1e4:.0e} 万元 at most: is the unit right?)",
                                     file=p, field=field, value=raw)
            elif item.kind in ("wage", "share") and not x > 0:
                raise InputError("must be positive (leave the cell blank if unknown)", file=p, field=field, value=raw)
            elif item.kind == "year" and (x != int(x) or not 1990 <= x <= 2100):
                raise InputError("a year is a whole number 1990-2100", file=p, field=field, value=raw)
            values[name] = x
    for (sheet, name), item in items.items():
        if item.required and name not in values:
            at = f"{where[name]} ({name})" if name in where else f"{sheet}: {name}"
            raise InputError(f"{item.zh} {item.en} is required (sheet {sheet}); the cell is blank or its row "
                             "missing", file=p, field=at, has_value=False)
    money = ("opening_balance", *FLOWS, "fund_balance")
    if all(k in values for k in money):
        income = sum(values[k] for k in FLOWS[:4])
        spent = sum(values[k] for k in FLOWS[4:])
        gap = values["opening_balance"] + income - spent - values["fund_balance"]
        scale = max(abs(values["fund_balance"]), spent)
        if abs(gap) > CLOSE_TOLERANCE * scale:
            raise InputError(f"the accounts do not close: opening balance ({where['opening_balance']}) + income - "
                             f"expenditure - year-end balance = {gap / 1e4:,.2f} 万元, more than "
                             f"{CLOSE_TOLERANCE:.0%} of {scale / 1e4:,.2f} 万元; check the cells (an example value "
                             "left in?)", file=p, field=f"{where['fund_balance']} (fund_balance)",
                             value=values["fund_balance"] / 1e4)
    age_structure = _age_structure(items, values, where, p)
    actuals = {"year": int(values["year"]), **{k: values[k] for k in (*money, "contributors", "beneficiaries")
                                               if k in values}}
    options = {"fund": fund_id, "region": values["region"], "year": int(values["year"]),
               "average_wage": values.get("average_wage"), "size": values.get("size"),
               "population": values.get("population_total"), "age_structure": age_structure, "notes": notes,
               "file": str(p), "cells": where}
    return actuals, options


def _age_structure(items: dict, values: dict, where: dict, p: Path) -> dict:
    """{series: AgeGroups} from the ``ages`` sheet: a series given in every group (a blank series is not given; a
    half-filled one is an error naming its first blank cell)."""
    from pydantic import ValidationError

    from sibrisk.demography.age_structure import FIVE_YEAR_GROUPS, AgeGroups

    out = {}
    year = int(values.get("ages_year", values["year"]))
    for series in AGE_SERIES:
        names = [name for sheet, name in items if sheet == "ages" and name.startswith(f"{series}.")]
        given = [n for n in names if n in values]
        if not given:
            continue
        if len(given) < len(names):
            blank = next(n for n in names if n not in values)
            raise InputError(f"sheet ages gives {series} for {len(given)} of {len(names)} age-sex groups: fill every "
                             f"group (0 where there is nobody) or clear them all", file=p,
                             field=f"{where[blank]} ({blank})" if blank in where else f"ages: {blank}",
                             has_value=False)
        try:
            out[series] = AgeGroups(year=year, ages=list(FIVE_YEAR_GROUPS),
                                    male=[values[f"{series}.male.{lab}"] for lab in AGE_LABELS],
                                    female=[values[f"{series}.female.{lab}"] for lab in AGE_LABELS],
                                    source=f"{p.name}, sheet ages")
        except ValidationError as e:
            raise InputError(f"sheet ages, {series}: {e.errors()[0]['msg'].removeprefix('Value error, ')}", file=p,
                             field=f"{where[given[0]]} ({given[0]})", value=year) from None
    return out


# ------------------------------------------------------------------------------------------------ the scenario
def _wage_growth_factor(sc, year: int) -> float:
    """The scenario's average wage in ``year`` / its base-year wage (``economy.wage_growth`` compounded)."""
    import numpy as np

    g = sc.series("economy.wage_growth")
    i = year - int(sc.years[0])
    return float(np.prod(1.0 + g[1:i + 1]))


def _nation_in(sc, year: int) -> float:
    """The scenario's population (persons) at the end of ``year``: its projection, or before its base year the
    shipped stock of the nearest data year."""
    from sibrisk.demography.population import base_stock, nearest_data_year

    if year >= int(sc.years[0]):
        return national_population(sc, year)
    scale = sc.population.scale if getattr(sc, "population", None) is not None else 1.0
    return float(base_stock(nearest_data_year(year)).sum()) * scale


def region_scenario_from_template(path: str | Path, base=None):
    """The region's scenario from a filled template: ``sibrisk.rebasing.rebase`` of ``base`` (a scenario, a
    scenario file or shipped name; default the fund's national scenario) on the template's accounts, with
    ``region=`` its name and ``size=`` the size given, else for a fund that projects a population the region's
    population / the scenario's population in the year, else measured by ``rebase`` (contributors). The region's
    average wage, if given, becomes ``economy.average_wage`` of ``base`` first (so that ``base``'s wage path
    reaches it in the year of the accounts). Returns the ``Rebased`` (``.scenario``, ``.report()``)."""
    from sibrisk.projection import project
    from sibrisk.rebasing import rebase
    from sibrisk.scenario import find_scenario, load_scenario

    actuals, opts = read_template(path)
    fund_id, year, file = opts["fund"], opts["year"], opts["file"]
    if base is None:
        sc = national_scenario(fund_id)
    elif isinstance(base, (str, Path)):
        sc = load_scenario(find_scenario(base))
    else:
        sc = base
    if sc.fund.id != fund_id:
        raise InputError(f"the template is of the fund {fund_id}, the scenario to re-base of {sc.fund.id}",
                         file=file, field=f"{opts['cells'].get('fund', 'assumptions')} (fund)", value=fund_id)
    years = sc.years
    if not years[0] <= year < years[-1]:
        raise InputError(f"the year of the accounts must be within the scenario's projection {years[0]}-"
                         f"{years[-1] - 1}", file=file, field=f"{opts['cells']['year']} (year)", value=year)
    national_wage = float(sc.economy.average_wage)
    if opts["average_wage"] is not None:
        sc = sc.with_updates({"economy.average_wage": opts["average_wage"] / _wage_growth_factor(sc, year)})
    size, size_from = opts["size"], "size"
    if size is None and opts["population"] is not None:
        size, size_from = opts["population"] / national_population(sc, year), "population_total"
        opts["notes"].append(f"size {size:.6g} x the scenario: the region's population_total / the scenario's "
                             f"population in {year}")
    if size is not None and actuals.get("contributors"):
        row = project(sc, keep_detail=False, indicators=False).sel(year=year)
        by_counts = actuals["contributors"] / float(row.contributors) if float(row.contributors) > 0 else None
        if by_counts and not 1 / SIZE_AGREEMENT <= size / by_counts <= SIZE_AGREEMENT:
            raise InputError(f"the region's size from {size_from} is {size:.4g} x the scenario, from its contributors "
                             f"{by_counts:.4g} x: more than a factor of {SIZE_AGREEMENT:g} apart, so they are not of "
                             f"the same region (an example value left in?); correct or clear "
                             f"{opts['cells'][size_from]}", file=file,
                             field=f"{opts['cells'][size_from]} ({size_from})",
                             value=opts["size"] if size_from == "size" else opts["population"])
    ages = opts["age_structure"]
    if "population" in ages:
        census = ages["population"]
        by_census = (sum(census.male) + sum(census.female)) / _nation_in(sc, census.year)
        if size is None:
            size, size_from = by_census, "ages_population"
            opts["notes"].append(f"size {size:.6g} x the scenario: the population of sheet ages / the nation's in "
                                 f"{census.year}")
        elif not 1 / SIZE_AGREEMENT <= by_census / size <= SIZE_AGREEMENT:
            first = f"population.male.{AGE_LABELS[0]}"
            raise InputError(f"the population of sheet ages is {by_census:.4g} x the nation's, the region's size "
                             f"{size:.4g} x (from {size_from}): not of the same region (the national example copied "
                             "in?); correct or clear the sheet ages", file=file,
                             field=f"{opts['cells'].get(first, 'ages')} ({first})", value=census.male[0])
    result = rebase(sc, actuals, region=opts["region"], size=size, age_structure=ages or None)
    if opts["average_wage"] is not None and (opts["average_wage"] != national_wage or any(
            a[0] == "economy.average_wage" for a in result.adjusted)):
        # the template set the wage: reported (and written by rebased_file_text) against the national value
        result.adjusted = [a for a in result.adjusted if a[0] != "economy.average_wage"]
        result.adjusted.insert(0, ("economy.average_wage", national_wage, float(result.scenario.economy.average_wage)))
    result.template = opts
    return result


__all__ = ["write_template", "read_template", "region_scenario_from_template", "national_example",
           "template_items", "Item", "SHEETS", "HEADER", "UNITS", "README_SHEET"]
