"""``sibrisk.sensitivity`` on the two medical defaults: a row per parameter and variant, non-zero effects of the
key assumptions (medical cost growth, financing) in the expected direction, the base row equal to the default's
own projection."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.employee_medical import calibration as em
from sibrisk.funds.resident_medical import calibration as rm
from sibrisk.sensitivity import summary


def _rows_per_parameter(table, variations):
    assert list(table.parameter) == ["(base)"] + [p for p in variations for _ in (0, 1)]
    assert list(table.variant) == ["base"] + ["low", "high"] * len(variations)


def _get(table, parameter, variant, metric):
    return float(table[(table.parameter == parameter) & (table.variant == variant)][metric].iloc[0])


@pytest.fixture(scope="module")
def em_table():
    return em.sensitivity_table()


@pytest.fixture(scope="module")
def rm_table():
    return rm.sensitivity_table()


def test_employee_table(em_table):
    """Measured (horizon 2045, whole fund): base depletion 2045, balance months -1.75, actuarial balance -3.81% of
    payroll; cost growth -/+ 1 point: depletion 2053 / 2041, months +15.2 / -12.9; employer rate -/+ 0.5 point:
    2041 / 2048, months -9.0 / +9.0."""
    sc = sibrisk.load_scenario("employee_medical_national")
    _rows_per_parameter(em_table, em.sensitivity_variations(sc))
    base = summary(sibrisk.project(sc, keep_detail=False), horizon=2045)
    for m, v in base.items():
        assert em_table.loc[0, m] == pytest.approx(v, rel=1e-12, nan_ok=True)
    assert em_table.loc[0, "depletion_year"] == 2045
    for metric in ("balance_months_at_horizon", "actuarial_balance"):
        # every parameter moves the fund
        for p in em.sensitivity_variations(sc):
            assert abs(_get(em_table, p, "high", metric) - _get(em_table, p, "low", metric)) > 1e-6, (p, metric)
        base_v = em_table.loc[0, metric]
        assert _get(em_table, "economy.medical_cost_growth", "high", metric) < base_v < \
            _get(em_table, "economy.medical_cost_growth", "low", metric)
        assert _get(em_table, "contributions.employer_rate", "low", metric) < base_v < \
            _get(em_table, "contributions.employer_rate", "high", metric)
    assert _get(em_table, "economy.medical_cost_growth", "low", "depletion_year") == 2053
    assert _get(em_table, "economy.medical_cost_growth", "high", "depletion_year") == 2041
    assert _get(em_table, "contributions.employer_rate", "high", "delta_balance_months_at_horizon") == \
        pytest.approx(9.04, abs=0.05)


def test_resident_default_through_sibrisk_sensitivity_directly():
    """No covered wage bill in a resident scheme: the actuarial balance (a share of payroll) is NaN, the other
    metrics are computed (this raised AttributeError 'covered_wage_bill' before)."""
    sc = sibrisk.load_scenario("resident_medical_national")
    t = sibrisk.sensitivity(sc, {"financing.top_up": [1.0, 1.1]}, horizon=2040)
    assert t.actuarial_balance.isna().all()
    assert t.depletion_year.notna().all() and (t.delta_balance_months_at_horizon.iloc[1:] != 0).all()


def test_resident_table(rm_table):
    """Measured (horizon 2040): base depletion 2034, balance months -13.6; top-up -/+ 5%: depletion 2032 / 2037,
    months -6.7 / +6.7; indexation margin -/+ 1 point: months -8.2 / +8.9; cost growth -/+ 1 point: +1.3 / -1.0
    (small: the standards follow the central cost growth from 2027, indexation = "cost")."""
    sc = sibrisk.load_scenario("resident_medical_national")
    variations = rm.sensitivity_variations(sc)
    _rows_per_parameter(rm_table, variations)
    d = sibrisk.project(sc, keep_detail=False)
    assert rm_table.loc[0, "balance_months_at_horizon"] == pytest.approx(float(d.balance_months.sel(year=2040)),
                                                                         rel=1e-12)
    assert rm_table.loc[0, "depletion_year"] == 2034
    assert np.isnan(rm_table.actuarial_balance).all()
    metric = "balance_months_at_horizon"
    base_v = rm_table.loc[0, metric]
    for p in ("economy.medical_cost_growth", "financing.top_up", "financing.indexation_margin"):
        assert abs(_get(rm_table, p, "high", metric) - _get(rm_table, p, "low", metric)) > 0.5, p
    assert _get(rm_table, "economy.medical_cost_growth", "high", metric) < base_v < \
        _get(rm_table, "economy.medical_cost_growth", "low", metric)
    for p in ("financing.top_up", "financing.indexation_margin"):
        assert _get(rm_table, p, "low", metric) < base_v < _get(rm_table, p, "high", metric)
    assert _get(rm_table, "financing.top_up", "low", "depletion_year") == 2032
    assert _get(rm_table, "financing.top_up", "high", "depletion_year") == 2037
    # a variant row is that variant's own projection
    v = variations["financing.top_up"][1]
    dv = sibrisk.project(sc.with_updates({"financing.top_up": v}), keep_detail=False)
    assert _get(rm_table, "financing.top_up", "high", metric) == pytest.approx(float(dv.balance_months.sel(year=2040)),
                                                                               rel=1e-12)
