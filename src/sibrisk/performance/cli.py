"""Command-line subcommands ``sibrisk monitor``, ``sibrisk evaluate`` and ``sibrisk province``.

``register(subparsers)`` adds them to the main parser (``sibrisk.cli`` calls it). The handlers hold no logic of their
own: they load and validate every input first, build every output in memory, then write all files at once
(``_files.write_all``), so a bad input never overwrites or half-writes an earlier report. ``sibrisk evaluate`` also
carries over the reasons and measures already typed into an existing self-evaluation table of the same name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sibrisk._outputs import check_writable, safe_name
from sibrisk.errors import SibriskError


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="sibrisk-output", help="folder for the outputs (default: %(default)s)")
    p.add_argument("--format", choices=("md", "html"), default="html", help="report format (default: %(default)s)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="labels: Chinese (default) or English")
    p.add_argument("--overwrite", action="store_true",
                   help="replace outputs in --out even if another input file wrote them (re-running the same file "
                        "always replaces its own)")


def _stem(gs, what: str) -> str:
    """Output names from the goal set's fund, region and year, sanitised: free text such as a region named
    ``../../x`` never becomes a path."""
    return safe_name(f"{gs.meta.fund}_{gs.meta.region}_{gs.meta.year}_{what}")


def cmd_monitor(args) -> int:
    from sibrisk.performance._files import write_all
    from sibrisk.performance.execution import load_budget, load_execution
    from sibrisk.performance.goals import load_goals
    from sibrisk.performance.monitoring import LEVELS, load_thresholds, monitor
    from sibrisk.performance.report import finding_measure, level_name, monitoring_document, monitoring_xlsx

    check_writable(args.out)  # before any computation
    gs = load_goals(args.goals)
    budget = load_budget(args.budget)
    execution = load_execution(args.execution)
    last = load_execution(args.last_year) if args.last_year else None
    res = monitor(gs, budget, execution, last_year=last, thresholds=load_thresholds(args.thresholds))
    stem = _stem(gs, f"monitoring_{res.as_of}")
    files = monitoring_document(res, args.lang).render(args.format, stem)
    files[f"{stem}.xlsx"] = monitoring_xlsx(res, args.lang)
    written = write_all({Path(args.out) / k: v for k, v in files.items()}, source=args.goals,
                        overwrite=args.overwrite)
    for r in res.rows:
        if r.level:
            print(f"{r.goal.id:40s} {level_name(r.level, args.lang):10s} " +
                  "; ".join(f"{f.rule} {finding_measure(f, r.goal.unit, 'en')} >= {f.threshold:g}" for f in r.fired))
    print(f"level: {level_name(res.level, args.lang)} (as of {res.as_of}, year-end projection: {res.method})")
    for p in written:
        print(f"wrote {p}")
    return 0 if LEVELS.index(res.level) < LEVELS.index("warning") or not args.fail_on_warning else 3


def cmd_evaluate(args) -> int:
    from sibrisk.performance._files import write_all
    from sibrisk.performance.evaluation import evaluate, load_assessment
    from sibrisk.performance.execution import load_budget, load_execution
    from sibrisk.performance.goals import load_goals
    from sibrisk.performance.report import carry_over_explanations, evaluation_document, self_evaluation_xlsx

    check_writable(args.out)  # before any computation
    gs = load_goals(args.goals)
    budget = load_budget(args.budget) if args.budget else None
    execution = load_execution(args.execution) if args.execution else None
    assessment = load_assessment(args.assessment, gs) if args.assessment else None
    res = evaluate(gs, budget, execution, assessment=assessment)
    stem = _stem(gs, "self_evaluation")
    xlsx = Path(args.out) / f"{stem}.xlsx"
    carried = carry_over_explanations(res, xlsx)
    files = evaluation_document(res, args.lang).render(args.format, stem)
    files[xlsx.name] = self_evaluation_xlsx(res, args.lang)
    written = write_all({Path(args.out) / k: v for k, v in files.items()}, source=args.goals,
                        overwrite=args.overwrite)
    for r in res.rows:
        flag = "" if not r.listed else "  <- explain (Art. 18)"
        print(f"{r.goal.id:40s} {r.score:6.2f} / {r.goal.weight:5.1f}{flag}")
    print(f"total {res.total:.2f}, grade {res.grade}")
    if carried:
        print(f"kept reasons/measures already entered in {xlsx} for: {', '.join(carried)}")
    for p in written:
        print(f"wrote {p}")
    return 0


def cmd_province(args) -> int:
    from sibrisk.performance._files import write_all
    from sibrisk.performance.province import province_view
    from sibrisk.performance.report import province_document, province_xlsx

    check_writable(args.out)  # before any computation
    res = province_view(args.province)
    stem = safe_name(f"{res.meta.fund}_{res.meta.province}_{res.meta.year}_province")
    files = province_document(res, args.lang).render(args.format, stem)
    files[f"{stem}.xlsx"] = province_xlsx(res, args.lang)
    written = write_all({Path(args.out) / k: v for k, v in files.items()}, source=args.province,
                        overwrite=args.overwrite)
    for rank, r in res.ranking():
        print(f"{rank:>3} {r.name:24s} {r.evaluation.total:6.2f} {r.evaluation.grade} monitoring: {r.monitoring.level}")
    if res.own is not None:
        print(f"province {res.province_name()}: {res.own.total:.2f} {res.own.grade}")
    for d in res.calendar:
        print(f"due {d.date.isoformat()}: {d.what_en} ({d.who_en} -> {d.to_en}; {d.basis})")
    for p in written:
        print(f"wrote {p}")
    return 0


def register(subparsers) -> None:
    """Add ``monitor``, ``evaluate`` and ``province`` to the ``sibrisk`` parser's subcommands."""
    m = subparsers.add_parser("monitor", help="monitor budget execution to date against a goal set (提示/警示/纠偏)",
                              description="Compare budget execution to date with the goal set's targets and time "
                                          "progress, project the year-end outturn and give each indicator a level "
                                          "(normal, prompt, warning, correction); write a monitoring report.")
    m.add_argument("goals", help="goal set TOML file")
    m.add_argument("--budget", required=True, help="budget CSV or xlsx (sheet 'budget'); money in 万元")
    m.add_argument("--execution", required=True, help="execution to date, monthly or quarterly CSV or xlsx")
    m.add_argument("--last-year", help="last year's full-year execution: projects the outturn with its seasonal "
                                       "profile instead of a linear run-rate")
    m.add_argument("--thresholds", help="TOML file of the province's level thresholds (default: built-in assumptions)")
    m.add_argument("--fail-on-warning", action="store_true", help="exit with status 3 at warning or correction")
    _common(m)
    m.set_defaults(func=cmd_monitor)

    e = subparsers.add_parser("evaluate", help="score a goal set after the year: self-evaluation table (xlsx) and report",
                              description="Score every indicator, total on 100, grade 优/良/中/差, list missed or "
                                          "strongly deviating indicators; write the self-evaluation table (xlsx) and "
                                          "a report with charts.")
    e.add_argument("goals", help="goal set TOML file")
    e.add_argument("--budget", help="budget CSV or xlsx (sheet 'budget')")
    e.add_argument("--execution", help="full-year execution CSV or xlsx")
    e.add_argument("--assessment", help="TOML of values entered after the year (satisfaction, grades...) and the "
                                        "reasons and measures for missed indicators")
    _common(e)
    e.set_defaults(func=cmd_evaluate)

    p = subparsers.add_parser("province", help="a province's view over its regions' self-evaluations",
                              description="Evaluate every region of a province file and the province itself: scores "
                                          "side by side, ranking, regions under warning, and the calendar of due dates.")
    p.add_argument("province", help="province TOML file listing its regions' goal sets and data")
    _common(p)
    p.set_defaults(func=cmd_province)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sibrisk")
    register(parser.add_subparsers(dest="command"))
    return parser


def main_for_tests(argv: list[str]) -> int:
    """Run one of these subcommands as ``sibrisk`` would: errors print to stderr and return status 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SibriskError as e:
        print(f"sibrisk: error: {e}", file=sys.stderr)
        return 2
