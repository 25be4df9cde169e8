"""Every Python block of README.md runs as written (a newcomer copies them)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert BLOCKS


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_readme_block_runs(i, monkeypatch):
    monkeypatch.chdir(README.parent)
    exec(compile(BLOCKS[i], f"README.md python block {i}", "exec"), {})


ROWS = re.findall(r"^\| `(\w+)` \|[^|]*\|[^|]*\| (.*?) \|$", README.read_text(encoding="utf-8"), flags=re.M)


def test_the_fund_table_lists_every_fund():
    from sibrisk.funds import implemented

    assert sorted(f for f, _ in ROWS) == sorted(implemented())


@pytest.mark.parametrize("fund,result", ROWS, ids=[f for f, _ in ROWS])
def test_the_fund_table_states_what_the_default_projects(fund, result):
    """Every 'N months in YYYY' (and 'M in YYYY' after it) and 'depleted YYYY' of the README's fund table is what
    the shipped default projects (one decimal)."""
    import sibrisk

    ds = sibrisk.project(sibrisk.load_scenario(f"{fund}_national"), keep_detail=False)
    claims = [(float(m), int(y)) for m, y in re.findall(r"(\d+\.\d) (?:months )?in (\d{4})", result)]
    for months, year in claims:
        assert round(float(ds.balance_months.sel(year=year)), 1) == months, (fund, year)
    for year in re.findall(r"depleted (\d{4})", result)[:1]:
        assert int(ds.depletion_year.item()) == int(year), fund
    assert claims or "depleted" in result or "months" in result, fund
