"""A later base year continues the projection for the resident medical insurance (城乡居民基本医疗保险).

The national default re-based onto k x its own projected accounts of a later year (base + 3, base + 6) projects the
nation x k. Unlike work injury and employee medical, this fund has no state to carry (``carried_state_updates``):
its kernel pays every year, the base year included, on the year-end insured (annual enrolment), so there is no
mid-year exposure whose half-year of growth the calibration could absorb, and its one stock besides the balance,
the cost level, is reset to the projection's own by ``rebase_updates``.

What drifts (measured, national default, ten years after the re-base): insured 3.0e-6 / 5.9e-6, expenditure
1.5e-5 / 2.0e-5, balance 1.1e-4 / 1.7e-4 of the year's expenditure (base + 3 / base + 6); balance months 8.5e-4
relative only because the balance is near zero then. The cause is the population, not the fund: the re-based
population is projected from its data year (2021) to the new base year with the published UN WPP fertility of
2023 (``population_paths``), where the projection used the scenario's total fertility (1.0, on the 2021 age shape)
from 2025; the newborns of 2025..Y differ, the participation and cost level absorb it in year Y, and the age mix
moves apart afterwards. With the scenario's fertility set to the published one the re-based projection is the
nation x k to 1e-12 (tested below). Removing the rest needs the population, a shared module, to project the years
after the old base year with the scenario's fertility (not done here)."""

import numpy as np
import pytest

import sibrisk
from rebase_cases import accounts_of
from sibrisk.demography.population import fertility_schedule

FLOWS = ("contribution_income", "fiscal_subsidy", "benefit_expenditure", "total_expenditure", "insured",
         "contributors", "beneficiaries", "cost_level")



def _published_fertility(sc):
    # the pre-base years' fertility (UN WPP 2023 schedule, TFR 0.9995) as the scenario's own
    return sc.with_updates({"population.tfr": float(fertility_schedule(2023).sum()),
                            "population.fertility_shape_year": 2023})


@pytest.fixture(scope="module")
def national():
    sc = sibrisk.load_scenario("resident_medical_national")
    pub = _published_fertility(sc)
    return {"default": (sc, sibrisk.project(sc, keep_detail=False)),
            "published": (pub, sibrisk.project(pub, keep_detail=False))}


def _rebased(sc, ds, later, k):
    year = sc.projection.base_year + later
    res = sibrisk.rebase(sc, accounts_of(ds, year, k))
    got = sibrisk.project(res.scenario, keep_detail=False).isel(year=slice(0, 11))
    assert int(got.year[0]) == year
    return got, ds.sel(year=got.year.values)


@pytest.mark.parametrize("later", [3, 6])
@pytest.mark.parametrize("k", [1.0, 1 / 200])
def test_rebased_later_continues_the_projection(national, later, k):
    """Flows and head counts of the nation x k within 5e-5 over ten years (measured 2.0e-5 at most), the balance
    within 3e-4 of the year's expenditure (measured 1.7e-4), balance months within 0.003 months (measured
    0.0017)."""
    sc, ds = national["default"]
    got, ref = _rebased(sc, ds, later, k)
    for v in FLOWS[:-1]:
        np.testing.assert_allclose(got[v].values, k * ref[v].values, rtol=5e-5, err_msg=v)
    # the cost level is the lever that absorbs the different age mix of year Y (measured 5.7e-5 at base + 6)
    np.testing.assert_allclose(got.cost_level.values, ref.cost_level.values, rtol=1e-4)
    gap = np.abs(got.fund_balance.values - k * ref.fund_balance.values) / (k * ref.benefit_expenditure.values)
    assert gap.max() < 3e-4
    np.testing.assert_allclose(got.balance_months.values, ref.balance_months.values, rtol=0, atol=3e-3)
    # and the drift is there at all (it is the births below): not identical
    assert gap.max() > 1e-6


@pytest.mark.parametrize("later", [3, 6])
@pytest.mark.parametrize("k", [1.0, 1 / 200])
def test_with_the_published_fertility_the_rebase_is_exact(national, later, k):
    """The drift above is the population's births between the two base years: with the scenario's fertility equal
    to the published schedule the re-based projection is the nation x k to 1e-12 (measured 0 to 1.4e-15)."""
    sc, ds = national["published"]
    got, ref = _rebased(sc, ds, later, k)
    for v in FLOWS:
        scale = 1.0 if v == "cost_level" else k
        np.testing.assert_allclose(got[v].values, ref[v].values * scale, rtol=1e-12, err_msg=v)
    gap = np.abs(got.fund_balance.values - k * ref.fund_balance.values) / (k * ref.benefit_expenditure.values)
    assert gap.max() < 1e-12
    np.testing.assert_allclose(got.balance_months.values, ref.balance_months.values, rtol=1e-12)


def test_the_fund_carries_no_state():
    """No exposure or stock to carry: every year of this kernel pays on its year-end insured (documented in
    kernels/resident_medical.md), the cost level is reset by rebase_updates; ``rebase`` carries nothing."""
    from sibrisk.funds import get

    assert not hasattr(get("resident_medical"), "carried_state_updates")
