"""Text → Intent: the one seam every front end shares. Pure (no I/O, no clock): `today` is passed in."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from handlers import intents as i
from handlers.parsing.amounts import find_amount
from handlers.parsing.dates import find_date
from handlers.parsing.fields import OPP_ID, lost_reason_of, stage_of
from handlers.parsing.follow_up import parse_follow_up
from handlers.parsing.register import parse_register
from handlers.parsing.verbs import split_verb

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\ufeff]")
PERIODS = {"month": ("本月", "这个月", "当月", "月度", "month"), "quarter": ("本季度", "这季度", "季度", "本季", "quarter", "q"),
           "year": ("今年", "本年", "年度", "全年", "year")}
# 竞品 needs a separator (竞品低价 is a reason); 输给 runs into the name (输给了销售易).
COMPETITOR_LABEL = re.compile(r"(?:(?:竞品|竞争对手|对手|competitor|lost to)\s*(?:[=:]\s*|\s+)|输给了?\s*)", re.I)
REASON_LABEL = re.compile(r"(?:原因|理由|reason|because)\s*[=:]?\s*", re.I)


def clean(text: str) -> str:
    """Full-width → half-width (：，（ → :,( ), control characters out, spaces squeezed."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))
    return re.sub(r"[ \t]+", " ", text).strip()


def split_ref(body: str) -> tuple[str | None, str]:
    """An opportunity ID anywhere at the front, else the first word (a customer name); and the rest."""
    m = OPP_ID.search(body[:40])
    if m:
        return m.group(1).upper(), (body[: m.start()] + " " + body[m.end():]).strip(" ,;:")
    m = re.match(r"(?:with\s+)?([^\s,;:]+)[\s,;:]*(.*)", body, re.S)
    if not m:
        return None, ""
    return m.group(1), m.group(2).strip()


def parse(text: str, *, today: date) -> i.Intent:
    """One message → one intent; never raises, whatever the text."""
    text = clean(text)
    kind, rest = split_verb(text)
    if kind is None:
        if OPP_ID.fullmatch(text):
            return i.Show(ref=text.upper())
        return i.NotUnderstood()
    if kind == "register":
        return parse_register(rest, today=today)
    if kind in ("help", "cancel", "mine", "due_this_week", "funnel", "forecast"):
        return _simple(kind, rest)
    ref, rest = split_ref(rest)
    if not ref:
        return i.NotUnderstood(intent=kind, missing="ref")
    if kind == "follow_up":
        return parse_follow_up(ref, rest, today=today) if rest else i.NotUnderstood(intent=kind, missing="content")
    if kind == "advance":
        return i.Advance(ref=ref, stage=stage_of(rest))
    if kind == "won":
        amount, when = find_amount(rest), find_date(rest, today=today)
        return i.Won(ref=ref, amount=amount and amount.value, currency=amount and amount.currency,
                     close_date=when and when.value)
    if kind == "lost":
        return _lost(ref, rest)
    if kind == "invalid":
        return i.Invalid(ref=ref, reason=REASON_LABEL.sub("", rest, count=1).strip() or None)
    if kind == "claim":
        return i.Claim(ref=ref)
    if kind in ("approve", "reject"):
        return i.Decide(ref=ref, approve=kind == "approve", note=REASON_LABEL.sub("", rest, count=1).strip() or None)
    return i.Show(ref=ref)


def _simple(kind: str, rest: str) -> i.Intent:
    if kind == "help":
        return i.Help()
    if kind == "cancel":
        return i.Cancel()
    if kind == "forecast":
        low = rest.lower()
        period = next((p for p, words in PERIODS.items() if any(w in low for w in words)), None)
        return i.Query(what="forecast", period=period)
    return i.Query(what=kind)


def _lost(ref: str, rest: str) -> i.Lost:
    competitor = None
    m = COMPETITOR_LABEL.search(rest)
    if m:
        after = re.split(r"[\s,;]", rest[m.end():].strip(), maxsplit=1)
        competitor = after[0] or None
        rest_wo = (rest[: m.start()] + " " + (after[1] if len(after) > 1 else "")).strip()
    else:
        rest_wo = rest
    detail = REASON_LABEL.sub("", rest_wo, count=1).strip(" ,;") or None
    return i.Lost(ref=ref, reason=lost_reason_of(detail or "") if detail else None, competitor=competitor,
                  detail=detail)
