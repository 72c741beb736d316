"""Small field extractors with no I/O: phones, emails, opportunity IDs, titles, source and channel words."""
from __future__ import annotations

import re

OPP_ID = re.compile(r"(?<![\w-])(\d{4}-[A-Za-z]{2,4}-\d{3,6})(?![\w-])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# CN mobile (with optional +86), CN landline with area code, or an international number with '+'.
PHONE = re.compile(
    r"(?<![\d+])(?:"
    r"(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
    r"|0\d{2,3}[\s-]?\d{7,8}"
    r"|\+[1-9]\d{0,2}[\s-]?\d{2,4}(?:[\s-]?\d{2,4}){1,3}"
    r")(?!\d)"
)

SOURCE_WORDS = {
    "exhibition": ("展会", "会展", "展览", "trade show", "tradeshow", "exhibition", "expo"),
    "website": ("官网", "网站", "website", "web"),
    "referral": ("转介绍", "推荐", "介绍", "referral", "referred"),
    "wechat": ("微信", "wechat"),
    "phone": ("电话", "phone", "call"),
    "ad": ("广告", "投放", "advert", "ads", "ad"),
    "partner": ("合作伙伴", "渠道商", "代理商", "partner"),
}
CHANNEL_WORDS = {
    "visit": ("拜访", "上门", "面谈", "visit", "visited", "onsite", "on-site"),
    "demo": ("演示", "demo"),
    "meeting": ("会议", "开会", "meeting", "met "),
    "phone": ("电话", "致电", "通话", "call", "phone", "rang"),
    "wechat": ("微信", "wechat"),
    "email": ("邮件", "邮箱", "email", "e-mail", "mail"),
}
TITLE_WORDS = (
    "总经理", "副总", "总裁", "董事长", "董事", "总监", "经理", "主管", "主任", "负责人", "工程师", "专员", "采购",
    "老板", "厂长", "架构师", "组长", "助理", "秘书", "顾问",
    "ceo", "cto", "cfo", "cio", "coo", "vp", "director", "manager", "head", "engineer", "lead", "buyer",
    "procurement", "founder", "owner", "president", "architect",
)


def normalize_phone(raw: str) -> str:
    """Digits only; international numbers keep a leading '+', and +86 / 86 on a CN mobile is dropped."""
    digits = re.sub(r"\D", "", raw)
    if raw.strip().startswith("+") and not digits.startswith("86"):
        return "+" + digits
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    return digits


def take_all(pattern: re.Pattern, text: str) -> tuple[list[str], str]:
    """The matches, and the text with them cut out."""
    found = [m.group(0) for m in pattern.finditer(text)]
    return found, pattern.sub(" ", text)


def _first_word_hit(table: dict[str, tuple[str, ...]], text: str) -> str | None:
    low = text.lower()
    best = None
    for value, words in table.items():
        for w in words:
            if re.search(r"[a-z]", w):
                m = re.search(r"(?<![a-z])" + re.escape(w.strip()) + r"(?![a-z])", low)
            else:
                m = re.search(re.escape(w), low)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), value)
    return best and best[1]


def source_of(text: str) -> str | None:
    """A source channel word, or 'other' for text that names none we know."""
    return _first_word_hit(SOURCE_WORDS, text) or ("other" if text.strip() else None)


def channel_of(text: str) -> str | None:
    return _first_word_hit(CHANNEL_WORDS, text)


def split_title(text: str) -> tuple[str | None, str | None]:
    """'李娜(采购经理)' / 'Jane Doe (CTO)' / '王磊 技术总监' → (name, title)."""
    text = text.strip(" ,;:")
    m = re.fullmatch(r"(.+?)\s*\((.+?)\)\s*(.*)", text)
    if m:
        return m.group(1).strip() or None, m.group(2).strip() or None
    words = text.split()
    for i, w in enumerate(words):
        if i > 0 and any(t in w.lower() for t in TITLE_WORDS):
            return " ".join(words[:i]) or None, " ".join(words[i:]) or None
    return text or None, None
