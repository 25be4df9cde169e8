"""The benchmark code runs and its NumPy twin computes the same numbers as the numba kernels (no timing here)."""

import numpy as np
import pytest

from benchmarks.bench_funds import FUNDS, FundKernel, fund_kernel_inputs, kernel_and_twin
from benchmarks.common import kernel_inputs
from sibrisk.funds.enterprise_pension.reference import project_reference
from sibrisk.funds.enterprise_pension.inputs import run_kernel


def test_benchmark_inputs_numba_and_twin_agree():
    inp = kernel_inputs(3, 12)
    f_serial, _ = run_kernel(inp, keep_detail=False, parallel=False)
    f_par, _ = run_kernel(inp, keep_detail=False, parallel=True)
    f_twin, _ = project_reference(inp, keep_detail=False)
    np.testing.assert_array_equal(f_serial, f_par)
    np.testing.assert_allclose(f_serial, f_twin, rtol=1e-10)
    # the perturbed paths really differ between scenarios
    assert not np.allclose(f_serial[0, -1], f_serial[1, -1])


def test_benchmark_class_methods_run():
    from benchmarks.bench_projection import ProjectionKernel

    b = ProjectionKernel()
    b.setup(2, 5)
    b.time_numba_serial(2, 5)
    b.time_numba_parallel(2, 5)
    b.time_numpy_twin(2, 5)


@pytest.mark.parametrize("fund", FUNDS)
def test_every_fund_benchmark_runs_and_twin_agrees(fund):
    """The per-fund benchmark on 3 stochastic scenarios: numba serial == parallel, == the NumPy twin, and the shocks
    make the scenarios differ."""
    run, twin = kernel_and_twin(fund)
    inp = fund_kernel_inputs(fund, 3, years=12)
    f_serial, _ = run(inp, keep_detail=False, parallel=False)
    f_par, _ = run(inp, keep_detail=False, parallel=True)
    f_twin, _ = twin(inp, keep_detail=False)
    np.testing.assert_array_equal(f_serial, f_par)
    np.testing.assert_allclose(f_serial, f_twin, rtol=1e-9, atol=1e-6)
    assert not np.allclose(f_serial[0, -1], f_serial[1, -1])
    b = FundKernel()
    b.setup(fund, 2)
    b.time_numba_serial(fund, 2)
    b.time_numba_parallel(fund, 2)
    b.time_numpy_twin(fund, 2)


def test_thread_scaling_benchmark_runs_and_restores_the_thread_count():
    import numba

    from benchmarks.bench_stochastic import ThreadScaling

    before = numba.get_num_threads()
    b = ThreadScaling()
    b.setup(1, 4)
    assert numba.get_num_threads() == 1
    b.time_simulate(1, 4)
    b.time_kernel_parallel(1, 4)
    b.teardown(1, 4)
    assert numba.get_num_threads() == before
