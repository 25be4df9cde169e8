"""A region's own age structure (issue 17): counts by age group expanded to single ages, a census as the base stock
of the population-based funds, own contributor and retiree profiles (or the population's tilt) for the employee
pensions, all through ``sibrisk.rebase(..., age_structure=...)``."""

import numpy as np
import pytest

import sibrisk
from sibrisk.demography.age_structure import AgeGroups, group_lower, grouped, population_tilt
from sibrisk.demography.population import base_stock, population_paths
from sibrisk.errors import InputError
from sibrisk.funds.enterprise_pension.parameters import AGE_MIN
from sibrisk.rebasing import rebase

FLOWS = ("fund_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
         "benefit_expenditure", "other_expenditure", "contributors", "beneficiaries")
K = 1 / 50


def actuals(ds, year, k=K):
    row = ds.sel(year=year)
    return {"year": year, **{v: float(row[v]) * k for v in FLOWS}}


@pytest.fixture(scope="module")
def pension():
    sc = sibrisk.load_scenario("enterprise_pension_national")
    return sc, sibrisk.project(sc, keep_detail=False)


@pytest.fixture(scope="module")
def resident():
    sc = sibrisk.load_scenario("resident_pension_national")
    return sc, sibrisk.project(sc, keep_detail=False)


# ------------------------------------------------------------------------------------------------ the groups
def test_expand_by_hand():
    g = AgeGroups(year=2020, ages=[0, 2, 4], male=[10, 6, 3], female=[4, 0, 9])
    shape = np.zeros((101, 2))
    shape[:, 0] = 1.0
    shape[0, 0], shape[1, 0] = 3.0, 1.0    # males 0-1 split 3:1 -> 7.5, 2.5
    shape[:, 1] = 0.0                      # females: no shape -> evenly
    out = g.expand(shape)
    assert out[0, 0] == pytest.approx(7.5) and out[1, 0] == pytest.approx(2.5)
    assert out[2, 0] == out[3, 0] == pytest.approx(3.0)
    assert out[4:, 0] == pytest.approx(np.full(97, 3 / 97))      # the open group 4-100+
    assert out[0, 1] == out[1, 1] == pytest.approx(2.0)
    assert out[4:, 1].sum() == pytest.approx(9.0)
    assert out.sum(axis=0) == pytest.approx([19.0, 13.0])


def test_expand_from_a_later_first_age_keeps_the_group_total():
    g = AgeGroups(year=2020, ages=[0, 15, 20], male=[0, 5, 1], female=[0, 5, 1])
    out = g.expand(np.ones((101 - AGE_MIN, 2)), AGE_MIN)   # ages 16..19 hold the whole 15-19 group
    assert out[:4, 0] == pytest.approx([1.25] * 4)
    with pytest.raises(ValueError, match="starts at age 16"):
        AgeGroups(year=2020, ages=[0, 15], male=[1, 1], female=[0, 0]).expand(np.ones((101 - AGE_MIN, 2)), AGE_MIN)


def test_grouped_and_expanded_back_is_the_same_table():
    stock = base_stock(2021)
    g = grouped(stock, 2021)
    assert g.labels()[:2] == ["0-4", "5-9"] and g.labels()[-1] == "100+" and len(g.ages) == 21
    assert g.expand(stock) == pytest.approx(stock, rel=1e-12)


@pytest.mark.parametrize("label,lower", [("0-4", 0), ("5～9岁", 5), ("100+", 100), ("100岁及以上", 100), (85, 85),
                                         ("20至24岁", 20)])
def test_group_labels(label, lower):
    assert group_lower(label) == lower


@pytest.mark.parametrize("fields,text", [
    (dict(ages=[0, 5, 5], male=[1, 1, 1], female=[1, 1, 1]), "must increase"),
    (dict(ages=[0, 5], male=[1], female=[1, 1]), "male has 1 values; expected 2"),
    (dict(ages=[0, 5], male=[1, -2], female=[1, 1]), "male\\[1\\] \\(ages 5\\+\\) = -2"),
    (dict(ages=[0, 5], male=[1, float("nan")], female=[1, 1]), "finite number"),
    (dict(ages=[0, 101], male=[1, 1], female=[1, 1]), "starts at 0..100"),
    (dict(ages=[0], male=[0], female=[0]), "every count is zero"),
])
def test_bad_groups_are_refused_naming_the_field(fields, text):
    with pytest.raises(ValueError, match=text):
        AgeGroups(year=2020, **fields)


def test_population_tilt_carries_cohorts():
    nation = np.ones((101, 2))
    region = AgeGroups(year=2020, ages=[0, 10, 20], male=[0, 20, 0], female=[0, 20, 0])   # only ages 10-19
    t = population_tilt(region, nation, 2025, 0)
    assert t[15:25, 0] == pytest.approx(np.full(10, 2.0)) and t[:15].sum() == 0 and t[25:].sum() == 0


# ------------------------------------------------------------------------------------------------ population funds
def test_a_census_of_the_nation_over_k_projects_the_nation_over_k(resident):
    sc, ds = resident
    own = sc.with_updates({"population.stock": grouped(base_stock(2021) * K, 2021).model_dump()})
    p0, p1 = population_paths(sc, 1).stock, population_paths(own, 1).stock
    assert p1 == pytest.approx(p0 * K, rel=1e-12)
    d1 = sibrisk.project(own, keep_detail=False)
    for v in ("contributors", "beneficiaries"):
        assert d1[v].values == pytest.approx(ds[v].values * K, rel=1e-12)


def test_a_census_after_the_base_year_is_refused(resident):
    sc, _ = resident
    bad = sc.with_updates({"population.stock": grouped(base_stock(2021), 2023).model_dump()})
    with pytest.raises(InputError, match="population.stock.year.*after the scenario's base year 2021"):
        population_paths(bad, 1)


def test_a_censused_region_rebased_keeps_the_accounts_and_ages_differently(resident):
    sc, ds = resident
    y = 2024
    plain = rebase(sc, actuals(ds, y), size=K)
    same = rebase(sc, actuals(ds, y), size=K, age_structure={"population": grouped(base_stock(2021) * K, 2021)})
    a, b = (sibrisk.project(r.scenario, keep_detail=False) for r in (plain, same))
    for v in ("contributors", "beneficiaries", "fund_balance"):
        assert b[v].values == pytest.approx(a[v].values, rel=1e-9)
    older = base_stock(2021) * K
    older[:40] *= 0.7                                  # fewer young: fewer contributors later, as many retirees
    r = rebase(sc, actuals(ds, y), size=K, age_structure={"population": grouped(older, 2021).model_dump()})
    assert r.scenario.population.stock is not None
    assert "the region's own population of 2021" in r.report()
    d = sibrisk.project(r.scenario, keep_detail=False)
    for v in ("contributors", "beneficiaries", "fund_balance"):   # the base year is the accounts'
        assert float(d[v].sel(year=y)) == pytest.approx(actuals(ds, y)[v], rel=1e-3)
    ratio = (d.contributors / a.contributors).sel(year=y + 9).item()
    assert 0.85 < ratio < 0.95, ratio                  # measured 0.904: the young cohorts enter at 30% fewer


# ------------------------------------------------------------------------------------------------ employee pensions
def test_own_profiles_equal_to_the_scenario_change_nothing(pension):
    sc, ds = pension
    ini = sc.initial
    same = {"contributors": grouped(ini.contributors_profile.array(), 2021, first_age=AGE_MIN),
            "beneficiaries": grouped(ini.retirees_profile.array(), 2021, first_age=AGE_MIN)}
    a = sibrisk.project(rebase(sc, actuals(ds, 2021), size=K).scenario, keep_detail=False)
    r = rebase(sc, actuals(ds, 2021), size=K, age_structure=same)
    b = sibrisk.project(r.scenario, keep_detail=False)
    assert "initial.contributors_profile" in [n for n, _, _ in r.adjusted]
    for v in ("contributors", "beneficiaries", "fund_balance"):
        assert b[v].values == pytest.approx(a[v].values, rel=1e-12)
        assert a[v].values == pytest.approx(ds[v].values * K, rel=1e-9)


def test_nobody_insured_past_40_retires_nobody_for_years(pension):
    """A known answer: contributors all under 40 (statutory ages 50+, ill-health 45+) give no new retirees in the
    first five years; the national profile gives millions x K."""
    sc, ds = pension
    c = sc.initial.contributors_profile.array().copy()
    c[40 - AGE_MIN:] = 0.0
    r = rebase(sc, actuals(ds, 2021), size=K, age_structure={"contributors": grouped(c, 2021, first_age=AGE_MIN)})
    d = sibrisk.project(r.scenario, keep_detail=False)
    new = d.new_beneficiaries.sel(year=slice(2022, 2026)).values
    assert np.all(new < 1e-6 * float(d.contributors.sel(year=2021)))
    assert np.all(ds.new_beneficiaries.sel(year=slice(2022, 2026)).values * K > 1e5)
    assert float(d.contributors.sel(year=2021)) == pytest.approx(actuals(ds, 2021)["contributors"], rel=1e-6)


def test_later_base_year_state_reweighted_by_the_population(pension):
    """At a later base year the carried state is re-weighted by age: the nation's own population changes nothing,
    an older one (30% fewer under 40) gives more retirees and fewer contributors in the years after."""
    sc, ds = pension
    y = 2024
    a = sibrisk.project(rebase(sc, actuals(ds, y), size=K).scenario, keep_detail=False)
    same = rebase(sc, actuals(ds, y), size=K, age_structure={"population": grouped(base_stock(2020) * K, 2020)})
    assert "re-weighted by age" in same.scenario.initial.state.source
    b = sibrisk.project(same.scenario, keep_detail=False)
    for v in ("contributors", "beneficiaries", "fund_balance"):
        assert b[v].values == pytest.approx(a[v].values, rel=1e-9)
    older = base_stock(2020) * K
    older[:40] *= 0.7
    e = sibrisk.project(rebase(sc, actuals(ds, y), size=K,
                               age_structure={"population": grouped(older, 2020)}).scenario, keep_detail=False)
    ben = (e.beneficiaries / a.beneficiaries).sel(year=y + 9).item()
    con = (e.contributors / a.contributors).sel(year=y + 9).item()
    assert 1.05 < ben < 1.15 and 0.9 < con < 0.98, (ben, con)   # measured 1.089, 0.953


def test_age_structure_errors_name_the_structure(pension, resident):
    sc, ds = pension
    with pytest.raises(InputError, match="takes an age structure of contributors, beneficiaries, population"):
        rebase(sc, actuals(ds, 2021), size=K, age_structure={"retirees": grouped(base_stock(2020), 2020)})
    with pytest.raises(InputError, match=r"age_structure.contributors.*male has 1 values"):
        rebase(sc, actuals(ds, 2021), size=K,
               age_structure={"contributors": {"year": 2021, "ages": [16, 20], "male": [1], "female": [1, 1]}})
    with pytest.raises(InputError, match="ages 0-9 hold 5 persons, but the table starts at age 16"):
        rebase(sc, actuals(ds, 2021), size=K, age_structure={
            "contributors": {"year": 2021, "ages": [0, 10, 20], "male": [5, 0, 1], "female": [0, 1, 1]}})
    rsc, rds = resident
    with pytest.raises(InputError, match="takes an age structure of population"):
        rebase(rsc, actuals(rds, 2021), size=K, age_structure={"contributors": grouped(base_stock(2020), 2020)})


# ------------------------------------------------------------------------------------------------ the template
def _fill(src, dst, k, ages=lambda row: row[4].value * K, region="X"):
    import openpyxl

    scaled = set(FLOWS) | {"opening_balance", "population_total"}
    wb = openpyxl.load_workbook(src)
    for sheet in ("accounts", "counts", "population", "ages"):
        if sheet not in wb.sheetnames:
            continue
        for row in wb[sheet].iter_rows(min_row=3):
            if sheet == "ages":
                row[2].value = ages(row)
            elif row[0].value in scaled and row[2].value is not None:
                row[2].value = row[2].value * k
    for row in wb["assumptions"].iter_rows(min_row=3):
        if row[0].value == "region":
            row[2].value = region
    wb.save(dst)
    return dst


@pytest.mark.parametrize("fund,series", [("enterprise_pension", ["beneficiaries", "contributors", "population"]),
                                         ("resident_pension", ["population"])])
def test_template_ages_round_trip(fund, series, pension, resident, tmp_path):
    """The ages sheet filled with 1/50 of its national column: the region projects the nation at 1/50."""
    import openpyxl

    from sibrisk.templates import read_template, region_scenario_from_template, write_template

    sc, nat = pension if fund == "enterprise_pension" else resident
    blank = write_template(fund, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(blank)
    assert all(r[2].value is None and r[4].value is not None for r in wb["ages"].iter_rows(min_row=3))
    assert wb["ages"]["A3"].value == "population.male.0-4" and wb["ages"]["D3"].value == "人"
    path = _fill(blank, tmp_path / "f.xlsx", K)
    _, opts = read_template(path)
    assert sorted(opts["age_structure"]) == series
    assert opts["age_structure"]["population"].labels()[-1] == "100+"
    ds = sibrisk.project(region_scenario_from_template(path).scenario, keep_detail=False)
    for v in ("contributors", "beneficiaries", "fund_balance"):
        np.testing.assert_allclose(ds[v].values[:10], nat[v].values[:10] * K, rtol=1e-6, err_msg=v)


def test_template_ages_errors(tmp_path):
    from sibrisk.templates import read_template, region_scenario_from_template, write_template

    blank = write_template("resident_pension", tmp_path / "t.xlsx")
    # one group left blank
    half = _fill(blank, tmp_path / "h.xlsx", K, ages=lambda r: None if r[0].value == "population.female.30-34"
                 else r[4].value * K)
    with pytest.raises(InputError, match=r"ages!C\d+ \(population.female.30-34\).*population for 41 of 42 age-sex"):
        read_template(half)
    # the national population left in the ages sheet of a region at 1/50
    national = _fill(blank, tmp_path / "n.xlsx", K, ages=lambda r: r[4].value)
    with pytest.raises(InputError, match=r"population of sheet ages is 1 x the nation's, the region's size 0.02"):
        region_scenario_from_template(national)


def test_template_younger_contributors_retire_fewer(pension, tmp_path):
    """The rule matters: contributors by age half as many past 45 as the nation's shape (the rest younger) give
    fewer new retirees than the national profile, from the same accounts."""
    from sibrisk.templates import region_scenario_from_template, write_template

    sc, nat = pension
    blank = write_template("enterprise_pension", tmp_path / "t.xlsx")

    def younger(row):
        series, _, label = row[0].value.split(".")
        if series != "contributors":
            return None
        lower = int(label.split("-")[0].rstrip("+"))
        return row[4].value * K * (0.5 if lower >= 45 else 1.0)

    a = sibrisk.project(region_scenario_from_template(_fill(blank, tmp_path / "a.xlsx", K, ages=lambda r: None)
                                                      ).scenario, keep_detail=False)
    r = region_scenario_from_template(_fill(blank, tmp_path / "y.xlsx", K, ages=younger))
    assert "initial.contributors_profile" in r.report()
    b = sibrisk.project(r.scenario, keep_detail=False)
    ratio = (b.new_beneficiaries / a.new_beneficiaries).sel(year=slice(2022, 2026)).values
    assert np.all((ratio > 0.45) & (ratio < 0.75)), ratio
    assert float(b.contributors.sel(year=2021)) == pytest.approx(float(a.contributors.sel(year=2021)), rel=1e-6)


def test_a_scenario_file_with_a_bad_census_names_the_file_and_field(tmp_path):
    from sibrisk.scenario import find_scenario

    p = tmp_path / "s.toml"
    p.write_text(f'extends = "{find_scenario("resident_pension_national").as_posix()}"\n[population.stock]\n'
                 "year = 2020\nages = [0, 5, 10]\nmale = [1, 2]\nfemale = [1, 2, 3]\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        sibrisk.load_scenario(p)
    assert str(p) in str(e.value) and "population.stock" in str(e.value) and "male has 2 values; expected 3" in str(e.value)
