"""Employee medical kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

Inputs: the shipped default scenario (50 years) with stochastic paths (population, wages, interest, collection,
medical cost growth) for 100 or 1,000 scenarios. The ratio time_numpy_twin / time_numba_* is the speed-up; compare
them within one ``asv run``.
"""


def _inputs(n_scenarios: int):
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario("employee_medical_national")
    return fund_inputs(sc, n_scenarios, seed=20221, stochastic=True)


class EmployeeMedicalKernel:
    params = [100, 1000]
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        from sibrisk.funds.employee_medical.inputs import run_kernel

        self.inp = _inputs(n_scenarios)
        run_kernel(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, n_scenarios):
        from sibrisk.funds.employee_medical.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, n_scenarios):
        from sibrisk.funds.employee_medical.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, n_scenarios):
        from sibrisk.funds.employee_medical.reference import project_reference

        project_reference(self.inp, keep_detail=False)


class EmployeeMedicalColdStart:
    """Import plus first compilation of the kernel (caching off), in a fresh interpreter."""

    def timeraw_import_and_first_projection(self):
        return """
import sibrisk
sibrisk.project(sibrisk.load_scenario("employee_medical_national"), indicators=False)
"""
