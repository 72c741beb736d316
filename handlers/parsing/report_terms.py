"""What follows a report question's verb: the period (本月, 上季度, 2026年Q3, last quarter) and the cuts (团队 East,
行业 制造, 来源 展会, 负责人 alice) — as the keys storage/reports understands, and whatever was left unread."""
from __future__ import annotations

import re
from datetime import date

from handlers.parsing.fields import source_of

_CN_Q = {"一": "1", "二": "2", "三": "3", "四": "4"}
# Most specific first: 2026年第三季度 before 2026年, 上季度 before 季度.
_PERIODS: tuple[tuple[re.Pattern, object], ...] = (
    (re.compile(r"(20\d\d)\s*年?\s*(?:第\s*([1-4一二三四])\s*季度?|[-\s]?Q([1-4]))", re.I),
     lambda m, today: f"{m[1]}-Q{_CN_Q.get(m[2], m[2]) if m[2] else m[3]}"),
    (re.compile(r"(20\d\d)\s*(?:年\s*|-)(\d{1,2})\s*月?(?!\d)"), lambda m, today: f"{m[1]}-{int(m[2]):02d}"),
    (re.compile(r"(20\d\d)\s*年|\b(?:in\s+)?(20\d\d)\b"), lambda m, today: m[1] or m[2]),
    (re.compile(r"(?<![\w-])Q([1-4])\b|第\s*([1-4一二三四])\s*季度", re.I),
     lambda m, today: f"{today.year}-Q{m[1] or _CN_Q.get(m[2], m[2])}"),
    (re.compile(r"上一?个?季度|上季|last quarter|previous quarter", re.I), "last_quarter"),
    (re.compile(r"上一?个?月|last month|previous month", re.I), "last_month"),
    (re.compile(r"上一?个?(?:周|星期|礼拜)|last week|previous week", re.I), "last_week"),
    (re.compile(r"去年|上一年|last year|previous year", re.I), "last_year"),
    (re.compile(r"本周|这周|这个?星期|this week|\bweekly\b", re.I), "week"),
    (re.compile(r"本季度?|这个?季度|当季|季度|this quarter|\bquarter\b|\bqtd\b", re.I), "quarter"),
    (re.compile(r"本月|这个?月|当月|月度|this month|\bmonth\b|\bmtd\b", re.I), "month"),
    (re.compile(r"今年|本年|年度|全年|this year|\byear\b|\bytd\b", re.I), "year"),
    (re.compile(r"全部|所有|历史以来|至今|all time|ever\b|\ball\b", re.I), "all"),
)
_CUTS = (
    ("team", re.compile(r"(?:团队|小组|组|team)\s*[:：=]?\s*([^\s,，;；]+)", re.I)),
    ("industry", re.compile(r"(?:行业|industry)\s*[:：=]?\s*([^\s,，;；]+)", re.I)),
    ("source", re.compile(r"(?:来源|渠道|source|channel)\s*[:：=]?\s*([^\s,，;；]+)", re.I)),
    ("owner", re.compile(r"(?:负责人|销售|owner|rep|by)\s*[:：=]?\s*@?([^\s,，;；]+)|@([^\s,，;；]+)", re.I)),
)
_FILLER = re.compile(r"[\s,，;；:：。.!！?？的是看下一查询按]+|\b(?:for|of|the|in|show|me|please|by)\b", re.I)


def period_key(text: str, *, today: date) -> tuple[str | None, str]:
    """(a period key, the text without it)."""
    for pattern, key in _PERIODS:
        found = pattern.search(text)
        if found:
            value = key(found, today) if callable(key) else key
            return value, (text[:found.start()] + " " + text[found.end():]).strip()
    return None, text


def cuts(text: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """((name, value), …) of the labelled cuts, and the text without them."""
    found: list[tuple[str, str]] = []
    for name, pattern in _CUTS:
        hit = pattern.search(text)
        if hit:
            value = next(g for g in hit.groups() if g)
            if name == "source":
                value = source_of(value) or value
            found.append((name, value))
            text = (text[:hit.start()] + " " + text[hit.end():]).strip()
    return tuple(found), text


def report_terms(text: str, *, today: date) -> tuple[str | None, tuple[tuple[str, str], ...], str | None]:
    """(period key, cuts, what was left unread or None)."""
    period, rest = period_key(text, today=today)
    found, rest = cuts(rest)
    leftover = _FILLER.sub(" ", rest).strip()
    return period, found, leftover or None
