"""What the later-base-year tests share (tests/test_rebase_later_<fund>.py): the nation's default and its projection,
k x its projected accounts of a later year as a region's actuals, and the default re-based onto them for base + 3
and base + 6 at k = 1 and 1/200 (a region of the nation's structure must project the nation x k)."""

from __future__ import annotations

import sibrisk

# every account item a projection has and ``sibrisk.rebase`` takes, the opening balance included
ACCOUNT_ITEMS = ("opening_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
                 "benefit_expenditure", "other_expenditure", "fund_balance", "contributors", "beneficiaries")
LATER = (3, 6)
SCALES = (1.0, 1 / 200)


def national(fund: str):
    """(scenario, projection) of the fund's shipped national default."""
    sc = sibrisk.load_scenario(f"{fund}_national")
    return sc, sibrisk.project(sc, keep_detail=False)


def accounts_of(ds, year: int, k: float = 1.0, items=ACCOUNT_ITEMS) -> dict:
    """k x the projection's accounts of ``year`` (the items ``ds`` has), as ``rebase`` takes them."""
    row = ds.sel(year=year)
    return {"year": year, **{v: float(row[v]) * k for v in items if v in row}}


def rebased_grid(sc, ds, later=LATER, scales=SCALES) -> dict:
    """{(years after the base year, k): the ``rebase`` result onto k x the accounts of that year}."""
    return {(n, k): sibrisk.rebase(sc, accounts_of(ds, sc.projection.base_year + n, k)) for n in later for k in scales}
