"""The back-test table every fund's ``calibration.backtest_table`` returns: projected against published figures after
the base year, one row per published figure (``year``, ``item``, ``published``, ``tolerance``, ``source`` and the
fund's own keys; ``use`` where a row says what it is to the calibration: a fit target, a derived input or check, or
out of sample), with the relative difference and whether it lands within the row's stated tolerance."""

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
        if "use" in b:  # what the row is to the calibration: fit target, derived input or check, out of sample
            rec["use"] = b["use"]
        rec["source"] = b["source"]
        out.append(rec)
    return pd.DataFrame(out)


def log_linear_trend(history: dict[int, float]) -> dict:
    """OLS of ln(value) on the year over ``history`` ({year: value}, at least three years): the trend growth
    exp(b) - 1 and its standard error by the delta method, (1 + g) x s.e.(b), the residuals taken as independent;
    also the log slope and its s.e., the residuals by year and the first and last year."""
    import numpy as np

    ys = np.array(sorted(history))
    if len(ys) < 3:
        raise ValueError(f"a trend needs at least three years of history; got {ys.tolist()}")
    v = np.log([history[y] for y in ys])
    X = np.column_stack([np.ones(len(ys)), ys - ys.mean()])
    b, *_ = np.linalg.lstsq(X, v, rcond=None)
    r = v - X @ b
    se_b = float(np.sqrt(float(r @ r) / (len(ys) - 2) * np.linalg.inv(X.T @ X)[1, 1]))
    g = float(np.expm1(b[1]))
    return {"growth": g, "se": (1.0 + g) * se_b, "log_slope": float(b[1]), "log_slope_se": se_b,
            "residuals": dict(zip(ys.tolist(), r.tolist())), "years": (int(ys[0]), int(ys[-1]))}
