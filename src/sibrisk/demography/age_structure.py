"""A region's own age structure: head counts by age group and sex (a census in 5-year groups, a fund's contributors
or retirees by age) and their expansion to the single ages a projection uses.

A pooling region rarely has its counts by single age; a census (七普 2020, the 1% sample of 2015) and the fund
agencies' statistics give 5-year groups (0-4, 5-9, ..., 95-99, 100+), sometimes wider ones. ``AgeGroups`` holds such a
table (lower bound of each group, the last open to 100+); ``AgeGroups.expand(shape)`` spreads each group over its
single ages in proportion to ``shape`` (the nation's single-age structure, or the scenario's own profile), so the
group totals are the region's and the structure within each group the nation's (a modelling ASSUMPTION: within five
years of age the region is shaped like the nation).

Where it enters (one mechanism for every fund, ``sibrisk.rebase(..., age_structure=...)``):

- a fund that projects a population (resident pension and medical, unemployment, work injury, employee medical):
  ``[population.stock]`` replaces the shipped national stock (UN WPP) x ``population.scale`` as the base stock
  (``sibrisk.demography.population``): the region's census of ``year``, projected to the base year by the same
  cohort-component step; coverage shares by age stay the scenario's;
- the employee pensions (counts, no population): the region's insured workers and retirees by age replace the
  profiles (``initial.contributors_profile`` / ``retirees_profile``; a carried ``[initial.state]`` is re-weighted
  by age, per-person years, accounts and pensions kept); given only the region's population by age, the nation's
  coverage by age is applied to it (``population_tilt``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from sibrisk.scenario import AGE_MAX, _Model

# the usual census grouping: 0-4, 5-9, ..., 95-99, 100+
FIVE_YEAR_GROUPS = tuple(range(0, AGE_MAX + 1, 5))


class AgeGroups(_Model):
    """Persons by age group and sex at the end of ``year``: ``ages`` the lower bound of each group (increasing, the
    last group open to 100+), ``male`` and ``female`` one count per group (persons, or any common unit: only the
    structure is used where a total is calibrated). ``source`` says where the figures come from."""
    # the year whose end the counts describe (a calendar year)
    year: Annotated[int, Field(ge=2000, le=2100)]
    # the lower bound of each age group, increasing (e.g. 0, 5, ..., 100; the last group open to 100+)
    ages: list[int]
    # male persons in each age group (one per group; persons, or any unit common to both sexes)
    male: list[float]
    # female persons in each age group (one per group; same unit as ``male``)
    female: list[float]
    # where the figures come from (title and address of the census or statistics)
    source: str = ""
    # free text: how the figures were derived
    note: str = ""

    @model_validator(mode="after")
    def _check(self):
        a = self.ages
        if not a:
            raise ValueError("ages is empty: give the lower bound of each age group (0, 5, ..., 100)")
        for i, x in enumerate(a):
            if not 0 <= x <= AGE_MAX:
                raise ValueError(f"ages[{i}] = {x}: an age group starts at 0..{AGE_MAX}")
            if i and x <= a[i - 1]:
                raise ValueError(f"ages must increase: ages[{i}] = {x} after {a[i - 1]}")
        for sex in ("male", "female"):
            v = getattr(self, sex)
            if len(v) != len(a):
                raise ValueError(f"{sex} has {len(v)} values; expected {len(a)}, one per age group ({self.labels()})")
            for i, x in enumerate(v):
                if not (isinstance(x, (int, float)) and math.isfinite(x) and x >= 0):
                    raise ValueError(f"{sex}[{i}] (ages {self.labels()[i]}) = {x!r}: a head count is a finite "
                                     "number >= 0")
        if sum(self.male) + sum(self.female) <= 0:
            raise ValueError("every count is zero")
        return self

    def labels(self) -> list[str]:
        """'0-4', '5-9', ..., '100+' (the last group open)."""
        out = []
        for i, lo in enumerate(self.ages):
            hi = self.ages[i + 1] - 1 if i + 1 < len(self.ages) else None
            out.append(f"{lo}+" if hi is None else (f"{lo}" if hi == lo else f"{lo}-{hi}"))
        return out

    def counts(self) -> np.ndarray:
        """(G, 2) the counts by group and sex."""
        return np.stack([np.asarray(self.male, float), np.asarray(self.female, float)], axis=1)

    def expand(self, shape: np.ndarray, first_age: int = 0) -> np.ndarray:
        """(A, 2) persons by single age ``first_age..100`` and sex: each group's count spread over its ages (within
        ``first_age..100``) in proportion to ``shape`` (A, 2) (evenly where ``shape`` is zero over the group); ages
        below the first group get none. A group entirely below ``first_age`` must be empty."""
        shape = np.asarray(shape, dtype=float)
        n_a = AGE_MAX - first_age + 1
        if shape.shape != (n_a, 2):
            raise ValueError(f"shape must be {n_a} ages x 2 sexes, got {shape.shape}")
        out = np.zeros((n_a, 2))
        counts = self.counts()
        for g, lo in enumerate(self.ages):
            hi = self.ages[g + 1] - 1 if g + 1 < len(self.ages) else AGE_MAX
            lo_i, hi_i = max(lo, first_age) - first_age, hi - first_age
            if hi_i < lo_i or hi_i < 0:
                if counts[g].sum() > 0:
                    raise ValueError(f"ages {self.labels()[g]} hold {counts[g].sum():,.0f} persons, but the table starts "
                                     f"at age {first_age}")
                continue
            w = shape[lo_i:hi_i + 1]
            tot = w.sum(axis=0)
            for s in range(2):
                share = w[:, s] / tot[s] if tot[s] > 0 else np.full(hi_i - lo_i + 1, 1.0 / (hi_i - lo_i + 1))
                out[lo_i:hi_i + 1, s] = counts[g, s] * share
        return out


def grouped(by_age: np.ndarray, year: int, ages=FIVE_YEAR_GROUPS, first_age: int = 0, source: str = "") -> AgeGroups:
    """The single-age table ``by_age`` (A, 2) over ages ``first_age..100`` summed into groups starting at ``ages``."""
    by_age = np.asarray(by_age, dtype=float)
    male, female = [], []
    for g, lo in enumerate(ages):
        hi = ages[g + 1] - 1 if g + 1 < len(ages) else AGE_MAX
        sl = slice(max(lo, first_age) - first_age, max(hi + 1 - first_age, 0))
        male.append(float(by_age[sl, 0].sum()))
        female.append(float(by_age[sl, 1].sum()))
    return AgeGroups(year=year, ages=list(ages), male=male, female=female, source=source)


_LABEL = re.compile(r"^\s*(\d{1,3})\s*(?:岁)?\s*(?:(?:-|–|—|~|至|到)\s*(\d{1,3})\s*(?:岁)?|(\+|岁?及以上|以上))?\s*$")


def group_lower(label) -> int:
    """The lower bound of an age-group label: '0-4', '5～9岁', '100+', '100岁及以上', 85 (a number)."""
    if isinstance(label, (int, float)) and not isinstance(label, bool) and float(label).is_integer():
        return int(label)
    m = _LABEL.match(unicodedata.normalize("NFKC", str(label)))  # full-width ～ and － as ~ and -
    if not m:
        raise ValueError(f"not an age group (write 0-4, 5-9, ..., 100+): {label!r}")
    lo = int(m.group(1))
    if m.group(2) is not None and int(m.group(2)) < lo:
        raise ValueError(f"the group {label!r} ends before it starts")
    return lo


def population_tilt(region: AgeGroups, nation: np.ndarray, year: int, first_age: int) -> np.ndarray:
    """(A, 2) over ages ``first_age..100``: the region's population / the nation's by single age in ``year``, from
    the region's census ``region`` and the nation's stock ``nation`` (101, 2) in the census year, each cohort carried
    to ``year`` with its relative size (ASSUMPTION: between the census and ``year`` a cohort keeps its share of the
    nation's; mortality and migration differences ignored). Multiplying a national profile by it applies the nation's
    coverage by age to the region's population."""
    nation = np.asarray(nation, dtype=float)
    mine = region.expand(nation, 0)
    ratio = np.divide(mine, nation, out=np.zeros_like(mine), where=nation > 0)
    shift = int(year) - int(region.year)
    ages = np.arange(first_age, AGE_MAX + 1)
    src = np.clip(ages - max(shift, 0), 0, AGE_MAX) if shift >= 0 else np.clip(ages - shift, 0, AGE_MAX)
    return ratio[src]


__all__ = ["AgeGroups", "FIVE_YEAR_GROUPS", "grouped", "group_lower", "population_tilt"]
