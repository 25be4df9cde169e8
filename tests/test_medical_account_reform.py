"""The employee fund's individual-account reform (国办发〔2021〕14号) as dated parameters: the default follows the
post-reform rules from its 2024 base year, the published account balances show when the reform arrived, and undoing
it (the pre-reform split, as a dated policy change) moves money from the pooled fund to the accounts."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.employee_medical import calibration as cal


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario("employee_medical_national")


@pytest.fixture(scope="module")
def ds(sc):
    return sibrisk.project(sc, keep_detail=False, indicators=False)


def test_the_default_follows_the_post_reform_rules(sc):
    """In-service accounts get at most the employee's own 2% (2024: 2%; from 2025 the fitted effective 1.902%);
    retiree accounts a fixed nominal credit of 2% of the 2021 average pension (42,928 yuan: 858.57), not indexed."""
    acct = sc.series("contributions.worker_account_rate")
    assert np.all(acct <= sc.series("contributions.employee_rate") + 1e-15)
    assert acct[0] == pytest.approx(0.02)
    credit = sc.series("contributions.retiree_account_credit")
    assert np.all(credit == credit[0]) and credit[0] == pytest.approx(0.02 * 56481e8 / 13157e4, abs=0.01)


def test_published_balances_show_the_reform_in_2023():
    """Net account inflow (亿元): 1,670 / 1,658 / 1,959 in 2020-2022, 253 / 510 / 608 in 2023-2025."""
    net = cal.account_net_inflow_history()
    assert net[2022] == pytest.approx(13712.65 - 11753.98)
    assert net[2023] == pytest.approx(6351.35 - 6097.95, abs=0.01)
    assert net[2024] == pytest.approx(6390.01 - 5879.83, abs=0.01)
    before = [net[y] for y in net if y < cal.ACCOUNT_REFORM_YEAR]
    after = [net[y] for y in net if y >= cal.ACCOUNT_REFORM_YEAR]
    assert min(before) > 1600 and max(after) < 650


def test_the_model_gives_the_post_reform_inflow(ds):
    """2024 is calibrated (510.18); 2025, out of sample for the flows' difference, 619.5 against the published 608.4."""
    net = (ds.account_income - ds.account_expenditure) / 1e8
    assert float(net.sel(year=2024)) == pytest.approx(cal.account_net_inflow_history()[2024], abs=0.5)
    assert float(net.sel(year=2025)) == pytest.approx(cal.account_net_inflow_history()[2025], rel=0.03)


def test_undoing_the_reform_from_2026_moves_money_out_of_the_pool(sc, ds):
    """The pre-reform split (2% + about 30% of a ~6% employer rate = 3.8%) as a dated change from 2026: 2024-2025
    unchanged; from 2026 the pooled fund loses exactly 1.898 points of the collected wage bill to the accounts,
    contributions unchanged; the pooled fund's depletion moves from 2045 to 2034 (measured). The accounts' net
    inflow becomes 5,858 亿元 in 2026, three times the 1,650-1,960 published before the reform: the 3.8% of
    ``WALK_STEPS`` overstates the pre-reform transfer when the accounts keep paying the post-reform share."""
    off = sibrisk.project(sc.with_updates({"contributions.worker_account_rate": 0.038}, effective_from=2026),
                          keep_detail=False, indicators=False)
    for y in (2024, 2025):
        assert float(off.pooled_income.sel(year=y)) == float(ds.pooled_income.sel(year=y))
    np.testing.assert_allclose(off.contribution_income, ds.contribution_income, rtol=1e-12)
    y = 2026
    shift = (0.038 - 0.01902) * float(ds.covered_wage_bill.sel(year=y)) * 0.95
    assert float(ds.pooled_contribution_income.sel(year=y) - off.pooled_contribution_income.sel(year=y)) == \
        pytest.approx(shift, rel=1e-9)
    assert float(off.pooled_balance.sel(year=2030)) < float(ds.pooled_balance.sel(year=2030))
    assert cal.depletion_year(ds) == 2045 and cal.depletion_year(off) == 2034
    net = float(off.account_income.sel(year=y) - off.account_expenditure.sel(year=y)) / 1e8
    assert net == pytest.approx(5857.5, abs=1.0)
    assert net > 2.5 * max(v for k, v in cal.account_net_inflow_history().items() if k < cal.ACCOUNT_REFORM_YEAR)
