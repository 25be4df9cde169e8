"""Batch runs: many stochastic jobs (scenario files x funds x regions x policy variants x seeds), chunked by
scenario, on dask.distributed, written to a zarr store as chunks complete; and streaming summaries that keep
per-scenario indicator series and quantiles, and the age detail only of the few scenarios asked for.

A *job* is one scenario (one pooling region of one scenario file, the fund its ``[meta] fund`` names) under one
policy variant with one seed, run for ``n_scenarios`` stochastic scenarios. A job is split into chunks of
``chunk_size`` scenarios; a chunk is ``projection.run_fund`` (serial kernel, no age detail), labelled and given its
indicators exactly as ``stochastic.simulate`` does (``to_dataset`` then ``add_indicators``), and reduced to the
per-scenario series (scenario, year) and per-scenario summaries (scenario,) (depletion year, actuarial balance, ...).
Scenario ``i`` draws from the streams keyed by (seed, i) (``sibrisk.random``), so every number is the same as in a
single-process ``simulate`` with that seed, whatever the chunk size, worker count or order the chunks finish in.

Store layout (zarr format 3, readable with ``xarray.open_zarr(store, group=JOB)``): one group per job, holding each
kept variable as an array chunked by ``chunk_size`` scenarios (``dimension_names`` scenario, year), the ``year`` and
``scenario`` coordinates, and ``chunk_done`` (one flag per chunk, each flag its own zarr chunk). The driver (the
process that runs ``run_batch``) writes a chunk's arrays, and only then sets its flag; zarr's local store writes
each file to a temporary name and renames it. A run killed at any point and started again skips the chunks whose
flag is set and recomputes (and rewrites whole) the others: no chunk lost, none counted twice. The root group's and
each job's attributes carry a fingerprint of the inputs (scenario after the variant, seed, counts, variables): a
store written from other inputs is refused rather than mixed.

Age detail on request (spec key ``detail_scenarios = [0, 17]``): each job reruns those scenarios alone with their
age detail (``sibrisk.stochastic.age_detail``: draws are keyed by scenario, so scenario ``i`` alone is scenario ``i``
of the run) and writes the fund's ``*_by_age`` variables over (detail_scenario, year, age, sex) to the subgroup
``JOB/age_detail`` (``open_age_detail``), then sets the job's attribute ``age_detail_scenarios``. Memory and time
are those of the named scenarios only. Changing the list recomputes only the detail (it is not in the fingerprint).

Numba inside dask workers: every chunk runs the fund's *serial* kernel (``parallel=False``); dask runs chunks in
parallel on its workers (processes by default, one thread each). No numba threading layer is used inside a worker,
so concurrent chunks in one worker (threads) are safe.
"""

from __future__ import annotations

import glob
import hashlib
import json
import math
import numbers
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import xarray as xr
from pydantic import Field, field_validator, model_validator

from sibrisk.errors import InputError, SibriskError
from sibrisk.scenario import ScenarioBase, _Model
from sibrisk.stochastic import SEED_MAX

PERCENTILES = (5, 25, 50, 75, 95)
# per-scenario series kept by ``stream_summary`` by default (the batch keeps every per-scenario variable)
STREAM_VARIABLES = ("fund_balance", "total_income", "total_expenditure", "balance_months", "payg_cost_rate",
                    "depletion_year", "actuarial_balance")
# what the batch summary reads: kept whatever ``variables`` the spec names
SUMMARY_NEEDS = ("fund_balance", "total_expenditure", "depletion_year", "actuarial_balance")
# what the province total of a multi-region scenario sums (and the interest rate, kept where every region has it)
PROVINCE_VARIABLES = ("fund_balance", "opening_balance", "total_income", "interest_income", "contribution_income",
                      "fiscal_subsidy", "other_income", "benefit_expenditure", "other_expenditure",
                      "total_expenditure", "covered_wage_bill", "contributors", "beneficiaries", "interest_rate")
STORE_FORMAT = "sibrisk-batch-1"


# --- the spec file ------------------------------------------------------------------------------------------------

Name = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-]+$")]


class VariantSpec(_Model):
    """A policy variant: dotted-path field updates applied to every job's scenario as ``ScenarioBase.with_updates``
    does (``effective_from``: series updates act from that year, earlier years keep their values)."""
    name: Name
    updates: dict[str, Any] = {}
    effective_from: Annotated[int, Field(ge=1990, le=2200)] | None = None
    funds: list[str] = []  # apply only to scenarios of these funds (default: every fund)
    note: str = ""


class SummarySpec(_Model):
    years: list[Annotated[int, Field(ge=1990, le=2300)]] = []  # default: every 10th year from the base year
    percentiles: list[Annotated[float, Field(gt=0.0, lt=100.0)]] = list(PERCENTILES)


class BatchSpec(_Model):
    """A batch spec file (TOML). Paths are relative to the spec file; a scenario entry may also be a glob pattern
    or the name of a shipped scenario."""
    name: str = ""
    description: str = ""
    scenarios: Annotated[list[str], Field(min_length=1)]
    funds: list[str] = []  # only the scenarios of these funds (default: every scenario listed)
    regions: list[str] = []  # only these pooling regions of multi-region scenarios (default: every region)
    variants: Annotated[list[VariantSpec], Field(min_length=1)] = [VariantSpec(name="baseline")]
    seeds: Annotated[list[Annotated[int, Field(ge=0, le=SEED_MAX)]], Field(min_length=1)] = [42]
    n_scenarios: Annotated[int, Field(ge=1, le=10_000_000)]
    chunk_size: Annotated[int, Field(ge=1, le=1_000_000)] = 1000
    variables: list[str] = []  # per-scenario variables kept (default: every one)
    detail_scenarios: list[int] = []  # scenario numbers whose age detail each job keeps (default: none)
    summary: SummarySpec = SummarySpec()
    source: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _detail_scenarios_in_range(self):
        from sibrisk.stochastic import check_detail_scenarios

        check_detail_scenarios(self.detail_scenarios, self.n_scenarios)  # InputError naming detail_scenarios[k]
        return self

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, v):
        if len(set(v)) != len(v):
            raise ValueError("seeds listed twice")
        return v

    @field_validator("variants")
    @classmethod
    def _distinct_variants(cls, v):
        names = [x.name for x in v]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"variant names listed twice: {twice}")
        return v


def load_spec(path: str | Path) -> BatchSpec:
    """Read and validate a batch spec file; errors name the file, the field and the value."""
    from sibrisk._validation import read_toml, validate

    p = Path(path)
    if not p.is_file():
        raise InputError("no such batch spec file", file=p)
    spec = validate(BatchSpec, read_toml(p), p)
    spec.source = str(p)
    return spec


@dataclass
class Job:
    """One job of a batch: a scenario (one region) under one variant with one seed."""
    name: str
    scenario: ScenarioBase
    scenario_file: str
    region: str  # pooling region id, "" for a scenario without regions
    variant: str
    seed: int
    n_scenarios: int
    chunk_size: int
    variables: tuple[str, ...] = ()
    province: str = ""  # for a pooling region: the province (the scenario file's [meta] region)
    province_regions: tuple[str, ...] = ()  # for a pooling region: every region of its scenario file
    # scenarios whose age detail is kept (group JOB/age_detail); not in the fingerprint: the series do not depend on it
    detail_scenarios: tuple[int, ...] = ()

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.n_scenarios / self.chunk_size)

    def chunk(self, i: int) -> tuple[int, int]:
        start = i * self.chunk_size
        return start, min(self.chunk_size, self.n_scenarios - start)

    def fingerprint(self) -> str:
        from sibrisk import __version__

        data = {"format": STORE_FORMAT, "version": __version__, "scenario": self.scenario.model_dump(mode="json"),
                "seed": self.seed, "n_scenarios": self.n_scenarios, "chunk_size": self.chunk_size,
                "variables": list(self.variables)}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

    def attrs(self) -> dict:
        sc = self.scenario
        return {"job": self.name, "scenario_file": self.scenario_file, "scenario_name": sc.meta.name,
                "fund": sc.meta.fund, "region_id": self.region, "region": sc.meta.region, "variant": self.variant,
                "seed": self.seed, "n_scenarios": self.n_scenarios, "chunk_size": self.chunk_size,
                "province": self.province, "province_regions": list(self.province_regions),
                "fingerprint": self.fingerprint()}


def _scenario_files(spec: BatchSpec) -> list[tuple[int, Path]]:
    from sibrisk.scenario import find_scenario

    base = Path(spec.source).parent if spec.source else Path(".")
    out = []
    for i, entry in enumerate(spec.scenarios):
        p = Path(entry)
        candidate = Path(os.path.normpath(p if p.is_absolute() else base / p))
        if any(c in entry for c in "*?["):
            hits = sorted(Path(h) for h in glob.glob(str(candidate)))
            if not hits:
                raise InputError("the pattern matches no file (relative to the spec file's folder)",
                                 file=spec.source, field=f"scenarios[{i}]", value=entry)
            out += [(i, h) for h in hits]
        elif candidate.is_file():
            out.append((i, candidate))
        else:
            try:
                out.append((i, find_scenario(entry)))  # a shipped scenario's name
            except InputError:
                raise InputError("no such scenario file (relative to the spec file's folder) or shipped scenario",
                                 file=spec.source, field=f"scenarios[{i}]", value=entry) from None
    return out


def expand_jobs(spec: BatchSpec) -> list[Job]:
    """Every job of a spec, each scenario loaded and each variant applied and validated before anything runs."""
    from sibrisk import funds
    from sibrisk._outputs import safe_name
    from sibrisk.scenario import load_scenario

    for field_name, ids in (("funds", spec.funds), *((f"variants[{i}].funds", v.funds)
                                                     for i, v in enumerate(spec.variants))):
        for fid in ids:
            if fid not in funds.FUND_IDS:
                raise InputError(f"unknown fund; the seven funds are {', '.join(funds.FUND_IDS)}", file=spec.source,
                                 field=field_name, value=fid)
    known_vars = _known_variables()
    for v in spec.variables:
        if v not in known_vars:
            raise InputError("not an output variable or registered indicator of any fund", file=spec.source,
                             field="variables", value=v)
    jobs: list[Job] = []
    regions_seen: set[str] = set()
    for i, path in _scenario_files(spec):
        try:
            sc = load_scenario(path)
        except InputError as e:
            raise InputError(f"scenario file does not load: {e}", file=spec.source, field=f"scenarios[{i}]",
                             value=str(path)) from None
        if spec.funds and sc.meta.fund not in spec.funds:
            continue
        regional = sc.region_scenarios()
        regions_seen.update(regional)
        parts = {rid: rsc for rid, rsc in regional.items() if not spec.regions or rid in spec.regions}
        if not regional:
            parts = {"": sc}
        for k, var in enumerate(spec.variants):
            if var.funds and sc.meta.fund not in var.funds:
                continue
            for rid, rsc in parts.items():
                vsc = rsc
                if var.updates or var.effective_from is not None:
                    try:
                        vsc = rsc.with_updates(var.updates, effective_from=var.effective_from)
                    except InputError as e:
                        where = f"variants[{k}] ({var.name}).updates" + (f".{e.field}" if e.field else "")
                        raise InputError(f"{e.reason} (applied to {path})", file=spec.source, field=where,
                                         value=e.value, has_value=e.value is not None) from None
                    except KeyError as e:
                        raise InputError(f"not a field of the scenario {path}", file=spec.source,
                                         field=f"variants[{k}] ({var.name}).updates", value=e.args[0]) from None
                for seed in spec.seeds:
                    name = safe_name(".".join(x for x in (path.stem, rid, var.name, f"seed{seed}") if x))
                    jobs.append(Job(name=name, scenario=vsc, scenario_file=str(path), region=rid, variant=var.name,
                                    seed=int(seed), n_scenarios=spec.n_scenarios, chunk_size=spec.chunk_size,
                                    variables=tuple(dict.fromkeys([*spec.variables, *SUMMARY_NEEDS]))
                                    if spec.variables else (),
                                    province=sc.meta.region if rid else "",
                                    province_regions=tuple(regional) if rid else (),
                                    detail_scenarios=tuple(spec.detail_scenarios)))
    missing = [r for r in spec.regions if r not in regions_seen]
    if missing:
        raise InputError(f"no scenario listed has this pooling region (regions: {sorted(regions_seen) or 'none'})",
                         file=spec.source, field="regions", value=missing[0])
    names = [j.name for j in jobs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError("two jobs would have the same name (two scenario files with one file name); rename one",
                         file=spec.source, field="scenarios", value=twice[0])
    if not jobs:
        raise InputError("the spec selects no job (check funds, regions and the variants' funds)", file=spec.source,
                         field="scenarios", value=spec.scenarios)
    return jobs


def _known_variables() -> set[str]:
    from sibrisk import funds
    from sibrisk.funds.base import COMMON_VARIABLES
    from sibrisk.indicators import REGISTRY

    out = set(COMMON_VARIABLES) | {"total_income", "total_expenditure", "other_income", "other_expenditure"}
    out |= {i for i, ind in REGISTRY.items() if "scenario" not in ind.needs_dims}
    for fid in funds.implemented():
        out |= set(funds.get(fid).variables)
    return out


# --- one chunk ----------------------------------------------------------------------------------------------------

def chunk_series(sc: ScenarioBase, start: int, n: int, seed: int, *, n_total: int | None = None,
                 variables=None, parallel: bool = False) -> xr.Dataset:
    """Scenarios ``start .. start + n - 1``: per-scenario series (scenario, year) and summaries (scenario,) of the
    fund's variables and indicators, computed exactly as ``stochastic.simulate`` computes them (same numbers for
    the same seed), without age detail. ``variables`` keeps only those present (default: every per-scenario one)."""
    from sibrisk.projection import add_indicators, run_fund, to_dataset

    run = run_fund(sc, n, seed=seed, start=start, stochastic=True, keep_detail=False, parallel=parallel)
    ds = to_dataset(sc, run, scenario_dim=True, scenario_index=np.arange(start, start + n))
    ds.attrs.update({"n_scenarios": int(n_total or n), "seed": int(seed),
                     "stochastic_note": (sc.stochastic.note if sc.stochastic else
                                         "no [stochastic] section: every scenario equals the deterministic "
                                         "projection")})
    ds = add_indicators(ds, sc)
    keep = [v for v in ds.data_vars if ds[v].dims[:1] == ("scenario",) and "age" not in ds[v].dims
            and (not variables or v in variables)]
    out = ds[keep]
    return out.drop_vars([c for c in ("age", "sex") if c in out.coords])


def _chunk_task(sc: ScenarioBase, start: int, n: int, seed: int, n_total: int, variables: tuple[str, ...]):
    """What a dask worker runs: one chunk with the serial kernel."""
    return chunk_series(sc, start, n, seed, n_total=n_total, variables=variables, parallel=False)


def _detail_task(sc: ScenarioBase, detail_scenarios: tuple[int, ...], seed: int, n_total: int) -> xr.Dataset:
    """What a dask worker runs for a job's age detail: each requested scenario alone (serial kernel), its
    age-by-sex variables on a ``detail_scenario`` dimension."""
    from sibrisk.stochastic import age_detail

    ds = age_detail(sc, detail_scenarios, seed, n_scenarios=n_total)
    out = ds[[v for v in ds.data_vars if "age" in ds[v].dims]].rename(scenario="detail_scenario")
    out["detail_scenario"].attrs = {"long_name": "stochastic scenario number of the age detail"}
    return out


# --- summaries ----------------------------------------------------------------------------------------------------

def _pct_coord(q) -> dict:
    return {"percentile": ("percentile", [float(x) for x in q], {"units": "%", "long_name": "percentile"})}


def summarize(ds: xr.Dataset, percentiles=PERCENTILES) -> xr.Dataset:
    """Over the ``scenario`` dim of per-scenario data (``fund_balance`` and ``total_expenditure`` needed):
    probability of depletion by year, share first depleted in each year, share not depleted, percentiles of the
    depletion year (``inverted_cdf``: observed years; NaN = not depleted within the projection), of the actuarial
    balance, of balance months with the balance floored at 0, and of the fund balance floored at 0."""
    from sibrisk.indicators import depletion_year as _depletion_year
    from sibrisk.indicators import probability_of_depletion

    q = np.asarray(list(percentiles), dtype=float)
    years = ds.year.values
    balance = ds["fund_balance"]
    dy = ds["depletion_year"].values if "depletion_year" in ds else _depletion_year(balance).values
    n = dy.shape[0]
    counts = np.array([(dy == y).sum() for y in years], dtype=float)
    out = xr.Dataset(coords={"year": ("year", years), **_pct_coord(q)})
    out["probability_of_depletion"] = probability_of_depletion(balance).assign_attrs(
        units="1", long_name="Probability of depletion by year (share of scenarios depleted by the year)")
    out["share_first_depleted"] = xr.DataArray(counts / n, dims="year", attrs={
        "units": "1", "long_name": "Share of scenarios first depleted in the year"})
    out["not_depleted"] = xr.DataArray(float(np.isnan(dy).mean()), attrs={
        "units": "1", "long_name": f"Share not depleted by {int(years[-1])}"})
    ranked = np.where(np.isnan(dy), np.inf, dy)  # not depleted = after the horizon
    dq = np.percentile(ranked, q, method="inverted_cdf")
    out["depletion_year_pct"] = xr.DataArray(np.where(np.isinf(dq), np.nan, dq), dims="percentile", attrs={
        "units": "year", "long_name": f"Depletion year percentiles (NaN: not depleted by {int(years[-1])})"})
    if "actuarial_balance" in ds:
        out["actuarial_balance_pct"] = xr.DataArray(np.percentile(ds["actuarial_balance"].values, q), dims="percentile",
                                                    attrs={**ds["actuarial_balance"].attrs,
                                                           "long_name": "Actuarial balance percentiles"})
    floored = balance.clip(min=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        months = floored / (ds["total_expenditure"] / 12.0)
    for name, da, attrs in (
            ("balance_months_floored_pct", months, {"units": "months", "long_name": "Balance months (balance "
                                                    "floored at 0) percentiles"}),
            ("fund_balance_floored_pct", floored, {"units": "yuan", "long_name": "Accumulated balance (floored at "
                                                   "0) percentiles"})):
        out[name] = xr.DataArray(np.percentile(da.transpose("scenario", "year").values, q, axis=0),
                                 dims=("percentile", "year"), attrs=attrs)
    out.attrs["n_scenarios"] = int(n)
    return out


def stream_summary(scenario: ScenarioBase, n_scenarios: int, seed: int = 42, chunk_size: int = 1000, *,
                   variables=STREAM_VARIABLES, percentiles=PERCENTILES, parallel: bool = True,
                   progress: bool | None = None, detail_scenarios=None) -> xr.Dataset:
    """``n_scenarios`` stochastic scenarios run in chunks, keeping only per-scenario ``variables`` (series over
    ``year`` and per-scenario summaries) and the summary of ``summarize`` (its variables end in ``_pct``, plus the
    depletion distribution): memory grows with scenarios x years x variables, never with the age detail.
    Measured peak RSS of a fresh process (``python -m benchmarks.bench_batch N``), enterprise pension x 50 years,
    chunks of 1000: 10,000 scenarios 0.36 GiB, 100,000 scenarios 0.64 GiB (``simulate`` keeps every variable of
    every scenario: 2.2-3.2 GiB at 100,000). The numbers are those of ``simulate`` with the same seed. A scenario
    with regions gives a ``region`` dimension.

    Age detail on request, for a few scenarios: ``detail_scenarios=[0, 17]`` adds the fund's ``*_by_age`` variables
    of scenarios 0 and 17 on a ``detail_scenario`` dimension, each scenario rerun alone afterwards
    (``sibrisk.stochastic.age_detail``; memory and time of those scenarios only), the same numbers as
    ``simulate(..., keep_detail=True)`` gives for them."""

    from sibrisk.projection import stack_regions
    from sibrisk.stochastic import age_detail, check_detail_scenarios, run_plan, with_age_detail

    n, chunk, seed, regional, bar = run_plan(scenario, n_scenarios, seed, chunk_size, progress)
    detail_idx = check_detail_scenarios(detail_scenarios, n)
    needed = tuple(dict.fromkeys([*variables, "fund_balance", "total_expenditure", "depletion_year"]))
    results = {}
    with bar:
        for rid, sc in regional.items():
            kept: dict[str, np.ndarray] = {}
            meta = None
            for start in range(0, n, chunk):
                m = min(chunk, n - start)
                part = chunk_series(sc, start, m, seed, n_total=n, variables=needed, parallel=parallel)
                if meta is None:
                    meta = part
                    kept = {v: np.empty((n,) + part[v].shape[1:], dtype=part[v].dtype) for v in part.data_vars}
                for v, arr in kept.items():
                    arr[start:start + m] = part[v].values
                del part
                bar.update(m)
            ds = xr.Dataset({v: (meta[v].dims, arr, meta[v].attrs) for v, arr in kept.items()},
                            coords={"year": meta.year, "scenario": ("scenario", np.arange(n),
                                                                     meta.scenario.attrs)},
                            attrs={**meta.attrs, "n_scenarios": n, "seed": int(seed)})
            summary = summarize(ds, percentiles)
            full = ds.merge(summary)
            full = full.drop_vars([v for v in full.data_vars if v not in variables and v not in summary])
            results[rid] = full
    out = results[None] if None in results else stack_regions(results, scenario)
    if detail_idx:
        out = with_age_detail(out, age_detail(scenario, detail_idx, seed, n_scenarios=n))
    return out


# --- the store ----------------------------------------------------------------------------------------------------

def _json_attrs(attrs: dict) -> dict:
    out = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, (np.integer, bool, np.bool_)):
            v = int(v)
        elif isinstance(v, np.floating):
            v = float(v)
        elif isinstance(v, np.ndarray):
            v = v.tolist()
        out[k] = v
    return out


def _mark_done(group, i: int) -> None:
    """Set chunk ``i``'s flag: called only after all of its arrays are written."""
    group["chunk_done"][i] = 1


def _write_chunk(group, job: Job, i: int, part: xr.Dataset) -> None:
    import zarr

    start, m = job.chunk(i)
    if "year" not in group:
        years = part.year.values.astype("int64")
        yarr = group.create_array("year", shape=years.shape, dtype="int64", chunks=years.shape,
                                  dimension_names=("year",), attributes=_json_attrs(dict(part.year.attrs)))
        yarr[:] = years
        sarr = group.create_array("scenario", shape=(job.n_scenarios,), dtype="int64", chunks=(job.chunk_size,),
                                  dimension_names=("scenario",), attributes={"long_name": "stochastic scenario number"})
        sarr[:] = np.arange(job.n_scenarios)
        group.attrs.update(_json_attrs({**part.attrs, **job.attrs(), "variables": list(part.data_vars)}))
    for v in part.data_vars:
        da = part[v]
        if v not in group:
            shape = (job.n_scenarios,) + da.shape[1:]
            group.create_array(v, shape=shape, dtype=da.dtype, chunks=(job.chunk_size,) + da.shape[1:],
                               fill_value=np.nan, dimension_names=da.dims, attributes=_json_attrs(dict(da.attrs)))
        arr = group[v]
        if not isinstance(arr, zarr.Array):
            raise SibriskError(f"{group.path}/{v} in the store is not an array")
        arr[start:start + m] = da.values


DETAIL_GROUP = "age_detail"


def _write_detail(store: Path, group, job: Job, detail: xr.Dataset) -> None:
    """A job's age detail into its group ``JOB/age_detail`` (replaced whole), then its flag: the job group's
    attribute ``age_detail_scenarios``, set only after the arrays are written."""
    detail = detail.assign_coords(sex=detail.sex.values.astype(object))  # variable-length strings: zarr v3 spec
    detail.attrs = _json_attrs({**detail.attrs, "job": job.name})
    detail.to_zarr(str(store), group=f"{job.name}/{DETAIL_GROUP}", mode="w", zarr_format=3, consolidated=False)
    group.attrs.update({"age_detail_scenarios": list(job.detail_scenarios)})


def open_age_detail(store: str | Path, job: str) -> xr.Dataset:
    """One job's age detail (spec key ``detail_scenarios``) from a batch store: its fund's ``*_by_age`` variables
    over (detail_scenario, year, age, sex), the numbers ``simulate(..., keep_detail=True)`` gives for those
    scenarios (lazy, dask-backed)."""
    import zarr

    group = zarr.open_group(str(store), mode="r")[job]
    if DETAIL_GROUP not in group or "age_detail_scenarios" not in group.attrs:
        raise SibriskError(f"job {job} in {store} has no age detail (list scenario numbers in the spec's "
                           "detail_scenarios and run the batch again: only the detail is computed)")
    return xr.open_zarr(str(store), group=f"{job}/{DETAIL_GROUP}", consolidated=False, zarr_format=3)


def _open_job_group(root, job: Job):
    """The job's group, created with its ``chunk_done`` flags, or the existing one if it holds the same job."""
    fp = job.fingerprint()
    if job.name in root:
        group = root[job.name]
        if group.attrs.get("fingerprint") != fp:
            raise SibriskError(f"the store {root.store} holds job {job.name!r} computed from other inputs (the scenario "
                               "file, the spec or sibrisk changed since); write to another --out or pass "
                               "--overwrite to start again")
        return group
    group = root.create_group(job.name)
    group.create_array("chunk_done", shape=(job.n_chunks,), dtype="uint8", chunks=(1,), fill_value=0,
                       dimension_names=("chunk",), attributes={
                           "long_name": "1 once every array of the chunk of scenarios is written",
                           "chunk_size": job.chunk_size})
    group.attrs.update(_json_attrs({"fingerprint": fp, "job": job.name}))
    return group


def _open_store(store: str | Path, jobs: list[Job], spec: BatchSpec | None, overwrite: bool):
    import zarr

    path = Path(store)
    if overwrite and path.exists():
        import shutil

        if not (path / "zarr.json").is_file():
            raise SibriskError(f"{path} is not a sibrisk batch store; not removing it")
        shutil.rmtree(path)
    if path.exists() and not (path / "zarr.json").is_file():
        raise SibriskError(f"{path} exists and is not a zarr store; choose another --out")
    root = zarr.open_group(str(path), mode="a", zarr_format=3)
    if root.attrs.get("format", STORE_FORMAT) != STORE_FORMAT:
        raise SibriskError(f"{path} is not a sibrisk batch store ({STORE_FORMAT})")
    root.attrs.update(_json_attrs({
        "format": STORE_FORMAT, "title": "sibrisk batch: per-scenario series of each job",
        "spec_file": (spec.source or "") if spec else "", "spec_name": spec.name if spec else "",
        "jobs": sorted(set(root.attrs.get("jobs", [])) | {j.name for j in jobs})}))
    return root


@dataclass
class BatchResult:
    store: Path
    jobs: list[Job]
    chunks_total: int = 0
    chunks_computed: int = 0
    chunks_skipped: int = 0
    details_computed: int = 0  # jobs whose age detail (detail_scenarios) was computed in this run
    summaries: dict[str, xr.Dataset] = field(default_factory=dict)

    def open(self, job: str | Job) -> xr.Dataset:
        """A job's per-scenario data, lazily from the store."""
        return open_job(self.store, job.name if isinstance(job, Job) else job)


def open_job(store: str | Path, job: str) -> xr.Dataset:
    """One job's per-scenario data from a batch store (lazy, dask-backed)."""
    ds = xr.open_zarr(str(store), group=job, consolidated=False, zarr_format=3)
    return ds.drop_vars("chunk_done")


def _client(client=None, scheduler: str | None = None, n_workers: int | None = None, processes: bool = True):
    """The dask client to use and a function closing what was started here."""
    if client is not None:
        return client, lambda: None
    from dask.distributed import Client, LocalCluster

    if scheduler:
        c = Client(scheduler)
        return c, c.close
    workers = n_workers or os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise SibriskError(f"the number of workers must be a positive integer (got {n_workers!r})")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0")
    c = Client(cluster)

    def close():
        c.close()
        cluster.close()

    return c, close


def run_batch(spec: BatchSpec | str | Path, store: str | Path | None = None, *, client=None,
              scheduler: str | None = None, n_workers: int | None = None, processes: bool = True,
              progress: bool | None = None, overwrite: bool = False, jobs: list[Job] | None = None) -> BatchResult:
    """Run every job of ``spec`` (a ``BatchSpec`` or the path of a spec file) chunk by chunk on dask.distributed
    (``client``; else a cluster at ``scheduler``; else a ``LocalCluster`` of ``n_workers`` one-thread workers,
    ``processes=False`` for threads in this process) and write each chunk to the zarr store as it completes.
    Chunks already in the store (a killed run) are not recomputed. Default store: ``<spec file stem>.zarr`` in
    the current folder. ``jobs``: ``expand_jobs(spec)`` when already computed.

    Worker processes are started with ``spawn``: a script that calls ``run_batch`` with the default local cluster
    needs the ``if __name__ == "__main__":`` guard (or ``processes=False``)."""
    from tqdm.auto import tqdm

    if not isinstance(spec, BatchSpec):
        spec = load_spec(spec)
    jobs = expand_jobs(spec) if jobs is None else jobs
    if store is None:
        store = Path(f"{Path(spec.source).stem if spec.source else 'batch'}.zarr")
    root = _open_store(store, jobs, spec, overwrite)
    groups = {j.name: _open_job_group(root, j) for j in jobs}
    todo = []
    done_scenarios = 0
    for j in jobs:
        flags = groups[j.name]["chunk_done"][:]
        for i in range(j.n_chunks):
            if flags[i]:
                done_scenarios += j.chunk(i)[1]
            else:
                todo.append((j, i))
    # age detail on request: a job's detail is (re)computed unless its group holds these very scenarios
    details = [j for j in jobs if j.detail_scenarios
               and list(groups[j.name].attrs.get("age_detail_scenarios", [])) != list(j.detail_scenarios)]
    result = BatchResult(store=Path(store), jobs=jobs, chunks_total=sum(j.n_chunks for j in jobs),
                         chunks_skipped=sum(j.n_chunks for j in jobs) - len(todo))
    total = sum(j.n_scenarios for j in jobs)
    if progress is None:
        progress = sys.stderr.isatty()
    with tqdm(total=total, initial=done_scenarios, desc=f"batch {spec.name or Path(str(store)).stem}",
              unit="scenario", disable=not progress) as bar:
        if not todo and not details:
            return result
        from dask.distributed import as_completed

        c, close = _client(client, scheduler, n_workers, processes)
        try:
            used = {j.name: j for j in [*(j for j, _ in todo), *details]}
            scattered = {name: c.scatter(j.scenario, broadcast=False) for name, j in used.items()}
            futures = {}
            for j, i in todo:
                start, m = j.chunk(i)
                f = c.submit(_chunk_task, scattered[j.name], start, m, j.seed, j.n_scenarios, j.variables,
                             key=f"sibrisk-batch-{j.fingerprint()[:16]}-{j.name}-{i}", pure=False)
                futures[f] = (j, i)
            for j in details:  # a few scenarios each: next to the chunks, on the same workers
                f = c.submit(_detail_task, scattered[j.name], j.detail_scenarios, j.seed, j.n_scenarios,
                             key=f"sibrisk-batch-{j.fingerprint()[:16]}-{j.name}-{DETAIL_GROUP}", pure=False)
                futures[f] = (j, None)
            try:
                for f in as_completed(list(futures)):
                    j, i = futures.pop(f)
                    try:
                        part = f.result()
                    except InputError as e:
                        which = (f"scenarios {j.chunk(i)[0]}..{sum(j.chunk(i)) - 1}" if i is not None else
                                 f"age detail of scenarios {list(j.detail_scenarios)}")
                        raise InputError(f"job {j.name}, {which}: {e.reason}", file=e.file, field=e.field,
                                         value=e.value, has_value=e.value is not None) from None
                    if i is None:
                        _write_detail(Path(store), groups[j.name], j, part)
                        result.details_computed += 1
                        f.release()
                        continue
                    _write_chunk(groups[j.name], j, i, part)
                    _mark_done(groups[j.name], i)
                    result.chunks_computed += 1
                    bar.update(j.chunk(i)[1])
                    f.release()
            finally:
                for f in futures:
                    f.cancel()
        finally:
            close()
    return result


# --- the summary of a batch ---------------------------------------------------------------------------------------

def _summary_years(jobs_years: list[np.ndarray], wanted: list[int]) -> list[int]:
    if wanted:
        return sorted(set(int(y) for y in wanted))
    first = jobs_years[0]
    return [int(y) for y in first[::10]][1:] + ([int(first[-1])] if (len(first) - 1) % 10 else [])


def summarize_store(store: str | Path, jobs: list[str] | None = None, *, years: list[int] | None = None,
                    percentiles=PERCENTILES, load=None) -> tuple[dict[str, xr.Dataset], "pd.DataFrame", "pd.DataFrame"]:  # noqa: F821
    """Summaries of a batch store's jobs (``summarize``, one job at a time in memory), a table with one row per job
    (units in the headers) and a table by job and year (share first depleted, probability of depletion)."""
    import pandas as pd
    import zarr

    root = zarr.open_group(str(store), mode="r")
    names = jobs if jobs is not None else list(root.attrs.get("jobs", []))
    summaries, rows, by_year, info = {}, [], [], {}
    for name in names:
        g = root[name]
        if not np.all(g["chunk_done"][:]):
            raise SibriskError(f"job {name} in {store} is not finished ({int(np.sum(g['chunk_done'][:]))} of "
                               f"{g['chunk_done'].shape[0]} chunks); run the batch again to finish it")
        wanted = [v for v in ("fund_balance", "total_expenditure", "depletion_year", "actuarial_balance") if v in g]
        ds = open_job(store, name)[wanted].load()
        summaries[name] = summarize(ds, percentiles).assign_attrs(_json_attrs(dict(g.attrs)))
        info[name] = dict(g.attrs)
    if not summaries:
        return summaries, pd.DataFrame(), pd.DataFrame()
    for pname, regions in _provinces(info).items():
        total = province_series(store, regions)
        first = info[regions[0]]
        a = {**first, "job": pname, "region_id": "province", "region": first.get("province", "province"),
             "aggregation": f"sum of {len(regions)} pooling regions"}
        summaries[pname] = summarize(total, percentiles).assign_attrs(_json_attrs(a))
        info[pname] = a
    shown_years = _summary_years([s.year.values for s in summaries.values()], years or [])
    q = list(percentiles)
    for name, s in summaries.items():
        a = info[name]
        last = int(s.year.values[-1])
        row = {"job": name, "scenario file": a.get("scenario_file", ""), "fund": a.get("fund", ""),
               "region": a.get("region", ""), "variant": a.get("variant", ""), "seed": a.get("seed"),
               "scenarios": int(s.attrs["n_scenarios"]),
               "last projected year": last,
               "not depleted by the last year (%)": 100 * float(s.not_depleted)}
        for p, v in zip(q, s.depletion_year_pct.values):
            row[f"depletion year P{p:g} (year; empty: not depleted by the last year)"] = v
        for y in shown_years:
            row[f"P(depleted by {y}) (%)"] = (100 * float(s.probability_of_depletion.sel(year=y))
                                              if y in s.year.values else np.nan)
        for p, v in zip(q, (s.actuarial_balance_pct.values if "actuarial_balance_pct" in s else [np.nan] * len(q))):
            row[f"actuarial balance P{p:g} (% of covered wage bill)"] = 100 * v
        for y in shown_years:
            for k, p in enumerate(q):
                row[f"balance months {y} P{p:g} (months; balance floored at 0)"] = (
                    float(s.balance_months_floored_pct.sel(year=y).values[k]) if y in s.year.values else np.nan)
        rows.append(row)
        for y, share, prob in zip(s.year.values, s.share_first_depleted.values, s.probability_of_depletion.values):
            by_year.append({"job": name, "year": int(y), "share first depleted in the year (%)": 100 * share,
                            "probability of depletion by the year (%)": 100 * prob})
    return summaries, pd.DataFrame(rows).set_index("job"), pd.DataFrame(by_year).set_index(["job", "year"])


def _provinces(info: dict[str, dict]) -> dict[str, list[str]]:
    """Province jobs to add: for each (scenario file, variant, seed) whose every pooling region is in ``info``."""
    groups: dict[tuple, dict[str, str]] = {}
    for name, a in info.items():
        if a.get("region_id") and a.get("province_regions"):
            groups.setdefault((a["scenario_file"], a["variant"], a["seed"]), {})[a["region_id"]] = name
    out = {}
    for (file, variant, seed), by_region in groups.items():
        first = info[next(iter(by_region.values()))]
        if set(first["province_regions"]) == set(by_region):
            from sibrisk._outputs import safe_name

            out[safe_name(f"{Path(file).stem}.province.{variant}.seed{seed}")] = [
                by_region[r] for r in first["province_regions"]]
    return out


def province_series(store: str | Path, jobs: list[str]) -> xr.Dataset:
    """The province of a multi-region scenario from its regions' jobs, per scenario: money and people summed
    (``PROVINCE_VARIABLES``), the interest rate kept where every region has the same path, indicators
    (depletion year, actuarial balance, ...) recomputed from the sums, as ``sibrisk.regions.province_total``
    does. One region in memory at a time besides the running total."""
    from sibrisk.projection import add_indicators

    total = None
    for name in jobs:
        ds = open_job(store, name)
        part = ds[[v for v in PROVINCE_VARIABLES if v in ds]].load()
        if total is None:
            total = part
            total.attrs = {k: v for k, v in ds.attrs.items() if k in ("fund", "title", "scenario_name", "base_year")}
            continue
        for v in list(total.data_vars):
            if v not in part:
                total = total.drop_vars(v)
            elif v == "interest_rate":
                if not np.array_equal(total[v].values, part[v].values):
                    total = total.drop_vars(v)
            else:
                total[v] = (total[v] + part[v]).assign_attrs(total[v].attrs)
    return add_indicators(total)


def batch_chart(summary: xr.Dataset, path: str | Path | None = None):
    """Fan charts of one job (accumulated balance floored at 0, balance months) and its probability of depletion."""
    import matplotlib.pyplot as plt

    from sibrisk.plots import TRILLION, _use_cjk, label

    _use_cjk()
    years = summary.year.values
    q = list(summary.percentile.values)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), constrained_layout=True)
    for ax, var, scale, ylab in ((axes[0], "fund_balance_floored_pct", TRILLION,
                                  label("accumulated balance, floored at 0 (trillion yuan)", "累计结余（万亿元）")),
                                 (axes[1], "balance_months_floored_pct", 1.0,
                                  label("balance months (balance floored at 0)", "可支付月数"))):
        band = summary[var] / scale
        lo, hi = band.isel(percentile=0), band.isel(percentile=-1)
        ax.fill_between(years, lo, hi, color="tab:blue", alpha=0.18, label=f"P{q[0]:g}-P{q[-1]:g}")
        if len(q) >= 5:
            ax.fill_between(years, band.isel(percentile=1), band.isel(percentile=-2), color="tab:blue", alpha=0.35,
                            label=f"P{q[1]:g}-P{q[-2]:g}")
        mid = int(np.argmin(np.abs(np.asarray(q) - 50)))
        ax.plot(years, band.isel(percentile=mid), color="tab:blue", lw=2, label=f"P{q[mid]:g}")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_ylabel(ylab)
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", fontsize=8)
    axes[2].step(years, summary.probability_of_depletion * 100, where="post", color="tab:red", lw=2)
    axes[2].set_ylim(0, 100)
    axes[2].set_xlabel("Year")
    axes[2].set_ylabel(label("probability of depletion by year (%)", "基金耗尽概率"))
    axes[2].grid(alpha=0.3)
    a = summary.attrs
    fig.suptitle(f"{a.get('job', '')}: {a.get('title', a.get('scenario_name', ''))}, variant {a.get('variant', '')}, "
                 f"seed {a.get('seed', '')}, {summary.attrs.get('n_scenarios', '')} scenarios", fontsize=10)
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig


# --- command line -------------------------------------------------------------------------------------------------

def cmd_batch(args) -> int:
    from sibrisk._outputs import OutputSet, check_writable, safe_name

    if args.workers is not None and args.workers < 1:
        raise SibriskError(f"--workers must be at least 1 (got {args.workers})")
    spec = load_spec(args.spec)
    jobs = expand_jobs(spec)  # every scenario and variant validated before any computation
    out = check_writable(args.out)
    stem = safe_name(Path(spec.source).stem, "batch")
    store = out / f"{stem}.zarr"
    print(f"batch {spec.name or stem}: {len(jobs)} jobs x {spec.n_scenarios} scenarios in chunks of "
          f"{spec.chunk_size}; store {store}")
    res = run_batch(spec, store, scheduler=args.scheduler, n_workers=args.workers, processes=not args.in_process,
                    progress=None if not args.no_progress else False, overwrite=args.overwrite, jobs=jobs)
    print(f"{res.chunks_computed} chunks computed, {res.chunks_skipped} already in the store "
          f"({res.chunks_total} in all)")
    if res.details_computed:
        print(f"age detail of scenarios {list(spec.detail_scenarios)} written for {res.details_computed} jobs "
              f"(group <job>/{DETAIL_GROUP}; sibrisk.batch.open_age_detail)")
    summaries, table, by_year = summarize_store(store, [j.name for j in jobs], years=spec.summary.years,
                                                percentiles=spec.summary.percentiles)
    formats = list(dict.fromkeys(args.format or ["csv"]))
    targets = {}
    for fmt in formats:
        if fmt == "csv":
            targets[out / f"{stem}_summary.csv"] = lambda p: table.to_csv(p, float_format="%.6g", encoding="utf-8")
            targets[out / f"{stem}_depletion_by_year.csv"] = (
                lambda p: by_year.to_csv(p, float_format="%.6g", encoding="utf-8"))
        else:
            def xlsx(p):
                import pandas as pd

                with pd.ExcelWriter(p, engine="openpyxl") as w:
                    table.to_excel(w, sheet_name="summary")
                    by_year.to_excel(w, sheet_name="depletion_by_year")
            targets[out / f"{stem}_summary.xlsx"] = xlsx
    charts = {} if args.no_plot else {out / f"{stem}_{name}.png": s for name, s in summaries.items()}
    with OutputSet([*targets, *charts], source=spec.source, overwrite=args.overwrite) as outs:
        for path, write in targets.items():
            write(outs.stage(path))
        for path, s in charts.items():
            batch_chart(s, outs.stage(path))
    import pandas as pd

    shown = table[["fund", "region", "variant", "seed", "not depleted by the last year (%)"]
                  + [c for c in table.columns if c.startswith("depletion year P50") or c.startswith("actuarial "
                                                                                                     "balance P50")]]
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 40):
        print(shown.round(2).to_string())
    for p in [*targets, *charts]:
        print(f"wrote {p}")
    return 0


def register(sub) -> None:
    """Add ``sibrisk batch`` to the command line's subcommands."""
    p = sub.add_parser("batch", help="run many stochastic jobs (scenario files x funds x regions x policy variants x "
                                     "seeds) on dask, resumable, and summarise them",
                       description="Run every job of a batch spec (TOML: scenarios, regions, variants, seeds, "
                                   "n_scenarios, chunk_size) chunk by chunk on dask.distributed (a local cluster, or "
                                   "--scheduler), writing per-scenario series to OUT/<spec>.zarr as chunks complete. "
                                   "Run the same command again after an interruption: finished chunks are kept. "
                                   "Then writes a summary table (depletion year, probability of depletion, "
                                   "actuarial balance, balance months) and a chart per job.")
    p.add_argument("spec", help="batch spec TOML file (see scenarios/batch/example.toml)")
    p.add_argument("--out", default="sibrisk-output", help="folder for the store, the tables and the charts "
                                                           "(default: %(default)s)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="address of a running dask scheduler (default: start a "
                                                          "local cluster)")
    p.add_argument("--workers", type=int, metavar="N", help="workers of the local cluster (default: one per core)")
    p.add_argument("--in-process", action="store_true", help="local workers as threads of this process (no worker "
                                                             "processes)")
    p.add_argument("--format", action="append", choices=("csv", "xlsx"),
                   help="summary table format (default: csv); repeat for both")
    p.add_argument("--no-plot", action="store_true", help="do not draw the charts")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--overwrite", action="store_true", help="start the store again from nothing (and replace outputs "
                                                            "another spec file wrote)")
    p.set_defaults(func=cmd_batch)
