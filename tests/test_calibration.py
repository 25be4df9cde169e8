"""The shipped default scenario is exactly what its committed generator writes, and its profiles are sane."""

import numpy as np
import pytest

from conftest import DEFAULT
from sibrisk.funds.enterprise_pension.calibration import (assumed_profiles, calibrated_collection_rate,
                                                         calibrated_subsidy_share, write_default_scenario)


def test_shipped_scenario_is_regenerated_identically(tmp_path):
    out = tmp_path / "regenerated.toml"
    write_default_scenario(out)
    assert out.read_text(encoding="utf-8") == DEFAULT.read_text(encoding="utf-8")


def test_profiles_shapes():
    p = assumed_profiles()
    ages = np.arange(16, 101)
    men_c, men_r = p["contributors"][:, 0], p["retirees"][:, 0]
    # men (pre-2025 age 60): no contributors from 60 on, no retirees before 60
    assert men_c[ages >= 60].max() == 0.0 and men_r[ages < 60].max() == 0.0
    # women: 70% workers retire at 50 -> the contributor profile drops by about that share at 50
    wc = p["contributors"][:, 1]
    assert wc[ages == 50][0] / wc[ages == 49][0] < 0.35
    assert p["entrants"][ages > 45].sum() == 0.0


def test_subsidy_share_solves_the_income_equation():
    # hand check: C = 100, X = 80, O = 50, i = 0.21 (f = 0.1), target 150:
    # 150 = 100*1.1 + s*80*1.1 + 50*0.21 - 80*0.1  ->  s = (150 - 110 - 10.5 + 8) / 88
    s = calibrated_subsidy_share(100.0, 80.0, 50.0, 0.21, 150.0)
    assert np.isclose(s, 37.5 / 88)


def test_collection_rate_leaves_the_target_subsidy():
    # hand check: C = 100 at collection 0.8, X = 80, O = 50, i = 0.21 (f = 0.1), target income 150, subsidy 20:
    # C* = (150 - 50*0.21 + 80*0.1) / 1.1 - 20 = 147.5/1.1 - 20 = 114.0909...; collection = 0.8 * C*/100
    c = calibrated_collection_rate(100.0, 0.8, 80.0, 50.0, 0.21, 150.0, 20.0)
    assert np.isclose(c, 0.8 * (147.5 / 1.1 - 20) / 100)
    # and then the share equation gives back the subsidy 20: s X = 20
    s = calibrated_subsidy_share(100.0 * c / 0.8, 80.0, 50.0, 0.21, 150.0)
    assert np.isclose(s * 80.0, 20.0)


def test_default_base_year_subsidy_is_the_assumed_one(default_projection):
    # ENTERPRISE_2021["fiscal_subsidy"] = 6,500 亿 (above the published central lower bound, more than 6,000 亿,
    # Yu Weiping, MOF, SCIO 2022-02-22); the collection rate is rounded to 4 decimals, hence the tolerance
    from sibrisk.funds.enterprise_pension.calibration import ENTERPRISE_2021

    sub = float(default_projection.fiscal_subsidy.sel(year=2021))
    assert sub > 6000e8
    assert sub == pytest.approx(ENTERPRISE_2021["fiscal_subsidy"], rel=0.002)


def test_backtest_table_within_stated_tolerance():
    """Projected vs published 2022-2023 figures (funds/enterprise_pension/calibration.py BACKTEST, each with its source):
    the defaults land within the stated 10% of every one; the table reproduces the projections it reports."""
    import sibrisk
    from sibrisk.funds.enterprise_pension.calibration import BACKTEST_TOLERANCE, backtest_table

    table = backtest_table()
    assert len(table) == 4 and set(table.year) == {2022, 2023}
    assert (table.difference.abs() <= BACKTEST_TOLERANCE).all(), table[["year", "item", "difference"]]
    ent = sibrisk.project(sibrisk.load_scenario("enterprise_pension_national"), keep_detail=False)
    row = table[table.item.str.startswith("enterprise fund balance")].iloc[0]
    assert row.projected == pytest.approx(float(ent.fund_balance.sel(year=2023)) / 1e8, abs=0.05)
