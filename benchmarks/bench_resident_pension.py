"""Resident pension kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

The ratio time_numpy_twin / time_numba_* is the speed-up; compare them within one ``asv run``.
"""

import numpy as np


def resident_inputs(n_scenarios: int, years: int = 50, seed: int = 20221):
    """The shipped default scenario's inputs with perturbed economic paths and mortality per scenario (fixed seed)."""
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario("resident_pension_national").with_updates({"projection.years": years})
    base = fund_inputs(sc, 1)
    rng = np.random.default_rng(seed)
    reps = lambda a: np.ascontiguousarray(np.repeat(a, n_scenarios, axis=0))  # noqa: E731
    base.pop = reps(base.pop)
    base.kappa = reps(base.kappa) + np.cumsum(rng.normal(0.0, 1.0, (n_scenarios, years)), axis=1)
    base.rate = reps(base.rate) + rng.normal(0.0, 0.01, (n_scenarios, years))
    base.credit = reps(base.credit) + rng.normal(0.0, 0.01, (n_scenarios, years))
    base.basic = reps(base.basic) * np.exp(np.cumsum(rng.normal(0.0, 0.01, (n_scenarios, years)), axis=1))
    return base


class ResidentPensionKernel:
    params = ([100, 1000],)
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        from sibrisk.funds.resident_pension.inputs import run_kernel

        self.inp = resident_inputs(n_scenarios)
        run_kernel(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, n_scenarios):
        from sibrisk.funds.resident_pension.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, n_scenarios):
        from sibrisk.funds.resident_pension.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, n_scenarios):
        from sibrisk.funds.resident_pension.reference import project_reference

        project_reference(self.inp, keep_detail=False)


class ResidentPensionColdStart:
    """Import plus first compilation of the kernel, in a fresh interpreter."""

    def timeraw_import_and_first_projection(self):
        return """
import sibrisk
sibrisk.project(sibrisk.load_scenario("resident_pension_national"), indicators=False)
"""
