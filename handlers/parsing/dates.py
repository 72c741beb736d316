"""Find the first date expression in a Chinese/English message, resolved against a given day. Pure: no clock."""
from __future__ import annotations

import calendar
import re
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

import holidays

END = 0  # "day of month" marker meaning the month's last day

RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3,
    "昨天": -1, "前天": -2,
    "yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "day after tomorrow": 2, "the day after tomorrow": 2,
}
WEEKDAYS = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}
# Week prefix → weeks ahead; None means "this week's, or next week's if already past".
WEEK_OFFSETS = {
    "": None, "本": None, "这": None, "这个": None, "this": None, "coming": None, "this coming": None,
    "下": 1, "下个": 1, "next": 1, "下下": 2, "下下个": 2, "上": -1, "上个": -1, "last": -1,
}
MONTH_OFFSETS = {"": 0, "本": 0, "这": 0, "这个": 0, "当": 0, "this": 0, "current": 0, "the": 0,
                 "下": 1, "下个": 1, "next": 1, "上": -1, "上个": -1, "last": -1}
QUARTER_OFFSETS = MONTH_OFFSETS
YEAR_OFFSETS = {"": 0, "今": 0, "本": 0, "this": 0, "the": 0, "明": 1, "来": 1, "次": 1, "next": 1,
                "后": 2, "去": -1, "前": -2, "last": -1}
# Part of a month → day of month (END = last day).
MONTH_PARTS = {"底": END, "末": END, "初": 5, "上旬": 5, "中旬": 15, "中": 15, "下旬": 25,
               "end": END, "early": 5, "mid": 15, "late": 25}
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
SPAN_UNITS = {"天": "days", "日": "days", "周": "weeks", "星期": "weeks", "礼拜": "weeks", "月": "months",
              "day": "days", "week": "weeks", "month": "months"}
SPAN_DIRECTIONS = {"后": 1, "之后": 1, "以后": 1, "内": 1, "之内": 1, "以内": 1, "前": -1, "之前": -1, "以前": -1}
EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
# A bare "M月" followed by these is a duration ("3月后") or a word ("一月度"), not a month: give up, never guess.
BARE_MONTH_NOT_A_DATE = re.compile(r"\s?(?:后|内|以内|之内|之后|以后|前)|[度报费租薪卡供付刊票]")


def _alt(words) -> str:
    """Regex alternation, longest first so '下下' wins over '下'."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w) + ")"


_CN_DIGITS = "零〇一二两三四五六七八九十"
_COUNT = rf"(?:[0-9]{{1,3}}|[{_CN_DIGITS}百]{{1,4}})"
_MON = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_DAY = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_CN_YEAR = (r"(?:(?<![0-9])(?P<y>[0-9]{4})\s?年\s?|(?P<yrel>" + _alt(k for k in YEAR_OFFSETS if not k.isascii())
            + r")年\s?)")
_EN_MONTH = _alt(MONTHS)
_EN_COUNT = r"(?:[0-9]{1,3}|" + _alt(EN_NUMBERS) + ")"
_NOT_A_DAY_AFTER = rf"[0-9{_CN_DIGITS}百千万亿.,:：元块wWkK%]"

# A holiday's name → (country, the name the `holidays` package gives its first day).
HOLIDAY_NAMES = {
    "春节": ("CN", "Chinese New Year (Spring Festival)"), "过年": ("CN", "Chinese New Year (Spring Festival)"),
    "chinese new year": ("CN", "Chinese New Year (Spring Festival)"), "cny": ("CN", "Chinese New Year (Spring Festival)"),
    "lunar new year": ("CN", "Chinese New Year (Spring Festival)"), "tet": ("VN", "Lunar New Year"),
    "元旦": ("CN", "New Year's Day"), "国庆": ("CN", "National Day"), "国庆节": ("CN", "National Day"),
    "中秋": ("CN", "Mid-Autumn Festival"), "中秋节": ("CN", "Mid-Autumn Festival"), "五一": ("CN", "Labor Day"),
    "劳动节": ("CN", "Labor Day"), "diwali": ("IN", "Diwali"), "deepavali": ("IN", "Diwali"),
    "hari raya": ("MY", "Eid al-Fitr"), "eid": ("MY", "Eid al-Fitr"), "thanksgiving": ("US", "Thanksgiving Day"),
    "christmas": ("US", "Christmas Day"), "xmas": ("US", "Christmas Day"), "圣诞": ("US", "Christmas Day"),
    "圣诞节": ("US", "Christmas Day"),
}

# Rule name → pattern. Order breaks ties between matches with the same start and length.
PATTERNS: dict[str, str] = {
    "numeric": r"(?<![0-9.])(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9])",
    # 11/20, 12/3: month first, as both Chinese and US reps write it (never a fraction: 1/2, 3/4 of a day)
    "month_slash_day": r"(?<![0-9./$¥€£-])(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12][0-9]|0?[1-9])(?![0-9/.%])(?!\s?(?:of|的))",
    "cn_month": (
        _CN_YEAR + r"?(?<![0-9])(?P<m>" + _MON + r")\s?月份?"
        r"(?:(?P<d>" + _DAY + r")(?:\s?[日号]|(?!" + _NOT_A_DAY_AFTER + r"))"
        r"|(?P<part>" + _alt(k for k in MONTH_PARTS if not k.isascii()) + r"))?"
    ),
    "cn_year_end": (
        r"(?:(?<![0-9])(?P<y>[0-9]{4})\s?|(?P<yrel>" + _alt(k for k in YEAR_OFFSETS if not k.isascii()) + r"))?"
        r"年年?(?:底|末|尾)"
    ),
    "cn_quarter": (
        _CN_YEAR + r"?(?:(?<![a-z0-9])Q(?P<qn>[1-4])|第?(?P<qc>[一二三四1-4])季度?)\s?(?:末|底|end)(?![a-z])"
    ),
    "cn_this_quarter": r"(?P<rel>" + _alt(k for k in QUARTER_OFFSETS if not k.isascii()) + r")?季度?(?:末|底)",
    "cn_this_month": (
        r"(?:(?P<rel>" + _alt(k for k in MONTH_OFFSETS if not k.isascii()) + r")|(?<!个))月"
        r"(?P<part>" + _alt(k for k in MONTH_PARTS if not k.isascii()) + r")"
    ),
    "cn_ten_days": r"(?P<part>上旬|中旬|下旬)",
    "cn_weekday": (
        r"(?P<rel>" + _alt(k for k in WEEK_OFFSETS if not k.isascii()) + r")?(?:周|星期|礼拜)"
        r"(?P<wd>[一二三四五六日天1-7])(?![0-9]|次)"
    ),
    "cn_span": (
        r"(?<![0-9])(?P<n>" + _COUNT + r")\s?(?P<unit>天|日|个?\s?(?:周|星期|礼拜)|个\s?月)"
        r"(?P<dir>" + _alt(SPAN_DIRECTIONS) + r")"
    ),
    "relative_day": r"(?<![a-z])" + _alt(RELATIVE_DAYS) + r"(?![a-z])",
    "en_span_ahead": (
        r"(?<![a-z])(?:in|within)\s+(?P<n>" + _EN_COUNT + r")\s+(?P<unit>day|week|month)s?(?![a-z])"
    ),
    "en_span_later": (
        r"(?<![a-z])(?P<n>" + _EN_COUNT + r")\s+(?P<unit>day|week|month)s?\s+(?:from\s+now|later)(?![a-z])"
    ),
    "en_weekday": (
        r"(?<![a-z])(?:(?P<rel>this\s+coming|this|coming|next|last)\s+)?"
        r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri"
        r"|(?<=next )sat|(?<=next )sun|(?<=this )sat|(?<=this )sun)\.?(?![a-z])"
        r"(?:\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?(?![0-9a-z]))?"  # 'Fri 27th', 'Mon 14th'
    ),
    "en_month_day": (
        r"(?<![a-z])(?P<mon>" + _EN_MONTH + r")\.?\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?(?![0-9a-z])"
        r"(?:,?\s+(?P<y>[0-9]{4})(?![0-9]))?"
    ),
    "en_day_month": (
        r"(?<![0-9a-z])(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>" + _EN_MONTH + r")(?![a-z])\.?"
        r"(?:,?\s+(?P<y>[0-9]{4})(?![0-9]))?"
    ),
    "en_month_part": (
        r"(?<![a-z])(?:(?P<part>early|mid|late)[-\s]?|end\s+of\s+)(?P<mon>" + _EN_MONTH + r")(?![a-z])"
        r"(?:,?\s+(?P<y>[0-9]{4})(?![0-9]))?"
    ),
    # 'closing by mar end', 'Jan-end': the month's last day
    "en_month_then_end": r"(?<![a-z])(?P<mon>" + _EN_MONTH + r")\.?[-\s]end(?![a-z])(?!\s+up\b)",
    # '預計 2027/2 簽約': a year and a month, its last day
    "year_slash_month": r"(?<![0-9./])(?P<y>20[0-9]{2})/(?P<m>1[0-2]|0?[1-9])(?![0-9/.])",
    "en_month_end": (
        r"(?<![a-z])(?:end\s+of\s+(?:(?P<rel>the|this|current|next|last)\s+)?month|eom|month[-\s]end)(?![a-z])"
    ),
    "en_quarter": (
        r"(?<![a-z])(?:end\s+of\s+(?:the\s+)?q(?P<qn>[1-4])(?:\s+(?P<y>[0-9]{4}))?"
        r"|end\s+of\s+(?:(?P<rel>the|this|current|next|last)\s+)?quarter|eoq|quarter[-\s]end)(?![a-z0-9])"
    ),
    "en_year_end": (
        r"(?<![a-z])(?:end\s+of\s+(?:(?P<rel>the|this|next|last)\s+)?year|eoy|year[-\s]end)(?![a-z])"
    ),
    # Q1 / 一季度 / 明年一季度 said alone: the quarter's last day (SPEC: "end of Q1")
    "bare_quarter": (
        _CN_YEAR + r"?(?:(?<![a-z0-9])Q(?P<qn>[1-4])(?![0-9a-z])(?:\s?(?P<y2>20[0-9]{2}))?|(?:第(?=[一二三四]季)|(?=[一二三四]季度))(?P<qc>[一二三四])季度?)"
    ),
    # 下个月 / 这个月 alone: that month's last day; 'next month' / 'mid next month' / 'early next month'
    "cn_month_alone": r"(?P<rel>下个?|本|这个?|当)月(?![底末初中旬上下0-9一二三四五六七八九十份度报费])",
    "en_month_rel": r"(?<![a-z])(?:(?P<part>early|mid|late|end\s+of)[-\s]+)?(?P<rel>next|this)\s+month(?![a-z])",
    # 'in January', 'board signs off in Feb': the month's last day
    "en_month_alone": (r"(?<![a-z])(?P<mon>january|february|march|april|june|july|august|september|october|november|"
                       r"december|jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?(?![a-z])(?!\s*[0-9])"),
    # 春节前 / before chinese new year / by diwali: the holiday's next date (the day before it, said with 前/before)
    "holiday": (r"(?:(?<![a-z])(?P<before_en>before|pre)[\s-]+(?:the\s+)?)?(?P<holiday>" + _alt(HOLIDAY_NAMES) + r")"
                r"(?![a-z])(?!\s?(?:之后|以后|后))(?P<before_cn>\s?(?:之前|以前|前))?"),
    # 明年上半年 / 下半年 / 年中 / H1 2027: the half's last day
    "half_year": (r"(?:" + _CN_YEAR + r"|(?P<yrel2>" + _alt(k for k in YEAR_OFFSETS if not k.isascii() and k) + r")年?)?"
                  r"(?P<half>上半年|下半年|年中)|(?<![a-z0-9])(?P<h>H[12])(?:\s?(?P<y2>20[0-9]{2}))?(?![0-9a-z])"),
    "en_this_year": r"(?<![a-z])this\s+year(?![a-z])",
}


@dataclass(frozen=True)
class FoundDate:
    value: date
    span: tuple[int, int]
    vague: bool = False  # a quarter or a month said alone (Q1, 下个月, in Feb): no day to meet on


def find_date(text: str, *, today: date) -> FoundDate | None:
    """First date expression in text, resolved against today (the message's day in the team's time zone)."""
    return next(find_dates(text, today=today), None)


def find_dates(text: str, *, today: date):
    """Every date expression in text, in order (今天拜访…约了下周二演示: today, then next Tuesday)."""
    if not isinstance(text, str) or not text:
        return
    taken: list[tuple[int, int]] = []
    for start, end, resolve, m in candidates(text):
        if any(start < e and s < end for s, e in taken):
            continue  # inside a longer expression already tried ("13月底" must not become "月底")
        taken.append((start, end))
        value = _safely(resolve, m, today)
        if value is not None:
            yield FoundDate(value=value, span=(start, end), vague=resolve in _VAGUE)


@lru_cache(maxsize=512)
def candidates(text: str) -> tuple[tuple[int, int, Callable, re.Match], ...]:
    """Every rule's matches, earliest first, then longest, then in rule order. Cached: a message's pieces are
    looked at for dates several times (close, next step, budget's neighbour)."""
    if not _MAYBE_A_DATE.search(text):
        return ()  # most pieces of a message hold no date: one cheap look instead of every rule
    found = []
    for order, (pattern, resolve) in enumerate(_RULES):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.append((m.start(), -(m.end() - m.start()), order, resolve, m))
    found.sort(key=lambda c: c[:3])
    return tuple((start, start - neg_len, resolve, m) for start, neg_len, _, resolve, m in found)


def _safely(resolve: Callable, m: re.Match, today: date) -> date | None:
    """Impossible dates (2月30日, 2026-13-01, far-future overflow) are None, never an exception."""
    try:
        return resolve(m, today)
    except (ValueError, OverflowError, KeyError, IndexError, TypeError):  # never raise on any input
        return None


# --- small date arithmetic ---------------------------------------------------------------------------------

def _number(raw: str) -> int | None:
    """'15', '十五', '两', 'two' → int; None when it is not a whole number."""
    raw = raw.strip().lower()
    if raw in EN_NUMBERS:
        return EN_NUMBERS[raw]
    if raw.isascii() and raw.isdigit():
        return int(raw)
    import cn2an  # loaded with the first Chinese numeral, not with every command
    try:
        value = cn2an.cn2an(raw, "smart")
    except Exception:  # cn2an raises ValueError on junk, and is not strict about what else
        return None
    return int(value) if float(value).is_integer() else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _day_in_month(year: int, month: int, day: int) -> date:
    """A day of a month, END meaning its last day."""
    return _month_end(year, month) if day == END else date(year, month, day)


def _add_months(d: date, months: int) -> date:
    """Same day N months on, clamped to that month's end (Jan 31 + 1 month = Feb 28)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def _upcoming(make: Callable[[int], date], year: int | None, today: date, *, month: int | None = None) -> date:
    """make(year) for a named year, else this year's unless past, else next year's.

    With `month`, "past" means that whole month is over: on Nov 20, 11月初 is still this year's.
    """
    if year is not None:
        return make(year)
    for candidate_year in range(today.year, today.year + 9):  # 2月29日 in 2027 means 2028's
        try:
            candidate = make(candidate_year)
        except ValueError:
            continue
        cutoff = _month_end(candidate_year, month) if month else candidate
        if cutoff >= today:
            return candidate
    raise ValueError("no such day in the coming years")


def _year_of(m: re.Match, today: date, *, group: str = "y") -> int | None:
    """An explicit year ('2027年', '明年'), or None when the text names none."""
    groups = m.groupdict()
    if groups.get(group):
        return int(groups[group])
    rel = groups.get("yrel")
    if rel:
        return today.year + YEAR_OFFSETS[rel.rstrip("年")]
    return None


def _quarter_end(year: int, quarter: int) -> date:
    return _month_end(year, quarter * 3)


def _this_quarter(today: date) -> int:
    return (today.month - 1) // 3 + 1


def _shift_quarter(today: date, offset: int) -> date:
    """End of the quarter `offset` quarters from today's."""
    index = today.year * 4 + _this_quarter(today) - 1 + offset
    return _quarter_end(index // 4, index % 4 + 1)


def _weekday_date(today: date, weekday: int, weeks: int | None) -> date:
    """weeks=None: this week's day, or next week's if already past; else that many weeks on (Monday-based)."""
    monday = today - timedelta(days=today.weekday())
    if weeks is None:
        day = monday + timedelta(days=weekday)
        return day if day >= today else day + timedelta(days=7)
    return monday + timedelta(days=7 * weeks + weekday)


def _span(today: date, n: int, unit: str) -> date:
    """today + n days/weeks/months; months keep the day of month where they can."""
    if unit == "months":
        return _add_months(today, n)
    return today + timedelta(days=n * (7 if unit == "weeks" else 1))


# --- resolvers: one per rule, (match, today) -> date | None -----------------------------------------------

def _numeric(m: re.Match, today: date) -> date:
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


def _cn_month(m: re.Match, today: date) -> date | None:
    """'12月15日', '明年3月底', '2026年12月', '12月中旬': a bare month means its last day."""
    month = _number(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    if m["d"]:
        day = _number(m["d"])
        if day is None:
            return None
        return _upcoming(lambda y: date(y, month, day), _year_of(m, today), today)
    if not m["part"] and BARE_MONTH_NOT_A_DATE.match(m.string, m.end()) and not (
            _year_of(m, today) and re.match(r"\s?前", m.string[m.end():])):  # 明年6月前: before June, not 6 months ago
        return None
    day = MONTH_PARTS[m["part"]] if m["part"] else END
    return _upcoming(lambda y: _day_in_month(y, month, day), _year_of(m, today), today, month=month)


def _holiday(m: re.Match, today: date) -> date | None:
    country, name = HOLIDAY_NAMES[m["holiday"].lower()]
    for year in (today.year, today.year + 1):
        days = sorted(d for d, n in holidays.country_holidays(country, years=year).items() if n == name)
        if days and (day := days[0] - timedelta(days=1) if m["before_en"] or m["before_cn"] else days[0]) >= today:
            return day
    return None


def _half_year(m: re.Match, today: date) -> date:
    first = m["half"] in ("上半年", "年中") or (m["h"] or "").upper() == "H1"
    year = int(m["y2"]) if m["y2"] else _year_of(m, today) or (today.year + YEAR_OFFSETS[m["yrel2"]] if m["yrel2"]
                                                             else None)
    return _upcoming(lambda y: date(y, 6, 30) if first else date(y, 12, 31), year, today)


def _cn_year_end(m: re.Match, today: date) -> date:
    return date(_year_of(m, today) or today.year, 12, 31)


def _quarter_numbered(m: re.Match, today: date) -> date | None:
    groups = m.groupdict()
    quarter = _number(groups.get("qn") or groups.get("qc") or "")
    if quarter is None or not 1 <= quarter <= 4:
        return None
    return _upcoming(lambda y: _quarter_end(y, quarter), _year_of(m, today), today)


def _relative_quarter(m: re.Match, today: date) -> date:
    return _shift_quarter(today, QUARTER_OFFSETS[(m["rel"] or "").lower()])


def _relative_month_part(m: re.Match, today: date) -> date:
    """'月底', '下月初', '中旬': that part of this (or the named) month, even if already past."""
    groups = m.groupdict()
    part = MONTH_PARTS[" ".join((groups.get("part") or "end").lower().split()).replace("end of", "end")]
    first = _add_months(today.replace(day=1), MONTH_OFFSETS[(groups.get("rel") or "").lower().rstrip("个")]
                        if (groups.get("rel") or "").lower().rstrip("个") in MONTH_OFFSETS else 0)
    return _day_in_month(first.year, first.month, part)


def _cn_weekday(m: re.Match, today: date) -> date:
    return _weekday_date(today, WEEKDAYS[m["wd"]], WEEK_OFFSETS[m["rel"] or ""])


def _en_weekday(m: re.Match, today: date) -> date:
    rel = " ".join((m["rel"] or "").lower().split())
    if m["d"]:  # 'Mon 14th': the coming 14th (its weekday is the rep's, not checked)
        return _upcoming(lambda y: date(y, today.month, int(m["d"])), None, today) if int(m["d"]) >= today.day \
            else _add_months(today.replace(day=1), 1).replace(day=int(m["d"]))
    return _weekday_date(today, WEEKDAYS[m["wd"].lower()], WEEK_OFFSETS[rel])


def _cn_span(m: re.Match, today: date) -> date | None:
    n = _number(m["n"])
    if n is None:
        return None
    unit = SPAN_UNITS[m["unit"].lstrip("个").strip()]
    return _span(today, n * SPAN_DIRECTIONS[m["dir"]], unit)


def _en_span(m: re.Match, today: date) -> date | None:
    n = _number(m["n"])
    return None if n is None else _span(today, n, SPAN_UNITS[m["unit"].lower()])


def _relative_day(m: re.Match, today: date) -> date:
    return today + timedelta(days=RELATIVE_DAYS[" ".join(m.group(0).lower().split())])


def _en_month_day(m: re.Match, today: date) -> date:
    month, day = MONTHS[m["mon"].lower()], int(m["d"])
    return _upcoming(lambda y: date(y, month, day), _year_of(m, today), today)


def _en_month_part(m: re.Match, today: date) -> date:
    month, part = MONTHS[m["mon"].lower()], MONTH_PARTS[(m["part"] or "end").lower()]
    return _upcoming(lambda y: _day_in_month(y, month, part), _year_of(m, today), today, month=month)


def _en_quarter(m: re.Match, today: date) -> date | None:
    if m["qn"]:
        return _quarter_numbered(m, today)
    return _relative_quarter(m, today)


def _en_year_end(m: re.Match, today: date) -> date:
    return date(today.year + YEAR_OFFSETS[(m["rel"] or "").lower()], 12, 31)


_RESOLVERS: dict[str, Callable[[re.Match, date], date | None]] = {
    "numeric": _numeric,
    "bare_quarter": lambda m, today: _quarter_numbered(m, today) if not m["y2"] else _quarter_end(int(m["y2"]),
                                                                                                    int(m["qn"])),
    "cn_month_alone": lambda m, today: _relative_month_part(m, today),
    "en_month_rel": lambda m, today: _relative_month_part(m, today),
    "en_month_alone": lambda m, today: _upcoming(lambda y: _month_end(y, MONTHS[m["mon"].lower()]), None, today,
                                                 month=MONTHS[m["mon"].lower()]),
    "holiday": lambda m, today: _holiday(m, today),
    "month_slash_day": lambda m, today: _upcoming(lambda y: date(y, int(m["m"]), int(m["d"])), None, today,
                                                  month=int(m["m"])),
    "cn_month": _cn_month,
    "cn_year_end": _cn_year_end,
    "cn_quarter": _quarter_numbered,
    "cn_this_quarter": _relative_quarter,
    "cn_this_month": _relative_month_part,
    "cn_ten_days": _relative_month_part,
    "cn_weekday": _cn_weekday,
    "cn_span": _cn_span,
    "relative_day": _relative_day,
    "en_span_ahead": _en_span,
    "en_span_later": _en_span,
    "en_weekday": _en_weekday,
    "en_month_day": _en_month_day,
    "en_day_month": _en_month_day,
    "en_month_part": _en_month_part,
    "en_month_then_end": lambda m, today: _upcoming(lambda y: _month_end(y, MONTHS[m["mon"].lower()]), None, today,
                                                    month=MONTHS[m["mon"].lower()]),
    "year_slash_month": lambda m, today: _month_end(int(m["y"]), int(m["m"])),
    "en_month_end": _relative_month_part,
    "en_quarter": _en_quarter,
    "en_year_end": _en_year_end,
    "half_year": lambda m, today: _half_year(m, today),
    "en_this_year": lambda m, today: date(today.year, 12, 31),
}
_RULES = [(re.compile(PATTERNS[name], re.I), _RESOLVERS[name]) for name in PATTERNS]
# Every rule needs one of these; a text with none holds no date expression.
_MAYBE_A_DATE = re.compile(r"[0-9一二两三四五六七八九十月周天日年季旬底末初中今明昨后前圣春元国劳过]|diwali|deepavali|tet|cny|hari|thanksgiving|lunar|星期|礼拜|(?<![a-z])(?:today|tonight|tomorrow|"
                           r"yesterday|day|week|month|year|quarter|q[1-4]|eo[myq]|end|mid|early|late|next|this|coming|"
                           r"mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|xmas|christmas|"
                           r"an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)", re.I)
_VAGUE = {_RESOLVERS[name] for name in ("bare_quarter", "cn_month_alone", "en_month_rel", "en_month_alone", "half_year",
                                        "en_this_year")}
