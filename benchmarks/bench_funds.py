"""Every fund's kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

The inputs are each fund's default scenario with its own stochastic shocks (``[stochastic]``: economy and
mortality paths drawn outside the kernel, fixed seed), so the benchmark times the kernel on the shapes a stochastic
run gives it. The ratio ``time_numpy_twin / time_numba_*`` is the speed-up; compare them within one ``asv run``.
Cold start (import + first compilation) per fund in a fresh interpreter.
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
