"""A later base year continues the projection for the employee medical insurance.

The national default re-based onto k x its own projected accounts of a later year (base + 3, base + 6) projects the
nation x k. Two things of the projection's year are carried into the new base year (``carried_state_updates``):
how it pays its flows (mid-year members: ``initial.worker_exposure``, ``retiree_exposure``, ``cost_exposure``,
where a base year pays on its year-end members) and its maternity expenditure (``initial.maternity_expenditure``:
the re-based population has the published fertility up to its base year, so its base-year births are not the
projection's). Without them the calibration put the difference into the contribution base (-0.7%) and the cost per
unit, and balance months drifted -6.3% (base + 3) and -38% (base + 6) within ten years (measured)."""

import numpy as np
import pytest

import sibrisk
import rebase_cases
from rebase_cases import accounts_of

NEW_FIELDS = ("initial.worker_exposure", "initial.retiree_exposure", "initial.cost_exposure",
              "initial.maternity_expenditure")


@pytest.fixture(scope="module")
def national():
    return rebase_cases.national("employee_medical")



@pytest.mark.parametrize("later", [3, 6])
@pytest.mark.parametrize("k", [1.0, 1 / 200])
def test_rebased_later_continues_the_projection(national, later, k):
    """Balance months, balances (whole fund, pooled fund, accounts), flows and head counts of the nation x k within
    1e-6 over ten years (the balances are compared on the scale of the year's expenditure: the
    accounts run down towards zero within the ten years)."""
    sc, ds = national
    year = sc.projection.base_year + later
    res = sibrisk.rebase(sc, accounts_of(ds, year, k))
    ini = res.scenario.initial
    assert res.scenario.projection.base_year == year
    assert ini.worker_exposure != 1.0 and ini.retiree_exposure != 1.0 and ini.cost_exposure != 1.0
    assert ini.maternity_expenditure == pytest.approx(k * float(ds.maternity_expenditure.sel(year=year)), rel=1e-9)
    got = sibrisk.project(res.scenario, keep_detail=False).isel(year=slice(0, 11))
    ref = ds.sel(year=got.year.values)
    # balance months fall towards 1.5 by the tenth year of base + 6: 1e-6 relative, or 1e-5 months (under 1e-6 of
    # a year's expenditure; measured 3.5e-6 months there, from the 2040 births below)
    np.testing.assert_allclose(got.balance_months.values, ref.balance_months.values, rtol=1e-6, atol=1e-5)
    for v in ("contributors", "beneficiaries", "insured", "contribution_income", "benefit_expenditure",
              "medical_cost", "pooled_expenditure", "account_expenditure"):
        np.testing.assert_allclose(got[v].values, ref[v].values * k, rtol=1e-6, err_msg=v)
    # not 1e-6: the births. The re-based population has the published fertility up to its base year (not the
    # scenario's), so the children born 2025..base are not the projection's; from 2040 they are mothers (age 15) and
    # births differ by 6.2e-6 in 2040 (measured), by 1.3e-5 in 2041. Maternity follows the births; the insured
    # follow from 2041 (age 16), after these ten years (measured 3e-4 by 2073: a population matter, not the fund's)
    np.testing.assert_allclose(got.maternity_expenditure.values, ref.maternity_expenditure.values * k, rtol=1e-5)
    np.testing.assert_allclose(got.maternity_expenditure.values[:10], ref.maternity_expenditure.values[:10] * k,
                               rtol=1e-6)
    scale = ref.benefit_expenditure.values * k
    for v in ("fund_balance", "pooled_balance", "account_balance"):
        gap = np.abs(got[v].values - ref[v].values * k) / scale
        assert gap.max() < 1e-6, (v, gap.max())


def test_the_base_year_is_the_projection_year(national):
    """The re-based base year shows the projection's own flows of that year, not only the accounts' totals: the
    pooled and account parts, the wage bill, the exposures and the maternity expenditure (1e-9)."""
    sc, ds = national
    year = sc.projection.base_year + 6
    res = sibrisk.rebase(sc, accounts_of(ds, year, 1.0))
    got = sibrisk.project(res.scenario, keep_detail=False).sel(year=year)
    row = ds.sel(year=year)
    for v in ("covered_wage_bill", "pooled_contribution_income", "pooled_expenditure", "account_income",
              "account_expenditure", "retiree_account_credits", "medical_cost", "maternity_expenditure",
              "average_benefit", "pooled_balance", "account_balance"):
        assert float(got[v]) == pytest.approx(float(row[v]), rel=1e-9), v
    # the cost per unit is the default's carried to that year by its medical cost index
    assert res.scenario.benefits.base_cost == pytest.approx(
        sc.benefits.base_cost * float(row.medical_cost_index), rel=1e-9)
    assert "initial.worker_exposure" in res.report() and "initial.maternity_expenditure" in res.report()


def test_rebased_on_its_own_base_year_keeps_the_carried_fields(national):
    """A re-based scenario re-based onto its own first year (nothing to carry) keeps its exposures and reproduces
    itself."""
    sc, ds = national
    year = sc.projection.base_year + 3
    first = sibrisk.rebase(sc, accounts_of(ds, year, 1.0)).scenario
    a = sibrisk.project(first, keep_detail=False)
    again = sibrisk.rebase(first, accounts_of(a, year, 1.0)).scenario
    for name in NEW_FIELDS:
        part, key = name.split(".")
        assert getattr(again.initial, key) == pytest.approx(getattr(first.initial, key), rel=1e-12), name
    b = sibrisk.project(again, keep_detail=False)
    np.testing.assert_allclose(b.balance_months.values, a.balance_months.values, rtol=1e-6)


@pytest.mark.parametrize("name,value,var,factor", [
    ("initial.worker_exposure", 0.98, "covered_wage_bill", 0.98),
    ("initial.worker_exposure", 0.98, "contribution_income", 0.98),
    ("initial.retiree_exposure", 0.97, "retiree_account_credits", 0.97),
    ("initial.cost_exposure", 0.99, "medical_cost", 0.99),
])
def test_each_exposure_changes_the_base_year(national, name, value, var, factor):
    """Each exposure scales the base-year flow it pays (and nothing after the base year's own balance)."""
    sc = national[0].with_updates({"projection.years": 3})
    base = sibrisk.project(sc, keep_detail=False)
    changed = sibrisk.project(sc.with_updates({name: value}), keep_detail=False)
    assert float(changed[var].isel(year=0)) == pytest.approx(factor * float(base[var].isel(year=0)), rel=1e-12)
    assert float(changed.pooled_balance.isel(year=0)) != pytest.approx(float(base.pooled_balance.isel(year=0)),
                                                                      rel=1e-9)
    # later years pay on mid-year members whatever the base year's exposures
    assert float(changed[var].isel(year=1)) == pytest.approx(float(base[var].isel(year=1)), rel=1e-6)


def test_the_base_year_maternity_amount_changes_the_base_year(national):
    sc = national[0].with_updates({"projection.years": 3})
    base = sibrisk.project(sc, keep_detail=False)
    changed = sibrisk.project(sc.with_updates({"initial.maternity_expenditure": 1e11}), keep_detail=False)
    assert float(changed.maternity_expenditure.isel(year=0)) == pytest.approx(1e11, rel=1e-12)
    assert float(base.maternity_expenditure.isel(year=0)) != pytest.approx(1e11, rel=0.01)
    delta = float(changed.benefit_expenditure.isel(year=0) - base.benefit_expenditure.isel(year=0))
    assert delta == pytest.approx(1e11 - float(base.maternity_expenditure.isel(year=0)), rel=1e-9)
    assert float(changed.maternity_expenditure.isel(year=1)) == pytest.approx(
        float(base.maternity_expenditure.isel(year=1)), rel=1e-12)


def test_kernel_and_reference_agree_with_the_new_fields(national):
    from sibrisk.funds.employee_medical.inputs import run_kernel
    from sibrisk.funds.employee_medical.reference import project_reference
    from sibrisk.projection import fund_inputs

    sc = national[0].with_updates({"projection.years": 4, "initial.worker_exposure": 0.99,
                                   "initial.retiree_exposure": 0.98, "initial.cost_exposure": 1.01,
                                   "initial.maternity_expenditure": 1.2e11})
    inp = fund_inputs(sc, 1)
    flows, det = run_kernel(inp, keep_detail=True, parallel=False)
    ref, rdet = project_reference(inp, keep_detail=True)
    np.testing.assert_allclose(flows, ref, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(det, rdet, rtol=1e-9, atol=1e-6)


def test_the_defaults_leave_the_national_scenario_as_it_was(national):
    sc, _ = national
    ini = sc.initial
    assert (ini.worker_exposure, ini.retiree_exposure, ini.cost_exposure, ini.maternity_expenditure) == (
        1.0, 1.0, 1.0, None)
