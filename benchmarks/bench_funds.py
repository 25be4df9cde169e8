"""Every fund's kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

The inputs are each fund's default scenario with its own stochastic shocks (``[stochastic]``: economy and
mortality paths drawn outside the kernel, fixed seed), so the benchmark times the kernel on the shapes a stochastic
run gives it. The ratio ``time_numpy_twin / time_numba_*`` is the speed-up; compare them within one ``asv run``.
Cold start (import + first compilation) per fund in a fresh interpreter.

Enterprise pension kernel, measured (issue 12; the 2-core machine, idle, best of 3-5, inputs
``fund_kernel_inputs("enterprise_pension", n, years, seed=1)`` built once, ``keep_detail=False``, default scenario:
85 ages x 2 sexes x 3 contribution-history bands + retirees; age-cells = scenarios x years x ages x 2 sexes). Three
kernels: before issue 12 (b4a9d4b), the blocked scalar kernel (55cf26a: blocks of 8 scenarios, fused pass) and the
vectorised kernel (now); the last two run in one process on the same inputs (the old ``kernel.py`` imported as a module, both
run through ``run_scenario_loops``), the first in an earlier session:

| shape | before issue 12 | blocked (55cf26a) | vectorised (now) | now vs blocked |
|---|---|---|---|---|
| 2,000 x 50, serial | 0.79 s (22 M cells/s) | 0.45 s (38 M cells/s) | 0.120 s (142 M cells/s) | 3.8x |
| 2,000 x 50, 2 threads | 0.40 s (43 M cells/s) | 0.23 s (74 M cells/s) | 0.064 s (266 M cells/s) | 3.6x |
| 10,000 x 75, serial | 6.1 s (21 M cells/s) | 3.50 s (36 M cells/s) | 0.91 s (140 M cells/s) | 3.8x |
| 10,000 x 75, 2 threads | 3.0 s (42 M cells/s) | 1.80 s (71 M cells/s) | 0.50 s (257 M cells/s) | 3.6x |

The NumPy twin (``reference.project_reference``) on 2,000 x 50: 20.0 s, i.e. 310x the kernel on 2 threads (167x
serial). Results are bit-identical across the three kernels (``np.array_equal`` on the flows).

The blocked kernel (1.65x the one before): one ``exp`` per scenario-year (about 1.05x), one fused pass per year with
per-year constants hoisted (1.2x), each cell's work over a block of independent scenarios (1.2x), numba's
``error_model="numpy"`` (1.15x). Its lane loops were not SIMD-vectorised: LLVM could not prove the arrays distinct,
and below about 32 iterations the runtime overlap checks cost more than vectorising saves.

The vectorised kernel (3.6-3.8x the blocked one; steps measured one after the other, 10,000 x 75, 2 threads, under
load, so read the ratios):

- the year pass in its own function compiled with ``sibrisk._numba.jit_noalias`` (LLVM told that its arrays are
  distinct), lane loops branch-free, per-lane sums in flat rows, blocks of 32: 1.38x (blocks of 8, runtime lanes)
  -> 2.5x in all with arrays indexed in full instead of sliced (a view costs a reference count);
- empty cells skipped (no worker and no entrant in a band in any lane: ages past the latest retirement, about a
  third of cells; no retiree and no hazard: young ages, about a third): one thread 1.42 -> 1.09 s;
- one loop per band cell and one per age's end, inlined with literal flags, emptiness carried from year to year, the
  year pass without reference counting: one thread 2,000 x 50 0.222 -> 0.200 s.

Blocks of 16, 32, 48 and 64 scenarios: 32 is fastest on 2 threads (64 is as fast serially but its state, 3 MB a
thread, leaves the 1 MB L2 cache). Cost of the vectorised kernel: the first compile of the enterprise pension takes
about 10 s instead of 5 s (numba inlines the loop helpers, and LLVM optimises the year pass again inside the block and
loop functions); later runs load it from the disk cache. Not done: trading divisions for reciprocals (they change
the rounding of average contribution years, which flips the ``years >= minimum`` test of cells exactly at the
minimum).
"""

from importlib import import_module

FUNDS = ["enterprise_pension", "public_sector_pension", "resident_pension", "employee_medical", "resident_medical",
         "work_injury", "unemployment"]


def fund_kernel_inputs(fund_id: str, n_scenarios: int, years: int = 50, seed: int = 20221):
    """Kernel inputs of ``n_scenarios`` stochastic scenarios of the fund's default scenario over ``years`` years."""
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario(sibrisk.funds.get(fund_id).default_scenario).with_updates({"projection.years": years})
    return fund_inputs(sc, n_scenarios, seed=seed, stochastic=True)


def kernel_and_twin(fund_id: str):
    """(run_kernel, project_reference) of a fund: ``run_kernel(inputs, keep_detail, parallel)`` and its twin."""
    for name in ("inputs", "kernel"):
        mod = import_module(f"sibrisk.funds.{fund_id}.{name}")
        if hasattr(mod, "run_kernel"):
            run = mod.run_kernel
            break
    return run, import_module(f"sibrisk.funds.{fund_id}.reference").project_reference


class FundKernel:
    params = (FUNDS, [100, 1000])
    param_names = ["fund", "n_scenarios"]
    timeout = 900

    def setup(self, fund, n_scenarios):
        self.run, self.twin = kernel_and_twin(fund)
        self.inp = fund_kernel_inputs(fund, n_scenarios)
        self.run(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        self.run(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, fund, n_scenarios):
        self.run(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, fund, n_scenarios):
        self.run(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, fund, n_scenarios):
        self.twin(self.inp, keep_detail=False)


class FundColdStart:
    """Import plus first compilation of a fund's kernel, in a fresh interpreter."""
    params = (FUNDS,)
    param_names = ["fund"]

    def timeraw_import_and_first_projection(self, fund):
        return f"""
import sibrisk
sibrisk.project(sibrisk.load_scenario(sibrisk.funds.get({fund!r}).default_scenario), indicators=False)
"""
