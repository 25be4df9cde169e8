"""The economy shared by every fund: wage growth, the fund's yield, the collection rate, price inflation,
unemployment and medical cost growth, deterministic (the scenario's series) or stochastic (shocks from fitted
VAR/ARIMA models or stated AR(1) assumptions, centred on those series).

``economic_paths`` gives each fund the same (scenario, year) paths; ``models`` holds the time-series models and the
published history they are fitted to.
"""

from __future__ import annotations

from sibrisk.economy.models import (VARIABLES, ShockModel, assumption_model, fit_arima, fit_var, historical_series,
                                    read_series, simulate_paths)
from sibrisk.economy.paths import economic_paths

__all__ = ["VARIABLES", "ShockModel", "assumption_model", "fit_arima", "fit_var", "historical_series", "read_series",
           "simulate_paths", "economic_paths"]
