"""`sibrisk run` on a multi-region file, output naming after the scenario file, and no silent overwrite of another
run's output."""

import shutil

import xarray as xr

from sibrisk.cli import main
from sibrisk.scenario import shipped_scenarios_dir

EXAMPLE = "example_province_enterprise_pension"


def test_regions_print_province_and_regions(tmp_path, capsys):
    assert main(["run", EXAMPLE, "--out", str(tmp_path), "--no-plot", "--years", "5"]) == 0
    text = capsys.readouterr().out
    assert "Province total (sum of 3 pooling regions: city_a, city_b, city_c)" in text
    assert "By pooling region:" in text and "city_b" in text
    with xr.open_dataset(tmp_path / f"{EXAMPLE}.nc") as ds:
        assert ds.fund_balance.dims == ("region", "year")


def test_outputs_named_after_the_file_and_never_replace_another_runs(tmp_path, capsys):
    out = tmp_path / "out"
    other = tmp_path / "copy"
    other.mkdir()
    # a copy of the shipped file in another folder: same file name, another scenario file
    copy = other / "enterprise_pension_national.toml"
    shutil.copy(shipped_scenarios_dir() / "enterprise_pension_national.toml", copy)
    assert main(["run", "--out", str(out), "--no-plot", "--years", "3"]) == 0
    nc = out / "enterprise_pension_national.nc"
    before = nc.read_bytes()
    capsys.readouterr()
    assert main(["run", str(copy), "--out", str(out), "--no-plot", "--years", "3"]) == 2
    err = capsys.readouterr().err
    assert "holds the output of another run" in err and "--overwrite" in err
    assert nc.read_bytes() == before
    # re-running the same file replaces its own output; --overwrite replaces another's
    assert main(["run", "--out", str(out), "--no-plot", "--years", "3"]) == 0
    assert main(["run", str(copy), "--out", str(out), "--no-plot", "--years", "3", "--overwrite"]) == 0
    with xr.open_dataset(nc) as ds:
        assert ds.attrs["scenario_file_resolved"] == str(copy.resolve())


def test_stochastic_outputs_carry_the_variant(tmp_path):
    assert main(["run", "--out", str(tmp_path), "--no-plot", "--years", "3", "--scenarios", "20", "--seed", "5"]) == 0
    assert (tmp_path / "enterprise_pension_national_stochastic_n20_seed5.nc").is_file()
