"""Running a fund's scenario loops: allocate the outputs, pick the serial or parallel loop, run."""

from __future__ import annotations

import numpy as np


def run_scenario_loops(kernel, args: tuple, n_scenarios: int, n_years: int, n_ages: int, *, keep_detail: bool = True,
                       parallel: bool | None = None):
    """Run ``kernel.project_serial`` or ``kernel.project_parallel`` (``sibrisk._numba.scenario_loops``) on
    ``args`` followed by the outputs ``flows`` (S, T, ``kernel.N_FLOWS``) and ``detail`` (S, T, A, 2[, N_DETAIL]),
    and ``keep_detail``. ``parallel`` defaults to parallel for more than one scenario. Returns ``(flows, detail or
    None)``; without ``keep_detail`` the kernel gets a small dummy detail array."""
    tail = (2, kernel.N_DETAIL) if hasattr(kernel, "N_DETAIL") else (2,)
    flows = np.zeros((n_scenarios, n_years, kernel.N_FLOWS))
    detail = np.zeros((n_scenarios, n_years, n_ages, *tail) if keep_detail else (1, 1, 1, *tail))
    if parallel is None:
        parallel = n_scenarios > 1
    (kernel.project_parallel if parallel else kernel.project_serial)(*args, flows, detail, keep_detail)
    return flows, (detail if keep_detail else None)
