"""A later base year continues the projection for the work-injury insurance.

The national default re-based onto k x its own projected accounts of a later year (base + 3, base + 6) projects the
nation x k. Carried into the new base year (``carried_state_updates``): the grade 1-4 allowance recipients by grade,
age and sex with their allowances and the survivor pensioners with their pension (``[initial.state]``, totals
``initial.disability_pensioners``, ``initial.survivor_pensioners``), where the base year otherwise rebuilds them
from the stationary-history assumptions; how the projection's year pays its flows (mid-year exposures, where a base
year pays on its year-end stocks: ``initial.case_exposure``, ``contribution_exposure``, ``allowance_exposure``,
``care_exposure``, ``survivor_exposure``); and the normalisation of the relative risks (``incidence.risk_mean``,
otherwise the new base year's insured-weighted mean). Without them balance months drifted 7.9% (base + 3) and 8.5%
(base + 6) within ten years (measured)."""

import numpy as np
import pytest

import sibrisk
import rebase_cases
from sibrisk.rebasing import rebased_file_text

COMPARED = ("balance_months", "fund_balance", "contribution_income", "benefit_expenditure", "total_expenditure",
            "contributors", "beneficiaries", "new_cases", "disability_pensioners", "survivor_pensioners",
            "disability_allowance_expenditure", "care_expenditure", "survivor_pension_expenditure")
EXPOSURES = ("initial.case_exposure", "initial.contribution_exposure", "initial.allowance_exposure",
             "initial.care_exposure", "initial.survivor_exposure")


@pytest.fixture(scope="module")
def national():
    return rebase_cases.national("work_injury")



@pytest.fixture(scope="module")
def rebased(national):
    return rebase_cases.rebased_grid(*national)


@pytest.mark.parametrize("later", [3, 6])
@pytest.mark.parametrize("k", [1.0, 1 / 200])
def test_rebased_later_continues_the_projection(national, rebased, later, k):
    """Balance months, balance, flows and head counts of the nation x k within 1e-6 over ten years (was: balance
    months +7.9% / +8.5%, balance +5.9% / +6.8%, beneficiaries -0.8% / -0.2% after ten years)."""
    sc, ds = national
    res = rebased[(later, k)]
    year = sc.projection.base_year + later
    assert res.scenario.initial.state is not None and str(year) in res.scenario.initial.state.source
    got = sibrisk.project(res.scenario, keep_detail=False).isel(year=slice(0, 11))
    assert int(got.year[0]) == year
    ref = ds.sel(year=got.year.values)
    for v in COMPARED:
        scale = 1.0 if v == "balance_months" else k
        np.testing.assert_allclose(got[v].values, ref[v].values * scale, rtol=1e-6, err_msg=v)


def test_the_national_default_keeps_its_base_year_calibration(national):
    """Every new field is at its default in the national scenario (stationary stocks, year-end exposures, risks
    normalised over the base year's insured)."""
    sc, _ = national
    assert sc.initial.state is None and sc.initial.disability_pensioners is None
    assert sc.initial.survivor_pensioners is None and sc.incidence.risk_mean is None
    for name in EXPOSURES:
        assert getattr(sc.initial, name.split(".")[1]) == 1.0


def _first(sc, var):
    return float(sibrisk.project(sc, keep_detail=False)[var].isel(year=0))


def test_each_exposure_changes_its_base_year_flow(national):
    """Each exposure scales its base-year flow (and nothing else in the base year's benefits)."""
    sc = national[0].with_updates({"projection.years": 3})
    for name, var in (("initial.case_exposure", "new_cases"), ("initial.contribution_exposure", "contribution_income"),
                      ("initial.allowance_exposure", "disability_allowance_expenditure"),
                      ("initial.care_exposure", "care_expenditure"),
                      ("initial.survivor_exposure", "survivor_pension_expenditure")):
        changed = sc.with_updates({name: 0.97})
        assert _first(changed, var) == pytest.approx(0.97 * _first(sc, var), rel=1e-12), name


def test_the_carried_state_and_its_totals_matter(national, rebased):
    """The carried stocks replace the stationary history; their totals scale them; the risk normalisation moves the
    cases. Each one switched changes the projection."""
    res = rebased[(3, 1.0)].scenario
    base = sibrisk.project(res, keep_detail=False)
    rebuilt = res.with_updates({"initial.state": None})
    assert not np.allclose(sibrisk.project(rebuilt, keep_detail=False).disability_pensioners.values,
                           base.disability_pensioners.values, rtol=1e-4)
    ini = res.initial
    more = sibrisk.project(res.with_updates({"initial.disability_pensioners": 1.1 * ini.disability_pensioners}),
                           keep_detail=False)
    assert float(more.disability_pensioners[0]) == pytest.approx(1.1 * float(base.disability_pensioners[0]), rel=1e-9)
    more = sibrisk.project(res.with_updates({"initial.survivor_pensioners": 1.1 * ini.survivor_pensioners}),
                           keep_detail=False)
    assert float(more.survivor_pensioners[0]) == pytest.approx(1.1 * float(base.survivor_pensioners[0]), rel=1e-9)
    assert float(more.survivor_pension_expenditure[0]) == pytest.approx(
        1.1 * float(base.survivor_pension_expenditure[0]), rel=1e-9)
    risk = sibrisk.project(res.with_updates({"incidence.risk_mean": 1.05 * res.incidence.risk_mean}), keep_detail=False)
    assert float(risk.new_cases[0]) == pytest.approx(float(base.new_cases[0]) / 1.05, rel=1e-9)
    with pytest.raises(Exception, match="disability_pensioners"):
        res.with_updates({"initial.disability_pensioners": None})


def test_kernel_matches_reference_with_a_carried_state(rebased):
    """The numba kernel and the NumPy reference agree on a re-based scenario (exposures != 1, carried stocks)."""
    from sibrisk.funds.work_injury.inputs import run_kernel
    from sibrisk.funds.work_injury.reference import project_reference
    from sibrisk.projection import fund_inputs

    sc = rebased[(6, 1 / 200)].scenario.with_updates({"projection.years": 12})
    inp = fund_inputs(sc, 2, stochastic=True)
    assert not np.allclose(inp.exposure, 1.0)
    flows, detail = run_kernel(inp, keep_detail=True)
    ref, ref_detail = project_reference(inp, keep_detail=True)
    np.testing.assert_allclose(flows, ref, rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(detail, ref_detail, rtol=1e-10, atol=1e-9)


def test_a_carried_state_survives_the_rebased_file(national, rebased, tmp_path):
    """The re-based file (extends the original, [initial.state] written out) loads and projects as the in-memory
    re-based scenario."""
    sc, _ = national
    res = rebased[(3, 1 / 200)]
    path = tmp_path / "rebased.toml"
    path.write_text(rebased_file_text(res, sc.source), encoding="utf-8")
    loaded = sibrisk.load_scenario(path)
    a = sibrisk.project(res.scenario, keep_detail=False)
    b = sibrisk.project(loaded, keep_detail=False)
    for v in ("balance_months", "beneficiaries", "disability_pensioners", "fund_balance"):
        np.testing.assert_allclose(b[v].values, a[v].values, rtol=1e-8, err_msg=v)
