"""Errors that name what is wrong: the file, the field and the value."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SibriskError(Exception):
    """Base class of sibrisk's own errors."""


class InputError(SibriskError, ValueError):
    """Bad user input: names the file (if any), the field and the offending value.

    ``str(err)`` reads like ``scenario.toml: contributions.employer_rate = -0.1: must be >= 0``.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, field: str | None = None,
                 value: Any = None, has_value: bool | None = None):
        self.file = str(file) if file is not None else None
        self.field = field
        self.value = value
        self.reason = message
        if has_value is None:
            has_value = value is not None
        where = []
        if self.file:
            where.append(self.file)
        loc = field or ""
        if has_value:
            shown = repr(value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            loc = f"{loc} = {shown}" if loc else shown
        if loc:
            where.append(loc)
        super().__init__(": ".join(where + [message]))
