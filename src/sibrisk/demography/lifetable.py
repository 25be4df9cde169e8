"""Base life tables shipped with sibrisk (see ``data/SOURCES.md``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from sibrisk.errors import InputError

TABLES = {"cl2010_2013": "china_life_table_cl2010_2013.csv"}


@lru_cache(maxsize=4)
def _read(table: str) -> pd.DataFrame:
    if table not in TABLES:
        raise InputError(f"unknown life table; known: {sorted(TABLES)}", field="mortality.table", value=table)
    with resources.files("sibrisk.data").joinpath(TABLES[table]).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh).set_index("age")


def table_columns(table: str) -> list[str]:
    return list(_read(table).columns)


def qx(table: str, column: str, ages: np.ndarray, *, field: str = "mortality") -> np.ndarray:
    """One-year death probabilities at ``ages``; the last age is an open group (e.g. 100+).

    The open group's rate is 1 / e(x), the complete expectation of life at its first age computed from the table
    (UDD within each year), so that a stationary open group has the right size.
    """
    df = _read(table)
    if column not in df.columns:
        raise InputError(f"unknown column of life table {table!r}; known: {list(df.columns)}", field=field, value=column)
    q = df[column].to_numpy(dtype=float)
    table_ages = df.index.to_numpy()
    ages = np.asarray(ages)
    if ages.min() < table_ages.min() or ages.max() > table_ages.max():
        raise InputError(f"ages {ages.min()}..{ages.max()} outside the table's {table_ages.min()}..{table_ages.max()}",
                         field=field, value=column)
    out = q[ages - table_ages.min()].copy()
    top = ages.max()
    qs = q[top - table_ages.min():]
    # complete expectation of life at `top`: sum of l(x) for whole years + half a year in the year of death
    lx = np.concatenate([[1.0], np.cumprod(1.0 - qs)])
    e_top = float(np.sum(lx[1:]) + 0.5)
    out[-1] = min(1.0, 1.0 / e_top)
    return out
