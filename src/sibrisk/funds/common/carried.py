"""What a fund's ``[initial]`` needs to carry a projection's state into a later base year (``sibrisk.rebase`` with
``Fund.carried_state_updates``): the exposure ratio of a base-year flow and the check of a carried stock's arrays."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

# a base-year flow paid on its year-end stock times this (1: a base-year calibration; a re-based scenario carries
# the projection's mid-year exposure over its year-end stock: a stock grows or falls by far less than 50% a year)
Exposure = Annotated[float, Field(ge=0.5, le=1.5)]


def check_stock_arrays(state, names, shape: tuple[int, ...], dims: str, unit: str = "") -> None:
    """Each array ``state.<name>`` of ``names`` has ``shape`` (``dims`` says what its axes are, e.g. "85 ages x 2
    sexes") and is finite and >= 0, else ``ValueError`` naming ``initial.state.<name>`` (pydantic adds the file)."""
    for name in names:
        x = np.asarray(getattr(state, name), dtype=float)
        if x.shape != shape:
            raise ValueError(f"initial.state.{name} must be {dims}, got shape {x.shape}")
        if not np.all(np.isfinite(x)) or np.any(x < 0):
            raise ValueError(f"initial.state.{name} must be finite and >= 0" + (f" ({unit})" if unit else ""))


def exposure_ratio(actual: float, year_end: float) -> float:
    """What a base-year flow paid over what its year-end stock would pay (an ``Exposure``; 1 for an empty stock)."""
    return float(actual / year_end) if year_end > 0 else 1.0


def inputs_to_year(sc, year: int):
    """The fund's kernel inputs (one scenario) of ``sc`` projected to the end of ``year``, whose last year is the one
    a later base year continues; None when ``year`` is not after ``sc``'s base year (nothing to carry)."""
    from sibrisk.projection import fund_inputs

    base = sc.projection.base_year
    if year <= base:
        return None
    return fund_inputs(sc.with_updates({"projection.years": year - base + 1}), 1)
