"""Base life tables shipped with sibrisk (see ``data/SOURCES.md``).

- ``cl2010_2013``: China Life Insurance Mortality Table (2010-2013), insured lives, q(x) ages 0-105 as published.
- ``wpp2024_china``: China's population mortality, UN World Population Prospects 2024, derived here from the
  published abridged central death rates m(x) (ages 0, 1-4, 5-9, ..., 95-99, 100+) of a five-year period:
  single-age q(x) = 1 - exp(-m) with m constant within each age group (a modelling assumption: no graduation),
  ages 100-104 at the 100+ rate, q(105) = 1. Columns ``male_2015_2020``, ``female_2015_2020``,
  ``male_2020_2025``, ``female_2020_2025`` (and the other periods of the file).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from sibrisk.errors import InputError

TABLES = {"cl2010_2013": "china_life_table_cl2010_2013.csv", "wpp2024_china": "china_mortality_wpp2024.csv"}


def _open(name: str):
    return resources.files("sibrisk.data").joinpath(name).open("r", encoding="utf-8")


def _wpp_single_age(raw: pd.DataFrame) -> pd.DataFrame:
    raw = raw.copy()
    raw["age_start"] = raw["age_start"].astype(str).str.rstrip("+").astype(int)
    ages = np.arange(0, 106)
    out = {}
    for period, grp in raw.groupby("period", sort=True):
        starts = grp["age_start"].to_numpy()
        for sex in ("male", "female"):
            m = grp[f"mx_{sex}"].to_numpy(dtype=float)
            idx = np.searchsorted(starts, ages, side="right") - 1
            q = 1.0 - np.exp(-m[idx])
            q[-1] = 1.0
            out[f"{sex}_{period.replace('-', '_')}"] = q
    return pd.DataFrame(out, index=pd.Index(ages, name="age"))


@lru_cache(maxsize=4)
def _read(table: str) -> pd.DataFrame:
    if table not in TABLES:
        raise InputError(f"unknown life table; known: {sorted(TABLES)}", field="mortality.table", value=table)
    with _open(TABLES[table]) as fh:
        df = pd.read_csv(fh)
    if table == "wpp2024_china":
        return _wpp_single_age(df)
    return df.set_index("age")


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
