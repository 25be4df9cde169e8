"""Reports: the monitoring report, the self-evaluation table (xlsx) and report, and the province report.

Labels are bilingual (``lang="zh"``, the default, or ``"en"``; one table, ``LABELS``). A report is built once as a
list of blocks (heading, paragraph, table, image) and rendered to Markdown or to a self-contained HTML page (charts
inlined), so both formats say the same thing. Charts use matplotlib; Chinese text goes on a chart only when a CJK
font is installed (``sibrisk.plots.cjk_font``), otherwise the chart falls back to English labels (no missing-glyph
boxes).

Every function here returns bytes or text; nothing writes files (``cli`` writes everything at once, atomically).

The self-evaluation table follows the columns of published pooling-region tables (绩效自评表, national Art. 18,
Sichuan Art. 18): dimension (一级指标), sub-aspect (二级指标), indicator (三级指标), target, actual, weight (分值),
score (得分), deviation, reasons and measures for missed or strongly deviating indicators.
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass

from sibrisk.performance import library as lib
from sibrisk.performance.scoring import DIRECTION_ZH, SCORING_RULES

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    "monitoring_title": ("社会保险基金预算绩效运行监控报告", "Budget performance monitoring report"),
    "evaluation_title": ("社会保险基金预算绩效自评报告", "Budget performance self-evaluation report"),
    "table_title": ("社会保险基金预算绩效自评表", "Budget performance self-evaluation table"),
    "province_title": ("社会保险基金预算绩效省级评价报告", "Provincial budget performance evaluation report"),
    "fund": ("险种", "Fund"), "region": ("统筹地区", "Pooling region"), "province": ("省份", "Province"),
    "year": ("年度", "Year"), "as_of": ("数据截至", "Data as of"), "time_progress": ("时间进度", "Time progress"),
    "method": ("年终预计方法", "Year-end projection method"), "overall_level": ("总体监控等级", "Overall level"),
    "dimension": ("一级指标", "Dimension"), "sub_aspect": ("二级指标", "Sub-aspect"),
    "indicator": ("三级指标", "Indicator"), "id": ("指标代码", "Indicator id"), "unit": ("单位", "Unit"),
    "direction": ("方向", "Direction"), "target": ("目标值", "Target"), "actual": ("实际完成值", "Actual"),
    "to_date": ("累计完成值", "Value to date"), "gap": ("与时间进度差（百分点）", "Gap to time progress (pp)"),
    "projected": ("预计全年完成值", "Projected year-end"), "level": ("监控等级", "Level"),
    "rules_fired": ("触发规则", "Rules fired"), "weight": ("分值", "Weight"), "score": ("得分", "Score"),
    "deviation": ("偏差（%）", "Deviation (%)"), "met": ("是否完成", "Met"), "source": ("数据来源", "Data source"),
    "scoring_rule": ("评分规则", "Scoring rule"), "reason": ("未完成原因", "Reasons"),
    "measures": ("改进措施", "Improvement measures"), "total": ("总分", "Total score"), "grade": ("评价等级", "Grade"),
    "listed": ("未完成或偏离较大的指标", "Indicators missed or strongly deviating"),
    "listed_note": ("对未完成绩效目标或偏离绩效目标较大的，应分析并说明原因，研究提出改进措施（《办法》第十八条）。",
                    "Goals missed or strongly deviated from must be explained, with improvement measures (national "
                    "measures Art. 18)."),
    "none_listed": ("无。", "None."), "yes": ("是", "yes"), "no": ("否", "no"),
    "by_dimension": ("分维度得分", "Scores by dimension"), "goals": ("绩效目标", "Performance goals"),
    "overall_goals": ("总体目标", "Overall goals"), "annual_goals": ("年度目标", "Annual goals"),
    "results": ("指标完成情况", "Indicator results"), "inputs": ("输入文件", "Input files"),
    "thresholds": ("预警阈值", "Level thresholds"),
    "thresholds_default": ("阈值为默认值（模型假设，《办法》未规定具体数值，省级可另行配置）。",
                           "Thresholds are the defaults (ASSUMPTIONS: the measures give no numbers; a province can "
                           "configure its own)."),
    "thresholds_custom": ("阈值由省级配置文件设定：", "Thresholds set by the province's file: "),
    "rule": ("规则", "Rule"), "not_monitored": ("年度终了后填报，不监控", "entered after the year (not monitored)"),
    "ranking": ("排名", "Rank"), "scores_side_by_side": ("各地区得分对比", "Scores side by side"),
    "under_warning": ("处于警示或纠偏等级的地区", "Regions at warning or correction"),
    "own_evaluation": ("省级评价（按各地区预算及执行数汇总计算）",
                       "The province's own evaluation (from the sums of its regions' budgets and execution)"),
    "calendar": ("工作时间表", "Calendar"), "date": ("日期", "Date"), "what": ("事项", "What is due"),
    "who": ("报送单位", "Who"), "to": ("报送对象", "To whom"), "basis": ("依据", "Basis"),
    "totals": ("全省合计（各地区之和）", "Province totals (sum of the regions)"),
    "item": ("项目", "Item"), "budget": ("预算数", "Budget"), "executed": ("执行数", "Executed"),
    "chart_eval": ("各指标得分与分值", "Score and weight by indicator"),
    "chart_monitor": ("执行进度与时间进度", "Execution progress against time progress"),
    "chart_province": ("各地区总分", "Total score by region"),
    "wan_yuan": ("万元", "10k yuan"),
    "avse": ("实际与预测对比（数量因素与价格因素）", "Actual versus expected (volume and price effects)"),
    "avse_note": ("各项收支决算数与该年预测数之差，分解为数量因素（缴费人数、待遇领取人数）与价格因素（人均缴费、人均待遇）："
                  "数量因素＝（实际人数－预测人数）×预测人均额，价格因素＝实际人数×（实际人均额－预测人均额），两者之和等于差额；"
                  "执行数据无人数的项目只列差额。偏差5%以上的列出其背后的假设（《办法》第十八条：分析偏离原因）。",
                  "Each flow's actual amount against the projection for the year, split into a volume effect "
                  "(contributors, beneficiaries) and a price effect (contribution per contributor, average benefit): "
                  "volume = (actual - expected count) x expected amount per person, price = actual count x (actual - "
                  "expected amount per person); the two add up to the gap. Flows without counts in the execution "
                  "data show the gap only. Gaps of 5% or more list the assumptions behind them (national measures "
                  "Art. 18: analyse the causes of deviations)."),
    "flow": ("项目", "Flow"), "expected": ("预测数（亿元）", "Expected (100m yuan)"),
    "actual_yi": ("实际数（亿元）", "Actual (100m yuan)"), "gap_yi": ("差额（亿元）", "Gap (100m yuan)"),
    "gap_pct": ("差额（%）", "Gap (%)"), "volume_effect": ("数量因素（亿元）", "Volume effect (100m yuan)"),
    "price_effect": ("价格因素（亿元）", "Price effect (100m yuan)"),
    "assumption": ("相关假设（偏差较大时）", "Assumptions behind a large gap"),
}

DIRECTION_EN = {"at_least": ">=", "at_most": "<=", "equal": "=", "range": "range", "grade": "grade"}
ITEM_NAMES = {
    "contribution_income": ("社会保险费收入", "Contribution income"), "fiscal_subsidy": ("财政补助收入", "Fiscal subsidy"),
    "interest_income": ("利息收入", "Interest income"), "other_income": ("其他收入", "Other income"),
    "benefit_expenditure": ("社会保险待遇支出", "Benefit expenditure"),
    "other_expenditure": ("其他支出", "Other expenditure"), "insured_persons": ("参保人数（人）", "Insured persons"),
    "contribution_due": ("应征缴费（万元）", "Contributions due"),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        from sibrisk.errors import InputError

        raise InputError("language must be 'zh' or 'en'", field="lang", value=lang)
    return lang


def t(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def level_name(level: str | None, lang: str) -> str:
    if level is None:
        return "—"
    from sibrisk.performance.monitoring import LEVEL_NAMES

    zh, en = LEVEL_NAMES[level]
    return zh if lang == "zh" else en


def grade_name(g: str, lang: str) -> str:
    return g if lang == "zh" else lib.GRADE_EN[g]


def dim_name(d: str, lang: str) -> str:
    zh, en = lib.DIMENSIONS[d]
    return zh if lang == "zh" else en


def unit_name(u: str, lang: str) -> str:
    return u if lang == "zh" else lib.UNIT_EN.get(u, u)


def fmt(x, digits: int = 2) -> str:
    """A number for a report (thousands separators, fixed decimals); grades and text as they are."""
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    if isinstance(x, tuple):
        return f"[{fmt(x[0], digits)}, {fmt(x[1], digits)}]"
    if isinstance(x, float) and math.isinf(x):
        return "—"  # a relative deviation from a target of 0: not defined
    return f"{x:,.{digits}f}"


def value_text(v, lang: str) -> str:
    if isinstance(v, str) and v in lib.GRADES:
        return grade_name(v, lang)
    return fmt(v)


def target_text(goal, lang: str) -> str:
    d = goal.direction
    if d == "grade":
        return ("≥" if lang == "zh" else ">= ") + grade_name(goal.target, lang)
    if d == "range":
        return fmt(goal.target)
    sym = DIRECTION_ZH[d] if lang == "zh" else DIRECTION_EN[d] + " "
    return f"{sym}{fmt(goal.target)}"


def rule_text(goal, lang: str) -> str:
    r = SCORING_RULES[goal.scoring.rule]
    s = r.label_zh if lang == "zh" else r.label_en
    if goal.scoring.bands:
        s += " " + "; ".join(f"≤{d:g}{'%' if goal.scoring.basis == 'relative' else ''}→{x:g}"
                             for d, x in goal.scoring.bands)
    return s


# ------------------------------------------------------------------------------------------------ document model
@dataclass
class Block:
    kind: str  # "h1", "h2", "p", "table", "image"
    content: object
    extra: object = None  # table: header; image: file name


class Document:
    def __init__(self, title: str):
        self.title = title
        self.blocks: list[Block] = [Block("h1", title)]
        self.images: dict[str, bytes] = {}

    def h2(self, text): self.blocks.append(Block("h2", text))

    def p(self, text): self.blocks.append(Block("p", text))

    def table(self, header, rows): self.blocks.append(Block("table", [list(map(str, r)) for r in rows],
                                                             [str(h) for h in header]))

    def image(self, name: str, png: bytes, alt: str):
        self.images[name] = png
        self.blocks.append(Block("image", alt, name))

    def markdown(self) -> str:
        out = []
        for b in self.blocks:
            if b.kind == "h1":
                out.append(f"# {b.content}\n")
            elif b.kind == "h2":
                out.append(f"## {b.content}\n")
            elif b.kind == "p":
                out.append(f"{b.content}\n")
            elif b.kind == "image":
                out.append(f"![{b.content}]({b.extra})\n")
            else:
                esc = [[c.replace("|", "\\|").replace("\n", " ") for c in r] for r in b.content]
                out.append("| " + " | ".join(b.extra) + " |")
                out.append("|" + "---|" * len(b.extra))
                out.extend("| " + " | ".join(r) + " |" for r in esc)
                out.append("")
        return "\n".join(out)

    def html(self) -> str:
        e = html.escape
        out = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8">', f"<title>{e(self.title)}</title>",
               "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;}"
               "table{border-collapse:collapse;margin:1em 0;}td,th{border:1px solid #999;padding:3px 6px;}"
               "th{background:#eee;}img{max-width:100%;}</style>", "</head><body>"]
        for b in self.blocks:
            if b.kind in ("h1", "h2"):
                out.append(f"<{b.kind}>{e(b.content)}</{b.kind}>")
            elif b.kind == "p":
                out.append(f"<p>{e(b.content)}</p>")
            elif b.kind == "image":
                data = base64.b64encode(self.images[b.extra]).decode("ascii")
                out.append(f'<p><img alt="{e(b.content)}" src="data:image/png;base64,{data}"></p>')
            else:
                out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in b.extra) + "</tr>")
                out.extend("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b.content)
                out.append("</table>")
        out.append("</body></html>")
        return "\n".join(out)

    def text(self, fmt_: str) -> str:
        return self.markdown() if fmt_ == "md" else self.html()

    def render(self, fmt_: str, stem: str) -> dict[str, bytes]:
        """The files of this report, by name: ``stem.html`` (charts inlined), or ``stem.md`` with its charts as
        ``stem_<chart>.png`` beside it."""
        if fmt_ not in ("md", "html"):
            from sibrisk.errors import InputError

            raise InputError("report format must be 'md' or 'html'", field="format", value=fmt_)
        if fmt_ == "html":
            return {f"{stem}.html": self.html().encode("utf-8")}
        renamed = Document(self.title)
        renamed.blocks = [Block(b.kind, b.content, f"{stem}_{b.extra}") if b.kind == "image" else b
                          for b in self.blocks]
        renamed.images = {f"{stem}_{k}": v for k, v in self.images.items()}
        return {f"{stem}.md": renamed.markdown().encode("utf-8"), **renamed.images}


_ZH_DIGITS = "零一二三四五六七八九"


def article_zh(n: int) -> str:
    """12 -> 第十二条, 2 -> 第二条, 20 -> 第二十条 (as the measures number their articles)."""
    tens, ones = divmod(int(n), 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else _ZH_DIGITS[tens] + "十")) + (_ZH_DIGITS[ones] if ones else "")
    return f"第{text}条"


_CITE_ZH = {"社会保险基金预算绩效管理办法 (财社〔2022〕65号)": "《社会保险基金预算绩效管理办法》（财社〔2022〕65号）",
            "published self-evaluation tables of pooling regions": "已公开的统筹地区绩效自评表",
            "premium income completion": "社会保险费收入完成", "sustainable operation": "基金可持续运行",
            "target >= 90%": "目标值不低于90%", "target 100%": "目标值100%",
            "MOHRSS/NHSA statistics": "人社部、医保局统计口径", "US SSA Trustees' definition": "美国社会保障信托基金理事会定义"}
_CITE_EN = {"社会保险基金预算绩效管理办法 (财社〔2022〕65号)": "Measures for the Budget Performance Management of Social "
                                                    "Insurance Funds (Cai She [2022] No. 65)"}


def cite(text: str, lang: str) -> str:
    """A library source in the report's language: Chinese cites articles as 第十二条 (``Art. 2, 16`` -> 第二条、第十六条,
    ``Art. 9(4)`` -> 第九条第（四）项); English drops the Chinese glosses in parentheses."""
    import re

    if lang == "zh":
        for en, zh in _CITE_ZH.items():
            text = text.replace(en, zh)

        def arts(m):
            parts = []
            for a in m.group(1).split(","):
                a = a.strip()
                sub = re.match(r"(\d+)\((\d+)\)", a)
                parts.append(article_zh(int(sub.group(1))) + f"第（{_ZH_DIGITS[int(sub.group(2))]}）项" if sub
                             else article_zh(int(a)))
            return "、".join(parts)

        return re.sub(r"Art\. ((?:\d+(?:\(\d+\))?)(?:, \d+(?:\(\d+\))?)*)", arts, text).replace(" (", "（").replace(
            ")", "）").replace("; ", "；")
    for zh, en in _CITE_EN.items():
        text = text.replace(zh, en)
    return re.sub(r" \([^()]*[\u4e00-\u9fff][^()]*\)", "", text)


def value_source_text(row, lang: str) -> str:
    """Where a value came from, in ``lang``; a year-end indicator read from the accounts states its definition."""

    zh, en = row.goal.library.accounts_formula
    src = row.value_source
    if en and src == en:
        return zh if lang == "zh" else en
    return note_text(src, lang)


def _rule_unit(rule: str, lang: str) -> str:
    from sibrisk.performance.monitoring import LEVEL_RULES

    unit = LEVEL_RULES[rule][2]
    return "个百分点" if unit == "pp" and lang == "zh" else unit


def finding_measure(f, unit: str, lang: str) -> str:
    """A monitoring finding's measure with its unit; a target of 0 missed (no relative deviation) shows the miss in
    the indicator's own unit instead."""
    if math.isinf(f.measure) and f.gap is not None:
        return (f"比目标0差{fmt(f.gap)}{unit_name(unit, lang)}（目标为0时任何偏离均达到各级阈值）" if lang == "zh" else
                f"missed a target of 0 by {fmt(f.gap)} {unit_name(unit, lang)} (any miss of a target of 0 reaches "
                f"every threshold)")
    return f"{fmt(f.measure)}{_rule_unit(f.rule, lang)}"


def _goal_name(goalset, goal_id: str, lang: str) -> str:
    try:
        return goalset.indicator(goal_id).name(lang)
    except Exception:  # an id the goal set does not have: show it as it is
        return goal_id


def note_text(src: str, lang: str) -> str:
    """An engine note or data-source tag (``engine.engine_value``) in ``lang``."""
    import re

    if lang != "zh":
        return src
    if src == "budget/execution":
        return "预算及执行数据"
    if src == "assessment":
        return "评价填报"
    m = re.fullmatch(r"projection of scenario (\S+?)(?: with the goal set's (\d+) updates)?", src)
    if m:
        return f"情景 {m.group(1)} 的预测" + (f"（按目标文件调整{m.group(2)}项参数）" if m.group(2) else "")
    m = re.fullmatch(r"(\d+) stochastic scenarios of (\S+?)(?: with the goal set's (\d+) updates)?, seed (\d+)", src)
    if m:
        return (f"情景 {m.group(2)} 的{m.group(1)}个随机情景" + (f"（按目标文件调整{m.group(3)}项参数）" if m.group(3) else "")
                + f"，随机种子{m.group(4)}")
    return src


# ------------------------------------------------------------------------------------------------ charts
def _chart_lang(lang: str) -> str:
    """Chinese on charts only with a CJK font installed; otherwise English, with a warning (the report's text stays
    Chinese)."""
    from sibrisk.plots import cjk_font

    if lang == "zh" and not cjk_font():
        import warnings

        warnings.warn("no CJK font installed (e.g. Debian fonts-noto-cjk): chart labels fall back to English",
                      stacklevel=3)
        return "en"
    return lang


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _figure(width, height):
    from sibrisk import plots

    plots._use_cjk()
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height), constrained_layout=True)


def evaluation_chart(result, lang: str = "zh") -> bytes:
    """Horizontal bars: score earned against the weight of each indicator."""
    cl = _chart_lang(lang)
    rows = result.rows
    fig, ax = _figure(8, 0.45 * len(rows) + 1.5)
    names = [r.goal.name(cl) for r in rows][::-1]
    ax.barh(names, [r.goal.weight for r in rows][::-1], color="#dddddd", label=t("weight", cl))
    ax.barh(names, [r.score for r in rows][::-1], color=["tab:green" if r.met else "tab:red" for r in rows][::-1],
            height=0.5, label=t("score", cl))
    ax.set_xlabel(t("score", cl))
    ax.set_title(f"{t('chart_eval', cl)}: {t('total', cl)} {result.total:.2f} ({grade_name(result.grade, cl)})")
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def monitoring_chart(result, lang: str = "zh") -> bytes | None:
    """Bars: value to date of each budget-flow indicator against the time-progress line."""
    cl = _chart_lang(lang)
    rows = [r for r in result.rows if r.time_progress is not None]
    if not rows:
        return None
    fig, ax = _figure(8, 0.5 * len(rows) + 1.5)
    names = [r.goal.name(cl) for r in rows][::-1]
    colors = {"normal": "tab:green", "prompt": "gold", "warning": "tab:orange", "correction": "tab:red"}
    ax.barh(names, [r.value_to_date for r in rows][::-1], color=[colors[r.level] for r in rows][::-1])
    ax.axvline(rows[0].time_progress, color="black", ls="--", label=f"{t('time_progress', cl)} "
                                                                     f"{rows[0].time_progress:.1f}%")
    ax.set_xlabel("%")
    ax.set_title(f"{t('chart_monitor', cl)} ({result.as_of})")
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def province_chart(view, lang: str = "zh") -> bytes:
    cl = _chart_lang(lang)
    ranked = view.ranking()
    fig, ax = _figure(8, 0.5 * len(ranked) + 1.8)
    names = [r.evaluation.goalset.region_name(cl) for _, r in ranked][::-1]
    ax.barh(names, [r.evaluation.total for _, r in ranked][::-1], color="tab:blue")
    bands = view.regions[0].evaluation.goalset.grading.bands
    for g in lib.GRADES[:-1]:
        ax.axvline(bands[g], color="grey", lw=0.8, ls=":")
        ax.text(bands[g], len(names) - 0.4, grade_name(g, cl), fontsize=8, ha="center")
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("total", cl))
    ax.set_title(t("chart_province", cl))
    return _png(fig)


# ------------------------------------------------------------------------------------------------ common parts
def _header(doc: Document, gs, lang: str):
    doc.table([t("item", lang), ""], [
        (t("fund", lang), gs.fund_name(lang)), (t("region", lang), gs.region_name(lang)),
        (t("year", lang), gs.meta.year)])
    if gs.meta.note:
        doc.p(gs.meta.note)


def _goals(doc: Document, gs, lang: str):
    doc.h2(t("goals", lang))
    for key, goals in (("overall_goals", gs.overall.goals), ("annual_goals", gs.annual.goals)):
        if goals:
            period = f" ({gs.overall.period})" if key == "overall_goals" and gs.overall.period else ""
            doc.p(f"{t(key, lang)}{period}: " + "; ".join(
                (g.text_zh if lang == "zh" or not g.text_en else g.text_en) for g in goals))


def _inputs(doc: Document, inputs: dict, lang: str):
    doc.h2(t("inputs", lang))
    names = {"goals": ("绩效目标文件", "goal set"), "budget": ("预算文件", "budget"), "execution": ("执行数据", "execution"),
             "assessment": ("评价填报文件", "assessment"), "last_year": ("上年执行数据", "last year's execution"),
             "thresholds": ("预警阈值文件", "thresholds")}
    doc.table([t("item", lang), t("source", lang)],
              [(names.get(k, (k, k))[0 if lang == "zh" else 1], v) for k, v in inputs.items() if v])


# ------------------------------------------------------------------------------------------------ monitoring
def monitoring_document(result, lang: str = "zh") -> Document:
    check_lang(lang)
    gs = result.goalset
    doc = Document(f"{gs.region_name(lang)} {gs.meta.year} {gs.fund_name(lang)} {t('monitoring_title', lang)}")
    _header(doc, gs, lang)
    from sibrisk.performance.monitoring import LEVEL_RULES, method_text

    doc.p(f"{t('as_of', lang)}: {result.as_of}; {t('time_progress', lang)}: {100 * result.months / 12:.1f}%; "
          f"{t('method', lang)}: {method_text(result.method, lang)}; "
          f"{t('overall_level', lang)}: {level_name(result.level, lang)}")
    doc.h2(t("results", lang))
    rows = []
    for r in result.rows:
        fired = ("；" if lang == "zh" else "; ").join(
            f"{LEVEL_RULES[f.rule][0 if lang == 'zh' else 1]} {finding_measure(f, r.goal.unit, lang)} "
            f"≥ {fmt(f.threshold)} → {level_name(f.level, lang)}" for f in r.fired)
        rows.append((r.goal.name(lang), unit_name(r.goal.unit, lang), target_text(r.goal, lang),
                     fmt(r.value_to_date), fmt(r.time_progress), fmt(r.progress_gap), fmt(r.projected),
                     note_text(method_text(r.method, lang), lang) if r.method else t("not_monitored", lang),
                     level_name(r.level, lang), fired or "—"))
    doc.table([t(k, lang) for k in ("indicator", "unit", "target", "to_date", "time_progress", "gap", "projected",
                                     "method", "level", "rules_fired")], rows)
    png = monitoring_chart(result, lang)
    if png:
        doc.image("monitoring_progress.png", png, t("chart_monitor", lang))
    doc.h2(t("thresholds", lang))
    th = result.thresholds
    doc.p(t("thresholds_default", lang) if th.is_default else t("thresholds_custom", lang) + (th.source or ""))
    doc.table([t("rule", lang), level_name("prompt", lang), level_name("warning", lang),
               level_name("correction", lang)],
              [(f"{LEVEL_RULES[k][0 if lang == 'zh' else 1]}" + ("（" if lang == "zh" else " (")
                + _rule_unit(k, lang).strip() + ("）" if lang == "zh" else ")"),
                *(fmt(getattr(th, k)[lvl]) for lvl in ("prompt", "warning", "correction"))) for k in LEVEL_RULES])
    _inputs(doc, result.inputs, lang)
    return doc


# ------------------------------------------------------------------------------------------------ evaluation
def evaluation_document(result, lang: str = "zh") -> Document:
    check_lang(lang)
    gs = result.goalset
    doc = Document(f"{gs.region_name(lang)} {gs.meta.year} {gs.fund_name(lang)} {t('evaluation_title', lang)}")
    _header(doc, gs, lang)
    doc.p(f"{t('total', lang)}: {result.total:.2f}; {t('grade', lang)}: {grade_name(result.grade, lang)}")
    _goals(doc, gs, lang)
    doc.h2(t("results", lang))
    doc.table([t(k, lang) for k in ("dimension", "indicator", "unit", "target", "actual", "weight", "score",
                                     "deviation", "scoring_rule", "source")],
              [(dim_name(r.goal.dimension, lang), r.goal.name(lang), unit_name(r.goal.unit, lang),
                target_text(r.goal, lang), value_text(r.value, lang), fmt(r.goal.weight), fmt(r.score),
                fmt(r.deviation), rule_text(r.goal, lang), value_source_text(r, lang)) for r in result.rows])
    doc.image("evaluation_scores.png", evaluation_chart(result, lang), t("chart_eval", lang))
    doc.h2(t("by_dimension", lang))
    doc.table([t("dimension", lang), t("weight", lang), t("score", lang)],
              [(dim_name(d, lang), fmt(w), fmt(s)) for d, (s, w) in result.by_dimension().items()])
    doc.h2(t("listed", lang))
    doc.p(t("listed_note", lang))
    if result.listed:
        doc.table([t(k, lang) for k in ("indicator", "target", "actual", "deviation", "reason", "measures")],
                  [(r.goal.name(lang), target_text(r.goal, lang), value_text(r.value, lang), fmt(r.deviation),
                    r.reason or "", r.measures or "") for r in result.listed])
    else:
        doc.p(t("none_listed", lang))
    if getattr(result, "deviations", None):
        doc.h2(t("avse", lang))
        doc.p(t("avse_note", lang))
        header, rows = deviation_rows(result, lang)
        doc.table(header, [[fmt(c) if isinstance(c, float) else ("—" if c is None else c) for c in r] for r in rows])
    _inputs(doc, result.inputs, lang)
    return doc


def deviation_rows(result, lang: str = "zh") -> tuple[list[str], list[list]]:
    """Actual versus expected by flow, money in 亿元 (one unit per table); None where there is no split."""
    header = [t(k, lang) for k in ("flow", "expected", "actual_yi", "gap_yi", "gap_pct", "volume_effect",
                                   "price_effect", "assumption")]
    yi = lambda x: None if x is None else round(x / 1e8, 6)  # noqa: E731
    rows = [[d.name(lang), yi(d.expected), yi(d.actual), yi(d.gap),
             None if math.isnan(d.gap_percent) else round(d.gap_percent, 6), yi(d.volume_effect), yi(d.price_effect),
             d.assumption(lang) if d.large else ""] for d in result.deviations]
    return header, rows


SELF_EVALUATION_COLUMNS = ("dimension", "sub_aspect", "indicator", "id", "unit", "target", "actual", "weight",
                           "score", "deviation", "met", "scoring_rule", "source", "reason", "measures")
HEADER_ROW = 7  # of the self-evaluation sheet: rows 1-5 the header block, row 6 blank


def self_evaluation_rows(result, lang: str = "zh") -> tuple[list[str], list[list]]:
    """The rows of the self-evaluation table (header, rows); numbers stay numbers (for xlsx)."""
    header = [t(k, lang) for k in SELF_EVALUATION_COLUMNS]
    rows = []
    for r in result.rows:
        g = r.goal
        sub = g.sub_aspect if lang == "zh" or g.sub_aspect != g.library.sub_aspect_zh else g.library.sub_aspect_en
        val = grade_name(r.value, lang) if isinstance(r.value, str) else round(float(r.value), 6)
        dev = None if (isinstance(r.deviation, float) and math.isinf(r.deviation)) else round(r.deviation, 6)
        rows.append([dim_name(g.dimension, lang), sub, g.name(lang), g.id, unit_name(g.unit, lang),
                     target_text(g, lang), val, g.weight, round(r.score, 6), dev, t("yes" if r.met else "no", lang),
                     rule_text(g, lang), cite(g.source or "", lang), r.reason, r.measures])
    return header, rows


def self_evaluation_xlsx(result, lang: str = "zh") -> bytes:
    """The self-evaluation table (绩效自评表) as an xlsx workbook (bytes).

    Sheet 1 (``自评表`` / ``self-evaluation``): rows 1-5 the header block (title, fund, region, year, total and
    grade), row 7 the column header, one row per indicator from row 8, then a total row. Sheet 2 (``未完成说明`` /
    ``missed``): the missed or strongly deviating indicators with columns for reasons and measures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    gs = result.goalset
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表" if lang == "zh" else "self-evaluation"
    ws["A1"] = f"{gs.meta.year} {gs.fund_name(lang)} {t('table_title', lang)}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"], ws["B2"] = t("fund", lang), gs.fund_name(lang)
    ws["A3"], ws["B3"] = t("region", lang), gs.region_name(lang)
    ws["A4"], ws["B4"] = t("year", lang), gs.meta.year
    ws["A5"], ws["B5"], ws["C5"], ws["D5"] = t("total", lang), round(result.total, 6), t("grade", lang), \
        grade_name(result.grade, lang)
    header, rows = self_evaluation_rows(result, lang)
    ws.append([])
    ws.append(header)
    for c in ws[HEADER_ROW]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True)
    for r in rows:
        ws.append(r)
    total_row = HEADER_ROW + 1 + len(rows)
    ws.cell(total_row, 1, t("total", lang)).font = Font(bold=True)
    ws.cell(total_row, 8, sum(r.goal.weight for r in result.rows))
    ws.cell(total_row, 9, round(result.total, 6))
    for col, width in zip("ABCDEFGHIJKLMNO", (8, 12, 24, 22, 8, 12, 12, 7, 8, 10, 6, 24, 30, 30, 30)):
        ws.column_dimensions[col].width = width
    ws2 = wb.create_sheet("未完成说明" if lang == "zh" else "missed")
    ws2.append([t(k, lang) for k in ("id", "indicator", "target", "actual", "deviation", "reason", "measures")])
    for r in result.listed:
        dev = None if math.isinf(r.deviation) else round(r.deviation, 6)
        ws2.append([r.goal.id, r.goal.name(lang), target_text(r.goal, lang),
                    grade_name(r.value, lang) if isinstance(r.value, str) else round(float(r.value), 6), dev,
                    r.reason, r.measures])
    ws3 = wb.create_sheet("绩效目标" if lang == "zh" else "goals")
    ws3.append([t("goals", lang), "", t("indicator", lang)])
    for key, goals in (("overall_goals", gs.overall.goals), ("annual_goals", gs.annual.goals)):
        for g in goals:
            ws3.append([t(key, lang), g.text_zh if lang == "zh" or not g.text_en else g.text_en,
                        ", ".join(g.indicators)])
    if getattr(result, "deviations", None):
        ws4 = wb.create_sheet("实际与预测" if lang == "zh" else "actual_vs_expected")
        header, rows = deviation_rows(result, lang)
        ws4.append(header)
        for r in rows:
            ws4.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ monitoring summary
def monitoring_xlsx(result, lang: str = "zh") -> bytes:
    """The monitoring table as xlsx (one row per indicator), for the yearly compilation (Sichuan Art. 13)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "监控表" if lang == "zh" else "monitoring"
    ws.append([t(k, lang) for k in ("id", "indicator", "unit", "target", "to_date", "time_progress", "gap",
                                     "projected", "level")])
    for r in result.rows:
        ws.append([r.goal.id, r.goal.name(lang), unit_name(r.goal.unit, lang), target_text(r.goal, lang),
                   r.value_to_date, r.time_progress, r.progress_gap, r.projected, level_name(r.level, lang)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ province
def province_document(view, lang: str = "zh") -> Document:
    check_lang(lang)
    doc = Document(f"{view.province_name(lang)} {view.meta.year} {view.fund_name(lang)} {t('province_title', lang)}")
    doc.h2(t("ranking", lang))
    doc.table([t("ranking", lang), t("region", lang), t("total", lang), t("grade", lang), t("level", lang)],
              [(rank, r.evaluation.goalset.region_name(lang), fmt(r.evaluation.total),
                grade_name(r.evaluation.grade, lang), level_name(r.monitoring.level, lang))
               for rank, r in view.ranking()])
    doc.image("province_scores.png", province_chart(view, lang), t("chart_province", lang))
    doc.h2(t("scores_side_by_side", lang))
    df = view.side_by_side()
    names = {}
    for r in view.regions:
        for x in r.evaluation.rows:
            names.setdefault(x.goal.id, x.goal.name(lang))
    if view.own is not None:
        for x in view.own.rows:
            names.setdefault(x.goal.id, x.goal.name(lang))
    names["total"] = t("total", lang)
    cols = list(df.columns)
    col_names = [view.province_name(lang) if c == view.province_name() else
                 next((r.evaluation.goalset.region_name(lang) for r in view.regions if r.name == c), c) for c in cols]
    doc.table([t("indicator", lang), *col_names],
              [(names.get(i, i), *(fmt(v) if v == v else "—" for v in df.loc[i])) for i in df.index])
    doc.h2(t("under_warning", lang))
    uw = view.under_warning()
    if uw:
        doc.table([t("region", lang), t("level", lang), t("indicator", lang)],
                  [(r.evaluation.goalset.region_name(lang), level_name(lvl, lang),
                    ("、" if lang == "zh" else ", ").join(_goal_name(r.evaluation.goalset, i, lang) for i in ids))
                   for r, lvl, ids in uw])
    else:
        doc.p(t("none_listed", lang))
    doc.h2(t("totals", lang))
    items = sorted(set(view.totals.budget) | set(view.totals.actual), key=lambda k: list(ITEM_NAMES).index(k)
                   if k in ITEM_NAMES else 99)
    doc.table([t("item", lang), t("budget", lang), t("executed", lang)],
              [(ITEM_NAMES.get(k, (k, k))[0 if lang == "zh" else 1],
                fmt(_show(k, view.totals.budget.get(k))), fmt(_show(k, view.totals.actual.get(k)))) for k in items])
    doc.p("（金额单位：万元）" if lang == "zh" else "(money in 10k yuan, persons in persons)")
    if view.own is not None:
        doc.h2(t("own_evaluation", lang))
        own = view.own
        doc.p(f"{t('total', lang)}: {own.total:.2f}; {t('grade', lang)}: {grade_name(own.grade, lang)}")
        doc.table([t(k, lang) for k in ("indicator", "target", "actual", "weight", "score", "deviation")],
                  [(r.goal.name(lang), target_text(r.goal, lang), value_text(r.value, lang), fmt(r.goal.weight),
                    fmt(r.score), fmt(r.deviation)) for r in own.rows])
    doc.h2(t("calendar", lang))
    doc.table([t(k, lang) for k in ("date", "what", "who", "to", "basis")],
              [(d.date.isoformat(), *d.text(lang), d.basis) for d in view.calendar])
    return doc


def _show(item: str, v):
    if v is None:
        return None
    return v if item == "insured_persons" else v / 1e4


def province_xlsx(view, lang: str = "zh") -> bytes:
    """Province workbook: a ranking sheet and one self-evaluation sheet per region (and the province)."""
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "排名" if lang == "zh" else "ranking"
    ws.append([t(k, lang) for k in ("ranking", "region", "total", "grade", "level")])
    for rank, r in view.ranking():
        ws.append([rank, r.evaluation.goalset.region_name(lang), round(r.evaluation.total, 6),
                   grade_name(r.evaluation.grade, lang), level_name(r.monitoring.level, lang)])
    results = [(r.evaluation.goalset.region_name(lang), r.evaluation) for r in view.regions]
    if view.own is not None:
        results.append((view.province_name(lang), view.own))
    for name, ev in results:
        src = load_workbook(io.BytesIO(self_evaluation_xlsx(ev, lang))).worksheets[0]
        dst = wb.create_sheet(name[:31])
        for row in src.iter_rows(values_only=True):
            dst.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ reading back
def read_self_evaluation_xlsx(path) -> dict:
    """Read a self-evaluation table written by ``self_evaluation_xlsx`` (either language).

    Returns ``{"lang", "total", "grade", "rows": [{column key: value}]}`` with the column keys of
    ``self_evaluation_rows`` (``id``, ``actual``, ``score``, ``reason``, ``measures``, ...). Raises ``InputError``
    naming the file and cell when the sheet does not have the table's header."""
    from pathlib import Path

    from openpyxl import load_workbook

    from sibrisk.errors import InputError

    p = Path(path)
    try:
        wb = load_workbook(p, data_only=True)
    except Exception as e:  # openpyxl raises several types for a damaged file
        raise InputError(f"not a readable xlsx workbook ({type(e).__name__})", file=p) from None
    ws = wb.worksheets[0]
    keys = SELF_EVALUATION_COLUMNS
    for lang in LANGS:
        want = [t(k, lang) for k in keys]
        if [c.value for c in ws[HEADER_ROW]][:len(want)] == want:
            break
    else:
        got = [c.value for c in ws[HEADER_ROW]]
        bad = next((i for i, k in enumerate(keys) if i >= len(got) or got[i] not in LABELS[k]), 0)
        raise InputError(f"not a self-evaluation table: expected the header {[t(k, 'zh') for k in keys]} in row "
                         f"{HEADER_ROW}", file=p, field=f"sheet {ws.title}, cell {ws.cell(HEADER_ROW, bad + 1).coordinate}",
                         value=got[bad] if bad < len(got) else None)
    rows, i = [], HEADER_ROW + 1
    while ws.cell(i, 1).value not in (None, t("total", lang)):
        rows.append({k: ws.cell(i, j).value for j, k in enumerate(keys, start=1)})
        i += 1
    return {"lang": lang, "total": ws["B5"].value, "grade": ws["D5"].value, "rows": rows}


# ------------------------------------------------------------------------------------------------ carrying over
def carry_over_explanations(result, xlsx_path) -> list[str]:
    """Keep reasons and measures already typed into an existing self-evaluation table (``xlsx_path``, written by
    ``self_evaluation_xlsx`` in either language) where the new result has none: nothing entered is lost when the
    table is regenerated. Returns the ids carried over; a missing file carries nothing; a file that is not such a
    table raises ``InputError`` (and nothing is written)."""
    from pathlib import Path

    from sibrisk.errors import InputError

    p = Path(xlsx_path)
    if not p.is_file():
        return []
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as e:  # a damaged file
        raise InputError(f"an existing output is not a readable xlsx ({type(e).__name__}); move it away or fix it",
                         file=p) from None
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    headers = {lang: self_evaluation_rows(result, lang)[0] for lang in LANGS}
    if len(rows) < 7 or not any(list(rows[6][:len(h)]) == h for h in headers.values()):
        raise InputError("an existing file of this name is not a self-evaluation table written by sibrisk (row 7 is "
                         "not its header); move it away so that nothing entered in it is lost", file=p, field="row 7",
                         value=list(rows[6]) if len(rows) >= 7 else None)
    h = headers["zh"]
    i_id, i_reason, i_measures = h.index(t("id", "zh")), h.index(t("reason", "zh")), h.index(t("measures", "zh"))
    entered = {}
    for r in rows[7:]:
        if r and r[i_id] and len(r) > i_measures:
            reason, measures = r[i_reason] or "", r[i_measures] or ""
            if reason or measures:
                entered[str(r[i_id])] = (str(reason), str(measures))
    carried = []
    for row in result.rows:
        if row.goal.id in entered and not (row.reason or row.measures):
            row.reason, row.measures = entered[row.goal.id]
            carried.append(row.goal.id)
    return carried


monitoring_doc = monitoring_document
evaluation_doc = evaluation_document
province_doc = province_document
