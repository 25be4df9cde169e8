"""Kernel inputs of the employee pension model: a validated scenario resolved into plain arrays (every assumption
one value per year), and ``run_kernel`` that runs the numba kernel on them (contract: ``kernels/enterprise_pension.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sibrisk.economy.paths import economy_path
from sibrisk.funds.common import statutory as policy
from sibrisk.funds.common.accounts import subsidy_parameters
from sibrisk.funds.enterprise_pension.parameters import AGE_MIN

BASE_RATIO_BOUNDS = (0.6, 3.0)  # contribution base bounded to 60%-300% of the average wage

@dataclass
class KernelInputs:
    """Everything the kernel needs, as arrays. Shapes: A ages, 2 sexes, T years, S scenarios."""
    c0: np.ndarray            # (A, 2) or (A, 2, B) contributing insured workers at the end of the base year
    r0: np.ndarray            # (A, 2) retirees
    b0: np.ndarray            # (A, 2) average annual benefit per retiree, yuan
    y0: np.ndarray            # (A, 2) or (A, 2, B) average contribution years of insured workers
    k0: np.ndarray            # (A, 2) or (A, 2, B) average individual-account balance per insured worker, yuan
    q_base: np.ndarray        # (A, 2) base-table one-year death probabilities
    mort_b: np.ndarray        # (A, 2) log-mortality sensitivity to kappa
    kappa: np.ndarray         # (S, T) mortality index: q = min(1, q_base * exp(mort_b * kappa))
    hazard: np.ndarray        # (T, A, 2) retirement probability of a contributor
    min_years: np.ndarray     # (T,) minimum contribution years
    force_idx: int            # age index from which retirement ignores the minimum years
    entrants: np.ndarray      # (T, A, 2) new contributors
    base_ratio: np.ndarray    # (A, 2) or (T, A, 2) contribution base / average wage (the effective base of the cell)
    wage: np.ndarray          # (S, T) average wage, yuan/year
    index: np.ndarray         # (S, T) benefit indexation of existing pensions
    rate: np.ndarray          # (S, T) fund interest rate
    collection: np.ndarray    # (S, T) collection rate
    credit: np.ndarray        # (S, T) individual-account crediting rate
    contrib_rate: np.ndarray  # (T,) employer + employee rate
    acct_rate: np.ndarray     # (T,) individual-account rate
    accrual: float | np.ndarray  # basic pension accrual per contribution year: scalar or (T,) dated
    transitional: float       # transitional-pension coefficient per deemed year
    deemed: np.ndarray        # (T, A) deemed service years (before 1996) of the cohort
    months: np.ndarray        # (A,) or (T, A) payout months (计发月数) by retirement age (and year)
    opening0: float           # fund balance on 1 January of the base year, yuan
    mid_year: bool            # flows at mid-year (True) or year end
    rule: int                 # subsidy rule
    sub_param: np.ndarray     # (T,) amount, share or floor months by rule
    years: np.ndarray = field(default=None)
    exposure: tuple = (1.0, 1.0)  # base-year flows paid to the year-end stocks times (contributors, retirees)
    other0: float = 0.0           # base-year other expenditure (account payouts, grants), yuan
    ages: np.ndarray = field(default=None)
    # contribution histories (B bands; left out: one band, everyone contributing, as before bands existed)
    l0: np.ndarray | None = None         # (A, 2, B) insured workers not contributing (断缴) at the end of the base year
    lapse: np.ndarray | None = None      # (T, A, 2, B) probability that a contributor stops contributing in year t
    resume: np.ndarray | None = None     # (T, A, 2, B) probability that a non-contributor resumes in year t
    ent_band: np.ndarray | None = None   # (B,) shares of entrants by band (sum 1)
    inherit: np.ndarray | None = None    # (T,) share of a deceased insured worker's account paid to heirs (0 if left out)
    grant_months: np.ndarray | None = None  # (T,) death grants (丧葬补助金, 抚恤金) in months of the deceased retiree's
    #                                         pension (0 if left out)
    pension_base: np.ndarray | None = None  # (T,) 计发基数 (the 全口径 average wage) / the modelled average wage; 1
    exit_share: float = 0.0              # share of those at statutory age without the minimum years who leave each
    #                                      year with their account paid out (the rest defer, 延缴)
    # retirees: their own mortality, remaining individual accounts, and the flows around them (each left out: off)
    q_ret_base: np.ndarray | None = None   # (A, 2) retirees' base death probabilities (q_base if left out)
    ret_factor: np.ndarray | None = None   # (T,) dated multiplier of the retirees' q (1 if left out)
    a0: np.ndarray | None = None           # (A, 2) average remaining individual account per retiree, yuan (0)
    d0: np.ndarray | None = None           # (A, 2) average yearly account pension drawn from it, yuan/year (0)
    back_share: np.ndarray | None = None   # (T,) share of those short of the minimum years who buy them back (补缴)
    back_max: np.ndarray | None = None     # (T,) the most years that can be bought back (no limit if left out)
    transfer_out: np.ndarray | None = None  # (T,) central adjustment out (上解) per insured worker / average wage (0)
    transfer_in: np.ndarray | None = None   # (T,) central adjustment in (下拨) per retiree / average wage (0)

    @property
    def n_scenarios(self) -> int:
        return self.wage.shape[0]

    @property
    def n_bands(self) -> int:
        return self.c0.shape[2] if self.c0.ndim == 3 else 1

    def banded(self) -> dict[str, np.ndarray]:
        """The insured-worker state and transition arrays with the band axis (last), defaults filled in."""
        n_t, n_a, n_b = self.hazard.shape[0], self.r0.shape[0], self.n_bands

        def band(x):
            x = np.asarray(x, dtype=float)
            return np.ascontiguousarray(x[..., None] if x.ndim == 2 else x)

        zeros_t = np.zeros((n_t, n_a, 2, n_b))
        return dict(
            c0=band(self.c0), l0=band(self.l0) if self.l0 is not None else np.zeros((n_a, 2, n_b)),
            y0=np.ascontiguousarray(np.broadcast_to(band(self.y0), (n_a, 2, n_b))),
            k0=np.ascontiguousarray(np.broadcast_to(band(self.k0), (n_a, 2, n_b))),
            lapse=np.ascontiguousarray(self.lapse, dtype=float) if self.lapse is not None else zeros_t,
            resume=np.ascontiguousarray(self.resume, dtype=float) if self.resume is not None else zeros_t.copy(),
            ent_band=(np.ascontiguousarray(self.ent_band, dtype=float) if self.ent_band is not None
                      else np.full(n_b, 1.0 / n_b)))

    def dated(self) -> dict[str, np.ndarray]:
        """The dated inputs as (T,) or (T, ...) arrays and the retiree inputs as (A, 2), defaults filled in."""
        n_t, n_a = self.hazard.shape[0], self.r0.shape[0]
        months = np.asarray(self.months, dtype=float)

        def per_year(x, default):
            x = default if x is None else x
            return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=float), (n_t,)))

        def cells(x, default):
            return np.ascontiguousarray(default if x is None else x, dtype=float)

        zeros = np.zeros((n_a, 2))
        return dict(
            accrual=per_year(self.accrual, 0.0),
            months=np.ascontiguousarray(np.broadcast_to(months, (n_t, months.shape[-1]))),
            inherit=per_year(self.inherit, 0.0), grant_months=per_year(self.grant_months, 0.0),
            pension_base=per_year(self.pension_base, 1.0),
            base_ratio=np.ascontiguousarray(np.broadcast_to(np.asarray(self.base_ratio, dtype=float), (n_t, n_a, 2))),
            q_ret_base=cells(self.q_ret_base, self.q_base), ret_factor=per_year(self.ret_factor, 1.0),
            a0=cells(self.a0, zeros), d0=cells(self.d0, zeros),
            back_share=per_year(self.back_share, 0.0), back_max=per_year(self.back_max, np.inf),
            transfer_out=per_year(self.transfer_out, 0.0), transfer_in=per_year(self.transfer_in, 0.0))

    def args(self) -> tuple:
        bd = self.banded()
        dt = self.dated()
        return (bd["c0"], bd["l0"], self.r0, self.b0, bd["y0"], bd["k0"], dt["a0"], dt["d0"], self.q_base,
                dt["q_ret_base"], dt["ret_factor"], self.mort_b, self.kappa, self.hazard, self.min_years,
                self.force_idx, self.entrants, bd["ent_band"], bd["lapse"], bd["resume"], float(self.exit_share),
                dt["back_share"], dt["back_max"], dt["base_ratio"], self.wage, self.index, self.rate, self.collection,
                self.credit, self.contrib_rate, self.acct_rate, dt["accrual"], self.transitional, self.deemed,
                dt["months"], dt["pension_base"], dt["inherit"], dt["grant_months"], dt["transfer_out"],
                dt["transfer_in"], self.opening0, float(self.exposure[0]), float(self.exposure[1]),
                float(self.other0), self.mid_year, self.rule, self.sub_param)


def _normalised(table: np.ndarray, total: float) -> np.ndarray:
    s = table.sum()
    return table * (total / s) if s > 0 else table * 0.0


def initial_accounts(sc, ages: np.ndarray, base_ratio: np.ndarray, acct_rate0: float) -> tuple[np.ndarray, np.ndarray]:
    """Average contribution years and individual-account balances by age at the end of the base year.

    Modelling assumption (no public data by age): service accrues at ``contribution_density`` a year from
    ``work_start_age``; accounts accrue from ``account_start_year`` at this year's account rate on the base, with
    past wages growing at ``history_wage_growth`` and crediting at ``history_crediting_rate``.
    """
    ini, ben = sc.initial, sc.benefits
    base = sc.projection.base_year
    service = np.clip(ages - ben.work_start_age, 0.0, None) * ini.contribution_density
    years_acct = np.minimum(service / max(ini.contribution_density, 1e-12), base - ini.account_start_year + 1)
    g, c = ini.history_wage_growth, ini.history_crediting_rate
    acct = np.zeros(len(ages))
    for n_back in range(int(np.ceil(years_acct.max())) + 1):
        w = sc.economy.average_wage * (1 + g) ** (-n_back)
        weight = np.clip(years_acct - n_back, 0.0, 1.0)
        acct += weight * acct_rate0 * w * ini.contribution_density * (1 + c) ** n_back
    y0 = np.repeat(service[:, None], 2, axis=1)
    k0 = acct[:, None] * base_ratio
    return y0, k0


def effective_base_ratio(mean: float, floor: np.ndarray, ceiling: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """(T,) effective contribution base / average wage: E[clip(W, floor, ceiling)] for individual wages W (as ratios of
    the average wage) lognormal with mean ``mean`` and log standard deviation ``dispersion``; with dispersion 0 the
    clip of the mean itself. For ln W ~ N(mu, s^2), mu = ln(mean) - s^2/2:
    E[clip] = lo P(W < lo) + mean [Phi(d(lo) ) - Phi(d(hi))] + hi P(W > hi),  d(x) = (mu + s^2 - ln x) / s."""
    from scipy.special import ndtr

    lo, hi = np.asarray(floor, float), np.asarray(ceiling, float)
    s = np.asarray(dispersion, float)
    out = np.clip(mean, lo, hi).astype(float)
    on = s > 0
    if np.any(on):
        ss, l_, h_ = s[on], lo[on], hi[on]
        mu = np.log(mean) - ss ** 2 / 2
        with np.errstate(divide="ignore"):
            z_lo = (np.log(l_) - mu) / ss      # -inf when the floor is 0
            z_hi = (np.log(h_) - mu) / ss
        mid = mean * (ndtr(z_hi - ss) - ndtr(z_lo - ss))
        top = np.where(np.isfinite(h_), h_ * ndtr(-np.where(np.isfinite(h_), z_hi, 0.0)), 0.0)
        out[on] = l_ * ndtr(z_lo) + mid + top
    return out


def initial_retiree_accounts(sc, ages: np.ndarray, base_ratio: float, acct_rate0: float) -> tuple[np.ndarray, np.ndarray]:
    """(A, 2) average remaining individual account and yearly account pension of the base year's retirees.

    Modelling ASSUMPTION (no public data by age): a retiree aged x retired at the pre-2025 statutory age R (men 60;
    women 50, or 55 for the ``female_cadre_share``) x - R years before the base year, with an account built as in
    ``initial_accounts`` (from ``account_start_year``, wages falling back at ``history_wage_growth``, credited at
    ``history_crediting_rate``), drew 12 x account / payout months(R) a year since, and keeps what is left (never
    below 0)."""
    ini, ben = sc.initial, sc.benefits
    base = sc.projection.base_year
    g, c = ini.history_wage_growth, ini.history_crediting_rate
    rules = policy.RETIREMENT_RULES
    cadre = ben.female_cadre_share
    groups = [(0, rules["male"][0], 1.0), (1, rules["female_worker"][0], 1.0 - cadre),
              (1, rules["female_cadre"][0], cadre)]
    rem, draw, weight = np.zeros((len(ages), 2)), np.zeros((len(ages), 2)), np.zeros((len(ages), 2))
    for s, ret_age, w in groups:
        months = float(policy.payout_months(np.array([ret_age]))[0])
        for j, x in enumerate(ages):
            if x < ret_age or w <= 0:
                continue
            n = int(x - ret_age)                   # years since retirement
            year_ret = base - n
            service = max(0.0, ret_age - ben.work_start_age) * ini.contribution_density
            first = max(ini.account_start_year, year_ret - int(np.ceil(service)))
            acct = 0.0
            for y in range(first, year_ret):
                wage_y = sc.economy.average_wage * (1 + g) ** (y - base)
                acct += acct_rate0 * base_ratio * wage_y * ini.contribution_density * (1 + c) ** (year_ret - y)
            d = 12.0 * acct / months
            left = max(0.0, acct * (1 + c) ** n - d * sum((1 + c) ** m for m in range(n)))
            rem[j, s] += w * left
            draw[j, s] += w * d
            weight[j, s] += w
    with np.errstate(invalid="ignore"):
        return (np.where(weight > 0, rem / np.where(weight > 0, weight, 1), 0.0),
                np.where(weight > 0, draw / np.where(weight > 0, weight, 1), 0.0))


def retiree_mortality(sc, ages: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(A, 2) retirees' base death probabilities and (T,) dated factor from ``[retiree_mortality]`` (None, None
    without the section: retirees die at the insured workers' q)."""
    from sibrisk.demography import lifetable

    rm = sc.retiree_mortality
    if rm is None:
        return None, None
    m = sc.mortality
    table = rm.table or m.table
    q = np.stack([lifetable.qx(table, rm.male or m.male, ages, field="retiree_mortality.male"),
                  lifetable.qx(table, rm.female or m.female, ages, field="retiree_mortality.female")], axis=1)
    return np.ascontiguousarray(q), sc.series("retiree_mortality.factor")


def pooling_transfers(sc) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(T,) transfers out per insured worker and in per retiree, both as shares of the average wage, from
    ``[pooling_transfers]`` (None, None without the section)."""
    pt = sc.pooling_transfers
    if pt is None:
        return None, None
    return sc.series("pooling_transfers.out_rate") * pt.out_wage_share, sc.series("pooling_transfers.in_per_retiree")


def pre_reform_age_weight(sc, ages: np.ndarray) -> np.ndarray:
    """(A, 2) share of a sex's insured whose pre-2025 statutory age (60 men; 50 women workers, 55 women cadres) is at
    or below ``age``: at these ages only those the 2024 reform holds back (or those still short of the minimum
    years) remain insured workers."""
    cadre = sc.benefits.female_cadre_share
    w = np.zeros((len(ages), 2))
    w[:, 0] = ages >= policy.RETIREMENT_RULES["male"][0]
    w[:, 1] = ((1 - cadre) * (ages >= policy.RETIREMENT_RULES["female_worker"][0])
               + cadre * (ages >= policy.RETIREMENT_RULES["female_cadre"][0]))
    return w


def carried_state(sc) -> dict[str, np.ndarray]:
    """The kernel's initial state from ``[initial.state]`` (``parameters.CarriedState``), scaled to the scenario's
    totals: insured workers (contributing + not) to ``initial.contributors``, retirees to ``initial.retirees``,
    pensions so that their mean over the retirees is ``initial.average_benefit``; per-person years and accounts as
    carried."""
    from sibrisk.errors import InputError

    ini = sc.initial
    st = ini.state.arrays()
    bands = len(sc.contribution_history.bands) if sc.contribution_history is not None else 1
    if st["contributing"].shape[2] != bands:
        raise InputError(f"the carried state has {st['contributing'].shape[2]} contribution-history bands, the "
                         f"scenario {bands}", file=sc.source, field="initial.state.contributing",
                         value=st["contributing"].shape)
    insured = st["contributing"].sum() + st["not_contributing"].sum()
    retirees = st["retirees"].sum()
    fw = ini.contributors / insured if insured > 0 else 0.0
    fr = ini.retirees / retirees if retirees > 0 else 0.0
    mean_b = float(np.sum(st["retirees"] * st["benefit"]) / retirees) if retirees > 0 else 0.0
    fb = ini.average_benefit / mean_b if mean_b > 0 else 1.0
    return dict(c0=st["contributing"] * fw, l0=st["not_contributing"] * fw, y0=st["years"], k0=st["account"],
                r0=st["retirees"] * fr, b0=st["benefit"] * fb, a0=st["retiree_account"], d0=st["account_pension"])


def contribution_history(sc, c0: np.ndarray, y0: np.ndarray, k0: np.ndarray) -> dict:
    """Band-resolved initial state and transition rates (``KernelInputs`` fields ``c0, l0, y0, k0, lapse, resume,
    ent_band, exit_share``) from ``[contribution_history]``; without that section one band, everyone contributing.

    ASSUMPTIONS (no record distribution by age is published): ``initial.contributors`` counts insured workers,
    contributing or not (the bulletin's 参保职工 includes those who have stopped paying); each band starts at the
    contributing share of its lapse/resume chain's steady state, with contribution years and account balances in
    proportion to it (a band that contributes half the time has half the service of a continuous one).
    """
    ch = sc.contribution_history
    if ch is None:
        return dict(c0=c0, y0=y0, k0=k0)
    ages = sc.ages
    share = np.asarray(ch.shares, float)
    pi = ch.stationary_share()
    insured = c0[..., None] * share
    sex_factor = np.array([1.0, ch.female_lapse_factor])
    scale = sc.series("contribution_history.lapse_scale")
    deferred = sc.series("contribution_history.deferred_age_lapse")
    w = pre_reform_age_weight(sc, ages)
    base_lapse = np.asarray(ch.lapse_rate, float)
    lapse = (scale[:, None, None, None] * base_lapse * sex_factor[None, None, :, None]
             + deferred[:, None, None, None] * w[None, :, :, None])
    lapse = np.clip(lapse, 0.0, 1.0)
    resume = np.broadcast_to(np.asarray(ch.resume_rate, float), lapse.shape).copy()
    return dict(c0=insured * pi, l0=insured * (1 - pi), y0=y0[..., None] * pi, k0=k0[..., None] * pi,
                lapse=np.ascontiguousarray(lapse), resume=resume, ent_band=share,
                exit_share=float(ch.ineligible_exit_share))


def retirement_options(sc) -> tuple[policy.RetirementOptions | None, policy.RetirementOptions | None]:
    """(men, women) ``statutory.RetirementOptions`` from ``[retirement_options]`` (dated shares as (T,) series);
    (None, None) without the section: everyone retires at the statutory age."""
    ro = sc.retirement_options
    if ro is None:
        return None, None
    common = dict(early_share=sc.series("retirement_options.flexible_early_share"),
                  early_months=ro.flexible_early_months,
                  defer_share=sc.series("retirement_options.flexible_deferral_share"),
                  defer_months=ro.flexible_deferral_months,
                  ill_health_rate=sc.series("retirement_options.ill_health_rate"))
    return tuple(policy.RetirementOptions(**common, special_share=sc.series(f"retirement_options.special_share_{sex}"),
                                          special_age=getattr(ro, f"special_age_{sex}"),
                                          ill_health_age=getattr(ro, f"ill_health_age_{sex}"))
                 for sex in ("male", "female"))


def indexation_path(sc, economy: dict[str, np.ndarray]) -> np.ndarray:
    """(S, T) yearly increase of pensions in payment: ``economy.benefit_indexation`` up to
    ``indexation.history_until`` (the published adjustments), then the rule ``wage_share * wage_growth +
    price_share * inflation`` on the scenario's (possibly shocked) paths; without ``[indexation]`` the series as given."""
    given = np.ascontiguousarray(economy["benefit_indexation"], dtype=float)
    ix = sc.indexation
    if ix is None or ix.rule == "given":
        return given
    rule = ix.wage_share * np.asarray(economy["wage_growth"], dtype=float)
    if ix.price_share:
        rule = rule + ix.price_share * np.asarray(economy["inflation"], dtype=float)
    after = np.asarray(sc.years) > ix.history_until
    return np.ascontiguousarray(np.where(after[None, :], rule, given))


def build_inputs(sc, n_scenarios: int, *, economy: dict[str, np.ndarray], mortality) -> KernelInputs:
    """Resolve a scenario into kernel inputs for ``n_scenarios`` rows of the shared ``economy`` paths
    (``sibrisk.economy.economic_paths``) and ``mortality`` (``sibrisk.demography.MortalityPaths``)."""
    years = sc.years
    ages = sc.ages
    n_t, n_a = len(years), len(ages)

    def econ(name: str) -> np.ndarray:
        return economy_path(economy, name, (n_scenarios, n_t))

    wage = econ("average_wage")
    q_base, mort_b, kappa = mortality.q_base, mortality.mort_b, mortality.kappa

    ben = sc.benefits
    reform = ben.retirement_reform
    opt_m, opt_f = retirement_options(sc)
    h_m = policy.retirement_hazard({"male": 1.0}, years, ages, reform=reform, options=opt_m)
    h_f = policy.retirement_hazard({"female_worker": 1.0 - ben.female_cadre_share,
                                    "female_cadre": ben.female_cadre_share}, years, ages, reform=reform,
                                   options=opt_f)
    hazard = np.stack([h_m, h_f], axis=2)
    if ben.minimum_years is not None:
        min_years = sc.series("benefits.minimum_years")
    else:
        min_years = np.array([policy.minimum_contribution_years(int(y)) for y in years])

    con = sc.contributions
    # the bounds are shares of the 全口径 average wage: pension_base_ratio x the scenario's average wage
    full_scope = sc.series("benefits.pension_base_ratio")
    eff = effective_base_ratio(float(con.base_ratio), sc.series("contributions.base_floor") * full_scope,
                               sc.series("contributions.base_ceiling") * full_scope,
                               sc.series("contributions.wage_dispersion"))
    base_ratio = np.ascontiguousarray(np.broadcast_to(eff[:, None, None], (n_t, n_a, 2)))
    acct_rate = sc.series("contributions.individual_account_rate")
    y0, k0 = initial_accounts(sc, ages, base_ratio[0], float(acct_rate[0]))
    a0, d0 = initial_retiree_accounts(sc, ages, float(eff[0]), float(acct_rate[0]))
    q_ret_base, ret_factor = retiree_mortality(sc, ages)
    transfer_out, transfer_in = pooling_transfers(sc)

    ini = sc.initial
    c0 = _normalised(ini.contributors_profile.array(), ini.contributors)
    r0 = _normalised(ini.retirees_profile.array(), ini.retirees)
    b0 = np.full((n_a, 2), ini.average_benefit)

    ent_total = sc.series("entrants.total")
    ent_profile = sc.entrants.profile.array()
    ent_profile = ent_profile / ent_profile.sum()
    entrants = ent_total[:, None, None] * ent_profile[None, :, :]

    birth = years[:, None] - ages[None, :]
    deemed = np.clip(ben.deemed_service_end_year - (birth + ben.work_start_age), 0.0, None).astype(float)

    rule, sub_param = subsidy_parameters(sc)
    hist = contribution_history(sc, c0, y0, k0)
    if ini.state is not None:
        carried = carried_state(sc)
        hist.update({k: carried[k] for k in ("c0", "l0", "y0", "k0")})
        r0, b0, a0, d0 = carried["r0"], carried["b0"], carried["a0"], carried["d0"]

    return KernelInputs(**hist,
        r0=r0, b0=b0, q_base=q_base, mort_b=np.ascontiguousarray(mort_b, dtype=float),
        kappa=np.ascontiguousarray(kappa, dtype=float), hazard=hazard, min_years=min_years,
        force_idx=int(ben.forced_retirement_age - AGE_MIN), entrants=entrants, base_ratio=base_ratio, wage=wage,
        index=indexation_path(sc, {k: econ(k) for k in ("benefit_indexation", "wage_growth", "inflation")
                                   if k in economy}), rate=econ("interest_rate"), collection=econ("collection_rate"),
        credit=econ("account_crediting_rate"),
        contrib_rate=sc.series("contributions.employer_rate") + sc.series("contributions.employee_rate"),
        acct_rate=acct_rate, accrual=sc.series("benefits.accrual_rate"), transitional=ben.transitional_coefficient,
        deemed=deemed, months=sc.series("benefits.payout_months_factor")[:, None] * policy.payout_months(ages)[None, :],
        pension_base=sc.series("benefits.pension_base_ratio"), inherit=sc.series("benefits.account_inheritance"),
        grant_months=sc.series("benefits.death_grant_months"), a0=a0, d0=d0, q_ret_base=q_ret_base,
        ret_factor=ret_factor, back_share=sc.series("benefits.back_payment_share"),
        back_max=sc.series("benefits.back_payment_max_years"), transfer_out=transfer_out, transfer_in=transfer_in,
        opening0=float(ini.fund_balance), exposure=(float(ini.contribution_exposure), float(ini.benefit_exposure)),
        other0=float(ini.other_expenditure),
        mid_year=sc.projection.flow_timing == "mid_year", rule=rule, sub_param=np.asarray(sub_param, float),
        years=years, ages=ages)


def run_kernel(inp: KernelInputs, *, keep_detail: bool = True, parallel: bool | None = None):
    """Run the numba kernel; returns ``(flows (S, T, N_FLOWS), detail (S, T, A, 2, N_DETAIL) or None)``."""
    from sibrisk.funds.common.runner import run_scenario_loops
    from sibrisk.funds.enterprise_pension import kernel as k

    n_s, n_t, n_a = inp.n_scenarios, len(inp.years), len(inp.ages)
    return run_scenario_loops(k, inp.args(), n_s, n_t, n_a, keep_detail=keep_detail, parallel=parallel)
