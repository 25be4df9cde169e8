import numpy as np
import pytest

from sibrisk.errors import InputError
from sibrisk.random import COMPONENTS, scenario_streams, standard_normal_block


def test_streams_are_seedsequence_spawn():
    ours = [g.standard_normal(4) for g in scenario_streams(42, 5)]
    ref = [np.random.Generator(np.random.PCG64(ss)).standard_normal(4)
           for ss in np.random.SeedSequence(42).spawn(5)]
    np.testing.assert_array_equal(np.array(ours), np.array(ref))


def test_component_stream_is_child_of_scenario_stream():
    j = COMPONENTS["mortality"]
    ours = scenario_streams(7, 3, component="mortality")[2].standard_normal(3)
    ref_ss = np.random.SeedSequence(7).spawn(3)[2].spawn(j + 1)[j]
    ref = np.random.Generator(np.random.PCG64(ref_ss)).standard_normal(3)
    np.testing.assert_array_equal(ours, ref)


def test_scenario_i_does_not_depend_on_run_size():
    big = standard_normal_block(42, 1000, 12, 3)
    small = standard_normal_block(42, 10, 12, 3)
    np.testing.assert_array_equal(big[:10], small)
    assert big.shape == (1000, 12, 3)


def test_chunks_with_start_reassemble_the_run():
    whole = standard_normal_block(3, 10, 5, 2)
    parts = np.concatenate([standard_normal_block(3, 4, 5, 2), standard_normal_block(3, 6, 5, 2, start=4)])
    np.testing.assert_array_equal(whole, parts)


def test_same_seed_same_numbers_other_seed_or_component_other_numbers():
    a = standard_normal_block(1, 4, 6, 2)
    np.testing.assert_array_equal(a, standard_normal_block(1, 4, 6, 2))
    assert not np.allclose(a, standard_normal_block(2, 4, 6, 2))
    assert not np.allclose(a, standard_normal_block(1, 4, 6, 2, component="mortality"))


def test_draws_are_standard_normal():
    z = standard_normal_block(0, 2000, 10, 2)
    assert abs(z.mean()) < 0.02  # s.e. 1/sqrt(40000) = 0.005
    assert abs(z.std() - 1) < 0.02
    # independent across variables and scenarios
    assert abs(np.corrcoef(z[:, :, 0].ravel(), z[:, :, 1].ravel())[0, 1]) < 0.03


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_scenario_count(n):
    with pytest.raises(InputError, match="n_scenarios"):
        scenario_streams(1, n)


def test_bad_seed_and_component():
    with pytest.raises(InputError, match="seed"):
        scenario_streams(-1, 3)
    with pytest.raises(InputError, match="component"):
        scenario_streams(1, 3, component="weather")
    with pytest.raises(InputError, match="start"):
        scenario_streams(1, 3, start=-2)


def test_positional_start_and_500_500_chunks_equal_one_1000_run():
    whole = standard_normal_block(42, 1000, 3, 2)
    halves = np.concatenate([standard_normal_block(42, 500, 3, 2, 0), standard_normal_block(42, 500, 3, 2, 500)])
    np.testing.assert_array_equal(whole, halves)
    g = scenario_streams(42, 2, 998)  # scenarios 998 and 999
    np.testing.assert_array_equal(g[1].standard_normal(4), scenario_streams(42, 1000)[999].standard_normal(4))


def test_economic_and_mortality_draws_do_not_disturb_each_other():
    # more economic variables (more draws from the economic child) leave the mortality child unchanged
    mort = standard_normal_block(5, 3, 10, 1, component="mortality")
    standard_normal_block(5, 3, 10, 7, component="economic")
    np.testing.assert_array_equal(mort, standard_normal_block(5, 3, 10, 1, component="mortality"))
    # a longer horizon keeps the earlier years' draws (rows are drawn year by year, variables within a year)
    two = standard_normal_block(5, 3, 10, 2)
    np.testing.assert_array_equal(two.reshape(3, -1)[:, :6], standard_normal_block(5, 3, 3, 2).reshape(3, -1))
