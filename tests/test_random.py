import numpy as np
import pytest
from scipy import stats

from sibrisk.errors import InputError
from sibrisk.random import BLOCK, COMPONENTS, block_generator, component_key, scenario_streams, standard_normal_block


def _philox(key, counter):
    return np.random.Generator(np.random.Philox(key=np.array(key, np.uint64), counter=np.array(counter, np.uint64)))


def test_blocks_follow_the_documented_scheme():
    # key = SeedSequence(seed, spawn_key=(component index,)) -> 2 words; block b = Philox at counter (0, 0, b, 0),
    # drawn year by year as (T, BLOCK, V); scenario 300 = block 1, row 44
    key = np.random.SeedSequence(42, spawn_key=(COMPONENTS["mortality"],)).generate_state(2, np.uint64)
    assert component_key(42, "mortality") == (int(key[0]), int(key[1]))
    ref = _philox(key, (0, 0, 1, 0)).standard_normal((6, BLOCK, 2))[:, 300 - BLOCK, :]
    np.testing.assert_array_equal(standard_normal_block(42, 1, 6, 2, start=300, component="mortality")[0], ref)
    np.testing.assert_array_equal(block_generator(42, "mortality", 1).standard_normal(3),
                                  _philox(key, (0, 0, 1, 0)).standard_normal(3))


def test_scenario_streams_follow_the_documented_scheme():
    key = np.random.SeedSequence(7, spawn_key=(COMPONENTS["parameters"],)).generate_state(2, np.uint64)
    ours = scenario_streams(7, 3, start=5)[2].standard_normal(4)  # scenario 7
    np.testing.assert_array_equal(ours, _philox(key, (0, 0, 7, 1)).standard_normal(4))


def test_scenario_i_does_not_depend_on_run_size():
    big = standard_normal_block(42, 1000, 12, 3)
    small = standard_normal_block(42, 10, 12, 3)
    np.testing.assert_array_equal(big[:10], small)
    assert big.shape == (1000, 12, 3)


def test_chunks_with_start_reassemble_the_run():
    whole = standard_normal_block(3, 10, 5, 2)
    parts = np.concatenate([standard_normal_block(3, 4, 5, 2), standard_normal_block(3, 6, 5, 2, start=4)])
    np.testing.assert_array_equal(whole, parts)


@pytest.mark.parametrize("cuts", [(0, 1000), (0, 250, 1000), (0, 255, 256, 257, 600, 1000), (0, 7, 519, 1000)])
def test_any_chunking_across_block_boundaries_reassembles_the_run(cuts):
    whole = standard_normal_block(11, 1000, 4, 3)
    parts = np.concatenate([standard_normal_block(11, b - a, 4, 3, start=a) for a, b in zip(cuts[:-1], cuts[1:])])
    np.testing.assert_array_equal(whole, parts)


def test_same_seed_same_numbers_other_seed_or_component_other_numbers():
    a = standard_normal_block(1, 4, 6, 2)
    np.testing.assert_array_equal(a, standard_normal_block(1, 4, 6, 2))
    assert not np.allclose(a, standard_normal_block(2, 4, 6, 2))
    assert not np.allclose(a, standard_normal_block(1, 4, 6, 2, component="mortality"))


def test_draws_are_independent_standard_normal():
    z = standard_normal_block(0, 2000, 10, 2)  # 8 blocks (the last one partly used)
    assert abs(z.mean()) < 0.02  # s.e. 1/sqrt(40000) = 0.005
    assert abs(z.std() - 1) < 0.02
    assert stats.kstest(z.ravel(), "norm").pvalue > 1e-3
    # independent across variables, across scenarios in a block, across blocks, and across years
    assert abs(np.corrcoef(z[:, :, 0].ravel(), z[:, :, 1].ravel())[0, 1]) < 0.03
    assert abs(np.corrcoef(z[:BLOCK].ravel(), z[BLOCK:2 * BLOCK].ravel())[0, 1]) < 0.03
    assert abs(np.corrcoef(z[:-1].ravel(), z[1:].ravel())[0, 1]) < 0.03  # neighbouring scenarios
    assert abs(np.corrcoef(z[:, :-1].ravel(), z[:, 1:].ravel())[0, 1]) < 0.03  # consecutive years
    # no two scenarios share a path
    assert np.unique(z[:, 0, 0]).size == z.shape[0]


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_scenario_count(n):
    with pytest.raises(InputError, match="n_scenarios"):
        scenario_streams(1, n)
    with pytest.raises(InputError, match="n_scenarios"):
        standard_normal_block(1, n, 3)


def test_bad_seed_and_component():
    with pytest.raises(InputError, match="seed"):
        scenario_streams(-1, 3)
    with pytest.raises(InputError, match="component"):
        scenario_streams(1, 3, component="weather")
    with pytest.raises(InputError, match="start"):
        scenario_streams(1, 3, start=-2)
    with pytest.raises(InputError, match="start"):
        standard_normal_block(1, 3, 2, start=-2)


def test_positional_start_and_500_500_chunks_equal_one_1000_run():
    whole = standard_normal_block(42, 1000, 3, 2)
    halves = np.concatenate([standard_normal_block(42, 500, 3, 2, 0), standard_normal_block(42, 500, 3, 2, 500)])
    np.testing.assert_array_equal(whole, halves)
    g = scenario_streams(42, 2, 998)  # scenarios 998 and 999
    np.testing.assert_array_equal(g[1].standard_normal(4), scenario_streams(42, 1000)[999].standard_normal(4))


def test_economic_and_mortality_draws_do_not_disturb_each_other():
    # more economic variables (more draws from the economic key) leave the mortality draws unchanged
    mort = standard_normal_block(5, 3, 10, 1, component="mortality")
    standard_normal_block(5, 3, 10, 7, component="economic")
    np.testing.assert_array_equal(mort, standard_normal_block(5, 3, 10, 1, component="mortality"))
    # a longer horizon keeps the earlier years' draws (blocks are drawn year by year, variables within a year)
    np.testing.assert_array_equal(standard_normal_block(5, 300, 10, 2)[:, :3], standard_normal_block(5, 300, 3, 2))


def test_per_scenario_streams_are_not_the_block_streams():
    # scenario streams sit at counter (0, 0, i, 1), blocks at (0, 0, b, 0): scenario 0's stream is not block 0's
    a = scenario_streams(3, 1, component="economic")[0].standard_normal(5)
    b = block_generator(3, "economic", 0).standard_normal(5)
    assert not np.allclose(a, b)
