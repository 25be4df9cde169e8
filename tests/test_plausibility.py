"""Plausibility bounds checked before any computation, with [meta] allow_outliers for a stress test; profiles that
sum to zero against a positive total refused (issue 11)."""

import re
from pathlib import Path

import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.scenario import PLAUSIBLE

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
EP = SCEN / "enterprise_pension_national.toml"


def _edit(tmp_path, old, new, src=EP, count=1):
    text = src.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "s.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


WAGE = "wage_growth = { 2021 = 0.07, 2025 = 0.06, 2030 = 0.05, 2040 = 0.04, 2050 = 0.035 }"


@pytest.mark.parametrize("old,new,field", [
    (WAGE, "wage_growth = 1.0", "economy.wage_growth"),                       # 100% a year
    ("interest_rate = 0.025", "interest_rate = 1.0", "economy.interest_rate"),                # 100% a year
    ("contributors = 307900000.0", "contributors = 1e300", "initial.contributors"),
    ("average_wage = 106837.0", "average_wage = 1e-9", "economy.average_wage"),
    ("average_benefit = 35845.43", "average_benefit = 1e300", "initial.average_benefit"),
    ("average_benefit = 35845.43", "average_benefit = 0.0", "initial.average_benefit"),
    ("retirees = 114380000.0", "retirees = 0.0", "initial.retirees"),
    ("volatility = [0.015, 0.01, 0.02]", "volatility = [1.0, 0.01, 0.02]", "stochastic.economy.volatility"),
])
def test_absurd_values_are_refused_naming_file_field_value(tmp_path, old, new, field):
    path = _edit(tmp_path, old, new)
    with pytest.raises(InputError, match=rf"s.toml: {re.escape(field)} = .*implausible: .*allow_outliers"):
        sibrisk.load_scenario(path)


def test_allow_outliers_runs_a_stress_test_on_purpose(tmp_path):
    path = _edit(tmp_path, WAGE, "wage_growth = 0.3")
    with pytest.raises(InputError, match="economy.wage_growth = 0.3: implausible"):
        sibrisk.load_scenario(path)
    text = path.read_text(encoding="utf-8").replace("[meta]\n", '[meta]\nallow_outliers = ["economy.wage_growth"]\n', 1)
    path.write_text(text, encoding="utf-8")
    sc = sibrisk.load_scenario(path)
    assert sc.series("economy.wage_growth")[3] == 0.3


def test_allow_outliers_names_only_bounded_fields(tmp_path):
    text = EP.read_text(encoding="utf-8").replace("[meta]\n", '[meta]\nallow_outliers = ["economy.wage_grwth"]\n', 1)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"s.toml: meta.allow_outliers\[0\] = 'economy.wage_grwth': not a field"):
        sibrisk.load_scenario(path)


def test_zero_retirees_profile_against_a_positive_total(tmp_path):
    sc = sibrisk.load_scenario(EP)
    n = len(sc.initial.retirees_profile.male)
    zeros = ", ".join(["0.0"] * n)
    text = EP.read_text(encoding="utf-8")
    i = text.index("[initial.retirees_profile]")
    j = text.index("male = [", i)
    k = text.index("]", j)
    j2 = text.index("female = [", k)
    k2 = text.index("]", j2)
    text = text[:j] + f"male = [{zeros}]" + text[k + 1:j2] + f"female = [{zeros}]" + text[k2 + 1:]
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    # before: 131 million retirees silently dropped, depletion moved by 12 years
    with pytest.raises(InputError, match=r"s.toml: initial.retirees_profile = 0.0: the profile is all zeros while "
                                         r"initial.retirees is positive"):
        sibrisk.load_scenario(path)


def test_updates_and_regions_are_checked_too():
    sc = sibrisk.load_scenario(EP)
    with pytest.raises(InputError, match="economy.wage_growth = 0.5: implausible"):
        sc.with_updates({"economy.wage_growth": 0.5})
    with pytest.raises(InputError, match=r"regions.a.initial.contributors = 1e\+300: implausible"):
        sc.with_updates({"regions": {"a": {"initial": {"contributors": 1e300}}}})


@pytest.mark.parametrize("name", sibrisk.scenario.list_shipped())
def test_every_shipped_scenario_is_plausible(name):
    sc = sibrisk.load_scenario(name)
    assert sc.meta.allow_outliers == []


def test_bounds_are_documented():
    # every bound has a reason an actuary can check
    for key, (lo, hi, what) in PLAUSIBLE.items():
        assert lo < hi and what, key
    assert PLAUSIBLE["wage_growth"][:2] == (-0.10, 0.20)


def test_volatility_bound_keeps_simulations_finite(tmp_path):
    # 0.2 a year made the enterprise fund's balance NaN by 2055 in some scenarios; 0.05 is the bound
    sc = sibrisk.load_scenario(EP)
    with pytest.raises(InputError, match=r"stochastic.economy.volatility = \[0.2, 0.2, 0.2\]: implausible"):
        sc.with_updates({"stochastic.economy.volatility": [0.2, 0.2, 0.2]})
    with pytest.raises(InputError, match=r"stochastic.economy.ar1 = \[0.99, 0.7, 0.5\]: implausible"):
        sc.with_updates({"stochastic.economy.ar1": [0.99, 0.7, 0.5]})


def test_an_overflow_allowed_on_purpose_names_the_scenario_and_the_allowed_fields(tmp_path):
    text = EP.read_text(encoding="utf-8").replace(
        "[meta]\n", '[meta]\nallow_outliers = ["stochastic.economy.volatility"]\n', 1)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    sc = sibrisk.load_scenario(path).with_updates({"stochastic.economy.volatility": [1.0, 1.0, 1.0]})
    # before: "fund_balance = nan: must be finite" with no word of which input caused it
    with pytest.raises(InputError, match=r"s.toml: fund_balance: the projection overflowed .*check the fields "
                                         r"allowed outside their plausibility bounds \(stochastic.economy.volatility\)"):
        sibrisk.simulate(sc, 50, seed=1, progress=False)


def test_resident_pension_without_takeup_is_refused(tmp_path):
    path = _edit(tmp_path, "takeup_pension = 0.9745854336", "takeup_pension = 0.0",
                 src=SCEN / "resident_pension_national.toml")
    # found by the fuzz suite: no pensioners, no expenditure, balance months infinite
    with pytest.raises(InputError, match=r"s.toml: coverage.takeup_pension = 0.0: implausible"):
        sibrisk.load_scenario(path)


def test_seed_range_in_the_api():
    sc = sibrisk.load_scenario("unemployment_national")
    with pytest.raises(InputError, match=r"seed = 18446744073709551616: must be an integer in 0..2\^63-1"):
        sibrisk.simulate(sc, 2, seed=2**64, progress=False)
