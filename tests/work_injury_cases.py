"""Small kernel inputs for the work-injury tests: a hand-computed case and random cases."""

import numpy as np

from sibrisk.funds.work_injury.inputs import KernelInputs


def hand_case(**overrides) -> KernelInputs:
    """Two ages, two years, one scenario; only 16-year-old men are insured (1,000 of them). See the test for the
    arithmetic."""
    insured = np.zeros((1, 2, 2, 2))
    insured[0, :, 0, 0] = 1000.0
    d0 = np.zeros((4, 2, 2))
    d0[0, 0, 0] = 1.0
    b0 = np.zeros((4, 2, 2))
    b0[0, 0, 0] = 900.0
    grade = np.zeros(10)
    grade[0] = 0.1
    months = np.zeros(10)
    months[0] = 12.0
    args = dict(
        insured=insured, rel_risk=np.ones((2, 2)), incidence=np.array([0.01, 0.01]), grade_share=grade,
        death_share=0.1, d0=d0, b0=b0, l0=2.0, bl0=300.0, q_base=np.full((2, 2), 0.1), mort_b=np.zeros((2, 2)),
        kappa=np.zeros((1, 2)), excess=np.ones(4), retired=np.zeros((2, 2, 2)), wage=np.array([[1000.0, 1100.0]]),
        wage_prev=np.array([[1000.0, 1000.0]]), index=np.array([[0.0, 0.1]]), rate=np.zeros((1, 2)),
        collection=np.ones((1, 2)), death_lump=np.full((1, 2), 10000.0), contrib_rate=np.array([0.01, 0.01]),
        base_ratio=1.0, prevention_share=np.zeros(2), own_ratio=1.0, one_off_months=months,
        allowance_ratio=np.array([0.9, 0.85, 0.8, 0.75]), topup=0.0, care_ratio=np.zeros(4),
        medical_ratio=np.full(12, 0.1), separation_months=np.zeros(6), separation_share=0.0, funeral_months=6.0,
        survivor_ratio=0.5, dependants=1.0, survivor_exit=0.5, rule_on=False, thresholds=np.array([18.0, 24.0]),
        factors=np.array([0.8, 0.5]), opening0=100000.0, mid_year=False, sub_rule=0, sub_param=np.zeros(2),
        years=np.array([2021, 2022]), ages=np.array([16, 17]))
    args.update(overrides)
    return KernelInputs(**args)


def random_case(seed: int) -> KernelInputs:
    rng = np.random.default_rng(seed)
    n_s, n_t, n_a = int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(2, 7))
    u = rng.uniform
    grade = u(0, 0.08, 10)
    thresholds = np.sort(u(0, 30, 2))
    return KernelInputs(
        insured=u(0, 1e4, (n_s, n_t, n_a, 2)), rel_risk=u(0.2, 2, (n_a, 2)), incidence=u(0, 0.05, n_t),
        grade_share=grade, death_share=float(u(0, 0.1)), d0=u(0, 100, (4, n_a, 2)), b0=u(0, 1e4, (4, n_a, 2)),
        l0=float(u(0, 100)), bl0=float(u(0, 1e4)), q_base=u(0, 0.6, (n_a, 2)), mort_b=u(-0.05, 0, (n_a, 2)),
        kappa=u(0, 30, (n_s, n_t)), excess=u(1, 4, 4), retired=u(0, 1, (n_t, n_a, 2)),
        wage=u(1e3, 1e5, (n_s, n_t)), wage_prev=u(1e3, 1e5, (n_s, n_t)), index=u(-0.02, 0.1, (n_s, n_t)),
        rate=u(-0.02, 0.1, (n_s, n_t)), collection=u(0.5, 1, (n_s, n_t)), death_lump=u(0, 1e6, (n_s, n_t)),
        contrib_rate=u(0, 0.02, n_t), base_ratio=float(u(0.6, 3)), prevention_share=u(0, 0.03, n_t),
        own_ratio=float(u(0.6, 3)), one_off_months=u(0, 30, 10), allowance_ratio=u(0.5, 1, 4), topup=float(u()),
        care_ratio=u(0, 0.5, 4), medical_ratio=u(0, 5, 12), separation_months=u(0, 20, 6),
        separation_share=float(u()), funeral_months=float(u(0, 12)), survivor_ratio=float(u(0, 1)),
        dependants=float(u(0, 3)), survivor_exit=float(u(0, 0.3)), rule_on=bool(rng.integers(0, 2)),
        thresholds=thresholds, factors=u(0.3, 1, 2), opening0=float(u(-1e6, 1e7)), mid_year=bool(rng.integers(0, 2)),
        sub_rule=int(rng.integers(0, 4)), sub_param=u(0, 24, n_t), years=np.arange(2021, 2021 + n_t),
        ages=np.arange(16, 16 + n_a))
