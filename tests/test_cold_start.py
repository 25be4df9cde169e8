"""Cold start (issue 12): ``import sibrisk`` imports no library, and a second ``sibrisk run`` reaches its fund's kernel
without importing what projecting does not need (charts, dask, scipy's sparse and optimisation modules, statsmodels,
zarr, openpyxl, tqdm) and without numba's registry refresh (only compiling needs it). Seconds are measured by the
asv benchmark ``benchmarks/bench_stochastic.py:ColdStart``, never here."""

import json
import subprocess
import sys

# imported on use only: none of them is needed to project (a chart, a batch, a fit, an xlsx, a progress bar)
NOT_BEFORE_PROJECTING = ["matplotlib", "dask", "dask.array", "distributed", "scipy.sparse", "scipy.optimize",
                         "scipy.stats", "statsmodels", "zarr", "openpyxl", "tqdm"]

IMPORT_ONLY = r"""
import json, sys
import sibrisk
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {MODULES})))
"""

# the real command line; the modules are listed at the moment the fund's kernel returns (cached kernel, 1 scenario)
UNTIL_KERNEL = r"""
import contextlib, io, json, sys
import sibrisk.projection as P

seen = {}
fund_inputs = P.fund_inputs


def run_fund(sc, n=1, *, seed=0, start=0, stochastic=False, keep_detail=True, parallel=False):
    run = sc.fund.run(fund_inputs(sc, n, seed=seed, start=start, stochastic=stochastic), keep_detail=keep_detail,
                      parallel=parallel)
    seen.setdefault("modules", sorted(sys.modules))
    return run


P.run_fund = run_fund
from sibrisk.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["run", "--no-plot", "--out", sys.argv[1]])
print(json.dumps({"code": code, "modules": seen["modules"]}))
"""


def _json(script, *args):
    out = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_sibrisk_imports_no_library():
    heavy = {"numpy", "pandas", "xarray", "numba", "scipy", "pydantic", "netCDF4", *NOT_BEFORE_PROJECTING}
    assert _json(IMPORT_ONLY.replace("{MODULES}", repr(heavy))) == []


def test_second_run_reaches_the_kernel_without_what_projecting_does_not_need(tmp_path):
    first = _json(UNTIL_KERNEL, tmp_path)  # compiles the kernel if this session's cache lacks it, writes the .nc
    assert first["code"] == 0 and list(tmp_path.glob("*.nc"))
    second = _json(UNTIL_KERNEL, tmp_path)  # the output exists: its check reads one attribute, decodes nothing
    assert second["code"] == 0
    modules = set(second["modules"])
    assert "numba" in modules and "xarray" in modules  # what projecting needs is there
    assert sorted(m for m in NOT_BEFORE_PROJECTING if m in modules) == []
    assert "numba.np.arraymath" not in modules  # the cached kernel loaded without numba's registry refresh
    # only the run's fund is imported (and so only its kernels can load): no other fund's package
    other_funds = {m.split(".")[2] for m in modules if m.startswith("sibrisk.funds.")} - {"base", "common",
                                                                                         "enterprise_pension"}
    assert other_funds == set()


def test_use_file_backend_sets_agg_without_importing_matplotlib():
    script = ("import json, os, sys\n"
              "os.environ['MPLBACKEND'] = 'TkAgg'\n"
              "from sibrisk.cli import use_file_backend\n"
              "use_file_backend()\n"
              "before = 'matplotlib' in sys.modules\n"
              "import matplotlib\n"
              "print(json.dumps([before, matplotlib.get_backend().lower()]))")
    assert _json(script) == [False, "agg"]
