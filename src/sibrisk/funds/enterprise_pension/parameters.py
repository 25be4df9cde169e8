"""Scenario sections of the enterprise employee basic pension (企业职工基本养老保险): contributions, benefits, subsidy,
initial state and entrants, on top of the sections every fund shares (``sibrisk.scenario``)."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sibrisk.errors import InputError
from sibrisk.funds.common.accounts import SubsidySpec
from sibrisk.scenario import (AGE_MAX, EXTENSIVE, EconomySpec, Guard, Rate, ScenarioBase, _check_number, _Model, age_table,
                              base_value, series_field)

AGE_MIN = 16
AgeTable = age_table(AGE_MIN)


class PensionEconomy(EconomySpec):
    # yearly increase of pensions in payment (基本养老金调整比例; rate a year): the published adjustments, and after
    # ``indexation.history_until`` replaced by the ``[indexation]`` rule when one is given
    benefit_indexation: series_field("benefit_indexation")
    # crediting rate of the individual accounts (个人账户记账利率; rate a year)
    account_crediting_rate: series_field("account_crediting_rate")


class ContributionSpec(_Model):
    # employer contribution rate (单位缴费比例; share of the contribution base; dated)
    employer_rate: series_field("employer_rate")
    # employee contribution rate (个人缴费比例; share of the contribution base; dated)
    employee_rate: series_field("employee_rate")
    # part of the contribution base credited to the individual account (计入个人账户的比例; share of the base; at most employer +
    # employee rate; dated)
    individual_account_rate: series_field("individual_account_rate")
    # mean declared wage (before the bounds) / the scenario's average wage (economy.average_wage)
    base_ratio: Annotated[float, Field(gt=0.0, le=10.0)]
    # the contribution base is bounded to [base_floor, base_ceiling] x the 全口径 average wage (国办发〔2019〕13号: 60%
    # and 300%), i.e. x benefits.pension_base_ratio x the scenario's average wage; dated
    base_floor: series_field("base_floor", bounds=(0.0, 10.0)) = 0.6
    # the upper bound of the contribution base, a multiple of the 全口径 average wage (300%; see ``base_floor``); dated
    base_ceiling: series_field("base_ceiling", bounds=(0.0, 20.0)) = 3.0
    # standard deviation of log individual wages around the mean ``base_ratio`` (lognormal); with 0 the bounds act on
    # the mean itself, as one average; with more the effective base is E[clip(W, floor, ceiling)]; dated
    wage_dispersion: series_field("wage_dispersion", bounds=(0.0, 3.0)) = 0.0
    # free text: the basis and sources of the contribution assumptions
    note: str = ""


class BenefitSpec(_Model):
    # basic pension per contribution year (国发〔2005〕38号: 1%), dated
    accrual_rate: series_field("accrual_rate", bounds=(0.0, 0.05)) = 0.01
    # dated multiplier of the 国发〔2005〕38号 payout-months table (计发月数), for a revised table (1: the 2005 table)
    payout_months_factor: series_field("payout_months_factor", bounds=(0.2, 5.0)) = 1.0
    # 计发基数 / the scenario's average wage (economy.average_wage): since 国办发〔2019〕13号 the pension base and the
    # contribution reference are the 全口径 average wage of urban employment, below the non-private average; dated
    pension_base_ratio: series_field("pension_base_ratio", bounds=(0.1, 2.0)) = 1.0
    # share of a deceased insured worker's or retiree's remaining individual account paid to heirs (社会保险法 Art. 14:
    # 个人死亡的，个人账户余额可以依法继承; 国发〔2005〕38号); dated; 0 when left out. A retiree's remaining account is the
    # account at retirement, credited at the account rate, less the account pension paid, never below 0
    account_inheritance: series_field("share") = 0.0
    # funeral grants and survivor benefits (丧葬补助金、抚恤金) in months of the deceased retiree's pension; dated
    death_grant_months: series_field("death_grant_months", bounds=(0.0, 120.0)) = 0.0
    # transitional pension (过渡性养老金) a year per deemed service year, as a share of the pension base (计发基数) x
    # the retiree's contribution index (缴费指数); 国发〔2005〕38号 leaves it to the provinces (default 1.2%: an assumption)
    transitional_coefficient: Annotated[float, Field(ge=0.0, le=0.05)] = 0.012
    # the year deemed service (视同缴费年限) ends: years worked from ``work_start_age`` before it count as deemed years for
    # the transitional pension
    deemed_service_end_year: Annotated[int, Field(ge=1950, le=2100)] = 1996
    # age at which the insured start work and contributing (years; a modelling assumption for deemed service and the
    # base year's contribution years and accounts)
    work_start_age: Annotated[float, Field(ge=14.0, le=40.0)] = 22.0
    # apply the 2024 gradual rise of the statutory retirement ages (NPC Standing Committee decision, from 2025); false:
    # the old ages 60 / 55 / 50 throughout
    retirement_reform: bool = True
    # share of insured women who are cadres (女干部, statutory age 55) rather than workers (50) (a modelling assumption)
    female_cadre_share: Rate = 0.3
    # age from which the minimum contribution years no longer hold a worker back: one short of them retires with the
    # years they have (years)
    forced_retirement_age: Annotated[int, Field(ge=50, le=100)] = 75
    # minimum contribution years for a monthly pension, dated; left out: the statutory path (15, then +0.5 a year
    # from 2030 to 20, 2024 NPC decision); 0 switches the rule off
    minimum_years: series_field("minimum_years", bounds=(0.0, 50.0)) = None
    # of those at statutory age short of the minimum years, the share that pays the missing years in a lump sum
    # (一次性缴费, 补缴: 人社部令第13号 Art. 2; the 2024 NPC decision's 暂行办法 Art. 3) at this year's rate and base,
    # and retires with the minimum; only when at most ``back_payment_max_years`` are missing; dated; 0: off
    back_payment_share: series_field("share") = 0.0
    # the most missing years that may be paid in a lump sum (``back_payment_share``; years; dated)
    back_payment_max_years: series_field("back_payment_max_years", bounds=(0.0, 50.0)) = 15.0
    # free text: the basis and sources of the benefit rules
    note: str = ""


class ContributionHistorySpec(_Model):
    """Insured workers by contribution history (缴费记录): a few bands per age-sex cell, each with its own average
    contribution years and account, and within each band a contributing / not-contributing (断缴) split that moves
    with yearly lapse and resumption probabilities. Non-contributors accrue neither service nor account credit, so a
    band that lapses often reaches the statutory age with a short record, and the minimum-years rule acts on it.

    All values are modelling ASSUMPTIONS unless a source is given in ``note``: no distribution of contribution records
    by age is published for the enterprise scheme.
    """
    # the names of the contribution-history bands (e.g. steady, intermittent contributors), one per band
    bands: list[str]
    # share of insured workers (and of entrants) in each band, one per band (sum 1)
    shares: list[Annotated[float, Field(ge=0.0, le=1.0)]]
    # yearly probability that a contributor of the band stops contributing (断缴), one per band
    lapse_rate: list[Annotated[float, Field(ge=0.0, le=1.0)]]
    # yearly probability that a non-contributor of the band resumes contributing, one per band
    resume_rate: list[Annotated[float, Field(ge=0.0, le=1.0)]]
    # dated multiplier of every band's lapse rate (e.g. a downturn year)
    lapse_scale: series_field("ratio") = 1.0
    # women's lapse rates are the band's times this (ratio)
    female_lapse_factor: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    # extra yearly lapse probability at ages past the pre-2025 statutory age (the cohorts the 2024 reform holds back:
    # lower employment and contribution density at 60-63 for men, 50-58 for women); dated
    deferred_age_lapse: series_field("share") = 0.0
    # of those at statutory age without the minimum years, the share leaving each year with their account paid out
    # (一次性支付 or transfer to the resident scheme); the rest defer and keep paying (延缴)
    ineligible_exit_share: Rate = 0.5
    # free text: the basis of the band assumptions
    note: str = ""

    @field_validator("shares")
    @classmethod
    def _sum_to_one(cls, v):
        if abs(sum(v) - 1.0) > 1e-9:
            raise ValueError(f"band shares must add up to 1 (they add up to {sum(v):.6g})")
        return v

    def stationary_share(self) -> np.ndarray:
        """Contributing share of each band in the steady state of its lapse/resume chain: rho / (lambda + rho)."""
        lam, rho = np.asarray(self.lapse_rate), np.asarray(self.resume_rate)
        den = lam + rho
        return np.where(den > 0, rho / np.where(den > 0, den, 1.0), 1.0)


class RetireeMortalitySpec(_Model):
    """Mortality of retirees, apart from the insured workers' table (``[mortality]``): columns of a shipped table (by
    default the ``[mortality]`` table and columns) times a dated ``factor``, with the same improvement index:
    q_retiree(x, t) = min(1, q_table(x) x factor(t) x exp(b(x) kappa(t)))."""
    # the shipped life table of retirees (``[mortality]``'s table when left out)
    table: str | None = None
    # the table's column of male retirees' q(x) (``[mortality]``'s when left out)
    male: str | None = None
    # the table's column of female retirees' q(x) (``[mortality]``'s when left out)
    female: str | None = None
    # dated multiplier of the retirees' death probabilities (ratio)
    factor: series_field("retiree_mortality_factor", bounds=(0.1, 5.0)) = 1.0
    # free text: the basis of the retiree mortality assumption
    note: str = ""


class PoolingTransferSpec(_Model):
    """Central adjustment (中央调剂, 国发〔2018〕18号, from 2018-07-01) and national pooling (全国统筹, from 2022) of a
    pooling region: each year the region pays out ``out_rate`` x ``out_wage_share`` x its average wage x its insured
    workers (上解: 90% of the provincial average wage x the insured workers x the 上解比例) and receives
    ``in_per_retiree`` x its average wage x its retirees (下拨: the national per-retiree allocation, given here as a
    share of the region's average wage). Zero for a national projection (the transfers net to zero); dated."""
    # the 上解比例: share of the wage base the region pays out per insured worker (share; dated)
    out_rate: series_field("share") = 0.0
    # the wage base of the payout as a share of the region's average wage (90%, 国发〔2018〕18号)
    out_wage_share: Annotated[float, Field(ge=0.0, le=2.0)] = 0.9
    # the allocation received per retiree (下拨) as a share of the region's average wage (share; dated)
    in_per_retiree: series_field("share") = 0.0
    # free text: the basis and source of the transfers
    note: str = ""


class IndexationSpec(_Model):
    """Indexation of pensions in payment (基本养老金调整) as a rule: up to ``history_until`` the published adjustments
    (``economy.benefit_indexation``); after it ``wage_share`` x wage growth + ``price_share`` x inflation of the same
    year (the scenario's paths, so stochastic wage and price shocks pass through the rule)."""
    # ``given``: ``economy.benefit_indexation`` in every year; ``wage_price_share``: the rule after ``history_until``
    rule: Literal["given", "wage_price_share"] = "wage_price_share"
    # share of the year's wage growth passed to pensions in payment by the rule
    wage_share: Annotated[float, Field(ge=0.0, le=2.0)] = 0.6
    # share of the year's inflation passed to pensions in payment by the rule (needs ``economy.inflation``)
    price_share: Annotated[float, Field(ge=0.0, le=2.0)] = 0.0
    # the last year of published adjustments (``economy.benefit_indexation``); the rule acts after it
    history_until: Annotated[int, Field(ge=1990, le=2100)] = 2025
    # free text: the basis of the indexation rule
    note: str = ""


class RetirementOptionsSpec(_Model):
    """Retirement other than at the statutory age, as dated shares of each cohort (``statutory.RetirementOptions``):
    弹性提前退休 (``flexible_early_share`` retires ``flexible_early_months`` before the new statutory age, never before
    the original 60 / 55 / 50) and 弹性延迟退休 (``flexible_deferral_share`` retires ``flexible_deferral_months``
    after it, for statutory dates from 2025-01), both at most 36 months (2024 NPC Standing Committee decision, 办法);
    特殊工种 early retirement at ``special_age_male`` / ``special_age_female`` (国发〔1978〕104号: 55 / 45) for the
    ``special_share_*`` of a cohort; and ill-health retirement (病退, men from 50, women from 45, same document) as a
    yearly rate ``ill_health_rate`` of those not yet retired. Without this section everyone retires at the statutory
    age. The shares are modelling ASSUMPTIONS (no take-up is published); give reasons in ``note``."""
    # share of a cohort taking flexible early retirement (弹性提前退休; dated)
    flexible_early_share: series_field("share") = 0.0
    # how many months before the new statutory age they retire (at most 36; never before the original 60 / 55 / 50)
    flexible_early_months: Annotated[int, Field(ge=0, le=36)] = 36
    # share of a cohort deferring retirement (弹性延迟退休; dated)
    flexible_deferral_share: series_field("share") = 0.0
    # how many months after the statutory age they retire (at most 36)
    flexible_deferral_months: Annotated[int, Field(ge=0, le=36)] = 36
    # share of men retiring early from special jobs (特殊工种) at ``special_age_male`` (dated)
    special_share_male: series_field("share") = 0.0
    # share of women retiring early from special jobs (特殊工种) at ``special_age_female`` (dated)
    special_share_female: series_field("share") = 0.0
    # special-job retirement age of men (years; 55, 国发〔1978〕104号)
    special_age_male: Annotated[int, Field(ge=40, le=70)] = 55
    # special-job retirement age of women (years; 45, 国发〔1978〕104号)
    special_age_female: Annotated[int, Field(ge=40, le=70)] = 45
    # yearly probability of ill-health retirement (病退) of those not yet retired, from the ill-health age (dated)
    ill_health_rate: series_field("share") = 0.0
    # the youngest age of men's ill-health retirement (years; 50)
    ill_health_age_male: Annotated[int, Field(ge=40, le=70)] = 50
    # the youngest age of women's ill-health retirement (years; 45)
    ill_health_age_female: Annotated[int, Field(ge=40, le=70)] = 45
    # free text: the reasons for the assumed shares
    note: str = ""


class CarriedState(_Model):
    """The state by age (16..100+) and sex at the end of the base year, carried from a projection by ``sibrisk.rebase``
    (a later base year continues the projection instead of rebuilding the state from the history assumptions). The
    arrays give shapes and per-person values: ``initial.contributors`` (insured workers: contributing + not
    contributing), ``initial.retirees`` and ``initial.average_benefit`` scale them to the totals. Per band of
    ``[contribution_history]`` (last axis; one band without it)."""
    # where the carried state comes from (the projection and year ``sibrisk.rebase`` carried it from)
    source: str = ""
    contributing: list[list[list[float]]]      # (A, 2, B) insured workers contributing, persons (shape)
    not_contributing: list[list[list[float]]]  # (A, 2, B) insured workers not contributing (断缴), persons (shape)
    years: list[list[list[float]]]             # (A, 2, B) average contribution years
    account: list[list[list[float]]]           # (A, 2, B) average individual account, yuan
    retirees: list[list[float]]                # (A, 2) retirees, persons (shape)
    benefit: list[list[float]]                 # (A, 2) average pension, yuan a year
    retiree_account: list[list[float]]         # (A, 2) remaining individual account per retiree, yuan
    account_pension: list[list[float]]         # (A, 2) yearly account pension drawn from it, yuan a year

    @model_validator(mode="after")
    def _shapes(self):
        n_a = AGE_MAX - AGE_MIN + 1
        ref = None
        for name in ("contributing", "not_contributing", "years", "account", "retirees", "benefit",
                     "retiree_account", "account_pension"):
            x = np.asarray(getattr(self, name), dtype=float)
            banded = name in ("contributing", "not_contributing", "years", "account")
            if x.ndim != (3 if banded else 2) or x.shape[:2] != (n_a, 2):
                raise ValueError(f"initial.state.{name} must be {n_a} ages x 2 sexes{' x bands' if banded else ''}, "
                                 f"got shape {x.shape}")
            if banded:
                ref = x.shape[2] if ref is None else ref
                if x.shape[2] != ref:
                    raise ValueError(f"initial.state.{name} has {x.shape[2]} bands, the others {ref}")
            if not np.all(np.isfinite(x)) or np.any(x < 0):
                raise ValueError(f"initial.state.{name} must be finite and >= 0")
        return self

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: np.asarray(getattr(self, name), dtype=float) for name in type(self).model_fields
                if name != "source"}


class InitialState(_Model):
    # the fund's balance (基金累计结存) on 1 January of the base year (yuan)
    fund_balance: Annotated[float, EXTENSIVE]
    # insured workers at the end of the base year (persons; with ``[contribution_history]``, contributing or not)
    contributors: Annotated[float, Field(gt=0.0), EXTENSIVE]
    # retirees drawing a pension at the end of the base year (persons)
    retirees: Annotated[float, Field(ge=0.0), EXTENSIVE]
    # average pension of the retirees in the base year (yuan a year)
    average_benefit: Annotated[float, Field(ge=0.0)]
    # share of each year an insured worker contributed before the base year (builds the base year's contribution years
    # and accounts; a modelling assumption)
    contribution_density: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    # average wage growth before the base year, to go back from the base-year wage to past wages (rate a year; a
    # modelling assumption)
    history_wage_growth: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.1
    # average crediting rate of the individual accounts before the base year (rate a year; a modelling assumption)
    history_crediting_rate: Annotated[float, Field(ge=-0.2, le=0.5)] = 0.05
    # the year individual accounts began to be credited (years before it build no account)
    account_start_year: Annotated[int, Field(ge=1990, le=2100)] = 1996
    # the age-sex shape of the insured workers (any scale: scaled to ``contributors``)
    contributors_profile: AgeTable
    # the age-sex shape of the retirees (any scale: scaled to ``retirees``)
    retirees_profile: AgeTable
    # the state by age carried from a projection (``CarriedState``) in place of the profiles and history assumptions
    state: CarriedState | None = None
    # the base year's flows are paid to its year-end stocks times these (1: year-end stocks; a re-based scenario
    # carrying its state sets them to the projection's exposure, so its base year shows the actual accounts)
    contribution_exposure: Annotated[float, Field(ge=0.5, le=1.5)] = 1.0
    # the same for the base year's pensions, paid to the year-end retirees times this (ratio)
    benefit_exposure: Annotated[float, Field(ge=0.5, le=1.5)] = 1.0
    # the base year's other expenditure (account payouts to leavers and heirs, death grants), yuan; later years
    # model them (0: none in the base year, as a national base-year calibration has it)
    other_expenditure: Annotated[float, Field(ge=0.0), EXTENSIVE] = 0.0
    # free text: the sources of the initial state
    note: str = ""

    @field_validator("fund_balance")
    @classmethod
    def _finite(cls, v):
        return _check_number(v, -1e16, 1e16)


class EntrantSpec(_Model):
    # new insured workers (contributors) a year (persons)
    total: series_field("new_entrants", extensive=True)
    # the age-sex shape of the entrants (any scale: normalised to sum 1)
    profile: AgeTable
    # free text: the basis of the entrant assumption
    note: str = ""


def _per(num: str, den: str):
    def ratio(sc):
        d = base_value(sc, den)
        return base_value(sc, num) / d if d else None
    return ratio


def _balance_years(sc):
    spending = sc.initial.retirees * sc.initial.average_benefit
    return sc.initial.fund_balance / spending if spending > 0 else None


# Consistency guards of an employee pension's base year (``sibrisk.scenario.Guard``). ASSUMPTIONS (2026-12): bounds
# far outside what China's provinces report, so that only inputs of another region, another unit or a typing slip
# trip them. Reported around 2019-2021 (中国社会保险发展年度报告; MOHRSS statistics): from about 1.3 (Heilongjiang) to
# about 6 (Guangdong) insured workers per enterprise retiree, entrants of a few % of the insured a year, enterprise
# pensions of 30%-45% of the average wage, balances of 0 (several provinces) to about 4 years of expenditure
# (Guangdong). The national default: 0.37 retirees per insured worker, entrants 4.6% (public sector 3.0%), benefit
# 0.34 of the wage (public sector 0.84), balance 1.1 years (0.23).
PENSION_GUARDS = (
    Guard("dependency_ratio", "initial.retirees", _per("initial.retirees", "initial.contributors"), 0.02, 2.0,
          "retirees per insured worker (initial.retirees / initial.contributors; national 0.37)",
          "ASSUMPTION 2026-12: provinces 0.17-0.8, 1 in 50 to 2 per worker would be another region or a unit slip",
          "give both counts for the same region and year, in persons"),
    Guard("entrants_rate", "entrants.total", _per("entrants.total", "initial.contributors"), 0.003, 0.25,
          "new entrants of the base year per insured worker (entrants.total / initial.contributors; national 0.046)",
          "ASSUMPTION 2026-12: entrants replace leavers and retirees, a few % a year; none at all is a closed group, "
          "a quarter or more a workforce doubling within a few years",
          "scale entrants.total to the region (the national path x the region's share of insured workers)"),
    Guard("benefit_wage_ratio", "initial.average_benefit", _per("initial.average_benefit", "economy.average_wage"),
          0.1, 2.0, "average pension / average wage (initial.average_benefit / economy.average_wage; national 0.34)",
          "ASSUMPTION 2026-12: pensions of 30%-90% of the wage are reported; 10% or 200% is a monthly amount for an "
          "annual one or the reverse",
          "give both in yuan a year for the same region and year"),
    Guard("balance_years", "initial.fund_balance", _balance_years, -5.0, 30.0,
          "fund balance in years of base-year pensions (initial.fund_balance / (retirees x average_benefit); "
          "national 1.1)", "ASSUMPTION 2026-12: provinces hold 0-4 years; 30 years or a deficit of 5 is another "
          "unit (元 vs 万元) or another region", "give the balance in yuan on 1 January of the base year"),
)


class PensionScenario(ScenarioBase):
    """A validated scenario of an employee pension scheme (enterprise or public sector: same sections)."""
    FIRST_AGE = AGE_MIN
    GUARDS = PENSION_GUARDS
    STOCK_INPUTS = {"contributors": "entrants.total", "beneficiaries": "initial.contributors"}

    # the economic paths, with the pension indexation and the account crediting rate (``PensionEconomy``)
    economy: PensionEconomy
    # contribution rates and the contribution base (``ContributionSpec``)
    contributions: ContributionSpec
    # the pension formula and retirement rules (``BenefitSpec``)
    benefits: BenefitSpec
    # the fiscal subsidy rule (``SubsidySpec``)
    subsidy: SubsidySpec
    # the state at the base year (``InitialState``)
    initial: InitialState
    # new insured workers by year, age and sex (``EntrantSpec``)
    entrants: EntrantSpec
    contribution_history: ContributionHistorySpec | None = None
    indexation: IndexationSpec | None = None
    retirement_options: RetirementOptionsSpec | None = None
    retiree_mortality: RetireeMortalitySpec | None = None
    pooling_transfers: PoolingTransferSpec | None = None

    def check(self) -> None:
        super().check()
        src = self.source
        ch = self.contribution_history
        if ch is not None:
            n = len(ch.bands)
            for key in ("shares", "lapse_rate", "resume_rate"):
                if len(getattr(ch, key)) != n:
                    raise InputError(f"contribution_history.{key} needs one value per band ({n})", file=src,
                                     field=f"contribution_history.{key}", value=getattr(ch, key))
            self.series("contribution_history.lapse_scale")
            self.series("contribution_history.deferred_age_lapse")
        ro = self.retirement_options
        if ro is not None:
            for sex in ("male", "female"):
                total = sum(self.series(f"retirement_options.{k}") for k in
                            ("flexible_early_share", "flexible_deferral_share", f"special_share_{sex}"))
                if np.any(total > 1 + 1e-12):
                    raise InputError(f"retirement_options: flexible_early_share + flexible_deferral_share + "
                                     f"special_share_{sex} exceeds 1 (max {total.max():.6g})", file=src,
                                     field=f"retirement_options.special_share_{sex}",
                                     value=getattr(ro, f"special_share_{sex}"))
            self.series("retirement_options.ill_health_rate")
        ix = self.indexation
        if ix is not None and ix.rule == "wage_price_share" and ix.price_share > 0 and self.economy.inflation is None:
            raise InputError("indexation.price_share needs economy.inflation", file=src, field="economy.inflation",
                             value=None)
        for key in ("accrual_rate", "payout_months_factor", "pension_base_ratio", "account_inheritance",
                    "death_grant_months", "back_payment_share", "back_payment_max_years"):
            self.series(f"benefits.{key}")
        if self.retiree_mortality is not None:
            self.series("retiree_mortality.factor")
        if self.pooling_transfers is not None:
            self.series("pooling_transfers.out_rate")
            self.series("pooling_transfers.in_per_retiree")
        lo, hi = self.series("contributions.base_floor"), self.series("contributions.base_ceiling")
        self.series("contributions.wage_dispersion")
        if np.any(lo > hi):
            raise InputError("contributions.base_floor exceeds contributions.base_ceiling", file=src,
                             field="contributions.base_floor", value=self.contributions.base_floor)
        if self.benefits.minimum_years is not None:
            self.series("benefits.minimum_years")
        for key in ("employer_rate", "employee_rate", "individual_account_rate"):
            self.series(f"contributions.{key}")
        self.series("entrants.total")
        from sibrisk.funds.common.accounts import subsidy_parameters

        subsidy_parameters(self)
        ia = self.series("contributions.individual_account_rate")
        tot = self.series("contributions.employer_rate") + self.series("contributions.employee_rate")
        if np.any(ia > tot):
            raise InputError("individual account rate exceeds the total contribution rate", file=src,
                             field="contributions.individual_account_rate",
                             value=self.contributions.individual_account_rate)
