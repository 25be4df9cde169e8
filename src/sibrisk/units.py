"""Units: money is held in yuan and people in persons; reports show 亿元 and 万人.

``YI`` (亿 = 1e8) and ``WAN`` (万 = 1e4) convert for display only.
"""

from __future__ import annotations

YI = 1e8  # 亿
WAN = 1e4  # 万
