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
    ("interest", "亿元", "interest_income_floored", YI, "{:>9,.0f}"),
    ("expenditure", "亿元", "total_expenditure", YI, "{:>12,.0f}"),
    ("current bal.", "亿元", "current_balance_floored", YI, "{:>12,.0f}"),
    ("accum. bal.", "亿元", "fund_balance_floored", YI, "{:>12,.0f}"),
    ("fin. gap", "亿元", "financing_gap", YI, "{:>10,.0f}"),
    ("bal. months", "months", "balance_months_floored", 1.0, "{:>11.1f}"),
    ("contributors", "万人", "contributors", WAN, "{:>12,.0f}"),
    ("beneficiaries", "万人", "beneficiaries", WAN, "{:>13,.0f}"),
    ("dependency", "%", "system_dependency_ratio", 0.01, "{:>10.1f}"),
]
# long names and units of the exported table (csv, xlsx): one money unit (亿元), persons in 万人
EXPORT_NAMES = {"contribution_income": "contribution income", "fiscal_subsidy": "fiscal subsidy",
                "interest_income_floored": "interest income", "total_expenditure": "total expenditure",
                "current_balance_floored": "current balance", "fund_balance_floored": "accumulated balance (floored at 0)",
                "financing_gap": "financing gap after depletion", "balance_months_floored": "balance months",
                "contributors": "contributors", "beneficiaries": "beneficiaries",
                "system_dependency_ratio": "system dependency ratio"}
GAP_NOTE = ("after depletion the accumulated balance is shown floored at 0, an empty fund earns no interest, and "
            "'fin. gap' is the money the fund "
            "cannot pay (depletion year: the part of the deficit the balance did not cover; after it: expenditure - "
            "non-interest income), i.e. the subsidy that would be needed")


def with_financing_gap(ds):
    """``ds`` with ``fund_balance_floored``, ``balance_months_floored`` and ``financing_gap``
    (``sibrisk.indicators.funcs.financing_gap``)."""
    from sibrisk.indicators.funcs import financing_gap

    if "opening_balance" not in ds or "fund_balance_floored" in ds:
        return ds
    return ds.merge(financing_gap(ds))


def _columns(ds):
    cols = [c for c in TABLE_COLUMNS if c[2] in ds]
    if "financing_gap" in ds and not (ds.financing_gap > 0).any():
        cols = [c for c in cols if c[2] != "financing_gap"]
    return cols


def format_table(ds, every: int = 1) -> str:
    ds = with_financing_gap(ds)
    columns = _columns(ds)
    widths = [len(f.format(0)) for *_, f in columns]
    head1 = "year  " + " ".join(h.rjust(w) for (h, *_), w in zip(columns, widths))
    head2 = "      " + " ".join(u.rjust(w) for (_, u, *_), w in zip(columns, widths))
    lines = [head1, head2]
    years = ds.year.values
    for i, y in enumerate(years):
        if i % every and i != len(years) - 1:
            continue
        d = ds.sel(year=y)
        cells = [fmt.format(float(d[var]) / div) for (_, _, var, div, fmt) in columns]
        lines.append(f"{int(y)}  " + " ".join(cells))
    return "\n".join(lines)


def projection_table(ds):
    """The printed table as a pandas DataFrame by year (every year), units in the column headers."""
    import pandas as pd

    ds = with_financing_gap(ds)
    data = {f"{EXPORT_NAMES.get(var, var)} ({units})": ds[var].values / div
            for (_, units, var, div, _) in _columns(ds)}
    return pd.DataFrame(data, index=pd.Index(ds.year.values.astype(int), name="year"))


def write_table(ds, path: Path, fmt: str) -> None:
    table = projection_table(ds)
    if fmt == "csv":
        _atomic_write(path, lambda p: table.to_csv(p, float_format="%.6g", encoding="utf-8"))
    else:
        _atomic_write(path, lambda p: table.to_excel(p, sheet_name="projection", engine="openpyxl"))


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


def use_file_backend() -> None:
    """The command line only writes charts to files: use matplotlib's Agg backend (no display needed). Called by
    the commands, never on import, so notebooks keep their inline figures."""
    import matplotlib

    matplotlib.use("Agg")


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
    if args.every < 1:
        raise SibriskError(f"--every must be at least 1 (got {args.every})")
    valuation = sc.projection.years - (start - base) if args.valuation_years is None else args.valuation_years
    if valuation < 1:
        raise SibriskError(f"--valuation-years must be at least 1 (got {valuation})")
    args.valuation = valuation
    horizon = start - base + max(years, valuation)
    if horizon != sc.projection.years:
        sc = sc.with_updates({"projection.years": horizon})
    if args.scenarios is not None:
        return _run_stochastic(sc, args, start, years)
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
        _report(total, start, years, args)
        print("\nBy pooling region:")
        print(format_region_summary(ds.sel(year=slice(start, start + years - 1))))
        shown = total.sel(year=slice(start, start + years - 1))
    else:
        _report(ds, start, years, args)
        shown = ds.sel(year=slice(start, start + years - 1))

    out = Path(args.out)
    nc = out / f"{output_stem(sc)}.nc"
    _check_not_another_run(nc, sc, args)
    _atomic_write(nc, lambda p: netcdf_ready(ds).to_netcdf(p, engine="netcdf4"))
    print(f"\nwrote {nc}")
    for fmt in dict.fromkeys(args.format or ()):
        path = out / f"{output_stem(sc)}.{fmt}"
        write_table(shown, path, fmt)
        print(f"wrote {path} (the table above, every year; units in the header)")
    if not args.no_plot:
        from sibrisk.plots import plot_balance

        png = Path(args.plot) if args.plot else out / f"{output_stem(sc)}.png"
        _atomic_write(png, lambda p: plot_balance(shown, p))
        print(f"wrote {png}")
    return 0


def _report(ds, start: int, years: int, args) -> None:
    shown = with_financing_gap(ds.sel(year=slice(start, start + years - 1)))
    print(format_table(shown, every=args.every))
    if "financing_gap" in shown and (shown.financing_gap > 0).any():
        print(f"({GAP_NOTE})")
    first = depletion_year(shown.fund_balance)
    last = int(shown.year.values[-1])
    if np.isnan(first):
        print(f"\nDepletion year: not depleted by {last}")
    else:
        print(f"\nDepletion year: {int(first)} (first year-end balance below zero)")
    if "actuarial_balance" in ds:
        ab = actuarial_balance_of(ds, start=start, years=args.valuation)
        end = start + args.valuation - 1
        print(f"Actuarial balance {start}-{end} ({args.valuation} years, --valuation-years): "
              f"{float(ab.actuarial_balance) * 100:+.2f}% of the covered wage bill "
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
    # (variable, header, divisor, format); after depletion the balance is floored at 0 and the gap shown apart
    ("fund_balance_floored", "accumulated balance (floored at 0), 亿元", YI, "{:>10,.0f}"),
    ("financing_gap", "financing gap after depletion, 亿元", YI, "{:>10,.0f}"),
    ("balance_months_floored", "balance months (floored at 0)", 1.0, "{:>10.1f}"),
    ("payg_cost_rate", "PAYG cost rate, %", 0.01, "{:>10.1f}"),
]


def format_percentiles(ds, start: int, every: int = 1) -> str:
    from sibrisk.stochastic import PERCENTILES, percentiles

    ds = with_financing_gap(ds)
    pct = percentiles(ds.sel(year=slice(start, None)), [v for v, *_ in PERCENTILE_ROWS])
    last = int(pct.year.values[-1])
    blocks = []
    for var, header, div, fmt in PERCENTILE_ROWS:
        if var not in pct or (var == "financing_gap" and not (pct[var] > 0).any()):
            continue
        lines = [f"{header}: percentiles over scenarios",
                 "year  " + " ".join(f"{'P' + str(q):>10}" for q in PERCENTILES)]
        for y in pct.year.values:
            if (int(y) - start) % every and int(y) != last:
                continue
            vals = pct[var].sel(year=y).values / div
            lines.append(f"{int(y)}  " + " ".join(fmt.format(v) for v in vals))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _run_stochastic(sc, args, start: int, years: int) -> int:
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
    shown = report.sel(year=slice(start, start + years - 1))
    last = int(shown.year.values[-1])
    print(format_percentiles(shown, start, every=args.every))
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
                           if (int(y) - start) % args.every == 0 or int(y) == last))
    if "covered_wage_bill" in report:
        ab = actuarial_balance_of(report, start=start, years=args.valuation).actuarial_balance * 100
        print(f"\nActuarial balance {start}-{start + args.valuation - 1} ({args.valuation} years, --valuation-years), "
              "% of the covered wage bill: "
              + ", ".join(f"P{q} {v:+.2f}" for q, v in zip(PERCENTILES, np.percentile(ab.values, PERCENTILES)))
              + f"; mean {float(ab.mean()):+.2f}")

    _atomic_write(nc, lambda p: netcdf_ready(ds).to_netcdf(p, engine="netcdf4"))
    print(f"\nwrote {nc}")
    if not args.no_plot:
        from sibrisk.plots import depletion_chart, fan_chart

        stem = Path(args.plot).with_suffix("") if args.plot else out / output_stem(sc, variant)
        floored = with_financing_gap(shown)  # readable axes: no balance running to minus millions
        for suffix, draw in (("_fan_balance.png", lambda p: fan_chart(floored, "fund_balance_floored", p)),
                             ("_fan_months.png", lambda p: fan_chart(floored, "balance_months_floored", p)),
                             ("_depletion.png", lambda p: depletion_chart(shown, p))):
            png = Path(f"{stem}{suffix}")
            _atomic_write(png, draw)
            print(f"wrote {png}")
    return 0


def cmd_rebase(args) -> int:
    from sibrisk.performance.execution import load_budget, load_execution
    from sibrisk.rebasing import actuals_from_accounts, rebase, rebased_file_text
    from sibrisk.scenario import load_scenario

    sc = load_scenario(args.scenario)
    if not sc.source:
        raise SibriskError("re-basing writes a file that extends the scenario file; this scenario has none")
    actuals = actuals_from_accounts(load_budget(args.budget), load_execution(args.execution))
    out = Path(args.out) if args.out else Path(f"{Path(sc.source).stem}_rebased_{actuals['year']}.toml")
    if out.exists() and not args.overwrite:
        raise SibriskError(f"{out} exists; choose another --out or pass --overwrite")
    result = rebase(sc, actuals)
    print(f"scenario file: {Path(sc.source).resolve()}")
    print(result.report())
    _atomic_write(out, lambda p: p.write_text(rebased_file_text(result, sc.source), encoding="utf-8"))
    load_scenario(out)  # the file written loads
    print(f"wrote {out} (name it in a goal set's [scenario] base for the coming year)")
    return 0


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
                                               "scenario's horizon); extends the projection if needed; does not "
                                               "change the valuation period")
    run.add_argument("--every", type=int, default=1, metavar="N",
                     help="print every N-th year of the table (default: every year; the last year is always shown)")
    run.add_argument("--valuation-years", type=int, metavar="N",
                     help="valuation period of the actuarial balance: N years from --start (default: to the end of "
                          "the scenario's horizon); extends the projection if needed")
    run.add_argument("--format", action="append", choices=("csv", "xlsx"),
                     help="also write the table (every year, units in the header) as csv or xlsx beside the netCDF "
                          "file; repeat for both")
    run.add_argument("--scenarios", type=int, metavar="N",
                     help="run N stochastic scenarios (the scenario's [stochastic] section) and report percentiles, "
                          "the depletion-year distribution and the probability of depletion by year")
    run.add_argument("--seed", type=int, default=42, help="random seed of the stochastic scenarios (default: %(default)s)")
    run.add_argument("--overwrite", action="store_true",
                     help="replace an output file in --out even if another scenario file wrote it (outputs are named "
                          "after the scenario file; re-running the same file always replaces its own output)")
    run.set_defaults(func=cmd_run)
    reb = sub.add_parser("rebase", help="re-base a scenario on a year's actual accounts (budget + execution)",
                         description="Move the scenario's base year to the year of the accounts and scale its initial "
                                     "state so that the projection of that year reproduces the actual balance, flows, "
                                     "contributors and beneficiaries; write a scenario file that extends the original "
                                     "and print what was adjusted and by how much.")
    reb.add_argument("scenario", help="scenario TOML file, or the name of a shipped scenario")
    reb.add_argument("--budget", required=True, help="the year's budget (CSV or xlsx; needs opening_balance)")
    reb.add_argument("--execution", required=True, help="the year's full execution (CSV or xlsx)")
    reb.add_argument("--out", help="the re-based scenario file to write (default: <scenario>_rebased_<year>.toml)")
    reb.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    reb.set_defaults(func=cmd_rebase)
    try:  # monitoring and evaluation subcommands, when that part of the package is present
        has_performance = importlib.util.find_spec("sibrisk.performance.cli") is not None
    except ModuleNotFoundError:
        has_performance = False
    if has_performance:
        from sibrisk.performance import cli as perf_cli

        perf_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    use_file_backend()
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
