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
- Retirement before or after the statutory age (``RetirementOptions``): the 2024 decision's 办法 (弹性提前退休: with the
  minimum contribution years, up to three years before the new statutory age but never before the original 60 / 55 /
  50; 弹性延迟退休: with the employer's and the worker's consent, up to three years after it); special-occupation
  early retirement (特殊工种: men 55, women 45, 国发〔1978〕104号 Art. 1(2)) and ill-health retirement (病退: complete
  loss of working capacity, men 50, women 45, same Art. 1(3)), which the 2024 decision leaves to "国家另有规定".
"""

from __future__ import annotations

from dataclasses import dataclass
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


# first month of the 2024 decision (2025-01): flexible retirement applies to statutory dates from then on
FLEXIBLE_FROM = (2025, 1)
FLEXIBLE_MAX_MONTHS = 36  # 弹性提前 / 弹性延迟: 提前 (延迟) 时间最长不超过三年


def option_age_months(group: str, birth_year: int, birth_month: int, option: str, months: int, *,
                      reform: bool = True) -> int:
    """Retirement age in months of one birth month under a retirement ``option``:

    - ``"statutory"``: the statutory age (``months`` unused);
    - ``"early"`` (弹性提前退休): ``months`` (at most 36) before the statutory age, never before the original age
      (60 / 55 / 50); without the reform there is no flexible retirement;
    - ``"defer"`` (弹性延迟退休): ``months`` (at most 36) after the statutory age, for statutory dates from 2025-01;
    - ``"fixed"``: the fixed age ``months`` (special-occupation retirement at 55 x 12 or 45 x 12), but never after
      the statutory age.
    """
    stat = retirement_age_months(group, birth_year, birth_month, reform=reform)
    if option == "statutory":
        return stat
    if option == "fixed":
        return min(int(months), stat)
    if not 0 <= months <= FLEXIBLE_MAX_MONTHS:
        raise ValueError(f"flexible retirement moves the age by 0-{FLEXIBLE_MAX_MONTHS} months, not {months}")
    if not reform:
        return stat
    if option == "early":
        return max(RETIREMENT_RULES[group][0] * 12, stat - int(months))
    if option == "defer":
        total = birth_year * 12 + (birth_month - 1) + stat
        if (total // 12, total % 12 + 1) < FLEXIBLE_FROM:
            return stat
        return stat + int(months)
    raise ValueError(f"unknown retirement option {option!r}")


@lru_cache(maxsize=None)
def cumulative_option_share(group: str, birth_year: int, calendar_year: int, option: str, months: int, *,
                            reform: bool = True) -> float:
    """Share of a birth-year cohort (births even over months) retired by the end of ``calendar_year`` under
    ``option`` (``option_age_months``)."""
    n = 0
    for m in range(1, 13):
        total = birth_year * 12 + (m - 1) + option_age_months(group, birth_year, m, option, months, reform=reform)
        n += total // 12 <= calendar_year
    return n / 12.0


@dataclass(frozen=True)
class RetirementOptions:
    """Shares of a cohort (one sex) that retire other than at the statutory age; each share is a scalar or one value a
    calendar year (aligned with the ``years`` of ``retirement_hazard``).

    early_share retires ``early_months`` before the statutory age (弹性提前, floored at the original age);
    defer_share ``defer_months`` after it (弹性延迟, statutory dates from 2025); special_share at the fixed
    ``special_age`` (特殊工种); the rest at the statutory age. On top of that, every year a share ``ill_health_rate`` of
    those not yet retired at ages ``ill_health_age`` and above retires on ill health (病退), an independent hazard.
    """
    early_share: float | np.ndarray = 0.0
    early_months: int = 36
    defer_share: float | np.ndarray = 0.0
    defer_months: int = 36
    special_share: float | np.ndarray = 0.0
    special_age: int = 55
    ill_health_rate: float | np.ndarray = 0.0
    ill_health_age: int = 50

    def at(self, n_years: int) -> dict[str, np.ndarray]:
        """The four dated values as (n_years,) arrays, checked (shares add up to at most 1)."""
        out = {}
        for key in ("early_share", "defer_share", "special_share", "ill_health_rate"):
            v = np.broadcast_to(np.asarray(getattr(self, key), dtype=float), (n_years,))
            if np.any(v < 0) or np.any(v > 1):
                raise ValueError(f"{key} must lie in [0, 1]")
            out[key] = v
        if np.any(out["early_share"] + out["defer_share"] + out["special_share"] > 1 + 1e-12):
            raise ValueError("early_share + defer_share + special_share exceeds 1")
        return out


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
                      reform: bool = True, options: RetirementOptions | None = None) -> np.ndarray:
    """Probability that a contributor of age ``a`` (age attained in the calendar year) retires during year ``t``.

    Returns an array (n_years, n_ages). The cohort born in ``t - a`` is a mixture of groups with ``group_weights``
    (for women: workers and cadres); the hazard is 1 - S(t)/S(t-1) where S is the mixture share not yet at
    statutory age, so a pool with one mortality and one entry profile retires in the right proportions
    (modelling simplification: the worker/cadre mix is the same at every age).

    With ``options`` (one sex), S is the mixture over the retirement options of ``RetirementOptions`` with the shares
    of year ``t`` (modelling simplification: a cohort's hazard in year t uses year t's shares for its whole
    history, exact when the shares are constant), times the ill-health survival: the hazard is
    ``1 - S(t)/S(t-1) x (1 - ill_health_rate[t])`` at ages ``>= ill_health_age``. All shares 0 gives the statutory
    hazard exactly.
    """
    if options is not None:
        years, ages = np.asarray(years), np.asarray(ages)
        sh = options.at(len(years))
        key = (tuple(sorted(group_weights.items())), years.tobytes(), ages.tobytes(), bool(reform),
               tuple(sh[k].tobytes() for k in sorted(sh)), int(options.early_months), int(options.defer_months),
               int(options.special_age), int(options.ill_health_age))
        hit = _HAZARD_CACHE.get(key)
        if hit is None:
            hit = _hazard_with_options(group_weights, years, ages, reform, options)
            if len(_HAZARD_CACHE) >= 64:
                _HAZARD_CACHE.clear()
            _HAZARD_CACHE[key] = hit
        return hit.copy()
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


# hazards with options by their full inputs (sensitivity and solver runs rebuild the same inputs many times)
_HAZARD_CACHE: dict = {}


def _option_retirement_years(group: str, birth: np.ndarray, option: str, months: int, reform: bool) -> np.ndarray:
    """(..., 12 birth months) calendar year in which each birth year's cohort retires under ``option``
    (``option_age_months``, vectorised: the same integers)."""
    base, first_year, pace, cap = RETIREMENT_RULES[group]
    birth = np.asarray(birth, dtype=np.int64)[..., None]
    month0 = np.arange(12)  # birth month - 1
    stat = np.full(birth.shape[:-1] + (12,), base * 12, dtype=np.int64)
    if reform:
        n = (birth - first_year) * 12 + month0
        stat = stat + np.where(n < 0, 0, np.minimum(n // pace + 1, cap))
    if option == "statutory":
        age = stat
    elif option == "fixed":
        age = np.minimum(int(months), stat)
    else:
        if not 0 <= months <= FLEXIBLE_MAX_MONTHS:
            raise ValueError(f"flexible retirement moves the age by 0-{FLEXIBLE_MAX_MONTHS} months, not {months}")
        if not reform:
            age = stat
        elif option == "early":
            age = np.maximum(base * 12, stat - int(months))
        elif option == "defer":
            statutory_date = birth * 12 + month0 + stat  # months since year 0; FLEXIBLE_FROM as (year, month)
            age = np.where(statutory_date < FLEXIBLE_FROM[0] * 12 + FLEXIBLE_FROM[1] - 1, stat, stat + int(months))
        else:
            raise ValueError(f"unknown retirement option {option!r}")
    return (birth * 12 + month0 + age) // 12


def _hazard_with_options(group_weights, years, ages, reform, options: RetirementOptions) -> np.ndarray:
    """``retirement_hazard`` with options, vectorised over (year, age): the operations of ``_hazard_with_options_loop``
    in the same order on the same values, so the same numbers bit for bit (``tests/test_retirement_options.py``), in
    milliseconds instead of the loop's 0.3 s at every start (75 years x 85 ages x 2 sexes)."""
    total = sum(group_weights.values())
    sh = options.at(len(years))
    plans = (("early", int(options.early_months), sh["early_share"]),
             ("defer", int(options.defer_months), sh["defer_share"]),
             ("fixed", int(options.special_age) * 12, sh["special_share"]))
    t = np.array([int(y) for y in years], dtype=np.int64)[:, None]
    a = np.array([int(x) for x in ages], dtype=np.int64)[None, :]
    birth = t - a  # (T, A)
    stat_share = (1.0 - sum(p[2] for p in plans))[:, None]  # 1 - ((0 + early) + defer) + special), as the loop
    used = [(option, months, share[:, None]) for option, months, share in plans if np.any(share > 0)]

    def not_retired(year):
        s = 0.0
        for g, w in group_weights.items():
            retired = lambda option, months: (  # noqa: E731
                (_option_retirement_years(g, birth, option, months, reform) <= year[..., None]).sum(axis=-1) / 12.0)
            s_g = stat_share * (1 - retired("statutory", 0))
            for option, months, share in used:
                s_g = np.where(share > 0, s_g + share * (1 - retired(option, months)), s_g)
            s = s + w * s_g
        return s / total

    s_now, s_before = not_retired(np.broadcast_to(t, birth.shape)), not_retired(np.broadcast_to(t - 1, birth.shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = s_now / s_before
    ill = sh["ill_health_rate"][:, None]
    keep = np.where((ill > 0) & (np.asarray(ages)[None, :] >= options.ill_health_age), keep * (1.0 - ill), keep)
    # everyone left in a cell with s_before <= 0 is past the retirement ages
    return np.where(s_before <= 0, 1.0, 1.0 - keep)


def _hazard_with_options_loop(group_weights, years, ages, reform, options: RetirementOptions) -> np.ndarray:
    """The definition of ``_hazard_with_options``, one (year, age) cell at a time (the reference its tests compare
    with)."""
    total = sum(group_weights.values())
    sh = options.at(len(years))
    plans = (("early", int(options.early_months), sh["early_share"]),
             ("defer", int(options.defer_months), sh["defer_share"]),
             ("fixed", int(options.special_age) * 12, sh["special_share"]))
    out = np.zeros((len(years), len(ages)))
    for i, t in enumerate(years):
        t = int(t)
        stat_share = 1.0 - sum(p[2][i] for p in plans)
        ill = sh["ill_health_rate"][i]
        for j, a in enumerate(ages):
            b = t - int(a)

            def not_retired(year):
                s = 0.0
                for g, w in group_weights.items():
                    s_g = stat_share * (1 - cumulative_option_share(g, b, year, "statutory", 0, reform=reform))
                    for option, months, share in plans:
                        if share[i] > 0:
                            s_g += share[i] * (1 - cumulative_option_share(g, b, year, option, months, reform=reform))
                    s += w * s_g
                return s / total

            s_now, s_before = not_retired(t), not_retired(t - 1)
            if s_before <= 0:
                out[i, j] = 1.0  # everyone left in this cell is past the retirement ages
                continue
            keep = s_now / s_before
            if ill > 0 and a >= options.ill_health_age:
                keep *= 1.0 - ill
            out[i, j] = 1.0 - keep
    return out


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
