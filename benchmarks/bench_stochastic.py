"""End-to-end stochastic runs: shocks drawn per scenario, chunked kernel, labelled Dataset with indicators."""


class Simulate:
    params = [1000, 10000]
    param_names = ["n_scenarios"]
    timeout = 600

    def setup(self, n_scenarios):
        import sibrisk

        self.scenario = sibrisk.load_scenario("enterprise_pension_national")
        sibrisk.simulate(self.scenario, 8, seed=1)  # JIT warm-up, untimed

    def time_simulate(self, n_scenarios):
        import sibrisk

        sibrisk.simulate(self.scenario, n_scenarios, seed=42)

    def peakmem_simulate(self, n_scenarios):
        import sibrisk

        sibrisk.simulate(self.scenario, n_scenarios, seed=42)
