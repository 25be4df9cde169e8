"""Small kernel inputs for the employee medical tests: a case worked by hand and random small cases."""

import numpy as np

from sibrisk.funds.common.accounts import SUB_FIXED
from sibrisk.funds.employee_medical.inputs import KernelInputs


def hand_case() -> KernelInputs:
    """3 ages (the last open), 2 years, 1 scenario, both sexes identical; worked by hand in the test and in
    kernels/employee_medical.md. Year-end flows (no mid-year interest), rate 5%."""
    pop_sex = np.array([[100.0, 100.0, 50.0], [100.0, 90.0, 120.0]])  # (T, A) per sex
    pop = np.repeat(pop_sex[None, :, :, None], 2, axis=3)
    young = np.full((2, 3, 2), 0.6)
    retired = np.repeat(np.array([[0.0, 0.0, 1.0], [0.0, 0.5, 1.0]])[:, :, None], 2, axis=2)
    return KernelInputs(
        pop=pop, births=np.array([[10.0, 12.0]]), cov0=np.repeat(np.array([[0.5], [0.4], [0.2]]), 2, axis=1),
        young=young, lock_idx=1, retired=retired, curve=np.repeat(np.array([[1.0], [2.0], [4.0]]), 2, axis=1),
        retiree_factor=1.5, base_cost=100.0, utilisation=np.ones(2), cost_growth=np.array([[0.0, 0.1]]),
        wage=np.array([[1000.0, 1100.0]]), collection=np.ones((1, 2)), rate=np.full((1, 2), 0.05), base_ratio=1.0,
        contrib_rate=np.full(2, 0.1), acct_rate=np.full(2, 0.02), retiree_credit=np.full(2, 10.0),
        pooled_share=np.full(2, 0.6), maternity0=50.0, opening_pool0=10000.0, opening_acct0=1000.0, mid_year=False,
        rule=SUB_FIXED, sub_param=np.zeros(2), years=np.array([2024, 2025]), ages=np.array([16, 17, 18]))


def random_case(seed: int, n_s: int = 3, n_t: int = 6, n_a: int = 8, rule: int = SUB_FIXED,
                mid_year: bool = True) -> KernelInputs:
    rng = np.random.default_rng(seed)
    sub = {0: rng.uniform(0, 1e3, n_t), 1: rng.uniform(0, 0.2, n_t), 2: rng.uniform(0, 12, n_t),
           3: rng.uniform(0, 50, n_t)}[rule]
    return KernelInputs(
        pop=rng.uniform(0, 1e4, (n_s, n_t, n_a, 2)), births=rng.uniform(0, 500, (n_s, n_t)),
        cov0=rng.uniform(0, 1, (n_a, 2)), young=rng.uniform(0, 1, (n_t, n_a, 2)), lock_idx=int(rng.integers(1, n_a)),
        retired=rng.uniform(0, 1, (n_t, n_a, 2)), curve=rng.uniform(0.2, 5, (n_a, 2)),
        retiree_factor=float(rng.uniform(1, 2)), base_cost=float(rng.uniform(100, 1000)),
        utilisation=rng.uniform(0.8, 1.2, n_t), cost_growth=rng.uniform(-0.02, 0.1, (n_s, n_t)),
        wage=rng.uniform(5e3, 2e4, (n_s, n_t)), collection=rng.uniform(0.7, 1, (n_s, n_t)),
        rate=rng.uniform(0, 0.05, (n_s, n_t)), base_ratio=float(rng.uniform(0.6, 1.2)),
        contrib_rate=rng.uniform(0.05, 0.12, n_t), acct_rate=rng.uniform(0, 0.04, n_t),
        retiree_credit=rng.uniform(0, 200, n_t), pooled_share=rng.uniform(0.3, 0.9, n_t),
        maternity0=float(rng.uniform(0, 1e3)), opening_pool0=float(rng.uniform(-1e6, 1e7)),
        opening_acct0=float(rng.uniform(0, 1e6)), mid_year=mid_year, rule=rule, sub_param=sub,
        years=np.arange(2024, 2024 + n_t), ages=np.arange(16, 16 + n_a),
        # the rate adjustment rule on with a high floor in odd seeds (it fires), off in even ones
        adj_floor=(float(rng.uniform(6, 60)) if seed % 2 else -1.0), adj_step=0.005, adj_cap=0.012)
