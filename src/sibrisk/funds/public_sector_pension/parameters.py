"""Scenario sections of the public-sector basic pension (机关事业单位基本养老保险): the employee pension sections
(``sibrisk.funds.enterprise_pension.parameters``, the same rules since 国发〔2015〕2号) plus ``[transition]``, the
10-year transition of the 2014 reform (2014-10-01 to 2024-09-30, 新老办法对比, 保低限高)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sibrisk.funds.enterprise_pension.parameters import AGE_MIN, PensionScenario
from sibrisk.scenario import _Model, series_field

__all__ = ["AGE_MIN", "PublicSectorScenario", "TransitionSpec"]


class TransitionSpec(_Model):
    """The transition rule, approximated through the transitional-pension coefficient of new retirees.

    For a retirement in year y up to ``end_year`` the new-method pension is compared with the old-method one: the
    old amount is paid if it is higher (保低); otherwise the old amount plus ``excess_share[y]`` of the excess (限高).
    With the new-method pension linear in the transitional coefficient c (P(c) = A + c G), an old-method pension
    written as P(``old_method_coefficient``) = P(c_old) gives the effective coefficient
    c_y = c_old + excess_share[y] * max(0, c - c_old), c = ``benefits.transitional_coefficient``.
    """
    # the last year of retirement the transition rule applies to (2024: the ten years to 2024-09-30)
    end_year: Annotated[int, Field(ge=2014, le=2100)] = 2024
    # the transitional coefficient c_old at which the new-method pension equals the old-method one (老办法; share of the
    # pension base per deemed year)
    old_method_coefficient: Annotated[float, Field(ge=0.0, le=0.05)]
    # share of the excess of the new-method over the old-method pension paid to a new retiree of the year (限高; dated)
    excess_share: series_field("share")
    # free text: the basis of the transition assumptions
    note: str = ""


class PublicSectorScenario(PensionScenario):
    """A validated public-sector pension scenario: the employee pension sections plus ``[transition]``."""
    transition: TransitionSpec

    def check(self) -> None:
        super().check()
        self.series("transition.excess_share")
