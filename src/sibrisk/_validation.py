"""Reading TOML files and validating them with pydantic, with errors that name the file, the field and the value.

One mechanism for every input file sibrisk reads (scenarios, goal sets, thresholds, assessments). Every text file is
read through ``read_text``, which detects its encoding: UTF-8 with or without a byte-order mark, UTF-16 with a
byte-order mark (what Excel's "Unicode text" writes), and GB18030 (a superset of GBK, what Excel writes for a CSV on
a Chinese Windows). The encoding used is named in the errors about the file's contents.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sibrisk.errors import InputError


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "utf-32": "UTF-32",
                  "gb18030": "GB18030/GBK"}


def decode(raw: bytes, file: str | Path | None = None) -> tuple[str, str]:
    """``raw`` decoded, and the encoding used: a byte-order mark decides (UTF-8, UTF-16, UTF-32); otherwise UTF-8,
    else GB18030 (which reads every GBK and GB2312 file). Text with NUL characters (UTF-16 without a BOM, a binary
    file) is refused."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(f"starts with a {ENCODING_NAMES[enc]} byte-order mark but byte {e.start} is not "
                                 f"{ENCODING_NAMES[enc]}", file=file) from None
            return text.removeprefix("\ufeff"), enc
    for enc in ("utf-8", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, enc
    raise InputError("not a text file in a known encoding (UTF-8, GB18030/GBK, or UTF-16/UTF-32 with a byte-order "
                     "mark); save it as UTF-8", file=file)


def read_text(path: str | Path) -> tuple[str, str]:
    """The text of a file and the name of its encoding (``decode``); errors name the file."""
    p = Path(path)
    if p.is_dir():
        raise InputError("is a folder, not a file", file=p)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", file=p) from None
    text, enc = decode(raw, p)
    return text, ENCODING_NAMES[enc]


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def cell_number(raw: Any) -> float:
    """A spreadsheet or CSV cell's number (may be NaN or infinite: the caller decides). Thousands separators are
    read only in their exact place (``"1,460,000"``); any other comma, text or a TRUE/FALSE cell raises
    ``ValueError``, for the caller to name the file, cell and value."""
    if isinstance(raw, bool):
        raise ValueError("a TRUE/FALSE cell")
    if isinstance(raw, str):
        s = raw.strip()
        if "," in s:
            if not _THOUSANDS.match(s):
                raise ValueError("a comma outside thousands separators")
            s = s.replace(",", "")
        return float(s)
    return float(raw)


def read_toml(path: str | Path) -> dict:
    p = Path(path)
    text, enc = read_text(p)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"not valid TOML (read as {enc}): {e}", file=p) from None


def _loc(loc: tuple, data: Any) -> str:
    """``("indicators", 2, "target")`` -> ``indicators[2] (income_rate).target`` (the id makes it findable)."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, str) and (part.startswith("function-") or part in ("tagged-union",)):
            continue
        if isinstance(part, int):
            out += f"[{part}]"
            try:
                node = node[part]
                if isinstance(node, dict) and "id" in node:
                    out += f" ({node['id']})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def validate(model: type[BaseModel], data: dict, file: str | Path | None) -> BaseModel:
    """``model.model_validate(data, strict=True)``, with a pydantic ValidationError turned into an InputError naming the file,
    the field and the value of the first problem (and how many more there are)."""
    try:
        # strict: a number field takes a number (an integer is a number), never a string or a boolean
        # (``weight = true`` is not 1, ``retirement_reform = "yes"`` is not true)
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        errs = exc.errors()
        first = errs[0]
        field = _loc(first["loc"], data)
        if first["type"] == "missing":
            err = InputError("required field is missing", file=file, field=field, has_value=False)
        elif first["type"] == "extra_forbidden":
            err = InputError("unknown field (check the spelling; the shipped files show the accepted fields)", file=file, field=field, value=first.get("input"),
                             has_value=True)
        else:
            msg = first["msg"].removeprefix("Value error, ")
            value = first.get("input")
            if isinstance(first.get("ctx", {}).get("error"), InputError):
                inner = first["ctx"]["error"]
                field = ".".join(x for x in (field, inner.field) if x)
                value = inner.value
                msg = inner.reason
            err = InputError(msg, file=file, field=field, value=value, has_value=value is not None)
        if len(errs) > 1:
            more = "; ".join(f"{_loc(e['loc'], data)}: {e['msg'].removeprefix('Value error, ')}" for e in errs[1:4])
            err.args = (f"{err.args[0]} (and {len(errs) - 1} more: {more})",)
        raise err from None
