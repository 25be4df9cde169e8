"""Numba options for every sibrisk kernel, in one place.

Kernels import ``jit`` (serial) and ``jit_parallel`` from here and never call ``numba.njit`` directly.

- Caching of compiled kernels to disk is opt-in: set ``SIBRISK_NUMBA_CACHE=1``.
- ``fastmath`` is off: no benchmark has shown it to matter, and results must match the NumPy reference.
- ``jit_parallel`` kernels use ``prange`` over scenarios only; under dask's threaded scheduler use the serial
  variant per chunk (numba's default threading layer is not safe for concurrent parallel calls).
"""

from __future__ import annotations

import os

import numba

CACHE: bool = os.environ.get("SIBRISK_NUMBA_CACHE", "0").strip().lower() in {"1", "true", "yes"}
FASTMATH: bool = False

prange = numba.prange


def jit(func=None, **overrides):
    """Serial nopython kernel with sibrisk's options."""
    options = dict(nogil=True, cache=CACHE, fastmath=FASTMATH)
    options.update(overrides)
    if func is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(func)


def jit_parallel(func=None, **overrides):
    """Parallel nopython kernel (``prange`` over scenarios) with sibrisk's options."""
    options = dict(nogil=True, cache=CACHE, fastmath=FASTMATH, parallel=True)
    options.update(overrides)
    if func is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(func)


def scenario_loops(project_one, count_from: int):
    """The serial and the parallel scenario loop over one per-scenario kernel, compiled from one definition.

    ``project_one(i, *args)`` projects scenario ``i`` and writes only its own slices of the output arrays;
    ``args[count_from]`` is an output array whose first dimension is the number of scenarios (e.g. ``-3`` when the
    arguments end with ``flows, detail, keep_detail``). Returns ``(serial, parallel)``, each called as
    ``loop(*args)``; the parallel one uses ``prange`` over scenarios only, so results do not depend on the thread
    count.

    The loops themselves are never cached on disk (``cache=False``): every loop is the same closure defined at one
    line, and numba's cache index would not tell the funds' loops apart; ``project_one`` keeps the module's caching.
    """
    def make(parallel: bool):
        loop = prange if parallel else range

        def project(*args):
            for i in loop(args[count_from].shape[0]):
                project_one(i, *args)

        return (jit_parallel if parallel else jit)(project, cache=False)

    return make(False), make(True)
