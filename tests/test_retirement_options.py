"""Early, special-occupation, ill-health and flexible retirement (2024 NPC Standing Committee decision, 国发〔1978〕104号)
as dated shares that shift the retirement hazard: hand-computed hazards, the decision's bounds, the statutory table
untouched when the shares are 0, and each option moving the enterprise projection."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sibrisk
from sibrisk.funds.common import statutory as policy

DEFAULT = "scenarios/enterprise_pension_national.toml"
YEARS = np.arange(2021, 2071)
AGES = np.arange(16, 101)
GROUPS = [{"male": 1.0}, {"female_worker": 0.7, "female_cadre": 0.3}]


@pytest.fixture(scope="module")
def sc():
    return sibrisk.load_scenario(DEFAULT)


def test_hazard_by_hand():
    """Men in 2030, shares early 0.2, defer 0.1, special (55) 0.05, ill health 1% a year from 50.

    Age 55 (born 1975): the special share retires this year, S 1 -> 0.95, then ill health: 1 - 0.95 x 0.99 = 0.0595.
    Age 60 (born 1970, statutory 61y4m-61y6m, flexible early floored at 60): S(2029) = 0.95 (special gone),
    S(2030) = 0.65 + 0.1 (statutory and deferring not yet out) -> 1 - 0.75/0.95 x 0.99.
    Age 62 (born 1968, statutory 60y10m-61y0m, all out by 2029; deferrers 63y10m-64y0m): only ill health, 0.01.
    Age 63 (born 1967, statutory 60y7m-60y9m; deferrers at 63y7m-63y9m, Jan-Apr births in 2030: 4 of 12):
    S 0.1 -> 0.1 x 8/12, 1 - 2/3 x 0.99 = 0.34."""
    o = policy.RetirementOptions(early_share=0.2, defer_share=0.1, special_share=0.05, ill_health_rate=0.01)
    h = policy.retirement_hazard({"male": 1.0}, np.array([2030]), np.array([54, 55, 60, 62, 63]), options=o)[0]
    assert h == pytest.approx([0.01, 0.0595, 1 - 0.75 / 0.95 * 0.99, 0.01, 1 - 2 / 3 * 0.99])
    # women workers born 1980 (statutory 52y7m): flexible early floored at the original 50, i.e. 2030
    o = policy.RetirementOptions(early_share=0.4)
    h = policy.retirement_hazard({"female_worker": 1.0}, np.array([2030, 2032, 2033]), np.array([50, 52, 53]),
                                 options=o)
    assert h[0, 0] == pytest.approx(0.4)
    assert h[1, 1] > 0  # born 1980: statutory 52y7m-53y0m, dates 2032-08 to 2033-12
    stat = policy.retirement_hazard({"female_worker": 1.0}, np.array([2032, 2033]), np.array([52, 53]))
    assert h[1, 1] == pytest.approx(stat[0, 0])  # same statutory hazard once the early share is out
    assert h[2, 2] == pytest.approx(stat[1, 1])


def test_hazard_without_flexible_before_the_reform():
    # no reform: no flexible retirement; special occupations and ill health still apply
    o = policy.RetirementOptions(early_share=0.3, defer_share=0.3)
    h0 = policy.retirement_hazard({"male": 1.0}, YEARS, AGES, reform=False)
    assert np.array_equal(policy.retirement_hazard({"male": 1.0}, YEARS, AGES, reform=False, options=o), h0)
    # men reaching 60 before 2025 (born 1964) cannot defer under the decision: all retire at 60 in 2024
    h = policy.retirement_hazard({"male": 1.0}, np.array([2024]), np.array([60]), options=o)
    assert h[0, 0] == pytest.approx(1.0)


@pytest.mark.parametrize("group", ["male", "female_cadre", "female_worker"])
def test_bounds_of_the_decision(group):
    base = policy.RETIREMENT_RULES[group][0] * 12
    for by in range(1955, 2000):
        for bm in range(1, 13):
            stat = policy.retirement_age_months(group, by, bm)
            for k in (0, 12, 36):
                early = policy.option_age_months(group, by, bm, "early", k)
                defer = policy.option_age_months(group, by, bm, "defer", k)
                assert base <= early <= stat and stat - early <= k  # never before the original age
                assert stat <= defer <= stat + 36  # never after the new age + 3 years
            # the earliest flexible age is exactly max(original, new - 3 years)
            assert policy.option_age_months(group, by, bm, "early", 36) == max(base, stat - 36)
            assert policy.option_age_months(group, by, bm, "fixed", 55 * 12) == min(55 * 12, stat)
    with pytest.raises(ValueError, match="0-36 months"):
        policy.option_age_months(group, 1980, 1, "early", 37)
    with pytest.raises(ValueError, match="0-36 months"):
        policy.option_age_months(group, 1980, 1, "defer", 48)


@pytest.mark.parametrize("groups", GROUPS)
def test_zero_shares_keep_the_statutory_table(groups):
    h0 = policy.retirement_hazard(groups, YEARS, AGES)
    h1 = policy.retirement_hazard(groups, YEARS, AGES, options=policy.RetirementOptions())
    assert np.array_equal(h0, h1)


def test_dated_shares_and_their_checks():
    o = policy.RetirementOptions(special_share=np.array([0.0, 0.1]))
    h = policy.retirement_hazard({"male": 1.0}, np.array([2030, 2031]), np.array([55, 55]), options=o)
    assert h[:, 0] == pytest.approx([0.0, 0.1])
    with pytest.raises(ValueError, match="exceeds 1"):
        policy.RetirementOptions(early_share=0.6, defer_share=0.5).at(3)


def test_scenario_without_options_or_with_zero_shares_is_the_statutory_projection(sc):
    off = sibrisk.project(sc.with_updates({"retirement_options": None}), keep_detail=False, indicators=False)
    zero = sibrisk.project(sc.with_updates({f"retirement_options.{k}": 0.0 for k in
                                            ("flexible_early_share", "flexible_deferral_share", "special_share_male",
                                             "special_share_female", "ill_health_rate")}),
                           keep_detail=False, indicators=False)
    assert np.array_equal(off.fund_balance.values, zero.fund_balance.values)


@pytest.mark.parametrize("switch_off, sign", [
    ({"flexible_early_share": 0.0}, +1),   # fewer early retirements: more contributors, fewer pensions
    ({"special_share_male": 0.0, "special_share_female": 0.0}, +1),
    ({"ill_health_rate": 0.0}, +1),
    ({"flexible_deferral_share": 0.0}, -1),  # nobody defers: pensions start earlier
])
def test_switching_each_option_off_moves_the_projection(sc, switch_off, sign):
    on = sibrisk.project(sc, keep_detail=False, indicators=False)
    off = sibrisk.project(sc.with_updates({f"retirement_options.{k}": v for k, v in switch_off.items()}),
                          keep_detail=False, indicators=False)
    diff = float(off.fund_balance.sel(year=2040) - on.fund_balance.sel(year=2040))
    assert np.sign(diff) == sign
    # the base year is the calibrated initial state: unchanged
    assert float(off.fund_balance.sel(year=2021)) == float(on.fund_balance.sel(year=2021))


def test_shares_over_one_name_the_field(sc):
    with pytest.raises(sibrisk.InputError, match="retirement_options.special_share_male"):
        sc.with_updates({"retirement_options.flexible_early_share": 0.6,
                         "retirement_options.flexible_deferral_share": 0.3,
                         "retirement_options.special_share_male": 0.2})


@pytest.mark.parametrize("groups, original", [({"male": 1.0}, 60), ({"female_worker": 0.7, "female_cadre": 0.3}, 50)])
def test_bounds_on_the_hazard_grid(groups, original):
    """Everyone taking the earliest flexible age: nobody retires below the original age. Everyone deferring 3 years:
    all who remain retire by the new age + 3 (men 63 + 3, women cadres 58 + 3), at the latest in the year of age 67 /
    62 (birth months spread the date over two calendar years)."""
    early = policy.retirement_hazard(groups, YEARS, AGES, options=policy.RetirementOptions(early_share=1.0))
    assert np.all(early[:, AGES < original] == 0.0)
    defer = policy.retirement_hazard(groups, YEARS, AGES, options=policy.RetirementOptions(defer_share=1.0))
    last = 63 + 3 + 1 if original == 60 else 58 + 3 + 1
    assert np.all(defer[:, AGES >= last] == 1.0)
    assert np.all(defer[:, AGES < original] == 0.0)
    if original == 60:  # men born 1977 or later: new age 63, deferred to exactly 66
        row = defer[YEARS == 2050][0]
        assert np.all(row[(AGES >= 60) & (AGES <= 65)] == 0.0) and row[AGES == 66][0] == 1.0


# a share is 0, a constant, or dated (0 in some years): the vectorised hazard skips a zero share the way the loop does
_share = st.one_of(st.just(0.0), st.floats(0.0, 0.3),
                   st.lists(st.sampled_from([0.0, 0.02, 0.1, 0.3]), min_size=len(YEARS), max_size=len(YEARS))
                   .map(np.array))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(groups=st.sampled_from(GROUPS + [{"female_cadre": 1.0}]), reform=st.booleans(), early=_share, defer=_share,
       special=_share, ill=_share, early_months=st.integers(0, 36), defer_months=st.integers(0, 36),
       special_age=st.integers(40, 60), ill_age=st.integers(40, 60))
def test_vectorised_hazard_with_options_is_the_loop_bit_for_bit(groups, reform, early, defer, special, ill,
                                                               early_months, defer_months, special_age, ill_age):
    """The hazard every enterprise run builds (vectorised over year x age, milliseconds) equals the cell-by-cell
    definition (``_hazard_with_options_loop``, 0.3 s for both sexes) exactly."""
    total = np.asarray(early) + np.asarray(defer) + np.asarray(special)
    if np.any(total > 1):
        return
    o = policy.RetirementOptions(early_share=early, early_months=early_months, defer_share=defer,
                                 defer_months=defer_months, special_share=special, special_age=special_age,
                                 ill_health_rate=ill, ill_health_age=ill_age)
    fast = policy._hazard_with_options(groups, YEARS, AGES, reform, o)
    loop = policy._hazard_with_options_loop(groups, YEARS, AGES, reform, o)
    assert fast.shape == (len(YEARS), len(AGES))
    np.testing.assert_array_equal(fast, loop)


def test_vectorised_hazard_rejects_flexible_months_out_of_range_like_the_loop():
    o = policy.RetirementOptions(early_share=0.1, early_months=37)
    with pytest.raises(ValueError, match="0-36 months"):
        policy.retirement_hazard({"male": 1.0}, YEARS, AGES, options=o)
    # an unused option's months are not checked (its share is 0), as in the loop
    o = policy.RetirementOptions(early_share=0.0, early_months=37)
    np.testing.assert_array_equal(policy.retirement_hazard({"male": 1.0}, YEARS, AGES, options=o),
                                  policy.retirement_hazard({"male": 1.0}, YEARS, AGES))
