"""Scenario files: TOML, validated with pydantic, errors that name the file, the field and the value.

A scenario states everything a projection needs for one fund and one pooling region: the base year and horizon,
the life table and its improvement, the economic assumptions, the contribution and benefit rules, the subsidy rule,
and the initial state. Time-varying assumptions ("series") may be written three ways:

- a number: constant over the horizon;
- a list with exactly one value per projection year (base year first);
- a table ``{2021 = 0.07, 2026 = 0.05}``: each value holds from its year until the next key (the first key must
  be the base year or earlier).
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sibrisk._validation import read_toml, validate
from sibrisk.errors import InputError

AGE_MIN = 16
AGE_MAX = 100  # open group 100+
N_AGES = AGE_MAX - AGE_MIN + 1
SEXES = ("male", "female")
FUNDS = ("enterprise_pension", "resident_pension", "public_sector_pension", "employee_medical",
         "resident_medical", "work_injury", "unemployment")
IMPLEMENTED_FUNDS = ("enterprise_pension",)

# bounds of "not absurd" for series, by field (lower, upper)
SERIES_BOUNDS = {
    "wage_growth": (-0.5, 1.0),
    "interest_rate": (-0.5, 1.0),
    "benefit_indexation": (-0.5, 1.0),
    "account_crediting_rate": (-0.5, 1.0),
    "collection_rate": (0.0, 1.0),
    "employer_rate": (0.0, 0.5),
    "employee_rate": (0.0, 0.5),
    "individual_account_rate": (0.0, 0.5),
    "new_entrants": (0.0, 1e10),
    "amount": (0.0, 1e15),
    "growth": (-0.5, 1.0),
    "share": (0.0, 1.0),
    "floor_months": (0.0, 600.0),
}


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

    def __init__(self, name: str):
        self.name = name
        self.lo, self.hi = SERIES_BOUNDS[name]

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
                try:
                    out[year] = _check_number(x, self.lo, self.hi)
                except ValueError as e:
                    raise ValueError(f"value for {k} ({x!r}) {e}") from None
            return dict(sorted(out.items()))
        return _check_number(v, self.lo, self.hi)


def series_field(name: str, description: str = ""):
    from pydantic import BeforeValidator
    return Annotated[Any, BeforeValidator(Series(name)), Field(description=description)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=False)


Rate = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]


class Meta(_Model):
    name: str
    fund: str
    region: str
    title: str = ""
    description: str = ""
    sources: list[str] = []

    @field_validator("fund")
    @classmethod
    def _known_fund(cls, v):
        if v not in FUNDS:
            raise ValueError(f"unknown fund; the seven funds are {', '.join(FUNDS)}")
        if v not in IMPLEMENTED_FUNDS:
            raise ValueError(f"fund not modelled yet; sibrisk models {', '.join(IMPLEMENTED_FUNDS)}")
        return v


class ProjectionSpec(_Model):
    base_year: Annotated[int, Field(ge=1990, le=2100)]
    years: Annotated[int, Field(ge=1, le=150)]
    flow_timing: Literal["mid_year", "end_year"] = "mid_year"


class MortalitySpec(_Model):
    table: str = "cl2010_2013"
    male: str
    female: str
    table_year: Annotated[int, Field(ge=1900, le=2100)]
    improvement: Annotated[float, Field(ge=-0.05, le=0.1)] = 0.0
    note: str = ""


class EconomySpec(_Model):
    average_wage: Annotated[float, Field(gt=0.0, le=1e8)]
    wage_growth: series_field("wage_growth")
    interest_rate: series_field("interest_rate")
    benefit_indexation: series_field("benefit_indexation")
    account_crediting_rate: series_field("account_crediting_rate")
    collection_rate: series_field("collection_rate")
    note: str = ""


class ContributionSpec(_Model):
    employer_rate: series_field("employer_rate")
    employee_rate: series_field("employee_rate")
    individual_account_rate: series_field("individual_account_rate")
    base_ratio: Annotated[float, Field(gt=0.0, le=10.0)]
    note: str = ""


class BenefitSpec(_Model):
    accrual_rate: Annotated[float, Field(ge=0.0, le=0.05)] = 0.01
    transitional_coefficient: Annotated[float, Field(ge=0.0, le=0.05)] = 0.012
    deemed_service_end_year: Annotated[int, Field(ge=1950, le=2100)] = 1996
    work_start_age: Annotated[float, Field(ge=14.0, le=40.0)] = 22.0
    retirement_reform: bool = True
    female_cadre_share: Rate = 0.3
    forced_retirement_age: Annotated[int, Field(ge=50, le=100)] = 75
    note: str = ""


class SubsidySpec(_Model):
    rule: Literal["fixed", "share_of_expenditure", "gap_to_floor"]
    amount: series_field("amount") = None
    growth: series_field("growth") = None
    share: series_field("share") = None
    floor_months: series_field("floor_months") = None
    note: str = ""

    @model_validator(mode="after")
    def _needs(self):
        need = {"fixed": ("amount",), "share_of_expenditure": ("share",), "gap_to_floor": ("floor_months",)}[self.rule]
        for f in need:
            if getattr(self, f) is None:
                raise ValueError(f"rule {self.rule!r} needs field {f!r}")
        return self


class AgeTable(_Model):
    """A table over ages 16..100 (100 = 100+) for each sex; a modelling assumption unless a source is given."""
    male: list[float]
    female: list[float]
    note: str = ""

    @field_validator("male", "female")
    @classmethod
    def _length(cls, v):
        if len(v) != N_AGES:
            raise ValueError(f"has {len(v)} values; expected {N_AGES} (ages {AGE_MIN}..{AGE_MAX}, the last one 100+)")
        for i, x in enumerate(v):
            try:
                _check_number(x, 0.0, math.inf)
            except ValueError as e:
                raise ValueError(f"age {AGE_MIN + i} ({x!r}) {e}") from None
        return v

    def array(self) -> np.ndarray:
        return np.stack([np.asarray(self.male, float), np.asarray(self.female, float)], axis=1)


class InitialState(_Model):
    fund_balance: float
    contributors: Annotated[float, Field(gt=0.0)]
    retirees: Annotated[float, Field(ge=0.0)]
    average_benefit: Annotated[float, Field(ge=0.0)]
    contribution_density: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    history_wage_growth: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.1
    history_crediting_rate: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.05
    account_start_year: Annotated[int, Field(ge=1990, le=2100)] = 1996
    contributors_profile: AgeTable
    retirees_profile: AgeTable
    note: str = ""

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class EntrantSpec(_Model):
    total: series_field("new_entrants")
    profile: AgeTable
    note: str = ""


STOCHASTIC_VARIABLES = ("wage_growth", "interest_rate", "collection_rate", "benefit_indexation",
                        "account_crediting_rate")


class StochasticEconomy(_Model):
    """Shocks around the scenario's economic paths: AR(1) deviations with correlated innovations (assumptions),
    or a VAR fitted to ``history_csv`` (path relative to the scenario file) and centred on the scenario's paths."""
    variables: list[Literal[STOCHASTIC_VARIABLES]]
    volatility: list[Annotated[float, Field(ge=0.0, le=1.0)]] = []
    ar1: list[Annotated[float, Field(gt=-1.0, lt=1.0)]] = []
    correlation: list[list[Annotated[float, Field(ge=-1.0, le=1.0)]]] = []
    history_csv: str | None = None
    parameter_uncertainty: bool = False
    indexation_wage_link: Annotated[float, Field(ge=0.0, le=2.0)] = 0.0
    crediting_wage_link: Annotated[float, Field(ge=0.0, le=2.0)] = 0.0
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
    model: Literal["random_walk", "lee_carter"]
    sigma: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    fit: str | None = None
    drift_uncertainty: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _needs_fit(self):
        if self.model == "lee_carter" and not self.fit:
            raise ValueError("model 'lee_carter' needs field 'fit' (a saved Lee-Carter fit, netCDF)")
        return self


class StochasticSpec(_Model):
    economy: StochasticEconomy | None = None
    mortality: StochasticMortality | None = None
    note: str = ""


class Scenario(_Model):
    """A validated scenario. ``source`` is the file it came from (for error messages)."""
    meta: Meta
    projection: ProjectionSpec
    mortality: MortalitySpec
    economy: EconomySpec
    contributions: ContributionSpec
    benefits: BenefitSpec
    subsidy: SubsidySpec
    initial: InitialState
    entrants: EntrantSpec
    stochastic: StochasticSpec | None = None
    source: str | None = Field(default=None, exclude=True)

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.projection.base_year, self.projection.base_year + self.projection.years)

    @property
    def ages(self) -> np.ndarray:
        return np.arange(AGE_MIN, AGE_MAX + 1)

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
        return resolve_series(spec, self.years, field=dotted, file=self.source)

    def with_updates(self, updates: dict[str, Any]) -> "Scenario":
        """A copy with dotted-path updates (``{"projection.years": 30}``), validated again."""
        data = self.model_dump(exclude_none=True)
        for dotted, value in updates.items():
            node = data
            parts = dotted.split(".")
            for p in parts[:-1]:
                node = node[p]
            node[parts[-1]] = value
        return validate_scenario(data, source=self.source)


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


def validate_scenario(data: dict, *, source: str | Path | None = None) -> Scenario:
    """Validate a scenario mapping; raise ``InputError`` naming file, field and value of the first problem(s)."""
    src = str(source) if source is not None else None
    sc = validate(Scenario, data, src)
    sc.source = src
    # checks that need several fields
    for key in ("employer_rate", "employee_rate", "individual_account_rate"):
        sc.series(f"contributions.{key}")
    for key in ("wage_growth", "interest_rate", "benefit_indexation", "account_crediting_rate", "collection_rate"):
        sc.series(f"economy.{key}")
    sc.series("entrants.total")
    for key in ("amount", "growth", "share", "floor_months"):
        if getattr(sc.subsidy, key) is not None:
            sc.series(f"subsidy.{key}")
    from sibrisk import lifetable

    if sc.mortality.table not in lifetable.TABLES:
        raise InputError(f"unknown life table; known: {sorted(lifetable.TABLES)}", file=src, field="mortality.table",
                         value=sc.mortality.table)
    for sex in ("male", "female"):
        col = getattr(sc.mortality, sex)
        if col not in lifetable.table_columns(sc.mortality.table):
            raise InputError(f"unknown column of life table {sc.mortality.table!r}; known: "
                             f"{lifetable.table_columns(sc.mortality.table)}", file=src, field=f"mortality.{sex}", value=col)
    ia = sc.series("contributions.individual_account_rate")
    tot = sc.series("contributions.employer_rate") + sc.series("contributions.employee_rate")
    if np.any(ia > tot):
        raise InputError("individual account rate exceeds the total contribution rate", file=src,
                         field="contributions.individual_account_rate", value=sc.contributions.individual_account_rate)
    return sc


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario TOML file.

    ``path`` is a file path, or the name of a shipped scenario (``"enterprise_pension_national"``).
    """
    p = find_scenario(path)
    data = read_toml(p)
    return validate_scenario(data, source=p)


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
