"""The employee pension's flows around retirement and death (issue 10): retirees' own mortality, refunds of retirees'
remaining individual accounts on death, back-payment of missing contribution years (补缴), central adjustment /
national pooling transfers of a region, and the contribution base bounds acting on a wage distribution.
Hand-computed kernel cases (numba and the NumPy twin), and each rule's effect on the shipped scenarios."""

import math

import numpy as np
import pytest

from kernel_cases import tiny
from sibrisk.funds.enterprise_pension import kernel as k
from sibrisk.funds.enterprise_pension.inputs import effective_base_ratio, run_kernel
from sibrisk.funds.enterprise_pension.reference import project_reference
from sibrisk.projection import project
from sibrisk.scenario import load_scenario

ENGINES = {"numba": run_kernel, "reference": project_reference}
DEFAULT = "scenarios/enterprise_pension_national.toml"


@pytest.fixture(params=list(ENGINES))
def run(request):
    return ENGINES[request.param]


def test_retiree_mortality_by_hand(run):
    """Workers die at q = 0.1, retirees at q_ret x factor = 0.1 x 1.5 = 0.15: 100 contributors at age 0 -> 90 at
    age 1; 100 retirees at age 1 -> 85 at age 2 (factor 1: 90)."""
    inp = tiny(n_age=3, n_year=2)
    inp.c0[0, 0] = 100.0
    inp.r0[1, 0] = 100.0
    inp.q_base[:] = 0.1
    inp.q_ret_base = np.full((3, 2), 0.1)
    inp.ret_factor = np.array([1.0, 1.5])
    _, d = run(inp)
    assert d[0, 1, 1, 0, k.D_CONTRIB] == pytest.approx(90.0)
    assert d[0, 1, 2, 0, k.D_RETIREES] == pytest.approx(85.0)
    inp.ret_factor = None
    assert run(inp)[1][0, 1, 2, 0, k.D_RETIREES] == pytest.approx(90.0)


def test_retiree_account_refund_by_hand(run):
    """20 retirees at age 1 with 1,200 left in their accounts, drawing 120 a year; q = 0.1, crediting 5%, inherit 1.
    Year 1: 2 die, heirs get 2 x 1,200 = 2,400; survivors keep 1,200 x 1.05 - 120 = 1,140. Year 2: 18 x 0.1 x
    1,140 = 2,052; survivors keep 1,140 x 1.05 - 120 = 1,077. A 100 account drawing 120 a year is spent in a year:
    nothing is left (never negative) and nothing goes to heirs in year 2."""
    inp = tiny(n_age=3, n_year=3)
    inp.r0[1, 0] = 20.0
    inp.b0[1, 0] = 1000.0
    inp.q_base[:] = 0.1
    inp.a0 = np.zeros((3, 2))
    inp.d0 = np.zeros((3, 2))
    inp.a0[1, 0], inp.d0[1, 0] = 1200.0, 120.0
    inp.credit[:] = 0.05
    inp.inherit = np.ones(3)
    f, d = run(inp)
    assert f[0, 1, k.F_RETIREE_REFUND] == pytest.approx(2400.0)
    assert d[0, 1, 2, 0, k.D_RETIREE_ACCOUNT] == pytest.approx(1140.0)
    assert f[0, 2, k.F_RETIREE_REFUND] == pytest.approx(2052.0)
    assert d[0, 2, 2, 0, k.D_RETIREE_ACCOUNT] == pytest.approx(1077.0)
    # the refunds are part of the accounts paid out, which the fund pays
    assert f[0, 1, k.F_REFUND] == pytest.approx(2400.0)
    assert f[0, 1, k.F_CLOSING] == pytest.approx(f[0, 0, k.F_CLOSING] - f[0, 1, k.F_EXPEND] - 2400.0)
    inp.a0[1, 0] = 100.0
    f, d = run(inp)
    assert d[0, 1, 2, 0, k.D_RETIREE_ACCOUNT] == 0.0
    assert f[0, 2, k.F_RETIREE_REFUND] == 0.0
    inp.a0[1, 0] = 1200.0
    inp.inherit = np.zeros(3)
    assert run(inp)[0][0, 1, k.F_REFUND] == 0.0


def test_new_retirees_bring_their_account_by_hand(run):
    """10 contributors at age 0 with 20 years and accounts of 1,000 retire at age 1 (hazard 1, 100 payout months):
    their remaining account is 1,000 and they draw 12 x 1,000 / 100 = 120 a year; the next year 1,000 x 1.05 - 120
    = 930 is left. Mixed with 10 older retirees in the open age holding 600: (10 x 600 x 1.05 - 10 x 60 ...)"""
    inp = tiny(n_age=3, n_year=3)
    inp.c0[0, 0] = 10.0
    inp.y0[0, 0] = 20.0
    inp.k0[0, 0] = 1000.0
    inp.hazard[:, 1, 0] = 1.0
    inp.credit[:] = 0.05
    f, d = run(inp)
    assert d[0, 1, 1, 0, k.D_RETIREES] == pytest.approx(10.0)
    assert d[0, 1, 1, 0, k.D_RETIREE_ACCOUNT] == pytest.approx(1000.0)
    assert d[0, 2, 2, 0, k.D_RETIREE_ACCOUNT] == pytest.approx(930.0)


def test_back_payment_by_hand(run):
    """10 contributors at age 0 with 12 years and accounts of 500 reach statutory age (hazard 1 at age 1) short of a
    15-year minimum; 40% buy the 3 missing years back (at most 5), of the rest half leave, half defer. Wage 100,
    base ratio 1, 20% rate (8% to the account), accrual 1%, 100 payout months.
    Lump sums 4 x 3 x 20% x 100 = 240 (in contribution income, with the deferred payers' 6.5 x 100 x 20% = 130);
    4 new retirees with 15 years and accounts 500 + 3 x 8% x 100 = 524: pension 1% x 100 x 15 + 12 x 524 / 100 =
    77.88; 3 leave with 500 each. With at most 2 years buyable, or a share of 0, nobody buys back and 5 leave."""
    inp = tiny(n_age=3, n_year=2)
    inp.c0[0, 0] = 10.0
    inp.y0[0, 0] = 12.0
    inp.k0[0, 0] = 500.0
    inp.hazard[1, 1, 0] = 1.0
    inp.min_years[:] = 15.0
    inp.exit_share = 0.5
    inp.contrib_rate[:] = 0.2
    inp.acct_rate[:] = 0.08
    inp.accrual = 0.01
    inp.back_share = np.array([0.0, 0.4])
    inp.back_max = np.array([5.0, 5.0])
    f, d = run(inp)
    f1 = f[0, 1]
    assert f1[k.F_BACK_PAY] == pytest.approx(240.0)
    assert f1[k.F_BACK_PAYERS] == pytest.approx(4.0)
    assert f1[k.F_CONTRIB] == pytest.approx(240.0 + 130.0)
    assert f1[k.F_NEW_BEN] == pytest.approx(4.0)
    assert d[0, 1, 1, 0, k.D_BENEFIT] == pytest.approx(77.88)
    assert d[0, 1, 1, 0, k.D_RETIREE_ACCOUNT] == pytest.approx(524.0)
    assert f1[k.F_EXITS] == pytest.approx(3.0)
    assert f1[k.F_REFUND] == pytest.approx(1500.0)
    assert d[0, 1, 1, 0, k.D_CONTRIB] == pytest.approx(3.0)
    for change in ({"back_max": np.array([2.0, 2.0])}, {"back_share": np.zeros(2)}):
        inp2 = tiny(**{**inp.__dict__, **change})
        f2 = run(inp2)[0][0, 1]
        assert f2[k.F_BACK_PAY] == 0.0 and f2[k.F_NEW_BEN] == 0.0
        assert f2[k.F_EXITS] == pytest.approx(5.0)


def test_pooling_transfers_by_hand(run):
    """100 contributing and 50 lapsed insured workers, 20 retirees, wage 100: out 4.5% x 90% x 100 x 150 = 607.5, in
    7% x 100 x 20 = 140; the net transfer enters the balance, not the subsidy's expenditure base."""
    inp = tiny(n_age=3, n_year=1)
    inp.c0 = np.zeros((3, 2, 1))
    inp.l0 = np.zeros((3, 2, 1))
    inp.c0[0, 0, 0], inp.l0[0, 0, 0] = 100.0, 50.0
    inp.r0[2, 0], inp.b0[2, 0] = 20.0, 10.0
    inp.transfer_out = np.array([0.045 * 0.9])
    inp.transfer_in = np.array([0.07])
    inp.sub_param[:] = 0.5  # subsidy: 50% of expenditure
    f = run(inp)[0][0, 0]
    assert f[k.F_TRANSFER_OUT] == pytest.approx(607.5)
    assert f[k.F_TRANSFER_IN] == pytest.approx(140.0)
    assert f[k.F_SUBSIDY] == pytest.approx(100.0)
    assert f[k.F_CLOSING] == pytest.approx(0.0 + 0.0 + 100.0 + 140.0 - 607.5 - 200.0)


def test_effective_base_ratio_closed_form():
    """Without dispersion the bounds clip the mean; with it E[clip(W, lo, hi)] for lognormal W (checked against a
    fine quadrature); a lower floor lowers the base, a higher ceiling raises it."""
    assert effective_base_ratio(0.5, np.array([0.6]), np.array([3.0]), np.array([0.0]))[0] == 0.6
    assert effective_base_ratio(0.65, np.array([0.6]), np.array([3.0]), np.array([0.0]))[0] == 0.65
    s, mean, lo, hi = 0.6, 0.8, 0.6, 3.0
    mu = math.log(mean) - s * s / 2
    z = np.linspace(-10, 10, 200001)
    w = np.exp(mu + s * z)
    dens = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    expect = float(np.sum(np.clip(w, lo, hi) * dens) * (z[1] - z[0]))
    got = effective_base_ratio(mean, np.array([lo]), np.array([hi]), np.array([s]))[0]
    assert got == pytest.approx(expect, rel=1e-7)
    assert effective_base_ratio(mean, np.array([0.0]), np.array([np.inf]), np.array([s]))[0] == pytest.approx(mean)
    assert effective_base_ratio(mean, np.array([0.4]), np.array([hi]), np.array([s]))[0] < got
    assert effective_base_ratio(mean, np.array([lo]), np.array([5.0]), np.array([s]))[0] > got


# ---------------------------------------------------------------------------------------------------------------
# the rules in the shipped scenarios: each one acts, and switching it off changes the projection


def _proj(sc):
    return project(sc, keep_detail=False, indicators=False)


@pytest.fixture(scope="module")
def default_sc():
    return load_scenario(DEFAULT)


@pytest.fixture(scope="module")
def default_ds(default_sc):
    return _proj(default_sc)


def test_default_retirees_die_at_their_own_table(default_sc, default_ds):
    """Retirees die at 1.07 x the workers' table (ASSUMPTION, [retiree_mortality]); at 1.0 more of them live, so
    benefit expenditure is higher and the 2040 balance lower."""
    from sibrisk.projection import fund_inputs

    inp = fund_inputs(default_sc, 1)
    np.testing.assert_allclose(inp.q_ret_base, inp.q_base)  # same columns ([mortality]) ...
    assert np.all(inp.ret_factor == 1.07)                   # ... times the factor
    off = _proj(default_sc.with_updates({"retiree_mortality.factor": 1.0}))
    y = {"year": 2040}
    assert float(off.beneficiaries.sel(**y)) > float(default_ds.beneficiaries.sel(**y))
    assert float(off.fund_balance.sel(**y)) < float(default_ds.fund_balance.sel(**y))


def test_default_pays_retirees_accounts_to_heirs(default_sc, default_ds):
    """From the first projected year heirs of retirees receive their remaining accounts; with inheritance off they
    receive nothing and the fund keeps more."""
    refunds = default_ds.retiree_account_refunds
    assert float(refunds.sel(year=2021)) == 0.0  # the base year is the published one
    assert np.all(refunds.sel(year=slice(2022, None)).values > 0)
    assert np.all(default_ds.account_payouts.values >= refunds.values)
    off = _proj(default_sc.with_updates({"benefits.account_inheritance": 0.0}))
    assert float(off.retiree_account_refunds.sum()) == 0.0
    assert float(off.fund_balance.sel(year=2040)) > float(default_ds.fund_balance.sel(year=2040))


def test_initial_retiree_accounts_by_hand(default_sc):
    """A man aged 62 at the end of 2021 retired at 60 in 2019 with an account built over 1996-2018 (8% of the 2021
    effective base 0.65 x 106,837, wages 10% a year lower going back, credited 5%), drew 12/139 of it in 2019 and
    2020; a man aged 90 retired in 1991, before accounts began: nothing."""
    from sibrisk.projection import fund_inputs

    inp = fund_inputs(default_sc, 1)
    w, g, c = 106837.0 * 0.65, 0.1, 0.05
    acct = sum(0.08 * w * (1 + g) ** (y - 2021) * (1 + c) ** (2019 - y) for y in range(1996, 2019))
    d = 12 * acct / 139
    j = 62 - 16
    assert inp.d0[j, 0] == pytest.approx(d, rel=1e-6)
    assert inp.a0[j, 0] == pytest.approx(acct * 1.05 ** 2 - d * (1 + 1.05), rel=1e-6)
    assert inp.a0[90 - 16, 0] == 0.0 and inp.d0[90 - 16, 0] == 0.0


def test_default_back_payment(default_sc, default_ds):
    """Those short of the minimum years buy them back (20%, ASSUMPTION): lump sums in contribution income, more
    retirees, fewer leavers; off: none."""
    y = {"year": 2035}
    assert float(default_ds.back_payments.sel(**y)) > 0 and float(default_ds.back_payers.sel(**y)) > 0
    off = _proj(default_sc.with_updates({"benefits.back_payment_share": 0.0}))
    assert float(off.back_payments.sum()) == 0.0
    assert float(off.leavers_without_pension.sel(**y)) > float(default_ds.leavers_without_pension.sel(**y))
    assert float(off.beneficiaries.sel(**y)) < float(default_ds.beneficiaries.sel(**y))
    # a cap below every band's shortfall switches it off too
    capped = _proj(default_sc.with_updates({"benefits.back_payment_max_years": 0.0}))
    assert float(capped.back_payments.sum()) == 0.0


def test_default_contribution_base_bounds_bind(default_sc, default_ds):
    """The 2021 effective base is the calibrated 65% of the average wage; a floor of 50% instead of 60% lowers
    contribution income from the first projected year. With one average base (no dispersion) the floor binds
    nothing, as before."""
    from sibrisk.projection import fund_inputs

    inp = fund_inputs(default_sc, 1)
    assert inp.base_ratio[0, 0, 0] == pytest.approx(0.65, abs=1e-6)
    low = _proj(default_sc.with_updates({"contributions.base_floor": 0.5}))
    assert np.all(low.contribution_income.values < default_ds.contribution_income.values)
    one = default_sc.with_updates({"contributions.wage_dispersion": 0.0, "contributions.base_ratio": 0.65})
    np.testing.assert_array_equal(_proj(one).contribution_income.values,
                                  _proj(one.with_updates({"contributions.base_floor": 0.5})).contribution_income.values)


def test_province_pooling_transfers():
    """The ILLUSTRATIVE province: every region pays out 4.5% x 90% x its average wage x its insured workers and
    receives the allocation per retiree (2030: the 2026 key, 9.74% of the average wage); the older City B is a net receiver, City A a net payer; the Dataset's
    roll-forward closes with the transfers as other income and expenditure; off changes the balances."""
    sc = load_scenario("scenarios/example_province_enterprise_pension.toml")
    ds = _proj(sc)
    d = ds.sel(year=2030)
    insured = d.contributors + d.insured_not_contributing
    np.testing.assert_allclose(d.central_transfer_out.values, 0.045 * 0.9 * d.average_wage.values * insured.values,
                               rtol=1e-12)
    np.testing.assert_allclose(d.central_transfer_in.values, 0.0974 * d.average_wage.values * d.beneficiaries.values,
                               rtol=1e-12)
    net = d.net_central_transfer
    assert float(net.sel(region="city_b")) > 0 > float(net.sel(region="city_a"))
    lhs = (ds.opening_balance + ds.contribution_income + ds.fiscal_subsidy + ds.interest_income + ds.other_income
           - ds.benefit_expenditure - ds.other_expenditure)
    np.testing.assert_allclose(lhs.values, ds.fund_balance.values, rtol=1e-12, atol=1.0)
    off = _proj(sc.with_updates({"pooling_transfers.out_rate": 0.0, "pooling_transfers.in_per_retiree": 0.0}))
    assert float(off.central_transfer_in.sum()) == 0.0
    assert float(off.fund_balance.sel(year=2030, region="city_b")) < float(d.fund_balance.sel(region="city_b"))


def test_new_flows_off_nationally_and_in_the_public_sector(default_ds):
    """The national default has no central transfers (they net to zero nationally); the public-sector default has
    none of the new flows (no [retiree_mortality], no inheritance, no back-payment, no transfers)."""
    assert float(np.abs(default_ds.central_transfer_out).sum() + np.abs(default_ds.central_transfer_in).sum()) == 0.0
    ps = _proj(load_scenario("scenarios/public_sector_pension_national.toml"))
    for v in ("retiree_account_refunds", "back_payments", "central_transfer_out", "central_transfer_in"):
        assert float(np.abs(ps[v]).sum()) == 0.0, v


def test_bad_new_fields_name_the_field(default_sc):
    from sibrisk.errors import InputError

    with pytest.raises(InputError, match="base_floor"):
        default_sc.with_updates({"contributions.base_floor": 4.0})
    from sibrisk.projection import fund_inputs

    with pytest.raises(InputError, match="retiree_mortality.male"):
        fund_inputs(default_sc.with_updates({"retiree_mortality.male": "no_such_column"}), 1)
