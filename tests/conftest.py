from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "enterprise_pension_national.toml"


@pytest.fixture(scope="session")
def default_scenario():
    import sibrisk

    return sibrisk.load_scenario(DEFAULT)


@pytest.fixture(scope="session")
def default_projection(default_scenario):
    import sibrisk

    return sibrisk.project(default_scenario)


def pytest_configure(config):
    # compiled kernels cached in a fresh folder for this test session (never the user's cache): the tests do not
    # depend on what an earlier run left there, and the CLI and notebook subprocesses reuse this session's kernels
    import atexit
    import os
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="sibrisk-numba-cache-")
    os.environ["SIBRISK_NUMBA_CACHE_DIR"] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
