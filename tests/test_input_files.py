"""The input layer: encodings detected (and named in errors), CSV read by a real CSV reader with a fixed width per
row, thousands separators parsed in place or refused, never truncated (issue 11)."""

import shutil
from pathlib import Path

import pytest

import sibrisk
from sibrisk.errors import InputError
from sibrisk.performance.execution import load_budget, load_execution
from sibrisk.performance.goals import load_goals

ROOT = Path(__file__).resolve().parents[1]
EXE = ROOT / "scenarios" / "execution"
GOALS = ROOT / "scenarios" / "goals"
SCEN = ROOT / "scenarios"
BUDGET = EXE / "region_a_2024_budget.csv"


def _recode(src: Path, dst: Path, encoding: str, bom: bytes = b"") -> Path:
    dst.write_bytes(bom + src.read_text(encoding="utf-8").encode(encoding))
    return dst


@pytest.mark.parametrize("encoding,bom", [("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b""),
                                          ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_budget_csv_in_each_encoding_reads_the_same(tmp_path, encoding, bom):
    ref = load_budget(BUDGET)
    path = _recode(BUDGET, tmp_path / "budget.csv", encoding, bom)
    got = load_budget(path)
    assert got.items == ref.items and got.year == 2024
    assert got.items["fiscal_subsidy"] == 1_460_000 * 1e4


@pytest.mark.parametrize("encoding,bom", [("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("utf-16-le", b"\xff\xfe")])
def test_goal_toml_with_chinese_text_in_each_encoding(tmp_path, encoding, bom):
    for f in GOALS.glob("*.toml"):  # the goal set names its scenario relative to its own folder
        shutil.copy(f, tmp_path / f.name)
    path = _recode(GOALS / "region_a_2024.toml", tmp_path / "g.toml", encoding, bom)
    gs = load_goals(path)
    assert gs.meta.region_zh == "示例市A"


def test_scenario_toml_with_utf8_bom(tmp_path):
    path = _recode(SCEN / "unemployment_national.toml", tmp_path / "u.toml", "utf-8", b"\xef\xbb\xbf")
    assert sibrisk.load_scenario(path).meta.fund == "unemployment"


def test_utf16_without_bom_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_bytes(BUDGET.read_text(encoding="utf-8").encode("utf-16-le"))
    with pytest.raises(InputError, match="budget.csv.*not a text file in a known encoding"):
        load_budget(path)


def test_toml_syntax_error_names_the_encoding(tmp_path):
    path = tmp_path / "g.toml"
    path.write_bytes("[meta]\nregion_zh = 示例\n".encode("gbk"))
    with pytest.raises(InputError, match=r"g.toml: not valid TOML \(read as GB18030/GBK\)"):
        load_goals(path)


def _budget(tmp_path, line: str, *, old="fiscal_subsidy,1460000") -> Path:
    text = BUDGET.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "budget.csv"
    path.write_text(text.replace(old, line), encoding="utf-8")
    return path


def test_quoted_thousands_separators_are_parsed(tmp_path):
    b = load_budget(_budget(tmp_path, 'fiscal_subsidy,"1,460,000"'))
    assert b.items["fiscal_subsidy"] == 1_460_000 * 1e4
    b = load_budget(_budget(tmp_path, 'fiscal_subsidy,"1,460,000.5"'))
    assert b.items["fiscal_subsidy"] == 1_460_000.5 * 1e4


def test_unquoted_thousands_separators_are_refused_not_truncated(tmp_path):
    # before: read as 1 (the extra cells dropped)
    with pytest.raises(InputError, match=r'budget.csv: amount = \'1,460,000\': line 6: .*thousands '
                                         r'separators must be quoted \("1,460,000"\) or written without them '
                                         r'\(1460000\)'):
        load_budget(_budget(tmp_path, "fiscal_subsidy,1,460,000"))


@pytest.mark.parametrize("cell", ['"1,46"', '"14,60,000"', '"1.460,5"', '"1,460,00"'])
def test_commas_out_of_place_are_refused(tmp_path, cell):
    with pytest.raises(InputError, match="budget.csv: fiscal_subsidy = .*line 6, column 2: not a number"):
        load_budget(_budget(tmp_path, f"fiscal_subsidy,{cell}"))


def test_extra_cells_are_an_error_naming_the_row(tmp_path):
    with pytest.raises(InputError, match=r"budget.csv: row = .*line 6: 3 cells for 2 columns .* extra cells \['x'\]"):
        load_budget(_budget(tmp_path, "fiscal_subsidy,1460000,x"))


def test_trailing_blank_cells_are_accepted(tmp_path):
    # spreadsheets often save a trailing separator
    assert load_budget(_budget(tmp_path, "fiscal_subsidy,1460000,,")).items["fiscal_subsidy"] == 1.46e10


def test_row_without_amount_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(InputError, match=r"budget.csv: amount = \['fiscal_subsidy'\]: line 6: 1 cell\(s\) for 2 "
                                         r"columns .*no value for amount"):
        load_budget(_budget(tmp_path, "fiscal_subsidy"))


def test_execution_row_with_a_missing_cell(tmp_path):
    src = EXE / "region_a_2024_execution.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0]  # drop contribution_due of 2024-02
    path = tmp_path / "exe.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="exe.csv: contribution_due = .*line 5: 8 cell.*no value for contribution_due"):
        load_execution(path)


def test_unterminated_quote_names_the_line(tmp_path):
    with pytest.raises(InputError, match="budget.csv.*no value for amount|budget.csv.*not valid CSV"):
        load_budget(_budget(tmp_path, 'fiscal_subsidy,"1460000'))


@pytest.mark.parametrize("cell", ["1e305", "inf", "-inf", "nan", "1e13"])
def test_absurd_or_non_finite_cells_are_refused(tmp_path, cell):
    # 1e305 万元 is inf yuan once converted: it used to score full marks
    with pytest.raises(InputError, match="budget.csv: fiscal_subsidy = .*(not a finite number|implausibly large)"):
        load_budget(_budget(tmp_path, f"fiscal_subsidy,{cell}"))
    src = EXE / "region_a_2024_execution.csv"
    text = src.read_text(encoding="utf-8").replace("2024-01,477664.0,", f"2024-01,{cell},", 1)
    path = tmp_path / "exe.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="exe.csv: contribution_income = .*(not a finite number|implausibly large)"):
        load_execution(path)


def test_history_csv_of_a_scenario_in_gbk(tmp_path):
    from sibrisk.economy.models import read_series

    path = tmp_path / "h.csv"
    path.write_bytes("year,wage_growth\n2019,0.08\n2020,0.07\n2021,0.09\n".encode("gbk"))
    df, _ = read_series(path)
    assert list(df["wage_growth"]) == [0.08, 0.07, 0.09]
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match="h.csv: not a text file"):
        read_series(path)


def test_xlsx_row_with_a_cell_beyond_the_header_is_an_error(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "budget"
    for row in [("item", "amount"), ("year", 2024), ("contribution_income", 5900000), ("fiscal_subsidy", 1, 460000),
                ("benefit_expenditure", 6530000)]:
        ws.append(row)
    path = tmp_path / "budget.xlsx"
    wb.save(path)
    # the sheet's version of an unquoted thousands separator: 1 | 460000 in two cells, read as 1 before
    with pytest.raises(InputError, match=r"budget.xlsx: row = \['fiscal_subsidy', '1', '460000'\]: row 4: 3 cells for 2 "
                                         r"columns \['item', 'amount'\]; extra cells \[460000\]"):
        load_budget(path)


@pytest.mark.parametrize("content", [b"not a netCDF file\n", b""])
def test_lee_carter_fit_that_is_not_netcdf_is_refused_at_load(tmp_path, content):
    # before: a ValueError from xarray after the stochastic scenarios had been drawn
    text = (SCEN / "unemployment_national.toml").read_text(encoding="utf-8")
    i = text.index("[stochastic.mortality]")
    j = text.index('note = "ASSUMPTION: the improvement index', i)
    text = text[:i] + '[stochastic.mortality]\nmodel = "lee_carter"\nfit = "fit.nc"\n' + text[j:]
    (tmp_path / "fit.nc").write_bytes(content)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"s.toml: stochastic.mortality.fit = 'fit.nc': .*fit.nc: not a readable "
                                         r"netCDF file"):
        sibrisk.load_scenario(path)
