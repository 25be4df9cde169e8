"""Templates a finance department fills (issue 17): ``sibrisk template FUND`` writes a workbook pre-filled with the
national base year; ``read_template`` / ``region_scenario_from_template`` turn a filled one into the region's
scenario through the one re-basing mechanism (``sibrisk.rebase``).

Round trip, every fund: the template filled with k = 1/50 of the national figures (money, head counts, population;
the wage kept) projects the nation x k (head counts, balance) and the nation's balance months over 10 years; the
unfilled template reproduces the national base year. Each bad cell is refused naming the file, the cell and the
value."""

import math

import numpy as np
import openpyxl
import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.templates import (HEADER, SHEETS, national_example, read_template, region_scenario_from_template,
                               write_template)

FUNDS = ["enterprise_pension", "public_sector_pension", "employee_medical", "resident_medical", "resident_pension",
         "unemployment", "work_injury"]
K = 1 / 50
SCALED = {"opening_balance", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
          "benefit_expenditure", "other_expenditure", "fund_balance", "contributors", "beneficiaries",
          "population_total"}


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    return {f: write_template(f, folder / f"{f}.xlsx") for f in FUNDS}


@pytest.fixture(scope="module")
def national():
    out = {}
    for f in FUNDS:
        sc = sibrisk.load_scenario(f"{f}_national")
        out[f] = (sc, sibrisk.project(sc, keep_detail=False))
    return out


def _cells(path, sheet):
    """{item: value cell} of a sheet."""
    wb = openpyxl.load_workbook(path)
    return wb, {r[0].value: r[2] for r in wb[sheet].iter_rows(min_row=3) if r[0].value}


def _filled(src, dst, k, region="prefecture X"):
    wb = openpyxl.load_workbook(src)
    for sheet in ("accounts", "counts", "population"):
        if sheet in wb.sheetnames:
            for row in wb[sheet].iter_rows(min_row=3):
                if row[0].value in SCALED and row[2].value is not None:
                    row[2].value = row[2].value * k
    for row in wb["assumptions"].iter_rows(min_row=3):
        if row[0].value == "region":
            row[2].value = region
    wb.save(dst)
    return dst


def _set(src, dst, sheet, item, value, column=2):
    wb = openpyxl.load_workbook(src)
    for row in wb[sheet].iter_rows(min_row=3):
        if row[0].value == item:
            row[column].value = value
            ref = f"{sheet}!{row[column].coordinate}"
    wb.save(dst)
    return dst, ref


def test_template_layout(templates):
    wb = openpyxl.load_workbook(templates["employee_medical"])
    assert wb.sheetnames == ["说明 README", *SHEETS]
    assert tuple(c.value for c in wb["accounts"][2]) == HEADER
    units = {r[0].value: r[3].value for r in wb["accounts"].iter_rows(min_row=3)}
    assert set(units.values()) == {"万元"} and "contribution_income" in units and "opening_balance" in units
    assert {r[3].value for r in wb["counts"].iter_rows(min_row=3)} == {"人"}
    readme = "\n".join(str(r[0].value) for r in wb["说明 README"].iter_rows() if r[0].value)
    assert "万元" in readme and "blank optional cell falls back to the national scenario" in readme
    # a fund without a population model has no population sheet
    assert "population" not in openpyxl.load_workbook(templates["enterprise_pension"]).sheetnames


@pytest.mark.parametrize("fund", FUNDS)
def test_round_trip_region_at_k_is_the_nation_at_k(fund, templates, national, tmp_path):
    sc_nat, nat = national[fund]
    res = region_scenario_from_template(_filled(templates[fund], tmp_path / "filled.xlsx", K))
    assert res.scenario.meta.region == "prefecture X" and res.size == pytest.approx(K, rel=1e-6)
    ds = sibrisk.project(res.scenario, keep_detail=False)
    y0 = int(sc_nat.years[0])
    years = slice(y0, y0 + 10)
    for v, k in (("balance_months", 1.0), ("contributors", K), ("beneficiaries", K), ("fund_balance", K)):
        got, want = ds[v].sel(year=years).values, nat[v].sel(year=years).values * k
        np.testing.assert_allclose(got, want, rtol=0.02, err_msg=f"{fund} {v}")


@pytest.mark.parametrize("fund", FUNDS)
def test_unfilled_template_reproduces_the_national_base_year(fund, templates, national):
    sc_nat, nat = national[fund]
    actuals, opts = read_template(templates[fund])
    assert opts["fund"] == fund and opts["region"] == sc_nat.meta.region and actuals["year"] == sc_nat.years[0]
    ds = sibrisk.project(region_scenario_from_template(templates[fund]).scenario, keep_detail=False)
    y0 = int(sc_nat.years[0])
    for v in ("contribution_income", "fiscal_subsidy", "benefit_expenditure", "fund_balance", "contributors",
              "beneficiaries"):
        assert float(ds[v].sel(year=y0)) == pytest.approx(float(nat[v].sel(year=y0)), rel=0.01, abs=1.0), v


def test_units_are_converted(templates, tmp_path):
    """万元 by default; a cell stating 亿元 or 万人 is read in that unit; the actuals are yuan and persons."""
    ex = national_example("unemployment")
    path, _ = _set(templates["unemployment"], tmp_path / "a.xlsx", "accounts", "fund_balance",
                   ex["fund_balance"] / 1e4)
    path, _ = _set(path, tmp_path / "b.xlsx", "accounts", "fund_balance", "亿元", column=3)
    path, _ = _set(path, tmp_path / "c.xlsx", "counts", "contributors", ex["contributors"] / 1e4)
    path, _ = _set(path, tmp_path / "d.xlsx", "counts", "contributors", "万人", column=3)
    actuals, _ = read_template(path)
    assert actuals["fund_balance"] == pytest.approx(ex["fund_balance"] * 1e4)
    assert actuals["contributors"] == pytest.approx(ex["contributors"])
    assert actuals["contribution_income"] == pytest.approx(ex["contribution_income"] * 1e4)


def test_csv_template_reads_as_the_workbook(templates, tmp_path):
    p = write_template("resident_pension", tmp_path / "rp.csv")
    assert p.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: spreadsheet programs read the Chinese
    assert read_template(p)[0] == read_template(templates["resident_pension"])[0]
    text = p.read_text(encoding="utf-8-sig").replace("accounts,benefit_expenditure,", "accounts,benefit_expenditurx,")
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_template(tmp_path / "bad.csv")
    assert "bad.csv" in str(e.value) and "line " in str(e.value) and "'benefit_expenditurx'" in str(e.value)


def test_regional_wage_goes_in_as_the_average_wage(templates, national, tmp_path):
    """A region at 1/50 with 80% of the national wage and 80% of its contribution income: the wage is the region's,
    the base year reproduces its accounts."""
    ex = national_example("enterprise_pension")
    path = _filled(templates["enterprise_pension"], tmp_path / "f.xlsx", K)
    path, _ = _set(path, tmp_path / "g.xlsx", "assumptions", "average_wage", 0.8 * ex["average_wage"])
    path, _ = _set(path, tmp_path / "h.xlsx", "accounts", "contribution_income", 0.8 * K * ex["contribution_income"])
    path, _ = _set(path, tmp_path / "i.xlsx", "accounts", "opening_balance", None)  # the accounts then close
    res = region_scenario_from_template(path)
    assert res.scenario.economy.average_wage == pytest.approx(0.8 * ex["average_wage"])
    row = sibrisk.project(res.scenario, keep_detail=False).sel(year=ex["year"])
    assert float(row.contribution_income) == pytest.approx(0.8 * K * ex["contribution_income"] * 1e4, rel=1e-3)
    assert float(row.fund_balance) == pytest.approx(K * ex["fund_balance"] * 1e4, rel=1e-3)
    assert "economy.average_wage: 106,837 -> 85,469.6" in res.report()


# ------------------------------------------------------------------------------------------------ errors
def _error(path) -> str:
    with pytest.raises(InputError) as e:
        read_template(path)
    return str(e.value)


def test_text_cell_names_file_cell_and_value(templates, tmp_path):
    path, ref = _set(templates["work_injury"], tmp_path / "t.xlsx", "accounts", "contribution_income", "about 9 亿")
    msg = _error(path)
    assert str(path) in msg and f"{ref} (contribution_income)" in msg and "'about 9 亿'" in msg and "not a number" in msg


def test_negative_count_names_file_cell_and_value(templates, tmp_path):
    path, ref = _set(templates["work_injury"], tmp_path / "n.xlsx", "counts", "beneficiaries", -5)
    msg = _error(path)
    assert str(path) in msg and f"{ref} (beneficiaries) = -5" in msg and "negative" in msg


@pytest.mark.parametrize("nan, why", [("NaN", "not a finite number"), ("inf", "not a finite number"),
                                      ("#NUM!", "not a number")])  # an xlsx cell holds no float NaN: text or an error
def test_nan_names_file_cell_and_value(templates, tmp_path, nan, why):
    path, ref = _set(templates["unemployment"], tmp_path / "nan.xlsx", "accounts", "fund_balance", nan)
    msg = _error(path)
    assert str(path) in msg and f"{ref} (fund_balance) = {nan!r}" in msg and why in msg
    csv = write_template("unemployment", tmp_path / "u.csv")
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("counts,beneficiaries,"):
            cells = line.split(",")
            cells[3] = "nan"
            lines[i] = ",".join(cells)
            number = i + 1
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    msg = _error(csv)
    assert str(csv) in msg and f"line {number}, column 4 [counts] (beneficiaries) = 'nan'" in msg


def test_missing_sheet_names_file_and_sheet(templates, tmp_path):
    wb = openpyxl.load_workbook(templates["resident_medical"])
    del wb["counts"]
    wb.save(tmp_path / "m.xlsx")
    msg = _error(tmp_path / "m.xlsx")
    assert str(tmp_path / "m.xlsx") in msg and "sheet 'counts'" in msg and "missing" in msg and "accounts" in msg


def test_unknown_item_wrong_unit_missing_required(templates, tmp_path):
    src = templates["employee_medical"]
    path, ref = _set(src, tmp_path / "u.xlsx", "accounts", "other_income", "other_incomes", column=0)
    msg = _error(path)
    assert str(path) in msg and f"{ref} = 'other_incomes'" in msg and "unknown item" in msg
    path, ref = _set(src, tmp_path / "w.xlsx", "accounts", "benefit_expenditure", "千元", column=3)
    msg = _error(path)
    assert f"{ref} (benefit_expenditure) = '千元'" in msg and "wrong unit" in msg and "万元" in msg
    path, ref = _set(src, tmp_path / "r.xlsx", "counts", "contributors", None)
    msg = _error(path)
    assert str(path) in msg and f"{ref} (contributors)" in msg and "required" in msg


def test_accounts_that_do_not_close_and_a_population_left_national(templates, tmp_path):
    src = templates["resident_medical"]
    ex = national_example("resident_medical")
    path, ref = _set(src, tmp_path / "c.xlsx", "accounts", "fund_balance", 1.2 * ex["fund_balance"])
    msg = _error(path)
    assert f"{ref} (fund_balance)" in msg and "do not close" in msg
    # every figure at 1/50 but the national population kept: refused naming the population cell
    path = _filled(src, tmp_path / "f.xlsx", K)
    path, ref = _set(path, tmp_path / "p.xlsx", "population", "population_total", ex["population_total"])
    with pytest.raises(InputError) as e:
        region_scenario_from_template(path)
    assert f"{ref} (population_total)" in str(e.value) and "not of the same region" in str(e.value)


def test_unknown_fund_lists_the_funds(tmp_path, capsys):
    from sibrisk.cli import main

    assert main(["template", "nofund", "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "'nofund'" in err and "unknown fund" in err and all(f in err for f in FUNDS)
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_template_then_region(tmp_path, capsys):
    from sibrisk.cli import main

    out = tmp_path / "wi.xlsx"
    assert main(["template", "work_injury", "--out", str(out)]) == 0
    assert out.is_file() and "wrote" in capsys.readouterr().out
    assert main(["template", "work_injury", "--out", str(out)]) == 2  # exists: --overwrite needed
    assert main(["template", "work_injury", "--out", str(tmp_path / "wi.csv")]) == 0
    filled = _filled(out, tmp_path / "filled.xlsx", K, region="地区甲")
    scenario = tmp_path / "region.toml"
    assert main(["region", str(filled), "--out", str(scenario)]) == 0
    printed = capsys.readouterr().out
    assert "for 地区甲" in printed and f"wrote {scenario}" in printed and "population.scale: 1 -> 0.02" in printed
    sc = sibrisk.load_scenario(scenario)
    assert sc.meta.region == "地区甲" and sc.population.scale == pytest.approx(K, rel=1e-6)
    nat = sibrisk.project(sibrisk.load_scenario("work_injury_national"), keep_detail=False)
    ds = sibrisk.project(sc, keep_detail=False)
    assert math.isclose(float(ds.fund_balance[5]), K * float(nat.fund_balance[5]), rel_tol=0.02)
