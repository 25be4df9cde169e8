"""Tiny kernel inputs built by hand (no scenario file), shared by kernel tests."""

import numpy as np

from sibrisk.funds.enterprise_pension.inputs import KernelInputs


def tiny(n_age=3, n_year=2, n_scen=1, **kw) -> KernelInputs:
    z = np.zeros((n_age, 2))
    base = dict(
        c0=z.copy(), r0=z.copy(), b0=z.copy(), y0=z.copy(), k0=z.copy(), q_base=z.copy(), mort_b=z.copy(),
        kappa=np.zeros((n_scen, n_year)), hazard=np.zeros((n_year, n_age, 2)), min_years=np.zeros(n_year),
        force_idx=n_age, entrants=np.zeros((n_year, n_age, 2)), base_ratio=np.ones((n_age, 2)),
        wage=np.full((n_scen, n_year), 100.0), index=np.zeros((n_scen, n_year)), rate=np.zeros((n_scen, n_year)),
        collection=np.ones((n_scen, n_year)), credit=np.zeros((n_scen, n_year)), contrib_rate=np.zeros(n_year),
        acct_rate=np.zeros(n_year), accrual=0.0, transitional=0.0, deemed=np.zeros((n_year, n_age)),
        months=np.full(n_age, 100.0), opening0=0.0, mid_year=False, rule=1, sub_param=np.zeros(n_year),
        years=np.arange(2000, 2000 + n_year), ages=np.arange(n_age))
    base.update(kw)
    return KernelInputs(**base)


def three_age_case() -> KernelInputs:
    """The hand-computed case of kernels/enterprise_pension.md (men only)."""
    inp = tiny()
    inp.c0[:, 0] = [100.0, 50.0, 0.0]
    inp.r0[:, 0] = [0.0, 0.0, 20.0]
    inp.b0[:, 0] = 1000.0
    inp.y0[:, 0] = [2.0, 10.0, 0.0]
    inp.k0[:, 0] = [100.0, 1000.0, 0.0]
    inp.q_base[:] = 0.1
    inp.hazard[1, :, 0] = [0.0, 0.5, 1.0]
    inp.min_years[1] = 5.0
    inp.force_idx = 2
    inp.entrants[1, 0, 0] = 30.0
    inp.wage[0] = [100.0, 110.0]
    inp.index[0] = [0.0, 0.05]
    inp.rate[0] = [0.04, 0.04]
    inp.credit[0] = [0.0, 0.1]
    inp.contrib_rate[:] = 0.2
    inp.acct_rate[:] = 0.08
    inp.accrual = 0.01
    inp.transitional = 0.012
    inp.deemed[1] = [0.0, 0.0, 4.0]
    inp.opening0 = 1000.0
    inp.sub_param[:] = 0.0
    return inp
