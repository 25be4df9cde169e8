"""`sibrisk run` on the default scenario: the table, the depletion line, the files it writes, its errors."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

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
