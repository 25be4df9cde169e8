"""Stochastic scenarios: reproducibility, the deterministic limit, ordered quantiles, errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from sibrisk.errors import InputError
from sibrisk.stochastic import depletion_distribution, percentiles, simulate


@pytest.fixture(scope="module")
def sim200(default_scenario):
    return simulate(default_scenario, 200, seed=7, chunk_size=64)


def test_shape_and_labels(sim200):
    ds = sim200
    assert ds.fund_balance.dims == ("scenario", "year")
    assert ds.sizes["scenario"] == 200 and "contributors_by_age" not in ds
    assert ds.depletion_year.dims == ("scenario",)
    assert ds.actuarial_balance.dims == ("scenario",)
    assert ds.fund_balance.attrs["units"] == "yuan"
    assert ds.attrs["seed"] == 7 and ds.attrs["n_scenarios"] == 200
    # the base year is history: identical in every scenario
    assert np.ptp(ds.fund_balance.sel(year=2021).values) == 0.0
    # later years differ
    assert np.ptp(ds.fund_balance.sel(year=2040).values) > 0.0


def test_roll_forward_closes_in_every_scenario(sim200):
    ds = sim200
    closing = ds.opening_balance + ds.total_income - ds.total_expenditure
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-12, atol=1e-2)


def test_scenario_i_independent_of_run_size_and_chunks(default_scenario, sim200):
    small = simulate(default_scenario, 10, seed=7, chunk_size=3)
    np.testing.assert_array_equal(small.fund_balance.values, sim200.fund_balance.values[:10])
    serial = simulate(default_scenario, 10, seed=7, parallel=False)
    np.testing.assert_array_equal(serial.fund_balance.values, small.fund_balance.values)
    other_seed = simulate(default_scenario, 10, seed=8)
    assert not np.array_equal(other_seed.fund_balance.values, small.fund_balance.values)


def test_chunks_across_random_stream_blocks_give_the_same_scenarios(default_scenario):
    # draws come in blocks of 256 scenarios (sibrisk.random.BLOCK): chunks of 97 cut blocks at 97, 194, 291, and the
    # chunk 194..290 spans the block boundary at 256; one chunk of 300, serial, must give the same numbers
    from sibrisk.random import BLOCK

    assert BLOCK == 256
    one = simulate(default_scenario, 300, seed=11, chunk_size=300, parallel=False, indicators=False)
    cut = simulate(default_scenario, 300, seed=11, chunk_size=97, indicators=False)
    np.testing.assert_array_equal(one.fund_balance.values, cut.fund_balance.values)
    np.testing.assert_array_equal(one.average_wage.values, cut.average_wage.values)
    # scenarios 250..299 of a longer run equal those of the 300 run
    longer = simulate(default_scenario, 520, seed=11, chunk_size=260, indicators=False)
    np.testing.assert_array_equal(longer.fund_balance.values[250:300], one.fund_balance.values[250:])
    # neighbouring scenarios on both sides of the block boundary differ
    assert np.unique(one.fund_balance.values[:, -1]).size == 300


def _run_with_threads(n_threads):
    # 300 scenarios in chunks of 128: the chunks cut the random-stream blocks of 256 (sibrisk.random.BLOCK)
    code = ("import sibrisk, json; ds = sibrisk.simulate(sibrisk.load_scenario('enterprise_pension_national'), 300, "
            "seed=3, chunk_size=128, indicators=False); print(json.dumps(ds.fund_balance.values[:, -1].tolist()))")
    env = {**__import__("os").environ, "NUMBA_NUM_THREADS": str(n_threads)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_same_numbers_with_one_or_two_threads():
    assert _run_with_threads(1) == _run_with_threads(2)


def test_zero_volatility_reproduces_the_deterministic_projection(default_scenario, default_projection):
    st = default_scenario.stochastic.model_dump()
    st["economy"]["volatility"] = [0.0, 0.0, 0.0]
    st["mortality"]["sigma"] = 0.0
    quiet = simulate(default_scenario.with_updates({"stochastic": st}), 5, seed=1)
    for v in ["fund_balance", "contribution_income", "benefit_expenditure", "balance_months"]:
        np.testing.assert_allclose(quiet[v].values, np.broadcast_to(default_projection[v].values, quiet[v].shape),
                                   rtol=1e-13)


def test_quantiles_ordered_and_probability_non_decreasing(sim200):
    pct = percentiles(sim200)
    assert (pct.fund_balance.diff("percentile") >= 0).all()
    assert (pct.balance_months.diff("percentile") >= 0).all()
    prob = sim200.probability_of_depletion
    assert (prob.diff("year") >= 0).all() and float(prob.min()) >= 0 and float(prob.max()) <= 1
    dist = depletion_distribution(sim200)
    total = float(dist.share_first_depleted.sum() + dist.not_depleted)
    assert total == pytest.approx(1.0)
    # the cumulative first-depletion shares are the probability of depletion
    np.testing.assert_allclose(dist.share_first_depleted.cumsum("year"), prob, atol=1e-12)


def test_wider_shocks_wider_band(default_scenario, sim200):
    st = default_scenario.stochastic.model_dump()
    st["economy"]["volatility"] = [2 * v for v in st["economy"]["volatility"]]
    wide = simulate(default_scenario.with_updates({"stochastic": st}), 200, seed=7)
    spread = lambda ds: float(ds.fund_balance.sel(year=2040).quantile(0.95) - ds.fund_balance.sel(year=2040).quantile(0.05))  # noqa: E731
    assert spread(wide) > 1.5 * spread(sim200)


@pytest.mark.parametrize("kwargs, field", [
    (dict(n_scenarios=0), "n_scenarios"), (dict(n_scenarios=-5), "n_scenarios"), (dict(n_scenarios=2.5), "n_scenarios"),
    (dict(n_scenarios=2, seed=-1), "seed"), (dict(n_scenarios=2, chunk_size=0), "chunk_size"),
])
def test_bad_arguments(default_scenario, kwargs, field):
    with pytest.raises(InputError, match=field):
        simulate(default_scenario, **kwargs)


def test_bad_stochastic_section(tmp_path, default_scenario):
    st = default_scenario.stochastic.model_dump()
    st["economy"]["correlation"] = [[1.0, 0.99, 0.0], [0.99, 1.0, 0.99], [0.0, 0.99, 1.0]]
    with pytest.raises(InputError, match="stochastic.economy.*positive definite"):
        default_scenario.with_updates({"stochastic": st})
    st = default_scenario.stochastic.model_dump()
    st["economy"]["volatility"] = [0.01]
    with pytest.raises(InputError, match="one value per variable"):
        default_scenario.with_updates({"stochastic": st})


def test_cli_stochastic(tmp_path, capsys):
    from sibrisk.cli import main

    assert main(["run", "--scenarios", "50", "--seed", "1", "--out", str(tmp_path), "--start", "2030", "--years", "20",
                 "--valuation-years", "25"]) == 0
    text = capsys.readouterr().out
    assert "percentiles over scenarios" in text and "P5" in text and "P95" in text
    # the balance percentiles are floored at zero after depletion (the gap is its own block): no negative balance
    block = text.split("accumulated balance (floored at 0), 亿元")[1].split("\n\n")[0]
    values = [float(v.replace(",", "")) for line in block.splitlines()[2:] for v in line.split()[1:]]
    assert values and min(values) >= 0
    assert "Probability of depletion by year" in text and "Actuarial balance 2030-2054 (25 years" in text
    stem = "enterprise_pension_national_stochastic_n50_seed1"  # named after the scenario file and the variant
    for name in [f"{stem}.nc", f"{stem}_fan_balance.png", f"{stem}_fan_months.png", f"{stem}_depletion.png"]:
        assert (tmp_path / name).stat().st_size > 1000


def test_fitted_history_with_parameter_uncertainty(default_scenario):
    from importlib import resources

    history = str(resources.files("sibrisk.data").joinpath("china_economic_history.csv"))
    econ = {"variables": ["wage_growth"], "history_csv": history}
    fitted = default_scenario.with_updates({"stochastic.economy": econ})
    uncertain = default_scenario.with_updates({"stochastic.economy": {**econ, "parameter_uncertainty": True}})
    a = simulate(fitted, 20, seed=5)
    b = simulate(uncertain, 20, seed=5)
    again = simulate(uncertain, 20, seed=5, chunk_size=7)
    np.testing.assert_array_equal(b.fund_balance.values, again.fund_balance.values)
    assert not np.array_equal(a.average_wage.values, b.average_wage.values)
    # the base year is history in both
    np.testing.assert_array_equal(a.average_wage.sel(year=2021), b.average_wage.sel(year=2021))
    with pytest.raises(InputError, match="parameter_uncertainty needs a fitted model"):
        st = default_scenario.stochastic.model_dump()
        st["economy"]["parameter_uncertainty"] = True
        default_scenario.with_updates({"stochastic": st})
