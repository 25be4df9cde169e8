"""``sibrisk._numba.jit_noalias``: the kernels' array arguments marked ``noalias`` for LLVM (so short lane loops
vectorise without runtime overlap checks), with the numbers of plain ``jit``."""

import numpy as np

from sibrisk import _numba


def _axpy(x, y, out, a):
    for i in range(x.shape[0]):
        out[i] = a * x[i] + y[i] / 3.0


def test_jit_noalias_marks_the_array_arguments_and_keeps_the_numbers():
    assert _numba.NOALIAS_PIPELINE is not None  # this numba has the flag: the enterprise kernel gets it
    fast = _numba.jit_noalias(_axpy, cache=False)
    plain = _numba.jit(_axpy, cache=False)
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=37), rng.normal(size=37)
    out_fast, out_plain = np.empty(37), np.empty(37)
    fast(x, y, out_fast, 1.5)
    plain(x, y, out_plain, 1.5)
    np.testing.assert_array_equal(out_fast, out_plain)
    ir_fast = next(iter(fast.inspect_llvm().values()))
    ir_plain = next(iter(plain.inspect_llvm().values()))
    define = lambda ir: next(line for line in ir.splitlines() if line.startswith("define") and "_axpy" in line)  # noqa: E731
    assert "noalias" in define(ir_fast).split("excinfo", 1)[1]  # on the array arguments, not only numba's own two
    assert "noalias" not in define(ir_plain).split("excinfo", 1)[1]


def test_enterprise_kernel_year_pass_is_compiled_noalias():
    from sibrisk.funds.enterprise_pension import kernel as k

    assert k._age_pass._compiler.pipeline_class is _numba.NOALIAS_PIPELINE


def test_compile_notice_says_once_when_sibrisk_compiles():
    import io

    from numba.core import event

    out = io.StringIO()
    with _numba.announce_compiles(out):
        def other(x):
            return x + 1

        _numba.jit(other, cache=False)(1)  # not a sibrisk function: no notice
        assert out.getvalue() == ""

        def kernel_a(x):
            return x * 2.0

        def kernel_b(x):
            return x * 3.0

        for f in (kernel_a, kernel_b):
            f.__module__ = "sibrisk.funds.example"
        assert _numba.jit(kernel_a, cache=False)(2.0) == 4.0
        assert _numba.jit(kernel_b, cache=False)(2.0) == 6.0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sibrisk: compiling the projection kernels")
    assert not any(isinstance(lst, _numba._CompileNotice) for lst in event._registered.get("numba:compile", []))

    def kernel_c(x):  # after the block: nothing installed, nothing said
        return x - 1.0

    kernel_c.__module__ = "sibrisk.funds.example"
    closed = io.StringIO()
    closed.close()
    notice = _numba._CompileNotice(closed)  # a closed stream never breaks a compile
    with event.install_listener("numba:compile", notice):
        assert _numba.jit(kernel_c, cache=False)(2.0) == 1.0
    assert notice.said and out.getvalue().count("\n") == 1
