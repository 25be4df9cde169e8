"""Every field of every fund's scenario file has a meaning in the generated scenario reference
(``docs/_ext/sibrisk_reference.py``: a pydantic description, the field's ``#`` comment in the model source, or the
docstring of the section it holds), so that the reference says what each field is, in what unit and from what source.
"""

import inspect
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import sibrisk_reference as ref  # noqa: E402
from sibrisk.funds import get, implemented  # noqa: E402

def _owner(model, name: str) -> type:
    """The class of ``model``'s MRO that defines field ``name`` (the most derived one that annotates it)."""
    for cls in model.__mro__:
        if name in inspect.get_annotations(cls):
            return cls
    raise AssertionError(f"{model.__name__}.{name}: no class defines it")


def _owners(model, prefix: str = "") -> dict[str, type]:
    """{dotted field: defining class} for every field ``ref.scenario_fields`` lists, with its recursion rule
    (sections and sub-tables, not the rows of an age table)."""
    out = {}
    for name, info in model.model_fields.items():
        dotted = f"{prefix}{name}"
        out[dotted] = _owner(model, name)
        sub = ref._submodel(info.annotation)
        if sub is not None and not sub.__name__.startswith("AgeTable"):
            out.update(_owners(sub, dotted + "."))
    return out


def fields_without_meaning(fid: str) -> list[str]:
    """'module.Class.field (dotted)' of every field of fund ``fid``'s scenario reference with an empty meaning."""
    model = get(fid).scenario_model
    owners = _owners(model)
    missing = []
    for dotted, *_, doc in ref.scenario_fields(model):
        owner = owners[dotted]
        if doc.strip():
            continue
        missing.append(f"{owner.__module__}.{owner.__name__}.{dotted.rsplit('.', 1)[-1]} ({dotted})")
    return missing


@pytest.mark.parametrize("fid", implemented())
def test_every_scenario_field_has_a_meaning(fid):
    missing = fields_without_meaning(fid)
    assert not missing, (f"{len(missing)} fields of {fid} have no meaning in the scenario reference: add a comment "
                         f"on or above the field's line: {missing[:20]}")


def test_the_walk_sees_every_field_of_the_reference():
    for fid in implemented():
        model = get(fid).scenario_model
        assert [d for d, *_ in ref.scenario_fields(model)] == list(_owners(model)), fid


def test_a_base_class_comment_reaches_every_fund_that_inherits_it():
    # ``EconomySpec.interest_rate`` is commented once, in ``sibrisk.scenario``; every fund's economy section
    # (extended or not) shows it
    for fid in implemented():
        rows = {d: doc for d, *_, doc in ref.scenario_fields(get(fid).scenario_model)}
        assert rows["economy.interest_rate"].startswith("effective annual rate the fund's balance earns"), fid


def test_the_check_fails_on_a_field_without_a_meaning(monkeypatch):
    from sibrisk.scenario import MortalitySpec

    real = ref.field_comments

    def without_improvement(model):
        out = dict(real(model))
        if model is MortalitySpec:
            out.pop("improvement", None)
        return out

    monkeypatch.setattr(ref, "field_comments", without_improvement)
    for fid in implemented():   # a shared field: no fund is exempt from it
        assert any("MortalitySpec.improvement" in m for m in fields_without_meaning(fid)), fid


def test_a_redefined_field_without_a_comment_has_no_meaning(tmp_path, monkeypatch):
    """A subclass that redefines a field states its own meaning: the base class's comment, which may no longer be
    true of it, is not shown for it (the field is reported as lacking one)."""
    import importlib

    (tmp_path / "sibrisk_doccase.py").write_text(
        "from pydantic import BaseModel\n\n\n"
        "class Base(BaseModel):\n"
        "    rate: float = 0.0  # the base meaning (share)\n"
        "    kept: float = 0.0  # kept as it is\n\n\n"
        "class Derived(Base):\n"
        "    rate: float = 1.0\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("sibrisk_doccase")
    assert ref.field_comments(mod.Base) == {"rate": "the base meaning (share)", "kept": "kept as it is"}
    assert ref.field_comments(mod.Derived) == {"rate": "", "kept": "kept as it is"}
