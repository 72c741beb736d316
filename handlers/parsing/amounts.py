"""Find the first money expression in a Chinese/English sales message. Pure: no I/O, no clock."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


DEFAULT_CURRENCY = "CNY"

# Unit after a number → (multiplier, needs an explicit currency marker to count as money).
UNITS: dict[str, tuple[int, bool]] = {
    "千万": (10**7, False),
    "百万": (10**6, False),
    "万": (10**4, False),
    "亿": (10**8, False),
    "千": (10**3, False),
    "w": (10**4, False),
    "k": (10**3, False),
    "million": (10**6, True),
    "billion": (10**9, True),
    "lakh": (10**5, True),  # India: ₹45 lakh = 4,500,000 (also written lakhs, lac, 45L)
    "lakhs": (10**5, True), "lacs": (10**5, True), "lac": (10**5, True), "l": (10**5, True),
    "crore": (10**7, True),
    "juta": (10**6, True),  # Indonesia: Rp 500 juta
    "miliar": (10**9, True),
    "mn": (10**6, True),
    "bn": (10**9, True),
    "m": (10**6, True),
}
# A unit only one country counts money in says the currency when nothing else does (budget 30 lakh).
UNIT_CURRENCIES = {"lakh": "INR", "lakhs": "INR", "lacs": "INR", "lac": "INR", "l": "INR", "crore": "INR",
                   "juta": "IDR", "miliar": "IDR"}
# Currency marker written before the number.
PREFIX_CURRENCIES: dict[str, str] = {
    "US$": "USD", "HK$": "HKD", "S$": "SGD", "SGD": "SGD", "AUD": "AUD", "A$": "AUD", "$": "USD", "¥": "CNY", "￥": "CNY", "€": "EUR", "£": "GBP",
    "RMB": "CNY", "CNY": "CNY", "USD": "USD", "EUR": "EUR", "HKD": "HKD", "GBP": "GBP", "JPY": "JPY",
    "人民币": "CNY", "美元": "USD", "美金": "USD", "港币": "HKD", "欧元": "EUR",
    "C$": "CAD", "CAD": "CAD", "AED": "AED", "SAR": "SAR", "MYR": "MYR", "RM": "MYR", "KRW": "KRW", "₩": "KRW",
    "NOK": "NOK", "THB": "THB", "INR": "INR", "₹": "INR", "CHF": "CHF", "NZD": "NZD", "SEK": "SEK", "DKK": "DKK",
    "NT$": "TWD", "TWD": "TWD", "新台币": "TWD", "台币": "TWD", "JP¥": "JPY", "IDR": "IDR", "Rp": "IDR", "VND": "VND", "PHP": "PHP", "₱": "PHP",
}
# Currency marker written after the number (and after its unit).
SUFFIX_CURRENCIES: dict[str, str] = {
    "元": "CNY", "块钱": "CNY", "块": "CNY", "人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "yuan": "CNY",
    "美元": "USD", "美金": "USD", "USD": "USD", "dollars": "USD", "dollar": "USD",
    "欧元": "EUR", "欧": "EUR", "EUR": "EUR", "euros": "EUR", "euro": "EUR",
    "CAD": "CAD", "AED": "AED", "dirhams": "AED", "SAR": "SAR", "riyals": "SAR", "MYR": "MYR", "ringgit": "MYR",
    "KRW": "KRW", "won": "KRW", "NOK": "NOK", "THB": "THB", "baht": "THB", "INR": "INR", "CHF": "CHF", "韩元": "KRW",
    "港币": "HKD", "港元": "HKD", "HKD": "HKD", "SGD": "SGD", "新元": "SGD", "新加坡元": "SGD", "AUD": "AUD", "英镑": "GBP", "GBP": "GBP", "日元": "JPY", "JPY": "JPY",
    "新币": "SGD", "新加坡币": "SGD", "Singapore dollars": "SGD", "SG dollars": "SGD", "HK dollars": "HKD",
    "新台币": "TWD", "台币": "TWD", "TWD": "TWD", "円": "JPY", "yen": "JPY", "澳币": "AUD", "澳元": "AUD",
    "Australian dollars": "AUD", "rupees": "INR", "IDR": "IDR", "rupiah": "IDR", "VND": "VND",
    "dong": "VND", "PHP": "PHP", "pesos": "PHP", "peso": "PHP",
}
# The currency a customer's legal form gives, when the amount names none (Helix Fintech Pte Ltd … budget 200k).
LEGAL_FORM_CURRENCIES = (
    (re.compile(r"\bPte\.?\s*Ltd\b", re.I), "SGD"), (re.compile(r"\b(?:Sdn\.?\s*Bhd|Berhad|Bhd)\b", re.I), "MYR"),
    (re.compile(r"\bPty\.?\s*Ltd\b", re.I), "AUD"), (re.compile(r"\b(?:GmbH|AG|KG|e\.V|S\.r\.l|S\.p\.A|B\.V|N\.V)\b"), "EUR"),
    (re.compile(r"\bK\.K\b|株式会社"), "JPY"),
    (re.compile(r"\b(?:L\.L\.C|FZ-?LLC|FZE|W\.L\.L)\b"), "AED"), (re.compile(r"\b(?:Inc|LLC|Corp)\b\.?"), "USD"),
    (re.compile(r"\b(?:PT|Tbk)\b"), "IDR"), (re.compile(r"\b(?:Pvt\.?\s*Ltd|Private Limited)\b", re.I), "INR"),
    (re.compile(r"\b(?:SARL|SAS|S\.A\.S|GIE)\b"), "EUR"),
)


# 'SGD 200k' kept whole when the rep's words around it split on spaces (budget大概SGD 200k)
CURRENCY_GAP = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted((k for k in PREFIX_CURRENCIES if k.isalpha() and k.isascii()),
                                                          key=len, reverse=True)) + r")\s+(?=\d)")


def currency_named(text: str) -> str | None:
    """A currency said on its own (元, 美元, usd, S$, RM): its ISO code."""
    word = text.strip()
    return _CURRENCY_BY_MARKER.get(word.lower()) or (word.upper() if re.fullmatch(r"[A-Za-z]{3}", word)
                                                      and word.upper() in set(_CURRENCY_BY_MARKER.values()) else None)


def currency_of_legal_form(customer: str) -> str | None:
    return next((code for pattern, code in LEGAL_FORM_CURRENCIES if pattern.search(customer)), None)


# Words that make a following bare number a budget ("budget 120000", "预算：120000").
BUDGET_WORDS = ("预算", "金额", "报价", "合同额", "总价", "budget", "amount", "price", "deal size")
BUDGET_FILLER = r"(?:\s|[:：=~≈-]|is|是|约|大约|大概|说|卡在|控制在|在|给的|about|around|approx\.?|uh|um|like)*"
MIN_BARE_DIGITS = 4          # a bare number shorter than this is never taken as money
MAX_DIGITS = 15              # anything longer is an ID, not money
MAX_CHINESE_NUMERAL = 24
PHONE_LIKE = re.compile(r"1[3-9][0-9]{9}")
# After a bare number, these mean it is part of a date, time, ID or percentage.
NOT_MONEY_AFTER = re.compile(r"[-/.:：][0-9A-Za-z]|[年月日号点时分秒%个天周]|[A-Za-z0-9]")
UNIT_CHARS = "万亿千百"
# "5k-10k", "50万到80万": a range is not one amount, so neither end is taken.
RANGE_AFTER = re.compile(r"\s?[-~～到至]\s?[0-9零一二两三四五六七八九十]")
RANGE_BEFORE = re.compile(r"[0-9零一二两三四五六七八九十百千万亿kw]\s?[-~～到至]\s?$", re.I)
# "500万用户", "10万台": a number counting things, not money (unless a currency says otherwise).
COUNTED_NOUNS = ("人", "用户", "台", "个", "家", "条", "次", "行", "字", "件", "套", "张", "户", "名", "辆", "吨", "平",
                 "users", "people", "units", "seats", "licenses")
CHINESE_DIGITS = "零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟"
CHINESE_SCALES = "万亿"       # a Chinese numeral needs one of these (or a currency) to be money


def _alternation(words) -> str:
    """Longest first so '千万' wins over '千'; ASCII words may not run into more letters ('km' is not 'k')."""
    parts = []
    for w in sorted(words, key=len, reverse=True):
        tail = r"(?![a-z])" if w[-1].isascii() and w[-1].isalpha() else ""
        parts.append(re.escape(w) + tail)
    return "(?:" + "|".join(parts) + ")"


_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_MONEY = re.compile(
    r"(?:(?<![a-z])(?P<pre>" + _alternation(PREFIX_CURRENCIES) + r")\s{0,2}|(?<![a-z0-9./\-_#])(?<!\d,))"
    r"(?:(?P<num>" + _ARABIC + r")(?:\s?(?P<unit>" + _alternation(UNITS) + r"))?"
    r"|(?P<cn>[" + CHINESE_DIGITS + r"]+))"
    r"(?:(?:-?ish|/yr|/year|/mo|/month)*\s{0,2}(?P<suf>" + _alternation(SUFFIX_CURRENCIES) + r"))?",  # 30k-ish/yr USD
    re.I,
)
_COUNTED_AFTER = re.compile(r"\s?" + _alternation(COUNTED_NOUNS), re.I)
_BUDGET_BEFORE = re.compile(_alternation(BUDGET_WORDS) + BUDGET_FILLER + r"$", re.I)
_CURRENCY_BY_MARKER = {k.lower(): v for k, v in {**PREFIX_CURRENCIES, **SUFFIX_CURRENCIES}.items()}


@dataclass(frozen=True)
class Amount:
    value: Decimal          # in the currency's unit, e.g. 500000 for 50万
    currency: str           # ISO code: "CNY", "USD", "EUR", "HKD"...
    span: tuple[int, int]   # where in the input string the expression was found
    marked: bool = field(default=False, compare=False)  # the text named the currency (¥, 元, SGD); else the default


# 八十个w / 一个亿 / 60个万: 个 between the number and its unit (read as a space, so positions hold)
_GE_BEFORE_UNIT = re.compile(r"(?<=[0-9" + CHINESE_DIGITS + r"])个(\s?)([wW万亿])")
# 预算卡在200以内 / 预算 50: in Chinese, a budget of under a thousand is said in 万
IMPLIED_WAN_AFTER = re.compile(r"\s?(?:以内|以下|之内|左右|上下|出头|多|$|[,，。;；\s])")


def find_amount(text: str) -> Amount | None:
    """First money expression in text."""
    if not isinstance(text, str) or not text:
        return None
    text = _GE_BEFORE_UNIT.sub(lambda g: ("万" if g[2] in "wW" else g[2]) + " " * (1 + len(g[1])), text)
    for m in _MONEY.finditer(text):
        value = _value_of(m)
        if value is not None and value > 0:
            return Amount(value=_tidy(value), currency=_currency_of(m), span=m.span(), marked=_has_currency(m))
    return None


def _currency_of(m: re.Match) -> str:
    """Prefix marker wins, then suffix, then the team's home currency; a code after '$' says which dollar."""
    marker = m.group("suf") if m.group("pre") == "$" and m.group("suf") else m.group("pre") or m.group("suf")
    if marker:
        return _CURRENCY_BY_MARKER.get(marker.lower(), DEFAULT_CURRENCY)
    return UNIT_CURRENCIES.get((m.group("unit") or "").lower(), DEFAULT_CURRENCY)


def _value_of(m: re.Match) -> Decimal | None:
    """The number a match stands for, or None when the match is not really money."""
    if _runs_on(m):
        return None  # "五十万万", "50万5": doubled or dangling unit, never guess
    if not _has_currency(m) and _COUNTED_AFTER.match(m.string, m.end()):
        return None  # "500万用户" counts users
    if m.group("cn"):
        return _chinese_value(m)
    return _arabic_value(m)


def _runs_on(m: re.Match) -> bool:
    """True when the expression runs on into another unit, digit or the other end of a range."""
    if RANGE_AFTER.match(m.string, m.end()) or RANGE_BEFORE.search(m.string[max(0, m.start() - 4):m.start()]):
        return True
    nxt = m.string[m.end():m.end() + 1]
    return bool(nxt) and (nxt in UNIT_CHARS or nxt in "0123456789") and not m.group("suf")


def _has_currency(m: re.Match) -> bool:
    return bool(m.group("pre") or m.group("suf"))


def _arabic_value(m: re.Match) -> Decimal | None:
    """'66.5' + '万' → 665000; a unitless number only counts with a currency or as a budget value."""
    digits = m.group("num").replace(",", "")
    if len(digits.split(".")[0]) > MAX_DIGITS:
        return None
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    unit = m.group("unit")
    if unit:
        multiplier, needs_currency = UNITS[unit.lower()]
        return None if needs_currency and not (_has_currency(m) or _after_budget_word(m)) else number * multiplier
    if _looks_like_date_or_id(m):
        return None
    if not _has_currency(m) and len(digits.split(".")[0]) <= 3 and _after_budget_word(m) \
            and re.search(r"[\u4e00-\u9fff]", m.string) and IMPLIED_WAN_AFTER.match(m.string, m.end()):
        return number * 10000
    if _has_currency(m) or _is_budget_number(m):
        return number
    return None


def _looks_like_date_or_id(m: re.Match) -> bool:
    """'2026-SH-007', '2026/12/28', '12月', '3天': the number is glued to a date/ID/time marker."""
    after = m.string[m.end("num"):m.end("num") + 3]
    return bool(NOT_MONEY_AFTER.match(after)) and not m.group("suf")


def _is_budget_number(m: re.Match) -> bool:
    """A bare number counts alone in the string (a '预算=' value) or right after a budget word."""
    digits = m.group("num").replace(",", "")
    whole = digits.split(".")[0]
    if len(whole) < MIN_BARE_DIGITS or whole.startswith("0") or PHONE_LIKE.fullmatch(digits):
        return False
    return m.string.strip() == m.group(0) or _after_budget_word(m)


def _after_budget_word(m: re.Match) -> bool:
    return bool(_BUDGET_BEFORE.search(m.string[max(0, m.start() - 24):m.start()]))


def _chinese_value(m: re.Match) -> Decimal | None:
    """'五十万' → 500000 via cn2an; needs 万/亿 or a currency so '一下' or '三天' never count."""
    numeral = m.group("cn")
    if len(numeral) > MAX_CHINESE_NUMERAL or numeral[0] in "百千万亿点":
        return None  # "千万不要" is "must not", not ten million
    if not (_has_currency(m) or any(c in numeral for c in CHINESE_SCALES)):
        return None
    import cn2an  # loaded with the first Chinese numeral, not with every command
    try:
        number = cn2an.cn2an(numeral, "smart")
    except Exception:  # cn2an raises ValueError on junk, and is not strict about what else
        return None
    try:
        return Decimal(str(number))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _tidy(value: Decimal) -> Decimal:
    """Whole amounts without a trailing '.0', so 665000 prints as 665000."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
