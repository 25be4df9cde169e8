"""sibrisk: how long a social insurance fund's money lasts, and how sure we can be of it.

Public API::

    import sibrisk
    scenario = sibrisk.load_scenario("scenarios/enterprise_pension_national.toml")
    ds = sibrisk.project(scenario)          # xarray.Dataset over year (and year, age, sex)
    sibrisk.indicators.balance_months(ds.fund_balance, ds.benefit_expenditure)
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "load_scenario": ("sibrisk.scenario", "load_scenario"),
    "Scenario": ("sibrisk.scenario", "Scenario"),
    "project": ("sibrisk.projection", "project"),
    "simulate": ("sibrisk.stochastic", "simulate"),
    "province_total": ("sibrisk.regions", "province_total"),
    "rebase": ("sibrisk.rebasing", "rebase"),
    "write_template": ("sibrisk.templates", "write_template"),
    "read_template": ("sibrisk.templates", "read_template"),
    "region_scenario_from_template": ("sibrisk.templates", "region_scenario_from_template"),
    "InputError": ("sibrisk.errors", "InputError"),
    "sensitivity": ("sibrisk.sensitivity", "sensitivity"),
    "sensitivity_tornado": ("sibrisk.sensitivity", "tornado_chart"),
    "solve": ("sibrisk.solver", "solve"),
}
_SUBMODULES = {"indicators", "scenario", "projection", "errors", "units", "demography", "economy", "funds",
               "regions", "performance", "plots", "cli", "stochastic", "random", "solver", "batch", "templates"}

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        value = import_module(f"sibrisk.{name}")
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sibrisk' has no attribute {name!r}")


def __dir__():
    return __all__
