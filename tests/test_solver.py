"""sibrisk.solve: the lever change that brings the actuarial balance to zero or keeps balance months at a floor,
deterministic and in a share of stochastic scenarios; a closed form for a linear lever."""

import numpy as np
import pytest

import sibrisk
from sibrisk.indicators import mid_year_discount_factors
from sibrisk.solver import apply_change


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario("enterprise_pension_national").with_updates({"projection.years": 30})


def test_subsidy_share_closed_form(sc):
    """With the share-of-expenditure subsidy, expenditure and the interest path do not depend on the share, so the
    actuarial balance is linear in it: each unit of share from 2026 adds sum_t v_t X_t (t >= 2026) to the PV of
    income. Change = -AB / (PV(X from 2026) / PV(payroll))."""
    ds = sibrisk.project(sc, keep_detail=False)
    v, _ = mid_year_discount_factors(ds.interest_rate)
    later = ds.year >= 2026
    pv_x = float((v * ds.total_expenditure).where(later, 0.0).sum())
    pv_pay = float((v * ds.covered_wage_bill).sum())
    expected = -float(ds.actuarial_balance) * pv_pay / pv_x
    r = sibrisk.solve(sc, "subsidy.share", from_year=2026)
    assert r.change == pytest.approx(expected, rel=1e-6)
    assert r.base == pytest.approx(float(ds.actuarial_balance))


def test_contribution_rate_zeroes_the_actuarial_balance(sc):
    r = sibrisk.solve(sc, "contributions.employer_rate", from_year=2026)
    assert r.change * r.base < 0  # a surplus over 2021-2050 (base > 0) allows a lower rate
    ds = sibrisk.project(r.scenario, keep_detail=False)
    assert float(ds.actuarial_balance) == pytest.approx(0.0, abs=1e-8)
    rate = r.scenario.series("contributions.employer_rate")
    assert rate[sc.years == 2025][0] == pytest.approx(0.16)
    assert rate[sc.years == 2026][0] == pytest.approx(0.16 + r.change)


def test_balance_months_floor_deterministic(sc):
    r = sibrisk.solve(sc, "subsidy.share", target="balance_months_floor", floor=18.0, horizon=2045, from_year=2026,
                      bracket=(-0.1, 0.5))
    ds = sibrisk.project(r.scenario, keep_detail=False)
    months = ds.balance_months.sel(year=slice(2026, 2045))
    assert float(months.min()) == pytest.approx(18.0, abs=1e-5)
    # a slightly smaller change misses the floor somewhere
    less = sibrisk.project(apply_change(sc, "subsidy.share", r.change - 1e-3, 2026), keep_detail=False)
    assert float(less.balance_months.sel(year=slice(2026, 2045)).min()) < 18.0


def test_floor_in_a_share_of_stochastic_scenarios(sc):
    r = sibrisk.solve(sc, "contributions.employer_rate", target="balance_months_floor", floor=12.0, from_year=2026,
                      n_scenarios=50, share=0.9)
    sims = sibrisk.simulate(r.scenario, 50, seed=42, keep_detail=False)
    lowest = sims.balance_months.sel(year=slice(2026, None)).min("year").values
    assert np.quantile(lowest, 0.1) == pytest.approx(12.0, abs=1e-4)
    assert (lowest >= 12.0 - 1e-4).mean() >= 0.9


def test_bad_input(sc):
    with pytest.raises(sibrisk.InputError, match="bracket"):
        sibrisk.solve(sc, "contributions.employer_rate", bracket=(0.0, 0.001))
    with pytest.raises(sibrisk.InputError, match="floor"):
        sibrisk.solve(sc, "subsidy.share", target="balance_months_floor")
    with pytest.raises(sibrisk.InputError, match="no_such"):
        sibrisk.solve(sc, "contributions.no_such")


def test_cli_solve(tmp_path, capsys):
    from sibrisk.cli import main

    code = main(["solve", "--lever", "subsidy.share", "--floor", "10", "--horizon", "2045", "--from", "2026",
                 "--bracket=-0.1,0.5", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "subsidy.share: change" in out
    assert (tmp_path / "enterprise_pension_national_solve.png").stat().st_size > 10_000
    assert main(["solve", "--lever", "contributions.employer_rate", "--bracket", "0,0.001", "--no-plot"]) == 2
    assert "widen the bracket" in capsys.readouterr().err
