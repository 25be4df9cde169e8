"""Command line: ``sibrisk run [SCENARIO]`` projects a scenario, prints a table by year, writes netCDF and a chart.

Other subcommands (monitoring and evaluation) register themselves from their own modules.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from sibrisk.errors import SibriskError
from sibrisk.indicators import actuarial_balance_of, depletion_year, probability_of_depletion
from sibrisk.units import WAN, YI

TABLE_COLUMNS = [
    # (header, units shown, variable or callable, divisor, format)
    ("contribution", "亿元", "contribution_income", YI, "{:>12,.0f}"),
    ("subsidy", "亿元", "fiscal_subsidy", YI, "{:>10,.0f}"),
    ("interest", "亿元", "interest_income", YI, "{:>9,.0f}"),
    ("expenditure", "亿元", "total_expenditure", YI, "{:>12,.0f}"),
    ("current bal.", "亿元", "current_balance", YI, "{:>12,.0f}"),
    ("accum. bal.", "亿元", "fund_balance", YI, "{:>12,.0f}"),
    ("bal. months", "months", "balance_months", 1.0, "{:>11.1f}"),
    ("contributors", "万人", "contributors", WAN, "{:>12,.0f}"),
    ("beneficiaries", "万人", "beneficiaries", WAN, "{:>13,.0f}"),
    ("dependency", "%", "system_dependency_ratio", 0.01, "{:>10.1f}"),
]


def format_table(ds) -> str:
    columns = [c for c in TABLE_COLUMNS if c[2] in ds]
    widths = [len(f.format(0)) for *_, f in columns]
    head1 = "year  " + " ".join(h.rjust(w) for (h, *_), w in zip(columns, widths))
    head2 = "      " + " ".join(u.rjust(w) for (_, u, *_), w in zip(columns, widths))
    lines = [head1, head2]
    for y in ds.year.values:
        d = ds.sel(year=y)
        cells = [fmt.format(float(d[var]) / div) for (_, _, var, div, fmt) in columns]
        lines.append(f"{int(y)}  " + " ".join(cells))
    return "\n".join(lines)


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: an existing file survives a failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def netcdf_ready(ds):
    """A copy whose attributes netCDF can store (no None, no bools)."""
    def clean(attrs):
        out = {}
        for k, v in attrs.items():
            if v is None:
                continue
            out[k] = int(v) if isinstance(v, (bool, np.bool_)) else v
        return out

    ds = ds.copy()
    ds.attrs = clean(ds.attrs)
    for v in ds.variables.values():
        v.attrs = clean(v.attrs)
    return ds


def cmd_run(args) -> int:
    from sibrisk.projection import project
    from sibrisk.scenario import DEFAULT_SCENARIO, load_scenario

    sc = load_scenario(args.scenario or DEFAULT_SCENARIO)
    base = sc.projection.base_year
    start = base if args.start is None else args.start
    if start < base:
        raise SibriskError(f"--start {start} is before the scenario's base year {base} (the year of its initial data)")
    years = sc.projection.years - (start - base) if args.years is None else args.years
    if years < 1:
        raise SibriskError(f"--years must be at least 1 (got {years})")
    horizon = start - base + years
    if horizon != sc.projection.years:
        sc = sc.with_updates({"projection.years": horizon})
    if args.scenarios is not None:
        return _run_stochastic(sc, args, start)
    ds = project(sc)
    ds.attrs["scenario_file_resolved"] = str(Path(sc.source).resolve()) if sc.source else ""
    print(f"{ds.attrs['title']}")
    print(f"scenario file: {Path(sc.source).resolve() if sc.source else '(in memory)'}")
    print(f"fund: {ds.attrs['fund']} ({ds.attrs['fund_long_name_zh']})   region: {ds.attrs['region']}")
    print(f"money in 亿元 (1e8 yuan), people in 万人 (1e4 persons); {ds.attrs['flow_timing_note']}")
    if "region" in ds.dims:
        from sibrisk.regions import province_total

        total = province_total(ds)
        print(f"\nProvince total (sum of {ds.sizes['region']} pooling regions: {', '.join(ds.region.values)})")
        _report(total, start)
        print("\nBy pooling region:")
        print(format_region_summary(ds.sel(year=slice(start, None))))
        shown = total.sel(year=slice(start, None))
    else:
        _report(ds, start)
        shown = ds.sel(year=slice(start, None))

    out = Path(args.out)
    nc = out / f"{output_stem(sc)}.nc"
    _check_not_another_run(nc, sc, args)
    _atomic_write(nc, lambda p: netcdf_ready(ds).to_netcdf(p, engine="netcdf4"))
    print(f"\nwrote {nc}")
    if not args.no_plot:
        from sibrisk.plots import plot_balance

        png = Path(args.plot) if args.plot else out / f"{output_stem(sc)}.png"
        _atomic_write(png, lambda p: plot_balance(shown, p))
        print(f"wrote {png}")
    return 0


def _report(ds, start: int) -> None:
    shown = ds.sel(year=slice(start, None))
    print(format_table(shown))
    first = depletion_year(shown.fund_balance)
    last = int(shown.year.values[-1])
    if np.isnan(first):
        print(f"\nDepletion year: not depleted by {last}")
    else:
        print(f"\nDepletion year: {int(first)} (first year-end balance below zero)")
    if "actuarial_balance" in ds:
        ab = actuarial_balance_of(ds, start=start)
        print(f"Actuarial balance {start}-{last}: {float(ab.actuarial_balance) * 100:+.2f}% of the covered wage bill "
              f"(summarized income rate {float(ab.summarized_income_rate) * 100:.2f}%, "
              f"cost rate {float(ab.summarized_cost_rate) * 100:.2f}%)")


def format_region_summary(ds) -> str:
    """One line per region: balance months at the first, tenth and last year shown, and the depletion year."""
    years = [int(ds.year.values[i]) for i in sorted({0, min(9, ds.sizes["year"] - 1), ds.sizes["year"] - 1})]
    head = f"{'region':<14}" + "".join(f"{'months ' + str(y):>14}" for y in years) + f"{'depletion':>11}"
    lines = [head]
    for r in ds.region.values:
        d = ds.sel(region=r)
        first = depletion_year(d.fund_balance)
        dep = "none" if np.isnan(first) else str(int(first))
        lines.append(f"{str(r):<14}" + "".join(f"{float(d.balance_months.sel(year=y)):>14.1f}" for y in years)
                     + f"{dep:>11}")
    return "\n".join(lines)


def output_stem(sc, variant: str = "") -> str:
    """Outputs are named after the scenario file (its stem), plus the variant (e.g. ``_stochastic_n1000_seed42``)."""
    stem = Path(sc.source).stem if sc.source else sc.meta.name
    return f"{stem}{variant}"


def _check_not_another_run(path: Path, sc, args) -> None:
    """Refuse to replace an output written from a different scenario file (two files with the same name in
    different folders) unless ``--overwrite``; re-running the same file replaces its own output."""
    if getattr(args, "overwrite", False) or not path.exists():
        return
    mine = str(Path(sc.source).resolve()) if sc.source else ""
    try:
        import xarray as xr

        with xr.open_dataset(path) as old:
            theirs = old.attrs.get("scenario_file_resolved", "")
    except Exception:  # not a netCDF sibrisk wrote: do not touch it
        theirs = "(not a sibrisk output)"
    if theirs != mine:
        raise SibriskError(f"{path} holds the output of another run ({theirs or 'unknown scenario file'}); choose "
                           "another --out folder or pass --overwrite")


PERCENTILE_ROWS = [
    # (variable, header, divisor, format)
    ("fund_balance", "accumulated balance, 亿元", YI, "{:>10,.0f}"),
    ("balance_months", "balance months", 1.0, "{:>10.1f}"),
    ("payg_cost_rate", "PAYG cost rate, %", 0.01, "{:>10.1f}"),
]


def format_percentiles(ds, start: int) -> str:
    from sibrisk.stochastic import PERCENTILES, percentiles

    pct = percentiles(ds.sel(year=slice(start, None)), [v for v, *_ in PERCENTILE_ROWS])
    blocks = []
    for var, header, div, fmt in PERCENTILE_ROWS:
        if var not in pct:
            continue
        lines = [f"{header}: percentiles over scenarios",
                 "year  " + " ".join(f"{'P' + str(q):>10}" for q in PERCENTILES)]
        for y in pct.year.values:
            vals = pct[var].sel(year=y).values / div
            lines.append(f"{int(y)}  " + " ".join(fmt.format(v) for v in vals))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _run_stochastic(sc, args, start: int) -> int:
    from sibrisk.stochastic import PERCENTILES, simulate

    n = args.scenarios
    out = Path(args.out)
    variant = f"_stochastic_n{n}_seed{args.seed}"
    nc = out / f"{output_stem(sc, variant)}.nc"
    _check_not_another_run(nc, sc, args)
    ds = simulate(sc, n, seed=args.seed, progress=True)
    ds.attrs["scenario_file_resolved"] = str(Path(sc.source).resolve()) if sc.source else ""
    print(f"{ds.attrs['title']}")
    print(f"scenario file: {Path(sc.source).resolve() if sc.source else '(in memory)'}   {n} stochastic scenarios, "
          f"seed {args.seed}")
    print(f"money in 亿元 (1e8 yuan); {ds.attrs['flow_timing_note']}\n")
    if "region" in ds.dims:
        from sibrisk.regions import province_total

        print(f"Province total (sum of {ds.sizes['region']} pooling regions: {', '.join(ds.region.values)}); "
              "each region's file variables keep the region dimension\n")
        report = province_total(ds)
    else:
        report = ds
    shown = report.sel(year=slice(start, None))
    last = int(shown.year.values[-1])
    print(format_percentiles(report, start))
    first = depletion_year(shown.fund_balance).values
    print(f"\nDepletion year (first year-end balance below zero), {n} scenarios:")
    print(f"  not depleted by {last}: {np.isnan(first).mean() * 100:.1f}%")
    if (~np.isnan(first)).all():
        qs = np.percentile(first, PERCENTILES)
        print("  percentiles: " + ", ".join(f"P{q} {int(v)}" for q, v in zip(PERCENTILES, qs)))
    if (~np.isnan(first)).any():
        years, counts = np.unique(first[~np.isnan(first)], return_counts=True)
        print("  first depleted in: " + ", ".join(f"{int(y)}: {c / n * 100:.1f}%" for y, c in zip(years, counts)))
    prob = probability_of_depletion(shown.fund_balance)
    print("\nProbability of depletion by year:")
    print("  " + ", ".join(f"{int(y)} {p * 100:.1f}%" for y, p in zip(prob.year.values, prob.values)
                           if (int(y) - start) % 5 == 0 or int(y) == last))
    if "covered_wage_bill" in report:
        ab = actuarial_balance_of(report, start=start).actuarial_balance * 100
        print(f"\nActuarial balance {start}-{last}, % of the covered wage bill: "
              + ", ".join(f"P{q} {v:+.2f}" for q, v in zip(PERCENTILES, np.percentile(ab.values, PERCENTILES)))
              + f"; mean {float(ab.mean()):+.2f}")

    _atomic_write(nc, lambda p: netcdf_ready(ds).to_netcdf(p, engine="netcdf4"))
    print(f"\nwrote {nc}")
    if not args.no_plot:
        from sibrisk.plots import depletion_chart, fan_chart

        stem = Path(args.plot).with_suffix("") if args.plot else out / output_stem(sc, variant)
        for suffix, draw in (("_fan_balance.png", lambda p: fan_chart(shown, "fund_balance", p)),
                             ("_fan_months.png", lambda p: fan_chart(shown, "balance_months", p)),
                             ("_depletion.png", lambda p: depletion_chart(shown, p))):
            png = Path(f"{stem}{suffix}")
            _atomic_write(png, draw)
            print(f"wrote {png}")
    return 0


def _parse_vary(items: list[str]) -> dict[str, list[float]]:
    out = {}
    for item in items:
        path, sep, values = item.partition("=")
        parts = values.split(",")
        if not sep or not path or len(parts) != 2:
            raise SibriskError(f"--vary {item!r}: write dotted.path=low,high (e.g. economy.interest_rate=0.015,0.035)")
        try:
            out[path.strip()] = [float(v) for v in parts]
        except ValueError:
            raise SibriskError(f"--vary {item!r}: low and high must be numbers") from None
    return out


def cmd_sensitivity(args) -> int:
    from sibrisk.scenario import DEFAULT_SCENARIO, load_scenario
    from sibrisk.sensitivity import METRICS, sensitivity, tornado_chart

    variations = _parse_vary(args.vary)
    sc = load_scenario(args.scenario or DEFAULT_SCENARIO)
    table = sensitivity(sc, variations, horizon=args.horizon)
    horizon = table.attrs["horizon"]
    print(f"Sensitivity of {sc.meta.name}: one parameter at a time; balance months in {horizon}; actuarial balance "
          f"over the whole projection (share of payroll); money in 亿元")
    shown = table[["parameter", "variant", "value", *METRICS]].copy()
    shown["peak_balance"] = (shown["peak_balance"] / 1e8).map(lambda v: f"{v:,.0f}")
    for col in ("depletion_year", "peak_year"):
        shown[col] = shown[col].map(lambda v: "none" if v != v else f"{v:.0f}")
    shown["balance_months_at_horizon"] = shown["balance_months_at_horizon"].map(lambda v: f"{v:.1f}")
    shown["actuarial_balance"] = shown["actuarial_balance"].map(lambda v: f"{100 * v:.2f}%")
    shown["value"] = shown["value"].map(lambda v: "-" if v is None or v != v else f"{v:g}")
    with pd_options():
        print(shown.to_string(index=False))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{output_stem(sc)}_sensitivity.csv"
    _atomic_write(csv, lambda p: table.to_csv(p, index=False))
    print(f"\nwrote {csv}")
    if not args.no_plot:
        png = out / f"{output_stem(sc)}_tornado_{args.metric}.png"
        _atomic_write(png, lambda p: tornado_chart(table, args.metric, p))
        print(f"wrote {png}")
    return 0


def cmd_solve(args) -> int:
    from sibrisk.projection import project
    from sibrisk.scenario import DEFAULT_SCENARIO, load_scenario
    from sibrisk.solver import effect_chart, solve
    from sibrisk.stochastic import simulate

    sc = load_scenario(args.scenario or DEFAULT_SCENARIO)
    try:
        lo, hi = (float(v) for v in args.bracket.split(","))
    except ValueError:
        raise SibriskError(f"--bracket {args.bracket!r}: write low,high (e.g. -0.1,0.1)") from None
    target = "actuarial_balance" if args.floor is None else "balance_months_floor"
    result = solve(sc, args.lever, target=target, floor=args.floor, horizon=args.horizon, from_year=args.from_year,
                   bracket=(lo, hi), n_scenarios=args.scenarios, share=args.share, seed=args.seed)
    print(f"{sc.meta.name}: {result}")
    print(f"({result.iterations} projections; the change applies from {args.from_year or sc.projection.base_year + 1})")
    if not args.no_plot:
        out = Path(args.out)
        run = ((lambda s: simulate(s, args.scenarios, seed=args.seed, keep_detail=False)) if args.scenarios
               else (lambda s: project(s, keep_detail=False)))
        png = out / f"{output_stem(sc)}_solve.png"
        _atomic_write(png, lambda p: effect_chart(run(sc), run(result.scenario), result, p, floor=args.floor))
        print(f"wrote {png}")
    return 0


def pd_options():
    import pandas as pd

    return pd.option_context("display.width", 200, "display.max_columns", 20)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sibrisk", description="Projections and risk indicators for social insurance funds.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="project a scenario and report income, expenditure, balances and balance months",
                         description="Project a scenario file of any fund (default: the shipped "
                                     "enterprise_pension_national), print a table by year with units, the depletion "
                                     "year, and write a netCDF file and a chart named after the scenario file.")
    run.add_argument("scenario", nargs="?", help="scenario TOML file, or the name of a shipped scenario "
                                                 "(default: enterprise_pension_national)")
    run.add_argument("--out", default="sibrisk-output", help="folder for the netCDF file and the chart (default: %(default)s)")
    run.add_argument("--plot", metavar="PNG", help="where to write the chart (default: OUT/<scenario file name>.png)")
    run.add_argument("--no-plot", action="store_true", help="do not draw the chart")
    run.add_argument("--start", type=int, help="first year reported and valuation date of the summary indicators "
                                               "(default: the scenario's base year; the projection always starts there)")
    run.add_argument("--years", type=int, help="number of years reported from --start (default: to the end of the "
                                               "scenario's horizon); extends the projection if needed")
    run.add_argument("--scenarios", type=int, metavar="N",
                     help="run N stochastic scenarios (the scenario's [stochastic] section) and report percentiles, "
                          "the depletion-year distribution and the probability of depletion by year")
    run.add_argument("--seed", type=int, default=42, help="random seed of the stochastic scenarios (default: %(default)s)")
    run.add_argument("--overwrite", action="store_true",
                     help="replace an output file in --out even if another scenario file wrote it (outputs are named "
                          "after the scenario file; re-running the same file always replaces its own output)")
    run.set_defaults(func=cmd_run)
    sens = sub.add_parser("sensitivity", help="one-at-a-time sensitivity: depletion year, peak balance, balance months "
                                              "at a horizon and actuarial balance for low and high values",
                          description="Move each --vary parameter to its low and its high value (one at a time), "
                                      "project, and report the depletion year, the peak balance, balance months at "
                                      "--horizon and the actuarial balance; writes a CSV table and a tornado chart.")
    sens.add_argument("scenario", nargs="?", help="scenario TOML file or shipped scenario name "
                                                  "(default: enterprise_pension_national)")
    sens.add_argument("--vary", action="append", required=True, metavar="PATH=LOW,HIGH",
                      help="dotted scenario path and two values, e.g. economy.interest_rate=0.015,0.035 (repeat)")
    sens.add_argument("--horizon", type=int, help="year of the balance months (default: the last projected year)")
    sens.add_argument("--metric", default="depletion_year",
                      choices=["depletion_year", "peak_balance", "balance_months_at_horizon", "actuarial_balance"],
                      help="metric of the tornado chart (default: %(default)s)")
    sens.add_argument("--out", default="sibrisk-output", help="folder for the table and the chart (default: %(default)s)")
    sens.add_argument("--no-plot", action="store_true", help="do not draw the tornado chart")
    sens.set_defaults(func=cmd_sensitivity)
    solve = sub.add_parser("solve", help="the change of one lever that zeroes the actuarial balance or keeps balance "
                                         "months at a floor",
                           description="Solve (scipy brentq) for the additive change of LEVER (a dotted scenario path: "
                                       "contributions.employer_rate, subsidy.share, indexation.wage_share, ...) from "
                                       "--from on that brings the actuarial balance to zero, or with --floor keeps "
                                       "balance months at or above the floor through --horizon; with --scenarios N in "
                                       "--share of N stochastic scenarios. Draws balance months before and after.")
    solve.add_argument("scenario", nargs="?", help="scenario TOML file or shipped scenario name")
    solve.add_argument("--lever", required=True, help="dotted path of the lever")
    solve.add_argument("--floor", type=float, help="balance-months floor (default: solve for actuarial balance 0)")
    solve.add_argument("--horizon", type=int, help="last year the floor must hold (default: the last projected year)")
    solve.add_argument("--from", dest="from_year", type=int, help="first year of the change (default: base year + 1)")
    solve.add_argument("--bracket", default="-0.1,0.1", help="changes to search between (default: %(default)s)")
    solve.add_argument("--scenarios", type=int, metavar="N", help="solve in a share of N stochastic scenarios")
    solve.add_argument("--share", type=float, default=0.9, help="share of stochastic scenarios (default: %(default)s)")
    solve.add_argument("--seed", type=int, default=42, help="seed of the stochastic scenarios (default: %(default)s)")
    solve.add_argument("--out", default="sibrisk-output", help="folder for the chart (default: %(default)s)")
    solve.add_argument("--no-plot", action="store_true", help="do not draw the chart")
    solve.set_defaults(func=cmd_solve)
    try:  # monitoring and evaluation subcommands, when that part of the package is present
        has_performance = importlib.util.find_spec("sibrisk.performance.cli") is not None
    except ModuleNotFoundError:
        has_performance = False
    if has_performance:
        from sibrisk.performance import cli as perf_cli

        perf_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except SibriskError as e:
        print(f"sibrisk: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
