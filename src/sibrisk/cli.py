"""Command line: ``sibrisk run [SCENARIO]`` projects a scenario, prints a table by year, writes netCDF and a chart.

Other subcommands (monitoring and evaluation) register themselves from their own modules.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

from sibrisk._outputs import OutputSet, safe_name
from sibrisk.errors import SibriskError
from sibrisk.stochastic import SEED_MAX
from sibrisk.indicators import actuarial_balance_of, depletion_year, probability_of_depletion
from sibrisk.units import WAN, YI

TABLE_COLUMNS = [
    # (header, units shown, variable or callable, divisor, format)
    ("contribution", "亿元", "contribution_income", YI, "{:>12,.0f}"),
    ("subsidy", "亿元", "fiscal_subsidy", YI, "{:>10,.0f}"),
    ("interest", "亿元", "interest_income_floored", YI, "{:>9,.0f}"),
    ("expenditure", "亿元", "total_expenditure", YI, "{:>12,.0f}"),
    ("current bal.", "亿元", "current_balance_floored", YI, "{:>12,.0f}"),
    ("cur. bal. pre-sub.", "亿元", "current_balance_before_subsidies", YI, "{:>18,.0f}"),
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
                "current_balance_floored": "current balance",
                "current_balance_before_subsidies": "current balance before subsidies",
                "fund_balance_floored": "accumulated balance (floored at 0)",
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
    """Write one file through a staging folder beside it, then rename: an existing file survives a failure, and the
    file's permissions follow the umask (``tempfile.mkstemp`` would leave it 0600)."""
    with OutputSet([path]) as outs:
        write(outs.stage(path))


PLOT_FORMATS: tuple[str, ...] = ()


def plot_formats() -> tuple[str, ...]:
    """File extensions matplotlib can write (png, pdf, svg, ...)."""
    global PLOT_FORMATS
    if not PLOT_FORMATS:
        from matplotlib.backend_bases import FigureCanvasBase

        PLOT_FORMATS = tuple(sorted(FigureCanvasBase.get_supported_filetypes()))
    return PLOT_FORMATS




def check_run_arguments(args) -> None:
    """Every argument check that needs no computation, before any computation starts."""
    if args.seed is not None and not 0 <= args.seed <= SEED_MAX:
        raise SibriskError(f"--seed {args.seed} is outside 0..{SEED_MAX} (2^63 - 1)")
    if args.scenarios is not None and args.scenarios < 1:
        raise SibriskError(f"--scenarios must be at least 1 (got {args.scenarios})")
    if args.plot and not args.no_plot:
        ext = Path(args.plot).suffix.lower().lstrip(".")
        if ext not in plot_formats():
            raise SibriskError(f"--plot {args.plot}: unknown chart format {ext or '(no extension)'!r}; matplotlib "
                               f"writes {', '.join(plot_formats())}")


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
    the commands, never on import, so notebooks keep their inline figures. matplotlib is not imported for that
    (0.1 s, and a run with ``--no-plot`` never needs it): the backend is set through ``MPLBACKEND``, which matplotlib
    reads when it is imported."""
    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.use("Agg")
    else:
        os.environ["MPLBACKEND"] = "Agg"


def cmd_run(args) -> int:
    from sibrisk.scenario import DEFAULT_SCENARIO, load_scenario

    check_run_arguments(args)
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
    from sibrisk._numba import announce_compiles

    with announce_compiles():  # a first run says that it is compiling instead of sitting silent
        if args.scenarios is not None:
            return _run_stochastic(sc, args, start, years)
        return _run_one(sc, args, start, years)


def _run_one(sc, args, start, years) -> int:
    out = Path(args.out)
    nc = out / f"{output_stem(sc)}.nc"
    png = (Path(args.plot) if args.plot else out / f"{output_stem(sc)}.png") if not args.no_plot else None
    tables = [out / f"{output_stem(sc)}.{fmt}" for fmt in dict.fromkeys(args.format or ())]
    _check_not_another_run(nc, sc, args)
    outs = OutputSet([nc] + ([png] if png else []) + tables)  # folders writable, a killed run's leftovers removed
    try:
        return _run_deterministic(sc, args, start, years, outs, nc, png, tables)
    except BaseException:
        outs.abort()
        raise


def _run_deterministic(sc, args, start, years, outs, nc, png, tables) -> int:
    from sibrisk.projection import project

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

    netcdf_ready(ds).to_netcdf(outs.stage(nc), engine="netcdf4")
    for path in tables:  # the table above, every year, units in the header
        write_table(shown, outs.stage(path), path.suffix[1:])
    if png:
        from sibrisk.plots import plot_balance

        plot_balance(shown, outs.stage(png))
    print()
    for p in outs.commit():  # all files move into place together
        print(f"wrote {p}")
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
    return safe_name(f"{stem}{variant}", fallback="scenario")


def _check_not_another_run(path: Path, sc, args) -> None:
    """Refuse to replace an output written from a different scenario file (two files with the same name in
    different folders) unless ``--overwrite``; re-running the same file replaces its own output."""
    if getattr(args, "overwrite", False) or not path.exists():
        return
    mine = str(Path(sc.source).resolve()) if sc.source else ""
    try:
        # one global attribute read with netCDF4 itself: xarray.open_dataset would decode every variable (and import
        # dask.array and scipy on the way, 0.4 s of every repeated `sibrisk run`)
        import netCDF4

        with netCDF4.Dataset(path, "r") as old:
            theirs = str(old.getncattr("scenario_file_resolved")) if "scenario_file_resolved" in old.ncattrs() else ""
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
    n = args.scenarios
    out = Path(args.out)
    variant = f"_stochastic_n{n}_seed{args.seed}"
    nc = out / f"{output_stem(sc, variant)}.nc"
    _check_not_another_run(nc, sc, args)
    pngs = []
    if not args.no_plot:
        stem = Path(args.plot).with_suffix("") if args.plot else out / output_stem(sc, variant)
        ext = Path(args.plot).suffix if args.plot else ".png"
        pngs = [Path(f"{stem}{suffix}{ext}") for suffix in ("_fan_balance", "_fan_months", "_depletion")]
    outs = OutputSet([nc, *pngs])  # folders writable, a killed run's leftovers removed, before the simulation
    try:
        return _simulate_and_write(sc, args, start, years, outs, nc, pngs)
    except BaseException:
        outs.abort()
        raise


def _simulate_and_write(sc, args, start, years, outs, nc, pngs) -> int:
    from sibrisk.stochastic import PERCENTILES, simulate

    n = args.scenarios
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
        dep_years, counts = np.unique(first[~np.isnan(first)], return_counts=True)
        print("  first depleted in: " + ", ".join(f"{int(y)}: {c / n * 100:.1f}%" for y, c in zip(dep_years, counts)))
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

    netcdf_ready(ds).to_netcdf(outs.stage(nc), engine="netcdf4")
    if pngs:
        from sibrisk.plots import depletion_chart, fan_chart

        floored = with_financing_gap(shown)  # readable axes: no balance running to minus millions
        fan_chart(floored, "fund_balance_floored", outs.stage(pngs[0]))
        fan_chart(floored, "balance_months_floored", outs.stage(pngs[1]))
        depletion_chart(shown, outs.stage(pngs[2]))
    print()
    for p in outs.commit():  # the netCDF and its charts move into place together
        print(f"wrote {p}")
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
    result = rebase(sc, actuals, region=args.region, size=args.size)
    print(f"scenario file: {Path(sc.source).resolve()}")
    print(result.report())
    _atomic_write(out, lambda p: p.write_text(rebased_file_text(result, sc.source), encoding="utf-8"))
    load_scenario(out)  # the file written loads
    print(f"wrote {out} (name it in a goal set's [scenario] base for the coming year)")
    return 0


def cmd_template(args) -> int:
    from sibrisk.templates import _fund, write_template

    _fund(args.fund)  # an unknown fund is refused before anything is computed
    fmt = args.format or ("csv" if args.out and Path(args.out).suffix.lower() == ".csv" else "xlsx")
    out = Path(args.out) if args.out else Path(f"{safe_name(args.fund)}_template.{fmt}")
    if out.exists() and not args.overwrite:
        raise SibriskError(f"{out} exists; choose another --out or pass --overwrite")
    write_template(args.fund, out, fmt=fmt)
    print(f"wrote {out}: fill the value column (money in 万元, persons in 人; the national base year is filled in "
          f"as an example), then: sibrisk region {out} --out region.toml")
    return 0


def cmd_region(args) -> int:
    from sibrisk.rebasing import rebased_file_text
    from sibrisk.scenario import load_scenario
    from sibrisk.templates import region_scenario_from_template

    if args.out and Path(args.out).exists() and not args.overwrite:
        raise SibriskError(f"{args.out} exists; choose another --out or pass --overwrite")
    result = region_scenario_from_template(args.template, base=args.base)
    sc = result.scenario
    out = Path(args.out) if args.out else Path(f"{safe_name(f'{result.region}_{sc.meta.fund}_{result.year}')}.toml")
    if out.exists() and not args.overwrite:
        raise SibriskError(f"{out} exists; choose another --out or pass --overwrite")
    print(f"template: {Path(args.template).resolve()}")
    print(f"scenario file: {Path(sc.source).resolve()}")
    for note in result.template["notes"]:
        print(note)
    print(result.report())
    made = f"# A pooling region's scenario made by `sibrisk region` from the template {Path(args.template).resolve()}"
    text = made + "\n" + rebased_file_text(result, sc.source)
    _atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
    load_scenario(out)  # the file written loads
    print(f"wrote {out} (sibrisk run {out})")
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
                         description="Move the scenario's base year to the year of the accounts (a quarterly or "
                                     "monthly execution of the whole year, or one row for the year: the final "
                                     "accounts); when the accounts are of a region of another size (a factor of 2 or "
                                     "more, or --region), scale every head count, amount and entrant flow to it; scale "
                                     "its initial state so that the projection of that year reproduces the actual balance, flows, "
                                     "contributors and beneficiaries; write a scenario file that extends the original "
                                     "and print what was adjusted and by how much.")
    reb.add_argument("scenario", help="scenario TOML file, or the name of a shipped scenario")
    reb.add_argument("--budget", required=True, help="the year's budget (CSV or xlsx; needs opening_balance)")
    reb.add_argument("--execution", required=True, help="the year's full execution (CSV or xlsx)")
    reb.add_argument("--region", help="the pooling region the accounts are of (meta.region); the region's size "
                                      "relative to the scenario is then measured from the accounts and every head "
                                      "count, amount and entrant flow scaled by it")
    reb.add_argument("--size", type=float, help="the region's size relative to the scenario, if known (e.g. its "
                                                "share of the province's contributors); default: measured")
    reb.add_argument("--out", help="the re-based scenario file to write (default: <scenario>_rebased_<year>.toml)")
    reb.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    reb.set_defaults(func=cmd_rebase)
    tpl = sub.add_parser("template", help="write the template a finance department fills for a pooling region",
                         description="Write an xlsx workbook (or one CSV) for FUND with Chinese and English headers "
                                     "and units: the year's final accounts (万元), head counts (人), the resident "
                                     "population (population-based funds), the region's name, year and average "
                                     "wage, pre-filled with the national scenario's base year as an example. "
                                     "`sibrisk region FILLED.xlsx` turns the filled template into a scenario.")
    tpl.add_argument("fund", help="the fund: enterprise_pension, public_sector_pension, employee_medical, "
                                  "resident_medical, resident_pension, unemployment, work_injury")
    tpl.add_argument("--out", help="file to write (default: <fund>_template.xlsx or .csv)")
    tpl.add_argument("--format", choices=("xlsx", "csv"), help="xlsx (default) or one CSV with a sheet column")
    tpl.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    tpl.set_defaults(func=cmd_template)
    reg = sub.add_parser("region", help="a pooling region's scenario file from a filled template",
                         description="Read a filled template (sibrisk template FUND), re-base the fund's national "
                                     "scenario (or --base) on its accounts, sized to the region, and write a "
                                     "scenario file that extends it; print what was adjusted and by how much.")
    reg.add_argument("template", help="the filled template (.xlsx or .csv)")
    reg.add_argument("--base", help="scenario to re-base (default: the fund's shipped national scenario)")
    reg.add_argument("--out", help="the scenario file to write (default: <region>_<fund>_<year>.toml)")
    reg.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    reg.set_defaults(func=cmd_region)
    sens = sub.add_parser("sensitivity", help="one-at-a-time sensitivity: depletion year, peak balance, balance months "
                                              "and subsidy at a horizon and actuarial balance for low and high values",
                          description="Move each --vary parameter to its low and its high value (one at a time), "
                                      "project, and report the depletion year, the peak balance, balance months and the "
                                      "fiscal subsidy at --horizon and the actuarial balance; writes a CSV table and a tornado chart.")
    sens.add_argument("scenario", nargs="?", help="scenario TOML file or shipped scenario name "
                                                  "(default: enterprise_pension_national)")
    sens.add_argument("--vary", action="append", required=True, metavar="PATH=LOW,HIGH",
                      help="dotted scenario path and two values, e.g. economy.interest_rate=0.015,0.035 (repeat)")
    sens.add_argument("--horizon", type=int, help="year of the balance months (default: the last projected year)")
    sens.add_argument("--metric", default="depletion_year",
                      choices=["depletion_year", "peak_balance", "balance_months_at_horizon", "actuarial_balance",
                               "fiscal_subsidy_at_horizon"],
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
    from sibrisk.batch import register as register_batch  # `sibrisk batch SPEC.toml` (dask, zarr: imported on use)

    register_batch(sub)
    try:  # monitoring and evaluation subcommands, when that part of the package is present
        has_performance = importlib.util.find_spec("sibrisk.performance.cli") is not None
    except ModuleNotFoundError:
        has_performance = False
    if has_performance:
        from sibrisk.performance import cli as perf_cli

        perf_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The ``sibrisk`` command (``argv`` None: the process's arguments) or one command line given as a list."""
    try:
        return _main(argv)
    finally:
        if argv is None:  # the `sibrisk` command: the process ends after this
            # Python's shutdown runs the cyclic garbage collector over every object still alive (0.3 s of each
            # `sibrisk run` with numpy, xarray and numba loaded); the process's memory is freed with it anyway, so
            # the collector is told to skip them. Never for a list of arguments (a caller's process goes on).
            gc.freeze()


def _main(argv: list[str] | None) -> int:
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
