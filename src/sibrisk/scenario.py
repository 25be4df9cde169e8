"""Scenario files: TOML, validated with pydantic, errors that name the file, the field and the value.

A scenario states everything a projection needs for one fund: the base year and horizon, the mortality basis, the
economic paths, the fund's own rules and initial state (sections defined by the fund, ``sibrisk.funds``), and
optionally stochastic shocks and several pooling regions. ``[meta] fund`` picks the fund; this module validates
the sections every fund shares and hands the rest to that fund's pydantic model.

Time-varying assumptions ("series") may be written three ways:

- a number: constant over the horizon;
- a list with exactly one value per projection year (base year first);
- a table ``{2021 = 0.07, 2026 = 0.05}``: each value holds from its year until the next key (the first key must
  be the base year or earlier).

``extends = "other.toml"`` at the top of a file starts from another scenario file and replaces only the fields this
file names (the same field-by-field rule as regions).

Regions (``[regions.<id>]``): each region is the scenario with the fields it names replaced, field by field
(``[regions.a.initial] fund_balance = ...`` replaces ``initial.fund_balance`` and nothing else). Results gain a
``region`` dimension; the province total is their sum (``sibrisk.regions.province_total``).
"""

from __future__ import annotations

import copy
import math
from importlib import resources
from pathlib import Path
from dataclasses import dataclass
from typing import Annotated, Any, Callable, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from sibrisk._validation import read_toml, validate
from sibrisk.errors import InputError

AGE_MAX = 100  # every age table ends with the open group 100+
SEXES = ("male", "female")

# bounds of "not absurd" for series shared by several funds, by field name (lower, upper)
SERIES_BOUNDS = {
    "wage_growth": (-0.5, 1.0),
    "interest_rate": (-0.5, 1.0),
    "collection_rate": (0.0, 1.0),
    "inflation": (-0.5, 1.0),
    "unemployment_rate": (0.0, 1.0),
    "medical_cost_growth": (-0.5, 1.0),
    "benefit_indexation": (-0.5, 1.0),
    "account_crediting_rate": (-0.5, 1.0),
    "employer_rate": (0.0, 0.5),
    "employee_rate": (0.0, 0.5),
    "individual_account_rate": (0.0, 0.5),
    "new_entrants": (0.0, 1e10),
    "amount": (0.0, 1e15),
    "growth": (-0.5, 1.0),
    "share": (0.0, 1.0),
    "floor_months": (0.0, 600.0),
    "rate": (0.0, 1.0),
    "yuan": (0.0, 1e8),
    "persons": (0.0, 2e9),
    "count": (0.0, 1e10),
    "ratio": (0.0, 100.0),
}


YEAR_MIN, YEAR_MAX = 1900, 2250  # a series key outside these is not a year (99999, -5)


def _check_number(x: Any, lo: float, hi: float) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"must be a number, got {type(x).__name__}")
    if math.isnan(x) or math.isinf(x):
        raise ValueError("must be a finite number (NaN or infinity given)")
    if x < lo or x > hi:
        raise ValueError(f"must be between {lo:g} and {hi:g}")
    return float(x)


class Series:
    """Validator for a series field: number, list (one per year) or {year: value} table."""

    def __init__(self, name: str, lo: float | None = None, hi: float | None = None):
        self.name = name
        if lo is None or hi is None:
            lo, hi = SERIES_BOUNDS[name]
        self.lo, self.hi = lo, hi

    def __call__(self, v: Any) -> Any:
        if isinstance(v, list):
            if not v:
                raise ValueError("empty list")
            for i, x in enumerate(v):
                try:
                    _check_number(x, self.lo, self.hi)
                except ValueError as e:
                    raise ValueError(f"item {i} ({x!r}) {e}") from None
            return [float(x) for x in v]
        if isinstance(v, dict):
            if not v:
                raise ValueError("empty table")
            out = {}
            for k, x in v.items():
                try:
                    year = int(k)
                except (TypeError, ValueError):
                    raise ValueError(f"table key {k!r} is not a year") from None
                if not YEAR_MIN <= year <= YEAR_MAX:
                    raise ValueError(f"table key {k!r} is not a plausible year ({YEAR_MIN}..{YEAR_MAX})")
                if out and year <= max(out):
                    raise ValueError(f"table key {k!r} is not after the key before it ({max(out)}): write the years "
                                     "in increasing order (a typo such as 2003 for 2030 would otherwise be lost)")
                try:
                    out[year] = _check_number(x, self.lo, self.hi)
                except ValueError as e:
                    raise ValueError(f"value for {k} ({x!r}) {e}") from None
            return out
        return _check_number(v, self.lo, self.hi)


class Extensive:
    """Marks a field that scales with the size of a pooling region: head counts (contributors, retirees, entrants,
    net migration, the population's share of the nation) and amounts of money (balances, subsidies and other flows
    given in yuan). Rates, shares, amounts per person, ages and age profiles are intensive and stay. A region at 1/k
    of the nation with the same structure is the nation's scenario with every extensive field divided by k
    (``region_scale_updates``), and projects the nation at 1/k: the models are linear in these fields."""

    def __repr__(self) -> str:
        return "EXTENSIVE"


EXTENSIVE = Extensive()


def series_field(name: str, description: str = "", *, bounds: tuple[float, float] | None = None,
                 extensive: bool = False):
    """A pydantic field holding a series (number, list or {year: value}); bounds from ``SERIES_BOUNDS[name]``
    unless given; ``extensive``: the field scales with a region's size (``Extensive``)."""
    lo, hi = bounds if bounds is not None else (None, None)
    if extensive:
        return Annotated[Any, BeforeValidator(Series(name, lo, hi)), Field(description=description), EXTENSIVE]
    return Annotated[Any, BeforeValidator(Series(name, lo, hi)), Field(description=description)]


def is_extensive(model: type[BaseModel], name: str) -> bool:
    info = model.model_fields.get(name)
    return info is not None and any(isinstance(m, Extensive) for m in info.metadata)


def _submodel_default(model: type[BaseModel], name: str) -> BaseModel | None:
    """The default instance of an optional section left out of a scenario (``[population]`` of a population-based
    fund: its size is ``scale`` = 1 unless given), or None when the section cannot be made from defaults."""
    import typing

    info = model.model_fields[name]
    for arg in typing.get_args(info.annotation) or (info.annotation,):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            try:
                return arg()
            except Exception:  # noqa: BLE001 - a section with required fields has no default
                return None
    return None


def extensive_fields(model: BaseModel, prefix: str = ""):
    """(dotted name, value) of every extensive field (``Extensive``) of a validated scenario, sections left out
    at their defaults included (their value then is the default)."""
    for name in type(model).model_fields:
        if name == "regions":
            continue
        value = getattr(model, name, None)
        dotted = f"{prefix}{name}"
        if value is None:
            value = _submodel_default(type(model), name)
        if isinstance(value, BaseModel):
            yield from extensive_fields(value, dotted + ".")
        elif value is not None and is_extensive(type(model), name):
            yield dotted, value


def _scaled(value: Any, k: float) -> Any:
    if isinstance(value, dict):
        return {y: float(x) * k for y, x in value.items()}
    if isinstance(value, (list, tuple)):
        return [float(x) * k for x in value]
    return float(value) * k


def region_scale_updates(sc: "ScenarioBase", k: float) -> dict[str, Any]:
    """The dotted updates that make ``sc`` a region of ``k`` times its size with the same structure: every extensive
    field times ``k`` (``Extensive``), every rate, share, per-head amount and profile kept."""
    if not (np.isfinite(k) and k > 0):
        raise InputError("a region's size relative to its scenario must be a positive number", file=sc.source,
                         field="size", value=k)
    return {dotted: _scaled(value, k) for dotted, value in extensive_fields(sc)}


def is_series_field(model: type[BaseModel], name: str) -> bool:
    info = model.model_fields.get(name)
    return info is not None and any(isinstance(m, BeforeValidator) and isinstance(m.func, Series)
                                    for m in info.metadata)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=False)


Rate = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]

_AGE_TABLES: dict[int, type] = {}


def age_table(first_age: int) -> type[_Model]:
    """The model of a table over ages ``first_age..100`` (100 = 100+) for each sex (one class per first age)."""
    if first_age in _AGE_TABLES:
        return _AGE_TABLES[first_age]
    n_ages = AGE_MAX - first_age + 1

    class AgeTable(_Model):
        """A table over ages (last = 100+) for each sex; a modelling assumption unless a source is given."""
        first_age: ClassVar[int]
        male: list[float]
        female: list[float]
        note: str = ""

        @field_validator("male", "female")
        @classmethod
        def _length(cls, v):
            if len(v) != n_ages:
                raise ValueError(f"has {len(v)} values; expected {n_ages} (ages {first_age}..{AGE_MAX}, the last one "
                                 f"100+)")
            for i, x in enumerate(v):
                try:
                    _check_number(x, 0.0, math.inf)
                except ValueError as e:
                    raise ValueError(f"age {first_age + i} ({x!r}) {e}") from None
            return v

        def array(self) -> np.ndarray:
            return np.stack([np.asarray(self.male, float), np.asarray(self.female, float)], axis=1)

    AgeTable.first_age = first_age
    AgeTable.__name__ = AgeTable.__qualname__ = f"AgeTable{first_age}"
    _AGE_TABLES[first_age] = AgeTable
    return AgeTable


class Meta(_Model):
    # the scenario's short name: names its runs, outputs and messages (and the title when ``title`` is empty)
    name: str
    # the fund this scenario is for, a fund id of ``sibrisk.funds`` (``enterprise_pension``, ``work_injury``, ...):
    # picks the model that validates the other sections
    fund: str
    # the pooling region (统筹地区) the scenario describes, a name (``national``, a province); carried into the outputs
    region: str
    # a human-readable title for reports and outputs (``name`` when empty)
    title: str = ""
    # free text: what the scenario assumes and why
    description: str = ""
    # the sources of the scenario's figures (titles and addresses), one string each
    sources: list[str] = []
    # fields whose values may lie outside the plausibility bounds (``PLAUSIBLE``), for a stress test:
    # ``allow_outliers = ["economy.wage_growth", "initial.retirees"]``
    allow_outliers: list[str] = []


class ProjectionSpec(_Model):
    # the first projection year, the year of the initial state (history: calibrated, never shocked)
    base_year: Annotated[int, Field(ge=1990, le=2100)]
    # number of projection years, base year included
    years: Annotated[int, Field(ge=1, le=150)]
    # when income and expenditure flow within a year: ``mid_year`` (they earn half a year's interest, ((1+i)^0.5 - 1))
    # or ``end_year`` (no interest in their year)
    flow_timing: Literal["mid_year", "end_year"] = "mid_year"


class MortalitySpec(_Model):
    """The base life table (columns by sex) and its improvement: q(x, t) = q_table(x) (1 - improvement)^(t - table_year)."""
    # the shipped base life table (``sibrisk.demography.lifetable.TABLES``: ``cl2010_2013`` China Life insured lives
    # 2010-2013, ``wpp2024_china`` UN WPP 2024 population)
    table: str = "cl2010_2013"
    # the table's column of male one-year death probabilities q(x) (e.g. ``cl1_nonpension1_male``, ``male_2020_2025``)
    male: str
    # the table's column of female one-year death probabilities q(x)
    female: str
    # the year the base table describes (its central year; a calendar year): improvement counts from it
    table_year: Annotated[int, Field(ge=1900, le=2100)]
    # annual rate of mortality improvement at every age and sex (share a year; 0.01 = q falls 1% a year)
    improvement: Annotated[float, Field(ge=-0.05, le=0.1)] = 0.0
    # free text: the basis and source of the mortality assumption
    note: str = ""


class EconomySpec(_Model):
    """Economic paths shared by every fund. Funds that need more (pension indexation, medical cost growth) read the
    optional fields or extend this model; every series field can be given stochastic shocks."""
    # average annual wage of the base year (yuan a year; the shipped scenarios take the NBS urban non-private units'
    # average wage): the wage level path is it grown by ``wage_growth``
    average_wage: Annotated[float, Field(gt=0.0, le=1e8)]
    # nominal growth of the average wage (rate a year; the base year's value is not applied)
    wage_growth: series_field("wage_growth")
    # effective annual rate the fund's balance earns (基金收益率; rate a year)
    interest_rate: series_field("interest_rate")
    # collection rate (征缴率): share of the contributions due that is actually collected
    collection_rate: series_field("collection_rate") = 1.0
    # consumer price inflation (居民消费价格涨幅; rate a year), needed by a rule that indexes to prices
    inflation: series_field("inflation") = None
    # urban unemployment rate (城镇失业率; share of the labour force), read by the funds that need it
    unemployment_rate: series_field("unemployment_rate") = None
    # growth of medical cost per capita (人均医疗费用增长率; rate a year), read by the medical funds
    medical_cost_growth: series_field("medical_cost_growth") = None
    # free text: the basis and sources of the economic assumptions
    note: str = ""


class StochasticEconomy(_Model):
    """Shocks around the scenario's economic paths: AR(1) deviations with correlated innovations (assumptions),
    or a VAR fitted to ``history_csv`` (path relative to the scenario file) and centred on the scenario's paths.
    ``wage_links`` makes other economic series follow wage-growth deviations (e.g. pension indexation)."""
    # the economic series that get shocks, by their ``[economy]`` name (``wage_growth``, ``interest_rate``, ...)
    variables: list[str]
    # standard deviation of each variable's annual innovation, one per variable (rate a year; without ``history_csv``)
    volatility: list[Annotated[float, Field(ge=0.0, le=1.0)]] = []
    # AR(1) coefficient of each variable's deviation from its path, one per variable (without ``history_csv``)
    ar1: list[Annotated[float, Field(gt=-1.0, lt=1.0)]] = []
    # correlation matrix of the innovations, variables x variables (identity when empty; without ``history_csv``)
    correlation: list[list[Annotated[float, Field(ge=-1.0, le=1.0)]]] = []
    # a CSV of annual history (path relative to the scenario file) to fit the shocks to: a VAR(1) over the variables, an
    # AR(1) for one
    history_csv: str | None = None
    # each scenario draws its own AR coefficients from their estimated sampling distribution (fitted models only)
    parameter_uncertainty: bool = False
    # {series: link}: a series not in ``variables`` that moves by link x the wage-growth deviation, when
    # ``wage_growth`` is shocked (e.g. ``benefit_indexation = 0.6``)
    wage_links: dict[str, Annotated[float, Field(ge=0.0, le=2.0)]] = {}
    # free text: the basis of the shock assumptions
    note: str = ""

    @model_validator(mode="after")
    def _shapes(self):
        n = len(self.variables)
        if len(set(self.variables)) != n:
            raise ValueError("variables listed twice")
        if self.history_csv is None:
            if len(self.volatility) != n or len(self.ar1) != n:
                raise ValueError(f"volatility and ar1 need one value per variable ({n}); got "
                                 f"{len(self.volatility)} and {len(self.ar1)}")
            corr = np.asarray(self.correlation if self.correlation else np.eye(n), dtype=float)
            if corr.shape != (n, n):
                raise ValueError(f"correlation must be {n} x {n}; got {corr.shape[0]} rows")
            if not np.allclose(corr, corr.T) or not np.allclose(np.diag(corr), 1.0):
                raise ValueError("correlation must be symmetric with ones on the diagonal")
            if np.linalg.eigvalsh(corr).min() <= 0:
                raise ValueError("correlation matrix is not positive definite")
            if self.parameter_uncertainty:
                raise ValueError("parameter_uncertainty needs a fitted model (history_csv): stated assumptions have "
                                 "no estimated coefficient covariance")
        return self


class StochasticMortality(_Model):
    """``random_walk``: kappa = the deterministic improvement index + a driftless random walk with step ``sigma``
    (in years of improvement); ``lee_carter``: a fitted model saved with ``LeeCarterFit.save`` (``fit`` path relative
    to the scenario file) replaces the improvement assumption."""
    # ``random_walk`` (shocks around the deterministic improvement index) or ``lee_carter`` (a saved fit)
    model: Literal["random_walk", "lee_carter"]
    # standard deviation of the random walk's annual step (years of improvement; ``random_walk`` only)
    sigma: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    # a Lee-Carter fit written by ``LeeCarterFit.save`` (netCDF; path relative to the scenario file)
    fit: str | None = None
    # ``lee_carter`` only: each scenario draws its own drift from the drift estimate's distribution
    drift_uncertainty: bool = False
    # free text: the basis of the mortality shocks
    note: str = ""

    @model_validator(mode="after")
    def _needs_fit(self):
        if self.model == "lee_carter" and not self.fit:
            raise ValueError("model 'lee_carter' needs field 'fit' (a saved Lee-Carter fit, netCDF)")
        return self


class StochasticSpec(_Model):
    # shocks to the economic paths (``StochasticEconomy``); none: the paths are deterministic
    economy: StochasticEconomy | None = None
    # shocks to mortality improvement (``StochasticMortality``); none: deterministic improvement
    mortality: StochasticMortality | None = None
    # free text about the stochastic assumptions
    note: str = ""


class ScenarioBase(_Model):
    """The sections every fund's scenario has. A fund's scenario model subclasses this (``sibrisk.funds``), sets
    ``FIRST_AGE`` and adds its own sections. ``source`` is the file it came from (for error messages)."""
    FIRST_AGE: ClassVar[int] = 0
    GUARDS: ClassVar[tuple["Guard", ...]] = ()  # consistency guards of the fund's inputs (``Guard``)
    # the input that feeds each head count of the projection (named by the jump guard, ``rebasing.check_jumps``)
    STOCK_INPUTS: ClassVar[dict[str, str]] = {}

    # what the scenario is: name, fund, region, title and sources (``Meta``)
    meta: Meta
    # base year, horizon and flow timing (``ProjectionSpec``)
    projection: ProjectionSpec
    # the base life table and its improvement (``MortalitySpec``)
    mortality: MortalitySpec
    # the economic paths (``EconomySpec``, or the fund's extension of it)
    economy: EconomySpec
    # optional shocks for stochastic runs (``StochasticSpec``); none: deterministic only
    stochastic: StochasticSpec | None = None
    # ``[regions.<id>]``: pooling regions, each the fields it replaces in this scenario (results gain a ``region``
    # dimension)
    regions: dict[str, dict[str, Any]] | None = Field(default=None, exclude=True)
    # the file the scenario was read from (set by the loader, not written in a file; for error messages)
    source: str | None = Field(default=None, exclude=True)

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.projection.base_year, self.projection.base_year + self.projection.years)

    @property
    def ages(self) -> np.ndarray:
        return np.arange(self.FIRST_AGE, AGE_MAX + 1)

    @property
    def fund(self):
        """The fund model (``sibrisk.funds.Fund``) this scenario is for."""
        from sibrisk import funds

        return funds.get(self.meta.fund)

    def resolve_path(self, relative: str) -> Path:
        """A path named in the scenario, relative to the scenario file's folder."""
        p = Path(relative)
        if not p.is_absolute() and self.source:
            p = Path(self.source).parent / p
        return p

    def series(self, dotted: str) -> np.ndarray:
        """Resolve a series field (e.g. ``"economy.wage_growth"``) to one value per projection year."""
        section, name = dotted.split(".")
        spec = getattr(getattr(self, section), name)
        if spec is None:
            raise InputError("is needed by this fund but not given", file=self.source, field=dotted, has_value=False)
        return resolve_series(spec, self.years, field=dotted, file=self.source)

    def economy_series(self) -> dict[str, np.ndarray]:
        """Every economic series the scenario gives, one value per projection year."""
        econ = type(self.economy)
        return {name: self.series(f"economy.{name}") for name in econ.model_fields
                if is_series_field(econ, name) and getattr(self.economy, name) is not None}

    def check(self) -> None:
        """Checks that need several fields; funds extend this (call ``super().check()``)."""
        pop = getattr(self, "population", None)
        if pop is not None and pop.migration_profile is None:
            # net migrants are spread over ages and sexes by the profile; without one they would be dropped unseen
            migration = self.series("population.net_migration")
            if np.any(migration != 0):
                raise InputError("net migration needs the age-sex shape of the migrants: add "
                                 "[population.migration_profile] (male = [...], female = [...], ages 0-100)",
                                 file=self.source, field="population.net_migration",
                                 value=float(migration[migration != 0][0]))

    def with_updates(self, updates: dict[str, Any], *, effective_from: int | None = None) -> "ScenarioBase":
        """A copy with dotted-path updates (``{"projection.years": 30}``), validated again (regions included).

        A number given for a series field replaces the whole path, base year included. ``effective_from=2025``
        makes every series update a policy change that acts from that year: the years before keep their values,
        so the base year stays at its calibration targets (``{"contributions.employer_rate": 0.14}`` from 2025
        leaves 2021-2024 at 16%)."""
        if effective_from is not None:
            updates = {k: self._from_year(k, v, int(effective_from)) for k, v in updates.items()}
        data = self.model_dump(exclude_none=True)
        if self.regions:
            data["regions"] = copy.deepcopy(self.regions)
        for dotted, value in updates.items():
            node = data
            parts = dotted.split(".")
            for p in parts[:-1]:
                if not isinstance(node, dict):
                    raise KeyError(dotted)
                if node.get(p) is None:  # an optional table left out of the file (or dumped as None)
                    node[p] = {}
                node = node[p]
            if not isinstance(node, dict):
                raise KeyError(dotted)
            node[parts[-1]] = value
        return validate_scenario(data, source=self.source)

    def _from_year(self, dotted: str, value: Any, year: int) -> Any:
        """``value`` for the series field ``dotted`` from ``year`` on, the current values before it, as a
        {year: value} table; a field that is not a series is returned unchanged."""
        node: Any = self
        parts = dotted.split(".")
        for p in parts[:-1]:
            node = getattr(node, p, None)
        if not isinstance(node, BaseModel) or not is_series_field(type(node), parts[-1]):
            return value
        years = self.years
        if not years[0] < year <= years[-1]:
            raise InputError(f"the effective year must be after the base year {years[0]} and within the projection "
                             f"(to {years[-1]})", file=self.source, field=f"{dotted} (effective_from)", value=year)
        old = getattr(node, parts[-1])
        try:
            new = resolve_series(Series(dotted, -np.inf, np.inf)(value), years, field=dotted, file=self.source)
        except ValueError as e:
            raise InputError(str(e), file=self.source, field=dotted, value=value) from None
        path = np.where(years < year, resolve_series(old, years, field=dotted, file=self.source), new)
        table, last = {}, None
        for y, v in zip(years, path):
            if v != last:
                table[int(y)] = float(v)
                last = v
        return table

    # --- regions -----------------------------------------------------------------------------------------------
    @property
    def region_ids(self) -> list[str]:
        return list(self.regions) if self.regions else []

    def region_scenarios(self) -> dict[str, "ScenarioBase"]:
        """One validated scenario per region (the fields a region names replace the base's); ``{}`` without regions."""
        if not self.regions:
            return {}
        base = self.model_dump(exclude_none=True)
        out = {}
        for rid, override in self.regions.items():
            data = merge_region(base, override)
            data["meta"]["region"] = override.get("meta", {}).get("region", rid)
            try:
                out[rid] = validate_scenario(data, source=self.source)
            except InputError as e:
                raise InputError(e.reason, file=self.source, field=f"regions.{rid}.{e.field}" if e.field else
                                 f"regions.{rid}", value=e.value, has_value=e.value is not None) from None
        return out


def merge_region(base: dict, override: dict) -> dict:
    """The base scenario with a region's fields replacing the base's, field by field (sections are merged one level
    down; a field's value, table or list, is replaced whole)."""
    data = copy.deepcopy(base)
    data.pop("regions", None)
    for section, fields in override.items():
        if isinstance(fields, dict) and isinstance(data.get(section), dict):
            for k, v in fields.items():
                data[section][k] = copy.deepcopy(v)
        else:
            data[section] = copy.deepcopy(fields)
    return data


def resolve_series(spec: Any, years: np.ndarray, *, field: str, file: str | None = None) -> np.ndarray:
    n = len(years)
    if isinstance(spec, list):
        if len(spec) != n:
            raise InputError(f"has {len(spec)} values; expected {n} (one per projection year "
                             f"{years[0]}..{years[-1]})", file=file, field=field, value=spec)
        return np.asarray(spec, dtype=float)
    if isinstance(spec, dict):
        keys = sorted(spec)
        if keys[0] > years[0]:
            raise InputError(f"first year {keys[0]} is after the base year {years[0]}; the table must cover the base year",
                             file=file, field=field, value=spec)
        out = np.empty(n)
        for i, y in enumerate(years):
            k = max(k for k in keys if k <= y)
            out[i] = spec[k]
        return out
    return np.full(n, float(spec))


def series_fields(model: BaseModel, prefix: str = ""):
    """(dotted name, value) of every series field given in a validated scenario (sections and their sub-tables)."""
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        dotted = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from series_fields(value, dotted + ".")
        elif value is not None and is_series_field(type(model), name):
            yield dotted, value


# Plausibility bounds, checked before any computation (``check_plausible``). ASSUMPTION (set 2026-11 for projections
# of China's funds from base years 1990-2030): outside these an input is far more likely a typing or unit error
# (a rate in % instead of a fraction, yuan instead of 万元, a month instead of a year) than an actuarial assumption.
# Hard limits (what a field can mean at all) stay on the fields; a stress test beyond these bounds lists the field in
# ``[meta] allow_outliers``. Keyed by the field's dotted path or, failing that, by its name in any section.
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "wage_growth": (-0.10, 0.20, "nominal average wage growth a year (China 2000-2023: +2% to +17%)"),
    "interest_rate": (-0.02, 0.15, "interest earned by the fund a year (China 2000-2023: under 10%)"),
    "inflation": (-0.10, 0.20, "consumer price inflation a year"),
    "medical_cost_growth": (-0.10, 0.25, "medical cost growth a year"),
    "benefit_indexation": (-0.05, 0.20, "indexation of benefits in payment a year"),
    "account_crediting_rate": (-0.05, 0.15, "individual account crediting rate a year"),
    "economy.average_wage": (1e3, 1e6, "average wage, yuan a year (China 2021: 106,837)"),
    "initial.contributors": (1.0, 1.5e9, "contributors, persons (at least one; at most China's population)"),
    "initial.retirees": (1.0, 1.5e9, "retirees, persons (0 retirees leaves benefit indicators undefined)"),
    "initial.average_benefit": (1e3, 1e6, "average benefit, yuan a year (enterprise 2021: about 35,800)"),
    "fund_balance": (-1e14, 1e14, "fund balance, yuan (all of China's funds together: about 1e13)"),
    "pooled_balance": (-1e14, 1e14, "pooled fund balance, yuan"),
    "account_balance": (0.0, 1e14, "individual accounts balance, yuan"),
    "entrants.total": (0.0, 1e8, "new entrants a year, persons"),
    "coverage.takeup_pension": (0.05, 1.0, "share of residents past pension age drawing the pension (0 leaves "
                                           "the fund without expenditure: balance months infinite)"),
    # shipped shocks: 0.005-0.02 a year, AR(1) 0.5-0.7; a volatility of 0.2 makes the enterprise fund's balance NaN
    # by 2055 in some of 200 scenarios (measured), 0.1 stays finite in 500 for every fund
    "stochastic.economy.volatility": (0.0, 0.05, "standard deviation of an economic shock a year"),
    "stochastic.economy.ar1": (-0.9, 0.95, "persistence of an economic shock (AR(1) coefficient)"),
    "stochastic.mortality.sigma": (0.0, 2.0, "random-walk step of the mortality index, years of improvement"),
    # the declared base as a share of the average wage: the law bounds each base to 60%-300% of the (全口径) average
    # wage (国办发〔2019〕13号); 0.2 leaves room for a non-private average far above the 全口径 one and for
    # under-declaration. Shipped: 0.59 (enterprise) to 1.15 (public sector). 10 is a wage typed as a base.
    "base_ratio": (0.2, 3.0, "declared contribution base / average wage (the law: 0.6-3.0 of the 全口径 wage)"),
    # contributions collected / due: the national enterprise scheme 0.86 (fitted); 0.3 is income typed in the wrong
    # unit or a region's accounts against the nation's head counts (a re-base solved 0.005 for such accounts)
    "collection_rate": (0.3, 1.0, "contributions collected / due at the modelled base"),
}


@dataclass(frozen=True)
class Guard:
    """A consistency guard: a ratio of a scenario's base-year inputs (a stock against the flows that feed it, a
    stock against another, a level against the wage) that must lie within ``lo..hi``. ``field`` is the input the
    error names (the one most likely wrong), ``what`` says what the ratio is (with the shipped national value),
    ``reason`` why the bounds (an ASSUMPTION, dated), ``fix`` what to do. ``ratio`` returns None where the scenario
    lacks an input. A scenario that means it (a closed group without entrants) lists ``id`` in
    ``[meta] allow_outliers``."""
    id: str
    field: str
    ratio: Callable[["ScenarioBase"], float | None]
    lo: float
    hi: float
    what: str
    reason: str
    fix: str

    def check(self, sc: "ScenarioBase") -> None:
        r = self.ratio(sc)
        if r is None or self.lo <= r <= self.hi:
            return
        node = dotted_get(sc, self.field)
        raise InputError(f"inconsistent: {self.what} is {r:.4g}, outside {self.lo:g}..{self.hi:g} ({self.reason}); "
                         f"{self.fix}; or list {self.id!r} in [meta] allow_outliers to run it on purpose",
                         file=sc.source, field=self.field, value=node, has_value=True)


def dotted_get(obj: Any, dotted: str) -> Any:
    """The value of a dotted field (``initial.contributors``) of a scenario or section; None where a part is
    missing."""
    node = obj
    for part in dotted.split("."):
        node = getattr(node, part, None)
    return node


def base_value(sc: "ScenarioBase", dotted: str) -> float:
    """A series field's value in the base year (a number field's value)."""
    node = dotted_get(sc, dotted)
    if node is None:
        raise AttributeError(f"the scenario has no field {dotted!r}")
    if isinstance(node, (int, float)):
        return float(node)
    return float(sc.series(dotted)[0])


# guards checked on a projection rather than on the inputs (``sibrisk.rebasing.check_jumps``), also listed by id
PROJECTION_GUARDS = ("stock_jump", "balance_years", "contribution_share_of_wages")


def check_guards(sc: "ScenarioBase") -> None:
    """Every consistency guard of the scenario's fund (``GUARDS``) not listed in ``[meta] allow_outliers``."""
    allowed = set(sc.meta.allow_outliers)
    for g in type(sc).GUARDS:
        if g.id not in allowed:
            g.check(sc)


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v)]
    return []


def numeric_fields(model: BaseModel, prefix: str = ""):
    """(dotted name, field name, value) of every field of a validated scenario, sections and sub-tables included."""
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        dotted = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from numeric_fields(value, dotted + ".")
        elif value is not None:
            yield dotted, name, value


def check_plausible(sc: "ScenarioBase") -> None:
    """Refuse values outside ``PLAUSIBLE`` (unless ``[meta] allow_outliers`` names the field) and age profiles that
    sum to zero against a positive total (``initial.retirees_profile`` all zeros with 131 million retirees would
    drop them all), naming the file, the field and the value, before any computation."""
    allowed = set(sc.meta.allow_outliers)
    known = {d for d, _, _ in numeric_fields(sc)}
    guards = {g.id for g in type(sc).GUARDS} | set(PROJECTION_GUARDS)
    for i, name in enumerate(sc.meta.allow_outliers):
        if name in guards:
            continue
        if name not in known or not (name in PLAUSIBLE or name.rsplit(".", 1)[-1] in PLAUSIBLE):
            bounded = sorted(d for d in known if d in PLAUSIBLE or d.rsplit('.', 1)[-1] in PLAUSIBLE)
            raise InputError(f"not a field of this scenario with plausibility bounds nor one of its consistency "
                             f"guards; bounded: {', '.join(bounded)}; guards: {', '.join(sorted(guards)) or 'none'}",
                             file=sc.source, field=f"meta.allow_outliers[{i}]", value=name)
    fields = {}
    for dotted, name, value in numeric_fields(sc):
        fields[dotted] = value
        bound = PLAUSIBLE.get(dotted) or PLAUSIBLE.get(name)
        if bound is None or dotted in allowed:
            continue
        lo, hi, what = bound
        for x in _numbers(value):
            if not lo <= x <= hi:
                raise InputError(f"implausible: {x:g} is outside {lo:g}..{hi:g} ({what}); list {dotted!r} in "
                                 "[meta] allow_outliers to run it on purpose", file=sc.source, field=dotted,
                                 value=value)
    for dotted, name, value in _profiles(sc):
        section, _, field = dotted.rpartition(".")
        total_name = "total" if field == "profile" else field.removesuffix("_profile")
        total = fields.get(f"{section}.{total_name}" if section else total_name)
        if total is None:
            continue
        if float(np.sum(value.array())) == 0.0 and any(x > 0 for x in _numbers(total)):
            raise InputError(f"the profile is all zeros while {section}.{total_name} is positive: the "
                             f"{total_name} would be dropped", file=sc.source, field=dotted, value=0.0)


def _profiles(model: BaseModel, prefix: str = ""):
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        dotted = f"{prefix}{name}"
        if isinstance(value, BaseModel) and hasattr(value, "array") and (name == "profile" or name.endswith("_profile")):
            yield dotted, name, value
        elif isinstance(value, BaseModel):
            yield from _profiles(value, dotted + ".")


def check_series_keys(sc: "ScenarioBase") -> None:
    """Every ``{year = value}`` table of a scenario inside its horizon. Keys are plausible years written in
    increasing order (``Series``: a typo such as 2003 for 2030 breaks the order and is named); no key may lie after
    the last year any projection of the scenario could reach (base year + 149). Keys before the base year are kept
    when in order (a dated schedule that starts in the past, as the public-sector transition's 2014-2024 shares);
    keys after this run's last year too: shortening a run (``--years``) must not invalidate a scenario whose paths
    run to 2050."""
    base = sc.projection.base_year
    last = base + ProjectionSpec.model_fields["years"].metadata[-1].le - 1
    for dotted, spec in series_fields(sc):
        if isinstance(spec, dict) and max(spec) > last:
            raise InputError(f"year key {max(spec)} is after {last}, the last year a projection from {base} can "
                             "reach", file=sc.source, field=dotted, value=max(spec))


def _fund_model(data: Any, src: str | None) -> type[ScenarioBase]:
    from sibrisk import funds

    meta = data.get("meta") if isinstance(data, dict) else None
    if not isinstance(meta, dict):
        raise InputError("required section is missing", file=src, field="meta", has_value=False)
    if "fund" not in meta:
        raise InputError("required field is missing", file=src, field="meta.fund", has_value=False)
    fund_id = meta["fund"]
    if fund_id not in funds.FUND_IDS:
        raise InputError(f"unknown fund; the seven funds are {', '.join(funds.FUND_IDS)}", file=src,
                         field="meta.fund", value=fund_id, has_value=True)
    if fund_id not in funds.implemented():
        raise InputError(f"fund not modelled yet; sibrisk models {', '.join(funds.implemented())}", file=src,
                         field="meta.fund", value=fund_id)
    return funds.get(fund_id).scenario_model


def validate_scenario(data: dict, *, source: str | Path | None = None) -> ScenarioBase:
    """Validate a scenario mapping with its fund's model; raise ``InputError`` naming file, field and value of the
    first problem(s)."""
    src = str(source) if source is not None else None
    model = _fund_model(data, src)
    sc = validate(model, data, src)
    sc.source = src
    if isinstance(data, dict) and data.get("regions") is not None:
        regions = data["regions"]
        if not isinstance(regions, dict) or not regions or not all(isinstance(v, dict) for v in regions.values()):
            raise InputError("must be tables [regions.<id>], one per pooling region", file=src, field="regions",
                             value=regions)
        sc.regions = copy.deepcopy(regions)
    check_series_keys(sc)
    check_plausible(sc)
    sc.economy_series()  # resolving every series checks its length and year keys
    from sibrisk.demography import lifetable

    if sc.mortality.table not in lifetable.TABLES:
        raise InputError(f"unknown life table; known: {sorted(lifetable.TABLES)}", file=src, field="mortality.table",
                         value=sc.mortality.table)
    for sex in SEXES:
        col = getattr(sc.mortality, sex)
        if col not in lifetable.table_columns(sc.mortality.table):
            raise InputError(f"unknown column of life table {sc.mortality.table!r}; known: "
                             f"{lifetable.table_columns(sc.mortality.table)}", file=src, field=f"mortality.{sex}", value=col)
    if sc.stochastic and sc.stochastic.economy:
        known = sorted(sc.economy_series())
        for i, v in enumerate(sc.stochastic.economy.variables):
            if v not in known:
                raise InputError(f"not an economic series of this scenario; known: {', '.join(known)}", file=src,
                                 field=f"stochastic.economy.variables[{i}]", value=v)
        for v in sc.stochastic.economy.wage_links:
            if v not in known or v == "wage_growth":
                raise InputError(f"not an economic series of this scenario (other than wage_growth); known: "
                                 f"{', '.join(known)}", file=src, field="stochastic.economy.wage_links", value=v)
    if sc.stochastic and sc.stochastic.mortality and sc.stochastic.mortality.fit:
        from sibrisk.demography.mortality import load_lee_carter

        try:  # the fit file is read now, not after the scenarios have been drawn
            load_lee_carter(sc.resolve_path(sc.stochastic.mortality.fit))
        except InputError as e:
            raise InputError(f"{e}", file=src, field="stochastic.mortality.fit",
                             value=sc.stochastic.mortality.fit) from None
    sc.check()
    check_guards(sc)
    if sc.regions:
        sc.region_scenarios()  # every region validates too
    return sc


def read_scenario_data(p: Path, _seen: tuple[Path, ...] = ()) -> dict:
    """A scenario file's mapping, with ``extends = "other.toml"`` (relative to the file) resolved: the other file's
    mapping with this file's fields replacing its fields, section by section (as regions do)."""
    data = read_toml(p)
    base = data.pop("extends", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise InputError("must be the path of another scenario file", file=p, field="extends", value=base)
    target = (p.parent / base).resolve()
    if target in _seen or target == p.resolve():
        raise InputError("extends itself (a cycle of 'extends')", file=p, field="extends", value=base)
    if not target.is_file():
        raise InputError("no such scenario file (relative to this file's folder)", file=p, field="extends", value=base)
    parent = read_scenario_data(target, _seen + (p.resolve(),))
    regions = data.pop("regions", None)
    merged = merge_region(parent, data)
    if regions is not None:
        merged["regions"] = regions
    return merged


def load_scenario(path: str | Path) -> ScenarioBase:
    """Load and validate a scenario TOML file.

    ``path`` is a file path, or the name of a shipped scenario (``"enterprise_pension_national"``). A file may start
    from another with ``extends = "other.toml"`` and name only the fields it changes.
    """
    p = find_scenario(path)
    data = read_scenario_data(p)
    return validate_scenario(data, source=p)


# a validated scenario of any fund
Scenario = ScenarioBase


def shipped_scenarios_dir() -> Path:
    """Folder of the scenarios shipped with sibrisk (inside the installed package, or the repository's ``scenarios/``)."""
    try:
        packaged = resources.files("sibrisk").joinpath("scenarios")
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "scenarios"


def list_shipped() -> list[str]:
    return sorted(p.stem for p in shipped_scenarios_dir().glob("*.toml"))


DEFAULT_SCENARIO = "enterprise_pension_national"


def find_scenario(path: str | Path) -> Path:
    p = Path(path)
    if p.is_file():
        return p
    name = p.name if p.suffix == ".toml" else p.name + ".toml"
    shipped = shipped_scenarios_dir() / name
    if p.parent == Path(".") and shipped.is_file():
        return shipped
    raise InputError(f"no such scenario file (shipped scenarios: {', '.join(list_shipped()) or 'none found'})",
                     file=str(path))
