"""Every class of bad scenario input gets an error naming the file, the field and the value."""

import re
import tomllib

import pytest

import sibrisk
from sibrisk.errors import InputError

from conftest import DEFAULT


def _dump(data, path):
    # minimal TOML writer for the scenario structure (tables of scalars, lists and inline dicts)
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if isinstance(v, float) and v != v:
            return "nan"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f'"{k}" = {val(x)}' for k, x in v.items()) + " }"
        raise TypeError(v)

    lines = []

    def table(prefix, d):
        if prefix:
            lines.append(f"[{prefix}]")
        for k, v in d.items():
            if isinstance(v, dict) and (prefix == "" or k.endswith("_profile") or k == "profile"):
                continue
            lines.append(f"{k} = {val(v)}")
        for k, v in d.items():
            if isinstance(v, dict) and (prefix == "" or k.endswith("_profile") or k == "profile"):
                table(f"{prefix}.{k}" if prefix else k, v)

    table("", data)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def scenario_with(tmp_path, mutate):
    data = tomllib.loads(DEFAULT.read_text(encoding="utf-8"))
    mutate(data)
    return _dump(data, tmp_path / "bad.toml")


def test_round_trip_of_the_writer(tmp_path):
    path = scenario_with(tmp_path, lambda d: None)
    sc = sibrisk.load_scenario(path)
    assert sc.meta.name == "enterprise_pension_national"


@pytest.mark.parametrize("mutate, field, value_text, words", [
    (lambda d: d["contributions"].pop("employer_rate"), "contributions.employer_rate", None, "missing"),
    (lambda d: d["contributions"].update(employer_rate=-0.1), "contributions.employer_rate", "-0.1", "between"),
    (lambda d: d["economy"].update(collection_rate=1.7), "economy.collection_rate", "1.7", "between"),
    (lambda d: d["economy"].update(interest_rate=float("nan")), "economy.interest_rate", "nan", "finite"),
    (lambda d: d["initial"]["contributors_profile"].update(male=[1.0] * 84), "initial.contributors_profile.male",
     "[1.0, 1.0", "84 values; expected 85"),
    (lambda d: d["initial"]["retirees_profile"]["female"].__setitem__(3, -5.0), "initial.retirees_profile.female",
     "-5.0", "age 19"),
    (lambda d: d["meta"].update(fund="pet_insurance"), "meta.fund", "pet_insurance", "unknown fund"),
    # a pension file relabelled as another fund is validated against that fund's sections
    (lambda d: d["meta"].update(fund="unemployment"), "economy.unemployment_rate", None, "missing"),
    (lambda d: d["projection"].update(horizon=10), "projection.horizon", "10", "unknown field"),
    (lambda d: d["economy"].update(wage_growth=[0.05] * 7), "economy.wage_growth", "[0.05", "7 values; expected 50"),
    (lambda d: d["economy"].update(wage_growth={"2030": 0.05}), "economy.wage_growth", "2030", "base year"),
    (lambda d: d["economy"].update(average_wage="lots"), "economy.average_wage", "lots", "number"),
    (lambda d: d["subsidy"].pop("share"), "subsidy", None, "needs field 'share'"),
    (lambda d: d["mortality"].update(male="cl9_martian"), "mortality.male", "cl9_martian", "unknown column"),
    (lambda d: d["contributions"].update(individual_account_rate=0.3), "contributions.individual_account_rate", "0.3",
     "exceeds"),
])
def test_bad_input_names_file_field_and_value(tmp_path, mutate, field, value_text, words):
    path = scenario_with(tmp_path, mutate)
    with pytest.raises(InputError) as info:
        sibrisk.load_scenario(path)
    msg = str(info.value)
    assert str(path) in msg
    assert field in msg
    if value_text is not None:
        assert value_text in msg
    assert words in msg


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(InputError, match="no such scenario file"):
        sibrisk.load_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "broken.toml"
    bad.write_text("[meta\nname = 1", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(str(bad)) + ".*not valid TOML"):
        sibrisk.load_scenario(bad)


def test_shipped_scenario_found_by_name():
    sc = sibrisk.load_scenario("enterprise_pension_national")
    assert sc.projection.base_year == 2021
