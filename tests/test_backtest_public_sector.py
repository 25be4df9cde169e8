"""Public-sector pension (机关事业单位基本养老保险) after its 2021 base year (issue 18): no national figure of the scheme
alone is found for 2022-2025, so its back-test is the urban employee rows of the enterprise pension's BACKTEST
(referenced, not copied) with this scheme's part shown, and its derived 2021 fiscal subsidy is checked against the
published 2019 subsidy of both employee schemes."""

import pytest

import sibrisk
from sibrisk.funds.enterprise_pension.calibration import BACKTEST as EMPLOYEE_BACKTEST
from sibrisk.funds.public_sector_pension import calibration as cal


@pytest.fixture(scope="module")
def projections():
    return {f: sibrisk.project(sibrisk.load_scenario(f"{f}_national"), keep_detail=False)
            for f in ("enterprise_pension", "public_sector_pension")}


def test_referenced_rows_are_the_urban_employee_rows_not_copies():
    rows = cal.referenced_rows()
    assert [r["item"] for r in rows] == [r["item"] for r in EMPLOYEE_BACKTEST if r["scope"] == "urban_employee"]
    assert all(any(r is b for b in EMPLOYEE_BACKTEST) for r in rows)  # the same objects, not copies
    assert cal.BACKTEST == []  # no own row: nothing of this scheme alone after 2021 was found in a citable copy


def test_backtest_table_within_tolerance_and_the_public_part_by_hand(projections):
    """Urban employee participants 2022 / 2023 (50,355 / 52,121 万, NBS 2023 communiqué) and retirees (13,644 /
    14,196 万) within 5%: measured -2.4% / -3.7% and +1.2% / +1.8%. This scheme's part is its contributors +
    non-contributing insured + retirees (participants) or its retirees."""
    ent, pub = projections["enterprise_pension"], projections["public_sector_pension"]
    table = cal.backtest_table(pub, ent)
    assert len(table) == 4 and set(table.year) == {2022, 2023}
    assert table.within.all(), table[["item", "difference"]]
    assert (table.tolerance == cal.BACKTEST_TOLERANCE).all()
    part = lambda d, y: float((d.contributors + d.insured_not_contributing + d.beneficiaries).sel(year=y))  # noqa: E731
    row = table[table.item.str.contains("participants") & (table.year == 2023)].iloc[0]
    assert row.public_sector == pytest.approx(part(pub, 2023) / 1e4, abs=0.05)
    assert row.projected == pytest.approx((part(pub, 2023) + part(ent, 2023)) / 1e4, abs=0.05)
    ret = table[table.item.str.contains("retirees") & (table.year == 2022)].iloc[0]
    assert ret.public_sector == pytest.approx(float(pub.beneficiaries.sel(year=2022)) / 1e4, abs=0.05)
    # 2021: 5,846 of 48,074 万 participants (12.2%) and 1,719 of 13,157 万 retirees (13.1%) are this scheme's
    assert 0.11 < table.public_share.min() and table.public_share.max() < 0.135


def test_derived_2021_subsidy_against_the_2019_final_accounts(projections):
    """The public-sector subsidy is the gap the budget fills (gap_to_floor): 4,428 亿 in 2021, 27% of the scheme's
    income. With the enterprise default's 6,500 亿 both schemes receive 10,926 亿, 5.9% above the 10,318.66 亿 of the
    2019 final accounts (two years of pension indexation at 5% and 4.5% and more retirees: +5.9% is at the low end)."""
    pub = projections["public_sector_pension"].sel(year=2021)
    ent = projections["enterprise_pension"].sel(year=2021)
    assert float(pub.fiscal_subsidy) / 1e8 == pytest.approx(4428, abs=1)
    assert float(pub.fiscal_subsidy / pub.total_income) == pytest.approx(0.269, abs=0.001)
    both = float(pub.fiscal_subsidy + ent.fiscal_subsidy)
    assert 1.0 < both / cal.URBAN_EMPLOYEE_SUBSIDY_2019["value"] < 1.15
    assert both / cal.URBAN_EMPLOYEE_SUBSIDY_2019["value"] == pytest.approx(1.059, abs=0.001)


def test_transition_and_annuity_scope_of_the_default():
    """The 2014 reform's transition runs to 2024-09-30 (calendar 2024 counted inside it) and the occupational annuity
    (职业年金) is outside the fund: the default's transition ends with 2024 and no annuity flow is modelled."""
    sc = sibrisk.load_scenario("public_sector_pension_national")
    assert sc.transition.end_year == 2024 and sc.benefits.deemed_service_end_year == 2014
    assert float(sc.series("transition.excess_share")[sc.years.tolist().index(2024)]) == 1.0
    assert "职业年金" in sc.meta.description + open(sc.source, encoding="utf-8").read()
