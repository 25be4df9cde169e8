"""Outputs: sanitised names that stay inside --out, permissions that follow the umask, a run's files committed
together (nothing partial left in place, a killed run's leftovers removed by the next), every argument checked before
the computation (issue 11)."""

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sibrisk
from sibrisk._outputs import STAGING_PREFIX, OutputSet, safe_name
from sibrisk.cli import SEED_MAX, main, output_stem
from sibrisk.errors import SibriskError

ROOT = Path(__file__).resolve().parents[1]
GOALS = ROOT / "scenarios" / "goals"
EXE = ROOT / "scenarios" / "execution"


@pytest.mark.parametrize("text", ["../../x", "/etc/passwd", "a\x00b", "..", "x" * 300, "示例市A/../b", "", "a\\b:c*?"])
def test_safe_name_never_leaves_the_folder(text, tmp_path):
    name = safe_name(text)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name and not name.startswith(".")
    assert len(name) <= 120
    assert (tmp_path / f"{name}.nc").resolve().parent == tmp_path.resolve()


def test_safe_name_keeps_ordinary_names():
    assert safe_name("enterprise_pension_national_stochastic_n100_seed42") == \
        "enterprise_pension_national_stochastic_n100_seed42"
    assert safe_name("enterprise_pension_示例市A_2024_self_evaluation") == "enterprise_pension_示例市A_2024_self_evaluation"
    assert safe_name("City A") == "City_A"


def test_in_memory_scenario_named_by_free_text_stays_inside(tmp_path):
    sc = sibrisk.load_scenario("unemployment_national")
    sc.source = None
    sc.meta.name = "../../x" + "y" * 300
    stem = output_stem(sc)
    assert "/" not in stem and len(stem) <= 120


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_outputs_follow_the_umask(tmp_path, umask_022):
    out = tmp_path / "out"
    assert main(["run", "unemployment_national", "--out", str(out), "--years", "3"]) == 0
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["unemployment_national.nc", "unemployment_national.png"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f  # mkstemp used to leave 0600


def test_write_all_follows_the_umask(tmp_path, umask_022):
    from sibrisk.performance._files import write_all

    written = write_all({tmp_path / "a.md": b"a", tmp_path / "sub" / "b.xlsx": b"b"})
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [0o644, 0o644]
    assert not list(tmp_path.glob(f"{STAGING_PREFIX}*")) and not list((tmp_path / "sub").glob(".*"))


# ------------------------------------------------------------------------------------------------ argument checks
@pytest.fixture
def no_projection(monkeypatch):
    """Fail the test if a projection or simulation starts."""
    import sibrisk.projection
    import sibrisk.stochastic

    def boom(*a, **k):
        raise AssertionError("the computation started before the arguments were checked")

    monkeypatch.setattr(sibrisk.projection, "project", boom)
    monkeypatch.setattr(sibrisk.stochastic, "simulate", boom)


@pytest.mark.parametrize("extra,message", [
    (["--plot", "chart.xyz"], "unknown chart format 'xyz'"),
    (["--plot", "chart"], "unknown chart format '(no extension)'"),
    (["--seed", str(2**64)], "outside 0..9223372036854775807"),
    (["--seed", "-1"], "outside 0.."),
    (["--scenarios", "0"], "--scenarios must be at least 1"),
    (["--scenarios", "10", "--seed", str(SEED_MAX + 1)], "outside 0.."),
])
def test_bad_arguments_fail_before_the_computation(tmp_path, capsys, no_projection, extra, message):
    assert main(["run", "unemployment_national", "--out", str(tmp_path / "o"), "--years", "3", *extra]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("stochastic", [False, True])
def test_unwritable_out_fails_before_the_computation(tmp_path, capsys, no_projection, stochastic):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    extra = ["--scenarios", "5"] if stochastic else []
    assert main(["run", "unemployment_national", "--out", str(blocker / "out"), "--years", "3", *extra]) == 2
    assert "cannot write outputs to" in capsys.readouterr().err


def test_performance_commands_check_out_before_computing(tmp_path, capsys, monkeypatch):
    from sibrisk.performance import cli as perf_cli
    import sibrisk.performance.monitoring as mon

    monkeypatch.setattr(mon, "monitor", lambda *a, **k: (_ for _ in ()).throw(AssertionError("computed")))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc = perf_cli.main_for_tests(["monitor", str(GOALS / "region_a_2024.toml"), "--budget",
                                  str(EXE / "region_a_2024_budget.csv"), "--execution",
                                  str(EXE / "region_b_2024_execution_to_june.csv"), "--out", str(blocker / "o")])
    assert rc == 2 and "cannot write outputs to" in capsys.readouterr().err


def test_goal_set_region_with_a_path_stays_inside_out(tmp_path, capsys):
    from sibrisk.performance import cli as perf_cli

    text = (GOALS / "region_a_2025_employee_medical.toml").read_text(encoding="utf-8")
    region_line = next(ln for ln in text.splitlines() if ln.startswith("region = "))
    for f in GOALS.glob("*.toml"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    goals = tmp_path / "g.toml"
    goals.write_text(text.replace(region_line, 'region = "../../escaped"', 1), encoding="utf-8")
    out = tmp_path / "deep" / "out"
    rc = perf_cli.main_for_tests(["evaluate", str(goals), "--budget",
                                  str(EXE / "region_a_2025_employee_medical_budget.csv"), "--execution",
                                  str(EXE / "region_a_2025_employee_medical_execution.csv"), "--assessment",
                                  str(EXE / "region_a_2025_employee_medical_assessment.toml"), "--out", str(out),
                                  "--format", "md"])
    assert rc == 0, capsys.readouterr().err
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "escaped" in p.name]
    assert written and all(p.parent == out for p in written)


# ------------------------------------------------------------------------------------------------ committed together
def test_a_failure_while_writing_keeps_the_old_outputs(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["run", "unemployment_national", "--out", str(out), "--years", "3"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import sibrisk.plots

    def broken(*a, **k):
        raise SibriskError("chart failed")

    monkeypatch.setattr(sibrisk.plots, "plot_balance", broken)
    assert main(["run", "unemployment_national", "--out", str(out), "--years", "4"]) == 2
    # the new netCDF was written before the chart failed: it must not sit beside the old chart
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_output_set_commits_all_or_nothing(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    with pytest.raises(RuntimeError):
        with OutputSet([a, b]) as outs:
            outs.stage(a).write_text("new a")
            raise RuntimeError("killed between the files")
    assert a.read_text() == "old a" and not b.exists()
    assert not list(tmp_path.glob(f"{STAGING_PREFIX}*"))
    with OutputSet([a, b]) as outs:
        outs.stage(a).write_text("new a")
        outs.stage(b).write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")


def test_leftovers_of_a_dead_run_are_removed_live_ones_kept(tmp_path):
    dead = tmp_path / f"{STAGING_PREFIX}999999999-abc"
    dead.mkdir()
    (dead / "x.nc").write_bytes(b"partial")
    live = tmp_path / f"{STAGING_PREFIX}{os.getpid()}-abc"
    live.mkdir()
    outs = OutputSet([tmp_path / "y.nc"])
    assert outs.removed_leftovers == [dead] and not dead.exists() and live.exists()
    outs.abort()


def test_killed_stochastic_run_leaves_nothing_in_place_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sibrisk", "run", "unemployment_national", "--scenarios", "20000",
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(out.glob(f"{STAGING_PREFIX}*")) and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = list(out.iterdir())
    # nothing where an output is expected: only the hidden staging folder of the killed run
    assert left and all(p.is_dir() and p.name.startswith(STAGING_PREFIX) for p in left), left
    assert main(["run", "unemployment_national", "--out", str(out), "--years", "3", "--no-plot"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["unemployment_national.nc"]


def test_performance_outputs_of_another_goal_file_are_kept_unless_overwrite(tmp_path, capsys):
    from sibrisk.performance import cli as perf_cli

    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    for f in GOALS.glob("*.toml"):
        (copy_dir / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "out"

    def evaluate(goals, *extra):
        return perf_cli.main_for_tests(["evaluate", str(goals), "--budget", str(EXE / "region_a_2024_unemployment_budget.csv"),
                                        "--execution", str(EXE / "region_a_2024_unemployment_execution.csv"),
                                        "--assessment", str(EXE / "region_a_2024_unemployment_assessment.toml"),
                                        "--out", str(out), "--format", "md", *extra])

    original = GOALS / "region_a_2024_unemployment.toml"
    assert evaluate(original) == 0
    assert evaluate(original) == 0  # the same file replaces its own outputs
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    capsys.readouterr()
    # a copy of the goal set elsewhere (same fund, region and year: same output names) used to replace them silently
    assert evaluate(copy_dir / "region_a_2024_unemployment.toml") == 2
    assert "holds the output of another input file" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == before
    assert evaluate(copy_dir / "region_a_2024_unemployment.toml", "--overwrite") == 0


def test_two_outputs_onto_one_file_are_refused(tmp_path, capsys):
    with pytest.raises(SibriskError, match="two outputs would be written to the same file"):
        OutputSet([tmp_path / "a.png", tmp_path / "." / "a.png"])
    assert not list(tmp_path.glob(f"{STAGING_PREFIX}*"))
    # through the CLI: --plot onto the netCDF is not a chart format
    assert main(["run", "unemployment_national", "--out", str(tmp_path), "--plot",
                 str(tmp_path / "unemployment_national.nc")]) == 2
    assert "unknown chart format 'nc'" in capsys.readouterr().err
