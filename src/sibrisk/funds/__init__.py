"""The fund registry: one package per fund under ``sibrisk/funds/<fund id>/``, each exposing ``FUND``, an instance
of ``sibrisk.funds.base.Fund`` (its scenario model, inputs builder, kernel runner and output names).

Packages are discovered, not listed: adding a fund is adding a folder. ``common`` holds what several funds share
(the fund account roll-forward, statutory retirement rules) and is not a fund. The driver (``sibrisk.projection``),
the CLI, the indicators and the performance layer reach a fund only through ``get(fund_id)``.
"""

from __future__ import annotations

import pkgutil
from functools import lru_cache
from importlib import import_module

from sibrisk.errors import InputError

# The seven funds of the measures (财社〔2022〕65号 Art. 3), DOMAIN.md section 1: goal sets may name any of them.
FUND_IDS = ("enterprise_pension", "resident_pension", "public_sector_pension", "employee_medical",
            "resident_medical", "work_injury", "unemployment")
NOT_FUNDS = {"common", "base"}


def _folders() -> list[str]:
    """Fund packages present: folders under ``sibrisk/funds/`` with an ``__init__.py`` (not imported here)."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__)
                  if info.ispkg and info.name not in NOT_FUNDS and not info.name.startswith("_"))


@lru_cache(maxsize=None)
def _load(fund_id: str):
    module = import_module(f"{__name__}.{fund_id}")
    fund = getattr(module, "FUND", None)
    if fund is None or fund.id != fund_id:
        raise RuntimeError(f"sibrisk/funds/{fund_id}/__init__.py must define FUND, a sibrisk.funds.base.Fund whose id "
                           f"is {fund_id!r} (the folder's name)")
    return fund


def implemented() -> tuple[str, ...]:
    """Fund ids with a model (a package folder), in the order of ``FUND_IDS``."""
    found = _folders()
    return tuple(f for f in FUND_IDS if f in found) + tuple(f for f in found if f not in FUND_IDS)


def get(fund_id: str):
    """The ``Fund`` of ``fund_id`` (its package is imported on first use); ``InputError`` for an unknown or not yet
    modelled fund."""
    if fund_id in _folders():
        return _load(fund_id)
    if fund_id in FUND_IDS:
        raise InputError(f"fund not modelled yet; sibrisk models {', '.join(implemented())}", field="meta.fund",
                         value=fund_id)
    raise InputError(f"unknown fund; the seven funds are {', '.join(FUND_IDS)}", field="meta.fund", value=fund_id)


def list_funds():
    """One row per fund of the measures: id, names, whether it is modelled and its default scenario."""
    import pandas as pd

    rows = []
    modelled = implemented()
    for fid in modelled + tuple(f for f in FUND_IDS if f not in modelled):
        f = get(fid) if fid in modelled else None
        rows.append({"id": fid, "long_name": f.long_name if f else "", "long_name_zh": f.long_name_zh if f else "",
                     "modelled": f is not None, "default_scenario": f.default_scenario if f else ""})
    return pd.DataFrame(rows).set_index("id")
