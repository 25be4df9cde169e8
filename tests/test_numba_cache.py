"""Compiled kernels cached on disk (``sibrisk._numba``): a second process loads them, the numbers do not change, an
unwritable cache folder or ``SIBRISK_NUMBA_CACHE=0`` only means compiling in memory, and any change to a package
source file makes the cache stale; loading a cached kernel skips numba's registry refresh (only compiling needs it).
Every test uses its own cache folder (never the user's)."""

import json
import os
import subprocess
import sys

from sibrisk import _numba

SCRIPT = r"""
import json
import sibrisk
from sibrisk.funds.resident_medical import kernel as k
sc = sibrisk.load_scenario("resident_medical_national")
det = sibrisk.project(sc, indicators=False).fund_balance.values.tolist()
sto = sibrisk.simulate(sc, 5, seed=2, progress=False, indicators=False).fund_balance.values.tolist()
stats = lambda d: [sum(d.stats.cache_hits.values()), sum(d.stats.cache_misses.values())]
import sys
registries = "numba.np.arraymath" in sys.modules  # numba's lowering registries, imported when something compiles
import numba, numpy as np
fresh = numba.njit(lambda a: np.cumsum(a) * 2)(np.arange(4.0)).tolist()  # compiling after a cached load works
print(json.dumps({"det": det, "sto": sto, "serial": stats(k.project_serial), "parallel": stats(k.project_parallel),
                  "cached": type(k.project_serial._cache).__name__, "registries": registries, "fresh": fresh}))
"""


def _run(cache_dir, **env):
    e = {k: v for k, v in os.environ.items() if k != "SIBRISK_NUMBA_CACHE"}
    e.update({"SIBRISK_NUMBA_CACHE_DIR": str(cache_dir), **env})
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=e, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_second_process_loads_the_kernels_and_gets_the_same_numbers(tmp_path):
    first = _run(tmp_path / "cache")
    assert first["cached"] == "_PackageCache"
    assert first["serial"][0] == 0 and first["parallel"][0] == 0  # nothing to load: compiled and saved
    saved = sorted(p.name for p in (tmp_path / "cache").rglob("*.nbi"))
    assert any("project_one_serial_loop" in n for n in saved) and any("parallel_loop" in n for n in saved)
    second = _run(tmp_path / "cache")
    assert second["serial"] == [1, 0] and second["parallel"] == [1, 0]  # loaded, not compiled
    assert second["det"] == first["det"] and second["sto"] == first["sto"]
    # loading skipped numba's registry refresh (0.25-0.3 s of every start); compiling afterwards still works
    assert first["registries"] and not second["registries"]
    assert first["fresh"] == second["fresh"] == [0.0, 2.0, 6.0, 12.0]
    # without a cache (switched off, or no writable folder) the same numbers, compiled in memory
    off = _run(tmp_path / "off", SIBRISK_NUMBA_CACHE="0")
    assert off["cached"] == "NullCache" and not (tmp_path / "off").exists()
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    unwritable = _run(blocker / "cache")
    assert unwritable["cached"] == "NullCache"
    assert off["det"] == first["det"] == unwritable["det"] and off["sto"] == first["sto"] == unwritable["sto"]


def test_source_stamp_changes_with_any_source_file(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "funds").mkdir(parents=True)
    (pkg / "_numba.py").write_text("x = 1\n")
    (pkg / "funds" / "accounts.py").write_text("def roll(): pass\n")
    (pkg / "data.csv").write_text("a,b\n")
    stamp = _numba.source_stamp.__wrapped__
    s0 = stamp(pkg)
    assert stamp(pkg) == s0
    (pkg / "data.csv").write_text("a,b,c\n")  # not source: same stamp
    assert stamp(pkg) == s0
    (pkg / "funds" / "accounts.py").write_text("def roll(): return 1\n")  # a shared kernel changed
    s1 = stamp(pkg)
    assert s1 != s0
    (pkg / "funds" / "new.py").write_text("")
    assert stamp(pkg) not in (s0, s1)


def test_each_funds_loops_have_their_own_cache_files_and_keys():
    from numba.core import types
    from numba.core.typing import signature

    from sibrisk.funds.enterprise_pension import kernel as ep
    from sibrisk.funds.resident_medical import kernel as rm

    caches = [_numba._PackageCache(k.project_serial.py_func) for k in (ep, rm)]
    assert caches[0].cache_path != caches[1].cache_path
    assert caches[0].cache_path.endswith("sibrisk.funds.enterprise_pension.kernel")
    sig = signature(types.none, types.float64[:])
    codegen = ep.project_serial.targetctx.codegen()
    assert caches[0]._index_key(sig, codegen) != caches[1]._index_key(sig, codegen)
    serial, parallel = (_numba._PackageCache(ep.project_serial.py_func),
                        _numba._PackageCache(ep.project_parallel.py_func))
    assert serial._index_key(sig, codegen) != parallel._index_key(sig, codegen)
    # the key is the same in every process (numba's own key pickles the closure, which differs between processes)
    assert serial._index_key(sig, codegen) == _numba._PackageCache(ep.project_serial.py_func)._index_key(sig, codegen)


def test_cache_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SIBRISK_NUMBA_CACHE_DIR", str(tmp_path / "a"))
    assert _numba.cache_root().parent == tmp_path / "a"
    monkeypatch.delenv("SIBRISK_NUMBA_CACHE_DIR")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "b"))
    assert _numba.cache_root().parent == tmp_path / "b" / "sibrisk"
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert str(_numba.cache_root()).startswith(str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CACHE_HOME", "")  # set but empty: the home folder's cache, never the working folder
    assert _numba.cache_root().is_absolute()
    assert _numba.PACKAGE_DIR not in _numba.cache_root().parents  # never inside the (possibly read-only) package
