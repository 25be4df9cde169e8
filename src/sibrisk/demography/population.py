"""The population every fund shares: a cohort-component projection by single age 0..100+ and sex.

    P(t, a+1, s) = P(t-1, a, s) (1 - q(a, s, t)) + M(t) m(a+1, s)          a = 0..98
    P(t, 100+, s) = (P(t-1, 99, s) (1 - q(99, s, t)) + P(t-1, 100+, s) (1 - q(100, s, t))) + M(t) m(100, s)
    B(t) = sum_a f(a, t) (F(t-1, a-1) + F(t, a)) / 2                                   (births in the year)
    P(t, 0, s) = B(t) share(s) (1 - q(0, s, t) / 2) + M(t) m(0, s)

with q from the scenario's ``[mortality]`` (``sibrisk.demography.paths``, the same index and draws every fund
uses), f the age-specific fertility rates scaled to the scenario's total fertility rate, share(male) =
srb / (1 + srb), and net migration M(t) spread by the profile m (zero by default). Stocks are at year end;
funds derive their insured from these stocks by coverage rates by age and sex (``insured = coverage x P``).

Data (``data/SOURCES.md``): base stock UN World Population Prospects 2022 (China, single ages 0..99, 1 July
2020 and 2021; the 100+ group is estimated here, see ``base_stock``); fertility shape UN WPP 2024 (five-year age
groups, spread evenly over single ages: a modelling assumption); population mortality UN WPP 2024 (life table
``wpp2024_china``). Projection years after the data but before the scenario's base year use the deterministic
mortality improvement and the published WPP 2024 total fertility of those years.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field

from sibrisk.errors import InputError
from sibrisk.demography.age_structure import AgeGroups
from sibrisk.scenario import AGE_MAX, EXTENSIVE, _Model, age_table, series_field

POP_AGES = np.arange(0, AGE_MAX + 1)
POPULATION_FILE = "china_population_wpp2022.csv"
FERTILITY_FILE = "china_fertility_wpp2024.csv"


class PopulationSpec(_Model):
    """``[population]``: the base stock, fertility and migration (every value a modelling assumption unless said)."""
    base: Annotated[int, Field(ge=2020, le=2021)] = 2021  # year of the shipped UN estimates used as the base stock
    # the base stock times this: the region's share of the national stock (a region's size), or of ``stock``
    scale: Annotated[float, Field(gt=0.0, le=10.0), EXTENSIVE] = 1.0
    # the region's own population by age group and sex at the end of ``stock.year`` (a census; persons), in place of
    # the shipped national stock: projected from its year to the base year (``sibrisk.demography.age_structure``)
    stock: AgeGroups | None = None
    # total fertility rate (births per woman over a lifetime) by year; scales the fertility shape (default 1.1: an
    # assumption, near the UN WPP 2024 estimates of 1.0-1.1 for 2021-2023)
    tfr: series_field("tfr", bounds=(0.0, 10.0)) = 1.1
    # the year of the UN WPP 2024 age-specific fertility schedule whose shape (normalised) the TFR scales
    fertility_shape_year: Annotated[int, Field(ge=2015, le=2023)] = 2021
    # male births per female birth (the male share of births is srb / (1 + srb); default 1.104, an assumption)
    sex_ratio_at_birth: Annotated[float, Field(gt=0.5, le=2.0)] = 1.104
    # net migrants a year (persons; in minus out), spread over ages and sexes by ``migration_profile`` (needed when
    # non-zero)
    net_migration: series_field("net_migration", bounds=(-1e8, 1e8), extensive=True) = 0.0
    # the age-sex shape of net migrants (any scale, normalised to sum 1; ages 0..100+)
    migration_profile: age_table(0) | None = None
    # free text: the basis of the population assumptions
    note: str = ""


@lru_cache(maxsize=1)
def _population_table() -> pd.DataFrame:
    with resources.files("sibrisk.data").joinpath(POPULATION_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


@lru_cache(maxsize=1)
def _fertility_table() -> pd.DataFrame:
    with resources.files("sibrisk.data").joinpath(FERTILITY_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def base_stock(year: int) -> np.ndarray:
    """(101, 2) persons by single age (100 = 100+) and sex: UN WPP 2022 estimates for 1 July ``year`` (2020 or
    2021), taken as the stock at the end of ``year`` (the half-year shift is ignored: an assumption).

    The shipped extract has ages 0..99; the 100+ group is ESTIMATED as the stationary stock fed by the survivors of
    age 99: P(100+) = P(99) (1 - q(99)) / (1 - (1 - q(100+))) with WPP 2024's 2015-2020 population q.
    """
    df = _population_table()
    rows = df[df["year"] == year].sort_values("age")
    if rows.empty:
        raise InputError(f"no shipped population estimate for that year (have {sorted(df['year'].unique())})",
                         field="population.base", value=year)
    from sibrisk.demography import lifetable

    out = np.zeros((AGE_MAX + 1, 2))
    for s, sex in enumerate(("male", "female")):
        p = rows[f"{sex}_thousands"].to_numpy(dtype=float) * 1e3
        out[:AGE_MAX, s] = p
        q = lifetable._read("wpp2024_china")[f"{sex}_2015_2020"].to_numpy()
        out[AGE_MAX, s] = p[-1] * (1.0 - q[99]) / q[100]
    return out


def fertility_schedule(year: int) -> np.ndarray:
    """(101,) births per woman per year by single age, UN WPP 2024 for ``year``, each five-year group's rate
    spread evenly over its ages; sums to TFR / 1 (the schedule's own TFR = its sum)."""
    df = _fertility_table()
    rows = df[df["year"] == year]
    if rows.empty:
        raise InputError(f"no shipped fertility schedule for that year (have {sorted(df['year'].unique())})",
                         field="population.fertility_shape_year", value=year)
    f = np.zeros(AGE_MAX + 1)
    for _, r in rows.iterrows():
        f[int(r.age_start):int(r.age_end) + 1] = float(r.asfr_per_woman)
    return f


def published_tfr(year: int) -> float:
    df = _fertility_table()
    rows = df[df["year"] == year]
    return float(rows["tfr"].iloc[0])


def own_stock(groups: AgeGroups, base_year: int, source=None) -> tuple[int, np.ndarray]:
    """(year, (101, 2) persons): a region's own stock ``[population.stock]`` by single age, each group spread over
    its ages as the shipped national stock of the nearest data year is (ASSUMPTION: within a group the region is
    shaped like the nation)."""
    if groups.year > base_year:
        raise InputError(f"the region's population is of {groups.year}, after the scenario's base year {base_year}: "
                         "give a census of the base year or before", file=source, field="population.stock.year",
                         value=groups.year)
    return groups.year, groups.expand(base_stock(nearest_data_year(groups.year)), 0)


def nearest_data_year(year: int) -> int:
    """The year of the shipped population estimates (``base_stock``) nearest to ``year``."""
    return min((int(y) for y in _population_table()["year"].unique()), key=lambda y: abs(y - year))


@dataclass
class PopulationPaths:
    stock: np.ndarray   # (S, T, 101, 2) persons at year end, ages 0..100+
    births: np.ndarray  # (S, T) births during the year (the base year: NaN, not projected)
    deaths: np.ndarray  # (S, T) deaths during the year (the base year: NaN)


def _step(P, q, f, srb, migr):
    """One year for (S, 101, 2) stocks ``P`` with (S, 101, 2) death probabilities ``q``; returns (new, births,
    deaths)."""
    surv = P * (1.0 - q)
    new = np.zeros_like(P)
    new[:, 1:AGE_MAX] = surv[:, :AGE_MAX - 1]
    new[:, AGE_MAX] = surv[:, AGE_MAX - 1] + surv[:, AGE_MAX]
    female_exposure = 0.5 * (np.concatenate([np.zeros_like(P[:, :1, 1]), P[:, :-1, 1]], axis=1) + new[:, :, 1])
    births = female_exposure @ f
    share = np.array([srb / (1.0 + srb), 1.0 / (1.0 + srb)])
    new[:, 0] = births[:, None] * share[None, :] * (1.0 - 0.5 * q[:, 0])
    deaths = (P - surv).sum(axis=(1, 2)) + (births[:, None] * share[None, :] * 0.5 * q[:, 0]).sum(axis=1)
    if migr is not None:
        new = np.maximum(new + migr, 0.0)
    return new, births, deaths


def project_years_reference(p0, q_base, mort_b, kappa, fert, srb, migr, has_migr):
    """The NumPy twin of ``population_kernel.project_population`` (its arguments, with the sex ratio at birth
    ``srb`` for ``share``; returns ``stock, births, deaths``), year by year with ``_step``: what population_paths
    did before the kernel, and the reference the kernel is tested against."""
    n, n_t = kappa.shape
    stock = np.empty((n, n_t) + p0.shape[1:])
    births = np.full((n, n_t), np.nan)
    deaths = np.full((n, n_t), np.nan)
    stock[:, 0] = P = p0
    for t in range(1, n_t):
        q = np.minimum(1.0, q_base[None] * np.exp(mort_b[None] * kappa[:, t, None, None]))
        P, births[:, t], deaths[:, t] = _step(P, q, fert[t], srb, migr[t][None] if has_migr[t] else None)
        stock[:, t] = P
    return stock, births, deaths


def population_paths(sc, n: int, seed: int = 0, start: int = 0, *, stochastic: bool = False) -> PopulationPaths:
    """Year-end population of scenarios ``start .. start + n - 1`` over the projection years (year 0 = the base
    stock), with the scenario's ``[population]`` (defaults if absent) and ``[mortality]`` at ages 0..100+."""
    from sibrisk.demography.paths import mortality_paths

    spec = getattr(sc, "population", None) or PopulationSpec()
    years = sc.years
    base_year = int(years[0])
    if base_year < spec.base:
        raise InputError(f"the scenario's base year {base_year} is before the population data year {spec.base}",
                         file=sc.source, field="population.base", value=spec.base)
    mort = mortality_paths(sc, POP_AGES, n, seed, start, stochastic=stochastic)
    shape = fertility_schedule(spec.fertility_shape_year)
    shape = shape / shape.sum()
    srb = spec.sex_ratio_at_birth
    tfr = sc.series("population.tfr") if getattr(sc, "population", None) is not None else np.full(len(years), spec.tfr)
    migration = (sc.series("population.net_migration") if getattr(sc, "population", None) is not None
                 else np.zeros(len(years)))
    if spec.migration_profile is not None:
        prof = spec.migration_profile.array()
        prof = prof / prof.sum()
    else:
        prof = None

    # from the data year to the base year: deterministic improvement, published fertility
    data_year, P0 = spec.base, base_stock(spec.base)
    if spec.stock is not None:
        data_year, P0 = own_stock(spec.stock, base_year, sc.source)
    P = np.broadcast_to(P0 * spec.scale, (n, AGE_MAX + 1, 2)).copy()
    m = sc.mortality
    b_det = np.full((AGE_MAX + 1, 2), np.log1p(-m.improvement))
    for y in range(data_year + 1, base_year + 1):
        q = np.minimum(1.0, mort.q_base * np.exp(b_det * (y - m.table_year)))
        f = fertility_schedule(min(max(y, 2015), 2023))
        P, _, _ = _step(P, np.broadcast_to(q, P.shape), f, srb, None)

    n_t = len(years)
    fert = shape[None, :] * tfr[:, None]  # (T, A): the fertility schedule of each year
    migr = np.zeros((n_t, AGE_MAX + 1, 2))
    has_migr = np.zeros(n_t, dtype=np.bool_)
    if prof is not None:
        for t in range(1, n_t):
            if migration[t] != 0:
                migr[t], has_migr[t] = migration[t] * prof, True
    share = np.array([srb / (1.0 + srb), 1.0 / (1.0 + srb)])
    stock = np.empty((n, n_t, AGE_MAX + 1, 2))
    births = np.full((n, n_t), np.nan)
    deaths = np.full((n, n_t), np.nan)
    from sibrisk.demography.population_kernel import project_population

    mort_b = np.ascontiguousarray(mort.mort_b, dtype=float)
    project_population(np.ascontiguousarray(P), np.ascontiguousarray(mort.q_base, dtype=float), mort_b,
                       bool(np.all(mort_b == mort_b.flat[0])), np.ascontiguousarray(mort.kappa, dtype=float),
                       fert, share, migr, has_migr, stock, births, deaths)
    return PopulationPaths(stock=stock, births=births, deaths=deaths)
