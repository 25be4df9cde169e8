"""Batch runs on dask: the same numbers as a single-process ``simulate``, kill-and-resume without losing or
duplicating a chunk, spec errors naming file, field and value, and the batch summary."""

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sibrisk
from sibrisk import batch
from sibrisk.errors import InputError, SibriskError
from sibrisk.stochastic import simulate

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
N, CHUNK, YEARS = 40, 10, 12

SPEC = f"""
name = "test"
scenarios = ["{SCEN / 'enterprise_pension_national.toml'}", "{SCEN / 'unemployment_national.toml'}"]
seeds = [5]
n_scenarios = {N}
chunk_size = {CHUNK}

[[variants]]
name = "short"
updates = {{ "projection.years" = {YEARS} }}

[summary]
years = [2025, 2030]
"""


def write_spec(folder: Path, text: str = SPEC, name: str = "spec.toml") -> Path:
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def references():
    """Single-process ``simulate`` of each job (a different chunk size, parallel kernel)."""
    out = {}
    for stem in ("enterprise_pension_national", "unemployment_national"):
        sc = sibrisk.load_scenario(SCEN / f"{stem}.toml").with_updates({"projection.years": YEARS})
        out[f"{stem}.short.seed5"] = simulate(sc, N, seed=5, chunk_size=7)
    return out


def assert_same_as_simulate(store, references):
    for job, ref in references.items():
        ds = batch.open_job(store, job).load()
        assert ds.sizes["scenario"] == N
        per_scenario = [v for v in ref.data_vars if ref[v].dims[:1] == ("scenario",)]
        assert sorted(ds.data_vars) == sorted(per_scenario)
        for v in per_scenario:
            np.testing.assert_array_equal(ds[v].values, ref[v].values, err_msg=f"{job}: {v}")
            assert ds[v].attrs["units"] == ref[v].attrs["units"]
        np.testing.assert_array_equal(ds.year.values, ref.year.values)


def test_batch_on_two_workers_equals_single_process_simulate(tmp_path, client, references):
    spec = write_spec(tmp_path)
    res = batch.run_batch(spec, tmp_path / "out.zarr", client=client, progress=False)
    assert [j.name for j in res.jobs] == list(references)
    assert (res.chunks_total, res.chunks_computed, res.chunks_skipped) == (8, 8, 0)
    assert_same_as_simulate(tmp_path / "out.zarr", references)
    # a second run finds every chunk done and computes nothing
    again = batch.run_batch(spec, tmp_path / "out.zarr", client=client, progress=False)
    assert (again.chunks_computed, again.chunks_skipped) == (0, 8)
    # the summary: probability of depletion and first-depletion shares as simulate gives them
    summaries, table, by_year = batch.summarize_store(tmp_path / "out.zarr", years=[2025, 2030])
    for job, ref in references.items():
        s = summaries[job]
        np.testing.assert_array_equal(s.probability_of_depletion.values, ref.probability_of_depletion.values)
        dy = ref.depletion_year.values
        assert float(s.not_depleted) == np.isnan(dy).mean()
        ab = np.percentile(ref.actuarial_balance.values, [5, 25, 50, 75, 95])
        np.testing.assert_allclose(table.loc[job, [f"actuarial balance P{p} (% of covered wage bill)"
                                                   for p in (5, 25, 50, 75, 95)]].astype(float), 100 * ab, rtol=1e-12)
        months = (ref.fund_balance.clip(min=0) / (ref.total_expenditure / 12)).sel(year=2030).values
        assert table.loc[job, "balance months 2030 P50 (months; balance floored at 0)"] == pytest.approx(
            np.median(months), rel=1e-12)
        assert by_year.loc[(job, 2030), "probability of depletion by the year (%)"] == pytest.approx(
            100 * float(ref.probability_of_depletion.sel(year=2030)))


KILLER = """
import os, signal, sys
from sibrisk import batch

calls = []
original = batch._mark_done

def mark_then_die(group, i):
    calls.append(i)
    if len(calls) == 3:  # the third chunk's data is written, its flag is not: killed between the two
        os.kill(os.getpid(), signal.SIGKILL)
    original(group, i)

batch._mark_done = mark_then_die
batch.run_batch(sys.argv[1], sys.argv[2], n_workers=2, processes=False, progress=False)
"""


def test_killed_run_resumes_without_recomputing_or_losing_chunks(tmp_path, client, references):
    spec = write_spec(tmp_path)
    store = tmp_path / "killed.zarr"
    proc = subprocess.run([sys.executable, "-c", KILLER, str(spec), str(store)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    import zarr

    root = zarr.open_group(str(store), mode="r")
    done = sum(int(root[j]["chunk_done"][:].sum()) for j in references)
    assert done == 2  # two chunks marked; the third was written but not marked
    res = batch.run_batch(spec, store, client=client, progress=False)
    assert (res.chunks_computed, res.chunks_skipped) == (6, 2)
    assert_same_as_simulate(store, references)


def test_a_store_of_other_inputs_is_refused_then_overwritten(tmp_path, client):
    spec = write_spec(tmp_path)
    store = tmp_path / "s.zarr"
    small = SPEC.replace(f"n_scenarios = {N}", "n_scenarios = 3").replace(f"chunk_size = {CHUNK}", "chunk_size = 2")
    batch.run_batch(write_spec(tmp_path, small, "small.toml"), store, client=client, progress=False)
    with pytest.raises(SibriskError, match="computed from other inputs"):
        batch.run_batch(spec, store, client=client, progress=False)
    res = batch.run_batch(spec, store, client=client, progress=False, overwrite=True)
    assert res.chunks_computed == 8


def test_stream_summary_equals_simulate(references):
    sc = sibrisk.load_scenario(SCEN / "enterprise_pension_national.toml").with_updates({"projection.years": YEARS})
    ref = references["enterprise_pension_national.short.seed5"]
    s = batch.stream_summary(sc, N, seed=5, chunk_size=CHUNK, progress=False)
    assert sorted(v for v in s.data_vars if "scenario" in s[v].dims) == sorted(batch.STREAM_VARIABLES)
    for v in batch.STREAM_VARIABLES:
        np.testing.assert_array_equal(s[v].values, ref[v].values, err_msg=v)
    np.testing.assert_array_equal(s.probability_of_depletion.values, ref.probability_of_depletion.values)
    floored = ref.fund_balance.clip(min=0).quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim="scenario").values
    np.testing.assert_allclose(s.fund_balance_floored_pct.values, floored, rtol=1e-14)
    assert "benefit_expenditure" not in s and "contributors_by_age" not in s


def test_summarize_by_hand():
    import xarray as xr

    # three scenarios, four years: depleted in 2002, in 2003, never
    bal = np.array([[5.0, -1.0, -2.0, -3.0], [5.0, 4.0, -1.0, -2.0], [5.0, 6.0, 7.0, 8.0]])
    exp = np.full_like(bal, 12.0)
    ds = xr.Dataset({"fund_balance": (("scenario", "year"), bal), "total_expenditure": (("scenario", "year"), exp)},
                    coords={"year": [2000, 2001, 2002, 2003]})
    s = batch.summarize(ds, percentiles=[10, 50, 90])
    np.testing.assert_array_equal(s.probability_of_depletion.values, [0, 1 / 3, 2 / 3, 2 / 3])
    np.testing.assert_array_equal(s.share_first_depleted.values, [0, 1 / 3, 1 / 3, 0])
    assert float(s.not_depleted) == pytest.approx(1 / 3)
    # inverted CDF: P10 the first depletion (2001), P50 the second (2002), P90 not depleted (NaN)
    np.testing.assert_array_equal(s.depletion_year_pct.values, [2001, 2002, np.nan])
    # balance months floored at 0 in 2001: 0, 4, 6 months (expenditure 12 a year = 1 a month)
    np.testing.assert_allclose(s.balance_months_floored_pct.sel(year=2001).values, [0.8, 4.0, 5.6])


@pytest.mark.parametrize("change, field, value", [
    (("n_scenarios = 40", "n_scenarios = 0"), "n_scenarios", "0"),
    (("n_scenarios = 40", 'n_scenarios = "40"'), "n_scenarios", "'40'"),
    (("seeds = [5]", "seeds = [5, 5]"), "seeds", "[5, 5]"),
    (('name = "test"', 'name = "test"\nwrkers = 3'), "wrkers", "3"),
    (('"projection.years" = 12', '"projection.yeers" = 12'), "variants[0] (short).updates.projection.yeers", "12"),
    (('"projection.years" = 12', '"projection.years" = -3'), "variants[0] (short).updates.projection.years", "-3"),
    (('name = "test"', 'name = "test"\nfunds = ["pension"]'), "funds", "'pension'"),
    (('name = "test"', 'name = "test"\nregions = ["city_z"]'), "regions", "'city_z'"),
    (('name = "test"', 'name = "test"\nvariables = ["fund_balanse"]'), "variables", "'fund_balanse'"),
    (("unemployment_national.toml", "no_such_file.toml"), "scenarios[1]", "no_such_file.toml"),
    (('name = "short"', 'name = "a b"'), "variants[0].name", "'a b'"),
    (('name = "test"', 'name = "test"\ndetail_scenarios = [0, -1]'), "detail_scenarios[1]", "-1"),
    (('name = "test"', 'name = "test"\ndetail_scenarios = [40]'), "detail_scenarios[0]", "40"),
    (('name = "test"', 'name = "test"\ndetail_scenarios = [1.5]'), "detail_scenarios[0]", "1.5"),
    (('name = "test"', 'name = "test"\ndetail_scenarios = ["3"]'), "detail_scenarios[0]", "'3'"),
    (('name = "test"', 'name = "test"\ndetail_scenarios = [2, 2]'), "detail_scenarios[1]", "2"),
    (('name = "test"', 'name = "test"\ndetail_scenarios = 3'), "detail_scenarios", "3"),
])
def test_spec_errors_name_file_field_and_value(tmp_path, change, field, value):
    old, new = change
    assert old in SPEC
    spec = write_spec(tmp_path, SPEC.replace(old, new))
    with pytest.raises(InputError) as err:
        batch.expand_jobs(batch.load_spec(spec))
    assert err.value.file == str(spec)
    assert err.value.field == field
    assert value in str(err.value)
    assert not (tmp_path / "spec.zarr").exists()


def test_example_spec_expands():
    spec = batch.load_spec(SCEN / "batch" / "example.toml")
    jobs = batch.expand_jobs(spec)
    names = [j.name for j in jobs]
    # national pension x 2 variants, three pooling regions x 2 variants, unemployment x baseline only
    assert len(jobs) == 9 and "unemployment_national.baseline.seed42" in names
    assert "example_province_enterprise_pension.city_b.employer_rate_18.seed42" in names
    raised = next(j for j in jobs if j.name == "enterprise_pension_national.employer_rate_18.seed42")
    assert raised.scenario.series("contributions.employer_rate")[raised.scenario.years == 2026] == 0.18
    assert raised.scenario.series("contributions.employer_rate")[raised.scenario.years == 2025] == 0.16


def test_cli_batch_writes_store_tables_and_charts(tmp_path, capsys):
    from sibrisk.cli import main

    small = SPEC.replace(f"n_scenarios = {N}", "n_scenarios = 6").replace(f"chunk_size = {CHUNK}", "chunk_size = 4")
    spec = write_spec(tmp_path, small)
    out = tmp_path / "out"
    assert main(["batch", str(spec), "--out", str(out), "--in-process", "--workers", "2", "--format", "csv",
                 "--format", "xlsx", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "4 chunks computed, 0 already in the store" in printed
    import pandas as pd

    table = pd.read_csv(out / "spec_summary.csv", index_col="job")
    assert list(table.index) == ["enterprise_pension_national.short.seed5", "unemployment_national.short.seed5"]
    assert "P(depleted by 2030) (%)" in table.columns and table["scenarios"].tolist() == [6, 6]
    sheets = pd.read_excel(out / "spec_summary.xlsx", sheet_name=None)
    assert set(sheets) == {"summary", "depletion_by_year"}
    assert len(sheets["depletion_by_year"]) == 2 * YEARS
    assert (out / "spec_enterprise_pension_national.short.seed5.png").stat().st_size > 10_000
    # run again: nothing recomputed, the same table
    assert main(["batch", str(spec), "--out", str(out), "--in-process", "--no-plot", "--no-progress"]) == 0
    assert "0 chunks computed, 4 already in the store" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(out / "spec_summary.csv", index_col="job"), table)


def test_variables_restrict_the_store_but_keep_what_the_summary_needs(tmp_path, client, references):
    small = SPEC.replace(f"n_scenarios = {N}", "n_scenarios = 4").replace(
        'name = "test"', 'name = "test"\nvariables = ["balance_months"]')
    store = tmp_path / "v.zarr"
    batch.run_batch(write_spec(tmp_path, small), store, client=client, progress=False)
    job = "enterprise_pension_national.short.seed5"
    ds = batch.open_job(store, job).load()
    assert sorted(ds.data_vars) == sorted(["balance_months", *batch.SUMMARY_NEEDS])
    np.testing.assert_array_equal(ds.balance_months.values, references[job].balance_months.values[:4])


def test_cli_refuses_zero_workers(tmp_path, capsys):
    from sibrisk.cli import main

    assert main(["batch", str(write_spec(tmp_path)), "--out", str(tmp_path / "o"), "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_province_of_a_multi_region_scenario_is_the_sum_of_its_regions(tmp_path, client):
    from sibrisk.regions import province_total

    text = SPEC.replace(f'"{SCEN / "unemployment_national.toml"}"', "").replace(
        "enterprise_pension_national.toml", "example_province_enterprise_pension.toml").replace(
        f"n_scenarios = {N}", "n_scenarios = 12").replace(f"chunk_size = {CHUNK}", "chunk_size = 6")
    store = tmp_path / "p.zarr"
    res = batch.run_batch(write_spec(tmp_path, text), store, client=client, progress=False)
    assert [j.region for j in res.jobs] == ["city_a", "city_b", "city_c"]
    summaries, table, _ = batch.summarize_store(store, years=[2030])
    job = "example_province_enterprise_pension.province.short.seed5"
    assert table.loc[job, "region"] == "Example province (ILLUSTRATIVE)"
    sc = sibrisk.load_scenario(SCEN / "example_province_enterprise_pension.toml").with_updates(
        {"projection.years": YEARS})
    ref = province_total(simulate(sc, 12, seed=5))
    s = summaries[job]
    np.testing.assert_array_equal(s.probability_of_depletion.values, ref.probability_of_depletion.values)
    np.testing.assert_allclose(s.actuarial_balance_pct.values,
                               np.percentile(ref.actuarial_balance.values, [5, 25, 50, 75, 95]), rtol=1e-12)
    np.testing.assert_allclose(s.fund_balance_floored_pct.values,
                               np.percentile(ref.fund_balance.clip(min=0).values, [5, 25, 50, 75, 95], axis=0),
                               rtol=1e-12)


def test_public_batch_api():
    import inspect

    assert "batch" in sibrisk.__all__ and callable(sibrisk.batch.run_batch)
    assert list(inspect.signature(sibrisk.batch.run_batch).parameters)[:2] == ["spec", "store"]
    assert list(inspect.signature(sibrisk.batch.stream_summary).parameters)[:4] == [
        "scenario", "n_scenarios", "seed", "chunk_size"]
    assert "detail_scenarios" in inspect.signature(sibrisk.batch.stream_summary).parameters
    assert "detail_scenarios" in inspect.signature(sibrisk.simulate).parameters
    assert list(inspect.signature(sibrisk.batch.open_age_detail).parameters) == ["store", "job"]
    assert list(inspect.signature(sibrisk.stochastic.age_detail).parameters)[:3] == [
        "scenario", "detail_scenarios", "seed"]


def test_scheduler_address_runs_on_an_existing_cluster(tmp_path, client, references):
    small = SPEC.replace(f"n_scenarios = {N}", "n_scenarios = 3").replace(f"chunk_size = {CHUNK}", "chunk_size = 2")
    store = tmp_path / "sched.zarr"
    res = batch.run_batch(write_spec(tmp_path, small), store, scheduler=client.scheduler.address, progress=False)
    assert res.chunks_computed == 4
    job = "unemployment_national.short.seed5"
    np.testing.assert_array_equal(batch.open_job(store, job).fund_balance.values,
                                  references[job].fund_balance.values[:3])


def test_detail_scenarios_keep_those_scenarios_age_detail_in_the_store(tmp_path, client, references):
    """Spec key ``detail_scenarios``: each job's age detail of those scenarios in ``JOB/age_detail``, the numbers of
    ``simulate(..., keep_detail=True)``; the per-scenario series unchanged; a second run computes nothing; another
    list recomputes only the detail (the chunks stay done)."""
    spec_text = SPEC.replace('name = "test"', 'name = "test"\ndetail_scenarios = [0, 17]')
    spec = write_spec(tmp_path, spec_text)
    store = tmp_path / "d.zarr"
    res = batch.run_batch(spec, store, client=client, progress=False)
    assert (res.chunks_computed, res.details_computed) == (8, 2)
    assert_same_as_simulate(store, references)  # the job groups read as before (the detail is a subgroup)
    for job in references:
        stem = job.split(".")[0]
        sc = sibrisk.load_scenario(SCEN / f"{stem}.toml").with_updates({"projection.years": YEARS})
        full = simulate(sc, N, seed=5, keep_detail=True, chunk_size=CHUNK, progress=False)
        detail = batch.open_age_detail(store, job).load()
        assert detail.detail_scenario.values.tolist() == [0, 17]
        names = [v for v in full.data_vars if "age" in full[v].dims]
        assert names and sorted(detail.data_vars) == sorted(names)
        for v in names:
            assert detail[v].dims == ("detail_scenario", "year", "age", "sex")
            np.testing.assert_array_equal(detail[v].values, full[v].sel(scenario=[0, 17]).values, err_msg=v)
        assert detail.sex.values.tolist() == full.sex.values.tolist()
    again = batch.run_batch(spec, store, client=client, progress=False)
    assert (again.chunks_computed, again.details_computed) == (0, 0)
    other = batch.run_batch(write_spec(tmp_path, spec_text.replace("[0, 17]", "[3]")), store, client=client,
                            progress=False)
    assert (other.chunks_computed, other.chunks_skipped, other.details_computed) == (0, 8, 2)
    job = "enterprise_pension_national.short.seed5"
    assert batch.open_age_detail(store, job).detail_scenario.values.tolist() == [3]
    # killed after a job's detail arrays were written but before its flag: that detail alone is computed again
    import zarr

    group = zarr.open_group(str(store), mode="a")[job]
    group.attrs.update({"age_detail_scenarios": []})
    resumed = batch.run_batch(write_spec(tmp_path, spec_text.replace("[0, 17]", "[3]")), store, client=client,
                              progress=False)
    assert (resumed.chunks_computed, resumed.details_computed) == (0, 1)
    assert batch.open_age_detail(store, job).detail_scenario.values.tolist() == [3]


def test_a_job_without_age_detail_says_how_to_get_it(tmp_path, client):
    small = SPEC.replace(f"n_scenarios = {N}", "n_scenarios = 2").replace(f"chunk_size = {CHUNK}", "chunk_size = 2")
    store = tmp_path / "n.zarr"
    batch.run_batch(write_spec(tmp_path, small), store, client=client, progress=False)
    with pytest.raises(SibriskError, match="detail_scenarios"):
        batch.open_age_detail(store, "enterprise_pension_national.short.seed5")
