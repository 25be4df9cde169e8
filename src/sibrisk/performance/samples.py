"""ILLUSTRATIVE sample budgets and execution data (NOT real data) for the example province in ``scenarios/goals/``.

Besides the enterprise pension of three regions, region A also has an employee medical (2025) and an unemployment
(2024) budget and execution, for the goal sets of those funds.

``write_samples(folder)`` regenerates every file of ``scenarios/execution/``: for three regions of an invented
"Example Province" (示例省), the 2024 budget of the enterprise employee pension fund, its monthly execution (one
region up to June only, one region quarterly in an xlsx workbook), last year's monthly execution of region A
(for the seasonal projection) and the assessment files of values entered after the year. The amounts are invented,
sized roughly like the regions' illustrative projections (``scenarios/goals/region_*.toml``), and shaped by
invented monthly profiles; nothing here is a published figure.
"""

from __future__ import annotations

from pathlib import Path

HEADER = ("# ILLUSTRATIVE DATA, NOT REAL: invented by sibrisk.performance.samples.write_samples for the example "
          "province.\n# Money in 万元 (1e4 yuan); persons in 人.\n")

# Budget 2024 (万元; insured persons in 人): invented, near each region's illustrative projection for 2024.
BUDGETS = {
    "region_a": {"year": 2024, "contribution_income": 5_900_000, "fiscal_subsidy": 1_460_000, "interest_income": 230_000,
                 "other_income": 20_000, "benefit_expenditure": 6_530_000, "other_expenditure": 10_000,
                 "insured_persons": 5_050_000, "opening_balance": 10_400_000},
    "region_b": {"year": 2024, "contribution_income": 3_400_000, "fiscal_subsidy": 1_150_000, "interest_income": 40_000,
                 "other_income": 10_000, "benefit_expenditure": 4_500_000, "other_expenditure": 5_000,
                 "insured_persons": 2_950_000, "opening_balance": 3_000_000},
    "region_c": {"year": 2024, "contribution_income": 2_030_000, "fiscal_subsidy": 440_000, "interest_income": 110_000,
                 "other_income": 5_000, "benefit_expenditure": 1_970_000, "other_expenditure": 3_000,
                 "insured_persons": 1_680_000, "opening_balance": 4_300_000},
}
# Region A's budgets for two more funds (万元; persons in 人), invented near its illustrative projections
# (scenarios/goals/region_a_2025_employee_medical.toml, region_a_2024_unemployment.toml): medical contributions are
# paid monthly and evenly; the unemployment fund's job-stabilisation refunds (other expenditure) are paid mid-year.
BUDGETS["region_a_employee_medical"] = {
    "year": 2025, "contribution_income": 1_440_000, "fiscal_subsidy": 2_000, "interest_income": 49_000,
    "other_income": 1_000, "benefit_expenditure": 1_240_000, "other_expenditure": 2_000,
    "insured_persons": 2_320_000, "opening_balance": 2_373_000}
BUDGETS["region_a_unemployment"] = {
    "year": 2024, "contribution_income": 109_000, "fiscal_subsidy": 500, "interest_income": 5_200,
    "other_income": 300, "benefit_expenditure": 51_500, "other_expenditure": 41_800,
    "insured_persons": 1_480_000, "opening_balance": 251_500}
# Invented outcomes: full-year actual / budget per item, and the collection rate (collected / due).
OUTCOMES = {
    "region_a": {"income": 1.012, "fiscal_subsidy": 1.0, "expenditure": 0.995, "insured": 1.004, "collection": 0.962},
    "region_b": {"income": 0.93, "fiscal_subsidy": 0.82, "expenditure": 1.04, "insured": 0.975, "collection": 0.905},
    "region_c": {"income": 0.985, "fiscal_subsidy": 1.0, "expenditure": 0.99, "insured": 1.001, "collection": 0.948},
    "region_a_employee_medical": {"income": 1.006, "fiscal_subsidy": 1.0, "expenditure": 1.035, "insured": 0.998,
                                  "collection": 0.975},
    "region_a_unemployment": {"income": 0.97, "fiscal_subsidy": 1.0, "expenditure": 1.12, "insured": 1.01,
                              "collection": 0.93},
}
# Invented monthly profiles (shares of the year): contributions peak in December, dip at the Spring Festival;
# subsidies arrive in quarterly instalments; benefits are paid monthly with the annual increase back-paid in July.
CONTRIB = [0.080, 0.068, 0.080, 0.082, 0.082, 0.085, 0.083, 0.082, 0.083, 0.085, 0.085, 0.105]
SUBSIDY = [0.0, 0.0, 0.20, 0.0, 0.0, 0.25, 0.0, 0.0, 0.25, 0.0, 0.0, 0.30]
BENEFIT = [0.081, 0.081, 0.081, 0.081, 0.081, 0.081, 0.098, 0.083, 0.083, 0.083, 0.083, 0.084]
EVEN = [1 / 12] * 12
COLUMNS = ("period", "contribution_income", "fiscal_subsidy", "interest_income", "other_income",
           "benefit_expenditure", "other_expenditure", "insured_persons", "contribution_due")


def _monthly(region: str, year: int, scale: float = 1.0, late_subsidy: bool = False, contrib=CONTRIB,
             benefit=BENEFIT) -> list[list]:
    b, o = BUDGETS[region], OUTCOMES[region]
    sub = list(SUBSIDY)
    if late_subsidy:  # region B: instalments arrive late and short
        sub = [0.0, 0.0, 0.10, 0.0, 0.0, 0.15, 0.0, 0.0, 0.30, 0.0, 0.0, 0.45]
    start, end = b["insured_persons"] * 0.985 * scale, b["insured_persons"] * o["insured"] * scale
    rows = []
    for m in range(12):
        ci = b["contribution_income"] * o["income"] * contrib[m] * scale
        rows.append([f"{year}-{m + 1:02d}", round(ci, 1),
                     round(b["fiscal_subsidy"] * o["fiscal_subsidy"] * sub[m] * scale, 1),
                     round(b["interest_income"] * o["income"] * EVEN[m] * scale, 1),
                     round(b["other_income"] * EVEN[m] * scale, 1),
                     round(b["benefit_expenditure"] * o["expenditure"] * benefit[m] * scale, 1),
                     round(b["other_expenditure"] * EVEN[m] * scale, 1),
                     round(start + (end - start) * (m + 1) / 12), round(ci / o["collection"], 1)])
    return rows


def _quarterly(rows: list[list]) -> list[list]:
    out = []
    for q in range(4):
        chunk = rows[3 * q:3 * q + 3]
        year = chunk[0][0][:4]
        out.append([f"{year}-Q{q + 1}", *(round(sum(r[j] for r in chunk), 1) for j in range(1, 7)), chunk[-1][7],
                    round(sum(r[8] for r in chunk), 1)])
    return out


def _csv(rows, header) -> str:
    return HEADER + ",".join(header) + "\n" + "\n".join(",".join(str(x) for x in r) for r in rows) + "\n"


def budget_rows(region: str) -> list[list]:
    return [[k, v] for k, v in BUDGETS[region].items()]


def write_xlsx(path: Path, budget: list[list], execution: list[list]) -> None:
    """A workbook with sheets ``budget`` and ``execution`` (the layout ``execution.load_budget``/``load_execution``
    read), each starting with the ILLUSTRATIVE comment line."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "budget"
    ws.append(["# ILLUSTRATIVE DATA, NOT REAL (sibrisk.performance.samples); money in 万元, persons in 人"])
    ws.append(["item", "amount"])
    for r in budget:
        ws.append(r)
    ws2 = wb.create_sheet("execution")
    ws2.append(["# ILLUSTRATIVE DATA, NOT REAL (sibrisk.performance.samples); money in 万元, persons in 人"])
    ws2.append(list(COLUMNS))
    for r in execution:
        ws2.append(r)
    wb.save(path)


def write_samples(folder: str | Path) -> list[Path]:
    """(Re)write every sample file of ``scenarios/execution/``; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []

    def put(name, text):
        p = folder / name
        p.write_text(text, encoding="utf-8")
        out.append(p)

    for region in ("region_a", "region_b"):
        put(f"{region}_2024_budget.csv", _csv(budget_rows(region), ("item", "amount")))
    a = _monthly("region_a", 2024)
    put("region_a_2024_execution.csv", _csv(a, COLUMNS))
    put("region_a_2023_execution.csv", _csv(_monthly("region_a", 2023, scale=0.955), COLUMNS))
    b = _monthly("region_b", 2024, late_subsidy=True)
    put("region_b_2024_execution.csv", _csv(b, COLUMNS))
    put("region_b_2024_execution_to_june.csv", _csv(b[:6], COLUMNS))
    put("region_a_2025_employee_medical_budget.csv", _csv(budget_rows("region_a_employee_medical"), ("item", "amount")))
    put("region_a_2025_employee_medical_execution.csv",
        _csv(_monthly("region_a_employee_medical", 2025, contrib=EVEN, benefit=EVEN), COLUMNS))
    put("region_a_2024_unemployment_budget.csv", _csv(budget_rows("region_a_unemployment"), ("item", "amount")))
    put("region_a_2024_unemployment_execution.csv", _csv(_monthly("region_a_unemployment", 2024, contrib=EVEN), COLUMNS))
    xlsx = folder / "region_c_2024.xlsx"
    write_xlsx(xlsx, budget_rows("region_c"), _quarterly(_monthly("region_c", 2024)))
    out.append(xlsx)
    return out


if __name__ == "__main__":  # python -m sibrisk.performance.samples [folder]
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "scenarios" / "execution"
    for p in write_samples(target):
        print(f"wrote {p}")
