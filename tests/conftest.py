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
