"""Numba options for every sibrisk kernel, in one place.

Kernels import ``jit`` (serial) and ``jit_parallel`` from here and never call ``numba.njit`` directly.

- Compiled kernels are cached on disk by default, so a second process loads them instead of compiling (about 5 s
  for the enterprise pension alone). ``SIBRISK_NUMBA_CACHE=0`` turns the cache off. The cache lives in
  ``SIBRISK_NUMBA_CACHE_DIR`` if set, else ``$NUMBA_CACHE_DIR/sibrisk`` if that is set, else the user cache folder
  (``~/.cache/sibrisk/numba`` on Linux), never inside the package, so it works when the package is installed
  read-only; one sub-folder per installed copy of the package. Where no folder is writable, kernels are compiled
  in memory as before.
- The cache is keyed by a hash of every ``.py`` file of the package (not only the kernel's own file, as numba's
  cache is): a kernel inlines the shared kernels it calls (``funds/common``), and a change to any of them must not
  load stale machine code. Editing any source file recompiles the kernels once.
- Loading a cached kernel skips numba's registry refresh (0.25-0.3 s at every start; only compiling needs it):
  ``_PackageCache.load_overload`` initialises the numba runtime, which the machine code needs, and nothing else.
- ``fastmath`` is off: no benchmark has shown it to matter, and results must match the NumPy reference.
- A kernel may pass ``error_model="numpy"`` as an override (the employee pension kernel does, about 1.15x faster):
  divisions then carry no zero check, so such a kernel divides only by counts it has checked to be positive,
  constants, or validated inputs.
- ``jit_noalias`` compiles a function whose array arguments the caller guarantees never overlap where one is
  written (numba's ``noalias`` flag, which numba sets itself for its parallel gufuncs, set here by a one-pass
  custom pipeline). LLVM then vectorises the function's loops over short rows without runtime overlap checks
  (whose cost made it keep the scalar loop below about 32 iterations). Where this numba has no such flag the
  function is compiled as plain ``jit``: same numbers, slower. ``refcounts=False`` also drops numba's reference
  counting in it (numba's private ``_nrt`` option, skipped where numba lacks it).
- ``jit_parallel`` kernels use ``prange`` over scenarios only; under dask's threaded scheduler use the serial
  variant per chunk (numba's default threading layer is not safe for concurrent parallel calls).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
from pathlib import Path

import numba
from numba.core import caching, cpu, event

FASTMATH: bool = False
PACKAGE_DIR = Path(__file__).resolve().parent

prange = numba.prange


def _cache_wanted() -> bool:
    return os.environ.get("SIBRISK_NUMBA_CACHE", "1").strip().lower() not in {"0", "false", "no", "off"}


def cache_root() -> Path:
    """The folder holding this copy of the package's compiled kernels (see the module docstring)."""
    if os.environ.get("SIBRISK_NUMBA_CACHE_DIR"):
        base = Path(os.environ["SIBRISK_NUMBA_CACHE_DIR"]).expanduser().absolute()
    elif os.environ.get("NUMBA_CACHE_DIR"):
        base = Path(os.environ["NUMBA_CACHE_DIR"]).expanduser().absolute() / "sibrisk"
    else:
        from numba.misc.appdirs import AppDirs

        base = Path(AppDirs(appname="sibrisk", appauthor=False).user_cache_dir) / "numba"
        if not base.is_absolute():  # XDG_CACHE_HOME set but empty or relative: ignored, as the XDG spec says
            base = Path.home() / ".cache" / "sibrisk" / "numba"
    # one sub-folder per installed copy (two checkouts never overwrite each other's kernels)
    return base / hashlib.sha1(str(PACKAGE_DIR).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def source_stamp(package_dir: Path = PACKAGE_DIR) -> str:
    """A hash of every ``.py`` file under ``package_dir`` (names and contents): the cached kernels' freshness."""
    h = hashlib.sha256(numba.__version__.encode())
    for path in sorted(Path(package_dir).rglob("*.py")):
        h.update(path.relative_to(package_dir).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


class _PackageLocator(caching._CacheLocator):
    """Cache files of a sibrisk function in ``cache_root()/<module>/``, fresh while no package source changed."""

    def __init__(self, py_func):
        self._lineno = py_func.__code__.co_firstlineno
        self._path = cache_root() / py_func.__module__

    def get_cache_path(self):
        return str(self._path)

    def get_source_stamp(self):
        return source_stamp()

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        self = cls(py_func)
        try:
            self.ensure_cache_path()
        except OSError:  # not writable (read-only home, a file in the way): no cache, compile in memory
            return None
        return self


class _PackageCacheImpl(caching.CompileResultCacheImpl):
    _locator_classes = [_PackageLocator]


def _closure_token(value):
    """What identifies a closure variable in the cache key: a jitted function by its module and name (its code is
    covered by the source stamp), anything else by its repr."""
    py_func = getattr(value, "py_func", None)
    if py_func is not None:
        return ("dispatcher", py_func.__module__, py_func.__qualname__)
    return ("value", repr(value))


class _PackageCache(caching.FunctionCache):
    """numba's function cache with the package locator, and closures keyed by what they hold (numba pickles closure
    contents into the key, and a pickled dispatcher differs between processes, so a closure never hit the cache)."""

    _impl_class = _PackageCacheImpl

    def _index_key(self, sig, codegen):
        code = self._py_func.__code__.co_code
        cells = tuple(_closure_token(c.cell_contents) for c in (self._py_func.__closure__ or ()))
        digest = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
        return (sig, codegen.magic_tuple(), (digest(code), digest(repr(cells).encode())))

    def load_overload(self, sig, target_context):
        """Load a cached kernel without ``target_context.refresh()``: the refresh imports and installs every typing
        and lowering registry of numba (0.25-0.3 s, once a process), which only compiling needs; loading machine code
        needs the numba runtime (NRT) initialised, the first thing the refresh does. A cache miss compiles as
        before, and numba's compiler refreshes the context itself."""
        try:
            from numba.core.runtime import rtsys

            rtsys.initialize(target_context)
        except Exception:  # a numba without this internal: the full refresh, as numba does
            target_context.refresh()
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)


def _compile(func, options: dict):
    cache = options.pop("cache", None)
    dispatcher = numba.njit(**options)(func)
    # only the package's own functions: the source stamp covers them and nothing else
    in_package = (func.__module__ or "").split(".")[0] == "sibrisk"
    if in_package and (cache if cache is not None else _cache_wanted()):
        try:
            dispatcher._cache = _PackageCache(dispatcher.py_func)  # what Dispatcher.enable_caching does
        except RuntimeError:  # no writable cache folder: compile in memory
            pass
    return dispatcher


def jit(func=None, **overrides):
    """Serial nopython kernel with sibrisk's options."""
    options = dict(nogil=True, fastmath=FASTMATH)
    options.update(overrides)
    if func is None:
        return lambda f: _compile(f, dict(options))
    return _compile(func, options)


def _noalias_pipeline():
    """A numba compiler class whose functions get LLVM ``noalias`` on their pointer arguments (``None`` where this
    numba lacks the pieces)."""
    try:
        from numba.core.compiler import Compiler, DefaultPassBuilder, Flags
        from numba.core.compiler_machinery import FunctionPass, register_pass
        from numba.core.typed_passes import NopythonTypeInference
    except ImportError:  # pragma: no cover - depends on numba internals
        return None
    if "noalias" not in getattr(Flags, "options", {}):  # pragma: no cover
        return None

    @register_pass(mutates_CFG=False, analysis_only=True)
    class _SetNoAlias(FunctionPass):
        _name = "sibrisk_set_noalias"

        def __init__(self):
            FunctionPass.__init__(self)

        def run_pass(self, state):
            state.flags.noalias = True
            return False

    class NoAliasCompiler(Compiler):
        def define_pipelines(self):
            pm = DefaultPassBuilder.define_nopython_pipeline(self.state)
            pm.add_pass_after(_SetNoAlias, NopythonTypeInference)
            pm.finalize()
            return [pm]

    return NoAliasCompiler


NOALIAS_PIPELINE = _noalias_pipeline()


# numba's (private) option to compile a function without reference counting, where this numba has it
_NO_REFCOUNTS = {"_nrt": False} if hasattr(cpu.CPUTargetOptions, "_nrt") else {}


def jit_noalias(func=None, *, refcounts: bool = True, **overrides):
    """Serial nopython kernel whose array arguments never overlap where one of them is written (the caller's
    promise; see the module docstring): LLVM vectorises its short loops without runtime overlap checks.
    ``refcounts=False`` compiles it without reference counting (numba's ``_nrt`` option, where this numba has it),
    for a function that allocates nothing and creates no array it returns: each array passed to an inlined helper
    otherwise costs an atomic increment and decrement."""
    options = dict(nogil=True, fastmath=FASTMATH)
    if NOALIAS_PIPELINE is not None:
        options["pipeline_class"] = NOALIAS_PIPELINE
    if not refcounts:
        options.update(_NO_REFCOUNTS)
    options.update(overrides)
    if func is None:
        return lambda f: _compile(f, dict(options))
    return _compile(func, options)


def jit_parallel(func=None, **overrides):
    """Parallel nopython kernel (``prange`` over scenarios) with sibrisk's options."""
    options = dict(nogil=True, fastmath=FASTMATH, parallel=True)
    options.update(overrides)
    if func is None:
        return lambda f: _compile(f, dict(options))
    return _compile(func, options)


def scenario_loops(project_one, count_from: int):
    """The serial and the parallel scenario loop over one per-scenario kernel, compiled from one definition.

    ``project_one(i, *args)`` projects scenario ``i`` and writes only its own slices of the output arrays;
    ``args[count_from]`` is an output array whose first dimension is the number of scenarios (e.g. ``-3`` when the
    arguments end with ``flows, detail, keep_detail``). Returns ``(serial, parallel)``, each called as
    ``loop(*args)``; the parallel one uses ``prange`` over scenarios only, so results do not depend on the thread
    count.

    Each fund's loops are cached on disk like its kernel: they are named after ``project_one`` and filed under its
    module, and the cache key names the kernel they call.
    """
    def make(parallel: bool):
        loop = prange if parallel else range

        def project(*args):
            for i in loop(args[count_from].shape[0]):
                project_one(i, *args)

        project.__module__ = project_one.__module__
        project.__qualname__ = f"{project_one.__qualname__}_{'parallel' if parallel else 'serial'}_loop"
        return (jit_parallel if parallel else jit)(project)

    return make(False), make(True)


class _CompileNotice(event.Listener):
    """A numba ``numba:compile`` listener: the first time a sibrisk function is compiled (a cache miss) while it is
    installed, one line to ``stream`` (``sys.stderr`` at that moment when None), so a first run does not sit silent
    while it compiles. A notice that cannot be written is dropped: it never stops a compile."""

    def __init__(self, stream=None):
        self.stream = stream
        self.said = False

    def on_start(self, ev):
        dispatcher = (ev.data or {}).get("dispatcher")
        module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
        if self.said or not module.startswith("sibrisk."):
            return
        self.said = True
        where = f"saved in {cache_root()}" if _cache_wanted() else "not saved: SIBRISK_NUMBA_CACHE=0"
        try:
            print(f"sibrisk: compiling the projection kernels for this machine (first run after installing or changing "
                  f"sibrisk; 10-20 s per fund on 2 cores; {where})", file=self.stream or sys.stderr, flush=True)
        except (OSError, ValueError):  # a closed or broken stream
            pass

    def on_end(self, ev):
        pass


@contextlib.contextmanager
def announce_compiles(stream=None):
    """While in the ``with`` block, say once on ``stream`` (stderr) when sibrisk kernels are being compiled instead
    of loaded from the disk cache (the CLI wraps a run in it). Yields the listener."""
    notice = _CompileNotice(stream)
    with event.install_listener("numba:compile", notice):
        yield notice
