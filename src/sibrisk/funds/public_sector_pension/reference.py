"""Plain-NumPy twin of the shared employee pension kernel (``sibrisk.funds.enterprise_pension.reference``), plus a
plain-Python twin of the transition folding in ``inputs.py``."""

from __future__ import annotations

from sibrisk.funds.enterprise_pension.reference import project_reference  # noqa: F401


def transition_coefficient_reference(year: int, regular: float, old_method: float, excess_share: float,
                                     end_year: int) -> float:
    """Effective transitional coefficient of a retirement in ``year``, written from the rule: in the transition the
    old-method pension is guaranteed (保低) and only ``excess_share`` of a higher new-method pension's excess is paid
    (限高); after it, the new method alone."""
    if year > end_year:
        return regular
    if regular <= old_method:
        return old_method
    return old_method + excess_share * (regular - old_method)
