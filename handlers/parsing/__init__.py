"""Text → Intent. The seam every front end shares; the richer parser (issue 3) grows behind `parse`."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from handlers.intents import (ContactInfo, FollowUp, Help, Intent, MyOpportunities, NotUnderstood, Register,
                              Show)
from handlers.parsing.amounts import find_amount
from handlers.parsing.dates import find_date
from handlers.parsing.fields import EMAIL, OPP_ID, PHONE, channel_of, normalize_phone, source_of, split_title, \
    take_all

# Verb at the start of the message → intent. Longest first, so "follow up" wins over "follow".
VERBS = {
    "register": ("报备", "登记", "新商机", "new opportunity", "new opp", "register"),
    "follow_up": ("跟进", "follow-up", "follow up", "followup", "log"),
    "show": ("查看", "详情", "show", "view"),
    "mine": ("我的商机", "我的机会", "my opportunities", "my opps", "my pipeline", "mine"),
    "help": ("帮助", "怎么用", "help", "?"),
}
# Labels inside a registration → field.
LABELS = {
    "customer": ("客户名称", "客户", "公司", "customer", "company", "client"),
    "contact": ("联系人", "contact"),
    "phone": ("电话", "手机", "phone", "mobile", "tel"),
    "email": ("邮箱", "email", "e-mail"),
    "need": ("需求", "need", "needs", "requirement"),
    "budget": ("预算", "budget"),
    "close": ("预计成交", "预计签约", "成交时间", "预计", "close by", "close date", "expected close", "close"),
    "source": ("来源", "渠道", "source"),
    "industry": ("行业", "industry"),
}
NEXT_MARKERS = re.compile(r"(?:下一步|下步|next step|next)\s*[:：]?\s*", re.I)
CLOSE_WORDS = ("成交", "签约", "签单", "close", "sign")


def _verb(text: str) -> tuple[str | None, str]:
    low = text.lower()
    pairs = sorted(((w, k) for k, ws in VERBS.items() for w in ws), key=lambda p: -len(p[0]))
    for word, kind in pairs:
        if low.startswith(word):
            rest = text[len(word):]
            if word.isascii() and word[-1].isalpha() and rest[:1].isalpha():
                continue  # "logistics" is not "log"
            return kind, rest.strip(" \t:;,")
    return None, text


def parse(text: str, *, today: date) -> Intent:
    """One message → one intent; never raises, whatever the text."""
    text = unicodedata.normalize("NFKC", text).strip()
    kind, rest = _verb(text)
    if kind == "help":
        return Help()
    if kind == "mine":
        return MyOpportunities()
    if kind == "show":
        return Show(ref=rest) if rest else NotUnderstood(intent="show", missing="ref")
    if kind == "follow_up":
        return _follow_up(rest, today=today)
    if kind == "register":
        return _register(rest, today=today)
    return NotUnderstood()


def _label_pattern() -> re.Pattern:
    words = sorted((w for ws in LABELS.values() for w in ws), key=len, reverse=True)
    return re.compile(r"(?:^|(?<=[\s,;]))(" + "|".join(re.escape(w) for w in words) + r")(?:\s*[=:]\s*|\s+)", re.I)


_LABEL = _label_pattern()
_LABEL_FIELD = {w.lower(): field for field, ws in LABELS.items() for w in ws}


def _register(body: str, *, today: date) -> Register:
    emails, body = take_all(EMAIL, body)
    phones, body = take_all(PHONE, body)
    fields: dict[str, str] = {}
    extras: list[str] = []
    marks = list(_LABEL.finditer(body))
    head = body[: marks[0].start()] if marks else body
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        value, *more = re.split(r"[;\n]", body[m.end():end])
        fields.setdefault(_LABEL_FIELD[m.group(1).lower()], value.strip(" ,;"))
        extras += more
    head_parts = [p.strip() for p in re.split(r"[,;\n]", head) if p.strip()]
    if head_parts and "customer" not in fields:
        fields["customer"] = head_parts.pop(0)
    extras += head_parts
    budget = find_amount(fields.get("budget", "")) if "budget" in fields else None
    close = find_date(fields.get("close", ""), today=today) if "close" in fields else None
    for extra in (e.strip(" ,") for e in extras if e.strip(" ,")):
        if close is None and any(w in extra.lower() for w in CLOSE_WORDS):
            close = find_date(extra, today=today)
        elif budget is None:
            budget = find_amount(extra)
    name, title = split_title(fields.get("contact", ""))
    contact = ContactInfo(name=name, title=title, phone=normalize_phone(phones[0]) if phones else None,
                          email=emails[0].lower() if emails else None)
    return Register(
        customer=fields.get("customer") or None,
        contacts=(contact,) if any(vars(contact).values()) else (),
        need=fields.get("need") or None,
        budget=budget.value if budget else None, currency=budget.currency if budget else None,
        expected_close=close.value if close else None,
        source=source_of(fields["source"]) if fields.get("source") else None,
        industry=fields.get("industry") or None,
    )


def _follow_up(body: str, *, today: date) -> Intent:
    m = OPP_ID.match(body)
    if m:
        ref, rest = m.group(1).upper(), body[m.end():]
    else:
        ref, _, rest = body.partition(" ")
    rest = rest.strip(" ,;:")
    if not ref:
        return NotUnderstood(intent="follow_up", missing="ref")
    if not rest:
        return NotUnderstood(intent="follow_up", missing="content")
    content, next_action, when = rest, None, None
    marker = NEXT_MARKERS.search(rest)
    if marker:
        content, next_action = rest[: marker.start()].strip(" ,;:"), rest[marker.end():].strip(" ,;.")
        found = find_date(next_action, today=today)
        if found:
            when = found.value
            next_action = (next_action[: found.span[0]] + next_action[found.span[1]:]).strip(" ,;.") or None
    else:
        found = find_date(rest, today=today)
        if found:  # "3天后再联系": the clause holding the date is the next action
            when = found.value
            clauses = re.split(r"[,;.]", rest)
            pos = 0
            for clause in clauses:
                if pos <= found.span[0] < pos + len(clause) + 1:
                    left = found.span[0] - pos
                    next_action = (clause[:left] + clause[left + found.span[1] - found.span[0]:]).strip() or None
                    break
                pos += len(clause) + 1
    return FollowUp(ref=ref, content=content or rest, channel=channel_of(content or rest),
                    next_action=next_action, next_action_date=when)
