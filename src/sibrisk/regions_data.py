"""Published figures of a real province and the scenarios built from them (Fujian, 福建省).

``src/sibrisk/data/regions/fujian_published.csv`` holds figures quoted from Fujian's statistical yearbooks and the
provincial HRSS department's monthly quick reports; ``fujian_SOURCES.md`` quotes each source (one section per
``source_id``). This module reads them (``load_published``, in yuan and persons) and builds the shipped Fujian
scenarios with the one re-basing mechanism, ``sibrisk.rebasing.rebase(national, actuals, region="fujian")``::

    python -m sibrisk.regions_data            # rewrites scenarios/fujian_*_2021.toml from the CSV (and the
                                              # ILLUSTRATIVE scenarios/prefecture_enterprise_pension_2024.toml)

``backtest(scenario, fund)`` compares a scenario with the published counts after its base year (Fujian: month-end
quick reports 2022-05 to 2024-02; no 2022/2023 annual figure was found). ``prefecture_rebased()`` re-bases the
national enterprise scenario on an invented prefecture's 2024 accounts (``scenarios/execution/prefecture_2024_*``),
as ``sibrisk rebase --region prefecture`` would (notebooks/07_region.ipynb).

What is published for 2021 (《福建统计年鉴2022》 表10-7), per scheme: total income, total expenditure, the year-end
balance (also 2020's), in-service participating workers and retirees at year-end. What is not: the income split
(contributions / subsidies / interest / transfers), other expenditure, any age detail. How each figure is used
(``fujian_inputs``):

- ``economy.average_wage``: Fujian's 2021 urban non-private average wage (98,071 元) replaces the national one
  before re-basing (the national scenarios use the national figure of the same definition).
- ``fund_balance`` = the published 2021 year-end balance; ``benefit_expenditure`` = the published total expenditure
  (ASSUMPTION: no other expenditure); ``beneficiaries`` = the published year-end retirees; ``contributors`` (the
  projection's contributing workers) = the published 参保职工, which also counts those who stopped paying, x the
  national scenario's own paying share (DERIVED, 0.823 enterprise, 1 public sector), so that the projection's insured
  workers (``contributors + insured_not_contributing``, what ``projected(ds, "contributors")`` compares) are the
  published count.
- Enterprise scheme: ``contribution_income`` is DERIVED = published total income - the national scenario's own
  rules for the rest of the income (its subsidy share of expenditure and interest on the balance) at Fujian's size,
  solved by repeating the re-basing until it no longer moves (``rebase_fujian``). The split is therefore the national
  rule's, not a published one; only the total is Fujian's. The enterprise 2021 balance does not roll forward from
  2020's (562.49 + 729.17 - 594.91 = 696.75, published 555.93): the projection rolls forward from the published 2021
  year-end balance, so its 1 January 2021 balance is 555.93 - 729.17 + 594.91 (+ interest timing) = about 421.7 亿,
  not the published 562.49; the 140.82 亿 the table does not explain is thereby taken out before 2021.
- Public-sector scheme: its national rule (budgets fill the deficit to hold the balance at its 2021 months of
  expenditure) is applied to Fujian's own 2021 months (DERIVED: 150.26 / (332.10 / 12) = 5.43 months; the national
  file's 3.55 months is the nation's); with it the 2021 total income (334.69 亿) and the 2020 year-end balance
  (147.67 亿) are both reproduced. The contribution / subsidy split is the model's (national collection rate).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sibrisk.errors import InputError

DATA = Path(__file__).resolve().parent / "data" / "regions"
UNITS = {"亿元": 1e8, "万人": 1e4, "元": 1.0}
BASE_YEAR = 2021
NATIONAL = {"enterprise_pension": "enterprise_pension_national", "public_sector_pension": "public_sector_pension_national"}
# the published items of 表10-7 and the projection's variables they are compared with (``projected``); the published
# 参保职工 count includes workers who stopped paying: the projection's contributors + insured_not_contributing
ITEM_VARIABLES = {"contributors": ("contributors", "insured_not_contributing"), "beneficiaries": ("beneficiaries",),
                  "income": ("total_income",), "expenditure": ("total_expenditure",), "fund_balance": ("fund_balance",)}


def projected(ds, item: str):
    """The projection's counterpart (a DataArray by year) of a published ``item``."""
    names = [n for n in ITEM_VARIABLES[item] if n in ds]
    out = ds[names[0]]
    for n in names[1:]:
        out = out + ds[n]
    return out


@dataclass(frozen=True)
class Figure:
    region: str
    region_zh: str
    level: str
    fund: str
    year: int
    period: str  # "year" (a flow of the year), "year_end" (a stock on 31 December), "YYYY-MM" (a month-end stock)
    item: str
    value: float  # in base units: yuan, persons, yuan per year
    raw: float  # as published, in ``unit``
    unit: str
    source_id: str
    note: str

    @property
    def derived(self) -> bool:
        return "DERIVED" in self.note


def published_csv(region: str = "fujian") -> Path:
    return DATA / f"{region}_published.csv"


def sources_md(region: str = "fujian") -> Path:
    return DATA / f"{region}_SOURCES.md"


def load_published(region: str = "fujian") -> list[Figure]:
    """Every row of ``<region>_published.csv`` (cities of the province included), values in yuan and persons."""
    path = published_csv(region)
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            if r["unit"] not in UNITS:
                raise InputError(f"row {i}: unknown unit; known: {', '.join(UNITS)}", file=str(path), field="unit",
                                 value=r["unit"])
            raw = float(r["value"])
            out.append(Figure(r["region"], r["region_zh"], r["level"], r["fund"], int(r["year"]), r["period"],
                              r["item"], raw * UNITS[r["unit"]], raw, r["unit"], r["source_id"], r["note"]))
    return out


def source_ids(region: str = "fujian") -> set[str]:
    """The source ids ``<region>_SOURCES.md`` documents (its ``##`` / ``###`` headings that are ids)."""
    text = sources_md(region).read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,3} ([A-Z][A-Z0-9_]+)\s*$", text, flags=re.M))


def published(fund: str, year: int, item: str, *, region: str = "fujian", period: str | None = None) -> Figure:
    """The one published figure of (fund, year, item) for the province itself (``level = province``); ``period``
    defaults to the year-end stock or the year's flow."""
    rows = [f for f in load_published(region) if f.region == region and f.fund == fund and f.year == year
            and f.item == item and (f.period == period if period else f.period in ("year", "year_end"))]
    if len(rows) != 1:
        raise InputError(f"{len(rows)} published rows for ({fund}, {year}, {item}, {period or 'year/year_end'})",
                         file=str(published_csv(region)), field="rows", value=[r.source_id for r in rows])
    return rows[0]


def fujian_updates(fund: str, year: int = BASE_YEAR) -> dict:
    """The updates to the national scenario of ``fund`` before re-basing: Fujian's average wage (and, for the
    public-sector scheme, its own months of balance for the subsidy rule)."""
    if fund not in NATIONAL:
        raise InputError(f"no Fujian scenario for this fund; built: {', '.join(NATIONAL)}", field="fund", value=fund)
    updates = {"economy.average_wage": published("all", year, "average_wage").value}
    if fund == "public_sector_pension":
        updates["subsidy.floor_months"] = (published(fund, year, "fund_balance").value
                                           / (published(fund, year, "expenditure").value / 12.0))
    return updates


def paying_share(sc, year: int = BASE_YEAR) -> float:
    """Contributing / insured workers (contributors / (contributors + insured_not_contributing)) of the scenario's
    projection in ``year``: the published 参保职工 count includes workers who stopped paying, the projection's
    ``contributors`` do not."""
    import sibrisk

    row = sibrisk.project(sc, keep_detail=False).sel(year=year)
    paying = float(row.contributors)
    other = float(row.insured_not_contributing) if "insured_not_contributing" in row else 0.0
    return paying / (paying + other)


def fujian_inputs(fund: str, year: int = BASE_YEAR) -> tuple[dict, dict, float]:
    """(updates to the national scenario before re-basing, ``actuals`` for ``rebase`` without the contribution
    income, the published total income) of ``fund`` in ``year`` (see the module docstring for what goes where).

    ``contributors`` of ``rebase`` are the projection's contributing workers; the published count (参保职工) also
    counts those who stopped paying, as the national scenarios' insured workers do. So the actual contributors are
    DERIVED = the published count x the national scenario's own paying share in that year (``paying_share``, 0.823
    for the enterprise scheme, 1 for the public-sector scheme): the projection's insured workers (contributing or
    not) are then the published count."""
    p = lambda item: published(fund, year, item).value  # noqa: E731
    updates = fujian_updates(fund, year)
    share = paying_share(national_base(fund), year)
    actuals = {"year": year, "fund_balance": p("fund_balance"), "benefit_expenditure": p("expenditure"),
               "contributors": p("contributors") * share, "beneficiaries": p("beneficiaries")}
    if fund == "public_sector_pension":
        # the roll-forward closes here (147.67 + 334.69 - 332.10 = 150.26), so the published opening is given
        actuals["opening_balance"] = published(fund, year - 1, "fund_balance").value
    return updates, actuals, p("income")


def national_base(fund: str):
    """The national scenario of ``fund`` with Fujian's updates (``fujian_updates``) applied: what is re-based."""
    import sibrisk

    return sibrisk.load_scenario(NATIONAL[fund]).with_updates(fujian_updates(fund))


def rebase_fujian(fund: str, *, tol: float = 1e5, max_rounds: int = 6):
    """(``Rebased``, the ``actuals`` it was re-based on) for ``fund`` in 2021.

    Enterprise scheme: the contribution income is the published total income less the other income the scenario's
    own rules give at Fujian's size (subsidy share of expenditure, interest on the balance), repeated until it moves
    by less than ``tol`` yuan. Public-sector scheme: one re-basing (its subsidy rule closes the total income)."""
    import sibrisk
    from sibrisk.rebasing import rebase

    sc = national_base(fund)
    _, actuals, income = fujian_inputs(fund)
    if fund == "public_sector_pension":
        return rebase(sc, actuals, region="fujian"), actuals
    # first round: the published 2020 year-end balance as the opening (rebase needs it without the contribution
    # income); every later round gives the derived contribution income instead, and the opening follows from it
    act = dict(actuals, opening_balance=published(fund, BASE_YEAR - 1, "fund_balance").value)
    result = None
    for _ in range(max_rounds):
        result = rebase(sc, act, region="fujian")
        row = sibrisk.project(result.scenario, keep_detail=False).sel(year=BASE_YEAR)
        contrib = income - float(row.fiscal_subsidy + row.interest_income + row.other_income)
        if "contribution_income" in act and abs(contrib - act["contribution_income"]) < tol:
            return result, act
        act = dict(actuals, contribution_income=contrib)
    raise InputError(f"the derived contribution income did not settle in {max_rounds} rounds",
                     field="contribution_income", value=act.get("contribution_income"))


def _toml_str(text: str) -> str:
    assert '"""' not in text and "\\" not in text
    return '"""' + text.strip() + '"""'


def _put(text: str, section: str, lines: list[str]) -> str:
    """``lines`` added at the top of ``[section]`` of a scenario file's text (the section appended if absent)."""
    head = f"[{section}]\n"
    if head in text:
        return text.replace(head, head + "\n".join(lines) + "\n", 1)
    return text.rstrip("\n") + "\n\n" + head + "\n".join(lines) + "\n"


NOTES = {
    "enterprise_pension": dict(
        name="fujian_enterprise_pension_2021",
        title="Enterprise employee basic pension, Fujian province (福建省), base year 2021 from published figures",
        sources=["FJ_YB2022_T10_7: 《福建统计年鉴2022》 表10-7 社会保险情况, 企业职工基本养老保险 2020 and 2021 (src/sibrisk/data/regions/fujian_SOURCES.md)",
                 "FJ_WAGE_2021_NEWS: 2021 福建省城镇非私营单位就业人员年平均工资 98,071 元 (reprint of the 福建省统计局 release; fujian_SOURCES.md)",
                 "Every other assumption: enterprise_pension_national.toml and its [meta] sources"],
        header="""PUBLISHED (《福建统计年鉴2022》 表10-7, enterprise scheme, 2021): year-end balance 555.93 亿, total
# expenditure 594.91 亿, total income 729.17 亿, 1,011.11 万 in-service participating workers and 169.13 万 retirees at
# year-end; 2020 year-end balance 562.49 亿. Fujian 2021 urban non-private average wage 98,071 元.
# ASSUMED: all expenditure is benefit expenditure; the income split is the national scenario's rules (subsidy
# {subsidy_share:.2%} of expenditure, interest on the balance), the contribution income is the rest of the published total
# (DERIVED {contrib:.2f} 亿, so the collection rate is solved at {collection:.3f} of the modelled due, against {collection0:.3f}
# nationally); contributing workers = the published 参保职工 x the national paying share {share:.4f} (DERIVED {paying:.2f} 万;
# the published count includes those who stopped paying, as the national insured workers do); ages, contribution
# records, entrants by age, mortality, rules: the national scenario's, scaled to Fujian (size {size:.4f} of the
# nation, from the contributing workers).
# NOT FOUND: the income split, other expenditure, any Fujian age profile, any 2022/2023 annual figure (only
# month-end quick reports, used as a back-test: notebooks/07_region.ipynb).
# THE BALANCE: 562.49 + 729.17 - 594.91 = 696.75, but 555.93 is published (-140.82 亿, unexplained in the source).
# This scenario rolls forward from the published 2021 year-end 555.93; its 1 January 2021 balance is therefore
# {opening:.2f} 亿 (DERIVED), not the published 562.49.
# KNOWN LIMIT: Fujian has 6.0 insured workers per retiree (the nation 2.7); with the national age profile of
# workers the projection sends far more of them into retirement than Fujian's own reports show (retirees
# {ret_growth:+.1%} in 2022 here, +4.9% Sep 2021 - Sep 2022 published), so the balance turns down early and the
# depletion year ({depletion}) is not Fujian's. Under national pooling (全国统筹, 2022) the province does not pay its
# own deficits anyway.""",
        initial_note="""Fujian, 2021 (re-based by sibrisk.regions_data with sibrisk.rebasing.rebase, region = "fujian"):
insured workers (contributors, contributing or not) sized so that the projection's 2021 insured workers are the
published 1,011.11 万 参保职工 (its contributing ones: that x the national paying share, DERIVED) and retirees the
published 169.13 万 (表10-7, 2021), in the national age-sex shapes; average_benefit = 2021 expenditure / retirees
(ASSUMPTION: all expenditure is benefits); fund_balance is the balance
on 1 January 2021 that, with the 2021 flows, reaches the published 2021 year-end balance 555.93 亿 (not the published
2020 year-end 562.49 亿: the table's 2021 balance does not roll forward from it by 140.82 亿). Contribution records and
accounts by age: the national assumptions.""",
        economy_note="""average_wage: Fujian 2021 urban non-private average wage 98,071 元 (FJ_WAGE_2021_NEWS), the
same definition as the national file's; every other economic path is the national file's. collection_rate: solved
so that 2021 contributions = the published total income 729.17 亿 - the modelled subsidy (share of expenditure as in
the national file) - modelled interest (DERIVED; the split is not published).""",
    ),
    "public_sector_pension": dict(
        name="fujian_public_sector_pension_2021",
        title="Public-sector basic pension, Fujian province (福建省), base year 2021 from published figures",
        sources=["FJ_YB2022_T10_7: 《福建统计年鉴2022》 表10-7 社会保险情况, 机关事业单位基本养老保险 2020 and 2021 (src/sibrisk/data/regions/fujian_SOURCES.md)",
                 "FJ_WAGE_2021_NEWS: 2021 福建省城镇非私营单位就业人员年平均工资 98,071 元 (reprint of the 福建省统计局 release; fujian_SOURCES.md)",
                 "Every other assumption: public_sector_pension_national.toml and its [meta] sources"],
        header="""PUBLISHED (《福建统计年鉴2022》 表10-7, public-sector scheme, 2021): year-end balance 150.26 亿,
# total expenditure 332.10 亿, total income 334.69 亿, 99.23 万 in-service participating staff and 50.49 万 retirees at
# year-end; 2020 year-end balance 147.67 亿 (the roll-forward closes: 147.67 + 334.69 - 332.10 = 150.26).
# Fujian 2021 urban non-private average wage 98,071 元.
# ASSUMED: all expenditure is benefit expenditure; budgets fill the deficit to hold the balance at Fujian's own
# 2021 months of expenditure (DERIVED 150.26 / (332.10 / 12) = 5.43 months; the national rule, the nation's value
# 3.55); the contribution / subsidy split is the model's (national collection rate 98%); ages, records, entrants,
# mortality, rules: the national scenario's, scaled to Fujian's staff (size {size:.4f} of the nation).
# NOT FOUND: the income split, other expenditure, any Fujian age profile, any 2022/2023 annual figure (only
# month-end quick reports, used as a back-test: notebooks/07_region.ipynb).""",
        initial_note="""Fujian, 2021 (re-based by sibrisk.regions_data with sibrisk.rebasing.rebase, region = "fujian"):
contributors and retirees are the published year-end counts (表10-7, 2021) in the national age-sex shape;
average_benefit = 2021 expenditure / retirees (ASSUMPTION: all expenditure is benefits); fund_balance = the published
2020 year-end balance 147.67 亿 (the balance on 1 January 2021). Contribution records and accounts by age: the national
assumptions.""",
        economy_note="""average_wage: Fujian 2021 urban non-private average wage 98,071 元 (FJ_WAGE_2021_NEWS), the
same definition as the national file's; every other economic path, the collection rate included, is the national
file's (no Fujian contribution figure is published).""",
        subsidy_note="""ASSUMPTION: the national file's rule (same-level budgets cover the deficits, keeping the year-end
balance at its 2021 months of expenditure) on Fujian's own 2021 months: floor_months = 150.26 / (332.10 / 12) (DERIVED
from 表10-7). With it the 2021 income is the published 334.69 亿.""",
    ),
}


def scenario_file_text(fund: str, result, actuals: dict) -> str:
    """The shipped Fujian scenario file: ``rebased_file_text`` extending the national file by its shipped name, with
    Fujian's [meta] and notes (what is published, assumed, not found)."""
    from sibrisk.rebasing import rebased_file_text
    from sibrisk.scenario import find_scenario

    import sibrisk

    info = NOTES[fund]
    national = find_scenario(NATIONAL[fund])
    base = national_base(fund)
    ds = sibrisk.project(result.scenario, keep_detail=False)
    row = ds.sel(year=BASE_YEAR)
    depleted = [int(y) for y in ds.year.values if float(ds.fund_balance.sel(year=y)) < 0]
    values = dict(size=result.size, opening=float(row.opening_balance) / 1e8,
                  contrib=float(row.contribution_income) / 1e8, paying=actuals["contributors"] / 1e4,
                  share=actuals["contributors"] / published(fund, BASE_YEAR, "contributors").value,
                  collection=float(result.scenario.series("economy.collection_rate")[0]),
                  collection0=float(base.series("economy.collection_rate")[0]),
                  subsidy_share=float(row.fiscal_subsidy / row.total_expenditure),
                  ret_growth=float(ds.beneficiaries.sel(year=BASE_YEAR + 1) / row.beneficiaries) - 1.0,
                  depletion=depleted[0] if depleted else "none")
    text = rebased_file_text(result, national)
    text = text.replace(f"extends = {_json(str(national.resolve()))}", f'extends = "{national.name}"', 1)
    assert f'extends = "{national.name}"' in text
    lines = [f"# sibrisk scenario: {info['title']}.", "#",
             "# Built by `python -m sibrisk.regions_data` (src/sibrisk/regions_data.py) from",
             "# src/sibrisk/data/regions/fujian_published.csv; do not edit by hand, rebuild.",
             "#", "# " + info["header"].format(**values), "#",
             "# The actuals it was re-based on (yuan, persons): "
             + ", ".join(f"{k} = {v:.6g}" for k, v in actuals.items()), "#"]
    text = "\n".join(lines) + "\n" + text
    text = text.replace('[meta]\nregion = "fujian"\n', "[meta]\n" + "\n".join([
        f'name = "{info["name"]}"', 'region = "fujian"', f'title = {_json(info["title"])}',
        'description = ' + _json("Published Fujian 2021 figures on the national assumptions; see the header for what "
                                  "is published, assumed and not found."),
        "sources = [", *(f"  {_json(s)}," for s in info["sources"]), "]"]) + "\n", 1)
    assert f'name = "{info["name"]}"' in text
    text = _put(text, "initial", [f"note = {_toml_str(info['initial_note'])}"])
    text = _put(text, "economy", [f"note = {_toml_str(info['economy_note'])}"])
    if fund == "public_sector_pension":
        floor = result.scenario.subsidy.floor_months
        text = _put(text, "subsidy", [f"floor_months = {float(floor)!r}", f"note = {_toml_str(info['subsidy_note'])}"])
    return text


def _json(s: str) -> str:
    import json

    return json.dumps(s, ensure_ascii=False)


def write_scenarios(folder: str | Path | None = None) -> list[Path]:
    """(Re)build and write ``fujian_<fund>_2021.toml`` for both employee pension schemes; returns the paths."""
    import sibrisk
    from sibrisk.scenario import shipped_scenarios_dir

    folder = Path(folder) if folder else shipped_scenarios_dir()
    out = []
    for fund in NATIONAL:
        result, actuals = rebase_fujian(fund)
        path = folder / f"{NOTES[fund]['name']}.toml"
        path.write_text(scenario_file_text(fund, result, actuals), encoding="utf-8")
        sc = sibrisk.load_scenario(path)  # the file written loads and projects as the re-based scenario
        a = sibrisk.project(sc, keep_detail=False).sel(year=BASE_YEAR)
        b = sibrisk.project(result.scenario, keep_detail=False).sel(year=BASE_YEAR)
        for v in ("fund_balance", "total_income", "total_expenditure", "contributors", "beneficiaries"):
            if abs(float(a[v]) / float(b[v]) - 1) > 1e-9:
                raise AssertionError(f"{path.name}: {v} {float(a[v])} != re-based {float(b[v])}")
        out.append(path)
    return out


def backtest(scenario, fund: str, region: str = "fujian") -> list[dict]:
    """Published counts after the base year (month-end quick reports, year-end rows where there are any) against
    the scenario's projection: the projection's year-end values interpolated linearly to the month's end (the
    scenario's year-end y - 1 to year-end y). Rows: period, item, published, projected, projected / published - 1."""
    import sibrisk

    ds = sibrisk.project(scenario, keep_detail=False)
    base = int(ds.year.values[0])
    rows = []
    for f in load_published(region):
        if f.region != region or f.fund != fund or f.year <= base or f.item not in ITEM_VARIABLES:
            continue
        var = projected(ds, f.item)
        if f.period in ("year", "year_end"):
            proj = float(var.sel(year=f.year))
        else:
            month = int(f.period.split("-")[1])
            lo, hi = float(var.sel(year=f.year - 1)), float(var.sel(year=f.year))
            proj = lo + (hi - lo) * month / 12.0
        rows.append({"period": f.period, "item": f.item, "published": f.value, "projected": proj,
                     "gap": proj / f.value - 1.0, "source_id": f.source_id})
    return sorted(rows, key=lambda r: (r["item"], r["period"]))


PREFECTURE = "prefecture_enterprise_pension_2024"


def prefecture_rebased(execution_dir: str | Path | None = None):
    """The ILLUSTRATIVE prefecture (invented 2024 accounts in ``scenarios/execution/prefecture_2024_*.csv``) re-based
    from the national enterprise scenario, the way ``sibrisk rebase --region prefecture`` does it: (``Rebased``, the
    ``actuals``)."""
    import sibrisk
    from sibrisk.performance import load_budget, load_execution
    from sibrisk.rebasing import actuals_from_accounts, rebase
    from sibrisk.scenario import shipped_scenarios_dir

    folder = Path(execution_dir) if execution_dir else shipped_scenarios_dir() / "execution"
    actuals = actuals_from_accounts(load_budget(folder / "prefecture_2024_budget.csv"),
                                    load_execution(folder / "prefecture_2024_execution.csv"))
    return rebase(sibrisk.load_scenario("enterprise_pension_national"), actuals, region="prefecture"), actuals


def prefecture_file_text(result) -> str:
    """The ILLUSTRATIVE prefecture's scenario file (``rebased_file_text``, extending the national file by name)."""
    from sibrisk.rebasing import rebased_file_text
    from sibrisk.scenario import find_scenario

    national = find_scenario("enterprise_pension_national")
    text = rebased_file_text(result, national)
    text = text.replace(f"extends = {_json(str(national.resolve()))}", f'extends = "{national.name}"', 1)
    assert f'extends = "{national.name}"' in text
    head = ["# ILLUSTRATIVE scenario, NOT REAL: an invented prefecture (地级市) re-based on invented 2024 accounts",
            "# (scenarios/execution/prefecture_2024_budget.csv and _execution.csv: income 320 亿 of which subsidy 55 亿,",
            "# expenditure 300 亿, year-end balance 180 亿, 150 万 contributing workers, 60 万 retirees). Built by",
            "# `python -m sibrisk.regions_data` (sibrisk.regions_data.prefecture_rebased); named by",
            "# scenarios/goals/prefecture_2024.toml; shown in notebooks/07_region.ipynb.", "#"]
    text = "\n".join(head) + "\n" + text
    return text.replace('[meta]\nregion = "prefecture"\n', "[meta]\n" + "\n".join([
        f'name = "{PREFECTURE}"', 'region = "prefecture"',
        'title = "Enterprise employee basic pension, an ILLUSTRATIVE prefecture re-based on invented 2024 accounts"',
        'description = "ILLUSTRATIVE: invented accounts on the national assumptions (sibrisk.rebase, region = prefecture)."'])
        + "\n", 1)


def write_prefecture(folder: str | Path | None = None) -> Path:
    import sibrisk
    from sibrisk.scenario import shipped_scenarios_dir

    folder = Path(folder) if folder else shipped_scenarios_dir()
    result, _ = prefecture_rebased()
    path = folder / f"{PREFECTURE}.toml"
    path.write_text(prefecture_file_text(result), encoding="utf-8")
    a = sibrisk.project(sibrisk.load_scenario(path), keep_detail=False).sel(year=result.year)
    b = sibrisk.project(result.scenario, keep_detail=False).sel(year=result.year)
    for v in ("fund_balance", "total_income", "total_expenditure", "contributors", "beneficiaries"):
        if abs(float(a[v]) / float(b[v]) - 1) > 1e-9:
            raise AssertionError(f"{path.name}: {v} {float(a[v])} != re-based {float(b[v])}")
    return path


if __name__ == "__main__":  # python -m sibrisk.regions_data [folder]
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else None
    for p in [*write_scenarios(target), write_prefecture(target)]:
        print(f"wrote {p}")
