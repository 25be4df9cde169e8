"""Projection kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

The ratio time_numpy_twin / time_numba_* is the speed-up; compare them within one ``asv run``.
"""

from benchmarks.common import kernel_inputs


class ProjectionKernel:
    params = ([1, 100], [30, 75])
    param_names = ["n_scenarios", "years"]
    timeout = 600

    def setup(self, n_scenarios, years):
        from sibrisk.funds.enterprise_pension.inputs import run_kernel

        self.inp = kernel_inputs(n_scenarios, years)
        run_kernel(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, n_scenarios, years):
        from sibrisk.funds.enterprise_pension.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, n_scenarios, years):
        from sibrisk.funds.enterprise_pension.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, n_scenarios, years):
        from sibrisk.funds.enterprise_pension.reference import project_reference

        project_reference(self.inp, keep_detail=False)


class ColdStart:
    """Import plus first compilation of the kernel (caching off), in a fresh interpreter."""

    def timeraw_import_and_first_projection(self):
        return """
import sibrisk
sibrisk.project(sibrisk.load_scenario("enterprise_pension_national"), indicators=False)
"""
