"""Property-based tests for the pure text extractors: amounts, dates, phones, and `parse` on any text.

Every round-trip property builds a value, writes it the way a rep would type it, and checks the extractor reads
back exactly that value from exactly that stretch of text. Expected values are computed here from first
principles (calendar arithmetic, Decimal), never by calling the code under test.

The minimal failing examples of the two bugs these properties found (2月29日 said in a non-leap year; a Beijing
landline written +86 10 …) stay pinned with `@example`.
"""
from __future__ import annotations

import calendar
import dataclasses
import re
from datetime import date, timedelta
from decimal import Decimal

import cn2an
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from handlers.intents import Intent
from handlers.parsing import parse
from handlers.parsing.amounts import find_amount
from handlers.parsing.dates import find_date
from handlers.parsing.fields import PHONE, normalize_phone

# database=None: no .hypothesis/ directory is written into the repo; deadline=None: first-call regex
# compilation and cn2an's lazy setup must not count as a flaky timing failure.
FAST = settings(max_examples=150, deadline=None, database=None)
FEW = settings(max_examples=60, deadline=None, database=None)
LONG = settings(max_examples=6, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ============================================================================================================
# 1. Amounts round-trip
# ============================================================================================================

@st.composite
def decimal_numbers(draw, *, lo=1, hi=99_999, max_places=2):
    """(written, value): an arabic number with 0..max_places decimals, e.g. ('66.5', Decimal('66.5'))."""
    whole = draw(st.integers(min_value=0 if max_places else lo, max_value=hi))
    places = draw(st.integers(min_value=0, max_value=max_places))
    if places == 0:
        assume(whole >= lo)
        written = str(whole)
    else:
        frac = draw(st.integers(min_value=0, max_value=10 ** places - 1))
        written = f"{whole}.{frac:0{places}d}"
    value = Decimal(written)
    assume(value > 0)
    return written, value


def two_form(n: int) -> str:
    """cn2an writes 二百/二千; people write 两百/两千/两万. Only for n = 2, 200..299, 2000..2999."""
    cn = cn2an.an2cn(n)
    assert cn[0] == "二"
    return "两" + cn[1:]


@st.composite
def amount_forms(draw):
    """(written expression, expected value, expected currency)."""
    kind = draw(st.sampled_from([
        "万", "亿", "w", "W", "k", "K", "$k", "¥", "￥", "元", "thousands元", "N USD", "USD N", "美元", "RMB N",
        "cn万", "两万",
    ]))
    if kind in ("万", "w", "W"):
        s, v = draw(decimal_numbers())
        return f"{s}{kind}", v * 10_000, "CNY"
    if kind == "亿":
        s, v = draw(decimal_numbers(hi=999))
        return f"{s}亿", v * 100_000_000, "CNY"
    if kind in ("k", "K"):
        s, v = draw(decimal_numbers())
        return f"{s}{kind}", v * 1000, "CNY"
    if kind == "$k":
        s, v = draw(decimal_numbers())
        return f"${s}k", v * 1000, "USD"
    if kind == "thousands元":
        n = draw(st.integers(min_value=1000, max_value=999_999_999))
        return f"{n:,}元", Decimal(n), "CNY"
    if kind == "cn万":
        n = draw(st.integers(min_value=1, max_value=9999))
        return cn2an.an2cn(n) + "万", Decimal(n) * 10_000, "CNY"
    if kind == "两万":
        n = draw(st.one_of(st.just(2), st.integers(200, 299), st.integers(2000, 2999)))
        unit, mult = draw(st.sampled_from([("万", 10_000), ("亿", 100_000_000)]))
        return two_form(n) + unit, Decimal(n) * mult, "CNY"
    s, v = draw(decimal_numbers(hi=999_999_999))
    return {
        "¥": (f"¥{s}", v, "CNY"),
        "￥": (f"￥{s}", v, "CNY"),
        "元": (f"{s}元", v, "CNY"),
        "N USD": (f"{s} USD", v, "USD"),
        "USD N": (f"USD {s}", v, "USD"),
        "美元": (f"{s}美元", v, "USD"),
        "RMB N": (f"RMB {s}", v, "CNY"),
    }[kind]


AMOUNT_SENTENCES = ("{}", "预算 {} 预计下月签约", "budget {}, close by Friday", "预算：{}，下周二演示",
                    "预算{}预计下月签约")


@FAST
@given(form=amount_forms(), template=st.sampled_from(AMOUNT_SENTENCES))
@example(form=("66.5万", Decimal(665000), "CNY"), template="{}")
@example(form=("三十万", Decimal(300000), "CNY"), template="预算 {} 预计下月签约")
@example(form=("两百万", Decimal(2000000), "CNY"), template="{}")
@example(form=("120,000元", Decimal(120000), "CNY"), template="budget {}, close by Friday")
def test_amount_round_trips(form, template):
    written, value, currency = form
    text = template.format(written)
    found = find_amount(text)
    assert found is not None, text
    assert (found.value, found.currency) == (value, currency), text
    assert text[found.span[0]:found.span[1]] == written, (text, found.span)


@FAST
@given(form=amount_forms(), mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
       style=st.sampled_from(["plain", "+86 ", "86", "spaces", "dashes", "+86-dashes"]),
       close=st.sampled_from(["2026-12-15", "2026/12/28", "12月15日", "12月底", "Dec 20", "3天后"]))
def test_amount_is_not_taken_from_the_phone_id_or_date_before_it(form, mobile, style, close):
    """The SPEC's registration line: phone, ID and date come before the budget and must not be read as money."""
    written, value, currency = form
    text = f"报备 腾讯 2026-SH-007 联系人 王磊 {write_mobile(mobile, style)} 预计 {close} 成交 预算 {written} 来源 展会"
    found = find_amount(text)
    assert found is not None, text
    assert (found.value, found.currency) == (value, currency), text
    assert text[found.span[0]:found.span[1]] == written, (text, found.span)


# ============================================================================================================
# 2. Dates round-trip
# ============================================================================================================

YEARS = st.integers(min_value=2020, max_value=2035)
# Uniform days, plus the days date arithmetic gets wrong: month ends (incl. Feb 28/29, Dec 31) and month starts.
TODAYS = st.one_of(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.builds(lambda y, m: date(y, m, calendar.monthrange(y, m)[1]), YEARS, st.integers(1, 12)),
    st.builds(lambda y, m: date(y, m, 1), YEARS, st.integers(1, 12)),
)
EMBEDS = ("{}", "下一步：{}现场演示", "跟进 2026-SH-007 电话沟通，客户确认预算 50万，下一步：{}现场演示",
          "联系人 王磊 13800138000，{}签约")
CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def assert_date_round_trip(form: str, today: date, target: date, embed: str) -> None:
    text = embed.format(form)
    found = find_date(text, today=today)
    assert found is not None, (text, today)
    assert found.value == target, (text, today)
    assert text[found.span[0]:found.span[1]] == form, (text, found.span)


@FAST
@given(target=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)), today=TODAYS,
       style=st.sampled_from(["iso", "iso-unpadded", "slash", "slash-unpadded", "dot", "cn", "cn号"]),
       embed=st.sampled_from(EMBEDS))
def test_absolute_dates_round_trip(target, today, style, embed):
    y, m, d = target.year, target.month, target.day
    form = {
        "iso": f"{y:04d}-{m:02d}-{d:02d}",
        "iso-unpadded": f"{y}-{m}-{d}",
        "slash": f"{y:04d}/{m:02d}/{d:02d}",
        "slash-unpadded": f"{y}/{m}/{d}",
        "dot": f"{y}.{m:02d}.{d:02d}",
        "cn": f"{y}年{m}月{d}日",
        "cn号": f"{y}年{m}月{d}号",
    }[style]
    assert_date_round_trip(form, today, target, embed)


def month_day_form(target: date, style: str) -> str:
    return {
        "cn": f"{target.month}月{target.day}日",
        "cn号": f"{target.month}月{target.day}号",
        "en-abbr": f"{calendar.month_abbr[target.month]} {target.day}",
        "en-full": f"{calendar.month_name[target.month]} {target.day}",
        "cn-numerals": f"{cn2an.an2cn(target.month)}月{cn2an.an2cn(target.day)}日",
    }[style]


MONTH_DAY_STYLES = st.sampled_from(["cn", "cn号", "en-abbr", "en-full", "cn-numerals"])


@st.composite
def today_and_ahead(draw):
    """(today, days ahead in 1..300): uniform, or landing on a month's first/last day or a Feb 29."""
    today = draw(TODAYS)
    if draw(st.booleans()):
        return today, draw(st.integers(min_value=1, max_value=300))
    edges = [d for d in (today + timedelta(days=k) for k in range(1, 301))
             if d.day == 1 or (d + timedelta(days=1)).day == 1 or (d.month, d.day) == (2, 29)]
    return today, (draw(st.sampled_from(edges)) - today).days


@FAST
@given(when=today_and_ahead(), style=MONTH_DAY_STYLES, embed=st.sampled_from(EMBEDS))
@example(when=(date(2027, 6, 1), (date(2028, 2, 29) - date(2027, 6, 1)).days), style="cn", embed="{}")
def test_month_day_resolves_to_next_occurrence(when, style, embed):
    """'12月15日' / 'Dec 15' said on `today` means the next such day: target is within the coming 300 days."""
    today, ahead = when
    target = today + timedelta(days=ahead)
    assert_date_round_trip(month_day_form(target, style), today, target, embed)


@FAST
@given(today=TODAYS, n=st.integers(min_value=0, max_value=60),
       numeral=st.sampled_from(["arabic", "chinese", "两"]), embed=st.sampled_from(EMBEDS))
def test_n_days_later(today, n, numeral, embed):
    if numeral == "两":
        n = 2
    count = {"arabic": str(n), "chinese": cn2an.an2cn(n), "两": "两"}[numeral]
    assert_date_round_trip(f"{count}天后", today, today + timedelta(days=n), embed)


@FAST
@given(today=TODAYS, n=st.integers(min_value=1, max_value=20), numeral=st.sampled_from(["arabic", "chinese"]),
       unit=st.sampled_from(["周", "个星期", "个礼拜"]), embed=st.sampled_from(EMBEDS))
def test_n_weeks_later(today, n, numeral, unit, embed):
    count = str(n) if numeral == "arabic" else cn2an.an2cn(n)
    assert_date_round_trip(f"{count}{unit}后", today, today + timedelta(weeks=n), embed)


@FEW
@given(today=TODAYS, word=st.sampled_from([("今天", 0), ("明天", 1), ("后天", 2), ("大后天", 3)]),
       embed=st.sampled_from(EMBEDS))
def test_relative_days(today, word, embed):
    form, days = word
    assert_date_round_trip(form, today, today + timedelta(days=days), embed)


@FAST
@given(today=TODAYS, day=st.sampled_from(sorted(CN_WEEKDAYS)), week=st.sampled_from(["周", "星期", "礼拜"]),
       embed=st.sampled_from(EMBEDS))
def test_next_week_weekday(today, day, week, embed):
    """下周X: weekday X of the week after today's week (weeks start on Monday)."""
    this_monday = today - timedelta(days=today.weekday())
    target = this_monday + timedelta(days=7 + CN_WEEKDAYS[day])
    assert_date_round_trip(f"下{week}{day}", today, target, embed)


@FAST
@given(today=TODAYS, month=st.integers(min_value=1, max_value=12), numeral=st.sampled_from(["arabic", "chinese"]),
       embed=st.sampled_from(EMBEDS))
def test_month_end_next_occurrence(today, month, numeral, embed):
    """M月底: the last day of month M, this year's unless it is already past."""
    this_year = month_end(today.year, month)
    target = this_year if this_year >= today else month_end(today.year + 1, month)
    written = str(month) if numeral == "arabic" else cn2an.an2cn(month)
    assert_date_round_trip(f"{written}月底", today, target, embed)


# ============================================================================================================
# 3. Phones
# ============================================================================================================

CN_MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
PHONE_SENTENCES = ("联系人 王磊 {} 需求 CRM", "contact Jane Doe {}, need: CRM", "{}", "电话:{}")
MOBILE_STYLES = ("plain", "+86 ", "+86-", "+86", "86", "86 ", "spaces", "dashes", "+86 spaces", "+86-dashes",
                 "0086 ", "0086-dashes")  # 0086: how +86 is dialled from abroad (normalize_phone handles it)


def write_mobile(d: str, style: str) -> str:
    spaced, dashed = f"{d[:3]} {d[3:7]} {d[7:]}", f"{d[:3]}-{d[3:7]}-{d[7:]}"
    return {
        "plain": d, "+86 ": "+86 " + d, "+86-": "+86-" + d, "+86": "+86" + d, "86": "86" + d, "86 ": "86 " + d,
        "spaces": spaced, "dashes": dashed, "+86 spaces": "+86 " + spaced, "+86-dashes": "+86-" + dashed,
        "0086 ": "0086 " + d, "0086-dashes": "0086-" + dashed,
    }[style]


def assert_phone_found(text: str, written: str, normalized: str) -> None:
    found = [m.group(0) for m in PHONE.finditer(text)]
    assert found == [written], (text, found)
    assert normalize_phone(found[0]) == normalized, (written, normalize_phone(found[0]))


@FAST
@given(digits=CN_MOBILES, style=st.sampled_from(MOBILE_STYLES), template=st.sampled_from(PHONE_SENTENCES))
def test_cn_mobile_found_whole_and_normalized(digits, style, template):
    written = write_mobile(digits, style)
    assert_phone_found(template.format(written), written, digits)


# Real CN area codes: 010, 02X, and 0 + [3-9] + two digits; subscriber numbers are 7-8 digits not starting 0/1,
# 8 digits after a 2-digit code, 7-8 after a 3-digit one.
@st.composite
def cn_landlines(draw):
    """(area code with its 0, subscriber number)."""
    area = draw(st.one_of(st.just("010"), st.from_regex(r"02[0-9]", fullmatch=True),
                          st.from_regex(r"0[3-9][0-9]{2}", fullmatch=True)))
    length = 8 if len(area) == 3 else draw(st.sampled_from([7, 8]))
    sub = draw(st.from_regex(rf"[2-9][0-9]{{{length - 1}}}", fullmatch=True))
    return area, sub


def write_landline(area: str, sub: str, style: str) -> str:
    head, tail = sub[:-4], sub[-4:]
    return {
        "dash": f"{area}-{sub}", "space": f"{area} {sub}", "plain": f"{area}{sub}", "paren": f"({area}) {sub}",
        "dash-split": f"{area}-{head}-{tail}", "space-split": f"{area} {head} {tail}",
        "+86 space": f"+86 {area[1:]} {head} {tail}", "+86-dash": f"+86-{area[1:]}-{sub}",
    }[style]


DOMESTIC_LANDLINE = ("dash", "space", "plain", "paren", "dash-split", "space-split")
INTL_LANDLINE = ("+86 space", "+86-dash")


@FAST
@given(line=cn_landlines(), style=st.sampled_from(DOMESTIC_LANDLINE), template=st.sampled_from(PHONE_SENTENCES))
def test_cn_landline_found_whole_and_normalized(line, style, template):
    area, sub = line
    written = write_landline(area, sub, style)
    assert_phone_found(template.format(written), written, area + sub)


@FAST
@given(line=cn_landlines(), style=st.sampled_from(INTL_LANDLINE), template=st.sampled_from(PHONE_SENTENCES))
@example(line=("010", "20000000"), style="+86 space", template="{}")
def test_cn_landline_with_plus86_normalizes_to_domestic_form(line, style, template):
    area, sub = line
    written = write_landline(area, sub, style)
    assert_phone_found(template.format(written), written, area + sub)


COUNTRY_CODES = ("1", "7", "33", "39", "44", "49", "61", "65", "81", "82", "852", "853", "886", "971")


@st.composite
def international_phones(draw):
    """(written, normalized) e.g. ('+1 415 555 0123', '+14155550123'); never +86 (that one is CN)."""
    cc = draw(st.sampled_from(COUNTRY_CODES))
    groups = draw(st.lists(st.from_regex(r"[0-9]{2,4}", fullmatch=True), min_size=2, max_size=4))
    assume(len(cc) + sum(map(len, groups)) <= 15)  # E.164
    sep = draw(st.sampled_from([" ", "-", ""]))
    paren = draw(st.booleans()) and sep == " "
    first = f"({groups[0]})" if paren else groups[0]
    written = f"+{cc}{' ' if sep == '' and draw(st.booleans()) else sep}" + sep.join([first, *groups[1:]])
    return written, "+" + cc + "".join(groups)


@FAST
@given(phone=international_phones(), template=st.sampled_from(PHONE_SENTENCES))
@example(phone=("+1 415 555 0123", "+14155550123"), template="{}")
@example(phone=("+44 20 7946 0958", "+442079460958"), template="contact Jane Doe {}, need: CRM")
def test_international_found_whole_and_normalized(phone, template):
    written, normalized = phone
    assert_phone_found(template.format(written), written, normalized)


# ============================================================================================================
# 4. Any text: never raises, never returns garbage
# ============================================================================================================

# Characters the extractors care about, so random text often gets near a real match (and its edge cases).
NEAR_MISS = ("0123456789" "零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟"
             "kKwWmMbn$¥￥€£元块钱美金人民币RMBUSD年月日号周星期天后前内底末初中旬季度QDecJanFebMay"
             " ,.:：;-/~～到至+()%")
FRAGMENTS = ("'; DROP TABLE opportunities; --", "<script>alert(1)</script>", "</b>&amp;", "\x00", "\x1b[31m",
             "\u202e", "\ufeff", "\u200b", "😀", "🔥💰", "𠀀", "\ud7ff", "报备", "跟进", "预算", "预计", "下一步：",
             "50万", "五十万万", "2月30日", "2026-13-01", "13800138000", "+86 ", "$", "k", "万", "亿", "十",
             "12月", "底", "下周", "明天", "3天后", "Dec 20", "end of Q", "\n", "\t", "  ", "%s", "{}", "\\")
MESSY = st.one_of(
    st.text(),
    st.text(alphabet=NEAR_MISS, max_size=60),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4) | st.text(alphabet=NEAR_MISS, max_size=6),
             max_size=20).map("".join),
)
LONG_TEXT = st.tuples(st.text(alphabet=NEAR_MISS, min_size=1, max_size=12) | st.sampled_from(FRAGMENTS),
                      st.integers(min_value=1000, max_value=10_000)).map(lambda t: (t[0] * t[1])[:10_000])
VERB_PREFIXES = ("", "报备 ", "报备：", "register ", "跟进 ", "跟进 2026-SH-007 ", "follow up ", "show ", "查看 ",
                 "帮助", "help", "我的商机", "赢单 2026-SH-007 ", "输单 ", "推进 ", "log ")
CURRENCY_CODE = re.compile(r"[A-Z]{3}")
ANY_TODAY = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)) | TODAYS


def check_amount(text: str) -> None:
    found = find_amount(text)
    if found is not None:
        start, end = found.span
        assert 0 <= start < end <= len(text), (text, found)
        assert isinstance(found.value, Decimal) and found.value.is_finite() and found.value > 0, found
        assert CURRENCY_CODE.fullmatch(found.currency), found


def check_date(text: str, today: date) -> None:
    found = find_date(text, today=today)
    if found is not None:
        start, end = found.span
        assert 0 <= start < end <= len(text), (text, found)
        assert type(found.value) is date, found


def check_parse(text: str, today: date) -> None:
    result = parse(text, today=today)
    assert isinstance(result, Intent), result
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, Decimal):
            assert value.is_finite() and value > 0, (f.name, value)
        if f.name.endswith(("date", "close")) and value is not None:
            assert type(value) is date, (f.name, value)


@settings(max_examples=300, deadline=None, database=None)
@given(text=MESSY)
@example(text="'; DROP TABLE opportunities; --")
@example(text="<script>alert('预算 50万')</script>")
@example(text="\x00\x01\x1b[31m\x7f")
def test_find_amount_never_raises_nor_returns_garbage(text):
    check_amount(text)


@settings(max_examples=300, deadline=None, database=None)
@given(text=MESSY, today=ANY_TODAY)
@example(text="9999-12-31 明天", today=date(9999, 12, 31))   # overflow past the last representable day
@example(text="0001-01-01 昨天", today=date(1, 1, 1))
def test_find_date_never_raises_nor_returns_garbage(text, today):
    check_date(text, today)


@settings(max_examples=200, deadline=None, database=None)
@given(prefix=st.sampled_from(VERB_PREFIXES), text=MESSY, today=TODAYS)
def test_parse_never_raises(prefix, text, today):
    check_parse(prefix + text, today)


@LONG
@given(prefix=st.sampled_from(VERB_PREFIXES), text=LONG_TEXT, today=TODAYS)
@example(prefix="报备 ", text="五十" * 5000, today=date(2026, 11, 2))
def test_long_text_never_raises(prefix, text, today):
    check_amount(text)
    check_date(text, today)
    check_parse(prefix + text, today)


# ============================================================================================================
# 5. Junk never becomes a number
# ============================================================================================================

@FEW
@given(n=st.integers(min_value=1, max_value=9999), numeral=st.sampled_from(["arabic", "chinese"]))
@example(n=50, numeral="chinese")   # 五十万万
def test_doubled_wan_is_not_an_amount(n, numeral):
    text = (str(n) if numeral == "arabic" else cn2an.an2cn(n)) + "万万"
    assert find_amount(text) is None, (text, find_amount(text))


@st.composite
def impossible_month_days(draw):
    """(month, day) that no year has: Feb 30/31, Apr/Jun/Sep/Nov 31, day 0 or 32..99, month 0 or 13..99."""
    kind = draw(st.sampled_from(["day-too-big", "day-out-of-range", "month-out-of-range"]))
    if kind == "day-too-big":
        month = draw(st.sampled_from([2, 4, 6, 9, 11]))
        return month, draw(st.integers(min_value=30 if month == 2 else 31, max_value=31))
    if kind == "day-out-of-range":
        return draw(st.integers(1, 12)), draw(st.sampled_from([0]) | st.integers(32, 99))
    return draw(st.sampled_from([0]) | st.integers(13, 99)), draw(st.integers(1, 28))


@FAST
@given(md=impossible_month_days(), today=TODAYS, year=st.integers(min_value=1990, max_value=2099),
       style=st.sampled_from(["iso", "slash", "cn", "cn-year", "cn-numerals", "en"]))
@example(md=(2, 30), today=date(2026, 11, 2), year=2026, style="cn")       # 2月30日
@example(md=(13, 1), today=date(2026, 11, 2), year=2026, style="iso")      # 2026-13-01
def test_impossible_dates_are_none(md, today, year, style):
    month, day = md
    if style == "cn-numerals":
        assume(1 <= month <= 12 and 1 <= day <= 31)  # cn2an has no word for 0; 32..99 are covered in arabic
    if style == "en":
        assume(1 <= month <= 12)
    form = {
        "iso": f"{year}-{month:02d}-{day:02d}",
        "slash": f"{year}/{month}/{day}",
        "cn": f"{month}月{day}日",
        "cn-year": f"{year}年{month}月{day}日",
        "cn-numerals": f"{cn2an.an2cn(month)}月{cn2an.an2cn(day)}日",
        "en": f"{calendar.month_abbr[month] if 1 <= month <= 12 else ''} {day}",
    }[style]
    found = find_date(form, today=today)
    assert found is None, (form, found)


@FAST
@given(year=st.integers(min_value=1990, max_value=2099).filter(lambda y: not calendar.isleap(y)), today=TODAYS,
       style=st.sampled_from(["iso", "cn-year"]))
def test_feb_29_of_a_common_year_is_none(year, today, style):
    form = f"{year}-02-29" if style == "iso" else f"{year}年2月29日"
    assert find_date(form, today=today) is None, form
