import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from sibrisk.economy.models import (VARIABLES, assumption_model, cholesky_factor, draw_ar_coefficients, fit_arima, fit_var,
                              historical_series, read_series, simulate_deviations)
from sibrisk.errors import InputError

YEARS = np.arange(2021, 2071)


def _var1_series(a, c, cov, n_years, seed):
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(cov)
    n = len(c)
    x = np.zeros((n_years + 200, n))
    x[0] = np.linalg.solve(np.eye(n) - a, c)
    for t in range(1, x.shape[0]):
        x[t] = c + a @ x[t - 1] + chol @ rng.standard_normal(n)
    return x[200:]


# ---------------------------------------------------------------- fitting recovers known coefficients


def test_var_recovers_known_coefficients():
    a = np.array([[0.5, 0.1, 0.0], [0.2, 0.3, -0.1], [0.0, 0.15, 0.6]])
    c = np.array([0.02, 0.01, 0.005])
    cov = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]]) * 1e-4
    x = _var1_series(a, c, cov, 5000, seed=1)
    df = pd.DataFrame(x, columns=["wage_growth", "inflation", "interest_rate"], index=np.arange(1, 5001))
    model = fit_var(df, lags=1)
    assert model.kind == "var" and model.fit_years == (1, 5000)
    # s.e. of each coefficient about sqrt((1 - rho^2) / T) < 0.015 for T = 5000
    np.testing.assert_allclose(model.ar[0], a, atol=0.05)
    np.testing.assert_allclose(model.mean, np.linalg.solve(np.eye(3) - a, c), atol=0.002)
    # s.e. of a covariance about 1e-4 * sqrt((1 + rho^2) / T) < 1.6e-6: allow 4 s.e.
    np.testing.assert_allclose(model.cov, cov, rtol=0, atol=6.4e-6)
    assert model.is_stable


def test_arima_recovers_phi():
    phi, mu, sd = 0.7, 0.08, 0.01
    rng = np.random.default_rng(4)
    x = np.empty(3000)
    x[0] = mu
    for t in range(1, x.size):
        x[t] = mu + phi * (x[t - 1] - mu) + sd * rng.standard_normal()
    df = pd.DataFrame({"wage_growth": x}, index=np.arange(1000, 4000))
    model = fit_arima(df, order=(1, 0, 0))
    assert model.ar[0, 0, 0] == pytest.approx(phi, abs=0.04)   # s.e. sqrt((1 - phi^2)/T) = 0.013
    assert model.mean[0] == pytest.approx(mu, abs=0.003)
    assert np.sqrt(model.cov[0, 0]) == pytest.approx(sd, rel=0.05)


def test_arima_residual_correlation_is_used():
    a = np.diag([0.5, 0.3])
    cov = np.array([[1.0, 0.6], [0.6, 1.0]]) * 1e-4
    x = _var1_series(a, np.array([0.03, 0.01]), cov, 3000, seed=2)
    model = fit_arima(pd.DataFrame(x, columns=["wage_growth", "inflation"], index=np.arange(3000)))
    assert model.correlation.values[0, 1] == pytest.approx(0.6, abs=0.05)
    np.testing.assert_allclose(np.diag(model.ar[0]), [0.5, 0.3], atol=0.05)
    assert model.ar[0, 0, 1] == 0.0  # per-series models: no cross terms


# ---------------------------------------------------------------- simulation


CORR = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]])


def _assumed(vol=(0.01, 0.02, 0.005), ar1=None):
    names = ("wage_growth", "inflation", "interest_rate")
    return assumption_model(dict(zip(names, (0.06, 0.02, 0.03))), dict(zip(names, vol)),
                            ar1=dict(zip(names, ar1)) if ar1 else None, correlation=CORR)


def test_simulated_shocks_have_the_given_correlation_and_volatility():
    model = _assumed()
    ds = model.simulate(YEARS[:5], 4000, seed=7)
    dev = np.stack([(ds[v] - m).values.ravel() for v, m in zip(model.variables, model.mean)])
    # 20,000 draws: s.e. of a correlation <= 1/sqrt(20000) = 0.007
    np.testing.assert_allclose(np.corrcoef(dev), CORR, atol=0.03)
    np.testing.assert_allclose(dev.std(axis=1), [0.01, 0.02, 0.005], rtol=0.03)


def test_ar1_deviations_reach_the_stationary_spread():
    model = _assumed(ar1=(0.8, 0.5, 0.0))
    ds = model.simulate(np.arange(2021, 2061), 4000, seed=5)
    sd_last = (ds["wage_growth"] - 0.06).isel(year=-1).std().item()
    assert sd_last == pytest.approx(0.01 / np.sqrt(1 - 0.8 ** 2), rel=0.05)
    dev = (ds["wage_growth"] - 0.06).values
    lag1 = np.corrcoef(dev[:, -2], dev[:, -1])[0, 1]
    assert lag1 == pytest.approx(0.8, abs=0.03)


def test_zero_volatility_reproduces_the_mean_path_exactly():
    names = ("wage_growth", "collection_rate", "unemployment_rate")
    model = assumption_model(dict(zip(names, (0.05, 0.9, 0.05))), dict.fromkeys(names, 0.0),
                             ar1={"wage_growth": 0.7}, correlation=np.eye(3))
    wage_mean = np.linspace(0.07, 0.04, YEARS.size)
    ds = model.simulate(YEARS, 20, seed=1, mean={"wage_growth": wage_mean, "collection_rate": 1.0})
    np.testing.assert_array_equal(ds["wage_growth"].values, np.broadcast_to(wage_mean, (20, YEARS.size)))
    np.testing.assert_array_equal(ds["collection_rate"].values, 1.0)
    np.testing.assert_array_equal(ds["unemployment_rate"].values, 0.05)
    # fitted model with its covariance scaled to zero: same
    fitted = fit_var(historical_series())
    still = type(fitted)(**{**fitted.__dict__, "cov": np.zeros((2, 2))})
    ds2 = still.simulate(YEARS, 3, seed=2, mean={"wage_growth": wage_mean})
    np.testing.assert_array_equal(ds2["wage_growth"].values[0], wage_mean)
    np.testing.assert_array_equal(ds2["inflation"].values, fitted.mean[1])


def test_reproducible_and_scenario_i_independent_of_run_size():
    model = fit_var(historical_series())
    big = model.simulate(YEARS, 1000, seed=42)
    small = model.simulate(YEARS, 10, seed=42)
    for v in model.variables:
        np.testing.assert_array_equal(big[v].values[:10], small[v].values)
        np.testing.assert_array_equal(small[v].values, model.simulate(YEARS, 10, seed=42)[v].values)
    chunk = model.simulate(YEARS, 6, seed=42, start=4)
    np.testing.assert_array_equal(chunk["wage_growth"].values, small["wage_growth"].values[4:10])
    assert chunk["scenario"].values.tolist() == list(range(4, 10))
    assert not np.allclose(model.simulate(YEARS, 10, seed=43)["wage_growth"].values, small["wage_growth"].values)


def test_shock_from_keeps_earlier_years_on_the_mean():
    model = _assumed(ar1=(0.5, 0.5, 0.5))
    ds = model.simulate(YEARS, 50, seed=3, shock_from=2022)
    np.testing.assert_array_equal(ds["wage_growth"].sel(year=2021).values, 0.06)
    assert ds["wage_growth"].sel(year=2022).std() > 0


def test_bounded_rates_are_clipped_to_unit_interval():
    model = assumption_model({"collection_rate": 0.97, "unemployment_rate": 0.03},
                             {"collection_rate": 0.05, "unemployment_rate": 0.03},
                             ar1={"collection_rate": 0.6, "unemployment_rate": 0.6})
    ds = model.simulate(YEARS, 500, seed=8)
    for v in ("collection_rate", "unemployment_rate"):
        assert float(ds[v].min()) >= 0.0 and float(ds[v].max()) <= 1.0
        assert "clipped" in ds[v].attrs["bounds"]
    assert float(ds["collection_rate"].max()) == 1.0  # the bound binds
    assert float(ds["unemployment_rate"].min()) == 0.0


def test_output_dataset_labels():
    ds = _assumed().simulate(YEARS, 4, seed=1)
    assert set(ds.data_vars) == {"wage_growth", "inflation", "interest_rate"}
    for v in ds.data_vars:
        assert ds[v].dims == ("scenario", "year")
        assert ds[v].attrs["units"] == "1"
        assert ds[v].attrs["long_name"] == VARIABLES[v]["long_name"]
        assert ds[v].attrs["long_name_zh"]
    assert ds.attrs["model"] == "assumptions" and ds.attrs["seed"] == 1


def _slow_deviations(ar, ma, chol, z):
    s_, t_, n_ = z.shape
    if ar.ndim == 3:
        ar = np.broadcast_to(ar, (s_,) + ar.shape)
    x = np.zeros_like(z)
    e = np.zeros_like(z)
    for s in range(s_):
        for t in range(t_):
            for i in range(n_):
                e[s, t, i] = sum(chol[i, k] * z[s, t, k] for k in range(n_))
            for i in range(n_):
                v = e[s, t, i]
                for j in range(ar.shape[1]):
                    if t - j - 1 >= 0:
                        v += sum(ar[s, j, i, k] * x[s, t - j - 1, k] for k in range(n_))
                for j in range(ma.shape[0]):
                    if t - j - 1 >= 0:
                        v += sum(ma[j, i, k] * e[s, t - j - 1, k] for k in range(n_))
                x[s, t, i] = v
    return x


@settings(max_examples=30, deadline=None)
@given(p=st.integers(0, 3), q=st.integers(0, 2), n=st.integers(1, 3), t=st.integers(1, 8),
       per_scenario=st.booleans(), seed=st.integers(0, 2 ** 32 - 1))
def test_vectorised_deviations_match_slow_reference(p, q, n, t, per_scenario, seed):
    rng = np.random.default_rng(seed)
    ar = rng.uniform(-0.4, 0.4, (3, p, n, n) if per_scenario else (p, n, n))
    ma = rng.uniform(-0.4, 0.4, (q, n, n))
    chol = np.tril(rng.uniform(-1, 1, (n, n)))
    z = rng.standard_normal((3, t, n))
    np.testing.assert_allclose(simulate_deviations(ar, ma, chol, z), _slow_deviations(ar, ma, chol, z),
                               rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- parameter uncertainty


VAR400 = dict(a=np.array([[0.5, 0.1], [0.2, 0.3]]), c=np.array([0.03, 0.01]),
              cov=np.array([[1.0, 0.4], [0.4, 1.0]]) * 1e-4, n_years=400, seed=9)


@pytest.fixture(scope="module")
def var400():
    x = _var1_series(**VAR400)
    return fit_var(pd.DataFrame(x, columns=["wage_growth", "inflation"], index=np.arange(1600, 2000)))


def test_var_coefficient_covariance_matches_statsmodels_stderr(var400):
    from statsmodels.tsa.api import VAR

    se = np.asarray(VAR(_var1_series(**VAR400)).fit(1).stderr)
    # stderr rows: const, L1.y1, L1.y2; columns: equations; so A[i, k] has s.e. stderr[1 + k, i]
    np.testing.assert_allclose(np.sqrt(np.diag(var400.ar_cov)).reshape(2, 2), se[1:].T, rtol=1e-10)


def test_parameter_draws_follow_the_estimated_covariance(var400):
    draws, fallback = draw_ar_coefficients(var400, 4000, seed=3)
    assert draws.shape == (4000, 1, 2, 2) and fallback == 0
    se = np.sqrt(np.diag(var400.ar_cov)).reshape(var400.ar.shape)
    np.testing.assert_allclose(draws.std(axis=0), se, rtol=0.05)
    assert np.all(np.abs(draws.mean(axis=0) - var400.ar) < 4 * se / np.sqrt(4000))
    again, _ = draw_ar_coefficients(var400, 10, seed=3)
    np.testing.assert_array_equal(again, draws[:10])


def test_parameter_uncertainty_keeps_shocks_and_reproducibility(var400):
    plain = var400.simulate(YEARS, 50, seed=4)
    unc = var400.simulate(YEARS, 50, seed=4, parameter_uncertainty=True)
    small = var400.simulate(YEARS, 5, seed=4, parameter_uncertainty=True)
    # the first year's deviation is the shock itself, whatever the coefficients
    np.testing.assert_allclose(unc["wage_growth"].isel(year=0), plain["wage_growth"].isel(year=0), rtol=1e-14)
    assert not np.allclose(unc["wage_growth"].isel(year=5), plain["wage_growth"].isel(year=5))
    np.testing.assert_array_equal(small["inflation"].values, unc["inflation"].values[:5])
    assert unc.attrs["parameter_uncertainty"] == 1 and unc.attrs["parameter_draws_at_point_estimate"] == 0
    still = type(var400)(**{**var400.__dict__, "cov": np.zeros((2, 2))})
    flat = still.simulate(YEARS, 5, seed=4, parameter_uncertainty=True)
    np.testing.assert_array_equal(flat["wage_growth"].values, var400.mean[0])


def test_arima_coefficient_covariance():
    phi = 0.6
    rng = np.random.default_rng(12)
    x = np.zeros(1000)
    for t in range(1, x.size):
        x[t] = phi * x[t - 1] + 0.01 * rng.standard_normal()
    model = fit_arima(pd.DataFrame({"inflation": x + 0.02}, index=np.arange(1000)))
    assert np.sqrt(model.ar_cov[0, 0]) == pytest.approx(np.sqrt((1 - phi ** 2) / 1000), rel=0.15)


def test_parameter_uncertainty_needs_a_fitted_model():
    with pytest.raises(InputError, match="parameter_uncertainty"):
        _assumed().simulate(YEARS, 3, seed=1, parameter_uncertainty=True)


# ---------------------------------------------------------------- shipped history


def test_shipped_history_matches_its_sources():
    df = historical_series()
    assert df.index.tolist() == list(range(1995, 2011))
    # NBS China Statistical Yearbook 2011 table 4-12: average wage index 118.9 (1995), 113.3 (2010)
    assert df.loc[1995, "wage_growth"] == pytest.approx(0.189)
    assert df.loc[2010, "wage_growth"] == pytest.approx(0.133)
    # World Bank FP.CPI.TOTL.ZG: 16.79% (1995), -1.40% (1999), 3.18% (2010)
    assert df.loc[1995, "inflation"] == pytest.approx(0.1679)
    assert df.loc[1999, "inflation"] == pytest.approx(-0.014)
    assert df.loc[2010, "inflation"] == pytest.approx(0.0318)


def test_history_fits_with_var_and_arima():
    var = fit_var(historical_series())
    assert var.variables == ("wage_growth", "inflation") and var.fit_years == (1995, 2010)
    assert 0.10 < var.mean[0] < 0.18  # 1995-2010 nominal wage growth averaged about 14%
    assert var.correlation.values[0, 1] > 0  # wage growth and inflation shocks move together
    arima = fit_arima(historical_series(), order=(1, 0, 0))
    assert np.all(np.sqrt(np.diag(arima.cov)) > 0)


def test_csv_path_gives_the_same_fit_as_the_dataframe(tmp_path):
    path = tmp_path / "hist.csv"
    historical_series().reset_index().to_csv(path, index=False)
    a, b = fit_var(historical_series()), fit_var(path)
    np.testing.assert_allclose(a.ar, b.ar)
    assert b.source == str(path)


# ---------------------------------------------------------------- bad inputs name file, field and value


def _write(tmp_path, text):
    path = tmp_path / "series.csv"
    path.write_text(text)
    return path


def test_gap_in_years(tmp_path):
    path = _write(tmp_path, "year,wage_growth\n2000,0.1\n2001,0.1\n2004,0.1\n2005,0.12\n")
    with pytest.raises(InputError) as err:
        read_series(path)
    assert str(path) in str(err.value) and "year" in str(err.value) and "[2002, 2003]" in str(err.value)


def test_nan_names_column_and_year(tmp_path):
    path = _write(tmp_path, "year,wage_growth,inflation\n2000,0.1,0.02\n2001,,0.02\n2002,0.1,0.03\n")
    with pytest.raises(InputError) as err:
        read_series(path)
    msg = str(err.value)
    assert str(path) in msg and "wage_growth" in msg and "2001" in msg


def test_mismatched_years(tmp_path):
    path = _write(tmp_path, "year,wage_growth,inflation\n2000,0.1,\n2001,0.1,\n2002,0.1,0.03\n2003,0.1,0.02\n")
    with pytest.raises(InputError, match=r"inflation = \[2002, 2003\]: covers years 2002-2003"):
        read_series(path)


def test_other_csv_problems(tmp_path):
    with pytest.raises(InputError, match="duplicate years"):
        read_series(_write(tmp_path, "year,inflation\n2000,0.1\n2000,0.1\n2001,0.1\n"))
    with pytest.raises(InputError, match="non-numeric"):
        read_series(_write(tmp_path, "year,inflation\n2000,0.1\n2001,high\n2002,0.1\n"))
    with pytest.raises(InputError, match="year' column"):
        read_series(_write(tmp_path, "yr,inflation\n2000,0.1\n"))
    with pytest.raises(InputError, match="unknown economic variable"):
        read_series(_write(tmp_path, "year,gdp\n2000,0.1\n2001,0.1\n"))
    with pytest.raises(InputError, match="no such file"):
        read_series(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="columns not found"):
        fit_var(historical_series(), variables=["unemployment_rate"])
    with pytest.raises(InputError, match="too few years"):
        fit_var(historical_series().iloc[:5])


def test_non_positive_definite_covariance():
    names = ("wage_growth", "inflation", "interest_rate")
    bad = [[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]]
    with pytest.raises(InputError, match="correlation.*not positive definite"):
        assumption_model(dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.01), correlation=bad)
    with pytest.raises(InputError, match="cov.*not positive definite"):
        cholesky_factor(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(InputError, match="not symmetric"):
        cholesky_factor(np.array([[1.0, 0.2], [0.1, 1.0]]))
    with pytest.raises(InputError, match="unit diagonal"):
        assumption_model({"inflation": 0.02, "wage_growth": 0.05}, {"inflation": 0.01, "wage_growth": 0.01},
                         correlation=[[2.0, 0.0], [0.0, 1.0]])


def test_bad_model_and_simulation_inputs():
    with pytest.raises(InputError, match="n_scenarios"):
        _assumed().simulate(YEARS, 0, seed=1)
    with pytest.raises(InputError, match="ar1.inflation"):
        assumption_model({"inflation": 0.02}, {"inflation": 0.01}, ar1={"inflation": 1.0})
    with pytest.raises(InputError, match="volatility.inflation"):
        assumption_model({"inflation": 0.02}, {"inflation": -0.01})
    with pytest.raises(InputError, match="mean.collection_rate"):
        assumption_model({"collection_rate": 0.9}, {"collection_rate": 0.0}).simulate(
            YEARS, 2, seed=1, mean={"collection_rate": 1.2})
    with pytest.raises(InputError, match="one value per year"):
        _assumed().simulate(YEARS, 2, seed=1, mean={"inflation": [0.02, 0.03]})
    with pytest.raises(InputError, match="differenced"):
        fit_arima(historical_series(), order=(1, 1, 0))
    with pytest.raises(InputError, match="consecutive"):
        _assumed().simulate([2021, 2023], 2, seed=1)
    mean_da = xr.DataArray(np.full(3, 0.02), dims="year", coords={"year": [2021, 2022, 2023]})
    ds = _assumed(vol=(0.0, 0.0, 0.0)).simulate([2021, 2022, 2023], 2, seed=1, mean={"inflation": mean_da})
    np.testing.assert_array_equal(ds["inflation"].values, 0.02)


def test_history_is_fitted_once_per_file_version_not_per_chunk(tmp_path, monkeypatch, default_scenario):
    import os

    from sibrisk.economy import models, paths
    from sibrisk.stochastic import simulate

    calls = []
    real = models.fit_arima
    monkeypatch.setattr(models, "fit_arima", lambda *a, **k: calls.append(a) or real(*a, **k))
    history = tmp_path / "history.csv"
    historical_series().reset_index().to_csv(history, index=False)
    sc = default_scenario.with_updates({"stochastic.economy": {"variables": ["wage_growth"],
                                                               "history_csv": str(history)}})
    chunked = simulate(sc, 12, seed=4, chunk_size=3, progress=False, indicators=False)  # four chunks
    assert len(calls) == 1
    whole = simulate(sc, 12, seed=4, progress=False, indicators=False)
    np.testing.assert_array_equal(chunked.average_wage.values, whole.average_wage.values)
    assert len(calls) == 1
    # the same fit as fitting afresh
    fresh = real(str(history), order=(1, 0, 0), variables=["wage_growth"])
    np.testing.assert_array_equal(paths.fitted_model(history, ("wage_growth",)).ar, fresh.ar)
    # a changed file is fitted again
    df = historical_series().reset_index()
    df.loc[df.index[-1], "wage_growth"] += 0.05
    df.to_csv(history, index=False)
    os.utime(history, ns=(1, 1))  # a different modification time even on coarse clocks
    simulate(sc, 3, seed=4, progress=False, indicators=False)
    assert len(calls) == 2
