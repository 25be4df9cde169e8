"""Fixed-seed inputs for the benchmarks: the shipped default scenario with perturbed economic paths per scenario."""

import numpy as np


def kernel_inputs(n_scenarios: int, years: int, seed: int = 20221):
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario("enterprise_pension_national").with_updates({"projection.years": years})
    base = fund_inputs(sc, n_scenarios)
    rng = np.random.default_rng(seed)
    # shocks drawn outside the kernel, as the stochastic runs will do
    base.rate = base.rate + rng.normal(0.0, 0.01, base.rate.shape)
    base.wage = base.wage * np.exp(np.cumsum(rng.normal(0.0, 0.01, base.wage.shape), axis=1))
    return base
