"""Resident medical insurance kernel: numba (serial and parallel) against its plain-NumPy twin, same inputs, same run.

Inputs: the shipped default scenario's stochastic inputs (population, medical cost growth and interest shocks) for
a fixed seed. The ratio time_numpy_twin / time_numba_* is the speed-up; compare them within one ``asv run``.
"""


def resident_medical_inputs(n_scenarios: int, seed: int = 20241):
    import sibrisk
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario("resident_medical_national")
    return fund_inputs(sc, n_scenarios, seed=seed, stochastic=True)


class ResidentMedicalKernel:
    params = [100, 1000]
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        from sibrisk.funds.resident_medical.inputs import run_kernel

        self.inp = resident_medical_inputs(n_scenarios)
        run_kernel(self.inp, keep_detail=False, parallel=False)  # JIT warm-up, untimed
        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numba_serial(self, n_scenarios):
        from sibrisk.funds.resident_medical.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=False)

    def time_numba_parallel(self, n_scenarios):
        from sibrisk.funds.resident_medical.inputs import run_kernel

        run_kernel(self.inp, keep_detail=False, parallel=True)

    def time_numpy_twin(self, n_scenarios):
        from sibrisk.funds.resident_medical.reference import project_reference

        project_reference(self.inp, keep_detail=False)


class ResidentMedicalSimulate:
    """End to end: stochastic population, economy and kernel for 1,000 scenarios."""
    timeout = 600

    def setup(self):
        import sibrisk

        self.sc = sibrisk.load_scenario("resident_medical_national")
        sibrisk.simulate(self.sc, 10, seed=1, progress=False)  # JIT warm-up

    def time_simulate_1000(self):
        import sibrisk

        sibrisk.simulate(self.sc, 1000, seed=1, progress=False)
