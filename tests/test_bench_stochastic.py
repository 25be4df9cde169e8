"""The stochastic benchmarks run (no timing here): the stage split of ``simulate`` and the cold-start code."""

import numpy as np


def test_simulate_stages_run_and_reassemble_simulate():
    import sibrisk
    from benchmarks.bench_stochastic import ColdStart, SimulateStages

    b = SimulateStages()
    b.setup(20, 10)
    for name in dir(b):
        if name.startswith("time_"):
            getattr(b, name)(20, 10)
    # the stages are the pieces of simulate: the same fund balance for the same seed
    sim = sibrisk.simulate(b.sc, 20, seed=42, progress=False, indicators=False)
    np.testing.assert_array_equal(b.ds.fund_balance.values, sim.fund_balance.values)
    timeraw = [name for name in dir(ColdStart) if name.startswith("timeraw_")]
    assert {"timeraw_until_first_kernel", "timeraw_run_cached"} <= set(timeraw)
    for name in timeraw:
        compile(getattr(ColdStart(), name)(), "<timeraw>", "exec")
