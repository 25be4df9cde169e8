"""The back-test table every fund's ``calibration.backtest_table`` returns: projected against published figures after
the base year, one row per published figure (``year``, ``item``, ``published``, ``tolerance``, ``source`` and the
fund's own keys), with the relative difference and whether it lands within the row's stated tolerance."""

from __future__ import annotations

from typing import Any, Callable, Iterable


def backtest_frame(rows: Iterable[dict], value: Callable[[dict], float], *, digits: int | Callable[[dict], int] = 1,
                   more: Callable[[dict, float], dict[str, Any]] | None = None):
    """A pandas DataFrame of ``rows``: ``value(row)`` the projected figure (in the row's units), rounded to
    ``digits`` (or ``digits(row)``); ``more(row, projected)`` adds a fund's own columns before ``source``."""
    import pandas as pd

    out = []
    for b in rows:
        projected = value(b)
        diff = projected / b["published"] - 1
        rec = {"year": b["year"], "item": b["item"], "published": b["published"],
               "projected": round(projected, digits(b) if callable(digits) else digits), "difference": diff,
               "tolerance": b["tolerance"], "within": abs(diff) <= b["tolerance"]}
        if more is not None:
            rec.update(more(b, projected))
        rec["source"] = b["source"]
        out.append(rec)
    return pd.DataFrame(out)
