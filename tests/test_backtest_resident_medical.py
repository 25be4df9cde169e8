"""Resident medical insurance (城乡居民基本医疗保险): financing raised by dated rules (the yearly notices' history
and a rule for the future), the back-test on the NHSA 2025 bulletin, and the long-run walk of assumptions."""

import numpy as np
import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.funds.resident_medical import calibration as cal


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario("resident_medical_national")


@pytest.fixture(scope="module")
def ds(sc):
    return sibrisk.project(sc, keep_detail=False)


def _proj(sc, up):
    return sibrisk.project(sc.with_updates(up), keep_detail=False, indicators=False)


# --------------------------------------------------------------------------------------------------------------
# financing: the published history and the rule for the future
def test_history_of_the_standards():
    # the yearly notices: subsidy / premium, yuan per person per year
    assert cal.FINANCING_HISTORY[2019][:2] == (520, 250)
    assert cal.FINANCING_HISTORY[2024][:2] == (670, 400)
    assert cal.FINANCING_HISTORY[2026][:2] == (724, 400)
    years = sorted(cal.FINANCING_HISTORY)
    assert years == list(range(2018, 2027))
    # raised every year (the subsidy), never lowered (the premium, frozen 2024-2026)
    sub = [cal.FINANCING_HISTORY[y][0] for y in years]
    prem = [cal.FINANCING_HISTORY[y][1] for y in years]
    assert all(b > a for a, b in zip(sub, sub[1:])) and all(b >= a for a, b in zip(prem, prem[1:]))
    # the scenario's dated tables are the same figures
    for y, v in cal.SUBSIDY_STANDARD.items():
        assert cal.FINANCING_HISTORY[y][0] == v
    for y, v in cal.PREMIUM_STANDARD.items():
        assert cal.FINANCING_HISTORY[y][1] == v
    for y in years:
        assert cal.FINANCING_HISTORY[y][2]  # each year has its source (or says it is not verified)


def test_history_average_growth_by_hand():
    g = cal.financing_history_growth()
    # 2019-2026: (724/520)^(1/7) - 1, (400/250)^(1/7) - 1, (1124/770)^(1/7) - 1
    assert g["subsidy"] == pytest.approx(0.048416, abs=1e-6)
    assert g["premium"] == pytest.approx(0.069449, abs=1e-6)
    assert g["total"] == pytest.approx(0.055524, abs=1e-6)
    assert cal.financing_history_growth(2024, 2025)["premium"] == 0.0
    with pytest.raises(ValueError, match="FINANCING_HISTORY"):
        cal.financing_history_growth(2010, 2026)
    with pytest.raises(ValueError, match="the first before the last"):
        cal.financing_history_growth(2026, 2019)


def test_the_three_rules_by_hand(sc):
    """Premium per insured (standard x top-up, full collection) in 2026-2028 under each rule: the 2026 notice (400)
    in every rule, then x (1 + cost growth) (``cost``: 6% in 2027 and 2028), x 1.035 a year (``fixed``), held
    (``frozen``); the subsidy likewise from 724."""
    top = sc.financing.top_up
    years = [2026, 2027, 2028]
    by_rule = {r: _proj(sc, {"financing.indexation": r}) for r in ("cost", "fixed", "frozen")}
    assert sc.financing.indexation == "cost"
    cost = np.array([1, 1.06, 1.06 ** 2])
    np.testing.assert_allclose(by_rule["cost"].premium_per_capita.sel(year=years), 400 * top * cost, rtol=1e-12)
    np.testing.assert_allclose(by_rule["fixed"].premium_per_capita.sel(year=years),
                               400 * top * np.array([1, 1.035, 1.035 ** 2]), rtol=1e-12)
    np.testing.assert_allclose(by_rule["frozen"].premium_per_capita.sel(year=years), 400 * top, rtol=1e-12)
    np.testing.assert_allclose(by_rule["cost"].subsidy_per_capita.sel(year=years), 724 * top * cost, rtol=1e-12)
    np.testing.assert_allclose(by_rule["frozen"].subsidy_per_capita.sel(year=years), 724 * top, rtol=1e-12)
    # the margin adds to the cost growth
    m = _proj(sc, {"financing.indexation_margin": 0.01})
    np.testing.assert_allclose(m.premium_per_capita.sel(year=2028), 400 * top * 1.07 ** 2, rtol=1e-12)
    # under "cost" the growth series are ignored, under "frozen" too
    same = _proj(sc, {"financing.premium_growth": 0.2})
    np.testing.assert_allclose(same.fund_balance, by_rule["cost"].fund_balance, rtol=1e-12)


def test_each_rule_matters(sc, ds):
    """Switched off (frozen) the financing rule moves the depletion year from 2034 to 2030; the old 3.5% rule
    gives 2032; the margin matters; the expenditure and the base year never move."""
    assert cal.depletion_year(ds) == 2034
    frozen = _proj(sc, {"financing.indexation": "frozen"})
    fixed = _proj(sc, {"financing.indexation": "fixed"})
    assert cal.depletion_year(frozen) == 2030 and cal.depletion_year(fixed) == 2032
    for d in (frozen, fixed):
        np.testing.assert_allclose(d.total_expenditure, ds.total_expenditure, rtol=1e-12)
        assert float(d.total_income.sel(year=2024)) == pytest.approx(float(ds.total_income.sel(year=2024)), rel=1e-12)
        later = slice(2028, None)
        assert np.all(d.total_income.sel(year=later).values != ds.total_income.sel(year=later).values)
    margin = _proj(sc, {"financing.indexation_margin": 0.015})
    assert cal.depletion_year(margin) == 2041


@pytest.mark.parametrize("updates, field, words", [
    ({"financing.indexation": "wages"}, "financing.indexation", "cost"),
    ({"financing.indexation_margin": 0.5}, "financing.indexation_margin", "0.2"),
])
def test_bad_rules_are_refused(sc, updates, field, words):
    with pytest.raises(InputError) as err:
        sc.with_updates(updates)
    assert field in str(err.value) and words in str(err.value)


# --------------------------------------------------------------------------------------------------------------
# back-test: the NHSA 2025 bulletin (not calibrated to, except the 2025 cost growth derived from it)
def test_every_backtest_row_within_its_tolerance(ds):
    table = cal.backtest_table(ds)
    assert len(table) == len(cal.BACKTEST) == 4
    bad = table[~table.within]
    assert bad.empty, bad[["year", "item", "published", "projected", "difference", "tolerance"]].to_string()
    for row in cal.BACKTEST:
        assert row["source"] and row["tolerance"] > 0 and row["unit"] in ("万人", "亿元")
    # the published figures: NHSA 2025 bulletin
    pub = {r["variable"]: r["published"] for r in cal.BACKTEST}
    assert pub == {"insured": 94213.27, "total_income": 11237.72, "total_expenditure": 10678.63,
                   "current_balance": pytest.approx(11237.72 - 10678.63)}
    # measured: insured +0.24%, income +2.07%, expenditure +0.24%
    got = dict(zip(table.item, table.difference))
    assert got["resident medical fund expenditure (亿元)"] == pytest.approx(0.00243, abs=2e-4)
    assert got["resident medical fund income (亿元)"] == pytest.approx(0.0207, abs=5e-4)


def test_the_2025_cost_growth_fixes_the_expenditure_row(sc):
    """With the earlier assumption (cost growth 0 in 2025) the one-year-out expenditure was +1.31%, outside its
    1% tolerance: the age-cost curve ages the insured 1.7% in 2025, the bulletin's expenditure per insured rose
    0.63% (1,125.7 -> 1,133.4 元). The derived growth (-1.05%) re-derives from the scenario."""
    g = sc.series("economy.medical_cost_growth")
    assert g[1] == pytest.approx(cal.cost_growth_2025(sc), abs=1e-6)
    assert g[1] == pytest.approx(-0.0105, abs=2e-4)
    g0 = list(g)
    g0[1] = 0.0
    before = cal.backtest_table(_proj(sc, {"economy.medical_cost_growth": g0}))
    row = before[before.item == "resident medical fund expenditure (亿元)"].iloc[0]
    assert row.difference == pytest.approx(0.0131, abs=3e-4) and not row.within
    # expenditure per insured in 2025 is the published one
    d = _proj(sc, {}).sel(year=2025)
    # (to 1e-6: the growth is written with 6 decimals)
    assert float(d.benefit_expenditure / d.insured) == pytest.approx(10678.63e8 / 94213.27e4, rel=1e-6)


def test_base_year_calibration_kept(ds):
    # NHSA 2024 bulletin: income 11,180.91, expenditure 10,661.49, balance 8,183.02 亿元, insured 94,713.73 万
    y = ds.sel(year=2024)
    for v, pub in (("total_income", 11180.91e8), ("total_expenditure", 10661.49e8), ("fund_balance", 8183.02e8),
                   ("insured", 94713.73e4)):
        assert float(y[v]) == pytest.approx(pub, rel=1e-4), v


# --------------------------------------------------------------------------------------------------------------
# the long run
def test_long_run_walk_on_the_default(sc):
    walk = cal.long_run_walk(sc)
    assert list(walk.depletion_year.astype(object).where(walk.depletion_year.notna(), None)) == [
        2034, 2030, 2032, 2034, 2041, 2035, None, 2035]
    assert walk.assumption[0].startswith("default")
    # frozen financing is the worst; the cost of ageing is what depletes the fund
    assert walk.balance_months_2030.idxmin() == 1
    assert walk.balance_months_2054.idxmax() == 6
    assert walk.first_current_deficit[0] == 2027
    # the direction of the published studies (PUBLISHED_PROJECTIONS): frozen financing runs the fund into deficit
    # (Jiangsu NCMS funds), higher fertility lowers the deficit (Jiangsu resident medical)
    steps = dict(zip(walk.assumption, walk.balance_months_2054))
    for study in cal.PUBLISHED_PROJECTIONS:
        assert study["url"].startswith("https://") and study["finding"]
    assert steps["total fertility 1.6 from 2025"] > walk.balance_months_2054[0]
    assert steps["standards frozen at the 2026 notice"] < walk.balance_months_2054[0]
    named = {s["sibrisk_step"] for s in cal.PUBLISHED_PROJECTIONS} - {None}
    assert named <= set(walk.assumption)


def test_solvency_margin(sc):
    """The standards must grow 1.65 points a year above the cost level to keep the balance non-negative to 2054."""
    m = cal.solvency_margin(sc)
    assert m == pytest.approx(0.0165, abs=2e-4)
    ok = _proj(sc, {"financing.indexation_margin": m})
    short = _proj(sc, {"financing.indexation_margin": m - 0.002})
    assert np.all(ok.fund_balance.values >= 0) and np.any(short.fund_balance.values < 0)


# --------------------------------------------------------------------------------------------------------------
# the fan of cost growth against its published history
def test_cost_growth_fan_against_history(sc):
    """NHSA bulletins: expenditure per insured 1,086.0 (2023), 1,125.7 (2024), 1,133.4 元 (2025): growth +3.65%,
    +0.69%, s.d. 2.09 points. The simulated s.d. of yearly growth around the central path, 2026-2035, 200
    scenarios: 2.39 points (AR(1) innovations of 2 points, persistence 0.5: 2 / sqrt(1 - 0.25) = 2.31 in the cost
    level's growth, plus the population's shocks). Two published values do not pin the width down; the fan is of
    their order (within a factor 1.5 either way)."""
    hist = cal.expenditure_per_insured_history()
    assert hist[2023] == pytest.approx(10457.65e8 / 96294e4)
    v = cal.cost_growth_volatility(sc, n=200, seed=1)
    assert v["history_growth"][2024] == pytest.approx(0.03650, abs=1e-5)
    assert v["history_growth"][2025] == pytest.approx(0.00693, abs=1e-5)
    assert v["history_sd"] == pytest.approx(0.02091, abs=1e-5)
    assert v["simulated_sd"] == pytest.approx(0.0239, abs=0.002)
    assert 1 / 1.5 < v["simulated_sd"] / v["history_sd"] < 1.5
    # the width follows the stated innovation s.d.: halved, the fan halves
    half = sc.with_updates({"stochastic.economy.volatility": [0.01, 0.005, 0.015]})
    assert cal.cost_growth_volatility(half, n=200, seed=1)["simulated_sd"] == pytest.approx(0.012, abs=0.0015)
