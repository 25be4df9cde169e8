"""The projection kernel on cases small enough to compute by hand, and a stationary population with a closed form."""

import numpy as np
import pytest

from kernel_cases import three_age_case, tiny
from sibrisk.funds.enterprise_pension import kernel as k
from sibrisk.funds.enterprise_pension.reference import project_reference
from sibrisk.funds.enterprise_pension.inputs import run_kernel


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_three_age_cohort_by_hand(engine):
    inp = three_age_case()
    flows, detail = run_kernel(inp) if engine == "numba" else project_reference(inp)
    f0, f1 = flows[0, 0], flows[0, 1]
    # base year: stocks as given; 150 contributors x 100 x 20% ; 20 retirees x 1000 ; interest 4% of 1000
    assert f0[k.F_CONTRIB] == pytest.approx(3000.0)
    assert f0[k.F_EXPEND] == pytest.approx(20000.0)
    assert f0[k.F_INTEREST] == pytest.approx(40.0)
    assert f0[k.F_CLOSING] == pytest.approx(-15960.0)
    # year 1 stocks: age0 = 30 entrants; age1 = 100*0.9 (service 2 < minimum 5: retirement deferred);
    # open age 2: 50*0.9 = 45 contributors all retire, 20*0.9 = 18 retirees survive
    d = detail[0, 1]
    np.testing.assert_allclose(d[:, 0, k.D_CONTRIB], [30.0, 90.0, 0.0])
    np.testing.assert_allclose(d[:, 0, k.D_RETIREES], [0.0, 0.0, 63.0])
    # new pension = 1% x 100 x (1+1)/2 x 10 years + 12 x 1000/100 + 1.2% x 100 x 1 x min(10, 4) = 134.8
    # old pension indexed 5%: 1050; average = (18*1050 + 45*134.8)/63
    assert d[2, 0, k.D_BENEFIT] == pytest.approx((18 * 1050 + 45 * 134.8) / 63)
    # mid-year exposures: contributors (0+30)/2 + (100+90)/2 + (50+0)/2 = 135; wage bill 135 x 110
    assert f1[k.F_CONTRIB_EXPOSURE] == pytest.approx(135.0)
    assert f1[k.F_WAGEBILL] == pytest.approx(14850.0)
    assert f1[k.F_CONTRIB] == pytest.approx(2970.0)
    # expenditure: (20 x 1050 + 63 x average)/2 = (21000 + 24966)/2
    assert f1[k.F_EXPEND] == pytest.approx(22983.0)
    assert f1[k.F_BEN_EXPOSURE] == pytest.approx(41.5)
    assert f1[k.F_NEW_BEN] == pytest.approx(45.0)
    assert f1[k.F_CONTRIBUTORS] == pytest.approx(120.0)
    assert f1[k.F_BENEFICIARIES] == pytest.approx(63.0)
    # fund: flows at year end, interest 4% of the opening -15960
    assert f1[k.F_INTEREST] == pytest.approx(-638.4)
    assert f1[k.F_CLOSING] == pytest.approx(-15960.0 + 2970.0 - 638.4 - 22983.0)


def test_individual_account_pension_by_hand():
    inp = three_age_case()
    inp.q_base[:] = 0.0
    inp.min_years[:] = 0.0
    inp.hazard[1, :, 0] = [0.0, 1.0, 1.0]
    inp.transitional = 0.0
    _, d = run_kernel(inp)
    # age-1 retirees: 100 people with 2 years of service and an account of 100:
    # 1% x 100 x (1 + 1)/2 x 2 + 12 x 100 / 100 = 2 + 12 = 14 a year
    assert d[0, 1, 1, 0, k.D_BENEFIT] == pytest.approx(14.0)
    # entrants: 30 new contributors at age 0; the 100 who were there moved up and retired
    assert d[0, 1, 0, 0, k.D_CONTRIB] == pytest.approx(30.0)
    assert d[0, 1, 1, 0, k.D_CONTRIB] == pytest.approx(0.0)


def test_subsidy_rules_by_hand():
    inp = tiny(n_year=1, opening0=100.0, rate=np.array([[0.21]]), mid_year=True)
    inp.r0[0, 0] = 10.0
    inp.b0[0, 0] = 12.0  # expenditure 120 a year
    # mid-year flows earn (1.21)^0.5 - 1 = 10%
    # fixed amount 50: interest = 100 x 0.21 + (50 - 120) x 0.1 = 14
    inp.rule, inp.sub_param[:] = k.SUB_FIXED, 50.0
    flows, _ = run_kernel(inp)
    assert flows[0, 0, k.F_INTEREST] == pytest.approx(14.0)
    assert flows[0, 0, k.F_CLOSING] == pytest.approx(100 + 50 + 14 - 120)
    # share 25% of expenditure = 30
    inp.rule, inp.sub_param[:] = k.SUB_SHARE, 0.25
    flows, _ = run_kernel(inp)
    assert flows[0, 0, k.F_SUBSIDY] == pytest.approx(30.0)
    # gap to a floor of 12 balance months = 120: without subsidy 100 x 1.21 - 120 x 1.1 = -11 -> subsidy 131/1.1
    inp.rule, inp.sub_param[:] = k.SUB_GAP, 12.0
    flows, _ = run_kernel(inp)
    assert flows[0, 0, k.F_SUBSIDY] == pytest.approx(131 / 1.1)
    assert flows[0, 0, k.F_CLOSING] == pytest.approx(120.0)
    # a floor already met (opening 1000: 1000 x 1.21 - 132 > 10): no subsidy
    inp.opening0, inp.sub_param[:] = 1000.0, 1.0
    flows, _ = run_kernel(inp)
    assert flows[0, 0, k.F_SUBSIDY] == 0.0


def test_stationary_population_cost_rate_closed_form():
    """Entrants only at the first age, retirement at one age, constant wage and benefit, no improvement: the
    population is stationary and the PAYG cost rate = benefit / (wage x base ratio) x retiree person-years /
    contributor person-years, with person-years from the survival function (mid-year: trapezoid of cohort stocks)."""
    n_age, n_year, ret = 60, 8, 40
    q = np.linspace(0.001, 0.2, n_age)
    q[-1] = 0.5  # open group
    E, W, ratio, accrual = 1000.0, 50_000.0, 0.8, 0.01
    l = np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
    N = E * l
    N[-1] = E * l[-2] * (1 - q[-2]) / q[-1]  # open group: inflow = outflow
    b = accrual * W * (1 + ratio) / 2 * ret  # everyone retires at index `ret` with `ret` years of service
    inp = tiny(n_age=n_age, n_year=n_year)
    inp.q_base[:] = q[:, None]
    inp.c0[:ret] = N[:ret, None]
    inp.r0[ret:] = N[ret:, None]
    inp.b0[:] = b
    inp.y0[:] = (np.arange(n_age) + 1.0)[:, None]
    inp.hazard[:, ret, :] = 1.0
    inp.entrants[:, 0, :] = E
    inp.base_ratio[:] = ratio
    inp.wage[:] = W
    inp.accrual = accrual
    inp.contrib_rate[:] = 0.2
    flows, _ = run_kernel(inp)
    # person-years = average of the cohort-aligned start-of-year and year-end stocks, age by age:
    # contributors: (0 + N0)/2 at entry, (N[j-1] + N[j])/2 after, (N[ret-1] + 0)/2 in the year they retire
    c_py = N[0] / 2 + sum((N[j - 1] + N[j]) / 2 for j in range(1, ret)) + N[ret - 1] / 2
    # retirees: (0 + N[ret])/2 in the retirement year, then (N[j-1] + N[j])/2, open group (N[-2] + N[-1] + N[-1])/2
    r_py = N[ret] / 2 + sum((N[j - 1] + N[j]) / 2 for j in range(ret + 1, n_age - 1)) + (N[-2] + 2 * N[-1]) / 2
    expected = b * r_py / (W * ratio * c_py)
    for t in range(1, n_year):
        cost_rate = flows[0, t, k.F_EXPEND] / flows[0, t, k.F_WAGEBILL]
        assert cost_rate == pytest.approx(expected, rel=1e-12)
        assert flows[0, t, k.F_CONTRIBUTORS] == pytest.approx(2 * N[:ret].sum(), rel=1e-12)  # both sexes
        assert flows[0, t, k.F_BENEFICIARIES] == pytest.approx(2 * N[ret:].sum(), rel=1e-12)
