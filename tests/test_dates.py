"""find_date: the examples from the parsing brief on several reference days, impossible dates, and spans."""
from __future__ import annotations

import random
from datetime import date

import pytest

from handlers.parsing.dates import FoundDate, find_date

MON = date(2026, 11, 2)    # a Monday; the brief's reference day
WED = date(2026, 11, 4)
FRI = date(2026, 11, 20)
SUN = date(2026, 11, 8)
NYE = date(2026, 12, 31)   # a Thursday, the last day of the year and of Q4

# (text, expected) with today = MON; the whole text is the date expression.
ON_MONDAY = [
    ("今天", date(2026, 11, 2)),
    ("today", date(2026, 11, 2)),
    ("明天", date(2026, 11, 3)),
    ("tomorrow", date(2026, 11, 3)),
    ("后天", date(2026, 11, 4)),
    ("大后天", date(2026, 11, 5)),
    ("3天后", date(2026, 11, 5)),
    ("三天后", date(2026, 11, 5)),
    ("十天内", date(2026, 11, 12)),
    ("in 3 days", date(2026, 11, 5)),
    ("0天后", date(2026, 11, 2)),
    ("2周后", date(2026, 11, 16)),
    ("两周内", date(2026, 11, 16)),
    ("in 2 weeks", date(2026, 11, 16)),
    ("3个月后", date(2027, 2, 2)),
    ("周五", date(2026, 11, 6)),
    ("星期五", date(2026, 11, 6)),
    ("本周五", date(2026, 11, 6)),
    ("这周五", date(2026, 11, 6)),
    ("Friday", date(2026, 11, 6)),
    ("this Friday", date(2026, 11, 6)),
    ("周一", date(2026, 11, 2)),            # today itself is not "before today"
    ("周日", date(2026, 11, 8)),
    ("周天", date(2026, 11, 8)),
    ("礼拜天", date(2026, 11, 8)),
    ("下周二", date(2026, 11, 10)),
    ("下星期二", date(2026, 11, 10)),
    ("下礼拜二", date(2026, 11, 10)),
    ("next Tuesday", date(2026, 11, 10)),
    ("next Friday", date(2026, 11, 13)),
    ("下下周一", date(2026, 11, 16)),
    ("月底", date(2026, 11, 30)),
    ("本月底", date(2026, 11, 30)),
    ("end of month", date(2026, 11, 30)),
    ("EOM", date(2026, 11, 30)),
    ("下月底", date(2026, 12, 31)),
    ("下个月底", date(2026, 12, 31)),
    ("月初", date(2026, 11, 5)),
    ("下月初", date(2026, 12, 5)),
    ("中旬", date(2026, 11, 15)),
    ("下月中旬", date(2026, 12, 15)),
    ("下旬", date(2026, 11, 25)),
    ("下月下旬", date(2026, 12, 25)),
    ("12月底", date(2026, 12, 31)),
    ("1月底", date(2027, 1, 31)),           # January is over: next year's
    ("12月初", date(2026, 12, 5)),
    ("12月中旬", date(2026, 12, 15)),
    ("12月下旬", date(2026, 12, 25)),
    ("12月15日", date(2026, 12, 15)),
    ("12月15号", date(2026, 12, 15)),
    ("十二月十五日", date(2026, 12, 15)),
    ("10月15日", date(2027, 10, 15)),
    ("本季度末", date(2026, 12, 31)),
    ("季度末", date(2026, 12, 31)),
    ("本季末", date(2026, 12, 31)),
    ("end of quarter", date(2026, 12, 31)),
    ("end of this quarter", date(2026, 12, 31)),
    ("下季度末", date(2027, 3, 31)),
    ("end of Q1", date(2027, 3, 31)),
    ("Q1末", date(2027, 3, 31)),
    ("一季度末", date(2027, 3, 31)),
    ("Q1 end", date(2027, 3, 31)),
    ("年底", date(2026, 12, 31)),
    ("年末", date(2026, 12, 31)),
    ("今年底", date(2026, 12, 31)),
    ("end of year", date(2026, 12, 31)),
    ("EOY", date(2026, 12, 31)),
    ("明年3月底", date(2027, 3, 31)),
    ("明年3月", date(2027, 3, 31)),
    ("明年年底", date(2027, 12, 31)),
    ("2026年12月20日", date(2026, 12, 20)),
    ("2026/12/28", date(2026, 12, 28)),
    ("2026-12-15", date(2026, 12, 15)),
    ("2026.12.15", date(2026, 12, 15)),
    ("Dec 20", date(2026, 12, 20)),
    ("December 20", date(2026, 12, 20)),
    ("20 Dec", date(2026, 12, 20)),
    ("Dec 20 2026", date(2026, 12, 20)),
]

# (today, text, expected): week and year rollover on other days.
OTHER_DAYS = [
    (SUN, "周五", date(2026, 11, 13)),         # this week's Friday is past
    (SUN, "周日", date(2026, 11, 8)),          # Sunday is the last day of the week
    (SUN, "下周二", date(2026, 11, 10)),
    (SUN, "下周日", date(2026, 11, 15)),
    (WED, "周一", date(2026, 11, 9)),
    (WED, "周三", date(2026, 11, 4)),
    (WED, "下下周一", date(2026, 11, 16)),
    (WED, "next Wednesday", date(2026, 11, 11)),
    (FRI, "11月初", date(2026, 11, 5)),        # November is not over yet
    (FRI, "10月底", date(2027, 10, 31)),
    (NYE, "明天", date(2027, 1, 1)),
    (NYE, "周五", date(2027, 1, 1)),
    (NYE, "下周五", date(2027, 1, 8)),
    (NYE, "2周后", date(2027, 1, 14)),
    (NYE, "12月15日", date(2027, 12, 15)),
    (NYE, "Dec 20", date(2027, 12, 20)),
    (NYE, "12月底", date(2026, 12, 31)),
    (NYE, "下月底", date(2027, 1, 31)),
    (NYE, "本季度末", date(2026, 12, 31)),
    (NYE, "下季度末", date(2027, 3, 31)),
    (NYE, "年底", date(2026, 12, 31)),
    (date(2026, 11, 30), "3个月后", date(2027, 2, 28)),   # clamped to month end
    (date(2028, 1, 31), "1个月后", date(2028, 2, 29)),    # leap year
]

NOT_FOUND = [
    "",
    "abc",
    "2月30日",
    "2026-13-01",
    "13月底",
    "2026-SH-007",
    "13800138000",
    "50万",
    "12.15",          # dot form without a year: skipped
    "每周一次例会",   # "once a week", not Monday
]

# (text, expected, the text the span must cut out); today = MON.
IN_SENTENCE = [
    ("电话沟通，下一步：下周二现场演示", date(2026, 11, 10), "下周二"),
    ("预计12月底成交", date(2026, 12, 31), "12月底"),
    ("客户说3天后再联系", date(2026, 11, 5), "3天后"),
    ("报备 腾讯 联系人 王磊 13800138000 预算 50万 预计 12月底成交", date(2026, 12, 31), "12月底"),
    ("2026-SH-007 跟进：明天下午电话确认", date(2026, 11, 3), "明天"),
    ("Follow up with Acme next Tuesday for a demo", date(2026, 11, 10), "next Tuesday"),
    ("Demo went well, expect to sign by end of Q1.", date(2027, 3, 31), "end of Q1"),
]

HOSTILE = [
    "1" * 10_000,
    "周" * 10_000,
    "十" * 10_000,
    "2026-" * 2_000,
    "😀🔥📅" * 3_000,
    "\x00\x01\x1b[31m\x7f",
    "'; DROP TABLE opportunities; --",
    "end of " * 1_500,
]


@pytest.mark.parametrize("text,expected", ON_MONDAY)
def test_monday_examples(text, expected):
    assert find_date(text, today=MON) == FoundDate(value=expected, span=(0, len(text)))


@pytest.mark.parametrize("today,text,expected", OTHER_DAYS)
def test_other_reference_days(today, text, expected):
    found = find_date(text, today=today)
    assert found is not None and found.value == expected


@pytest.mark.parametrize("text", NOT_FOUND)
def test_impossible_or_not_a_date(text):
    assert find_date(text, today=MON) is None


@pytest.mark.parametrize("text,expected,cut", IN_SENTENCE)
def test_inside_a_sentence(text, expected, cut):
    found = find_date(text, today=MON)
    assert found.value == expected
    assert text[found.span[0]:found.span[1]] == cut


def test_hostile_input_never_raises():
    for text in HOSTILE:
        assert find_date(text, today=MON) is None, text[:20]


def test_random_input_never_raises():
    rng = random.Random(20261102)
    alphabet = "0123456789-/. 年月日号天周星期礼拜下本这个后内底末初中旬季度Q明今大两十三五零endofquarterDec😀\x00"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        today = date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * rng.randint(0, 1000)
        found = find_date(text, today=today)
        if found is not None:
            start, end = found.span
            assert 0 <= start < end <= len(text)
