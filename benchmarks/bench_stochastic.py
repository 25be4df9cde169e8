"""End-to-end stochastic runs: shocks drawn per scenario, chunked kernel, labelled Dataset with indicators.

Where the time of ``sibrisk.simulate`` goes (issue 12). Enterprise pension default scenario with ``projection.years``
set to 75, 10,000 scenarios (chunks of 1,000, parallel kernel, 2 threads), seed 42; timers patched around each stage
of one ``simulate`` call, minimum of 4 calls, before (commit 3255ae6) and after the changes of issue 12a, run one
after the other in the same session on the 2-core machine (other jobs running: compare the ratios, not the seconds;
``SimulateStages`` below times the same stages under asv).

===================================  ==========  ==========  =====================================================
stage (10 chunks)                    before, s   after, s    what changed
===================================  ==========  ==========  =====================================================
economic draws (VAR/AR shocks)       0.264       0.166       one Philox generator per block of 256 scenarios
                                                             instead of a SeedSequence + generator per scenario
mortality draws (random walk)        0.125       0.019       the same
``build_inputs``                     0.249       0.025       ``retirement_hazard`` vectorised (was a Python loop
                                                             over years x ages x groups, rerun for every chunk)
kernel (``fund.run``)                4.693       4.645       unchanged (issue 10 changes it; then its turn)
joining chunks (``concat_runs``)     0.091       0.074
``to_dataset``                       0.009       0.009
``add_indicators``                   0.167       0.057       no copies of the inputs; discount factors and present
                                                             values built once for both valuation indicators
**outside the kernel**               **1.279**   **0.578**   ratio 0.45
**whole call**                       **6.029**   **5.385**   ratio 0.89
===================================  ==========  ==========  =====================================================

A second pair of runs in the same session (heavier load) gave outside-the-kernel 1.734 -> 0.592 s (ratio 0.34).
Funds with a population (resident pension, 10,000 x 50, two pairs of runs): the population projection, rebuilt for
every chunk because mortality is stochastic, 1.13-1.32 s -> 0.32-0.47 s (compiled year loop), mortality draws
0.22-0.28 -> 0.03 s; outside the kernel 2.25-2.64 s -> 1.21-1.41 s (ratio 0.46-0.54), whole call 3.17-4.06 s ->
2.39-2.68 s; what remains there is mostly the fund's own copies of the population slices in ``build_inputs``.
2,000 scenarios x 50 years: outside the kernel 0.299 -> 0.143 s, whole call 1.210 -> 1.078 s. The kernel is now
~90% of the call: the 2 s goal for 10,000 x 75 needs the kernel at about 1.4 s on this machine.

With the vectorised enterprise kernel (``bench_funds`` says how), 10,000 x 75, idle, best of 4, one after the other:
the whole ``simulate`` call 2.02 s (55cf26a) -> 0.74 s (goal 2 s). The stages of one 10,000-scenario chunk now
(``SimulateStages``, best of 4): economic draws 0.068 s, mortality draws 0.013 s, ``build_inputs`` 0.003 s, kernel
0.499 s, ``to_dataset`` 0.016 s, ``add_indicators`` 0.115 s: the kernel is two thirds of the call.

Cold start (``sibrisk run``, default scenario, no chart): 7.1 s before on every run (kernels compiled in each
process); then 7-9.8 s the first time (compile and save to the cache) and 1.6-2.3 s afterwards.

A second ``sibrisk run`` (issue 12c), best of 5 under load, commit 55cf26a and now one after the other: 1.65 -> 0.87 s
from process start to the first kernel call returned, 2.38 -> 1.28 s for the whole command; the first run (fresh
cache) 7.4 -> 6.5 s. What went, measured with ``python -X importtime`` and cProfile:

===========================================  =======  ==============================================================
before projecting                            cut, s   how
===========================================  =======  ==============================================================
output check (``--out`` holds the last run)  0.4      one attribute read with netCDF4; ``xarray.open_dataset``
                                                      decoded every variable and imported dask.array and scipy.sparse
retirement hazard with options               0.3      vectorised over (year, age), bit for bit the loop it replaces
                                                      (``statutory._hazard_with_options_loop``, kept for the tests)
numba's registry refresh on the first load   0.25     skipped on a cache hit: a cached kernel needs only the numba
                                                      runtime initialised (``_numba._PackageCache.load_overload``)
matplotlib import (Agg backend)              0.1      ``MPLBACKEND=Agg`` instead, read when a chart imports it
===========================================  =======  ==============================================================

After projecting, the command now skips the cyclic garbage collection of Python's shutdown (``gc.freeze()`` when run
as ``sibrisk``: 0.3 s over every object numpy, xarray and numba left). What remains before projecting (0.87 s):
numpy, pandas and xarray 0.3 s, numba 0.15 s, sibrisk's own modules and pydantic models 0.1 s, ``scipy.special``
for one ``ndtr`` in the enterprise pension's inputs 0.06-0.12 s, the scenario and its inputs 0.1 s, loading the
cached kernel 0.05 s. ``sibrisk._numba.source_stamp`` (a hash of every source file, the cache's freshness) costs
4 ms and stays as it is. After projecting, xarray imports dask.array when it builds the first DataArray and
distributed when it writes netCDF (0.2-0.3 s each) whenever dask is installed: xarray's behaviour, not cut here.
``ColdStart.timeraw_until_first_kernel`` leaves the interpreter's shutdown out the same way.
"""

import tempfile
from pathlib import Path


class Simulate:
    params = [1000, 10000]
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        import sibrisk

        self.scenario = sibrisk.load_scenario("enterprise_pension_national")
        sibrisk.simulate(self.scenario, 8, seed=1)  # JIT warm-up, untimed

    def time_simulate(self, n_scenarios):
        import sibrisk

        sibrisk.simulate(self.scenario, n_scenarios, seed=42)

    def peakmem_simulate(self, n_scenarios):
        import sibrisk

        sibrisk.simulate(self.scenario, n_scenarios, seed=42)


class SimulateStages:
    """The stages of one ``simulate`` chunk of ``n_scenarios``, each timed alone (the split in the module docstring)."""

    params = ([2000, 10000], [50, 75])
    param_names = ["n_scenarios", "years"]
    timeout = 600

    def setup(self, n_scenarios, years):
        import sibrisk
        from sibrisk.demography import mortality_paths
        from sibrisk.economy import economic_paths
        from sibrisk.projection import to_dataset

        sc = sibrisk.load_scenario("enterprise_pension_national").with_updates({"projection.years": years})
        self.sc = sc
        self.economy = economic_paths(sc, n_scenarios, 42, 0, stochastic=True)
        self.mortality = mortality_paths(sc, sc.ages, n_scenarios, 42, 0, stochastic=True)
        self.inputs = sc.fund.build_inputs(sc, n_scenarios, economy=self.economy, mortality=self.mortality)
        self.run = sc.fund.run(self.inputs, keep_detail=False, parallel=True)  # also the JIT warm-up
        self.ds = to_dataset(sc, self.run, scenario_dim=True)

    def time_economic_draws(self, n_scenarios, years):
        from sibrisk.economy import economic_paths

        economic_paths(self.sc, n_scenarios, 42, 0, stochastic=True)

    def time_mortality_draws(self, n_scenarios, years):
        from sibrisk.demography import mortality_paths

        mortality_paths(self.sc, self.sc.ages, n_scenarios, 42, 0, stochastic=True)

    def time_build_inputs(self, n_scenarios, years):
        self.sc.fund.build_inputs(self.sc, n_scenarios, economy=self.economy, mortality=self.mortality)

    def time_kernel(self, n_scenarios, years):
        self.sc.fund.run(self.inputs, keep_detail=False, parallel=True)

    def time_to_dataset(self, n_scenarios, years):
        from sibrisk.projection import to_dataset

        to_dataset(self.sc, self.run, scenario_dim=True)

    def time_add_indicators(self, n_scenarios, years):
        from sibrisk.projection import add_indicators

        add_indicators(self.ds, self.sc)


class ColdStart:
    """A fresh process: ``import sibrisk``, and a deterministic projection with the kernels already in the disk cache
    (a second ``sibrisk run``). The first, compiling run is made in the untimed ``setup``.

    ``timeraw_until_first_kernel`` is what a second ``sibrisk run`` spends before projecting (issue 12: under 1 s):
    the command line, the scenario, its inputs and the first call of the fund's kernel (loaded from the cache; one
    scenario, so the call itself takes microseconds). ``timeraw_run_cached`` is the whole second ``sibrisk run``
    (default scenario, no chart, into a folder holding the first run's output), table and netCDF file included.
    """

    timeout = 600
    OUT = str(Path(tempfile.gettempdir()) / "sibrisk-asv-coldstart")

    def setup(self):
        import subprocess
        import sys

        subprocess.run([sys.executable, "-c", self.timeraw_run_cached()], check=True, stdout=subprocess.DEVNULL)

    def timeraw_import(self):
        return "import sibrisk"

    def timeraw_project_cached(self):
        return ("import sibrisk\n"
                "sibrisk.project(sibrisk.load_scenario('enterprise_pension_national'))")

    def timeraw_until_first_kernel(self):
        return ("from sibrisk.cli import build_parser, use_file_backend\n"
                "use_file_backend()\n"
                "build_parser()\n"
                "from sibrisk.projection import fund_inputs\n"
                "from sibrisk.scenario import load_scenario\n"
                "sc = load_scenario('enterprise_pension_national')\n"
                "sc.fund.run(fund_inputs(sc, 1), keep_detail=True, parallel=False)\n"
                "import gc\n"
                "gc.freeze()  # the interpreter's shutdown (0.3 s of garbage collection) is not start-up")

    def timeraw_run_cached(self):
        return ("import contextlib, io, sys\n"
                "from sibrisk.cli import main\n"
                f"sys.argv = ['sibrisk', 'run', '--no-plot', '--out', {self.OUT!r}]  # as the command\n"
                "with contextlib.redirect_stdout(io.StringIO()):\n"
                "    main()")


class ThreadScaling:
    """The whole ``simulate`` call and the kernel alone on 1 and 2 numba threads (issue 12: thread scaling shown).

    Results are bit-identical across thread counts (``tests/test_stochastic.py``); only the time changes.
    """
    params = ([1, 2], [2000])
    param_names = ["threads", "n_scenarios"]
    timeout = 600

    def setup(self, threads, n_scenarios):
        import numba

        import sibrisk
        from sibrisk.projection import fund_inputs
        from sibrisk.funds import get

        if threads > numba.config.NUMBA_NUM_THREADS:
            raise NotImplementedError(f"{threads} threads: this machine has {numba.config.NUMBA_NUM_THREADS}")
        self.scenario = sibrisk.load_scenario("enterprise_pension_national")
        sibrisk.simulate(self.scenario, 8, seed=1)  # JIT warm-up, untimed
        self.fund = get(self.scenario.meta.fund)
        self.inputs = fund_inputs(self.scenario, n_scenarios, seed=1, stochastic=True)
        self.previous = numba.get_num_threads()
        numba.set_num_threads(threads)

    def teardown(self, threads, n_scenarios):
        import numba

        numba.set_num_threads(self.previous)

    def time_simulate(self, threads, n_scenarios):
        import sibrisk

        sibrisk.simulate(self.scenario, n_scenarios, seed=42)

    def time_kernel_parallel(self, threads, n_scenarios):
        self.fund.run(self.inputs, keep_detail=False, parallel=True)
