"""Economic scenario paths: fitted shock structure (statsmodels VAR or per-series ARIMA) or stated assumptions,
centred on the scenario's assumed mean paths.

Method (the US SSA Office of the Chief Actuary's stochastic model, DOMAIN.md section 2: time-series equations
centred on the intermediate assumptions, with correlated errors): for variable ``v`` in scenario ``s`` and
projection year ``t``

    path[s, t, v] = mean[t, v] + x[s, t, v]
    x[s, t] = sum_{j=1..p} A_j x[s, t-j] + e[s, t] + sum_{j=1..q} M_j e[s, t-j],   e[s, t] = L z[s, t]

where ``A_j`` (AR) and ``M_j`` (MA) are the fitted coefficient matrices (diagonal for per-series ARIMA), ``L`` is
the Cholesky factor of the innovation covariance ``Sigma`` (fitted residual covariance, or
``diag(vol) R diag(vol)`` from stated assumptions), ``z`` are independent N(0, 1) draws from each scenario's own
"economic" stream (``sibrisk.random``), and deviations and shocks before the first simulated year are 0. The
fitted means serve only as the default ``mean``; a scenario normally states its own mean paths. Zero volatility
gives ``x = 0`` and reproduces the mean path exactly.

Bounds: ``unemployment_rate`` and ``collection_rate`` are clipped to [0, 1] after adding the deviation (their
mean paths must lie in [0, 1]); other variables are not bounded. All rates are fractions per year (units "1").
Parameter uncertainty (optional, ``parameter_uncertainty=True`` for fitted models): each scenario draws its own AR
coefficients from ``N(A_hat, Cov(A_hat))`` (the estimated covariance of the coefficients), from its "parameters"
stream; draws whose AR part is not stationary are redrawn (up to ``MAX_PARAMETER_DRAWS`` times, then the point
estimate is used and counted in the output's attrs), so the distribution is the sampling distribution truncated to
the stationary region. MA coefficients, the covariance of shocks and the means are not drawn.
"""

from __future__ import annotations

import io

import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sibrisk.errors import InputError
from sibrisk.random import scenario_streams, standard_normal_block

# Registry of economic variables: units, names, bounds. All are annual rates as fractions (0.05 = 5%).
VARIABLES: dict[str, dict] = {
    "wage_growth": dict(units="1", long_name="nominal growth of the average wage",
                        long_name_zh="平均工资名义增长率", bounds=None),
    "interest_rate": dict(units="1", long_name="effective annual rate credited to the fund",
                          long_name_zh="基金收益率", bounds=None),
    "inflation": dict(units="1", long_name="consumer price inflation",
                      long_name_zh="居民消费价格涨幅", bounds=None),
    "unemployment_rate": dict(units="1", long_name="urban unemployment rate",
                              long_name_zh="城镇失业率", bounds=(0.0, 1.0)),
    "collection_rate": dict(units="1", long_name="collection rate of contributions due",
                            long_name_zh="征缴率", bounds=(0.0, 1.0)),
    "benefit_indexation": dict(units="1", long_name="annual adjustment of pensions in payment",
                               long_name_zh="基本养老金调整比例", bounds=None),
    "account_crediting_rate": dict(units="1", long_name="individual-account crediting rate",
                                   long_name_zh="个人账户记账利率", bounds=None),
    "medical_cost_growth": dict(units="1", long_name="growth of medical cost per capita",
                                long_name_zh="人均医疗费用增长率", bounds=None),
}

HISTORICAL_FILE = "china_economic_history.csv"
MAX_PARAMETER_DRAWS = 100  # redraws of a non-stationary parameter draw before falling back to the estimate


@dataclass(frozen=True)
class ShockModel:
    """Zero-mean shock dynamics plus default means, for ``variables`` (in this order).

    ``mean`` (n,), ``ar`` (p, n, n), ``ma`` (q, n, n), ``cov`` (n, n) innovation covariance per year.
    ``kind`` is "var", "arima" or "assumptions"; ``source`` names the data (file path, "DataFrame") or
    "assumptions"; ``fit_years`` the (first, last) year of the fitted data; ``ar_cov`` the estimated covariance
    of ``ar.ravel()`` (fitted models only; used for parameter uncertainty).
    """

    variables: tuple[str, ...]
    mean: np.ndarray
    ar: np.ndarray
    ma: np.ndarray
    cov: np.ndarray
    kind: str
    source: str = "assumptions"
    fit_years: tuple[int, int] | None = None
    ar_cov: np.ndarray | None = None

    def __post_init__(self):
        n = len(self.variables)
        for v in self.variables:
            _check_variable(v)
        if len(set(self.variables)) != n:
            raise InputError("variables repeat", field="variables", value=list(self.variables))
        shapes = {"mean": (n,), "cov": (n, n)}
        for name, shape in shapes.items():
            if np.shape(getattr(self, name)) != shape:
                raise InputError(f"must have shape {shape}", field=name, value=np.shape(getattr(self, name)))
        for name in ("ar", "ma"):
            arr = getattr(self, name)
            if arr.ndim != 3 or arr.shape[1:] != (n, n):
                raise InputError(f"must have shape (lags, {n}, {n})", field=name, value=arr.shape)
        if self.ar_cov is not None and np.shape(self.ar_cov) != (self.ar.size, self.ar.size):
            raise InputError(f"must have shape ({self.ar.size}, {self.ar.size})", field="ar_cov",
                             value=np.shape(self.ar_cov))

    @property
    def chol(self) -> np.ndarray:
        """Lower Cholesky factor of ``cov`` (rows and columns of zero-variance variables are 0)."""
        return cholesky_factor(self.cov, field="cov", file=None if self.source == "assumptions" else self.source)

    @property
    def volatility(self) -> xr.DataArray:
        """Innovation standard deviation per variable (per year)."""
        return xr.DataArray(np.sqrt(np.diag(self.cov)), dims="variable", coords={"variable": list(self.variables)})

    @property
    def correlation(self) -> xr.DataArray:
        sd = np.sqrt(np.diag(self.cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = self.cov / np.outer(sd, sd)
        r[~np.isfinite(r)] = 0.0
        np.fill_diagonal(r, 1.0)
        coords = {"variable": list(self.variables), "variable2": list(self.variables)}
        return xr.DataArray(r, dims=("variable", "variable2"), coords=coords)

    @property
    def is_stable(self) -> bool:
        """Whether the AR part is stationary (companion-matrix eigenvalues inside the unit circle)."""
        return bool(np.all(np.abs(companion_eigenvalues(self.ar)) < 1.0))

    def simulate(self, years, n_scenarios: int, seed: int, *, mean: dict | None = None,
                 shock_from: int | None = None, start: int = 0, parameter_uncertainty: bool = False) -> xr.Dataset:
        """Paths over (scenario, year) per variable; see the module docstring for the equations.

        ``mean``: {variable: scalar | sequence over ``years`` | DataArray over ``year``}; variables not given
        use the model's mean. ``shock_from``: first year with a random deviation (earlier years, e.g. an
        observed base year, equal the mean). Scenario ``i`` (``start + i`` when run in chunks) draws from its
        own stream, so its path does not depend on ``n_scenarios``. ``parameter_uncertainty``: each scenario
        draws its own AR coefficients (fitted models only; see the module docstring).
        """
        return simulate_paths(self, years, n_scenarios, seed, mean=mean, shock_from=shock_from, start=start,
                              parameter_uncertainty=parameter_uncertainty)


# ---------------------------------------------------------------------------------------------------------------
# Building models


def assumption_model(mean: dict, volatility: dict, *, ar1: dict | None = None,
                     correlation=None) -> ShockModel:
    """A model stated as assumptions: per-variable ``mean`` and ``volatility`` (standard deviation of the
    annual innovation; the stationary s.d. of the variable is ``volatility / sqrt(1 - ar1**2)``), AR(1)
    coefficient ``ar1`` (default 0, must satisfy |ar1| < 1) and a ``correlation`` matrix of innovations in
    the order of ``mean``'s keys (array-like, or a DataFrame labelled by variable; default identity).
    """
    if not isinstance(mean, dict) or not mean:
        raise InputError("must be a non-empty mapping {variable: mean}", field="mean", value=mean)
    names = tuple(mean)
    for v in names:
        _check_variable(v)
    ar1 = dict(ar1 or {})
    for group, given in (("volatility", volatility), ("ar1", ar1)):
        extra = set(given) - set(names)
        if extra:
            raise InputError("variables without a mean", field=group, value=sorted(extra))
    missing = set(names) - set(volatility)
    if missing:
        raise InputError("volatility missing for variables", field="volatility", value=sorted(missing))
    mu = np.array([_finite(mean[v], f"mean.{v}") for v in names])
    vol = np.array([_finite(volatility[v], f"volatility.{v}") for v in names])
    for v, s in zip(names, vol):
        if s < 0:
            raise InputError("must be >= 0", field=f"volatility.{v}", value=float(s))
    phi = np.array([_finite(ar1.get(v, 0.0), f"ar1.{v}") for v in names])
    for v, p in zip(names, phi):
        if abs(p) >= 1:
            raise InputError("must satisfy |ar1| < 1 (stationary deviations)", field=f"ar1.{v}", value=float(p))
    r = _correlation_matrix(correlation, names)
    return ShockModel(variables=names, mean=mu, ar=np.diag(phi)[None], ma=np.zeros((0, len(names), len(names))),
                      cov=vol[:, None] * r * vol[None, :], kind="assumptions")


def fit_var(data, *, lags: int = 1, variables=None) -> ShockModel:
    """Fit a VAR(``lags``) with constant (``statsmodels.tsa.api.VAR``) to annual series.

    ``data``: DataFrame indexed by year (or with a ``year`` column), or a CSV path with a ``year`` column;
    columns are variables of ``VARIABLES`` (``variables`` selects some). Default means are the VAR's implied
    unconditional means; ``cov`` is the residual covariance ``sigma_u`` (degrees-of-freedom adjusted).
    """
    from statsmodels.tsa.api import VAR

    df, source = read_series(data, variables=variables)
    lags = _lags(lags, "lags")
    n = df.shape[1]
    if len(df) < lags * (n + 1) + n + 2:
        raise InputError(f"too few years ({len(df)}) for a VAR({lags}) of {n} series", file=_file(source),
                         field="year", value=[int(df.index[0]), int(df.index[-1])])
    res = VAR(df.to_numpy(dtype=float)).fit(lags, trend="c")
    coefs = np.asarray(res.coefs)
    mean = _implied_mean(coefs, np.asarray(res.intercept), df)
    # statsmodels orders cov_params like params.ravel(): params[1 + j*n + k, i] is A_{j+1}[i, k]
    j, i, k = np.meshgrid(np.arange(lags), np.arange(n), np.arange(n), indexing="ij")
    idx = ((1 + j * n + k) * n + i).ravel()
    cov_params = np.asarray(res.cov_params(), dtype=float)
    ar_cov = cov_params[np.ix_(idx, idx)]
    model = ShockModel(variables=tuple(df.columns), mean=mean, ar=coefs, ma=np.zeros((0, n, n)),
                       cov=np.asarray(res.sigma_u, dtype=float), kind="var", source=source,
                       fit_years=(int(df.index[0]), int(df.index[-1])), ar_cov=(ar_cov + ar_cov.T) / 2)
    _warn_unstable(model)
    return model


def fit_arima(data, *, order=(1, 0, 0), variables=None) -> ShockModel:
    """Fit ARIMA(p, 0, q) with constant to each series (``statsmodels.tsa.arima.model.ARIMA``); the shocks of the
    series are correlated through the correlation of the fitted residuals, scaled to each fit's ``sigma2``.

    Differenced models (d > 0) are refused: deviations are centred on the scenario's mean path, which carries
    any trend.
    """
    from statsmodels.tsa.arima.model import ARIMA

    df, source = read_series(data, variables=variables)
    p, d, q = _order(order)
    n = df.shape[1]
    if len(df) < p + q + 5:
        raise InputError(f"too few years ({len(df)}) for ARIMA{(p, d, q)}", file=_file(source), field="year",
                         value=[int(df.index[0]), int(df.index[-1])])
    ar = np.zeros((p, n, n))
    ma = np.zeros((q, n, n))
    mean = np.empty(n)
    sd = np.empty(n)
    ar_cov = np.zeros((ar.size, ar.size))
    resid = []
    for i, col in enumerate(df.columns):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ARIMA(df[col].to_numpy(dtype=float), order=(p, 0, q), trend="c").fit()
        params = dict(zip(fit.param_names, np.asarray(fit.params)))
        mean[i] = params["const"]
        for j in range(p):
            ar[j, i, i] = params[f"ar.L{j + 1}"]
        for j in range(q):
            ma[j, i, i] = params[f"ma.L{j + 1}"]
        sd[i] = np.sqrt(params["sigma2"])
        names = list(fit.param_names)
        pos = [names.index(f"ar.L{j + 1}") for j in range(p)]
        flat = [j * n * n + i * n + i for j in range(p)]  # position of ar[j, i, i] in ar.ravel()
        ar_cov[np.ix_(flat, flat)] = np.asarray(fit.cov_params())[np.ix_(pos, pos)]
        resid.append(np.asarray(fit.resid)[max(p, q, 1):])  # the first residuals are not innovations
    r = np.corrcoef(np.vstack(resid)) if n > 1 else np.ones((1, 1))
    r = np.atleast_2d(r)
    model = ShockModel(variables=tuple(df.columns), mean=mean, ar=ar, ma=ma, cov=sd[:, None] * r * sd[None, :],
                       kind="arima", source=source, fit_years=(int(df.index[0]), int(df.index[-1])),
                       ar_cov=(ar_cov + ar_cov.T) / 2)
    _warn_unstable(model)
    return model


def historical_series() -> pd.DataFrame:
    """The shipped annual history (``data/china_economic_history.csv``; sources in
    ``data/SOURCES_economic.md``): ``wage_growth`` and ``inflation`` as fractions, indexed by year."""
    with resources.files("sibrisk.data").joinpath(HISTORICAL_FILE).open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh)
    df = df.set_index("year")
    df.attrs["source"] = f"sibrisk/data/{HISTORICAL_FILE}"
    return df


# ---------------------------------------------------------------------------------------------------------------
# Simulation


def simulate_paths(model: ShockModel, years, n_scenarios: int, seed: int, *, mean: dict | None = None,
                   shock_from: int | None = None, start: int = 0, parameter_uncertainty: bool = False) -> xr.Dataset:
    """See ``ShockModel.simulate``."""
    years = _years(years)
    mean_paths = _mean_paths(model, years, mean)  # (T, n)
    n = len(model.variables)
    z = standard_normal_block(seed, n_scenarios, years.size, n, component="economic", start=start)
    if shock_from is not None:
        z[:, years < int(shock_from), :] = 0.0
    ar, n_fallback = model.ar, 0
    if parameter_uncertainty:
        ar, n_fallback = draw_ar_coefficients(model, z.shape[0], seed, start=start)
    x = simulate_deviations(ar, model.ma, model.chol, z)
    paths = mean_paths[None] + x
    ds = xr.Dataset(coords={"scenario": np.arange(start, start + z.shape[0]), "year": years})
    for i, v in enumerate(model.variables):
        meta = VARIABLES[v]
        values = paths[:, :, i]
        if meta["bounds"] is not None:
            values = np.clip(values, *meta["bounds"])
        attrs = {k: meta[k] for k in ("units", "long_name", "long_name_zh")}
        if meta["bounds"] is not None:
            attrs["bounds"] = f"clipped to [{meta['bounds'][0]}, {meta['bounds'][1]}]"
        ds[v] = xr.DataArray(values, dims=("scenario", "year"), attrs=attrs)
    ds.attrs.update(model=model.kind, model_source=model.source, seed=int(seed),
                    random_streams="sibrisk.random: Philox keyed by (seed, 'economic'), blocks of 256 scenarios",
                    method="mean path + zero-mean AR/VAR/ARMA deviations with Cholesky-correlated shocks")
    if shock_from is not None:
        ds.attrs["shock_from"] = int(shock_from)
    ds.attrs["parameter_uncertainty"] = int(bool(parameter_uncertainty))
    if parameter_uncertainty:
        ds.attrs["parameter_draws_at_point_estimate"] = int(n_fallback)
    return ds


def draw_ar_coefficients(model: ShockModel, n_scenarios: int, seed: int, *,
                         start: int = 0) -> tuple[np.ndarray, int]:
    """Per-scenario AR coefficients ``(S, p, n, n)`` drawn from ``N(ar, ar_cov)`` with each scenario's
    "parameters" stream; non-stationary draws are redrawn (at most ``MAX_PARAMETER_DRAWS`` times, then the point
    estimate is used). Returns the draws and the number of scenarios left at the point estimate."""
    if model.ar_cov is None:
        raise InputError("parameter uncertainty needs a fitted model (VAR or ARIMA) with estimated coefficient "
                         "covariance", field="parameter_uncertainty", value=model.kind)
    chol = cholesky_factor(model.ar_cov, field="ar_cov", file=_file(model.source))
    streams = scenario_streams(seed, n_scenarios, component="parameters", start=start)
    out = np.empty((len(streams),) + model.ar.shape)
    fallback = 0
    for s, rng in enumerate(streams):
        for _ in range(MAX_PARAMETER_DRAWS):
            cand = model.ar + (chol @ rng.standard_normal(model.ar.size)).reshape(model.ar.shape)
            if np.all(np.abs(companion_eigenvalues(cand)) < 1.0):
                break
        else:
            cand, fallback = model.ar, fallback + 1
        out[s] = cand
    return out, fallback


def simulate_deviations(ar: np.ndarray, ma: np.ndarray, chol: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Zero-mean deviations ``x`` (S, T, n) from standard-normal draws ``z`` (S, T, n):
    ``e_t = L z_t``, ``x_t = sum_j A_j x_{t-j} + e_t + sum_j M_j e_{t-j}``, zero before t = 0.
    ``ar`` is (p, n, n), or (S, p, n, n) for coefficients per scenario."""
    e = z @ chol.T
    x = np.zeros_like(e)
    n_years = z.shape[1]
    per_scenario = ar.ndim == 4
    n_lags = ar.shape[1] if per_scenario else ar.shape[0]
    for t in range(n_years):
        acc = e[:, t].copy()
        for j in range(1, min(n_lags, t) + 1):
            if per_scenario:
                acc += np.einsum("sik,sk->si", ar[:, j - 1], x[:, t - j])
            else:
                acc += x[:, t - j] @ ar[j - 1].T
        for j in range(1, min(ma.shape[0], t) + 1):
            acc += e[:, t - j] @ ma[j - 1].T
        x[:, t] = acc
    return x


def cholesky_factor(cov, *, field: str = "cov", file=None) -> np.ndarray:
    """Lower-triangular ``L`` with ``L L' = cov``. Variables with zero variance (their whole row and column 0)
    get zero rows; any other matrix that is not symmetric positive definite raises ``InputError``."""
    cov = np.asarray(cov, dtype=float)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or not np.all(np.isfinite(cov)):
        raise InputError("must be a finite square matrix", file=file, field=field, value=cov.tolist())
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-14):
        raise InputError("not symmetric", file=file, field=field, value=cov.tolist())
    diag = np.diag(cov)
    live = diag > 0
    dead = ~live
    if np.any(diag < 0) or np.any(cov[dead, :] != 0) or np.any(cov[:, dead] != 0):
        raise InputError("not positive definite (a negative variance, or covariance with a zero-variance "
                         "variable)", file=file, field=field, value=cov.tolist())
    out = np.zeros_like(cov)
    if live.any():
        try:
            out[np.ix_(live, live)] = np.linalg.cholesky(cov[np.ix_(live, live)])
        except np.linalg.LinAlgError:
            raise InputError("not positive definite (Cholesky factorisation fails)", file=file, field=field,
                             value=cov.tolist()) from None
    return out


def companion_eigenvalues(ar: np.ndarray) -> np.ndarray:
    p, n = ar.shape[0], ar.shape[1]
    if p == 0:
        return np.zeros(0)
    comp = np.zeros((n * p, n * p))
    comp[:n, :] = np.concatenate(list(ar), axis=1)
    comp[n:, :-n] = np.eye(n * (p - 1))
    return np.linalg.eigvals(comp)


# ---------------------------------------------------------------------------------------------------------------
# Reading and checking annual series


def read_series(data, *, variables=None) -> tuple[pd.DataFrame, str]:
    """Annual series as a float DataFrame indexed by consecutive int years, and its source name.

    Gaps in the years, duplicate or non-integer years, NaN or non-numeric values, and columns covering
    different years raise ``InputError`` naming the file, the column and the year(s).
    """
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.exists():
            raise InputError("no such file", file=path, field="path")
        from sibrisk._validation import read_text

        text, enc = read_text(path)
        try:
            df = pd.read_csv(io.StringIO(text))
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise InputError(f"cannot be read as CSV (read as {enc}): {err}", file=path, field="csv") from None
        source = str(path)
        if "year" not in df.columns:
            raise InputError("needs a 'year' column", file=path, field="year")
        df = df.set_index("year")
    elif isinstance(data, pd.DataFrame):
        df = data.copy()
        source = str(data.attrs.get("source", "DataFrame"))
        if "year" in df.columns:
            df = df.set_index("year")
    else:
        raise InputError("must be a pandas DataFrame or a CSV path", field="data", value=type(data).__name__)
    file = _file(source)
    if variables is not None:
        missing = [v for v in variables if v not in df.columns]
        if missing:
            raise InputError(f"columns not found; present: {list(df.columns)}", file=file, field="columns",
                             value=missing)
        df = df[list(variables)]
    if df.shape[1] == 0 or len(df) == 0:
        raise InputError("no series", file=file, field="columns", value=list(df.columns))
    for col in df.columns:
        _check_variable(col, file=file)
    df.index = _check_year_index(df.index, file)
    for col in df.columns:
        df[col] = _numeric_column(df[col], col, file)
    _check_complete(df, file)
    return df.astype(float), source


def _check_year_index(index: pd.Index, file) -> pd.Index:
    years = pd.to_numeric(pd.Series(index), errors="coerce")
    bad = years.isna() | (years != years.round())
    if bad.any():
        raise InputError("years must be integers", file=file, field="year", value=list(index[bad.to_numpy()]))
    years = years.astype(int).to_numpy()
    dup = np.unique(years[pd.Series(years).duplicated().to_numpy()])
    if dup.size:
        raise InputError("duplicate years", file=file, field="year", value=dup.tolist())
    if np.any(np.diff(years) <= 0):
        i = int(np.nonzero(np.diff(years) <= 0)[0][0])
        raise InputError("years must increase", file=file, field="year", value=int(years[i + 1]))
    gaps = np.nonzero(np.diff(years) > 1)[0]
    if gaps.size:
        missing = [y for i in gaps for y in range(years[i] + 1, years[i + 1])]
        raise InputError("years are not consecutive; missing", file=file, field="year", value=missing)
    return pd.Index(years, name="year")


def _numeric_column(col: pd.Series, name: str, file) -> pd.Series:
    num = pd.to_numeric(col, errors="coerce")
    bad = num.isna() & col.notna()
    if bad.any():
        raise InputError(f"non-numeric values in years {list(col.index[bad])}", file=file, field=name,
                         value=col[bad].iloc[0])
    inf = np.isinf(num.to_numpy(dtype=float))
    if inf.any():
        raise InputError("infinite values", file=file, field=name, value=list(col.index[inf]))
    return num


def _check_complete(df: pd.DataFrame, file) -> None:
    spans = {c: (df[c].first_valid_index(), df[c].last_valid_index()) for c in df.columns}
    for col, (lo, hi) in spans.items():
        if lo is None:
            raise InputError("column is empty", file=file, field=col)
    for col, (lo, hi) in spans.items():
        if (lo, hi) != (df.index[0], df.index[-1]):
            others = {c: s for c, s in spans.items() if c != col}
            raise InputError(f"covers years {lo}-{hi} but the data span {df.index[0]}-{df.index[-1]} "
                             f"(spans: {others}); all series must cover the same years", file=file, field=col,
                             value=[int(lo), int(hi)])
    for col in df.columns:
        nan_years = df.index[df[col].isna()].tolist()
        if nan_years:
            raise InputError("missing (NaN) values in years", file=file, field=col, value=nan_years)


# ---------------------------------------------------------------------------------------------------------------
# Small helpers


def _check_variable(name, *, file=None) -> None:
    if name not in VARIABLES:
        raise InputError(f"unknown economic variable; known: {sorted(VARIABLES)}", file=file, field="variable",
                         value=name)


def _file(source: str):
    return None if source in ("DataFrame", "assumptions") else source


def _finite(value, field: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError("must be a number", field=field, value=value) from None
    if not np.isfinite(out):
        raise InputError("must be finite", field=field, value=value)
    return out


def _lags(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError("must be a positive integer", field=field, value=value, has_value=True)
    return int(value)


def _order(order) -> tuple[int, int, int]:
    try:
        p, d, q = (int(o) for o in order)
    except (TypeError, ValueError):
        raise InputError("must be (p, d, q)", field="order", value=order) from None
    if d != 0:
        raise InputError("differenced models are not supported (d must be 0): the scenario's mean path carries "
                         "the trend", field="order", value=tuple(order))
    if p < 0 or q < 0 or p + q == 0:
        raise InputError("needs p >= 0, q >= 0 and p + q >= 1", field="order", value=tuple(order))
    return p, d, q


def _correlation_matrix(correlation, names: tuple[str, ...]) -> np.ndarray:
    n = len(names)
    if correlation is None:
        return np.eye(n)
    if isinstance(correlation, pd.DataFrame):
        try:
            correlation = correlation.loc[list(names), list(names)]
        except KeyError:
            raise InputError("labels must be the variables", field="correlation",
                             value=list(correlation.columns)) from None
    r = np.asarray(correlation, dtype=float)
    if r.shape != (n, n):
        raise InputError(f"must be {n} x {n} (variables {list(names)})", field="correlation", value=r.shape)
    if not np.all(np.isfinite(r)) or not np.allclose(np.diag(r), 1.0) or np.any(np.abs(r) > 1):
        raise InputError("needs a unit diagonal and entries in [-1, 1]", field="correlation", value=r.tolist())
    cholesky_factor(r, field="correlation")  # symmetric and positive definite, else InputError
    return r


def _implied_mean(coefs: np.ndarray, intercept: np.ndarray, df: pd.DataFrame) -> np.ndarray:
    n = coefs.shape[1]
    try:
        return np.linalg.solve(np.eye(n) - coefs.sum(axis=0), intercept)
    except np.linalg.LinAlgError:  # a unit root: no unconditional mean; fall back to the sample mean
        return df.mean().to_numpy()


def _warn_unstable(model: ShockModel) -> None:
    if not model.is_stable:
        warnings.warn(f"fitted {model.kind} from {model.source} is not stationary (a companion eigenvalue "
                      "has modulus >= 1); simulated deviations will not revert to the mean path", stacklevel=3)


def _years(years) -> np.ndarray:
    years = np.asarray(years)
    if years.ndim != 1 or years.size == 0:
        raise InputError("must be a non-empty 1-D sequence of years", field="years", value=np.asarray(years).tolist())
    if not np.issubdtype(years.dtype, np.integer):
        raise InputError("must be integer years", field="years", value=years.tolist())
    if np.any(np.diff(years) != 1):
        raise InputError("must be consecutive increasing years", field="years", value=years.tolist())
    return years.astype(int)


def _mean_paths(model: ShockModel, years: np.ndarray, mean: dict | None) -> np.ndarray:
    out = np.broadcast_to(model.mean, (years.size, len(model.variables))).copy()
    mean = dict(mean or {})
    extra = set(mean) - set(model.variables)
    if extra:
        raise InputError(f"not a variable of the model {list(model.variables)}", field="mean", value=sorted(extra))
    for i, v in enumerate(model.variables):
        if v in mean:
            out[:, i] = _one_mean_path(mean[v], years, f"mean.{v}")
        bounds = VARIABLES[v]["bounds"]
        if bounds is not None and (np.any(out[:, i] < bounds[0]) or np.any(out[:, i] > bounds[1])):
            bad = years[(out[:, i] < bounds[0]) | (out[:, i] > bounds[1])]
            raise InputError(f"mean path outside [{bounds[0]}, {bounds[1]}] in years {bad.tolist()}",
                             field=f"mean.{v}", value=float(out[years == bad[0], i][0]))
    return out


def _one_mean_path(value, years: np.ndarray, field: str) -> np.ndarray:
    if isinstance(value, xr.DataArray):
        if value.dims != ("year",):
            raise InputError("a DataArray mean must be over 'year' only", field=field, value=value.dims)
        missing = sorted(set(years.tolist()) - set(value["year"].values.tolist()))
        if missing:
            raise InputError("missing years", field=field, value=missing)
        arr = value.sel(year=years).values.astype(float)
    else:
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            arr = np.full(years.size, float(arr))
        elif arr.shape != years.shape:
            raise InputError(f"needs one value per year ({years.size})", field=field, value=arr.shape)
    if not np.all(np.isfinite(arr)):
        raise InputError("must be finite", field=field, value=arr.tolist())
    return arr
