"""Public-sector pension: the shared employee pension kernel (numba, serial and parallel) against its plain-NumPy
twin, on the public-sector default scenario's inputs (transition folded in), same inputs, same run.

The ratio time_numpy_twin / time_numba_* is the speed-up; compare them within one ``asv run``.
"""

import numpy as np


def public_sector_inputs(n_scenarios: int, seed: int = 20221):
    """The shipped default scenario's inputs for ``n_scenarios`` with perturbed wage and interest paths (shocks drawn
    outside the kernel, fixed seed)."""
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario("public_sector_pension_national")
    inp = fund_inputs(sc, n_scenarios)
    rng = np.random.default_rng(seed)
    inp.rate = inp.rate + rng.normal(0.0, 0.01, inp.rate.shape)
    inp.wage = inp.wage * np.exp(np.cumsum(rng.normal(0.0, 0.01, inp.wage.shape), axis=1))
    return inp


class PublicSectorPensionKernel:
    params = ([100, 1000],)
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        from sibrisk.funds.public_sector_pension.kernel import run_kernel

        self.inp = public_sector_inputs(n_scenarios)
        run_kernel(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, n_scenarios):
        from sibrisk.funds.public_sector_pension.kernel import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, n_scenarios):
        from sibrisk.funds.public_sector_pension.kernel import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, n_scenarios):
        from sibrisk.funds.public_sector_pension.reference import project_reference

        project_reference(self.inp, keep_detail=False)
