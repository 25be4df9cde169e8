"""Work-injury kernel: numba (serial and parallel) against its plain-NumPy twin on the same inputs.

The ratio time_numpy_twin / time_numba_* is the speed-up; compare them within one ``asv run``.
"""

import numpy as np


def work_injury_inputs(n_scenarios: int, years: int = 50, seed: int = 20221):
    """The shipped default scenario with perturbed wage and interest paths per scenario (shocks drawn outside the
    kernel)."""
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario("work_injury_national").with_updates({"projection.years": years})
    inp = fund_inputs(sc, n_scenarios)
    rng = np.random.default_rng(seed)
    inp.rate = inp.rate + rng.normal(0.0, 0.01, inp.rate.shape)
    inp.wage = inp.wage * np.exp(np.cumsum(rng.normal(0.0, 0.01, inp.wage.shape), axis=1))
    return inp


class WorkInjuryKernel:
    params = ([100, 1000],)
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        from sibrisk.funds.work_injury.inputs import run_kernel

        self.inp = work_injury_inputs(n_scenarios)
        run_kernel(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, n_scenarios):
        from sibrisk.funds.work_injury.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, n_scenarios):
        from sibrisk.funds.work_injury.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, n_scenarios):
        from sibrisk.funds.work_injury.reference import project_reference

        project_reference(self.inp, keep_detail=False)


class WorkInjuryColdStart:
    """Import plus first compilation of the kernel, in a fresh interpreter."""

    def timeraw_import_and_first_projection(self):
        return """
import sibrisk
sibrisk.project(sibrisk.load_scenario("work_injury_national"), indicators=False)
"""
