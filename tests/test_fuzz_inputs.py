"""Property-based fuzzing of the shipped input files (issue 11): a value replaced, a line dropped or doubled, a file cut
short or re-encoded. Whatever hypothesis makes of a scenario (four funds), a goal set, an assessment, a budget or an
execution file, sibrisk either accepts it, and then every main output is finite, or refuses it with a SibriskError
that names the file; never another exception, never a hang (each example has a deadline). The default run keeps
the example counts small; ``-m slow`` runs a few hundred of each."""

import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import sibrisk
from sibrisk.errors import InputError, SibriskError
from sibrisk.performance.evaluation import load_assessment
from sibrisk.performance.execution import load_budget, load_execution
from sibrisk.performance.goals import load_goals
from sibrisk.performance.scoring import share

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
GOALS = SCEN / "goals"
EXE = SCEN / "execution"
SCENARIOS = ["enterprise_pension_national", "unemployment_national", "work_injury_national",
             "resident_medical_national"]
MAIN_OUTPUTS = ("fund_balance", "total_income", "total_expenditure", "contribution_income", "benefit_expenditure",
                "balance_months")

FAST = settings(max_examples=12, deadline=30_000, suppress_health_check=list(HealthCheck), derandomize=True)
SLOW = settings(max_examples=200, deadline=60_000, suppress_health_check=list(HealthCheck))

# what a user (or a spreadsheet) might put where a value goes
TOML_VALUES = st.one_of(
    st.sampled_from(["1e305", "-1e305", "1e300", "nan", "-inf", "inf", "0", "0.0", "-1", "true", "false", '"yes"',
                     '"1,460,000"', "[]", "{}", "{ 99999 = 0.05 }", "{ -5 = 0.05 }", "{ 2003 = 0.1 }", '"../../x"',
                     '"' + "x" * 300 + '"', "1", "100", "0.99", "192.4", "2", "[0.0, 0.0]", '"\\u0000"', "1.0e-9"]),
    # accepted but extreme: at the plausibility bounds (the outputs must stay finite)
    st.sampled_from(["0.2", "-0.1", "0.15", "-0.02", "1e6", "1e3", "1.5e9", "1e14", "-1e14", "0.5", "1e8"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),  # TOML writes inf, -inf, nan as Python does
    st.integers(min_value=-10**20, max_value=10**20).map(str),
)
CSV_CELLS = st.one_of(
    st.sampled_from(["", "1,460,000", '"1,460,000"', '"1,46"', "1e305", "-1", "nan", "inf", "abc", "0", "TRUE",
                     "2024-13", "2024-Q5", "１２３", "1.5.6", '"', "x,y,z"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)


def _value_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every right-hand side ``key = value`` on one line (multi-line strings and arrays left alone)."""
    spans = []
    for m in re.finditer(r"(?m)^[ \t]*[A-Za-z0-9_\"\-]+[ \t]*=[ \t]*(.+?)[ \t]*$", text):
        v = m.group(1)
        if v.startswith('"""') or (v.startswith("[") and not v.rstrip().endswith("]")):
            continue
        spans.append(m.span(1))
    return spans


@st.composite
def toml_mutation(draw, text: str):
    kind = draw(st.sampled_from(["value", "value", "value", "drop_line", "double_line", "truncate", "encode"]))
    if kind == "value":
        spans = _value_spans(text)
        a, b = spans[draw(st.integers(0, len(spans) - 1))]
        return (text[:a] + draw(TOML_VALUES) + text[b:]).encode("utf-8")
    lines = text.splitlines(keepends=True)
    if kind in ("drop_line", "double_line"):
        i = draw(st.integers(0, len(lines) - 1))
        lines[i:i + 1] = [] if kind == "drop_line" else [lines[i], lines[i]]
        return "".join(lines).encode("utf-8")
    if kind == "truncate":
        raw = text.encode("utf-8")
        return raw[:draw(st.integers(0, len(raw)))]
    enc, bom = draw(st.sampled_from([("gbk", b""), ("utf-16-le", b"\xff\xfe"), ("utf-16-le", b""),
                                     ("utf-8", b"\xef\xbb\xbf"), ("latin-1", b"")]))
    try:
        return bom + text.encode(enc)
    except UnicodeEncodeError:
        return bom + text.encode(enc, errors="replace")


@st.composite
def csv_mutation(draw, text: str):
    lines = text.splitlines()
    data = [i for i, ln in enumerate(lines) if ln and not ln.startswith("#")]
    kind = draw(st.sampled_from(["cell", "cell", "cell", "drop_cell", "add_cell", "drop_line", "double_line",
                                 "encode"]))
    i = data[draw(st.integers(0, len(data) - 1))]
    cells = lines[i].split(",")
    j = draw(st.integers(0, len(cells) - 1))
    if kind == "cell":
        cells[j] = draw(CSV_CELLS)
    elif kind == "drop_cell":
        del cells[j]
    elif kind == "add_cell":
        cells.insert(j, draw(CSV_CELLS))
    elif kind == "drop_line":
        cells = None
    elif kind == "double_line":
        lines.insert(i, lines[i])
    if kind != "encode":
        if cells is None:
            del lines[i]
        elif kind != "double_line":
            lines[i] = ",".join(cells)
        return ("\n".join(lines) + "\n").encode("utf-8")
    enc = draw(st.sampled_from(["gbk", "utf-16", "utf-8-sig", "utf-16-le"]))
    return "\n".join(lines).encode(enc)


def _refusal_names_the_file(err: Exception, name: str) -> None:
    """Only sibrisk's own errors, naming the file; naming a field too, unless the whole file is unreadable (its
    encoding, or TOML/CSV syntax at a stated line)."""
    assert isinstance(err, SibriskError), f"{type(err).__name__}: {err}"
    assert name in str(err), f"the error does not name {name}: {err}"
    if isinstance(err, InputError) and not err.field:
        assert re.search(r"not valid TOML|not valid CSV|not a text file|line \d+", err.reason), \
            f"a refusal that names no field: {err}"


def _write(folder: Path, name: str, raw: bytes) -> Path:
    path = folder / name
    path.write_bytes(raw)
    return path


# ------------------------------------------------------------------------------------------------ scenarios
def _check_scenario(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = _write(Path(d), "fuzzed_scenario.toml", raw)
        try:
            sc = sibrisk.load_scenario(path)
            sc = sc.with_updates({"projection.years": min(sc.projection.years, 8)})
        except Exception as e:  # noqa: BLE001 - the property: only SibriskError, naming the file
            _refusal_names_the_file(e, "fuzzed_scenario.toml")
            return
        ds = sibrisk.project(sc)
        for v in MAIN_OUTPUTS:
            if v in ds:
                vals = ds[v].values
                assert np.isfinite(vals).all(), f"{v} has NaN/inf for an accepted input: {vals}"


def _scenario_property(name: str, cfg):
    text = (SCEN / f"{name}.toml").read_text(encoding="utf-8")

    @cfg
    @given(raw=toml_mutation(text))
    def prop(raw):
        _check_scenario(raw)
    return prop


@pytest.mark.parametrize("name", SCENARIOS)
def test_fuzzed_scenarios(name):
    _scenario_property(name, FAST)()


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_fuzzed_scenarios_many(name):
    _scenario_property(name, SLOW)()


# ------------------------------------------------------------------------------------------------ goal sets
GOAL_TEXT = (GOALS / "region_a_2025_employee_medical.toml").read_text(encoding="utf-8")


def _check_goals(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        for f in GOALS.glob("*.toml"):  # the goal set names its scenario relative to its folder
            (Path(d) / f.name).write_bytes(f.read_bytes())
        path = _write(Path(d), "fuzzed_goals.toml", raw)
        try:
            gs = load_goals(path)
        except Exception as e:  # noqa: BLE001
            _refusal_names_the_file(e, "fuzzed_goals.toml")
            return
        assert abs(sum(g.weight for g in gs.indicators) - 100) < 1e-6
        for g in gs.indicators:
            if g.direction != "grade":
                t = g.target if isinstance(g.target, tuple) else (g.target,)
                assert all(math.isfinite(x) for x in t)


@FAST
@given(raw=toml_mutation(GOAL_TEXT))
def test_fuzzed_goal_sets(raw):
    _check_goals(raw)


@pytest.mark.slow
@SLOW
@given(raw=toml_mutation(GOAL_TEXT))
def test_fuzzed_goal_sets_many(raw):
    _check_goals(raw)


# ------------------------------------------------------------------------------------------------ assessments
ASSESS_TEXT = (EXE / "region_a_2024_assessment.toml").read_text(encoding="utf-8")
GOALSET = load_goals(GOALS / "region_a_2024.toml")


def _check_assessment(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = _write(Path(d), "fuzzed_assessment.toml", raw)
        try:
            a = load_assessment(path, GOALSET)
        except Exception as e:  # noqa: BLE001
            _refusal_names_the_file(e, "fuzzed_assessment.toml")
            return
        for k, v in a.values.items():
            g = GOALSET.indicator(k)
            s = share(g.direction, g.target, v, g.scoring)
            assert 0.0 <= s <= 1.0


@FAST
@given(raw=toml_mutation(ASSESS_TEXT))
def test_fuzzed_assessments(raw):
    _check_assessment(raw)


# ------------------------------------------------------------------------------------------------ budget, execution
BUDGET_TEXT = (EXE / "region_a_2024_budget.csv").read_text(encoding="utf-8")
EXEC_TEXT = (EXE / "region_a_2024_execution.csv").read_text(encoding="utf-8")


def _check_table(raw: bytes, load, name: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = _write(Path(d), name, raw)
        try:
            got = load(path)
        except Exception as e:  # noqa: BLE001
            _refusal_names_the_file(e, name)
            return
        values = got.items.values() if hasattr(got, "items") else [x for p in got.periods.values()
                                                                    for x in p.values()]
        assert all(math.isfinite(x) for x in values)


@FAST
@given(raw=csv_mutation(BUDGET_TEXT))
def test_fuzzed_budgets(raw):
    _check_table(raw, load_budget, "fuzzed_budget.csv")


@FAST
@given(raw=csv_mutation(EXEC_TEXT))
def test_fuzzed_executions(raw):
    _check_table(raw, load_execution, "fuzzed_execution.csv")


@pytest.mark.slow
@SLOW
@given(raw=st.one_of(csv_mutation(BUDGET_TEXT).map(lambda r: ("b", r)), csv_mutation(EXEC_TEXT).map(lambda r: ("e", r))))
def test_fuzzed_tables_many(raw):
    kind, data = raw
    if kind == "b":
        _check_table(data, load_budget, "fuzzed_budget.csv")
    else:
        _check_table(data, load_execution, "fuzzed_execution.csv")


# ------------------------------------------------------------------------------------------------ through the CLI
@settings(max_examples=6, deadline=60_000, suppress_health_check=list(HealthCheck), derandomize=True)
@given(raw=toml_mutation((SCEN / "unemployment_national.toml").read_text(encoding="utf-8")))
def test_fuzzed_scenario_through_the_cli(raw):
    import contextlib
    import io

    from sibrisk.cli import main

    with tempfile.TemporaryDirectory() as d:
        path = _write(Path(d), "fuzzed_cli.toml", raw)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(["run", str(path), "--out", str(Path(d) / "out"), "--years", "3", "--no-plot"])
        assert rc in (0, 2)
        if rc == 2:
            assert "fuzzed_cli.toml" in err.getvalue()
        else:
            assert (Path(d) / "out" / "fuzzed_cli.nc").is_file()
        assert not list((Path(d) / "out").glob(".sibrisk-tmp-*")) if (Path(d) / "out").exists() else True
