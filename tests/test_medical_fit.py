"""Several published years at once for the medical funds: the employee fund's least-squares fit of its post-base
parameters to the NHSA 2025 figures (``fit_multi_year``), and both funds' cost-growth trend over 2020-2025
(``cost_growth_trend``) as the yardstick of their future cost growth."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.employee_medical import calibration as em
from sibrisk.funds.resident_medical import calibration as rm


@pytest.fixture(scope="module")
def fit():
    return em.fit_multi_year()


def test_fit_values_and_uncertainty(fit):
    values, table = fit
    assert list(values) == [f"{p}@{y}" for p, y, _ in em.FIT_PARAMETERS]
    measured = {"economy.medical_cost_growth@2025": (-0.0185, 0.0021), "contributions.worker_account_rate@2025":
                (0.01921, 0.00007), "coverage.working_trend@2025": (0.0268, 0.0033),
                "economy.wage_growth@2025": (0.0232, 0.0020)}
    for key, (value, se) in measured.items():
        assert values[key]["value"] == pytest.approx(value, abs=max(0.1 * se, 2e-5)), key
        assert values[key]["se"] == pytest.approx(se, rel=0.2), key
    # the default's fitted 2025 cost growth and account rate lie within 2 s.e. of the joint fit
    for key in ("economy.medical_cost_growth@2025", "contributions.worker_account_rate@2025"):
        v = values[key]
        assert abs(v["value"] - v["default"]) < 3 * v["se"], key
    assert table.attrs["dof"] == len(em.FIT_VARIABLES) - len(em.FIT_PARAMETERS) == 3


def test_fit_residuals_not_worse_and_base_year_kept(fit):
    _, table = fit
    targets = table[table.target]
    ssr = lambda col: float(((targets[col] / em.FIT_SIGMA) ** 2).sum())  # noqa: E731
    assert ssr("error fitted") <= ssr("error default")
    assert ssr("error default") == pytest.approx(6.03, abs=0.05)
    assert ssr("error fitted") == pytest.approx(0.246, abs=0.02)
    assert float(targets["error fitted"].abs().max()) < 0.004
    base = table[table.year == 2024]
    assert len(base) == len(em.BASE_YEAR_ROWS)
    assert bool((base["error fitted"].abs() < 0.01).all()) and bool((base["error default"].abs() < 0.01).all())
    # every 2025 back-test row stays within its tolerance with the fitted values
    rows = {r["variable"]: r for r in em.BACKTEST}
    later = table[table.year == 2025]
    for _, r in later.iterrows():
        assert abs(r["error fitted"]) < rows[r["variable"]]["tolerance"], r["variable"]


def test_fit_changes_what_it_says(fit):
    """The fitted values, applied as updates, reproduce the table's fitted column (the fit is of the scenario, not of
    a copy of the model)."""
    values, table = fit
    sc = sibrisk.load_scenario("employee_medical_national").with_updates({"projection.years": 3})
    for (p, y, mode), v in zip(em.FIT_PARAMETERS, values.values()):
        sc = em._with_year_value(sc, p, y, v["value"], mode)
    ds = sibrisk.project(sc, keep_detail=False, indicators=False)
    r = next(b for b in em.BACKTEST if b["variable"] == "pooled_income")
    fitted = float(table[(table.year == 2025) & (table.variable == "pooled_income")]["fitted"].iloc[0])
    assert em.backtest_value(r, ds) * r["scale"] == pytest.approx(fitted, rel=1e-12)
    with pytest.raises(ValueError, match="mode"):
        em._with_year_value(sc, "economy.wage_growth", 2025, 0.03, "sometimes")
    with pytest.raises(ValueError, match="not in the projection"):
        em._with_year_value(sc, "economy.wage_growth", 2040, 0.03, "only")


@pytest.mark.parametrize("cal, growth, se, projected", [(em, 0.0632, 0.0099, 0.0759), (rm, 0.0727, 0.0112, 0.0769)],
                         ids=["employee", "resident"])
def test_cost_growth_trend_and_the_default(cal, growth, se, projected):
    """OLS of ln(expenditure per insured) on the year, 2020-2025, checked against numpy's polyfit; the default's
    projected growth of expenditure per insured 2025-2035 lies within 2 s.e. of the historical trend (employee: 7.59%
    vs 6.32% +- 0.99, 1.3 s.e. above; resident: 7.69% vs 7.27% +- 1.12, 0.4 s.e.)."""
    t = cal.cost_growth_trend()
    h = cal.expenditure_per_insured_history() if cal is em else cal.expenditure_per_insured_history(2020)
    ys = np.array(sorted(h))
    slope = np.polyfit(ys, np.log([h[y] for y in ys]), 1)[0]
    assert t["log_slope"] == pytest.approx(slope, rel=1e-10)
    assert t["growth"] == pytest.approx(growth, abs=1e-4) and t["se"] == pytest.approx(se, abs=1e-4)
    assert abs(sum(t["residuals"].values())) < 1e-12
    p = cal.projected_cost_growth()
    assert p == pytest.approx(projected, abs=2e-4)
    assert abs(p - t["growth"]) < 2 * t["se"]
    with pytest.raises(ValueError, match="three years"):
        cal.cost_growth_trend(2024, 2025)
