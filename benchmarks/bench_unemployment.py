"""Unemployment-insurance kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

The ratio time_numpy_twin / time_numba_* is the speed-up; compare them within one ``asv run``.
"""

import numpy as np


def unemployment_inputs(n_scenarios: int, seed: int = 20221):
    """The shipped default scenario's inputs with per-scenario perturbed paths (shocks drawn outside the kernel)."""
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario("unemployment_national")
    one = fund_inputs(sc, 1)
    rng = np.random.default_rng(seed)
    shape = (n_scenarios, one.wage.shape[1])
    tile = lambda a: np.ascontiguousarray(np.broadcast_to(a, shape))  # noqa: E731
    one.pop = np.ascontiguousarray(np.broadcast_to(one.pop, (n_scenarios,) + one.pop.shape[1:]))
    one.wage = tile(one.wage) * np.exp(np.cumsum(rng.normal(0.0, 0.01, shape), axis=1))
    one.min_wage = tile(one.min_wage)
    one.collection = tile(one.collection)
    one.unemp = np.clip(tile(one.unemp) + rng.normal(0.0, 0.004, shape), 0.0, 1.0)
    one.rate = tile(one.rate) + rng.normal(0.0, 0.005, shape)
    return one


class UnemploymentKernel:
    params = ([100, 1000],)
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        from sibrisk.funds.unemployment.inputs import run_kernel

        self.inp = unemployment_inputs(n_scenarios)
        run_kernel(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, n_scenarios):
        from sibrisk.funds.unemployment.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, n_scenarios):
        from sibrisk.funds.unemployment.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, n_scenarios):
        from sibrisk.funds.unemployment.reference import project_reference

        project_reference(self.inp, keep_detail=False)
