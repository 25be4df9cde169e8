"""Lee-Carter mortality: fit by SVD, optional second-stage re-fit of k(t) to deaths, random-walk forecast, and
the improvement inputs of the projection kernel.

Model (Lee and Carter 1992, "Modeling and forecasting U.S. mortality", JASA 87(419)):
``ln m(x, t) = a(x) + b(x) k(t) + e(x, t)``, identified by ``sum_x b(x) = 1`` and ``sum_t k(t) = 0``;
``a(x)`` is the mean of ``ln m`` over the fitted years, ``b`` and ``k`` the leading singular vectors of the
centred log rates. With deaths ``D`` and exposures ``E`` given, ``k(t)`` is re-estimated year by year so that
``sum_x E(x, t) exp(a(x) + b(x) k(t)) = sum_x D(x, t)`` (Lee and Carter's second stage), then re-centred
(``a += b * mean(k)``, ``k -= mean(k)``). ``k`` is forecast as a random walk with drift,
``k(t+1) = k(t) + drift + sigma * z``, ``drift = (k(T) - k(1)) / (T - 1)``,
``sigma^2 = sum (dk - drift)^2 / (T - 2)``; with drift uncertainty, each path's drift is drawn from
``N(drift, sigma^2 / (T - 1))``.

Kernel convention (kernels/mortality_and_shocks.md): ``q[k, y, a, s] = min(1, q_base[a, s] *
exp(b_q[a, s] * kappa[k, y]))`` with ``b_q = b(x)`` and ``kappa = k(y) - k(base)``: the Lee-Carter ratio of
central death rates m is used as the ratio of death probabilities q (an approximation, close while q is small).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from sibrisk.errors import InputError
from sibrisk.random import standard_normal_block

_SHOWN_CELLS = 5  # cells named in an error message before "... and N more"


@dataclass(frozen=True)
class LeeCarterFit:
    """A fitted Lee-Carter model. ``ax``, ``bx`` over ``age``; ``kt`` over ``year`` (consecutive years).

    ``drift`` and ``sigma`` are the random-walk-with-drift parameters of ``kt`` (per year, in k units);
    ``variance_explained`` is the share of the centred log-rate sum of squares carried by the first singular
    component (first-stage fit); ``refit`` says whether ``kt`` was re-estimated to match observed deaths.
    """

    ax: xr.DataArray
    bx: xr.DataArray
    kt: xr.DataArray
    drift: float
    sigma: float
    variance_explained: float
    refit: bool = False

    @property
    def n_years(self) -> int:
        return int(self.kt.sizes["year"])

    @property
    def drift_se(self) -> float:
        """Standard error of the drift estimate, ``sigma / sqrt(T - 1)``."""
        return self.sigma / np.sqrt(self.n_years - 1)

    def log_rates(self) -> xr.DataArray:
        """Fitted ``ln m(x, t) = a(x) + b(x) k(t)`` over (age, year)."""
        return (self.ax + self.bx * self.kt).transpose("age", "year")

    def forecast_kt(self, horizon: int, n_paths: int, seed: int, *, drift_uncertainty: bool = False,
                    start: int = 0) -> xr.DataArray:
        """Simulated ``k(t)`` for the ``horizon`` years after the last fitted year, DataArray (scenario, year).

        Path ``i`` uses scenario ``start + i``'s "mortality" stream (``sibrisk.random``), so it is the same
        whatever ``n_paths``; with ``drift_uncertainty`` its drift comes from the separate "mortality_drift"
        stream, so switching it on leaves the year-to-year shocks unchanged.
        """
        horizon = _positive_int(horizon, "horizon")
        z = standard_normal_block(seed, n_paths, horizon, 1, component="mortality", start=start)[:, :, 0]
        drift = np.full(z.shape[0], self.drift)
        if drift_uncertainty:
            dz = standard_normal_block(seed, n_paths, 1, 1, component="mortality_drift", start=start)[:, 0, 0]
            drift = drift + self.drift_se * dz
        k_last = float(self.kt.values[-1])
        paths = random_walk_paths(k_last, drift, self.sigma, z)
        last_year = int(self.kt["year"].values[-1])
        years = np.arange(last_year + 1, last_year + horizon + 1)
        return xr.DataArray(paths, dims=("scenario", "year"),
                            coords={"scenario": np.arange(start, start + paths.shape[0]), "year": years},
                            name="kt", attrs={"units": "1", "long_name": "Lee-Carter mortality index k(t)"})

    def age_profile(self, ages) -> xr.DataArray:
        """``b(x)`` on ``ages``: linear interpolation between fitted ages, and outside the fitted range the
        value at the nearest fitted age (constant extension; an assumption, used e.g. for ages 96..100 when
        the fit stops at 95). Note: on other ages ``b`` no longer sums to 1; ``kappa`` keeps the fit's units."""
        ages = np.asarray(ages)
        values = np.interp(ages.astype(float), self.bx["age"].values.astype(float), self.bx.values)
        return xr.DataArray(values, dims="age", coords={"age": ages}, name="b_q", attrs={"units": "1", "long_name": "log-mortality sensitivity to kappa",
                                               "extension": "linear interpolation; constant beyond the fitted ages"})

    def improvement(self, ages, base_year: int, years, n_paths: int, seed: int, *,
                    drift_uncertainty: bool = False, start: int = 0) -> tuple[xr.DataArray, xr.DataArray]:
        """Kernel inputs ``(b_q over age, kappa over (scenario, year))``.

        ``kappa[k, y] = K_k(y) - K_k(base_year)``, where ``K_k`` is the fitted ``k(t)`` up to the last fitted
        year and path ``k`` of ``forecast_kt`` after it; ``kappa = 0`` in the base year. Used as
        ``q = min(1, q_base * exp(b_q * kappa))``, i.e. the m-ratio of Lee-Carter taken as the q-ratio
        (approximation).
        """
        years = np.asarray(years)
        if years.ndim != 1 or years.size == 0:
            raise InputError("must be a non-empty 1-D sequence of years", field="years", value=years.tolist())
        first_fit = int(self.kt["year"].values[0])
        last_fit = int(self.kt["year"].values[-1])
        lo = int(min(years.min(), base_year))
        if lo < first_fit:
            raise InputError(f"years before the first fitted year {first_fit}", field="years", value=lo)
        hi = int(max(years.max(), base_year))
        n_paths = _positive_int(n_paths, "n_paths")
        # K over first_fit .. hi: fitted k(t), then the simulated paths after the last fitted year
        path = np.broadcast_to(self.kt.values, (n_paths, self.n_years))
        if hi > last_fit:
            sim = self.forecast_kt(hi - last_fit, n_paths, seed, drift_uncertainty=drift_uncertainty, start=start)
            path = np.concatenate([path, sim.values], axis=1)
        base = path[:, base_year - first_fit]
        kappa = path[:, years - first_fit] - base[:, None]
        kappa_da = xr.DataArray(kappa, dims=("scenario", "year"),
                                coords={"scenario": np.arange(start, start + n_paths), "year": years},
                                name="kappa",
                                attrs={"units": "1", "long_name": "mortality index relative to the base year",
                                       "base_year": int(base_year),
                                       "approximation": "Lee-Carter m-ratio used as q-ratio"})
        return self.age_profile(ages), kappa_da

    def to_dataset(self) -> xr.Dataset:
        ds = xr.Dataset({"ax": self.ax, "bx": self.bx, "kt": self.kt})
        ds.attrs.update(model="lee_carter", drift=float(self.drift), sigma=float(self.sigma),
                        variance_explained=float(self.variance_explained), refit=int(self.refit))
        return ds

    def save(self, path: str | Path) -> None:
        """Write the fit to netCDF (``load_lee_carter`` reads it back)."""
        self.to_dataset().to_netcdf(path)


def load_lee_carter(path: str | Path) -> LeeCarterFit:
    """Read a fit written by ``LeeCarterFit.save``."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path, field="path")
    try:
        with xr.open_dataset(path) as ds:
            ds = ds.load()
    except (ValueError, OSError, RuntimeError) as e:  # not netCDF, damaged, or a folder
        raise InputError(f"not a readable netCDF file ({type(e).__name__}); a Lee-Carter fit is written by "
                         "LeeCarterFit.save", file=path) from None
    if ds.attrs.get("model") != "lee_carter" or not {"ax", "bx", "kt"} <= set(ds.data_vars):
        raise InputError("not a saved Lee-Carter fit (needs ax, bx, kt and model='lee_carter')", file=path,
                         field="model", value=ds.attrs.get("model"))
    return LeeCarterFit(ax=ds["ax"], bx=ds["bx"], kt=ds["kt"], drift=float(ds.attrs["drift"]),
                        sigma=float(ds.attrs["sigma"]), variance_explained=float(ds.attrs["variance_explained"]),
                        refit=bool(ds.attrs.get("refit", 0)))


# ---------------------------------------------------------------------------------------------------------------
# Fitting


def fit_lee_carter(mx: xr.DataArray, *, deaths: xr.DataArray | None = None,
                   exposure: xr.DataArray | None = None) -> LeeCarterFit:
    """Fit Lee-Carter to central death rates ``mx`` (DataArray over ``age`` and ``year``, either order).

    Years must be consecutive (the random walk is annual); at least 3 years and 2 ages. Zero, negative or NaN
    rates raise ``InputError`` naming the (age, year) cells. When ``deaths`` and ``exposure`` (same dims and
    coordinates) are both given, ``k(t)`` is re-fitted to the observed total deaths of each year.
    """
    m = _as_age_year(mx, "mx")
    _check_positive(m, "mx")
    ages = m["age"].values
    years = m["year"].values
    _check_years(years)
    if m.sizes["age"] < 2:
        raise InputError("need at least 2 ages", field="mx.age", value=ages.tolist())
    ax, bx, kt, share = svd_fit(np.log(m.values))
    refit = False
    if (deaths is None) != (exposure is None):
        raise InputError("give both deaths and exposure for the second-stage fit, or neither",
                         field="deaths" if deaths is None else "exposure")
    if deaths is not None:
        d = _aligned(deaths, m, "deaths")
        e = _aligned(exposure, m, "exposure")
        _check_nonnegative(d, "deaths")
        _check_positive(e, "exposure")
        kt = refit_kt(ax, bx, kt, d.values, e.values, years)
        ax, kt = ax + bx * kt.mean(), kt - kt.mean()
        refit = True
    drift, sigma = random_walk_parameters(kt)
    age_c = {"age": ages}
    return LeeCarterFit(
        ax=xr.DataArray(ax, dims="age", coords=age_c, name="ax",
                        attrs={"units": "1", "long_name": "mean log central death rate a(x)"}),
        bx=xr.DataArray(bx, dims="age", coords=age_c, name="bx",
                        attrs={"units": "1", "long_name": "age response to the mortality index b(x)"}),
        kt=xr.DataArray(kt, dims="year", coords={"year": years}, name="kt",
                        attrs={"units": "1", "long_name": "Lee-Carter mortality index k(t)"}),
        drift=drift, sigma=sigma, variance_explained=share, refit=refit)


def svd_fit(log_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """First-stage Lee-Carter on a (age, year) array of log rates: ``(a, b, k, variance_explained)`` with
    ``sum b = 1``, ``sum k = 0`` (k sums to zero because the rows are centred over years)."""
    a = log_m.mean(axis=1)
    z = log_m - a[:, None]
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    scale = u[:, 0].sum()
    if abs(scale) < 1e-12:
        raise InputError("the first singular vector sums to zero: b(x) cannot be normalised to sum to 1",
                         field="mx")
    b = u[:, 0] / scale
    k = s[0] * vt[0] * scale
    share = float(s[0] ** 2 / np.sum(s ** 2)) if np.sum(s ** 2) > 0 else 1.0
    return a, b, k, share


def refit_kt(a: np.ndarray, b: np.ndarray, k0: np.ndarray, deaths: np.ndarray, exposure: np.ndarray,
             years: np.ndarray) -> np.ndarray:
    """Second stage: for each year solve ``sum_x E exp(a + b k) = sum_x D`` for ``k`` (Brent's method,
    bracket grown around the first-stage value)."""
    k = np.empty_like(k0)
    for t in range(k0.size):
        target = deaths[:, t].sum()
        if target <= 0:
            raise InputError("no deaths in the year: k(t) cannot be re-fitted", field="deaths",
                             value=int(years[t]))
        e_t = exposure[:, t]

        def gap(kk, e_t=e_t, target=target):
            return np.log(np.sum(e_t * np.exp(a + b * kk))) - np.log(target)

        k[t] = _bracketed_root(gap, k0[t], int(years[t]))
    return k


def _bracketed_root(f, x0: float, year: int) -> float:
    width = max(1.0, abs(x0))
    for _ in range(60):
        lo, hi = x0 - width, x0 + width
        if np.sign(f(lo)) != np.sign(f(hi)):
            from scipy.optimize import brentq  # imported here: scipy.optimize costs 0.3 s at every start

            return float(brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=200))
        width *= 2.0
    raise InputError("no k(t) reproduces the observed deaths (sign of b(x) mixed?)", field="deaths.year",
                     value=year)


def random_walk_parameters(kt: np.ndarray) -> tuple[float, float]:
    """Drift ``(k_T - k_1) / (T - 1)`` and innovation s.d. ``sqrt(sum (dk - drift)^2 / (T - 2))``."""
    dk = np.diff(kt)
    drift = float((kt[-1] - kt[0]) / (kt.size - 1))
    sigma = float(np.sqrt(np.sum((dk - drift) ** 2) / (kt.size - 2)))
    return drift, sigma


def random_walk_paths(k_start: float, drift: np.ndarray, sigma: float, z: np.ndarray) -> np.ndarray:
    """``K[i, h] = k_start + sum_{j<=h} (drift[i] + sigma * z[i, j])`` for shocks ``z`` (paths, horizon)."""
    return k_start + np.cumsum(drift[:, None] + sigma * z, axis=1)


# ---------------------------------------------------------------------------------------------------------------
# Reading a panel


def read_hmd_panel(path: str | Path, *, sex: str, ages=None, years=None) -> xr.Dataset:
    """Central death rates, deaths and exposures over (age, year) for one sex from a long CSV with columns
    ``year, age, sex, mx, deaths`` and ``exposure`` or ``exposure_implied`` (the layout of the Human Mortality
    Database extract in ``shared/reference``). ``ages``/``years``: (first, last) inclusive, or None for all."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path, field="path")
    df = pd.read_csv(path)
    exp_col = "exposure" if "exposure" in df.columns else "exposure_implied"
    missing = {"year", "age", "sex", "mx", "deaths", exp_col} - set(df.columns)
    if missing:
        raise InputError("missing columns", file=path, field="columns", value=sorted(missing))
    df = df[df["sex"] == sex]
    if df.empty:
        raise InputError("no rows for this sex", file=path, field="sex", value=sex)
    if ages is not None:
        df = df[(df["age"] >= ages[0]) & (df["age"] <= ages[1])]
    if years is not None:
        df = df[(df["year"] >= years[0]) & (df["year"] <= years[1])]
    wide = df.set_index(["age", "year"])[["mx", "deaths", exp_col]].rename(columns={exp_col: "exposure"})
    ds = xr.Dataset.from_dataframe(wide)
    ds["mx"].attrs.update(units="1/year", long_name="central death rate")
    ds["deaths"].attrs.update(units="persons", long_name="deaths")
    ds["exposure"].attrs.update(units="person-years", long_name="exposure to risk")
    ds.attrs.update(source=str(path), sex=sex)
    return ds


# ---------------------------------------------------------------------------------------------------------------
# Validation


def _as_age_year(da, name: str) -> xr.DataArray:
    if not isinstance(da, xr.DataArray):
        raise InputError("must be an xarray.DataArray over age and year", field=name, value=type(da).__name__)
    if set(da.dims) != {"age", "year"}:
        raise InputError("dims must be exactly ('age', 'year') in either order", field=f"{name}.dims",
                         value=tuple(da.dims))
    for dim in ("age", "year"):
        if dim not in da.coords:
            raise InputError("needs coordinate values", field=f"{name}.{dim}")
    return da.transpose("age", "year").astype(float)


def _aligned(da, m: xr.DataArray, name: str) -> xr.DataArray:
    out = _as_age_year(da, name)
    for dim in ("age", "year"):
        if not np.array_equal(out[dim].values, m[dim].values):
            raise InputError(f"{dim} coordinates differ from mx's", field=f"{name}.{dim}",
                             value=out[dim].values.tolist())
    return out


def _bad_cells_message(da: xr.DataArray, bad: np.ndarray, what: str) -> str:
    ia, iy = np.nonzero(bad)
    cells = [f"(age {da['age'].values[i]}, year {da['year'].values[j]}) = {da.values[i, j]:g}"
             for i, j in zip(ia[:_SHOWN_CELLS], iy[:_SHOWN_CELLS])]
    more = f" ... and {ia.size - _SHOWN_CELLS} more" if ia.size > _SHOWN_CELLS else ""
    return f"{ia.size} cell(s) {what}: " + ", ".join(cells) + more


def _check_positive(da: xr.DataArray, name: str) -> None:
    v = da.values
    bad = ~np.isfinite(v) | (v <= 0)
    if bad.any():
        raise InputError(_bad_cells_message(da, bad, "zero, negative or NaN"), field=name)


def _check_nonnegative(da: xr.DataArray, name: str) -> None:
    v = da.values
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        raise InputError(_bad_cells_message(da, bad, "negative or NaN"), field=name)


def _check_years(years: np.ndarray) -> None:
    if years.size < 3:
        raise InputError("need at least 3 years to estimate a drift and its volatility", field="mx.year",
                         value=years.tolist())
    steps = np.diff(years)
    if np.any(steps != 1):
        gap = int(np.nonzero(steps != 1)[0][0])
        raise InputError(f"years must be consecutive and increasing; break after {years[gap]}",
                         field="mx.year", value=int(years[gap + 1]))


def _positive_int(n, field: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise InputError("must be a positive integer", field=field, value=n, has_value=True)
    return int(n)
