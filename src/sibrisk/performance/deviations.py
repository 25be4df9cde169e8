"""Actual versus expected: each flow of the evaluated year against the projection made for it, split into a volume
effect (how many contributed or drew benefits) and a price effect (how much each paid or received).

The measures ask for deviations to be analysed with their causes (national Art. 18: 偏离绩效目标较大的，应分析并
说明原因); actuaries call this the analysis of experience. For a flow = volume x price:

    actual - expected = (V_actual - V_expected) x P_expected      volume effect
                      + V_actual x (P_actual - P_expected)        price effect

so the two effects add up to the gap exactly. Contribution income: volume = contributors, price = contribution per
contributor (wage x rate x collection); benefit expenditure: volume = beneficiaries, price = average benefit. Flows
without a volume (subsidies, interest, other income and expenditure), and flows whose actual count is not in the
execution data (columns ``contributors``, ``beneficiaries``), have only their total gap. A gap or an effect of at
least ``LARGE_GAP`` % of the expected amount is listed with the assumptions behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

LARGE_GAP = 5.0  # % of the expected amount
# flow: (volume variable, (zh, en) assumptions behind the volume, (zh, en) assumptions behind the price)
FLOWS = {
    "contribution_income": ("contributors", ("参保缴费人数：新参保、覆盖面、退休年龄", "contributors: entrants, coverage, retirement ages"),
                            ("人均缴费：工资增长、缴费基数比例、费率、征缴率",
                             "contribution per contributor: wage growth, contribution base ratio, rate, collection "
                             "rate")),
    "fiscal_subsidy": (None, None, ("财政补助规则", "the subsidy rule")),
    "interest_income": (None, None, ("基金收益率", "the fund's interest rate")),
    "other_income": (None, None, ("其他收入假设", "other income assumptions")),
    "benefit_expenditure": ("beneficiaries", ("待遇领取人数：退休年龄、死亡率、领取率",
                                              "beneficiaries: retirement ages, mortality, take-up"),
                            ("人均待遇：待遇调整、计发办法、费用增长",
                             "average benefit: indexation, benefit formula, cost growth")),
    "other_expenditure": (None, None, ("其他支出假设", "other expenditure assumptions")),
}
NAMES = {"contribution_income": ("保险费收入", "Contribution income"), "fiscal_subsidy": ("财政补助收入", "Fiscal subsidy"),
         "interest_income": ("利息收入", "Interest income"), "other_income": ("其他收入", "Other income"),
         "benefit_expenditure": ("待遇支出", "Benefit expenditure"), "other_expenditure": ("其他支出", "Other expenditure")}


@dataclass(frozen=True)
class Deviation:
    flow: str
    expected: float          # yuan
    actual: float            # yuan
    volume_effect: float | None
    price_effect: float | None
    volume_expected: float | None = None  # persons
    volume_actual: float | None = None

    @property
    def gap(self) -> float:
        return self.actual - self.expected

    @property
    def gap_percent(self) -> float:
        return 100.0 * self.gap / self.expected if self.expected else float("nan")

    def _big(self, x: float | None) -> bool:
        return x is not None and self.expected != 0 and abs(100.0 * x / self.expected) >= LARGE_GAP - 1e-9

    @property
    def large(self) -> bool:
        """The gap, or either effect, is at least ``LARGE_GAP`` % of the expected amount (two effects that offset
        each other are two assumptions missed)."""
        return self._big(self.gap) or self._big(self.volume_effect) or self._big(self.price_effect)

    def assumption(self, lang: str = "zh") -> str:
        """The assumptions behind the large effects (behind both where there is no split)."""
        _, vol, price = FLOWS[self.flow]
        i = 0 if lang == "zh" else 1
        sep = "；" if lang == "zh" else "; "
        if vol is None:
            return price[i]
        if self.volume_effect is None:
            return f"{vol[i]}{sep}{price[i]}"
        parts = [a[i] for a, x in ((vol, self.volume_effect), (price, self.price_effect)) if self._big(x)]
        return sep.join(parts) or (vol[i] if abs(self.volume_effect) >= abs(self.price_effect) else price[i])

    def name(self, lang: str = "zh") -> str:
        return NAMES[self.flow][0 if lang == "zh" else 1]


def split(flow: str, expected: float, actual: float, volume_expected: float | None = None,
          volume_actual: float | None = None) -> Deviation:
    """One flow's gap, split into volume and price effects where both volumes are known and positive."""
    if volume_expected and volume_actual and volume_expected > 0 and volume_actual > 0:
        p_exp, p_act = expected / volume_expected, actual / volume_actual
        return Deviation(flow, expected, actual, (volume_actual - volume_expected) * p_exp,
                         volume_actual * (p_act - p_exp), volume_expected, volume_actual)
    return Deviation(flow, expected, actual, None, None, volume_expected, volume_actual)


def actual_vs_expected(actual: dict[str, float], expected) -> list[Deviation]:
    """Each flow of ``actual`` (yuan; counts ``contributors`` and ``beneficiaries`` in persons where known) against
    ``expected``, the projection's row for the same year (a mapping or an ``xarray.Dataset`` row)."""
    out = []
    for flow, (vol, *_) in FLOWS.items():
        if flow not in actual or flow not in expected:
            continue
        exp = float(expected[flow])
        if exp == 0 and actual[flow] == 0:
            continue
        v_exp = float(expected[vol]) if vol and vol in expected else None
        v_act = actual.get(vol) if vol else None
        out.append(split(flow, exp, float(actual[flow]), v_exp, v_act))
    return out
