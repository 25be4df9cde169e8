"""Reading table files (CSV, xlsx) with errors that name the file, the field (column, row) and the value: the
performance module's budgets and executions and the region templates (``sibrisk.templates``) read through here."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from sibrisk._validation import read_text
from sibrisk.errors import InputError


# ------------------------------------------------------------------------------------------------ tables
class Table:
    """Rows of a CSV file or an xlsx sheet: a header and cells, each cell knowing where it came from."""

    def __init__(self, file: Path, header: list[str], rows: list[tuple[str, list[Any]]], header_where: list[str],
                 encoding: str = ""):
        self.file = file
        self.encoding = encoding  # of a CSV file (xlsx: "")
        self.header = header
        self.rows = rows  # (where, cells), where = "line 7" or "row 7"
        self.header_where = header_where  # per column: "column 3" or "cell C1"

    def cell_where(self, row_where: str, col: int) -> str:
        if row_where.startswith("row "):  # xlsx: name the cell
            from openpyxl.utils import get_column_letter

            return f"cell {get_column_letter(col + 1)}{row_where[4:]}"
        return f"{row_where}, column {col + 1}"


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """A CSV file (lines starting with '#' are comments) or one sheet of an xlsx workbook (``sheet``, else the
    first); blank lines are skipped."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", file=p)
    if p.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises several types for a damaged file
            raise InputError(f"not a readable xlsx workbook ({type(e).__name__}: {e})", file=p) from None
        if sheet in wb.sheetnames:
            ws = wb[sheet]
        elif sheet is None or len(wb.sheetnames) == 1:
            ws = wb[wb.sheetnames[0]]
        else:
            raise InputError(f"no sheet named {sheet!r}; sheets: {wb.sheetnames}", file=p, field="sheet", value=sheet)
        raw = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
        wb.close()
        raw = [(i, r) for i, r in raw if any(c is not None and str(c).strip() != "" for c in r)
               and not (isinstance(r[0], str) and r[0].lstrip().startswith("#"))]
        if not raw:
            raise InputError("the sheet is empty", file=p, field=f"sheet {ws.title}", has_value=False)
        (hi, header), body = raw[0], raw[1:]
        header = [str(h).strip() if h is not None else "" for h in header]
        while header and header[-1] == "":
            header.pop()
        from openpyxl.utils import get_column_letter

        for i, r in body:
            _check_width(p, f"row {i}", header, r)
        return Table(p, header, [(f"row {i}", r[:len(header)]) for i, r in body],
                     [f"cell {get_column_letter(j + 1)}{hi}" for j in range(len(header))])
    if p.suffix.lower() != ".csv":
        raise InputError("expected a .csv or .xlsx file", file=p, field="suffix", value=p.suffix)
    text, encoding = read_text(p)
    parsed: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise InputError(f"line {reader.line_num}: not valid CSV (read as {encoding}): {e}", file=p) from None
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        parsed.append((line, row))
    if not parsed:
        raise InputError("the file has no header and no rows", file=p, has_value=False)
    (_hline, header), body = parsed[0], parsed[1:]
    header = [h.strip() for h in header]
    while header and header[-1] == "":
        header.pop()
    rows = []
    for i, r in body:
        _check_width(p, f"line {i}", header, r, encoding)
        rows.append((f"line {i}", r[:len(header)]))
    return Table(p, header, rows, [f"column {j + 1}" for j in range(len(header))], encoding)


_THOUSANDS_TAIL = re.compile(r"^\d{3}(\.\d*)?$")


def _check_width(p: Path, where: str, header: list[str], cells: list, encoding: str = "") -> None:
    """Every row has exactly the header's cells (trailing blank cells aside): a row with more cells would have its
    extra values dropped, one with fewer has no value for a column."""
    n = len(header)
    extra = [c for c in cells[n:] if c is not None and str(c).strip() != ""]
    enc = f" (read as {encoding})" if encoding else ""
    if extra:
        tail = [str(c).strip() for c in cells[n - 1:]]
        if n and all(_THOUSANDS_TAIL.match(c) for c in tail[1:]) and re.match(r"^[+-]?\d{1,3}$", tail[0]):
            raise InputError(f"{where}: {len(cells)} cells for {n} columns {header}: a number with thousands "
                             f"separators must be quoted (\"{','.join(tail)}\") or written without them "
                             f"({''.join(tail)})", file=p, field=header[-1], value=",".join(tail))
        raise InputError(f"{where}: {len(cells)} cells for {n} columns {header}{enc}; extra cells {extra}", file=p,
                         field="row", value=[str(c) for c in cells])
    if len(cells) < n:
        raise InputError(f"{where}: {len(cells)} cell(s) for {n} columns {header}{enc}; no value for "
                         f"{', '.join(header[len(cells):])}", file=p, field=header[len(cells)],
                         value=[str(c) for c in cells])
