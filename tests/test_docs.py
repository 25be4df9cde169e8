"""The documentation site builds without a warning (warnings are errors) with its notebooks and the guide's pictures
executed, and its generated reference holds every public function, every scenario field of every fund, every command
and every registered indicator (issue 19)."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import sibrisk_reference as ref  # noqa: E402


@pytest.fixture(scope="module")
def html(tmp_path_factory, monkeypatch_module):
    from sphinx.cmd.build import build_main

    out = tmp_path_factory.mktemp("html")
    # executed, as published: the notebooks and the guide's pictures run inside the build (cached beside the output,
    # so a second build in the same session reuses them); warnings, a failing cell included, are errors
    monkeypatch_module.setenv("SIBRISK_DOCS_EXECUTE", "cache")
    warnings = out / "warnings.txt"
    rc = build_main(["-W", "--keep-going", "-q", "-b", "html", "-w", str(warnings), str(DOCS), str(out)])
    assert rc == 0, warnings.read_text(encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _text(html, page):
    return (html / "reference" / f"{page}.html").read_text(encoding="utf-8")


def test_every_public_function_is_documented(html):
    page = _text(html, "api")
    import sibrisk

    names = ref.public_api()
    assert sorted(n for n, _, _ in names) == sorted(sibrisk._LAZY)     # every exported function and class
    for name, _, where in names:
        assert f'id="{where}"' in page, name      # autodoc rendered it (an import failure would not)


def test_every_scenario_field_of_every_fund_is_in_the_reference(html):
    from sibrisk.funds import get, implemented

    page = _text(html, "scenario")
    missing = []
    for fid in implemented():
        for dotted, *_ in ref.scenario_fields(get(fid).scenario_model):
            if f"<code class=\"docutils literal notranslate\"><span class=\"pre\">{dotted}</span></code>" not in page:
                missing.append(f"{fid}: {dotted}")
    assert not missing, missing[:10]
    # a field the region work added, with its bounds
    assert "population.stock.year" in page and "&gt;= 2000, &lt;= 2100" in page


def test_every_command_and_indicator_is_in_the_reference(html):
    from sibrisk.cli import build_parser
    from sibrisk.indicators.registry import REGISTRY

    cli = _text(html, "cli")
    commands = [name for name, _, _ in ref._commands(build_parser())]
    assert {"run", "rebase", "template", "region", "evaluate"} <= set(commands)
    for name in commands:
        assert re.search(rf'id="sibrisk-{name}"', cli), name
    page = _text(html, "indicators")
    for i in REGISTRY.values():
        assert i.id in page and i.units.replace("<", "&lt;") in page, i.id


def test_field_comments_are_read_from_the_source():
    from sibrisk.funds.enterprise_pension.parameters import ContributionSpec

    c = ref.field_comments(ContributionSpec)
    assert c["base_ratio"].startswith("mean declared wage (before the bounds)")


def test_a_methodology_chapter_per_fund_holds_its_kernel_contract_and_every_assumption(html):
    import html as html_lib
    import tomllib

    from sibrisk.funds import get, implemented
    from sibrisk.scenario import find_scenario

    for fid in implemented():
        page = html_lib.unescape((html / "methodology" / "generated" / f"{fid}.html").read_text(encoding="utf-8"))
        title = (ROOT / "kernels" / f"{fid}.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        assert title in page, fid                                   # the equations, included from the contract
        data = tomllib.loads(find_scenario(get(fid).default_scenario).read_text(encoding="utf-8"))
        notes = list(ref._notes(data))
        assert len(notes) >= 3, fid
        for section, _ in notes:
            assert f">{section}<" in page, (fid, section)           # every note of the default, by section


GUIDE = sorted((DOCS / "guide").glob("*.md"))


def _guide_blocks(page):
    text = page.read_text(encoding="utf-8")
    return (re.findall(r"```bash\n(.*?)```", text, flags=re.S), re.findall(r"```python\n(.*?)```", text, flags=re.S))


def test_the_guide_has_a_page_per_task_with_commands():
    names = {p.stem for p in GUIDE}
    assert {"national", "region", "goals", "monitor", "evaluate", "rebase", "stochastic", "sensitivity"} <= names
    for p in GUIDE:
        if p.stem not in ("index", "inputs", "python"):
            assert _guide_blocks(p)[0], f"{p.name} shows no command"


@pytest.mark.parametrize("page", [p for p in GUIDE if p.stem != "index"], ids=lambda p: p.stem)
def test_every_command_of_the_guide_runs_as_written(page, tmp_path, monkeypatch, capsys):
    """Each page's commands run in order in a fresh folder beside the shipped scenarios (as a user at the
    repository root would run them), exit 0 and write what they print; its Python blocks run too."""
    import shlex

    from sibrisk.cli import main

    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    bash, python = _guide_blocks(page)
    for block in bash:
        for line in block.strip().splitlines():
            argv = shlex.split(line)
            assert argv[0] == "sibrisk", line
            if argv[1:2] == ["batch"]:
                argv += ["--no-progress"]
            assert main(argv[1:]) == 0, line
            written = re.findall(r"^wrote (\S+)", capsys.readouterr().out, flags=re.M)
            assert all(Path(w.rstrip(":,")).exists() for w in written), (line, written)
    for block in python:
        exec(compile(block, f"{page.name} python block", "exec"), {})


def test_the_methodology_back_test_tables_are_the_tested_tables(html):
    """Each fund's methodology chapter shows its calibration.backtest_table(), the table its tests check: every
    row's projected value and difference as computed now."""
    import html as html_lib
    import importlib

    from sibrisk.funds import implemented

    shown = 0
    for fid in implemented():
        cal = importlib.import_module(f"sibrisk.funds.{fid}.calibration")
        if not hasattr(cal, "backtest_table"):
            continue
        page = html_lib.unescape((html / "methodology" / "generated" / f"{fid}.html").read_text(encoding="utf-8"))
        df = cal.backtest_table()
        assert len(df) > 0, fid
        for _, r in df.iterrows():
            assert f"{r['projected']:,.6g}" in page and f"{100 * float(r['difference']):+.2f}%" in page, (fid, r["item"])
        shown += 1
    assert shown >= 3


@pytest.mark.parametrize("page", ["guide/national", "guide/region", "guide/stochastic", "notebooks/01_quickstart",
                                  "notebooks/06_backtest", "notebooks/08_fund_fidelity"])
def test_the_executed_pages_show_their_pictures(html, page):
    """The guide's pictures and the notebooks' charts are made when the site is built (not committed images)."""
    text = (html / f"{page}.html").read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="[^"]+\.png"', text), page
