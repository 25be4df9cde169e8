"""`sibrisk run` on the default scenario: the table, the depletion line, the files it writes, its errors."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import sibrisk
from sibrisk.cli import main


@pytest.fixture(scope="module")
def run_default(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["run", "--out", str(out)])
    return code, buf.getvalue(), out


def test_run_default_prints_table_with_units(run_default):
    code, text, _ = run_default
    assert code == 0
    assert "亿元" in text and "万人" in text and "bal. months" in text and "dependency" in text
    lines = [l for l in text.splitlines() if l[:4].isdigit()]
    assert lines[0].startswith("2021") and lines[-1].startswith("2070")
    # 2021 row of the enterprise scheme (the split of the published urban employee totals, calibration.py):
    # insured workers 30,790 万 of whom 82.3% contribute (contribution-history bands, ASSUMPTION): 25,343 万
    # contributors; retirees 11,438 万, expenditure 41,000 亿元
    assert "25,343" in lines[0] and "11,438" in lines[0] and "41,000" in lines[0]
    assert "Depletion year:" in text
    assert "Actuarial balance 2021-2070" in text
    # the path of the scenario file used is printed (edits to another copy are never silently ignored)
    used = next(l for l in text.splitlines() if l.startswith("scenario file: ")).split(": ", 1)[1]
    from pathlib import Path

    assert Path(used).is_file() and Path(used).name == "enterprise_pension_national.toml"


def test_run_writes_netcdf_and_png(run_default):
    _, _, out = run_default
    nc = out / "enterprise_pension_national.nc"
    png = out / "enterprise_pension_national.png"
    assert png.stat().st_size > 10_000
    with xr.open_dataset(nc) as ds:
        assert ds.fund_balance.attrs["units"] == "yuan"
        assert ds.contributors_by_age.dims == ("year", "age", "sex")
        # insured workers 30,790 万, of whom the contributing ones (bands' steady-state shares, ASSUMPTION)
        insured = float(ds.contributors.sel(year=2021) + ds.insured_not_contributing.sel(year=2021))
        assert insured == pytest.approx(30790e4)
        closing = ds.opening_balance + ds.total_income - ds.total_expenditure
        np.testing.assert_allclose(closing, ds.fund_balance, rtol=1e-12)


def test_start_and_years_select_the_report(tmp_path, capsys):
    assert main(["run", "--out", str(tmp_path), "--no-plot", "--start", "2030", "--years", "5"]) == 0
    text = capsys.readouterr().out
    rows = [l[:4] for l in text.splitlines() if l[:4].isdigit()]
    assert rows == ["2030", "2031", "2032", "2033", "2034"]
    assert not (tmp_path / "enterprise_pension_national.png").exists()


def test_bad_input_is_a_clear_error_and_keeps_existing_output(tmp_path, capsys):
    nc = tmp_path / "enterprise_pension_national.nc"
    nc.write_bytes(b"earlier results")
    assert main(["run", "--out", str(tmp_path), "--start", "2000"]) == 2
    assert "before the scenario's base year 2021" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nname = 'x'\n", encoding="utf-8")
    assert main(["run", str(bad), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "missing" in err
    assert nc.read_bytes() == b"earlier results"


def test_help_explains_options():
    res = subprocess.run([sys.executable, "-m", "sibrisk", "run", "--help"], capture_output=True, text=True, check=True)
    for opt in ("--out", "--plot", "--start", "--years", "--no-plot"):
        assert opt in res.stdout


def test_every_year_by_default_every_n_and_valuation_period_apart_from_years(tmp_path, capsys):
    assert main(["run", "--out", str(tmp_path), "--no-plot", "--start", "2030", "--years", "7", "--every", "3",
                 "--valuation-years", "30"]) == 0
    text = capsys.readouterr().out
    assert [l[:4] for l in text.splitlines() if l[:4].isdigit()] == ["2030", "2033", "2036"]
    assert "Actuarial balance 2030-2059 (30 years" in text  # not tied to --years
    assert main(["run", "--out", str(tmp_path), "--no-plot", "--overwrite", "--years", "3"]) == 0
    text = capsys.readouterr().out
    assert [l[:4] for l in text.splitlines() if l[:4].isdigit()] == ["2021", "2022", "2023"]
    assert "Actuarial balance 2021-2070 (50 years" in text  # the default valuation period: the scenario's horizon


def test_after_depletion_the_table_shows_the_financing_gap(run_default):
    """The default scenario depletes (in the 2050s): from then the balance is floored at 0 and the gap is what the fund
    cannot pay: 2044 = -closing balance, later years = expenditure - non-interest income (hand check on the Dataset)."""
    import sibrisk

    _, text, out = run_default
    head = next(l for l in text.splitlines() if l.startswith("year"))
    assert "fin. gap" in head
    assert head.split()[1:15] == ["contribution", "subsidy", "interest", "expenditure", "current", "bal.", "cur.",
                                  "bal.", "pre-sub.", "accum.", "bal.", "fin.", "gap", "bal."]
    # positions in a row: year, contribution, subsidy, interest, expenditure, current, pre-subsidy current, accum.
    accum, gap, months = 7, 8, 9
    rows = {l[:4]: l.split() for l in text.splitlines() if l[:4].isdigit()}
    with xr.open_dataset(out / "enterprise_pension_national.nc") as ds:
        first = int(sibrisk.indicators.depletion_year(ds.fund_balance))  # 2055 in the default
        closing = float(ds.fund_balance.sel(year=first))
        d = ds.sel(year=first + 6)
        deficit = float(d.total_expenditure - d.contribution_income - d.fiscal_subsidy - d.other_income)
    assert closing < 0
    assert float(rows[str(first)][gap].replace(",", "")) == pytest.approx(-closing / 1e8, abs=0.5)
    assert float(rows[str(first + 6)][gap].replace(",", "")) == pytest.approx(deficit / 1e8, abs=0.5)
    assert all(float(r[accum].replace(",", "")) >= 0 for r in rows.values())  # accumulated balance never negative
    assert min(float(r[months].replace(",", "")) for r in rows.values()) >= 0  # balance months never negative
    assert sibrisk.indicators.balance_months(0.0, 1.0) == 0.0


def test_csv_and_xlsx_export_with_units_in_the_header(tmp_path):
    import pandas as pd

    assert main(["run", "--out", str(tmp_path), "--no-plot", "--years", "4", "--format", "csv",
                 "--format", "xlsx"]) == 0
    csv = pd.read_csv(tmp_path / "enterprise_pension_national.csv", index_col="year")
    xlsx = pd.read_excel(tmp_path / "enterprise_pension_national.xlsx", index_col="year")
    assert list(csv.index) == [2021, 2022, 2023, 2024]
    assert "contribution income (亿元)" in csv.columns and "contributors (万人)" in csv.columns
    assert "balance months (months)" in csv.columns
    # the calibrated 2021 enterprise row: 30,790 万 insured workers, of whom the paying share contributes
    paying = sibrisk.project(sibrisk.load_scenario("enterprise_pension_national"), keep_detail=False).sel(year=2021)
    assert csv.loc[2021, "contributors (万人)"] == pytest.approx(float(paying.contributors) / 1e4, abs=0.05)
    assert float(paying.contributors + paying.insured_not_contributing) == pytest.approx(30790e4, rel=1e-6)
    assert csv.loc[2021, "total expenditure (亿元)"] == pytest.approx(41000, rel=1e-4)
    np.testing.assert_allclose(xlsx.to_numpy(), csv.to_numpy(), rtol=1e-5)


def test_table_shows_current_balance_before_subsidies(tmp_path):
    """Every report shows the current balance before subsidies (issue 10): contributions - expenditure, which for the
    calibrated 2021 enterprise scheme is negative while the current balance (with the subsidy) is positive."""
    import pandas as pd

    assert main(["run", "--out", str(tmp_path), "--no-plot", "--years", "3", "--format", "csv"]) == 0
    csv = pd.read_csv(tmp_path / "enterprise_pension_national.csv", index_col="year")
    pre = csv["current balance before subsidies (亿元)"]
    expected = csv["contribution income (亿元)"] - csv["total expenditure (亿元)"]
    np.testing.assert_allclose(pre.to_numpy(), expected.to_numpy(), rtol=1e-4)  # csv keeps 6 digits
    assert pre.loc[2021] < 0 < csv.loc[2021, "current balance (亿元)"]
