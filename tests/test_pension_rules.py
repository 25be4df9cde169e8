"""Enterprise pension rules as dated parameters: indexation as a share of wage (and price) growth after the published
adjustments; the pension base and other dated rules."""

import numpy as np
import pytest

import sibrisk
from sibrisk.funds.enterprise_pension.inputs import indexation_path

DEFAULT = "scenarios/enterprise_pension_national.toml"


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario(DEFAULT)


def test_indexation_follows_published_adjustments_then_the_wage_rule(sc):
    years = sc.years
    growth = sc.series("economy.wage_growth")
    path = indexation_path(sc, {"benefit_indexation": sc.series("economy.benefit_indexation")[None, :],
                                "wage_growth": growth[None, :]})[0]
    published = {2021: 0.045, 2022: 0.04, 2023: 0.038, 2024: 0.03, 2025: 0.02}  # MOHRSS/MOF notices
    for y, v in published.items():
        assert path[years == y][0] == pytest.approx(v)
    # 2026: 60% of 6% wage growth; 2040: 60% of 4%; 2050: 60% of 3.5%
    assert path[years == 2026][0] == pytest.approx(0.036)
    assert path[years == 2040][0] == pytest.approx(0.024)
    assert path[years == 2050][0] == pytest.approx(0.021)


def test_indexation_rule_with_prices_and_given(sc):
    s2 = sc.with_updates({"economy.inflation": 0.02, "indexation.price_share": 0.5, "indexation.wage_share": 0.25})
    econ = {"benefit_indexation": np.zeros((1, len(sc.years))), "wage_growth": np.full((1, len(sc.years)), 0.04),
            "inflation": np.full((1, len(sc.years)), 0.02)}
    path = indexation_path(s2, econ)[0]
    assert path[sc.years == 2030][0] == pytest.approx(0.25 * 0.04 + 0.5 * 0.02)
    assert path[sc.years == 2025][0] == 0.0  # history: the given series
    given = sc.with_updates({"indexation.rule": "given"})
    assert np.array_equal(indexation_path(given, econ)[0], econ["benefit_indexation"][0])


def test_price_share_without_inflation_names_the_field(sc):
    with pytest.raises(sibrisk.InputError, match="economy.inflation"):
        sc.with_updates({"indexation.price_share": 0.5})


def test_higher_wage_share_raises_cost_after_the_history(sc):
    low = sibrisk.project(sc.with_updates({"indexation.wage_share": 0.4}), keep_detail=False, indicators=False)
    high = sibrisk.project(sc.with_updates({"indexation.wage_share": 0.8}), keep_detail=False, indicators=False)
    assert float(high.benefit_expenditure.sel(year=2040)) > float(low.benefit_expenditure.sel(year=2040))
    assert np.array_equal(high.benefit_expenditure.sel(year=slice(2021, 2025)).values,
                          low.benefit_expenditure.sel(year=slice(2021, 2025)).values)  # history is common


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_dated_accrual_payout_months_and_pension_base_by_hand(engine):
    """The age-1 retirees of the three-age case (2 years of service, account 100, wage last year 100, own base ratio
    1): 1% x 100 x (1 + 1)/2 x 2 + 12 x 100 / 100 = 14. Dated changes in the retirement year: pension base 0.5 ->
    1% x 100 x (0.5 + 1)/2 x 2 + 12 = 13.5; payout months doubled -> 2 + 6 = 8; accrual 2% -> 4 + 12 = 16."""
    from kernel_cases import three_age_case
    from sibrisk.funds.enterprise_pension import kernel as k
    from sibrisk.funds.enterprise_pension.inputs import run_kernel
    from sibrisk.funds.enterprise_pension.reference import project_reference

    run = run_kernel if engine == "numba" else project_reference

    def pension(**changes):
        inp = three_age_case()
        inp.q_base[:] = 0.0
        inp.min_years[:] = 0.0
        inp.hazard[1, :, 0] = [0.0, 1.0, 1.0]
        inp.transitional = 0.0
        for key, value in changes.items():
            setattr(inp, key, value)
        return run(inp)[1][0, 1, 1, 0, k.D_BENEFIT]

    assert pension() == pytest.approx(14.0)
    assert pension(pension_base=np.array([1.0, 0.5])) == pytest.approx(13.5)
    assert pension(months=np.array([[100.0] * 3, [200.0] * 3])) == pytest.approx(8.0)
    assert pension(accrual=np.array([0.01, 0.02])) == pytest.approx(16.0)


def test_dated_rules_reach_the_projection(sc):
    base = sibrisk.project(sc, keep_detail=False, indicators=False)
    later = {"benefits.accrual_rate": {2021: 0.01, 2030: 0.012}}
    changed = sibrisk.project(sc.with_updates(later), keep_detail=False, indicators=False)
    assert np.array_equal(base.benefit_expenditure.sel(year=slice(2021, 2029)).values,
                          changed.benefit_expenditure.sel(year=slice(2021, 2029)).values)
    assert float(changed.benefit_expenditure.sel(year=2030)) > float(base.benefit_expenditure.sel(year=2030))
    with pytest.raises(sibrisk.InputError, match="benefits.payout_months_factor"):
        sc.with_updates({"benefits.payout_months_factor": 0.0})
