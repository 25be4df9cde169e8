"""Contribution histories: contributing / not contributing (断缴) insured workers in bands of contribution record, and
the minimum-years rule acting on the short-record band. Hand-computed kernel cases (numba and the NumPy twin) and
the rule's effect on the default scenario."""

import numpy as np
import pytest

from kernel_cases import tiny
from sibrisk.funds.enterprise_pension import kernel as k
from sibrisk.funds.enterprise_pension.inputs import run_kernel
from sibrisk.funds.enterprise_pension.reference import project_reference
from sibrisk.projection import project
from sibrisk.scenario import load_scenario

DEFAULT = "scenarios/enterprise_pension_national.toml"


def two_band_case():
    """Men only, three ages, no deaths, wage 100, 20% contributions, 8% account. Band 0 (continuous): 100
    contributors at age 0 with 2 years and accounts of 100. Band 1 (lapsing): 50 contributing and 50 not, 1 year
    and accounts of 40; each year 20% of its payers stop and 10% of its non-payers resume."""
    inp = tiny(n_age=3, n_year=2)
    inp.c0 = np.zeros((3, 2, 2))
    inp.l0 = np.zeros((3, 2, 2))
    inp.y0 = np.zeros((3, 2, 2))
    inp.k0 = np.zeros((3, 2, 2))
    inp.c0[0, 0] = [100.0, 50.0]
    inp.l0[0, 0] = [0.0, 50.0]
    inp.y0[0, 0] = [2.0, 1.0]
    inp.k0[0, 0] = [100.0, 40.0]
    inp.lapse = np.zeros((2, 3, 2, 2))
    inp.resume = np.zeros((2, 3, 2, 2))
    inp.lapse[..., 1] = 0.2
    inp.resume[..., 1] = 0.1
    inp.ent_band = np.array([0.5, 0.5])
    inp.contrib_rate[:] = 0.2
    inp.acct_rate[:] = 0.08
    inp.accrual = 0.01
    return inp


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_lapses_by_hand(engine):
    inp = two_band_case()
    flows, detail = run_kernel(inp) if engine == "numba" else project_reference(inp)
    f0, f1 = flows[0, 0], flows[0, 1]
    # base year: only the 150 payers contribute: 150 x 100 x 20%
    assert f0[k.F_CONTRIB] == pytest.approx(3000.0)
    assert f0[k.F_CONTRIBUTORS] == pytest.approx(150.0)
    assert f0[k.F_LAPSED] == pytest.approx(50.0)
    # year 1, band 1: payers 50 x 0.8 + 50 x 0.1 = 45, non-payers 50 x 0.2 + 50 x 0.9 = 55
    d = detail[0, 1]
    assert d[1, 0, k.D_CONTRIB] == pytest.approx(100.0 + 45.0)
    assert d[1, 0, k.D_LAPSED] == pytest.approx(55.0)
    assert f1[k.F_LAPSED] == pytest.approx(55.0)
    # contributors' mid-year exposure (150 at the start, 145 at the end): 147.5 x 100 x 20%
    assert f1[k.F_CONTRIB_EXPOSURE] == pytest.approx(147.5)
    assert f1[k.F_CONTRIB] == pytest.approx(2950.0)


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_non_payers_accrue_nothing_by_hand(engine):
    """Band 1 alone, three years. After year 1 only its 45 year-end payers have accrued a year and an account
    credit of 8% x 100 = 8: years (100 x 1 + 45) / 100 = 1.45, account (100 x 40 + 45 x 8) / 100 = 43.6. In year 2
    everyone reaches statutory age at age 2 (no minimum) and retires on that record."""
    inp = tiny(n_age=3, n_year=3)
    base = two_band_case()
    inp.c0, inp.l0, inp.y0, inp.k0 = base.c0.copy(), base.l0, base.y0, base.k0
    inp.c0[0, 0, 0] = 0.0
    inp.lapse = np.zeros((3, 3, 2, 2))
    inp.resume = np.zeros((3, 3, 2, 2))
    inp.lapse[1, ..., 1] = 0.2
    inp.resume[1, ..., 1] = 0.1
    inp.ent_band = np.array([0.5, 0.5])
    inp.acct_rate[:] = 0.08
    inp.accrual = 0.01
    inp.hazard[2, 2, 0] = 1.0
    flows, detail = run_kernel(inp) if engine == "numba" else project_reference(inp)
    # pension = 1% x 100 x (1 + 1)/2 x 1.45 + 12 x 43.6 / 100 = 1.45 + 5.232
    assert flows[0, 2, k.F_NEW_BEN] == pytest.approx(100.0)
    assert detail[0, 2, 2, 0, k.D_BENEFIT] == pytest.approx(1.45 + 5.232)


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_minimum_years_acts_on_short_band_by_hand(engine):
    """At statutory age (age 1 in year 1) band 0 has 2 years and band 1 has 1 year; minimum 2 years. Band 0 retires;
    half of band 1 leaves with its accounts paid out (50 x 40 = 2,000 of other expenditure), the other half defers
    and stays insured. With the minimum switched off everyone retires and nothing is refunded."""
    run = run_kernel if engine == "numba" else project_reference
    inp = two_band_case()
    inp.hazard[1, 1, 0] = 1.0
    inp.min_years[:] = 2.0
    inp.exit_share = 0.5
    flows, detail = run(inp)
    f1, d = flows[0, 1], detail[0, 1]
    assert f1[k.F_NEW_BEN] == pytest.approx(100.0)
    assert f1[k.F_EXITS] == pytest.approx(50.0)
    assert f1[k.F_REFUND] == pytest.approx(2000.0)
    # deferred: 25 payers and 25 non-payers, then lapse/resume: payers 25 x 0.8 + 25 x 0.1 = 22.5, non-payers 27.5
    assert d[1, 0, k.D_CONTRIB] == pytest.approx(22.5)
    assert d[1, 0, k.D_LAPSED] == pytest.approx(27.5)
    # new pension of band 0: 1% x 100 x (1 + 1)/2 x 2 + 12 x 100 / 100 = 14
    assert d[1, 0, k.D_BENEFIT] == pytest.approx(14.0)
    # the refund is fund expenditure: closing = contributions - benefits - refund (no interest, no subsidy)
    assert f1[k.F_CLOSING] == pytest.approx(f0_closing(flows) + f1[k.F_CONTRIB] - f1[k.F_EXPEND] - 2000.0)

    inp.min_years[:] = 0.0
    flows_off, detail_off = run(inp)
    assert flows_off[0, 1, k.F_NEW_BEN] == pytest.approx(200.0)
    assert flows_off[0, 1, k.F_REFUND] == 0.0
    # band 1's pension: 1% x 100 x 1 + 12 x 40 / 100 = 5.8; average over 200 new retirees (100 x 14 + 100 x 5.8)/200
    assert detail_off[0, 1, 1, 0, k.D_BENEFIT] == pytest.approx((100 * 14.0 + 100 * 5.8) / 200)


def f0_closing(flows):
    return flows[0, 0, k.F_CLOSING]


def test_without_history_section_one_band_everyone_contributes():
    """Left out, the section gives the model as before bands: one band, nobody lapses (the public-sector default)."""
    from sibrisk.funds.public_sector_pension import FUND  # noqa: F401  (registers the fund)

    sc = load_scenario("scenarios/public_sector_pension_national.toml")
    assert sc.contribution_history is None
    ds = project(sc, keep_detail=False, indicators=False)
    assert float(ds.insured_not_contributing.max()) == 0.0
    assert float(ds.other_expenditure.max()) == 0.0


def test_default_insured_split_into_payers_and_non_payers():
    """2021: the 30,790 万 enterprise insured workers split by the bands' steady-state contributing shares
    0.7 x 0.96 + 0.2 x 0.625 + 0.1 x 0.25 (ASSUMPTIONS of the default scenario)."""
    sc = load_scenario(DEFAULT)
    ds = project(sc, keep_detail=False, indicators=False).sel(year=2021)
    share = 0.7 * 0.5 / 0.52 + 0.2 * 0.25 / 0.4 + 0.1 * 0.1 / 0.4
    insured = float(ds.contributors + ds.insured_not_contributing)
    assert insured == pytest.approx(30790e4, rel=1e-9)
    assert float(ds.contributors) == pytest.approx(30790e4 * share, rel=1e-9)


def test_minimum_years_rule_changes_the_projection():
    """Switching the 15 -> 20 years rule off (minimum 0) changes the default projection: the short-record band
    retires instead of deferring or leaving; with everyone in the short-record band the effect is larger."""
    sc = load_scenario(DEFAULT)
    off = sc.with_updates({"benefits.minimum_years": 0.0})
    base = project(sc, keep_detail=False, indicators=False)
    no_rule = project(off, keep_detail=False, indicators=False)
    assert float(no_rule.beneficiaries.sel(year=2040)) > float(base.beneficiaries.sel(year=2040))
    assert float(base.leavers_without_pension.sel(year=2030)) > 0.0
    assert float(no_rule.leavers_without_pension.max()) == 0.0
    # accounts paid out: to leavers (rule on) and to heirs (both): more with the rule on
    assert float(base.account_payouts.sel(year=2030)) > float(no_rule.account_payouts.sel(year=2030)) > 0.0
    short = {"contribution_history.shares": [0.0, 0.0, 1.0]}
    s_base = project(sc.with_updates(short), keep_detail=False, indicators=False)
    s_off = project(off.with_updates(short), keep_detail=False, indicators=False)
    gap_default = float(no_rule.beneficiaries.sel(year=2040) / base.beneficiaries.sel(year=2040)) - 1
    gap_short = float(s_off.beneficiaries.sel(year=2040) / s_base.beneficiaries.sel(year=2040)) - 1
    assert gap_short > 2 * gap_default > 0


def test_bad_history_section_names_field():
    from sibrisk.errors import InputError

    sc = load_scenario(DEFAULT)
    with pytest.raises(InputError, match="contribution_history.lapse_rate"):
        sc.with_updates({"contribution_history.lapse_rate": [0.1, 0.2]})
    with pytest.raises(InputError, match="shares"):
        sc.with_updates({"contribution_history.shares": [0.5, 0.2, 0.1]})


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_death_refunds_and_grants_by_hand(engine):
    """q = 0.1 at every age. Insured workers who die: 10% of band 0's 100 (account 100) and of band 1's 100
    (account 40): accounts 10 x 100 + 10 x 40 = 1,400, paid to heirs at inherit = 1 (社会保险法 Art. 14); 700 at
    0.5. Retirees: 20 at age 2 with 1,200 a year; 2 die; grants of 3 months of pension: 2 x 100 x 3 = 600."""
    run = run_kernel if engine == "numba" else project_reference
    inp = two_band_case()
    inp.q_base[:] = 0.1
    inp.r0[2, 0] = 20.0
    inp.b0[2, 0] = 1200.0
    inp.inherit = np.array([0.0, 1.0])
    inp.grant_months = np.array([0.0, 3.0])
    flows, _ = run(inp)
    f1 = flows[0, 1]
    assert f1[k.F_REFUND] == pytest.approx(1400.0)
    assert f1[k.F_DEATH_GRANTS] == pytest.approx(600.0)
    assert f1[k.F_CLOSING] == pytest.approx(flows[0, 0, k.F_CLOSING] + f1[k.F_CONTRIB] - f1[k.F_EXPEND] - 2000.0)
    inp.inherit = np.array([0.0, 0.5])
    assert run(inp)[0][0, 1, k.F_REFUND] == pytest.approx(700.0)
