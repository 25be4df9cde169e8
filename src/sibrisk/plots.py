"""Charts people would rather look at than read.

Importing this module does not choose a matplotlib backend: in a notebook the figures show inline, in a script the
user's backend applies; only the command line (``sibrisk.cli.use_file_backend``) switches to Agg, to write files
headless.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC")
TRILLION = 1e12  # 万亿元


CJK_FILE_HINTS = ("cjk", "wqy", "wenquanyi", "simhei", "msyh", "yahei", "pingfang", "heiti", "sourcehansans",
                  "notosanssc", "droidsansfallback")
FONT_ADVICE = ("install a CJK font (Debian/Ubuntu: apt-get install fonts-noto-cjk; conda: conda install -c "
               "conda-forge font-noto-cjk) and run again")


def _cjk_in(ttflist) -> str | None:
    names = {f.name for f in ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font that can draw Chinese, if one is installed; None (with a warning) otherwise, and labels fall back to
    English: a chart never shows empty boxes for Chinese text.

    matplotlib caches its font list on first use; a CJK font installed after that is not in the cache (stale cache).
    When the cache has none, the system font folders are scanned for CJK font files the cache does not know, and
    those are added (``font_manager.fontManager.addfont``)."""
    import warnings

    from matplotlib import font_manager

    fm = font_manager.fontManager
    found = _cjk_in(fm.ttflist)
    if found is None:
        known = {f.fname for f in fm.ttflist}
        for path in font_manager.findSystemFonts():
            stem = Path(path).name.lower().replace("-", "").replace("_", "")
            if path not in known and any(h in stem for h in CJK_FILE_HINTS):
                try:
                    fm.addfont(path)
                except Exception:  # an unreadable font file: skip it
                    continue
        found = _cjk_in(fm.ttflist)
    if found is None:
        warnings.warn(f"no font that can draw Chinese was found; chart labels are in English ({FONT_ADVICE})",
                      stacklevel=2)
    return found


def label(en: str, zh: str | None = None) -> str:
    """``en (zh)`` when a Chinese font is available, else ``en``."""
    if zh and cjk_font():
        return f"{en} ({zh})"
    return en


def _use_cjk():
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
        plt.rcParams["axes.unicode_minus"] = False


def plot_balance(ds: xr.Dataset, path: str | Path | None = None, *, title: str | None = None):
    """Fund balance with income and expenditure (trillion yuan, 万亿元), and balance months, over time.

    Returns the figure; writes a PNG when ``path`` is given."""
    from sibrisk.indicators.funcs import financing_gap

    _use_cjk()
    years = ds.year.values
    gap = financing_gap(ds) if "opening_balance" in ds else None
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7), sharex=True, constrained_layout=True)
    # after depletion: the balance floored at zero and the financing gap, never a balance running to minus millions
    # that flattens the years before it
    balance = gap.fund_balance_floored if gap is not None else ds.fund_balance
    ax1.plot(years, balance / TRILLION, color="tab:blue", lw=2.2, label="Accumulated balance (year end)")
    if gap is not None and (gap.financing_gap > 0).any():
        ax1.bar(years, gap.financing_gap / TRILLION, color="tab:red", alpha=0.35, width=0.8,
                label="Financing gap after depletion (subsidy needed)")
    income = gap.current_balance_floored + ds.total_expenditure if gap is not None else ds.total_income
    ax1.plot(years, income / TRILLION, color="tab:green", lw=1.2, label="Total income")
    ax1.plot(years, ds.contribution_income / TRILLION, color="tab:green", lw=1.0, ls="--", label="Contribution income")
    ax1.plot(years, ds.total_expenditure / TRILLION, color="tab:red", lw=1.2, label="Expenditure")
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set_ylabel(label("trillion yuan", "万亿元"))
    ax1.legend(loc="upper left", fontsize=8)
    ax1.grid(alpha=0.3)
    months = (gap.balance_months_floored if gap is not None
              else ds.fund_balance / (ds.total_expenditure / 12.0))
    ax2.plot(years, months, color="tab:purple", lw=2)
    ax2.axhline(0, color="black", lw=0.8)
    dep = np.flatnonzero(ds.fund_balance.values < 0)
    if dep.size:
        for ax in (ax1, ax2):
            ax.axvline(years[dep[0]], color="tab:red", ls=":", lw=1)
        ax2.annotate(f"depleted in {years[dep[0]]}", (years[dep[0]], 0), textcoords="offset points", xytext=(5, 10),
                     color="tab:red", fontsize=9)
    ax2.set_ylabel(label("balance months", "可支付月数"))
    ax2.set_xlabel("Year")
    ax2.grid(alpha=0.3)
    name = title or ds.attrs.get("title", ds.attrs.get("scenario_name", ""))
    fig.suptitle(f"{name}\nflows at {ds.attrs.get('flow_timing', 'mid_year').replace('_', '-')}", fontsize=10)
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig


def fan_chart(ds: xr.Dataset, variable: str = "fund_balance", path: str | Path | None = None, *, ax=None,
              scale: float | None = None, ylabel: str | None = None):
    """Percentile bands (5-95, 25-75) and the median of a variable over the ``scenario`` dim, by year."""
    _use_cjk()
    da = ds[variable]
    if scale is None:
        scale = TRILLION if da.attrs.get("units") == "yuan" else 1.0
    q = da.quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim="scenario") / scale
    years = ds.year.values
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
    ax.fill_between(years, q[0], q[4], color="tab:blue", alpha=0.18, label="5th-95th percentile")
    ax.fill_between(years, q[1], q[3], color="tab:blue", alpha=0.35, label="25th-75th percentile")
    ax.plot(years, q[2], color="tab:blue", lw=2, label="median")
    ax.axhline(0, color="black", lw=0.8)
    units = "trillion yuan" if scale == TRILLION else da.attrs.get("units", "")
    ax.set_ylabel(ylabel or f"{da.attrs.get('long_name', variable)} ({units})")
    ax.set_xlabel("Year")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(f"{ds.attrs.get('title', '')}: {ds.sizes['scenario']} scenarios", fontsize=9)
    if own and path is not None:
        ax.figure.savefig(path, dpi=120)
        plt.close(ax.figure)
    return ax.figure


def depletion_chart(ds: xr.Dataset, path: str | Path | None = None):
    """Histogram of the depletion year and the cumulative probability of depletion by year."""
    _use_cjk()
    from sibrisk.stochastic import depletion_distribution

    years = ds.year.values
    dist = depletion_distribution(ds)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    ax1.bar(years, dist.share_first_depleted * 100, color="tab:red", alpha=0.8)
    ax1.set_xlabel("Depletion year")
    ax1.set_ylabel("% of scenarios")
    ax1.set_title(f"Depletion year ({float(dist.not_depleted) * 100:.1f}% not depleted by {int(years[-1])})",
                  fontsize=9)
    ax1.grid(alpha=0.3)
    ax2.step(years, dist.probability_of_depletion * 100, where="post", color="tab:red", lw=2)
    ax2.set_ylim(0, 100)
    ax2.set_xlabel("Year")
    ax2.set_ylabel("Probability of depletion by year (%)")
    ax2.grid(alpha=0.3)
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig
