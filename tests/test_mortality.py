from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sibrisk.errors import InputError
from sibrisk.demography.mortality import fit_lee_carter, load_lee_carter, read_hmd_panel, svd_fit

ROOT = Path(__file__).resolve().parents[1]
NORWAY = ROOT.parent / "shared" / "reference" / "norway_hmd_1x1_1900_2023.csv"
needs_norway = pytest.mark.skipif(not NORWAY.exists(),
                                  reason=f"HMD Norway panel not found at {NORWAY} (shared/reference beside the repo)")


# ---------------------------------------------------------------- synthetic model with known a, b, k

AGES = np.arange(20, 91)
YEARS = np.arange(1960, 2020)


def _true_model(seed=0):
    rng = np.random.default_rng(seed)
    a = -9.5 + 0.085 * (AGES - 20)                       # Gompertz-like log rates
    b_raw = 1.2 - 0.9 * (AGES - 20) / 70                  # improvement fastest at young ages
    b = b_raw / b_raw.sum()
    steps = -1.5 + 1.0 * rng.standard_normal(YEARS.size - 1)   # random walk, drift -1.5, sigma 1
    k = np.concatenate([[0.0], np.cumsum(steps)])
    a, k = a + b * k.mean(), k - k.mean()
    return a, b, k


def _da(values):
    return xr.DataArray(values, dims=("age", "year"), coords={"age": AGES, "year": YEARS})


@pytest.fixture(scope="module")
def synthetic():
    a, b, k = _true_model()
    rng = np.random.default_rng(1)
    log_m = a[:, None] + b[:, None] * k[None, :] + 0.01 * rng.standard_normal((AGES.size, YEARS.size))
    return a, b, k, _da(np.exp(log_m))


def test_recovers_known_a_b_k_and_drift(synthetic):
    a, b, k, mx = synthetic
    fit = fit_lee_carter(mx)
    np.testing.assert_allclose(fit.ax.values, a, atol=0.005)            # noise s.e. 0.01/sqrt(60)
    np.testing.assert_allclose(fit.bx.values, b, rtol=0.03)
    # noise of k(t): projecting 0.01-s.d. noise on b gives s.e. 0.01 / |b| (about 0.08; k spans about 90)
    se_k = 0.01 / np.sqrt(np.sum(b ** 2))
    np.testing.assert_allclose(fit.kt.values, k, atol=4 * se_k)
    true_drift = (k[-1] - k[0]) / (k.size - 1)
    true_sigma = np.sqrt(np.sum((np.diff(k) - true_drift) ** 2) / (k.size - 2))
    assert fit.drift == pytest.approx(true_drift, abs=4 * np.sqrt(2) * se_k / (k.size - 1))
    assert fit.sigma == pytest.approx(true_sigma, rel=0.02)
    assert fit.drift == pytest.approx(-1.5, abs=3 * 1.0 / np.sqrt(59))  # generating drift within 3 s.e.
    assert float(fit.bx.sum()) == pytest.approx(1.0, abs=1e-12)
    assert float(fit.kt.sum()) == pytest.approx(0.0, abs=1e-9)
    assert fit.variance_explained > 0.999


def test_exact_rates_are_reproduced_exactly():
    a, b, k = _true_model(3)
    mx = _da(np.exp(a[:, None] + b[:, None] * k[None, :]))
    fit = fit_lee_carter(mx)
    np.testing.assert_allclose(fit.log_rates().values, np.log(mx.values), atol=1e-10)
    np.testing.assert_allclose(fit.kt.values, k, atol=1e-9)
    assert fit.variance_explained == pytest.approx(1.0, abs=1e-12)


def test_dimension_order_does_not_matter(synthetic):
    *_, mx = synthetic
    f1 = fit_lee_carter(mx)
    f2 = fit_lee_carter(mx.transpose("year", "age"))
    np.testing.assert_allclose(f1.bx.values, f2.bx.values)
    np.testing.assert_allclose(f1.kt.values, f2.kt.values)


def test_second_stage_matches_observed_deaths(synthetic):
    a, b, k, mx = synthetic
    rng = np.random.default_rng(5)
    exposure = _da(rng.uniform(2e4, 8e4, size=mx.shape))
    # deaths from the true (noise-free) rates; the rates given to the fit are noisy, so the first-stage k does
    # not reproduce the total deaths, and the second stage pulls k back towards the truth
    deaths = exposure * np.exp(a[:, None] + b[:, None] * k[None, :])
    fit1 = fit_lee_carter(mx)
    fit2 = fit_lee_carter(mx, deaths=deaths, exposure=exposure)
    assert fit2.refit and not fit1.refit
    implied = (exposure * np.exp(fit2.log_rates())).sum("age")
    # re-centring (a += b mean(k), k -= mean(k)) leaves a + b k unchanged, so deaths still match
    np.testing.assert_allclose(implied.values, deaths.sum("age").values, rtol=1e-9)
    gap1 = np.abs((exposure * np.exp(fit1.log_rates())).sum("age") / deaths.sum("age") - 1).max()
    assert gap1 > 1e-5  # the first stage alone does not match deaths
    assert float(fit2.bx.sum()) == pytest.approx(1.0) and float(fit2.kt.sum()) == pytest.approx(0.0, abs=1e-9)
    se_k = 0.01 / np.sqrt(np.sum(b ** 2))
    np.testing.assert_allclose(fit2.kt.values, k, atol=4 * se_k)


def test_bad_rates_name_the_cells(synthetic):
    *_, mx = synthetic
    bad = mx.copy()
    bad.loc[{"age": 30, "year": 1970}] = 0.0
    bad.loc[{"age": 45, "year": 2001}] = -1e-3
    bad.loc[{"age": 90, "year": 2019}] = np.nan
    with pytest.raises(InputError) as err:
        fit_lee_carter(bad)
    msg = str(err.value)
    assert "3 cell(s)" in msg
    for cell in ("(age 30, year 1970)", "(age 45, year 2001)", "(age 90, year 2019)"):
        assert cell in msg


def test_many_bad_cells_are_counted(synthetic):
    *_, mx = synthetic
    bad = mx.copy()
    bad[:, :3] = 0.0
    with pytest.raises(InputError, match=r"213 cell\(s\).*and 208 more"):
        fit_lee_carter(bad)


def test_other_bad_inputs(synthetic):
    *_, mx = synthetic
    with pytest.raises(InputError, match="dims"):
        fit_lee_carter(mx.expand_dims(sex=["male"]))
    with pytest.raises(InputError, match="consecutive"):
        fit_lee_carter(mx.isel(year=[0, 1, 2, 5, 6]))
    with pytest.raises(InputError, match="both deaths and exposure"):
        fit_lee_carter(mx, deaths=mx * 1000)
    with pytest.raises(InputError, match="DataArray"):
        fit_lee_carter(mx.values)
    with pytest.raises(InputError, match="exposure.age"):
        fit_lee_carter(mx, deaths=mx * 10, exposure=(mx * 0 + 10).assign_coords(age=AGES + 1))


# ---------------------------------------------------------------- forecasts and kernel inputs


@pytest.fixture(scope="module")
def fit(synthetic):
    return fit_lee_carter(synthetic[3])


def test_forecast_is_a_random_walk_with_the_fitted_drift(fit):
    paths = fit.forecast_kt(20, 4000, seed=11)
    assert paths.dims == ("scenario", "year")
    assert paths["year"].values.tolist() == list(range(2020, 2040))
    steps = np.diff(np.concatenate([np.full((4000, 1), fit.kt.values[-1]), paths.values], axis=1), axis=1)
    assert steps.mean() == pytest.approx(fit.drift, abs=4 * fit.sigma / np.sqrt(steps.size))
    assert steps.std() == pytest.approx(fit.sigma, rel=0.02)


def test_forecast_reproducible_and_independent_of_path_count(fit):
    big = fit.forecast_kt(30, 1000, seed=42)
    small = fit.forecast_kt(30, 10, seed=42)
    np.testing.assert_array_equal(big.values[:10], small.values)
    np.testing.assert_array_equal(small.values, fit.forecast_kt(30, 10, seed=42).values)


def test_drift_uncertainty(fit):
    plain = fit.forecast_kt(40, 4000, seed=9).values
    unc = fit.forecast_kt(40, 4000, seed=9, drift_uncertainty=True).values
    # same year-to-year shocks; the difference is (h + 1) * (drift_i - drift), linear in the horizon
    diff = unc - plain
    ratio = diff / np.arange(1, 41)
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones((1, 40)), atol=1e-9)
    assert ratio[:, 0].std() == pytest.approx(fit.sigma / np.sqrt(fit.n_years - 1), rel=0.05)
    # variance at horizon h: sigma^2 h (+ h^2 sigma^2 / (T - 1) with drift uncertainty)
    h = 40
    assert plain[:, -1].var() == pytest.approx(fit.sigma ** 2 * h, rel=0.07)
    assert unc[:, -1].var() == pytest.approx(fit.sigma ** 2 * (h + h * h / (fit.n_years - 1)), rel=0.07)


def test_improvement_inputs_for_the_kernel(fit, synthetic):
    b_q, kappa = fit.improvement(np.arange(16, 101), base_year=2015, years=np.arange(2015, 2031), n_paths=8,
                                 seed=3)
    assert b_q.dims == ("age",) and b_q["age"].values.tolist() == list(range(16, 101))
    assert kappa.dims == ("scenario", "year") and kappa.shape == (8, 16)
    # fitted ages keep b(x); outside the fitted 20..90 the nearest fitted value (constant extension)
    np.testing.assert_allclose(b_q.sel(age=AGES).values, fit.bx.values)
    assert np.all(b_q.sel(age=range(16, 20)).values == fit.bx.values[0])
    assert np.all(b_q.sel(age=range(91, 101)).values == fit.bx.values[-1])
    np.testing.assert_array_equal(kappa.sel(year=2015).values, 0.0)
    # within the fitted years kappa is the fitted k difference, the same in every scenario, and
    # q_base * exp(b kappa) reproduces the fitted m ratio exactly (m-ratio used as q-ratio)
    m = np.exp(fit.log_rates())
    ratio = np.exp(b_q.sel(age=AGES) * kappa.sel(year=2019))
    m_ratio = (m.sel(year=2019) / m.sel(year=2015)).values
    np.testing.assert_allclose(ratio.transpose("scenario", "age").values[0], m_ratio, rtol=1e-12)
    assert np.all(kappa.sel(year=2019).values == kappa.sel(year=2019).values[0])
    # after the last fitted year kappa continues the forecast paths
    paths = fit.forecast_kt(11, 8, seed=3)
    np.testing.assert_allclose(kappa.sel(year=2030).values,
                               paths.sel(year=2030).values - float(fit.kt.sel(year=2015)))


def test_improvement_base_after_fit(fit):
    _, kappa = fit.improvement([60], base_year=2025, years=range(2025, 2029), n_paths=5, seed=1)
    paths = fit.forecast_kt(9, 5, seed=1)
    np.testing.assert_array_equal(kappa.sel(year=2025).values, 0.0)
    np.testing.assert_allclose(kappa.sel(year=2028).values,
                               (paths.sel(year=2028) - paths.sel(year=2025)).values)
    with pytest.raises(InputError, match="first fitted year"):
        fit.improvement([60], base_year=1950, years=range(1950, 1960), n_paths=2, seed=1)
    with pytest.raises(InputError, match="n_paths"):
        fit.improvement([60], base_year=2015, years=range(2015, 2020), n_paths=0, seed=1)


def test_save_load_round_trip(fit, tmp_path):
    path = tmp_path / "lc.nc"
    fit.save(path)
    back = load_lee_carter(path)
    for name in ("ax", "bx", "kt"):
        xr.testing.assert_identical(getattr(back, name), getattr(fit, name))
    assert (back.drift, back.sigma, back.variance_explained, back.refit) == \
        (fit.drift, fit.sigma, fit.variance_explained, fit.refit)
    np.testing.assert_array_equal(back.forecast_kt(5, 3, seed=2).values, fit.forecast_kt(5, 3, seed=2).values)
    with pytest.raises(InputError, match="no such file"):
        load_lee_carter(tmp_path / "missing.nc")


def test_svd_fit_identification_on_random_input():
    rng = np.random.default_rng(8)
    a, b, k, share = svd_fit(rng.normal(-5, 1, size=(7, 9)))
    assert b.sum() == pytest.approx(1.0) and k.sum() == pytest.approx(0.0, abs=1e-9) and 0 < share <= 1


# ---------------------------------------------------------------- real panel: Norway, HMD (CC BY 4.0)


@needs_norway
@pytest.mark.parametrize("sex, var_explained, drift", [("male", 0.8472, -0.9046), ("female", 0.7216, -1.1356)])
def test_norway_1950_2023(sex, var_explained, drift):
    # Ages 16-95 (the projection's working and retired ages): ages 2-15 have zero-death cells after 1950
    # (checked in the next test), which a log-rate model cannot take.
    panel = read_hmd_panel(NORWAY, sex=sex, ages=(16, 95), years=(1950, 2023))
    fit = fit_lee_carter(panel["mx"])
    assert float(fit.bx.sum()) == pytest.approx(1.0, abs=1e-12)
    assert float(fit.kt.sum()) == pytest.approx(0.0, abs=1e-9)
    assert fit.variance_explained == pytest.approx(var_explained, abs=5e-4)
    assert fit.drift == pytest.approx(drift, abs=5e-4)
    assert fit.drift < 0 and (fit.bx > 0).all()
    refit = fit_lee_carter(panel["mx"], deaths=panel["deaths"], exposure=panel["exposure"])
    implied = (panel["exposure"] * np.exp(refit.log_rates())).sum("age")
    np.testing.assert_allclose(implied.values, panel["deaths"].sum("age").values, rtol=1e-9)
    assert refit.drift < 0
    assert abs(refit.drift - fit.drift) < 0.15


@needs_norway
def test_norway_zero_cells_are_named():
    panel = read_hmd_panel(NORWAY, sex="male", ages=(0, 95), years=(1950, 2023))
    with pytest.raises(InputError, match=r"mx: 22 cell\(s\) zero, negative or NaN: \(age 3, year 2018\)"):
        fit_lee_carter(panel["mx"])
