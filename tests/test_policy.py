"""Statutory rules against the published reform table and the 2005 payout-months table."""

import numpy as np
import pytest

from sibrisk.funds.common import statutory as policy


@pytest.mark.parametrize("group, birth, expected_months", [
    # examples of the annex to the 2024 NPC Standing Committee decision
    ("male", (1964, 12), 60 * 12),          # before the reform
    ("male", (1965, 1), 60 * 12 + 1),       # retires 2025-02
    ("male", (1965, 5), 60 * 12 + 2),
    ("male", (1976, 12), 63 * 12),          # 36 months, the full 3 years
    ("male", (1990, 1), 63 * 12),
    ("female_cadre", (1970, 1), 55 * 12 + 1),
    ("female_cadre", (1981, 12), 58 * 12),
    ("female_worker", (1975, 1), 50 * 12 + 1),
    ("female_worker", (1975, 3), 50 * 12 + 2),  # one month for every two
    ("female_worker", (1984, 11), 55 * 12),
])
def test_retirement_age_by_birth_month(group, birth, expected_months):
    assert policy.retirement_age_months(group, *birth) == expected_months


def test_retirement_date_and_no_reform():
    assert policy.retirement_date("male", 1965, 1) == (2025, 2)
    assert policy.retirement_date("female_worker", 1984, 11) == (2039, 11)
    assert policy.retirement_age_months("male", 1980, 6, reform=False) == 720


def test_hazard_spreads_a_cohort_over_calendar_years():
    # men born 1965: Jan-Sep births reach 60y1m-60y3m during 2025 (9 of 12), Oct-Dec in 2026
    h = policy.retirement_hazard({"male": 1.0}, np.array([2025, 2026]), np.array([60, 61]))
    assert h[0, 0] == pytest.approx(9 / 12)
    assert h[1, 1] == pytest.approx(1.0)  # all that remain of the 1965 cohort retire in 2026
    # mixture of women workers and cadres born 1971 in 2021 (age 50): only workers (50) retire
    h = policy.retirement_hazard({"female_worker": 0.7, "female_cadre": 0.3}, np.array([2021]), np.array([50]))
    assert h[0, 0] == pytest.approx(0.7)


def _hazard_scalar(group_weights, years, ages, reform=True):
    """The definition cell by cell (the implementation before it was vectorised)."""
    total = sum(group_weights.values())
    out = np.zeros((len(years), len(ages)))
    for i, t in enumerate(years):
        for j, a in enumerate(ages):
            b = int(t - a)
            s_now = sum(w * (1 - policy.cumulative_retired_share(g, b, int(t), reform=reform))
                        for g, w in group_weights.items()) / total
            s_before = sum(w * (1 - policy.cumulative_retired_share(g, b, int(t) - 1, reform=reform))
                           for g, w in group_weights.items()) / total
            out[i, j] = 1.0 if s_before <= 0 else 1.0 - s_now / s_before
    return out


@pytest.mark.parametrize("reform", [True, False])
@pytest.mark.parametrize("weights", [{"male": 1.0}, {"female_worker": 0.62, "female_cadre": 0.38},
                                     {"female_cadre": 1}, {"male": 0.3, "female_worker": 0.5, "female_cadre": 0.2}])
def test_vectorised_hazard_is_bit_identical_to_the_cell_by_cell_definition(weights, reform):
    years, ages = np.arange(2018, 2100), np.arange(16, 101)
    np.testing.assert_array_equal(policy.retirement_hazard(weights, years, ages, reform=reform),
                                  _hazard_scalar(weights, years, ages, reform=reform))


def test_vectorised_retired_shares_equal_the_scalar_ones():
    birth, cal = np.arange(1940, 2010)[:, None], np.arange(1990, 2080)[None, :]
    for g in policy.RETIREMENT_RULES:
        ref = np.array([[policy.cumulative_retired_share(g, int(b), int(t)) for t in cal[0]] for b in birth[:, 0]])
        np.testing.assert_array_equal(policy.cumulative_retired_shares(g, birth, cal), ref)


def test_minimum_contribution_years():
    assert policy.minimum_contribution_years(2029) == 15
    assert policy.minimum_contribution_years(2030) == 15.5
    assert policy.minimum_contribution_years(2039) == 20
    assert policy.minimum_contribution_years(2050) == 20


def test_payout_months_table():
    assert list(policy.payout_months(np.array([50, 55, 60, 63, 65]))) == [195, 170, 139, 117, 101]
    assert policy.payout_months(35) == 233 and policy.payout_months(80) == 56  # clamped to 40..70
