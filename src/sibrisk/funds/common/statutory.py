"""Statutory pension rules of the enterprise employee scheme, dated by birth cohort and calendar year.

Sources
-------
- Retirement ages before 2025: men 60, women 50 (workers) and 55 (cadres/salaried staff), 国发〔1978〕104号.
- 2024 reform: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13) and its annex table
  《关于渐进式延迟法定退休年龄的办法》: from 2025-01-01, over 15 years, men 60 -> 63 (born 1965-01 or later: +1 month
  for every 4 months of birth date, at most 36), women cadres 55 -> 58 (born 1970-01 or later, same pace), women workers
  50 -> 55 (born 1975-01 or later: +1 month for every 2 months of birth date, at most 60). Minimum contribution years
  rise from 15 to 20 from 2030-01-01 by six months a year.
- Payout months of the individual-account pension (计发月数) by retirement age 40-70: annex of 国发〔2005〕38号.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# 计发月数, 国发〔2005〕38号 annex, ages 40..70
PAYOUT_MONTHS = {
    40: 233, 41: 230, 42: 226, 43: 223, 44: 220, 45: 216, 46: 212, 47: 207, 48: 204, 49: 199,
    50: 195, 51: 190, 52: 185, 53: 180, 54: 175, 55: 170, 56: 164, 57: 158, 58: 152, 59: 145,
    60: 139, 61: 132, 62: 125, 63: 117, 64: 109, 65: 101, 66: 93, 67: 84, 68: 75, 69: 65, 70: 56,
}

# (pre-reform age in years, first birth year affected, months of birth per month of delay, maximum delay in months)
RETIREMENT_RULES = {
    "male": (60, 1965, 4, 36),
    "female_cadre": (55, 1970, 4, 36),
    "female_worker": (50, 1975, 2, 60),
}


def retirement_age_months(group: str, birth_year: int, birth_month: int, *, reform: bool = True) -> int:
    """Statutory retirement age in months for one birth month (1-12) of a group in RETIREMENT_RULES."""
    base, first_year, pace, cap = RETIREMENT_RULES[group]
    months = base * 12
    if not reform:
        return months
    n = (birth_year - first_year) * 12 + (birth_month - 1)
    if n < 0:
        return months
    return months + min(n // pace + 1, cap)


def retirement_date(group: str, birth_year: int, birth_month: int, *, reform: bool = True) -> tuple[int, int]:
    """(year, month) in which the statutory retirement age is reached."""
    total = birth_year * 12 + (birth_month - 1) + retirement_age_months(group, birth_year, birth_month, reform=reform)
    return total // 12, total % 12 + 1


@lru_cache(maxsize=None)
def cumulative_retired_share(group: str, birth_year: int, calendar_year: int, *, reform: bool = True) -> float:
    """Share of a birth-year cohort (births spread evenly over months) that has reached retirement age by the end of
    ``calendar_year``."""
    n = sum(retirement_date(group, birth_year, m, reform=reform)[0] <= calendar_year for m in range(1, 13))
    return n / 12.0


@lru_cache(maxsize=64)
def _retirement_years(group: str, first_birth_year: int, last_birth_year: int, reform: bool) -> np.ndarray:
    """(birth years, 12 birth months) calendar year in which the statutory age is reached (``retirement_date``,
    vectorised; read-only, shared by the callers)."""
    base, first_year, pace, cap = RETIREMENT_RULES[group]
    birth = np.arange(first_birth_year, last_birth_year + 1)[:, None]
    month0 = np.arange(12)[None, :]  # birth month - 1
    months = np.full(birth.shape[:1] + (12,), base * 12)
    if reform:
        n = (birth - first_year) * 12 + month0
        months = months + np.where(n < 0, 0, np.minimum(n // pace + 1, cap))
    out = (birth * 12 + month0 + months) // 12
    out.flags.writeable = False
    return out


def cumulative_retired_shares(group: str, birth_years: np.ndarray, calendar_years: np.ndarray, *,
                              reform: bool = True) -> np.ndarray:
    """``cumulative_retired_share`` on arrays: the share of each birth-year cohort at statutory age by the end of
    the calendar year, elementwise over the broadcast of ``birth_years`` and ``calendar_years`` (integers), the same
    numbers bit for bit (a count of birth months out of 12)."""
    birth = np.asarray(birth_years, dtype=np.int64)
    cal = np.asarray(calendar_years, dtype=np.int64)
    birth, cal = np.broadcast_arrays(birth, cal)
    if birth.size == 0:
        return np.zeros(birth.shape)
    lo, hi = int(birth.min()), int(birth.max())
    ry = _retirement_years(group, lo, hi, bool(reform))[birth - lo]  # (..., 12)
    return (ry <= cal[..., None]).sum(axis=-1) / 12.0


def retirement_hazard(group_weights: dict[str, float], years: np.ndarray, ages: np.ndarray, *,
                      reform: bool = True) -> np.ndarray:
    """Probability that a contributor of age ``a`` (age attained in the calendar year) retires during year ``t``.

    Returns an array (n_years, n_ages). The cohort born in ``t - a`` is a mixture of groups with ``group_weights``
    (for women: workers and cadres); the hazard is 1 - S(t)/S(t-1) where S is the mixture share not yet at
    statutory age, so a pool with one mortality and one entry profile retires in the right proportions
    (modelling simplification: the worker/cadre mix is the same at every age).
    """
    # vectorised over (year, age); the same operations in the same order as the scalar definition (bit-identical,
    # tests/test_policy.py), without a Python loop over years x ages x groups
    total = sum(group_weights.values())
    years = np.asarray(years)
    ages = np.asarray(ages)
    t = np.trunc(years.astype(float)).astype(np.int64)[:, None]
    birth = np.trunc((years[:, None] - ages[None, :]).astype(float)).astype(np.int64)
    s_now = s_before = 0
    for g, w in group_weights.items():
        s_now = s_now + w * (1 - cumulative_retired_shares(g, birth, t, reform=reform))
        s_before = s_before + w * (1 - cumulative_retired_shares(g, birth, t - 1, reform=reform))
    s_now = np.broadcast_to(s_now / total, birth.shape)
    s_before = np.broadcast_to(s_before / total, birth.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        # everyone left in a cell with s_before <= 0 is past statutory age
        return np.where(s_before <= 0, 1.0, 1.0 - s_now / s_before)


def minimum_contribution_years(year: int) -> float:
    """Minimum contribution years for a monthly pension in calendar ``year``: 15 until 2029, +0.5 a year from 2030 to 20."""
    if year < 2030:
        return 15.0
    return min(20.0, 15.0 + 0.5 * (year - 2029))


def payout_months(age: int | np.ndarray) -> np.ndarray:
    """计发月数 for retirement at integer ``age``, clamped to the table's range 40-70."""
    a = np.clip(np.asarray(age), 40, 70)
    lookup = np.array([PAYOUT_MONTHS[x] for x in range(40, 71)], dtype=float)
    return lookup[a - 40]
