"""Age detail on request, for a few scenarios (issue 12): scenario i rerun alone with its age detail is scenario i of
the full run bit for bit (draws keyed by scenario), through ``age_detail``, ``simulate(detail_scenarios=...)`` and
``stream_summary(detail_scenarios=...)``; bad scenario numbers name the field and the value. The batch spec's
``detail_scenarios`` is tested in ``test_batch.py``."""

from pathlib import Path

import numpy as np
import pytest

import sibrisk
from sibrisk import batch
from sibrisk.errors import InputError
from sibrisk.stochastic import age_detail, simulate

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
N, YEARS, SEED = 40, 12, 5
PICK = [0, 17, 39]


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario(SCEN / "enterprise_pension_national.toml").with_updates({"projection.years": YEARS})


@pytest.fixture(scope="module")
def everything(sc):
    """Every scenario's age detail, the memory-hungry way (another chunk size, the parallel kernel)."""
    return simulate(sc, N, seed=SEED, keep_detail=True, chunk_size=7, progress=False)


def by_age(ds):
    return [v for v in ds.data_vars if "age" in ds[v].dims]


def test_streamed_run_keeps_the_age_detail_of_the_named_scenarios_only(sc, everything):
    s = batch.stream_summary(sc, N, seed=SEED, chunk_size=10, progress=False, detail_scenarios=PICK)
    detail = by_age(s)
    assert sorted(detail) == sorted(by_age(everything)) and "contributors_by_age" in detail
    for v in detail:
        assert s[v].dims == ("detail_scenario", "year", "age", "sex")
        np.testing.assert_array_equal(s[v].values, everything[v].sel(scenario=PICK).values, err_msg=v)
        assert s[v].attrs["units"] == everything[v].attrs["units"]
    assert s.detail_scenario.values.tolist() == PICK and s.attrs["detail_scenarios"] == PICK
    assert s.sizes["scenario"] == N  # the per-scenario series are still every scenario's
    for v in batch.STREAM_VARIABLES:
        np.testing.assert_array_equal(s[v].values, everything[v].values, err_msg=v)


def test_one_scenario_rerun_alone_is_that_scenario_of_the_streamed_run(sc, everything):
    streamed = batch.stream_summary(sc, N, seed=SEED, chunk_size=10, progress=False)
    alone = age_detail(sc, [17], seed=SEED, n_scenarios=N)
    assert alone.scenario.values.tolist() == [17]
    for v in batch.STREAM_VARIABLES:  # yearly figures and per-scenario indicators: bit for bit
        np.testing.assert_array_equal(alone[v].values, streamed[v].sel(scenario=[17]).values, err_msg=v)
    for v in everything.data_vars:
        if everything[v].dims[:1] == ("scenario",):  # every per-scenario variable, age detail included
            np.testing.assert_array_equal(alone[v].values, everything[v].sel(scenario=[17]).values, err_msg=v)
    assert "probability_of_depletion" not in alone  # over scenarios: meaningless for a few picked ones
    # the age detail adds up to the fund's head counts (sums in another order: to rounding)
    for v in ("contributors", "beneficiaries"):
        np.testing.assert_allclose(alone[f"{v}_by_age"].sum(["age", "sex"]).values, alone[v].values, rtol=1e-12)


def test_simulate_with_detail_scenarios(sc, everything):
    s = simulate(sc, N, seed=SEED, chunk_size=16, progress=False, detail_scenarios=[3, 30])
    for v in by_age(everything):
        np.testing.assert_array_equal(s[v].values, everything[v].sel(scenario=[3, 30]).values, err_msg=v)
    np.testing.assert_array_equal(s.fund_balance.values, everything.fund_balance.values)
    with pytest.raises(InputError, match="keep_detail=True already keeps"):
        simulate(sc, 4, seed=SEED, keep_detail=True, progress=False, detail_scenarios=[1])


def test_regions_give_each_region_its_detail():
    prov = sibrisk.load_scenario(SCEN / "example_province_enterprise_pension.toml").with_updates(
        {"projection.years": 6})
    ref = simulate(prov, 5, seed=2, keep_detail=True, progress=False)
    s = batch.stream_summary(prov, 5, seed=2, chunk_size=2, progress=False, detail_scenarios=[4, 1])
    assert s.region.values.tolist() == ref.region.values.tolist() and len(ref.region) == 3
    for v in by_age(ref):
        got = s[v].transpose("region", "detail_scenario", "year", "age", "sex").values
        want = ref[v].sel(scenario=[4, 1]).transpose("region", "scenario", "year", "age", "sex").values
        np.testing.assert_array_equal(got, want, err_msg=v)


BAD = [
    ([-1], "detail_scenarios[0]", "-1"),
    ([3, N], "detail_scenarios[1]", str(N)),
    ([2.5], "detail_scenarios[0]", "2.5"),
    (["3"], "detail_scenarios[0]", "'3'"),
    ([True], "detail_scenarios[0]", "True"),
    ([1, 1], "detail_scenarios[1]", "1"),
    (7, "detail_scenarios", "7"),
]


def test_age_detail_needs_a_scenario_and_without_a_run_size_any_number_from_0(sc):
    with pytest.raises(InputError, match="name at least one scenario"):
        age_detail(sc, [], seed=SEED)
    with pytest.raises(InputError, match=">= 0"):
        age_detail(sc, [-2], seed=SEED)
    far = age_detail(sc, [1000], seed=SEED)  # scenario 1000 of any run of more than 1000 scenarios
    assert far.scenario.values.tolist() == [1000] and "n_scenarios" not in far.attrs


@pytest.mark.parametrize("value, field, shown", BAD)
@pytest.mark.parametrize("call", ["stream_summary", "simulate", "age_detail"])
def test_bad_scenario_numbers_name_the_field_and_value(sc, call, value, field, shown):
    run = {"stream_summary": lambda: batch.stream_summary(sc, N, seed=SEED, progress=False, detail_scenarios=value),
           "simulate": lambda: simulate(sc, N, seed=SEED, progress=False, detail_scenarios=value),
           "age_detail": lambda: age_detail(sc, value, seed=SEED, n_scenarios=N)}[call]
    with pytest.raises(InputError) as err:
        run()
    assert err.value.field == field
    assert f"{field} = {shown}" in str(err.value)
