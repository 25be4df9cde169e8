"""The standard indicator library: every indicator a goal set may use, with its formula and where its value comes from.

One registry (``LIBRARY``), filled by the ``@library_indicator`` decorator, like ``sibrisk.indicators.REGISTRY``.
Each entry states:

- ``basis``: where the value comes from
  - ``"execution"``: computed from the budget and the execution data (``Figures``: budget items and actual amounts
    to date, or a projected year-end outturn, or a province's sum over its regions);
  - ``"engine"``: computed by running the projection engine on the goal set's scenario (``sibrisk.project``);
  - ``"stochastic"``: computed from the stochastic engine (``sibrisk.simulate``);
  - ``"manual"``: entered by the region after the year (survey results, audits, qualitative grades), in the
    assessment file, never invented here.
- ``quantity``: ``percent`` (values in %, e.g. 95.0), ``money`` (computed in yuan), ``persons``, ``months`` or
  ``grade`` (优/良/中/差). A goal may show money in 元/万元/亿元 and persons in 人/万人 (``UNITS``).
- ``progress``: True for budget flows whose completion to date is compared with the time elapsed
  (目标比较法, national measures Art. 13; e.g. 40% of the income budget at half year).
- ``formula`` in words, and ``source``: the definition followed.

Where the measures name the item, the article is cited: Art. 12 (national, and Sichuan Art. 12) puts premium income
completion, arrival of fiscal subsidies, benefit payment and the fund's income-expenditure balance at the centre of
monitoring; Art. 16 puts the sustainable operation of the fund in the evaluation; Art. 9 the four dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sibrisk.errors import InputError

# Display units per quantity: unit -> divisor from the base unit (yuan, persons, %, months).
UNITS: dict[str, dict[str, float]] = {
    "percent": {"%": 1.0},
    "money": {"元": 1.0, "万元": 1e4, "亿元": 1e8},
    "persons": {"人": 1.0, "万人": 1e4},
    "months": {"月": 1.0},
    "grade": {"等级": 1.0},
}
UNIT_EN = {"%": "%", "元": "yuan", "万元": "10k yuan", "亿元": "100m yuan", "人": "persons", "万人": "10k persons",
           "月": "months", "等级": "grade"}

GRADES = ("优", "良", "中", "差")  # best first
GRADE_EN = {"优": "Excellent", "良": "Good", "中": "Fair", "差": "Poor"}
GRADE_ALIASES = {"excellent": "优", "good": "良", "fair": "中", "poor": "差", **{g: g for g in GRADES}}

DIMENSIONS = {  # national measures Art. 9 (Sichuan Art. 9)
    "decision": ("决策", "Decision"),
    "process": ("过程", "Process"),
    "output": ("产出", "Output"),
    "benefit": ("效益", "Benefit"),
}

BASES = ("execution", "engine", "stochastic", "manual")

MEASURES = "社会保险基金预算绩效管理办法 (财社〔2022〕65号)"
SICHUAN = "四川省社会保险基金预算绩效管理实施办法"
PRACTICE = "published self-evaluation tables of pooling regions"


def normalise_grade(value: Any) -> str | None:
    """优/良/中/差, or the English names; None if not a grade."""
    if isinstance(value, str):
        return GRADE_ALIASES.get(value.strip().lower() if value.isascii() else value.strip())
    return None


@dataclass(frozen=True)
class Figures:
    """Budget items and actual amounts (yuan, persons) for one region, or the sum over regions.

    ``actual`` holds cumulative flows over ``months`` months and the latest stock values (insured persons).
    Adding two ``Figures`` sums both, which is how a province's figures are formed from its regions'.
    """
    budget: dict[str, float]
    actual: dict[str, float]
    months: int = 12
    label: str = ""

    def __add__(self, other: "Figures") -> "Figures":
        if self.months != other.months:
            raise InputError("cannot add execution figures covering different months", field="months",
                             value=(self.months, other.months))
        keys_b = set(self.budget) | set(other.budget)
        keys_a = set(self.actual) | set(other.actual)
        return Figures({k: self.budget.get(k, 0.0) + other.budget.get(k, 0.0) for k in keys_b},
                       {k: self.actual.get(k, 0.0) + other.actual.get(k, 0.0) for k in keys_a}, self.months,
                       " + ".join(x for x in (self.label, other.label) if x))

    def need(self, kind: str, item: str) -> float:
        table = self.budget if kind == "budget" else self.actual
        if item not in table:
            raise InputError(f"the {kind} data have no {item!r}, which this indicator needs", field=f"{kind}.{item}",
                             value=sorted(table), has_value=True)
        return table[item]


def _rate(num: float, den: float, what: str) -> float:
    if den == 0:
        raise InputError(f"{what}: the denominator is zero, the rate is undefined", field=what, value=den)
    return 100.0 * num / den


@dataclass(frozen=True)
class LibraryIndicator:
    id: str
    name_zh: str
    name_en: str
    dimension: str
    sub_aspect_zh: str
    sub_aspect_en: str
    quantity: str
    basis: str
    formula: str
    source: str
    compute: Callable[..., float] | None
    progress: bool = False
    default_direction: str = "at_least"
    options: dict[str, Any] = field(default_factory=dict)  # accepted options and their defaults
    scale: tuple[float, float] | None = None  # the values it can take, in base units (a share in %: 0..100)
    # the value of the evaluated year from its full-year accounts (opening balance + the year's flows), for an
    # engine indicator that describes a year-end position; returns None where the accounts cannot give it
    accounts: Callable[..., float | None] | None = None
    accounts_formula: tuple[str, str] = ("", "")  # (zh, en): the definition stated in the table

    @property
    def default_unit(self) -> str:
        return next(iter(UNITS[self.quantity]))


LIBRARY: dict[str, LibraryIndicator] = {}


def library_indicator(id: str, *, name_zh: str, name_en: str, dimension: str, sub_aspect_zh: str, sub_aspect_en: str,
                      quantity: str, basis: str, formula: str, source: str, progress: bool = False,
                      default_direction: str = "at_least", options: dict | None = None,
                      scale: tuple[float, float] | None = None, accounts=None,
                      accounts_formula: tuple[str, str] = ("", "")):
    """Decorator registering a library indicator; ``compute`` is the decorated function (None for manual ones)."""
    assert dimension in DIMENSIONS and quantity in UNITS and basis in BASES

    def deco(func):
        if id in LIBRARY:
            raise ValueError(f"library indicator {id!r} registered twice")
        LIBRARY[id] = LibraryIndicator(id, name_zh, name_en, dimension, sub_aspect_zh, sub_aspect_en, quantity, basis,
                                       formula, source, func, progress, default_direction, dict(options or {}),
                                       scale, accounts, accounts_formula)
        return func
    return deco


def get(id: str, *, file=None, field: str = "indicator") -> LibraryIndicator:
    try:
        return LIBRARY[id]
    except KeyError:
        raise InputError(f"unknown indicator; the library has: {', '.join(sorted(LIBRARY))}", file=file, field=field,
                         value=id) from None


def manual(id: str, **kw):
    library_indicator(id, basis="manual", **kw)(None)


# ---------------------------------------------------------------- execution-based (budget and execution data)
# the percentages of a plan or budget reached: 0..1000 % (a completion rate may exceed 100 %; ten times the plan is
# a unit error); declaring a scale also flags a target of 0.95 as a fraction meant as 95 %
RATE_OF_PLAN = (0.0, 1000.0)
INCOME_ITEMS = ("contribution_income", "fiscal_subsidy", "interest_income", "other_income")
EXPENDITURE_ITEMS = ("benefit_expenditure", "other_expenditure")


def total(table: dict[str, float], items) -> float:
    return sum(table.get(k, 0.0) for k in items)


@library_indicator("income_budget_completion_rate", name_zh="收入预算完成率", name_en="Income budget completion rate",
                   dimension="output", sub_aspect_zh="数量指标", sub_aspect_en="quantity", quantity="percent",
                   basis="execution", progress=True,
                   formula="total income collected / total income budgeted x 100 (income = contributions + fiscal "
                           "subsidies + interest + other income)",
                   source=f"{MEASURES} Art. 12 (premium income completion); {PRACTICE}",
                   scale=RATE_OF_PLAN)
def _income_completion(f: Figures, **_) -> float:
    b = total(f.budget, INCOME_ITEMS)
    return _rate(total(f.actual, INCOME_ITEMS), b, "budget.total_income")


@library_indicator("contribution_income_completion_rate", name_zh="保险费收入预算完成率",
                   name_en="Contribution income budget completion rate", dimension="output",
                   sub_aspect_zh="数量指标", sub_aspect_en="quantity", quantity="percent", basis="execution",
                   progress=True, formula="contribution income collected / contribution income budgeted x 100",
                   source=f"{MEASURES} Art. 12 (社会保险费收入完成)",
                   scale=RATE_OF_PLAN)
def _contribution_completion(f: Figures, **_) -> float:
    return _rate(f.need("actual", "contribution_income"), f.need("budget", "contribution_income"),
                 "budget.contribution_income")


@library_indicator("expenditure_budget_execution_rate", name_zh="支出预算执行率",
                   name_en="Expenditure budget execution rate", dimension="process", sub_aspect_zh="预算管理",
                   sub_aspect_en="budget management", quantity="percent", basis="execution", progress=True,
                   default_direction="range",
                   formula="total expenditure / total expenditure budgeted x 100 (benefits + other expenditure)",
                   source=f"{MEASURES} Art. 12 (社会保险待遇支付); {PRACTICE}",
                   scale=RATE_OF_PLAN)
def _expenditure_execution(f: Figures, **_) -> float:
    return _rate(total(f.actual, EXPENDITURE_ITEMS), total(f.budget, EXPENDITURE_ITEMS), "budget.total_expenditure")


@library_indicator("collection_rate", name_zh="征缴率", name_en="Collection rate", dimension="output",
                   sub_aspect_zh="质量指标", sub_aspect_en="quality", quantity="percent", basis="execution",
                   formula="contribution income collected / contributions due (应征) x 100; needs the execution "
                           "column contribution_due",
                   source=f"{PRACTICE} (征缴率)",
                   scale=RATE_OF_PLAN)
def _collection_rate(f: Figures, **_) -> float:
    return _rate(f.need("actual", "contribution_income"), f.need("actual", "contribution_due"), "actual.contribution_due")


@library_indicator("fiscal_subsidy_arrival_rate", name_zh="财政补助到位率", name_en="Fiscal subsidy arrival rate",
                   dimension="output", sub_aspect_zh="时效指标", sub_aspect_en="timeliness", quantity="percent",
                   basis="execution", progress=True,
                   formula="fiscal subsidy arrived / fiscal subsidy budgeted x 100",
                   source=f"{MEASURES} Art. 12 (一般公共预算安排的财政补助收入到位)",
                   scale=RATE_OF_PLAN)
def _subsidy_arrival(f: Figures, **_) -> float:
    return _rate(f.need("actual", "fiscal_subsidy"), f.need("budget", "fiscal_subsidy"), "budget.fiscal_subsidy")


@library_indicator("insured_persons_vs_plan", name_zh="参保人数完成率（扩面）", name_en="Insured persons against plan",
                   dimension="output", sub_aspect_zh="数量指标", sub_aspect_en="quantity", quantity="percent",
                   basis="execution",
                   formula="insured persons at the end of the latest period / insured persons planned x 100",
                   source=PRACTICE,
                   scale=RATE_OF_PLAN)
def _insured_vs_plan(f: Figures, **_) -> float:
    return _rate(f.need("actual", "insured_persons"), f.need("budget", "insured_persons"), "budget.insured_persons")


# ---------------------------------------------------------------- year-end position from the year's accounts
def year_end_balance(f: Figures) -> float:
    """Accumulated balance at 31 December = opening balance (budget item ``opening_balance``) + the year's income -
    the year's expenditure (full-year execution)."""
    return f.need("actual", "opening_balance") + total(f.actual, INCOME_ITEMS) - total(f.actual, EXPENDITURE_ITEMS)


def _accounts_balance_months(f: Figures, definition: str = "current_year", **_) -> float | None:
    if definition != "current_year" or "opening_balance" not in f.actual:
        return None  # next year's expenditure is not in this year's accounts: the projection gives it
    spent = total(f.actual, EXPENDITURE_ITEMS)
    if spent <= 0:
        raise InputError("balance months: the year's expenditure is zero", field="actual.benefit_expenditure",
                         value=spent)
    return year_end_balance(f) / (spent / 12.0)


def _accounts_current_balance(f: Figures, **_) -> float:
    return total(f.actual, INCOME_ITEMS) - total(f.actual, EXPENDITURE_ITEMS)


def _accounts_before_subsidies(f: Figures, **_) -> float:
    return f.need("actual", "contribution_income") - total(f.actual, EXPENDITURE_ITEMS)


def _accounts_subsidy_share(f: Figures, **_) -> float:
    return _rate(f.need("actual", "fiscal_subsidy"), total(f.actual, INCOME_ITEMS), "actual.total_income")


ACCOUNTS_BALANCE_MONTHS = ("决算：年末累计结余（年初结余＋本年收入－本年支出）÷（本年支出÷12）",
                           "accounts: year-end balance (opening balance + the year's income - expenditure) / (the "
                           "year's expenditure / 12)")


# ---------------------------------------------------------------- engine-based (the projection of the scenario)
def _at_year(da, year: int, what: str):
    if "year" in da.dims:
        years = [int(y) for y in da["year"].values]
        if year not in years:
            raise InputError(f"{what}: the projection covers {years[0]}-{years[-1]}, not the goal year", field="meta.year",
                             value=year)
        da = da.sel(year=year)
    if da.ndim:
        raise InputError(f"{what}: expected one value for the goal year, got dims {da.dims} (a stochastic dataset "
                         "passed to a deterministic indicator?)", field="dataset", value=da.dims)
    return float(da)


@library_indicator("balance_months", name_zh="可支付月数", name_en="Balance months", dimension="benefit",
                   sub_aspect_zh="可持续发展", sub_aspect_en="sustainability", quantity="months", basis="engine",
                   formula="projected year-end balance of the goal year / (that year's expenditure / 12); "
                           "option definition = 'next_year' divides by next year's expenditure",
                   source="sibrisk.indicators 'balance_months' (MOHRSS/NHSA statistics); "
                          f"{MEASURES} Art. 2, 16 (sustainable operation)", options={"definition": "current_year"},
                   accounts=_accounts_balance_months, accounts_formula=ACCOUNTS_BALANCE_MONTHS)
def _balance_months(ds, year: int, definition: str = "current_year") -> float:
    from sibrisk import indicators

    return _at_year(indicators.compute(ds, ["balance_months"], options={"balance_months": {"definition": definition}})
                    ["balance_months"], year, "balance_months")


@library_indicator("current_balance", name_zh="当期结余", name_en="Current balance", dimension="benefit",
                   sub_aspect_zh="可持续发展", sub_aspect_en="sustainability", quantity="money", basis="engine",
                   formula="projected total income - total expenditure in the goal year",
                   source=f"sibrisk.indicators 'current_balance'; {MEASURES} Art. 12 (基金收支结余)",
                   accounts=_accounts_current_balance,
                   accounts_formula=("决算：本年收入合计－本年支出合计", "accounts: the year's total income - total expenditure"))
def _current_balance(ds, year: int) -> float:
    from sibrisk import indicators

    return _at_year(indicators.compute(ds, ["current_balance"])["current_balance"], year, "current_balance")


@library_indicator("current_balance_before_subsidies", name_zh="剔除财政补助的当期结余",
                   name_en="Current balance before subsidies", dimension="benefit", sub_aspect_zh="可持续发展",
                   sub_aspect_en="sustainability", quantity="money", basis="engine",
                   formula="projected contribution income - total expenditure in the goal year",
                   source="sibrisk.indicators 'current_balance_before_subsidies'",
                   accounts=_accounts_before_subsidies,
                   accounts_formula=("决算：本年保险费收入－本年支出合计",
                                     "accounts: the year's contribution income - total expenditure"))
def _current_balance_before(ds, year: int) -> float:
    from sibrisk import indicators

    return _at_year(indicators.compute(ds, ["current_balance_before_subsidies"])["current_balance_before_subsidies"],
                    year, "current_balance_before_subsidies")


@library_indicator("subsidy_share", name_zh="财政补助占基金收入比重", name_en="Subsidy share of income",
                   dimension="benefit", sub_aspect_zh="可持续发展", sub_aspect_en="sustainability", quantity="percent",
                   basis="engine", default_direction="at_most",
                   formula="projected fiscal subsidy / total income x 100 in the goal year",
                   source="sibrisk.indicators 'subsidy_share'",
                   accounts=_accounts_subsidy_share,
                   accounts_formula=("决算：本年财政补助收入÷本年收入合计×100",
                                     "accounts: the year's fiscal subsidy / total income x 100"))
def _subsidy_share(ds, year: int) -> float:
    from sibrisk import indicators

    return 100.0 * _at_year(indicators.compute(ds, ["subsidy_share"])["subsidy_share"], year, "subsidy_share")


@library_indicator("actuarial_balance", name_zh="精算平衡（占缴费工资总额）", name_en="Actuarial balance",
                   dimension="benefit", sub_aspect_zh="可持续发展", sub_aspect_en="sustainability", quantity="percent",
                   basis="engine",
                   formula="summarized income rate - summarized cost rate over valuation_years years from 1 January "
                           "of the goal year (default: to the end of the projection), in % of the covered wage bill",
                   source=f"sibrisk.indicators.actuarial_balance_of (US SSA Trustees' definition); {MEASURES} Art. 2 "
                          "(促进基金精算平衡)", options={"valuation_years": None})
def _actuarial_balance(ds, year: int, valuation_years: int | None = None) -> float:
    from sibrisk.indicators import actuarial_balance_of

    out = actuarial_balance_of(ds, start=year, years=valuation_years)
    return 100.0 * _at_year(out.actuarial_balance, year, "actuarial_balance")


@library_indicator("depletion_probability", name_zh="N年内基金耗尽概率", name_en="Probability of depletion within N years",
                   dimension="benefit", sub_aspect_zh="可持续发展", sub_aspect_en="sustainability", quantity="percent",
                   basis="stochastic", default_direction="at_most",
                   formula="share of stochastic scenarios whose year-end balance falls below zero in the horizon_years "
                           "year-ends from the goal year on (goal year included), x 100",
                   source="sibrisk.indicators 'probability_of_depletion' on sibrisk.simulate (US SSA stochastic "
                          "appendix); " + f"{MEASURES} Art. 2 (防范基金运行风险)",
                   options={"horizon_years": 10, "n_scenarios": 1000, "seed": 20230101})
def _depletion_probability(ds, year: int, horizon_years: int = 10, **_) -> float:
    from sibrisk.indicators import probability_of_depletion

    if "scenario" not in ds.dims:
        raise InputError("the probability of depletion needs a stochastic dataset with a 'scenario' dimension",
                         field="dataset", value=tuple(ds.dims))
    last = year + int(horizon_years) - 1
    p = probability_of_depletion(ds.fund_balance.sel(year=slice(year, None)))
    if last > int(p.year.values[-1]):
        raise InputError(f"the stochastic projection ends in {int(p.year.values[-1])}, before the horizon's last "
                         f"year {last}", field="options.horizon_years", value=horizon_years)
    return 100.0 * float(p.sel(year=last))


# ---------------------------------------------------------------- manual (entered after the year, with a source)
manual("benefits_paid_on_time_rate", name_zh="待遇按时足额发放率", name_en="Benefits paid on time and in full",
       dimension="output", sub_aspect_zh="时效指标", sub_aspect_en="timeliness", quantity="percent",
       formula="persons paid on time and in full / persons entitled x 100 (from the agency's payment records)",
       scale=(0.0, 100.0),
       source=f"{MEASURES} Art. 12 (社会保险待遇支付); {PRACTICE} (target 100%)")
manual("fund_safety_rate", name_zh="基金安全完整率", name_en="Fund safety and integrity rate", dimension="process",
       sub_aspect_zh="风险防控", sub_aspect_en="risk control", quantity="percent",
       formula="1 - funds found misused, lost or fraudulently claimed / fund balance, x 100 (audit and supervision)",
       scale=(0.0, 100.0),
       source=f"{MEASURES} Art. 12 (风险防控); {PRACTICE} (target 100%)")
manual("satisfaction", name_zh="服务对象满意度", name_en="Satisfaction of the insured", dimension="benefit",
       sub_aspect_zh="满意度", sub_aspect_en="satisfaction", quantity="percent",
       formula="share of surveyed insured persons satisfied x 100 (survey: state its sample and method)",
       scale=(0.0, 100.0),
       source=f"{MEASURES} Art. 9(4) (满意度); {PRACTICE} (target >= 90%)")
manual("qualitative", name_zh="定性指标", name_en="Qualitative item", dimension="decision", sub_aspect_zh="政策制定",
       sub_aspect_en="policy making", quantity="grade",
       formula="grade 优/良/中/差 given by the evaluator against the stated standard",
       source=f"{MEASURES} Art. 9 (定量与定性相结合), Art. 17", default_direction="grade")
