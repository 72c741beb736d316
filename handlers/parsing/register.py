"""Registration fields from labelled (客户=…；联系人：…) and unlabelled text. Also reads a slot-filling answer."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from handlers.intents import ContactInfo, Register
from handlers.parsing.amounts import find_amount
from handlers.parsing.dates import find_date
from handlers.parsing.fields import (CJK, EMAIL, PHONE, is_title, looks_like_company, looks_like_person,
                                     normalize_phone, source_of, split_title, take_all)

LABELS = {
    "customer": ("客户名称", "客户全称", "客户名", "客户", "公司名称", "公司", "单位", "customer", "company", "client", "account"),
    "contact": ("联系人", "对接人", "对接", "负责人", "contact person", "contact"),
    "title": ("职位", "职务", "title", "position"),
    "phone": ("电话", "手机号", "手机", "联系电话", "phone", "mobile", "tel"),
    "email": ("邮箱", "邮件", "email", "e-mail"),
    "need": ("客户需求", "项目需求", "需求描述", "需求", "项目", "need", "needs", "requirement", "project",
             "interested in"),
    "budget": ("预算金额", "预算", "金额", "budget", "amount", "deal size"),
    "close": ("预计成交时间", "预计成交", "预计签约", "成交时间", "签约时间", "预计", "close by", "close date",
              "expected close", "closing", "close", "by"),
    "source": ("商机来源", "线索来源", "客户来源", "来源", "渠道", "lead source", "source", "via"),
    "industry": ("所属行业", "行业", "industry", "sector"),
}
NEED_LEAD = re.compile(r"^(?:\+\s*)?(?:需求是|需要|想要上?个?|想上个?|想做个?|要做个?|要上个?|上个|needs?|wants?|looking for)\s*",
                       re.I)
FILLER = re.compile(r"大概|大约|左右|差不多|上下|约|about|around|approx\.?|roughly", re.I)
PER_PERIOD = re.compile(r"^\s*(?:/|每|per\s*)(?:月|年|季度?|month|year|quarter|yr|mo)\b", re.I)  # 3.5k/月
# Values that end at a comma; what follows is read as unlabelled text. A Chinese need may hold commas.
SHORT_FIELDS = ("customer", "close", "budget", "source", "industry", "need")
# "微信上加的", "展会上认识的": how they met, said without a 来源 label.
MET_VIA = re.compile(r"(?:加的|认识的?|来的|找来的|过来的|介绍的|聊的|联系的)$")
CLOSE_WORDS = ("成交", "签约", "签单", "签合同", "落地", "能定", "定下来", "拍板", "close", "sign", "closing")
_WORDS = sorted(((w, f) for f, ws in LABELS.items() for w in ws), key=lambda p: -len(p[0]))
_LABEL = re.compile(
    r"(?:^|(?<=[\s,;]))(" + "|".join(re.escape(w) for w, _ in _WORDS) + r")(\s*[=:]\s*|\s+)?", re.I)
_FIELD = {w.lower(): f for w, f in _WORDS}
# A label needs a separator after it ("contacted" is no label, 渠道商 is a source, not 渠道 + 商) — except
# these Chinese ones, which reps run into their value: 联系人王磊, 预算50万, 预计12月底成交.
RUN_ON_LABELS = ("联系人", "对接人", "职位", "电话", "手机", "邮箱", "需求", "预算", "预计成交",
                 "预计签约", "预计", "来源", "行业")
_SPLIT = re.compile(r"\s*[;\n]\s*")


@dataclass
class _Draft:
    """Mutable while reading one message; frozen into Register at the end."""

    labelled: dict[str, str] = field(default_factory=dict)
    loose: list[str] = field(default_factory=list)  # unlabelled pieces, in order


# A comma splits pieces, except inside 250,000 and before a legal suffix (Philips (China) Co., Ltd.).
COMMA = re.compile(r"\s*(?:[，、]|,(?!\d{3}(?!\d))(?!\s*(?:ltd|inc|llc|limited|plc)\b))\s*", re.I)
DEPARTMENT = re.compile(r"^[\u4e00-\u9fff]{1,8}(?:部|部门|中心|科室|处)$")
WECHAT_ID = re.compile(r"(?:wechat|weixin|微信号?|wx)\s*[:=]\s*[A-Za-z][\w-]{3,}", re.I)


def _pieces(segment: str) -> list[str]:
    """Chinese text splits on spaces and commas; Latin text only on commas (Acme Corp is one name)."""
    out = []
    for part in re.split(r"\s*;\s*", segment):
        out += _comma_pieces(part)
    return out


def _comma_pieces(segment: str) -> list[str]:
    out = []
    for part in COMMA.split(segment):
        part = part.strip(" .;:")
        if not part:
            continue
        out += [w for w in part.split() if w.strip("+")] if CJK.search(part) else [part]
    return out


def _read(body: str) -> _Draft:
    draft = _Draft()
    marks = []
    for m in _LABEL.finditer(body):
        if not (m.group(2) or m.group(1) in RUN_ON_LABELS) or m.end() >= len(body):
            continue
        if m.group(1).lower() == "by" and not _close_by(body, m):
            continue
        if marks and m.start() == marks[-1].end() and _FIELD[marks[-1].group(1).lower()] == "source":
            continue  # 来源 电话: a label word right after 来源 is its value
        marks.append(m)
    head = body[: marks[0].start()] if marks else body
    draft.loose += _pieces(head)
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        value, *more = _SPLIT.split(body[m.end():end].strip(" ,;"))
        name = _FIELD[m.group(1).lower()]
        value = value.strip(" ,;")
        if name in draft.labelled or not value:
            draft.loose += _pieces(value)
        elif name in SHORT_FIELDS and len(COMMA.split(value)) > 1 and (name != "need" or not CJK.search(value)):
            first, *rest = COMMA.split(value)  # "预算80w左右，12月15日前定" / "budget $120k, close by …"
            draft.labelled[name] = first.strip()
            draft.loose += [p for r in rest for p in _pieces(r)]
        else:
            draft.labelled[name] = value
        for extra in more:
            draft.loose += _pieces(extra)
    return draft


def _close_by(body: str, m: re.Match) -> bool:
    """'by' is a close-date label only when a date follows it."""
    return find_date(body[m.end(): m.end() + 30], today=date(2000, 1, 1)) is not None


def parse_register(body: str, *, today: date, expect_customer: bool = True) -> Register:
    """`expect_customer=False` reads an answer to "still needed: contact or need" (no name comes first)."""
    body = WECHAT_ID.sub(" ", body)  # a WeChat id is how to reach them, not a title or a need
    body = re.sub(r"\s+/\s+", ", ", body)  # 'Acme Ltd. / Wei Ling Tan, IT Lead / +65 …' (not 2026/12/28)
    emails, body = take_all(EMAIL, body)
    phones, body = take_all(PHONE, body)
    draft = _read(body)
    got = dict(draft.labelled)
    budget = find_amount(got["budget"]) if got.get("budget") else None
    if budget:  # "两百万 年底签", "大概150万 下周二前定": words around the amount other than 大概/左右
        draft.loose += _pieces(PER_PERIOD.sub(" ", FILLER.sub(" ", _cut(got["budget"], budget.span))))
    close = find_date(got["close"], today=today) if got.get("close") else None
    name, title = split_title(got["contact"]) if got.get("contact") else (None, got.get("title"))
    if got.get("title") and not title:
        title = got["title"]
    customer = got.get("customer")
    need_parts: list[str] = []  # unlabelled words that are none of the other fields
    source = source_of(got["source"]) if got.get("source") else None
    for piece in draft.loose:
        amount = None if budget else find_amount(piece)
        when = None if close else find_date(piece, today=today)
        if expect_customer and customer is None and not (amount and _mostly(piece, amount.span)) and not (when and _mostly(piece, when.span)):
            customer = piece
        elif when and (_mostly(piece, when.span) or any(w in piece.lower() for w in CLOSE_WORDS)):
            close = when
        elif amount and _mostly(piece, amount.span):
            budget = amount
        elif not name and looks_like_person(piece):
            name = piece
        elif not name and "(" in piece and looks_like_person(split_title(piece)[0] or "") and split_title(piece)[1]:
            name, title = split_title(piece)  # 'Sarah Kim (CIO)' without a contact label
        elif DEPARTMENT.match(piece):
            title = title or piece
        elif not title and is_title(piece) and (name or not need_parts):
            title = piece
        elif not name and is_title(piece) and split_title(piece)[1]:
            name, title = split_title(piece)
        elif source is None and (source_of(piece, labelled=False) or MET_VIA.search(piece) and source_of(piece)):
            source = source_of(piece, labelled=not source_of(piece, labelled=False))
        elif customer and looks_like_company(piece) and not need_parts and piece == draft.loose[0]:
            customer = piece
        else:
            need_parts.append(piece)
    need = NEED_LEAD.sub("", " ".join(([got["need"]] if got.get("need") else []) + need_parts)).strip() or None
    if need and not budget:  # "需求 CRM 50万" without a budget label
        amount = find_amount(need)
        if amount:
            budget, need = amount, _cut(need, amount.span)
    if need and not close:
        when = find_date(need, today=today)
        if when and any(w in need[when.span[1]: when.span[1] + 4] for w in CLOSE_WORDS):
            close, need = when, _cut(need, (when.span[0], when.span[1] + 2))
    unread = tuple((f, got[f]) for f, found in (("budget", budget), ("close", close)) if got.get(f) and not found)
    contact = ContactInfo(name=name, title=title, phone=normalize_phone(phones[0]) if phones else None,
                          email=emails[0].lower() if emails else None)
    return Register(
        customer=customer, contacts=(contact,) if any(vars(contact).values()) else (),
        need=need or None, budget=budget.value if budget else None, currency=budget.currency if budget else None,
        expected_close=close.value if close else None, source=source, industry=got.get("industry") or None,
        unread=unread,
    )


def _mostly(piece: str, span: tuple[int, int]) -> bool:
    """The expression is most of the piece ('50万', '12月底成交'), not a detail inside a phrase."""
    rest = (piece[: span[0]] + piece[span[1]:]).strip()
    return len(rest) <= 3 or any(w in rest.lower() for w in CLOSE_WORDS) or rest.lower() in ("预算", "budget", "左右")


def _cut(text: str, span: tuple[int, int]) -> str:
    return (text[: span[0]] + " " + text[span[1]:]).strip(" ,;")
