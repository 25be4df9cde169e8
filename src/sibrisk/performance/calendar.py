"""The calendar of performance-management deadlines after a budget year: what is due, when, from whom, to whom.

For the budget year Y (dates fall in Y + 1):

- 31 January: each city/prefecture (市（州）) finance department compiles last year's monitoring reports and sends
  them to the provincial finance, human resources and social security, healthcare security and tax departments
  (Sichuan Art. 13; the national measures set no date for monitoring reports).
- 31 May: each pooling region's self-evaluation (table and report) per fund to the provincial level (national
  Art. 18; Sichuan Art. 17: 上年度统筹地区自评工作需在每年5月底前完成).
- 10 July (Sichuan): the provincial evaluation report per fund to the provincial finance department (Sichuan
  Art. 17: 上年度省级绩效评价报告应于每年7月10日前送财政厅).
- 31 July: the province's evaluation report to the central level (national Art. 18; Sichuan Art. 17: 财政厅于7月底前
  完成汇总并上报).

``rules="national"`` keeps the national deadlines only (31 May, 31 July).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sibrisk.errors import InputError

NATIONAL = "社会保险基金预算绩效管理办法 (财社〔2022〕65号)"
SICHUAN = "四川省社会保险基金预算绩效管理实施办法"


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    what_zh: str
    what_en: str
    who_zh: str
    who_en: str
    to_zh: str
    to_en: str
    basis: str

    def text(self, lang: str = "zh") -> tuple[str, str, str]:
        return (self.what_zh, self.who_zh, self.to_zh) if lang == "zh" else (self.what_en, self.who_en, self.to_en)


def deadlines(budget_year: int, rules: str = "sichuan") -> list[Deadline]:
    """Deadlines for the performance management of budget year ``budget_year``, in date order."""
    if rules not in ("sichuan", "national"):
        raise InputError("rules must be 'sichuan' or 'national'", field="rules", value=rules)
    y = int(budget_year) + 1
    out = [
        Deadline(dt.date(y, 5, 31), "上年度绩效自评表和自评报告（分险种）", "self-evaluation table and report for last year, "
                 "per fund", "各统筹地区（社保经办机构商税务部门实施，财政部门牵头）",
                 "each pooling region (agency with the tax department; finance department leads)", "省级层面",
                 "provincial level", f"{NATIONAL} Art. 18" + (f"; {SICHUAN} Art. 17" if rules == "sichuan" else "")),
        Deadline(dt.date(y, 7, 31), "上年度本省绩效评价报告", "the province's evaluation report for last year",
                 "省级财政部门（汇总）", "provincial finance department (compiles)", "中央层面（财政部等）",
                 "central level (Ministry of Finance et al.)",
                 f"{NATIONAL} Art. 18" + (f"; {SICHUAN} Art. 17" if rules == "sichuan" else "")),
    ]
    if rules == "sichuan":
        out += [
            Deadline(dt.date(y, 1, 31), "上年运行监控情况报告汇总", "compiled monitoring reports for last year",
                     "各市（州）财政部门", "each city/prefecture finance department",
                     "财政厅、人力资源社会保障厅、省医保局、省税务局",
                     "provincial finance, HR and social security, healthcare security and tax departments",
                     f"{SICHUAN} Art. 13"),
            Deadline(dt.date(y, 7, 10), "上年度省级绩效评价报告（分险种）", "provincial evaluation report for last year, "
                     "per fund", "省级社保经办机构（商省税务局，省级社会保险行政部门指导）",
                     "provincial agency (with the provincial tax bureau, guided by the provincial department)",
                     "财政厅", "provincial finance department", f"{SICHUAN} Art. 17"),
        ]
    return sorted(out, key=lambda d: d.date)


def upcoming(today: dt.date, rules: str = "sichuan") -> list[tuple[int, Deadline]]:
    """Deadlines on or after ``today`` within a year, as (budget year, deadline), soonest first."""
    items = [(y, d) for y in (today.year - 1, today.year) for d in deadlines(y, rules) if d.date >= today]
    return sorted(items, key=lambda x: x[1].date)[:len(deadlines(today.year, rules))]
