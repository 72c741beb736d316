"""修改 ID 字段 值 / change ID field to value: which registration field, and its new value read the way a
registration reads that field (amounts, dates, sources), so a correction means what the same words meant first."""
from __future__ import annotations

import re
from datetime import date

from handlers import intents as i
from handlers.parsing.amounts import currency_named, find_amount
from handlers.parsing.fields import EMAIL, find_phones, looks_like_person, normalize_phone, source_of, split_title
from handlers.parsing.dates import find_date
from handlers.parsing.register import LABELS
from handlers.parsing.verbs import starts_with_word

FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "customer": LABELS["customer"] + ("客户名字", "customer name", "company name"),
    "need": LABELS["need"],
    "budget": LABELS["budget"],
    "currency": ("币种", "货币", "currency"),
    "expected_close": tuple(w for w in LABELS["close"] if w not in ("by", "预计")) + (
        "预计成交日期", "成交日期", "签约日期", "签单日期", "close date", "closing date", "expected close date"),
    "source": tuple(w for w in LABELS["source"] if w != "via"),
    "industry": LABELS["industry"],
    "contact": LABELS["contact"],
}
_BY_WORD = sorted(((w.lower(), f) for f, ws in FIELD_WORDS.items() for w in ws), key=lambda p: -len(p[0]))
# Between the field and its value: 预算改成60万 / close date to Feb 1 / 来源=展会.
CHANGE = (r"(?:改成|改为|改到|改|更新为|更新成|更新到|调整为|调整到|调整成|调到|调成|变成|变为|换成|换为|更正为|修改为|"
          r"应为|应该是|为|是|成|到|=|:|->|→|=>|(?:is\s+)?(?:now\s+)?(?:to|is|should be|=)(?![a-z]))")
_CHANGE_AT_START = re.compile(r"\s*(?:的)?\s*" + CHANGE + r"\s*", re.I)
# The ID-first form needs a word of change (2026-SH-001 预算改成60万): 2026-SH-001 预算已获批 is news, not an edit.
_SAID_CHANGE = re.compile(r"\s*(?:的)?\s*(?:改成|改为|改到|更新为|更新成|调整为|调整到|调到|变成|换成|更正为|修改为|应为|"
                          r"应该是|(?:changed|moved|updated|corrected)\s+to|should be)\s*", re.I)


def field_at_start(text: str) -> tuple[str, str] | None:
    """(field, the words after it) when text starts with a field's name ('预算 60万', 'close date to Feb 1')."""
    return starts_with_word(text, _BY_WORD)


# 'update' and 更新 also open news ('2026-SZ-009 update: 客户budget批了，50w…'): as an edit, only a short value set
# apart from its field ('update 2026-SH-001 industry logistics').
_SET_APART = re.compile(r"\s+|\s*[:=：]")
_SENTENCE = re.compile(r"[，。；;！？!?]")


def parse_edit(ref: str, rest: str, *, today: date, said: bool = False, strict: bool = False) -> i.Edit | None:
    """`said`: the ID-first form, which needs its word of change; `strict`: a verb that also opens news.
    None when rest names no field."""
    found = field_at_start(rest.strip())
    if found is None:
        return None
    field, after = found
    change = (_SAID_CHANGE if said else _CHANGE_AT_START).match(after)
    if said and not change:
        return None
    raw = after[change.end():] if change else after
    if strict and not said and not change and not _SET_APART.match(after):
        return None
    raw = raw.strip(" ,;:，；。.")
    if strict and (len(raw) > STRICT_LONGEST or _SENTENCE.search(raw)):
        return None
    return _read(ref, field, raw, today)


STRICT_LONGEST = 40


def _read(ref: str, field: str, raw: str, today: date) -> i.Edit | i.SetContact:
    value, currency = None, None
    if field == "contact":  # 修改 ID 联系人 王磊 电话 139…: the contact command, by name
        return parse_contact(ref, raw) or i.Edit(ref=ref, field=field, value=None, raw=raw)
    if field == "budget":
        amount = find_amount(raw)
        if amount:
            value, currency = amount.value, amount.currency
    elif field == "expected_close":
        when = find_date(raw, today=today)
        value = when and when.value
    elif field == "source":
        value = source_of(raw) if raw else None
    elif field == "currency":
        value = currency_named(raw)
    else:
        value = raw or None
    return i.Edit(ref=ref, field=field, value=value, currency=currency, raw=raw)


# A role said outright: 决策者 / 拍板的 / influencer / end user.
ROLE_WORDS = {"decision_maker": ("决策者", "决策人", "拍板人", "拍板的", "decision maker", "decision-maker", "dm"),
              "influencer": ("影响者", "影响人", "influencer"),
              "user": ("使用者", "使用人", "用户", "end user", "user")}
_ROLE = re.compile(r"(?<![A-Za-z])(?:角色\s*[:：=]?\s*|role\s*[:=]?\s*|as\s+(?:an?\s+)?|是)?("
                   + "|".join(sorted((re.escape(w) for ws in ROLE_WORDS.values() for w in ws), key=len, reverse=True))
                   + r")(?![A-Za-z])", re.I)


def parse_contact(ref: str, text: str) -> i.SetContact | None:
    """'张伟 CFO 13700001111 决策者' / 'Lisa Wong (Head of Data) lisa@x.com influencer'; None without a name."""
    role = None
    m = _ROLE.search(text)
    if m:
        said = m.group(1).lower()
        role = next(k for k, ws in ROLE_WORDS.items() if said in (w.lower() for w in ws))
        text = text[: m.start()] + " " + text[m.end():]
    phone = email = None
    email_m = EMAIL.search(text)
    if email_m:
        email, text = email_m.group(0).lower(), text[: email_m.start()] + " " + text[email_m.end():]
    spans = find_phones(text)
    if spans:
        a, b = spans[0]
        phone, text = normalize_phone(text[a:b]), text[:a] + " " + text[b:]
    text = re.sub(r"\s*(?:电话|手机|邮箱|职位|title|phone|mobile|email)\s*[:：=]?\s*", " ", text, flags=re.I)
    name, title = split_title(re.sub(r"\s+", " ", text).strip(" ,;:，；"))
    bare = re.sub(r"^(?:mr|ms|mrs|mdm|dr|miss|pak|bu|encik)\.?\s+", "", name or "", flags=re.I)
    if not name or not looks_like_person(bare):  # '联系人说下周再谈' is news, not a person
        return None
    return i.SetContact(ref=ref, contact=i.ContactInfo(name=name, title=title, phone=phone, email=email), role=role)
