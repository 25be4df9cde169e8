"""Pooling regions: a scenario with [regions.<id>] tables gains a region dimension; the province is their sum."""

import numpy as np
import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.regions import additive_variables, province_total

EXAMPLE = "example_province_enterprise_pension"


@pytest.fixture(scope="module")
def province():
    sc = sibrisk.load_scenario(EXAMPLE)
    return sc, sibrisk.project(sc, keep_detail=False)


def test_regions_take_their_own_fields_and_the_rest_from_the_base(province):
    sc, _ = province
    regions = sc.region_scenarios()
    assert list(regions) == ["city_a", "city_b", "city_c"]
    a = regions["city_a"]
    assert a.initial.contributors == 6.0e6 and a.initial.fund_balance == 1.5e11
    assert a.meta.region == "City A (provincial capital)"
    national = sibrisk.load_scenario("enterprise_pension_national")
    # fields the region does not name come from the file it extends
    assert a.contributions == national.contributions
    assert a.economy.wage_growth == national.economy.wage_growth
    assert a.economy.collection_rate == 0.85 != national.economy.collection_rate


def test_each_region_equals_its_own_single_region_projection(province):
    sc, ds = province
    b = sc.region_scenarios()["city_b"]
    alone = sibrisk.project(b, keep_detail=False)
    np.testing.assert_array_equal(ds.fund_balance.sel(region="city_b").values, alone.fund_balance.values)


def test_province_total_is_the_sum_of_its_regions(province):
    _, ds = province
    tot = province_total(ds)
    for name in additive_variables(ds):
        np.testing.assert_allclose(tot[name], ds[name].sum("region"), rtol=1e-14)
    # roll-forward identity per region and for the province
    for d in [ds.sel(region=r) for r in ds.region.values] + [tot]:
        closing = d.opening_balance + d.total_income - d.total_expenditure
        np.testing.assert_allclose(closing, d.fund_balance, rtol=1e-12)
    # ratios are recomputed from the sums, not averaged
    months = tot.fund_balance / (tot.total_expenditure / 12)
    np.testing.assert_allclose(tot.balance_months, months, rtol=1e-12)
    assert not np.allclose(tot.balance_months, ds.balance_months.mean("region"))


def test_regions_share_the_stochastic_economy(province):
    sc, _ = province
    sims = sibrisk.simulate(sc, 20, seed=3, progress=False)
    assert sims.fund_balance.dims == ("region", "scenario", "year")
    # scenario i draws the same wage path in every region
    wage = sims.average_wage
    np.testing.assert_array_equal(wage.sel(region="city_a").values, wage.sel(region="city_c").values)
    assert float(wage.std("scenario").isel(year=-1).max()) > 0


def test_bad_region_names_region_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    shipped = sibrisk.scenario.shipped_scenarios_dir() / "enterprise_pension_national.toml"
    bad.write_text(f'extends = "{shipped.as_posix()}"\n[regions.x.initial]\ncontributors = -5.0\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        sibrisk.load_scenario(bad)
    msg = str(info.value)
    assert str(bad) in msg and "regions.x.initial.contributors" in msg and "-5.0" in msg


def test_extends_errors(tmp_path):
    loop = tmp_path / "loop.toml"
    loop.write_text('extends = "loop.toml"\n', encoding="utf-8")
    with pytest.raises(InputError, match="cycle"):
        sibrisk.load_scenario(loop)
    missing = tmp_path / "m.toml"
    missing.write_text('extends = "nowhere.toml"\n', encoding="utf-8")
    with pytest.raises(InputError, match="extends.*nowhere.toml.*no such scenario file"):
        sibrisk.load_scenario(missing)


def test_province_total_needs_regions(default_projection):
    with pytest.raises(ValueError, match="region"):
        province_total(default_projection)


def test_region_without_population_names_region_and_field(tmp_path):
    """A population-based fund's region must have people: a scale of 0 is refused, naming the region."""
    shipped = sibrisk.scenario.shipped_scenarios_dir() / "resident_medical_national.toml"
    bad = tmp_path / "regions.toml"
    bad.write_text(f'extends = "{shipped.as_posix()}"\n[regions.empty.population]\nscale = 0.0\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        sibrisk.load_scenario(bad)
    msg = str(info.value)
    assert str(bad) in msg and "regions.empty.population.scale" in msg and "greater than 0" in msg
