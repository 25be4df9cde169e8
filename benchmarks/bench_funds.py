"""Every fund's kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

The inputs are each fund's default scenario with its own stochastic shocks (``[stochastic]``: economy and
mortality paths drawn outside the kernel, fixed seed), so the benchmark times the kernel on the shapes a stochastic
run gives it. The ratio ``time_numpy_twin / time_numba_*`` is the speed-up; compare them within one ``asv run``.
Cold start (import + first compilation) per fund in a fresh interpreter.

Enterprise pension kernel, measured (issue 12; one process pinned to 2 cores of the shared 2-core machine, best of
3-5, inputs ``fund_inputs(sc, n, seed=1, stochastic=True)`` built once, ``keep_detail=False``, default scenario: 85
ages x 2 sexes x 3 contribution-history bands; age-cells = scenarios x years x ages x 2 sexes):

| shape | kernel before issue 12 | blocked kernel (``LANES`` = 8) | ratio |
|---|---|---|---|
| 2,000 x 50, serial | 0.79 s (22 M cells/s) | 0.48 s (36 M cells/s) | 1.66x |
| 2,000 x 50, 2 threads | 0.40 s (43 M cells/s) | 0.23 s (73 M cells/s) | 1.71x |
| 10,000 x 75, serial | 6.1 s (21 M cells/s) | 3.7 s (34 M cells/s) | 1.66x |
| 10,000 x 75, 2 threads | 3.0 s (42 M cells/s) | 1.8 s (70 M cells/s) | 1.64x |

The NumPy twin (``reference.project_reference``) on 2,000 x 50: 21.2 s, i.e. 91x the blocked kernel on 2 threads
(45x serial; 53x for the kernel before). Results are bit-identical to the kernel before. Of the 1.65x, step by step
(each measured against the step before): one ``exp`` per scenario-year about 1.05x; fusing the year's passes and
hoisting per-year constants about 1.2x; running each cell's work over a block of 8 independent scenarios (the
state's innermost axis) about 1.2x; numba's ``error_model="numpy"`` (no divide-by-zero checks) about 1.15x. Not
reached: the issue's 250 M cells/s (3.5x more). The lane loops are not SIMD-vectorised (scalar ``vdivsd``/``vmulsd``
in the assembly; presumably LLVM fully unrolls the 8-lane loops and cannot prove the state arrays do not alias), and trading
divisions for reciprocals (about 5% faster) changes the rounding of average contribution years, which flips the
``years >= minimum`` test of cells exactly at the minimum and moves fund balances far beyond rounding, so it is not
done.
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
