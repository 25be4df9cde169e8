"""Kernel inputs of the public-sector pension: the employee pension inputs
(``sibrisk.funds.enterprise_pension.inputs.build_inputs``) with the 2014-2024 transition folded into the
transitional-pension term (contract: ``kernels/public_sector_pension.md``)."""

from __future__ import annotations

import numpy as np

from sibrisk.funds.enterprise_pension.inputs import KernelInputs
from sibrisk.funds.enterprise_pension.inputs import build_inputs as employee_inputs


def transition_coefficients(years: np.ndarray, regular: float, old_method: float, excess_share: np.ndarray,
                            end_year: int) -> np.ndarray:
    """(T,) effective transitional coefficient of those retiring in each year: 保低限高 up to ``end_year``
    (``c_old + share * max(0, c - c_old)``), the regular coefficient ``c`` after it."""
    in_transition = years <= end_year
    eff = old_method + excess_share * max(0.0, regular - old_method)
    return np.where(in_transition, eff, regular)


def fold_transition(inp: KernelInputs, coef: np.ndarray) -> KernelInputs:
    """The shared kernel takes one transitional coefficient and deemed years by (year, age): use the largest
    coefficient and scale each year's deemed years by coef[t] / largest (the kernel caps deemed years at service,
    which is never binding because deemed years are part of service), so the transitional pension of a retirement in
    year t is coef[t] x W x ratio x deemed."""
    top = float(coef.max())
    if top > 0.0:
        inp.deemed = np.ascontiguousarray(inp.deemed * (coef / top)[:, None])
    inp.transitional = top
    return inp


def build_inputs(sc, n_scenarios: int, *, economy: dict[str, np.ndarray], mortality) -> KernelInputs:
    inp = employee_inputs(sc, n_scenarios, economy=economy, mortality=mortality)
    tr = sc.transition
    coef = transition_coefficients(np.asarray(sc.years), sc.benefits.transitional_coefficient,
                                   tr.old_method_coefficient, sc.series("transition.excess_share"), tr.end_year)
    return fold_transition(inp, coef)
