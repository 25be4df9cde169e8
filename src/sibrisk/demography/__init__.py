"""Demography shared by every fund: base life tables, mortality improvement (deterministic or stochastic), the
Lee-Carter model, and the cohort-component population projection from which funds derive their insured by coverage.

Everything here produces plain arrays or DataArrays of inputs; nothing here calls a fund's kernel.
"""

from __future__ import annotations

from sibrisk.demography.lifetable import qx, table_columns
from sibrisk.demography.mortality import LeeCarterFit, fit_lee_carter, load_lee_carter, read_hmd_panel
from sibrisk.demography.paths import MortalityPaths, mortality_paths
from sibrisk.demography.population import PopulationPaths, PopulationSpec, population_paths

__all__ = ["qx", "table_columns", "LeeCarterFit", "fit_lee_carter", "load_lee_carter", "read_hmd_panel",
           "MortalityPaths", "mortality_paths", "PopulationPaths", "PopulationSpec", "population_paths"]
