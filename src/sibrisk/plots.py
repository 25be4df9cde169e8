"""Charts people would rather look at than read. Matplotlib with the Agg backend (works headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from sibrisk.units import YI  # noqa: E402


def plot_balance(ds: xr.Dataset, path: str | Path | None = None, *, title: str | None = None):
    """Fund balance with income and expenditure (亿元), and balance months, over time. Returns the figure."""
    years = ds.year.values
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7), sharex=True, constrained_layout=True)
    ax1.plot(years, ds.fund_balance / YI, color="tab:blue", lw=2.2, label="Accumulated balance (year end)")
    ax1.plot(years, ds.total_income / YI, color="tab:green", lw=1.2, label="Total income")
    ax1.plot(years, ds.contribution_income / YI, color="tab:green", lw=1.0, ls="--", label="Contribution income")
    ax1.plot(years, ds.benefit_expenditure / YI, color="tab:red", lw=1.2, label="Benefit expenditure")
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set_ylabel("亿元 (100 million yuan)")
    ax1.legend(loc="upper left", fontsize=8)
    ax1.grid(alpha=0.3)
    months = ds.fund_balance / (ds.benefit_expenditure / 12.0)
    ax2.plot(years, months, color="tab:purple", lw=2)
    ax2.axhline(0, color="black", lw=0.8)
    dep = np.flatnonzero(ds.fund_balance.values < 0)
    if dep.size:
        for ax in (ax1, ax2):
            ax.axvline(years[dep[0]], color="tab:red", ls=":", lw=1)
        ax2.annotate(f"depleted in {years[dep[0]]}", (years[dep[0]], 0), textcoords="offset points", xytext=(5, 10),
                     color="tab:red", fontsize=9)
    ax2.set_ylabel("Balance months (可支付月数)")
    ax2.set_xlabel("Year")
    ax2.grid(alpha=0.3)
    name = title or ds.attrs.get("title", ds.attrs.get("scenario_name", ""))
    fig.suptitle(f"{name}\nflows at {ds.attrs.get('flow_timing', 'mid_year').replace('_', '-')}", fontsize=10)
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig
