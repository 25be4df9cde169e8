"""The fiscal subsidy with its published history: dated amounts in the published years, the chosen rule after them
(``[subsidy] history``, ``funds/common/accounts.py``)."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.common import accounts as acc

DEFAULT = "scenarios/enterprise_pension_national.toml"


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario(DEFAULT)


@pytest.mark.parametrize("fn", [acc.roll_forward, acc.roll_forward_reference])
def test_roll_forward_history_years_by_hand(fn):
    ff = (1.05 ** 0.5 - 1)
    mid = ff if fn is acc.roll_forward else True
    # a published year under the share rule: the amount 30, whatever the share
    sub, interest, closing = fn(1000.0, 100.0, 120.0, 0.05, mid, acc.SUB_SHARE + acc.SUB_HISTORY, -1.0 - 30.0, 0.0)
    assert sub == pytest.approx(30.0)
    assert interest == pytest.approx(1000 * 0.05 + (100 + 30 - 120) * ff)
    assert closing == pytest.approx(1000 + 100 + 30 + interest - 120)
    # a rule year: the share of expenditure, as without history
    with_hist = fn(1000.0, 100.0, 120.0, 0.05, mid, acc.SUB_SHARE + acc.SUB_HISTORY, 0.25, 0.0)
    plain = fn(1000.0, 100.0, 120.0, 0.05, mid, acc.SUB_SHARE, 0.25, 0.0)
    assert with_hist == plain and plain[0] == pytest.approx(30.0)
    # gap to floor after the history; a published zero is a zero
    assert fn(0.0, 100.0, 120.0, 0.05, mid, acc.SUB_GAP + acc.SUB_HISTORY, -1.0, 0.0)[0] == 0.0
    assert fn(0.0, 100.0, 120.0, 0.05, mid, acc.SUB_GAP + acc.SUB_HISTORY, 0.0, 0.0)[0] == pytest.approx(20.0)


def test_enterprise_history_then_share(sc):
    hist = {2021: 6000e8, 2022: 6600e8}
    s2 = sc.with_updates({"subsidy.history": hist})
    rule, param = acc.subsidy_parameters(s2)
    assert rule == acc.SUB_SHARE + acc.SUB_HISTORY
    assert param[0] == -1.0 - 6000e8 and param[1] == -1.0 - 6600e8 and param[2] == sc.subsidy.share
    ds = sibrisk.project(s2, keep_detail=False, indicators=False)
    assert float(ds.fiscal_subsidy.sel(year=2021)) == pytest.approx(6000e8, rel=1e-12)
    assert float(ds.fiscal_subsidy.sel(year=2022)) == pytest.approx(6600e8, rel=1e-12)
    y = 2023
    assert float(ds.fiscal_subsidy.sel(year=y)) == pytest.approx(
        sc.subsidy.share * float(ds.total_expenditure.sel(year=y)), rel=1e-12)
    # the roll-forward identity holds in every year
    d = ds.fund_balance - ds.fund_balance.shift(year=1)
    flows = ds.total_income - ds.total_expenditure
    np.testing.assert_allclose(d.values[1:], flows.values[1:], rtol=1e-9)


def test_fixed_rule_carries_the_last_published_amount_with_growth(sc):
    s2 = sc.with_updates({"subsidy.rule": "fixed", "subsidy.history": {2021: 6000e8, 2022: 6500e8},
                          "subsidy.growth": 0.05})
    rule, param = acc.subsidy_parameters(s2)
    assert rule == acc.SUB_FIXED
    assert param[:4] == pytest.approx([6000e8, 6500e8, 6500e8 * 1.05, 6500e8 * 1.05 ** 2])
    ds = sibrisk.project(s2, keep_detail=False, indicators=False)
    assert float(ds.fiscal_subsidy.sel(year=2024)) == pytest.approx(6500e8 * 1.05 ** 2)


def test_history_from_a_toml_table(tmp_path):
    text = open(DEFAULT, encoding="utf-8").read().replace('[subsidy]\nrule = "share_of_expenditure"',
                                                         '[subsidy]\nhistory = { 2021 = 6.0e11, 2022 = 6.6e11 }\n'
                                                         'rule = "share_of_expenditure"')
    assert "history = " in text
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    s2 = sibrisk.load_scenario(path)
    assert s2.subsidy.history == {2021: 6.0e11, 2022: 6.6e11}


def test_history_outside_the_horizon_names_the_field(sc):
    with pytest.raises(sibrisk.InputError, match="subsidy.history"):
        sc.with_updates({"subsidy.history": {2019: 1e11}})
    with pytest.raises(sibrisk.InputError, match="history"):
        sc.with_updates({"subsidy.history": {2022: -5.0}})


def test_no_history_is_the_rule_alone(sc):
    rule, param = acc.subsidy_parameters(sc)
    assert rule == acc.SUB_SHARE and np.all(param == sc.subsidy.share)


def test_enterprise_reports_current_balance_before_subsidies(sc):
    ds = sibrisk.project(sc, keep_detail=False)
    before = ds.current_balance_before_subsidies
    np.testing.assert_allclose(before.values, (ds.contribution_income - ds.total_expenditure).values, rtol=1e-12)
    np.testing.assert_allclose((ds.current_balance - before).values, (ds.fiscal_subsidy + ds.interest_income).values,
                               rtol=1e-9)
    assert float(before.sel(year=2021)) < 0  # the enterprise fund pays out more than it collects already in 2021


@pytest.mark.parametrize("rule", ["share_of_expenditure", "gap_to_floor", "fixed"])
def test_kernel_matches_twin_with_history(sc, rule):
    """The NumPy twin takes its subsidy from the shared roll-forward, so published years work there too."""
    from sibrisk.funds.enterprise_pension.inputs import run_kernel
    from sibrisk.funds.enterprise_pension.reference import project_reference
    from sibrisk.funds.enterprise_pension.kernel import F_CLOSING, F_SUBSIDY
    from sibrisk.projection import fund_inputs

    upd = {"projection.years": 8, "subsidy.rule": rule, "subsidy.history": {2021: 6000e8, 2022: 6600e8}}
    if rule == "gap_to_floor":
        upd["subsidy.floor_months"] = 12.0
    inp = fund_inputs(sc.with_updates(upd), 3, seed=1, stochastic=True)
    assert inp.rule == (acc.SUB_FIXED if rule == "fixed" else acc.RULES[rule] + acc.SUB_HISTORY)
    f_k, d_k = run_kernel(inp, parallel=False)
    f_r, d_r = project_reference(inp)
    np.testing.assert_allclose(f_k, f_r, rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(d_k, d_r, rtol=1e-9, atol=1e-6)
    # the published years carry the published amounts in both, whatever the rule
    np.testing.assert_allclose(f_r[:, :2, F_SUBSIDY], [[6000e8, 6600e8]] * 3, rtol=1e-12)
    # and the rule acts after them (the gap rule keeps 12 months of expenditure when it pays anything)
    if rule == "gap_to_floor":
        assert np.all(f_r[:, 2:, F_CLOSING] >= 0.0)
