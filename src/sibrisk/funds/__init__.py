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


@lru_cache(maxsize=1)
def _discovered() -> dict:
    out = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg or info.name in NOT_FUNDS or info.name.startswith("_"):
            continue
        module = import_module(f"{__name__}.{info.name}")
        fund = getattr(module, "FUND", None)
        if fund is None:
            continue
        if fund.id != info.name:
            raise RuntimeError(f"sibrisk/funds/{info.name}/ registers fund id {fund.id!r}; the folder must be named "
                               "after the fund id")
        out[fund.id] = fund
    return out


def implemented() -> tuple[str, ...]:
    """Fund ids with a model, in the order of ``FUND_IDS``."""
    found = _discovered()
    return tuple(f for f in FUND_IDS if f in found) + tuple(sorted(set(found) - set(FUND_IDS)))


def get(fund_id: str):
    """The ``Fund`` of ``fund_id``; ``InputError`` for an unknown or not yet modelled fund."""
    found = _discovered()
    if fund_id in found:
        return found[fund_id]
    if fund_id in FUND_IDS:
        raise InputError(f"fund not modelled yet; sibrisk models {', '.join(implemented())}", field="meta.fund",
                         value=fund_id)
    raise InputError(f"unknown fund; the seven funds are {', '.join(FUND_IDS)}", field="meta.fund", value=fund_id)


def list_funds():
    """One row per fund of the measures: id, names, whether it is modelled and its default scenario."""
    import pandas as pd

    found = _discovered()
    rows = []
    for fid in implemented() + tuple(f for f in FUND_IDS if f not in found):
        f = found.get(fid)
        rows.append({"id": fid, "long_name": f.long_name if f else "", "long_name_zh": f.long_name_zh if f else "",
                     "modelled": f is not None, "default_scenario": f.default_scenario if f else ""})
    return pd.DataFrame(rows).set_index("id")
