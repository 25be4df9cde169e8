"""A pooling region at 1/k of its scenario with the same structure projects the scenario at 1/k (issue 17).

Every field that scales with a region's size is marked ``EXTENSIVE`` (head counts, money amounts, the population's
share); ``region_scale_updates`` multiplies them all by k. The models are linear in them, so the scaled scenario's
head counts and money are the original's times k in every year and its ratios (balance months, dependency ratio,
replacement rate) are the original's: within rounding, for every fund, for several k."""

import numpy as np
import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.scenario import extensive_fields, region_scale_updates

FUNDS = ["enterprise_pension", "public_sector_pension", "resident_pension", "employee_medical", "resident_medical",
         "work_injury", "unemployment"]
# variables whose units make them extensive (they scale with k); every other yearly variable is a ratio or a price
EXTENSIVE_UNITS = ("yuan", "persons", "person-months")
PROFILE = {"male": [0.0] * 20 + [1.0] * 20 + [0.0] * 61, "female": [0.0] * 20 + [1.0] * 20 + [0.0] * 61}


@pytest.fixture(scope="module")
def national():
    return {f: sibrisk.load_scenario(f"{f}_national") for f in FUNDS}


@pytest.fixture(scope="module")
def projected(national):
    return {f: sibrisk.project(sc, keep_detail=False) for f, sc in national.items()}


def _compare(a, b, k):
    """Largest difference of ``b`` from ``a`` scaled by ``k`` (extensive variables) or from ``a`` (the others),
    relative to the largest magnitude of the variable over the years (a balance that passes through zero is
    compared on the scale of the balance, not of the year it is near zero)."""
    worst = {}
    for v in a.data_vars:
        if a[v].dims != ("year",):
            continue
        ext = a[v].attrs.get("units", "") in EXTENSIVE_UNITS
        ref = a[v].values * (k if ext else 1.0)
        got = b[v].values
        finite = np.isfinite(ref)
        assert np.array_equal(finite, np.isfinite(got)), v
        if not finite.any():
            continue
        scale = np.max(np.abs(ref[finite]))
        worst[v] = 0.0 if scale == 0 else float(np.max(np.abs(got[finite] - ref[finite])) / scale)
    return worst


@pytest.mark.parametrize("fund", FUNDS)
@pytest.mark.parametrize("k", [1 / 200, 1 / 7.3, 3.0])
def test_region_at_k_projects_the_scenario_at_k(fund, k, national, projected):
    sc = national[fund]
    b = sibrisk.project(sc.with_updates(region_scale_updates(sc, k)), keep_detail=False)
    worst = _compare(projected[fund], b, k)
    bad = {v: e for v, e in worst.items() if e > 1e-9}
    assert not bad, bad
    # and the figures an evaluation uses are among those compared
    assert {"balance_months", "fund_balance", "contributors"} <= set(worst)


@pytest.mark.parametrize("fund", FUNDS)
def test_every_extensive_field_matters(fund, national, projected):
    """Each field marked extensive, doubled alone, changes the projection (a marker on a field nothing reads, or a
    field at zero in the default, would make the scale test above pass vacuously for it). Fields at zero in the
    national default are set to a small positive value first."""
    sc = national[fund]
    base = projected[fund]
    fields = dict(extensive_fields(sc))
    assert fields, "no extensive field"
    for dotted, value in fields.items():
        if np.all(np.asarray(list(value.values()) if isinstance(value, dict) else value, float) == 0):
            # a zero field (net migration, a fixed subsidy of 0) doubled stays zero: give it a value
            extra = {"population.migration_profile": PROFILE} if dotted == "population.net_migration" else {}
            plus = sibrisk.project(sc.with_updates({dotted: 1e5, **extra}), keep_detail=False)
            assert not np.allclose(plus.fund_balance.values, base.fund_balance.values, rtol=1e-9), dotted
            continue
        updates = region_scale_updates(sc, 2.0)
        one = sibrisk.project(sc.with_updates({dotted: updates[dotted]}), keep_detail=False)
        moved = any(not np.allclose(one[v].values, base[v].values, rtol=1e-9, equal_nan=True)
                    for v in ("fund_balance", "fiscal_subsidy", "contributors", "beneficiaries") if v in base)
        assert moved, dotted


def test_the_markers_cover_every_head_count_and_amount_of_the_pension_scenario(national):
    """The enterprise pension's extensive fields, by name: the stocks, the entrants and the base year's other
    expenditure (an amount; its subsidy fills a gap, so it has no amount)."""
    assert set(dict(extensive_fields(national["enterprise_pension"]))) == {
        "initial.fund_balance", "initial.contributors", "initial.retirees", "entrants.total",
        "initial.other_expenditure"}
    # a population-based fund: its population's share of the nation, migration, balances and amounts
    assert set(dict(extensive_fields(national["work_injury"]))) == {
        "population.scale", "population.net_migration", "subsidy.amount", "initial.fund_balance"}


@pytest.mark.parametrize("k", [0.0, -1.0, float("nan"), float("inf")])
def test_region_size_must_be_positive(k, national):
    with pytest.raises(InputError, match="size") as e:
        region_scale_updates(national["unemployment"], k)
    assert e.value.field == "size"


def test_net_migration_without_its_age_shape_is_refused(national):
    """Net migrants without [population.migration_profile] were dropped without a word; now refused."""
    with pytest.raises(InputError, match="migration_profile") as e:
        national["work_injury"].with_updates({"population.net_migration": 1e5})
    assert e.value.field == "population.net_migration" and e.value.value == 1e5


# --- re-basing onto a region's accounts: the size step ---------------------------------------------------------

ITEMS = ("contribution_income", "fiscal_subsidy", "interest_income", "other_income", "benefit_expenditure",
         "other_expenditure", "fund_balance", "contributors", "beneficiaries")


def _accounts(ds, year, k):
    row = ds.sel(year=year)
    return {"year": year, **{v: float(row[v]) * k for v in ITEMS}}


@pytest.mark.parametrize("fund", FUNDS)
@pytest.mark.parametrize("k", [1 / 200, 1 / 30])
def test_nation_rebased_onto_its_own_accounts_at_k_projects_the_nation_at_k(fund, k, national, projected):
    """The national default re-based onto k x its own projected accounts of its base year projects the nation at
    k in every year (the size is measured: actual / projected contributors)."""
    sc, ds = national[fund], projected[fund]
    res = sibrisk.rebase(sc, _accounts(ds, int(sc.years[0]), k))
    assert res.size == pytest.approx(k, rel=1e-9) and res.size_measure == "contributors"
    worst = _compare(ds, sibrisk.project(res.scenario, keep_detail=False), k)
    bad = {v: e for v, e in worst.items() if e > 1e-6}
    assert not bad, bad
    assert "size: " in res.report() and "x the scenario (actual / projected contributors" in res.report()


@pytest.mark.parametrize("fund", ["enterprise_pension", "work_injury", "employee_medical"])
def test_the_size_step_commutes_with_a_later_base_year(fund, national, projected):
    """Re-based onto a later year at 1/200 of the nation's accounts = the nation re-based onto its own accounts of
    that year, / 200, in every year: the region's numbers differ from the nation's only by its size."""
    sc, ds = national[fund], projected[fund]
    year = int(sc.years[0]) + 2
    whole = sibrisk.project(sibrisk.rebase(sc, _accounts(ds, year, 1.0)).scenario, keep_detail=False)
    part = sibrisk.project(sibrisk.rebase(sc, _accounts(ds, year, 1 / 200)).scenario, keep_detail=False)
    worst = _compare(whole, part, 1 / 200)
    assert not {v: e for v, e in worst.items() if e > 1e-6}


def test_the_issue_prefecture_gets_its_own_size():
    """Issue 17's prefecture (2024: income 320 亿 of which subsidy 55 亿, expenditure 300 亿, balance 180 亿,
    150 万 contributors, 60 万 retirees) from the national enterprise default: counts stay of the prefecture's order
    (before: contributors 150 万 -> 4,898 万 by 2029, because entrants stayed national)."""
    sc = sibrisk.load_scenario("enterprise_pension_national")
    act = {"year": 2024, "contribution_income": 265e8, "fiscal_subsidy": 55e8, "benefit_expenditure": 300e8,
           "fund_balance": 180e8, "contributors": 150e4, "beneficiaries": 60e4}
    res = sibrisk.rebase(sc, act, region="prefecture A")
    ds = sibrisk.project(res.scenario, keep_detail=False)
    assert res.scenario.meta.region == "prefecture A" and "for prefecture A" in res.report()
    assert float(ds.contributors.sel(year=2024)) == pytest.approx(150e4, rel=1e-6)
    # the nation's contributors grow by 2029 by what the prefecture's do (same structure, same rates)
    nat = sibrisk.project(sc, keep_detail=False)
    growth_nat = float(nat.contributors.sel(year=2029) / nat.contributors.sel(year=2024))
    growth = float(ds.contributors.sel(year=2029)) / 150e4
    assert growth == pytest.approx(growth_nat, rel=0.03)
    assert 0.5 < float(ds.beneficiaries.sel(year=2029)) / 60e4 < 1.5
    # the entrants scale with the measured size
    assert res.size == pytest.approx(150e4 / float(nat.contributors.sel(year=2024)), rel=0.05)


def test_accounts_within_a_factor_of_two_are_the_same_region(national, projected):
    """A re-base a year on, 4% more contributors: the calibration absorbs it, the size stays 1 (the rule between
    a deviation and another region: ``rebasing.SAME_REGION``); size= forces a size."""
    sc, ds = national["enterprise_pension"], projected["enterprise_pension"]
    act = _accounts(ds, 2023, 1.0)
    act["contributors"] *= 1.04
    res = sibrisk.rebase(sc, act)
    assert res.size == 1.0 and res.measured_size == pytest.approx(1.04, rel=1e-6)
    assert "the scenario's own region" in res.report()
    assert res.scenario.entrants.total == sc.entrants.total
    forced = sibrisk.rebase(sc, act, size=1.04)
    assert forced.size == 1.04
    assert forced.scenario.series("entrants.total")[-1] == pytest.approx(1.04 * sc.series("entrants.total")[-1])


# ---- a later base year continues the projection (the state carried by age, sex and contribution band) ----------
@pytest.mark.parametrize("fund", ["enterprise_pension", "public_sector_pension"])
@pytest.mark.parametrize("later,k", [(3, 1 / 200), (6, 1 / 7.3)])
def test_employee_pensions_rebased_later_continue_the_projection(national, projected, fund, later, k):
    """The nation re-based onto k x its own accounts of a later year carries the projection's state
    ([initial.state]) and projects the nation x k: balance months, head counts and balance within 1e-6 over ten
    years (rebuilt from the history assumptions instead, balance months were 4.5% off five years on)."""
    sc, ds = national[fund], projected[fund]
    year = sc.projection.base_year + later
    res = sibrisk.rebase(sc, _accounts(ds, year, k))
    assert res.scenario.initial.state is not None and str(year) in res.scenario.initial.state.source
    got = sibrisk.project(res.scenario, keep_detail=False).isel(year=slice(0, 11))
    ref = ds.sel(year=got.year.values)
    for v in ("balance_months", "contributors", "beneficiaries", "fund_balance", "benefit_expenditure",
              "contribution_income", "total_expenditure"):
        scale = 1.0 if v == "balance_months" else k
        np.testing.assert_allclose(got[v].values, ref[v].values * scale, rtol=1e-6, err_msg=v)


def test_a_carried_state_survives_the_rebased_file(national, projected, tmp_path):
    """The re-based file (extends the original, [initial.state] written out) loads and projects as the
    in-memory re-based scenario; re-basing it onto its own first year reproduces it."""
    from sibrisk.rebasing import rebased_file_text

    sc, ds = national["enterprise_pension"], projected["enterprise_pension"]
    res = sibrisk.rebase(sc, _accounts(ds, 2024, 1 / 30))
    path = tmp_path / "rebased.toml"
    path.write_text(rebased_file_text(res, sc.source), encoding="utf-8")
    loaded = sibrisk.load_scenario(path)
    a = sibrisk.project(res.scenario, keep_detail=False)
    b = sibrisk.project(loaded, keep_detail=False)
    np.testing.assert_allclose(b.balance_months.values, a.balance_months.values, rtol=1e-9)
    again = sibrisk.rebase(loaded, _accounts(b, 2024, 1.0))
    c = sibrisk.project(again.scenario, keep_detail=False)
    np.testing.assert_allclose(c.balance_months.values, a.balance_months.values, rtol=1e-6)
    np.testing.assert_allclose(c.contributors.values, a.contributors.values, rtol=1e-6)


def test_the_base_year_exposures_and_other_expenditure_matter(national):
    """Each of the three base-year fields of a carried state changes the base year's flows (kernel and reference)."""
    from sibrisk.funds.enterprise_pension.reference import project_reference
    from sibrisk.funds.enterprise_pension import kernel as kk
    from sibrisk.projection import fund_inputs

    sc = national["enterprise_pension"].with_updates({"projection.years": 3})
    base = sibrisk.project(sc, keep_detail=False).isel(year=0)
    for field, var in (("initial.contribution_exposure", "contribution_income"),
                       ("initial.benefit_exposure", "benefit_expenditure")):
        changed = sibrisk.project(sc.with_updates({field: 0.98}), keep_detail=False).isel(year=0)
        assert float(changed[var]) == pytest.approx(0.98 * float(base[var]), rel=1e-12), field
    up = sc.with_updates({"initial.other_expenditure": 1e11})
    changed = sibrisk.project(up, keep_detail=False).isel(year=0)
    assert float(changed.other_expenditure - base.other_expenditure) == pytest.approx(1e11, rel=1e-12)
    inp = fund_inputs(sc.with_updates({"initial.benefit_exposure": 0.97, "initial.other_expenditure": 1e11,
                                       "initial.contribution_exposure": 1.01}), 1)
    from sibrisk.funds.enterprise_pension.inputs import run_kernel

    flows, _ = run_kernel(inp, keep_detail=False)
    ref, _ = project_reference(inp, keep_detail=False)
    np.testing.assert_allclose(flows, ref, rtol=1e-9, atol=1e-3)
    assert flows[0, 0, kk.F_REFUND] == pytest.approx(1e11)
