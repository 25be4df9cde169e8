"""The shared population core: a hand-computed year, conservation, the shipped UN data, mortality tables."""

import numpy as np
import pytest

import sibrisk
from sibrisk.demography import lifetable
from sibrisk.demography.population import _step, base_stock, fertility_schedule, population_paths


def test_one_year_by_hand():
    P = np.zeros((1, 101, 2))
    P[0, 29, 1] = 1000.0   # women aged 29
    P[0, 99, 0] = 200.0    # men 99
    P[0, 100, 0] = 100.0   # men 100+
    q = np.full((1, 101, 2), 0.1)
    f = np.zeros(101)
    f[30] = 0.05
    new, births, deaths = _step(P, q, f, 1.0, None)
    assert new[0, 30, 1] == pytest.approx(900.0)
    # births = 0.05 x (1000 women at 29 last year-end, aged 30 now + 900 at year end) / 2 = 47.5
    assert births[0] == pytest.approx(47.5)
    # half boys, half girls (srb 1), infants dying at half the age-0 rate: 23.75 x (1 - 0.05)
    assert new[0, 0, 0] == pytest.approx(22.5625) and new[0, 0, 1] == pytest.approx(22.5625)
    # open group: 200 x 0.9 + 100 x 0.9
    assert new[0, 100, 0] == pytest.approx(270.0)
    # deaths: 10% of 1300 + infants dying at half the age-0 rate, 47.5 x 0.1 / 2
    assert deaths[0] == pytest.approx(130.0 + 2.375)
    assert P.sum() + births[0] - deaths[0] == pytest.approx(new.sum())


def test_shipped_base_stock_matches_the_un_extract():
    b = base_stock(2021)
    # WPP 2022, China 2021, ages 0..99: 1,425,852.491 thousand (data/SOURCES.md)
    assert b[:100].sum() == pytest.approx(1_425_852_491.0, abs=100)  # rounding of the two sexes
    assert b[60:].sum() / b.sum() == pytest.approx(0.1807, abs=0.0005)
    # the estimated 100+ group is small (tens of thousands)
    assert 1e4 < b[100].sum() < 1e5
    assert fertility_schedule(2021).sum() == pytest.approx(1.11744, rel=1e-6)  # WPP 2024 TFR 2021


def test_wpp_life_table_life_expectancy():
    # WPP 2024 publishes male e0 74.83 for 2015-2020; our single-age derivation (no graduation) gives 74.7
    q = lifetable.qx("wpp2024_china", "male_2015_2020", np.arange(0, 101))
    lx = np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
    e0 = lx[1:].sum() + 0.5 + lx[-1] * (1 / q[-1] - 1)
    assert e0 == pytest.approx(74.83, abs=0.2)


@pytest.fixture(scope="module")
def population_scenario():
    sc = sibrisk.load_scenario("enterprise_pension_national")
    return sc.with_updates({"mortality.table": "wpp2024_china", "mortality.male": "male_2015_2020",
                            "mortality.female": "female_2015_2020", "mortality.table_year": 2017})


def test_projection_conserves_people(population_scenario):
    p = population_paths(population_scenario, 2)
    tot = p.stock.sum(axis=(2, 3))
    np.testing.assert_allclose(tot[:, 1:], tot[:, :-1] + p.births[:, 1:] - p.deaths[:, 1:], rtol=1e-12)
    # 2022: about 10 million births and deaths (NBS: 9.56 and 10.41 million); the model is within 10% of each
    assert p.births[0, 1] == pytest.approx(9.56e6, rel=0.1)
    assert p.deaths[0, 1] == pytest.approx(10.41e6, rel=0.1)


def test_fertility_and_mortality_matter(population_scenario):
    base = population_paths(population_scenario, 1)
    more_births = population_paths(population_scenario.with_updates({"mortality.improvement": 0.0}), 1)
    assert more_births.stock[0, -1, 80:].sum() < base.stock[0, -1, 80:].sum()  # no improvement: fewer old people


def test_stochastic_population_uses_the_mortality_draws(population_scenario):
    a = population_paths(population_scenario, 5, seed=1, stochastic=True)
    b = population_paths(population_scenario, 5, seed=1, stochastic=True)
    np.testing.assert_array_equal(a.stock, b.stock)
    assert a.stock[:, -1].sum(axis=(1, 2)).std() > 0  # the random walk on the improvement index spreads them


@pytest.mark.parametrize("uniform_b, with_migration", [(True, False), (False, True), (True, True)])
def test_compiled_years_equal_the_numpy_reference(uniform_b, with_migration):
    # the numba kernel population_paths uses against its NumPy twin (the year loop it replaced), on random inputs
    from sibrisk.demography.population import project_years_reference
    from sibrisk.demography.population_kernel import project_population

    rng = np.random.default_rng(4)
    n, n_t, n_a = 5, 7, 101
    p0 = rng.uniform(1e3, 1e6, (n, n_a, 2))
    q_base = rng.uniform(1e-4, 0.4, (n_a, 2))
    q_base[-1] = 1.0  # everyone in the open group dies within the year at the top
    mort_b = np.full((n_a, 2), -0.02) if uniform_b else rng.uniform(-0.05, 0.0, (n_a, 2))
    kappa = np.cumsum(rng.normal(1.0, 1.0, (n, n_t)), axis=1)
    fert = rng.uniform(0.0, 0.1, (n_t, n_a))
    srb = 1.12
    migr = rng.normal(0.0, 2e4, (n_t, n_a, 2)) if with_migration else np.zeros((n_t, n_a, 2))
    has_migr = np.array([with_migration and t % 2 == 1 for t in range(n_t)])
    ref = project_years_reference(p0, q_base, mort_b, kappa, fert, srb, migr, has_migr)
    stock, births, deaths = np.empty((n, n_t, n_a, 2)), np.full((n, n_t), np.nan), np.full((n, n_t), np.nan)
    project_population(p0, q_base, mort_b, uniform_b, kappa, fert, np.array([srb / (1 + srb), 1 / (1 + srb)]),
                       migr, has_migr, stock, births, deaths)
    for ours, theirs in zip((stock, births, deaths), ref):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-6)
    assert np.isnan(births[:, 0]).all() and (births[:, 1:] > 0).all()
    if with_migration:
        assert (stock >= 0).all()  # negative net migration never leaves a negative stock
