"""Units: money is held in yuan and people in persons; reports show 亿元 and 万人.

``YI`` (亿 = 1e8) and ``WAN`` (万 = 1e4) convert for display only.
"""

from __future__ import annotations

YUAN = "yuan"
PERSONS = "persons"
YI = 1e8  # 亿
WAN = 1e4  # 万

DISPLAY = {
    # stored units -> (display units, divisor)
    "yuan": ("亿元 (1e8 yuan)", YI),
    "persons": ("万人 (1e4 persons)", WAN),
    "yuan/year": ("yuan/year", 1.0),
    "months": ("months", 1.0),
    "1": ("%", 0.01),
    "year": ("year", 1.0),
}


def to_display(values, units: str):
    """Return ``(values / divisor, display_units)`` for a stored unit string."""
    label, div = DISPLAY.get(units, (units, 1.0))
    return values / div, label
