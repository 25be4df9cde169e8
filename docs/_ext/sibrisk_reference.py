"""The reference pages generated from the code, so that they cannot drift from it (issue 19): the command line
(from ``sibrisk.cli.build_parser``), the scenario file format (from each fund's pydantic scenario model: every field,
its type, unit, bounds and default), the indicator catalogue (from ``sibrisk.indicators.registry.REGISTRY``) and the
public API (autodoc of ``sibrisk.__all__``).

As a Sphinx extension (``conf.py``: ``extensions = [..., "sibrisk_reference"]``) it writes the pages into
``reference/generated/`` when the build starts; the functions also return the text for the tests
(``tests/test_docs.py``: every public function and every scenario field appears).
"""

from __future__ import annotations

import argparse
import inspect
import typing
from pathlib import Path

from pydantic import BaseModel

# the unit of a series field by its series kind (``scenario.series_field(kind)``; bounds in ``SERIES_BOUNDS``)
SERIES_UNITS = {
    "wage_growth": "1/year", "interest_rate": "1/year", "collection_rate": "share (0-1)", "inflation": "1/year",
    "unemployment_rate": "share (0-1)", "medical_cost_growth": "1/year", "benefit_indexation": "1/year",
    "account_crediting_rate": "1/year", "employer_rate": "share of the base", "employee_rate": "share of the base",
    "individual_account_rate": "share of the base", "new_entrants": "persons/year", "amount": "yuan",
    "growth": "1/year", "share": "share (0-1)", "floor_months": "months", "rate": "share (0-1)", "yuan": "yuan",
    "persons": "persons", "count": "persons", "ratio": "ratio",
}


def _esc(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


# ------------------------------------------------------------------------------------------------ command line
def _commands(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def cli_markdown() -> str:
    """Every ``sibrisk`` command with its usage, description and arguments (help text, default, choices)."""
    from sibrisk.cli import build_parser

    parser = build_parser()
    lines = ["# Command line (命令行)", "",
             "Generated from `sibrisk.cli.build_parser` at build time. `sibrisk COMMAND --help` prints the same.", ""]
    for name, help_, sub in _commands(parser):
        lines += [f"## `sibrisk {name}`", "", f"{_esc(help_)}", "", "```text", sub.format_usage().strip(), "```", ""]
        if sub.description:
            lines += [sub.description.strip(), ""]
        lines += ["| argument | meaning | default |", "|---|---|---|"]
        for a in sub._actions:
            if isinstance(a, argparse._HelpAction):
                continue
            flags = ", ".join(f"`{s}`" for s in a.option_strings) or f"`{a.dest}`"
            text = (a.help or "") % {"default": a.default, "prog": sub.prog} if a.help else ""
            if a.choices:
                text += f" (one of: {', '.join(map(str, a.choices))})"
            default = "" if a.default in (None, False, argparse.SUPPRESS) else f"`{a.default}`"
            lines.append(f"| {flags} | {_esc(text)} | {default} |")
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ scenario files
def _submodel(annotation):
    for arg in typing.get_args(annotation) or (annotation,):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _type_name(annotation) -> str:
    if annotation is typing.Any:
        return "series"
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    name = getattr(annotation, "__name__", None)
    if name and origin is None:
        return name
    return str(annotation).replace("typing.", "")


def field_comments(model: type[BaseModel]) -> dict[str, str]:
    """{field: its comment in the source}: the ``#`` lines right above the field's line in the class body and a
    comment at the end of the line (where the code explains a field, as it does for most). The most derived class
    that defines the field gives its comment, an empty one included."""
    import re

    out: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or not cls.__module__.startswith("sibrisk"):
            continue
        try:
            lines = inspect.getsource(cls).splitlines()
        except (OSError, TypeError):
            continue
        above: list[str] = []
        for line in lines[1:]:
            text = line.strip()
            if text.startswith("#"):
                above.append(text.lstrip("# ").strip())
                continue
            m = re.match(r"^([a-z_][a-z0-9_]*)\s*:", text)
            if m and line.startswith("    ") and not line.startswith("     "):
                inline = text.split("  # ", 1)[1].strip() if "  # " in text else ""
                # a subclass that redefines a field states its own meaning: without a comment it has none (not the
                # base class's, which may no longer be true of it)
                out[m.group(1)] = " ".join([*above, inline]).strip()
            above = []
    return out


def scenario_fields(model: type[BaseModel], prefix: str = ""):
    """(dotted name, type, unit, bounds, default, description) of every field of a scenario model, sections and
    sub-tables recursively (a sub-table's own fields follow its row)."""
    from sibrisk.scenario import Extensive, Series

    comments = field_comments(model)
    for name, info in model.model_fields.items():
        dotted = f"{prefix}{name}"
        series = next((m.func for m in info.metadata if hasattr(m, "func") and isinstance(m.func, Series)), None)
        lo = hi = None
        for m in info.metadata:
            for attr, side in (("ge", "lo"), ("gt", "lo"), ("le", "hi"), ("lt", "hi")):
                v = getattr(m, attr, None)
                if v is not None:
                    if side == "lo":
                        lo = f"{'>' if attr == 'gt' else '>='} {v:g}"
                    else:
                        hi = f"{'<' if attr == 'lt' else '<='} {v:g}"
        unit = ""
        if series is not None:
            lo, hi = f">= {series.lo:g}", f"<= {series.hi:g}"
            unit = SERIES_UNITS.get(series.name, series.name)
            kind = "series (number, list by year or {year = value})"
        else:
            kind = _type_name(info.annotation)
        bounds = ", ".join(b for b in (lo, hi) if b)
        if any(isinstance(m, Extensive) for m in info.metadata):
            bounds = (bounds + "; " if bounds else "") + "scales with the region (EXTENSIVE)"
        if info.is_required():
            default = "required"
        else:
            d = info.get_default(call_default_factory=True)
            default = "" if d is None else (type(d).__name__ if isinstance(d, BaseModel) else repr(d))
            if len(default) > 40:
                default = default[:37] + "..."
        sub = _submodel(info.annotation)
        doc = info.description or comments.get(name, "")
        if not doc and sub is not None and sub.__doc__ and sub.__module__.startswith("sibrisk"):
            doc = inspect.cleandoc(sub.__doc__).split("\n\n")[0]
        yield dotted, kind if sub is None else f"table `{sub.__name__}`", unit, bounds, default, doc
        if sub is not None and not sub.__name__.startswith("AgeTable"):
            yield from scenario_fields(sub, dotted + ".")


def scenario_markdown() -> str:
    """One table per fund: every field of its scenario file."""
    from sibrisk.funds import get, implemented

    lines = ["# Scenario files (情景文件)", "",
             "Generated from each fund's pydantic scenario model at build time: every field of a scenario file, its "
             "type, unit, bounds and default. A **series** is a number (every year), a list (one value a year from "
             "the base year) or a table `{year = value}` (a value holds until the next year given). An age table "
             "(`AgeTable…`) has `male` and `female` lists over the ages of the fund (16..100 or 0..100, the last "
             "100+). Fields marked EXTENSIVE scale with a region's size in `sibrisk.rebase`. Errors name the file, "
             "the field and the value.", ""]
    for fid in implemented():
        fund = get(fid)
        lines += [f"## {fund.long_name_zh} {fund.long_name} (`{fid}`)", "",
                  f"Model `{fund.scenario_model.__module__}.{fund.scenario_model.__name__}`; the shipped default "
                  f"is `scenarios/{fund.default_scenario}.toml`.", "",
                  "| field | type | unit | bounds | default | meaning |", "|---|---|---|---|---|---|"]
        for dotted, kind, unit, bounds, default, doc in scenario_fields(fund.scenario_model):
            lines.append(f"| `{dotted}` | {_esc(kind)} | {_esc(unit)} | {_esc(bounds)} | {_esc(default)} | "
                         f"{_esc(doc)} |")
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ indicators
def indicators_markdown() -> str:
    """The registered indicators: id, names, units, definition and source."""
    import sibrisk.indicators  # noqa: F401 - registers the indicators
    from sibrisk.indicators.registry import REGISTRY

    lines = ["# Indicator catalogue (指标目录)", "",
             "Generated from the indicator registry (`sibrisk.indicators.registry.REGISTRY`) at build time. Every "
             "indicator works on any fund's projection (it reads the common variables).", "",
             "| id | name | 名称 | units | inputs | definition | source |", "|---|---|---|---|---|---|---|"]
    for i in sorted(REGISTRY.values(), key=lambda i: i.id):
        lines.append(f"| `{i.id}` | {_esc(i.long_name)} | {_esc(i.long_name_zh)} | {_esc(i.units)} | "
                     f"{_esc(', '.join(i.inputs))} | {_esc(i.definition)} | {_esc(i.source)} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------ API
def public_api() -> list[tuple[str, str, str]]:
    """(name, kind, where) of every public function and class of ``sibrisk`` (its lazily exported names): kind
    function or class, where the dotted path it is defined at (``sibrisk.sensitivity.sensitivity``)."""
    from importlib import import_module

    import sibrisk

    out = []
    for name, (module, attr) in sorted(sibrisk._LAZY.items()):
        obj = getattr(import_module(module), attr)
        out.append((name, "class" if inspect.isclass(obj) else "function", f"{module}.{attr}"))
    return out


def api_markdown() -> str:
    lines = ["# Python API", "", "Generated from `sibrisk.__all__` at build time (the docstrings of the code). Each "
             "name is reached as `sibrisk.NAME`; the heading says where it is defined.", ""]
    for name, kind, where in public_api():
        lines += [f"## `sibrisk.{name}`", "", "```{eval-rst}", f".. auto{kind}:: {where}", "```", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ methodology
def _notes(table: dict, prefix: str = ""):
    """(dotted section, note) of every ``note`` in a scenario file's TOML tables."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _notes(value, f"{prefix}{key}.")
        elif key == "note" and str(value).strip():
            yield prefix.rstrip(".") or "(file)", str(value).strip()


def methodology_markdown(fund_id: str) -> str:
    """One fund's methodology: the kernel's contract (its equations as the kernel computes them, included from
    ``kernels/<fund>.md``), how the default scenario was calibrated (the fund's ``calibration`` module), and every
    assumption of the shipped default with its note and the file's sources, as the code and data hold them."""
    import importlib
    import tomllib

    from sibrisk.funds import get
    from sibrisk.scenario import find_scenario

    fund = get(fund_id)
    path = find_scenario(fund.default_scenario)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lines = [f"# {fund.long_name_zh} {fund.long_name}", "",
             f"Fund id `{fund_id}`; default scenario `scenarios/{path.name}` ({data['meta'].get('title', '')}). "
             "Generated at build time from the kernel contract, the calibration module and the default scenario "
             "file: the page is what the code computes and ships.", "",
             "## Model: the kernel's equations", "",
             f"```{{include}} ../../../kernels/{fund_id}.md", ":heading-offset: 2", "```", ""]
    try:
        cal = importlib.import_module(f"sibrisk.funds.{fund_id}.calibration")
    except ModuleNotFoundError:
        cal = None
    if cal is not None and cal.__doc__:
        lines += ["## Calibration of the default", "", f"From `sibrisk.funds.{fund_id}.calibration`:", "",
                  "```text", inspect.cleandoc(cal.__doc__), "```", ""]
    table = getattr(cal, "backtest_table", None) if cal is not None else None
    if table is not None:
        lines += backtest_markdown(table(), fund_id)
    lines += ["## Assumptions of the default scenario", "",
              "Every `note` of the shipped file, by section (ASSUMPTION marks a modelling assumption; published "
              "figures name their source):", "", "| section | note |", "|---|---|"]
    lines += [f"| `{sec}` | {_esc(note)} |" for sec, note in _notes(data)]
    sources = data["meta"].get("sources", [])
    if sources:
        lines += ["", "### Sources", "", *(f"- {_esc(x)}" for x in sources)]
    return "\n".join(lines) + "\n"


def backtest_markdown(df, fund_id: str) -> list[str]:
    """The fund's back-test (``calibration.backtest_table()``, the table its tests check row by row): projected
    against every published figure after the base year, with the tolerance stated and the source."""
    def num(x):
        return f"{x:,.6g}" if isinstance(x, (int, float)) else _esc(x)

    lines = ["## Back-test: projected against published figures after the base year", "",
             f"`sibrisk.funds.{fund_id}.calibration.backtest_table()`, computed when this page was built from the "
             "shipped default (the tests check each row within its tolerance).", "",
             "| year | item | published | projected | difference | tolerance | within | use | source |",
             "|---|---|---|---|---|---|---|---|---|"]
    for _, r in df.iterrows():
        # use: fit target (checks the fit, not a forecast), derived input or check, out of sample; blank where the
        # fund's rows do not say (its calibration text says which figures set an assumption)
        use = r["use"] if "use" in df.columns and isinstance(r["use"], str) else ""
        lines.append(f"| {r['year']} | {_esc(r['item'])} | {num(r['published'])} | {num(r['projected'])} | "
                     f"{100 * float(r['difference']):+.2f}% | {100 * float(r['tolerance']):g}% | "
                     f"{'yes' if r['within'] else '**no**'} | {_esc(use)} | {_esc(r['source'])} |")
    return lines + [""]


SHARED_CONTRACTS = {"mortality_and_shocks": "Mortality, population and economic shocks",
                    "accounts": "The fund account: roll-forward and subsidy rules",
                    "indicators": "Indicators"}


def shared_markdown(name: str) -> str:
    return "\n".join([f"# {SHARED_CONTRACTS[name]}", "",
                      f"```{{include}} ../../../kernels/{name}.md", ":heading-offset: 1", "```", ""])


def write_methodology(folder: Path) -> list[Path]:
    from sibrisk.funds import implemented

    folder.mkdir(parents=True, exist_ok=True)
    pages = {f"{fid}.md": (lambda fid=fid: methodology_markdown(fid)) for fid in implemented()}
    pages.update({f"shared_{n}.md": (lambda n=n: shared_markdown(n)) for n in SHARED_CONTRACTS})
    out = []
    for name, make in pages.items():
        p = folder / name
        text = make()
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")
        out.append(p)
    return out


PAGES = {"cli.md": cli_markdown, "scenario.md": scenario_markdown, "indicators.md": indicators_markdown,
         "api.md": api_markdown}


def write_pages(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, make in PAGES.items():
        p = folder / name
        text = make()
        if not p.exists() or p.read_text(encoding="utf-8") != text:  # unchanged pages keep their time stamp
            p.write_text(text, encoding="utf-8")
        out.append(p)
    return out


def _generate(app) -> None:
    write_pages(Path(app.srcdir) / "reference" / "generated")
    write_methodology(Path(app.srcdir) / "methodology" / "generated")


def setup(app):
    app.connect("builder-inited", _generate)
    return {"version": "1", "parallel_read_safe": True}
