"""Reading TOML files and validating them with pydantic, with errors that name the file, the field and the value.

One mechanism for every input file sibrisk reads (scenarios, goal sets, thresholds, assessments).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sibrisk.errors import InputError


def read_toml(path: str | Path) -> dict:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", file=p) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"not valid TOML: {e}", file=p) from None


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
    """``model.model_validate(data)``, with a pydantic ValidationError turned into an InputError naming the file,
    the field and the value of the first problem (and how many more there are)."""
    try:
        return model.model_validate(data)
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
