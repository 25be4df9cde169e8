"""What every fund owes the core, checked on every registered fund: its default scenario loads and projects, the
common variables exist with units, the roll-forward closes (deterministic, stochastic, by region), and a scenario
file of any fund runs through the same driver, indicators and CLI."""

import numpy as np
import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.funds.base import COMMON_VARIABLES

FUNDS = sibrisk.funds.implemented()


def test_all_seven_funds_are_modelled():
    assert set(FUNDS) == set(sibrisk.funds.FUND_IDS)
    table = sibrisk.funds.list_funds()
    assert table["modelled"].all() and len(table) == 7


def test_unknown_fund_is_a_clear_error():
    with pytest.raises(InputError, match="unknown fund.*enterprise_pension"):
        sibrisk.funds.get("pet_insurance")


@pytest.fixture(scope="module", params=FUNDS)
def fund_projection(request):
    fund = sibrisk.funds.get(request.param)
    sc = sibrisk.load_scenario(fund.default_scenario)
    return fund, sc, sibrisk.project(sc, keep_detail=False)


def test_common_variables_with_units(fund_projection):
    fund, sc, ds = fund_projection
    assert ds.attrs["fund"] == fund.id and sc.meta.fund == fund.id
    for name in [*COMMON_VARIABLES, "balance_months", "current_balance", "current_balance_before_subsidies"]:
        assert name in ds, (fund.id, name)
        assert ds[name].dims == ("year",)
        assert ds[name].attrs.get("units") and ds[name].attrs.get("long_name_zh"), (fund.id, name)
    for name in fund.excluded_indicators:
        assert name not in ds


def test_roll_forward_closes_every_year(fund_projection):
    fund, _, ds = fund_projection
    closing = ds.opening_balance + ds.total_income - ds.total_expenditure
    np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-11, atol=1e-2)
    np.testing.assert_array_equal(ds.opening_balance.values[1:], ds.fund_balance.values[:-1])
    np.testing.assert_allclose(ds.total_income, ds.contribution_income + ds.fiscal_subsidy + ds.interest_income
                               + ds.other_income, rtol=1e-14)


def test_stochastic_scenarios_close_and_spread(fund_projection):
    fund, sc, ds = fund_projection
    sims = sibrisk.simulate(sc.with_updates({"projection.years": 15}), 12, seed=11, progress=False)
    closing = sims.opening_balance + sims.total_income - sims.total_expenditure
    np.testing.assert_allclose(closing, sims.fund_balance, rtol=1e-11, atol=1e-2)
    assert float(sims.fund_balance.isel(year=-1).std("scenario")) > 0, fund.id  # the shocks reach every fund


def test_any_fund_runs_by_region(fund_projection, tmp_path):
    """Two regions of any fund's default: each is the default with its own opening balance; the province is their
    sum and the roll-forward closes in each."""
    fund, sc, _ = fund_projection
    path = tmp_path / "two_regions.toml"
    shipped = sibrisk.scenario.shipped_scenarios_dir() / f"{fund.default_scenario}.toml"
    balance_field = next(f for f in ("fund_balance", "pooled_balance") if hasattr(sc.initial, f))
    path.write_text(f'extends = "{shipped.as_posix()}"\n[projection]\nyears = 5\n'
                    f'[regions.a]\n[regions.b.initial]\n{balance_field} = 0.0\n', encoding="utf-8")
    two = sibrisk.load_scenario(path)
    ds = sibrisk.project(two, keep_detail=False)
    assert list(ds.region.values) == ["a", "b"]
    total = sibrisk.province_total(ds)
    np.testing.assert_allclose(total.fund_balance, ds.fund_balance.sum("region"), rtol=1e-14)
    assert float(ds.opening_balance.sel(region="b").isel(year=0)) < float(ds.opening_balance.sel(region="a").isel(year=0))
    for d in (ds.sel(region="a"), ds.sel(region="b"), total):
        np.testing.assert_allclose(d.opening_balance + d.total_income - d.total_expenditure, d.fund_balance,
                                   rtol=1e-11, atol=1e-2)


def test_cli_runs_any_fund(fund_projection, tmp_path, capsys):
    from sibrisk.cli import main

    fund, _, _ = fund_projection
    assert main(["run", fund.default_scenario, "--out", str(tmp_path), "--no-plot", "--years", "3"]) == 0
    text = capsys.readouterr().out
    assert fund.long_name_zh in text and "bal. months" in text
    assert (tmp_path / f"{fund.default_scenario}.nc").is_file()


@pytest.mark.parametrize("impl", ["numba", "reference"])
def test_roll_forward_golden_case_of_its_contract(impl):
    """kernels/accounts.md: O = 100, I = 50, X = 60, i = 4%, mid-year flows."""
    from sibrisk.funds.common.accounts import SUB_FIXED, SUB_GAP, roll_forward, roll_forward_reference

    f = 1.04 ** 0.5 - 1
    assert f == pytest.approx(0.0198039027, abs=1e-10)

    def run(rule, param):
        if impl == "numba":
            return roll_forward(100.0, 50.0, 60.0, 0.04, f, rule, param, 0.0)
        return roll_forward_reference(100.0, 50.0, 60.0, 0.04, True, rule, param, 0.0)

    assert run(SUB_FIXED, 5.0) == pytest.approx((5.0, 3.9009805, 98.9009805), abs=1e-7)
    assert run(SUB_GAP, 24.0) == pytest.approx((25.6892908, 4.3107092, 120.0), abs=1e-7)
    assert run(SUB_GAP, 12.0) == pytest.approx((0.0, 3.8019610, 93.8019610), abs=1e-7)
