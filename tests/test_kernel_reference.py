"""The numba kernel against its plain-NumPy twin on random small inputs (Hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from kernel_cases import tiny
from sibrisk.funds.enterprise_pension.reference import project_reference
from sibrisk.funds.enterprise_pension.inputs import run_kernel


@st.composite
def kernel_inputs(draw):
    n_age = draw(st.integers(2, 7))
    n_year = draw(st.integers(1, 5))
    n_scen = draw(st.integers(1, 3))
    n_band = draw(st.integers(1, 3))
    pos = st.floats(0.0, 1e4, allow_nan=False)
    frac = st.floats(0.0, 1.0, allow_nan=False)
    rate = st.floats(-0.05, 0.15, allow_nan=False)

    def arr(shape, elements):
        return draw(hnp.arrays(float, shape, elements=elements))

    band_share = arr((n_band,), st.floats(0.01, 1.0))
    return tiny(
        n_age=n_age, n_year=n_year, n_scen=n_scen,
        c0=arr((n_age, 2, n_band), pos), l0=arr((n_age, 2, n_band), pos), r0=arr((n_age, 2), pos),
        b0=arr((n_age, 2), pos), y0=arr((n_age, 2, n_band), st.floats(0, 40)), k0=arr((n_age, 2, n_band), pos),
        lapse=arr((n_year, n_age, 2, n_band), frac), resume=arr((n_year, n_age, 2, n_band), frac),
        ent_band=band_share / band_share.sum(), exit_share=draw(frac), q_base=arr((n_age, 2), st.floats(0, 0.6)), mort_b=arr((n_age, 2), st.floats(-0.05, 0.0)),
        kappa=arr((n_scen, n_year), st.floats(0, 30)), hazard=arr((n_year, n_age, 2), frac),
        min_years=arr((n_year,), st.floats(0, 20)), force_idx=draw(st.integers(0, n_age)),
        entrants=arr((n_year, n_age, 2), pos),
        base_ratio=arr(draw(st.sampled_from([(n_age, 2), (n_year, n_age, 2)])), st.floats(0.6, 3.0)),
        wage=arr((n_scen, n_year), st.floats(1.0, 1e5)), index=arr((n_scen, n_year), rate),
        rate=arr((n_scen, n_year), rate), collection=arr((n_scen, n_year), frac), credit=arr((n_scen, n_year), rate),
        contrib_rate=arr((n_year,), st.floats(0, 0.3)), acct_rate=arr((n_year,), st.floats(0, 0.1)),
        accrual=arr((n_year,), st.floats(0, 0.02)), transitional=draw(st.floats(0, 0.015)),
        deemed=arr((n_year, n_age), st.floats(0, 30)), months=arr((n_year, n_age), st.floats(50, 240)),
        pension_base=arr((n_year,), st.floats(0.5, 1.5)), inherit=arr((n_year,), frac),
        grant_months=arr((n_year,), st.floats(0, 24)),
        opening0=draw(st.floats(-1e6, 1e6)), mid_year=draw(st.booleans()), rule=draw(st.integers(0, 2)),
        sub_param=arr((n_year,), st.floats(0, 24)),
        q_ret_base=arr((n_age, 2), st.floats(0, 0.6)), ret_factor=arr((n_year,), st.floats(0.5, 2.0)),
        a0=arr((n_age, 2), pos), d0=arr((n_age, 2), st.floats(0.0, 2e3)), back_share=arr((n_year,), frac),
        back_max=arr((n_year,), st.floats(0, 20)), transfer_out=arr((n_year,), st.floats(0, 0.05)),
        transfer_in=arr((n_year,), st.floats(0, 0.2)),
    )


@settings(max_examples=60, deadline=None)
@given(kernel_inputs())
def test_kernel_matches_reference(inp):
    f_numba, d_numba = run_kernel(inp, parallel=False)
    f_ref, d_ref = project_reference(inp)
    # a closing balance near 0 is the difference of flows of up to ~1e10: its rounding error is that of the largest
    # flow of the scenario-year (the kernel and the twin sum in different orders), so the absolute tolerance scales
    # with it (1e-12 of it, ~4,500 ulp), on top of 1e-9 relative
    row = np.abs(f_ref).max(axis=-1, keepdims=True)
    np.testing.assert_array_less(np.abs(f_numba - f_ref), 1e-9 * np.abs(f_ref) + 1e-12 * row + 1e-6)
    np.testing.assert_allclose(d_numba, d_ref, rtol=1e-9, atol=1e-6)
    # retirees' remaining accounts are never negative (the pooled fund pays the account pension once spent)
    from sibrisk.funds.enterprise_pension import kernel as k

    assert np.all(d_numba[..., k.D_RETIREE_ACCOUNT] >= 0.0)


@settings(max_examples=15, deadline=None)
@given(kernel_inputs())
def test_parallel_equals_serial(inp):
    f_serial, d_serial = run_kernel(inp, parallel=False)
    f_par, d_par = run_kernel(inp, parallel=True)
    np.testing.assert_array_equal(f_serial, f_par)
    np.testing.assert_array_equal(d_serial, d_par)


@settings(max_examples=40, deadline=None)
@given(kernel_inputs())
def test_roll_forward_identity_closes(inp):
    from sibrisk.funds.enterprise_pension import kernel as k

    flows, _ = run_kernel(inp)
    lhs = (flows[..., k.F_OPENING] + flows[..., k.F_CONTRIB] + flows[..., k.F_SUBSIDY] + flows[..., k.F_INTEREST]
           + flows[..., k.F_TRANSFER_IN] - flows[..., k.F_TRANSFER_OUT]
           - flows[..., k.F_EXPEND] - flows[..., k.F_REFUND] - flows[..., k.F_DEATH_GRANTS])
    scale = np.maximum(1.0, np.abs(flows[..., [k.F_OPENING, k.F_CONTRIB, k.F_SUBSIDY, k.F_INTEREST, k.F_EXPEND,
                                               k.F_REFUND, k.F_DEATH_GRANTS, k.F_TRANSFER_IN,
                                               k.F_TRANSFER_OUT]]).max(axis=-1))
    assert np.all(np.abs(lhs - flows[..., k.F_CLOSING]) <= 1e-12 * scale)
    # each year opens with the previous year's closing balance
    np.testing.assert_array_equal(flows[:, 1:, k.F_OPENING], flows[:, :-1, k.F_CLOSING])


@settings(max_examples=40, deadline=None)
@given(kernel_inputs())
def test_people_are_conserved(inp):
    """Year-end insured (contributing + not contributing + retirees) = survivors of last year's insured + this year's
    entrants - those who left without a pension."""
    from sibrisk.funds.enterprise_pension import kernel as k

    flows, detail = run_kernel(inp)
    for i in range(flows.shape[0]):
        for t in range(1, flows.shape[1]):
            e = np.exp(inp.mort_b * inp.kappa[i, t])
            q = np.minimum(1.0, inp.q_base * e)
            q_ret = np.minimum(1.0, inp.q_ret_base * e * inp.ret_factor[t])
            before = detail[i, t - 1, ..., k.D_CONTRIB] + detail[i, t - 1, ..., k.D_LAPSED]
            expected = float(np.sum(before * (1 - q)) + np.sum(detail[i, t - 1, ..., k.D_RETIREES] * (1 - q_ret))
                             + inp.entrants[t].sum() - flows[i, t, k.F_EXITS])
            got = flows[i, t, k.F_CONTRIBUTORS] + flows[i, t, k.F_LAPSED] + flows[i, t, k.F_BENEFICIARIES]
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-6)


def test_scenario_blocks_do_not_mix():
    """The kernel runs scenarios in blocks of ``LANES`` (lanes innermost); a scenario's numbers are bit-identical
    whether it runs alone, in a partial block, or in a full block beside others, serial or parallel."""
    import sibrisk
    from sibrisk.funds.enterprise_pension import kernel as k
    from sibrisk.projection import fund_inputs

    sc = sibrisk.load_scenario(sibrisk.funds.get("enterprise_pension").default_scenario)
    n = 2 * k.LANES + 3
    inp = fund_inputs(sc.with_updates({"projection.years": 6}), n, seed=1, stochastic=True)
    f_all, d_all = run_kernel(inp, parallel=True)
    for lo, hi in ((0, 1), (k.LANES - 1, k.LANES + 2), (n - 2, n)):
        sub = fund_inputs(sc.with_updates({"projection.years": 6}), n, seed=1, stochastic=True)
        for name in ("wage", "index", "rate", "collection", "credit", "kappa"):
            setattr(sub, name, np.ascontiguousarray(getattr(inp, name)[lo:hi]))
        f_sub, d_sub = run_kernel(sub, parallel=False)
        assert np.array_equal(f_sub, f_all[lo:hi]) and np.array_equal(d_sub, d_all[lo:hi])
    assert np.unique(f_all[:, -1, k.F_CLOSING]).size == n  # the scenarios do differ
