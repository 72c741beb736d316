"""The labelled message corpus (tests/data/messages.jsonl): how much of what people type the parser reads right.

Each line is `{"text", "at", "expect"}`; `expect` lists only what a careful human reader says the message states,
in flat field names. The parser's output is flattened to the same names and compared field by field; the figure
(fields right / fields listed) is printed and must stay at or above THRESHOLD.
"""
from __future__ import annotations

import json
import re
import unicodedata
import warnings
from dataclasses import fields as dc_fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CORPUS = Path(__file__).parent / "data" / "messages.jsonl"
# Written by someone who never saw the parser, and never tuned against: its figure is the honest one.
HOLDOUT = Path(__file__).parent / "data" / "holdout.jsonl"  # measured blind once (90.5%), then tuned against
HOLDOUT2 = Path(__file__).parent / "data" / "holdout2.jsonl"  # written after that tuning, measured blind
TZ = ZoneInfo("Asia/Shanghai")
THRESHOLD = 0.99
HOLDOUT_THRESHOLD = 0.97
MIN_LINES = 150

INTENTS = ("register", "follow_up", "advance", "won", "lost", "invalid", "claim", "approve", "reject", "query",
           "show", "help", "cancel", "unknown")
# How each field is compared.
TEXT_FIELDS = {"customer", "need", "next_action", "contact_name", "contact_title", "industry", "competitor", "ref"}
EXACT_FIELDS = {"intent", "contact_role", "phone", "email", "currency", "expected_close", "source", "channel",
                "next_action_date", "stage", "close_date", "reason", "what", "period"}
NUMBER_FIELDS = {"budget", "amount"}
BOOL_FIELDS = {"budget_approved"}
SET_FIELDS = {"risks"}
KNOWN_FIELDS = TEXT_FIELDS | EXACT_FIELDS | NUMBER_FIELDS | BOOL_FIELDS | SET_FIELDS

# Class name → intent name, for the classes of handlers.intents that map one to one.
CLASS_INTENT = {
    "Register": "register", "FollowUp": "follow_up", "Advance": "advance", "Won": "won", "Lost": "lost",
    "Invalid": "invalid", "Claim": "claim", "Query": "query", "Show": "show", "Help": "help", "Cancel": "cancel",
    "NotUnderstood": "unknown",
}


def load_corpus(path: Path = CORPUS) -> list[dict]:
    lines = []
    with path.open(encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            if raw.strip():
                entry = json.loads(raw)
                entry["line"] = number
                lines.append(entry)
    return lines


def today_of(at: str) -> date:
    """The calendar day of the message time in Asia/Shanghai."""
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ).date()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def flatten(intent) -> dict:
    """A parser Intent → the corpus' flat field names (only the fields the intent carries)."""
    from domain.contacts import role_for_title

    cls = type(intent).__name__
    if cls == "Decide":
        return {"intent": "approve" if intent.approve else "reject", "ref": intent.ref}
    name = CLASS_INTENT.get(cls, _snake(cls))
    out: dict = {"intent": name}
    if cls == "NotUnderstood":
        return out
    if cls == "Register":
        first = intent.contacts[0] if intent.contacts else None
        out.update(
            customer=intent.customer,
            contact_name=first.name if first else None,
            contact_title=first.title if first else None,
            contact_role=role_for_title(first.title) if first and first.title else None,
            phone=first.phone if first else None,
            email=first.email if first else None,
            need=intent.need, budget=intent.budget, currency=intent.currency,
            expected_close=_iso(intent.expected_close), source=intent.source, industry=intent.industry,
        )
        return out
    if cls == "FollowUp":
        out.update(ref=intent.ref, channel=intent.channel, next_action=intent.next_action,
                   next_action_date=_iso(intent.next_action_date), budget=intent.budget, currency=intent.currency,
                   budget_approved=intent.budget_approved, risks=list(intent.risks or ()))
        return out
    if cls == "Won":
        out.update(ref=intent.ref, amount=intent.amount, currency=intent.currency,
                   close_date=_iso(intent.close_date))
        return out
    # Everything else: copy the dataclass fields that have a corpus name (ref, stage, reason, competitor,
    # what, period…); a class we do not know keeps its snake_case name as the intent.
    if is_dataclass(intent):
        for f in dc_fields(intent):
            if f.name in KNOWN_FIELDS and f.name != "intent":
                out[f.name] = _iso(getattr(intent, f.name))
    return out


_EDGE = re.compile(r"^[\s\W_]+|[\s\W_]+$", re.UNICODE)


def norm_text(value) -> str | None:
    """Full-/half-width folded, case-folded, spaces collapsed, spaces and punctuation trimmed at both ends."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    text = re.sub(r"\s+", " ", text)
    return _EDGE.sub("", text)


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def same(field: str, expected, got) -> bool:
    if field in TEXT_FIELDS:
        return norm_text(expected) == norm_text(got)
    if field in NUMBER_FIELDS:
        if expected is None or got is None:
            return expected is None and got is None
        e, g = _number(expected), _number(got)
        return e is not None and g is not None and e == g
    if field in BOOL_FIELDS:
        return bool(expected) == bool(got)
    if field in SET_FIELDS:
        return {norm_text(x) for x in expected or ()} == {norm_text(x) for x in got or ()}
    return expected == _iso(got)


def score(parse, path: Path = CORPUS) -> tuple[int, int, list[tuple[int, str, str, object, object]]]:
    """(fields right, fields total, [(line, text, field, expected, got)]) over the whole corpus."""
    right = total = 0
    wrong = []
    for entry in load_corpus(path):
        try:
            got = flatten(parse(entry["text"], today=today_of(entry["at"])))
        except Exception as exc:  # a crash costs every field of the line
            got = {"intent": f"<{type(exc).__name__}: {exc}>"}
        for field, expected in entry["expect"].items():
            total += 1
            value = got.get(field)
            # An expected null counts only when the intent carries the field (a wrong intent has no `stage`).
            if (expected is not None or field in got) and same(field, expected, value):
                right += 1
            else:
                wrong.append((entry["line"], entry["text"], field, expected, value))
    return right, total, wrong


def _show(value) -> str:
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    return json.dumps(value, ensure_ascii=False, default=str)


def report(right: int, total: int, wrong: list, name: str = "corpus") -> tuple[str, str]:
    ratio = right / total if total else 0.0
    figure = f"{name}: {right}/{total} fields right ({ratio:.1%})"
    lines = [figure]
    if wrong:
        lines.append(f"{len(wrong)} wrong fields (line, field, expected, got):")
        for line, text, field, expected, got in wrong:
            snippet = text.replace("\n", "⏎")
            snippet = snippet if len(snippet) <= 60 else snippet[:57] + "..."
            lines.append(f"  {line:4d} {field:17s} expected {_show(expected)}  got {_show(got)}   | {snippet}")
    return figure, "\n".join(lines)


def _measure(path: Path, name: str, threshold: float, capsys, request) -> None:
    from handlers.parsing import parse
    right, total, wrong = score(parse, path)
    figure, details = report(right, total, wrong, name)
    # Captured (shown by -rA and on failure) and, outside the capture, on the terminal of any run.
    print(details)
    if request.config.getoption("capture") != "no":
        with capsys.disabled():
            print("\n" + figure)
    warnings.warn(figure)
    assert total and right / total >= threshold, f"{figure}, below {threshold:.0%}; {len(wrong)} wrong fields"


def test_parser_reads_the_corpus(capsys, request):
    _measure(CORPUS, "corpus", THRESHOLD, capsys, request)


@pytest.mark.parametrize("path", [HOLDOUT, HOLDOUT2], ids=["holdout", "holdout2"])
def test_parser_reads_the_holdouts(path, capsys, request):
    """A floor under the honest figures, so a change that helps the corpus and hurts new text is seen."""
    _measure(path, path.stem, HOLDOUT_THRESHOLD, capsys, request)


def test_corpus_is_well_formed():
    corpus = load_corpus()
    assert len(corpus) >= MIN_LINES, f"only {len(corpus)} lines"
    seen = set()
    for entry in corpus:
        where = f"line {entry['line']}"
        assert isinstance(entry.get("text"), str) and entry["text"].strip(), where
        today_of(entry["at"])  # parses, with a zone
        expect = entry.get("expect")
        assert isinstance(expect, dict) and "intent" in expect, where
        assert expect["intent"] in INTENTS, f"{where}: intent {expect['intent']!r}"
        unknown = set(expect) - KNOWN_FIELDS
        assert not unknown, f"{where}: unknown fields {sorted(unknown)}"
        for field in NUMBER_FIELDS & set(expect):
            assert _number(expect[field]) is not None, f"{where}: {field} is not a number"
        for field in ("expected_close", "next_action_date", "close_date"):
            if field in expect:
                date.fromisoformat(expect[field])
        if "risks" in expect:
            assert isinstance(expect["risks"], list), where
        seen.add(expect["intent"])
    assert seen == set(INTENTS), f"intents never used: {sorted(set(INTENTS) - seen)}"


# The blind sets (tests/data/blind*.jsonl) were written without seeing the parser, in the styles reps use in chat
# (narrative, cards, voice-to-text, several people, casual English). Set 1 was measured first (33.4% / 44.6%) and set 2
# on first contact after the prose reader (72.2%), set 3 after more of it (82.9%), set 4 after the last round
# (79.6%), set 5 after the one after (85.9%), set 6 (84.1%) and set 7 (85.5%) after the next two, set 8 (87.8% with
# the rules, 90.2% with the span model trained without it), set 9 (58.0%: written to be hard, lower-case English
# with no verb, 八十个w, 春节前), set 10 (86.9% with the model trained on sets 1–9), set 11 (88.6%); all were tuned against afterwards, and the span model is trained on all of them. These floors are what this parser reads today on them: regression floors, not the honest
# figure (that is each new set's first contact).
# Per set: (fields right, wrong customers stored without a question).
BLIND = {"blind1_register": (0.97, 0), "blind1_follow_up": (0.95, 0), "blind2": (0.95, 0), "blind3": (0.94, 0),
         "blind4": (0.92, 1), "blind5": (0.97, 0), "blind6": (0.95, 1), "blind7": (0.96, 0), "blind8": (0.96, 0),
         "blind9": (0.90, 0), "blind10": (0.95, 0), "blind11": (0.95, 0), "blind12": (0.94, 0)}


@pytest.mark.parametrize("name", sorted(BLIND))
def test_parser_reads_the_blind_sets(name, capsys, request):
    from field_score import report as blind_report, score_file
    from handlers.parsing import parse
    tally = score_file(Path(__file__).parent / "data" / f"{name}.jsonl", parse)
    print(blind_report(tally, name))
    with capsys.disabled():
        print("\n" + tally.figure(name))
    floor, wrong_stored = BLIND[name]
    assert tally.fields_right / tally.fields_total >= floor, tally.figure(name)
    assert tally.customer["wrong_stored"] <= wrong_stored, tally.figure(name)  # the target is 0
