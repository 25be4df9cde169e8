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
