"""Field-by-field scoring of the blind sets (tests/data/blind*.jsonl), whose labels list every person.

A line is `{"text", "at", "expect", "accept"?}`; `expect` lists only what the message states, `accept` other
readings a careful reader would take as equally right. Unlike the older corpus, these sets label `contacts` as a
list (name, title, phone, email each), `risk` as a yes/no, and the customer is compared exactly as typed.
A field the message does not state but the parser fills (a budget, a date, an extra person…) counts as one wrong
field too, so reading more than was said cannot raise the figure.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from test_corpus import _iso, _number, norm_text, today_of

# Fields the parser may fill on its own; one it fills that the label leaves out is a spurious field.
SPURIOUS_CHECKED = ("customer", "budget", "expected_close", "source", "industry", "next_action_date", "channel")
TEXT = {"need", "industry", "ref"}


@dataclass
class Tally:
    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    spurious: Counter = field(default_factory=Counter)
    wrong: list = field(default_factory=list)  # (line, field, expected, got, text)
    customer: Counter = field(default_factory=Counter)  # right / right_asked / wrong_asked / wrong_stored

    def add(self, name: str, ok: bool, *, line=None, expected=None, got=None, text="") -> None:
        self.total[name] += 1
        if ok:
            self.right[name] += 1
        else:
            self.wrong.append((line, name, expected, got, text))

    @property
    def fields_right(self) -> int:
        return sum(self.right.values())

    @property
    def fields_total(self) -> int:
        return sum(self.total.values())

    def figure(self, name: str) -> str:
        r, t, s = self.fields_right, self.fields_total, sum(self.spurious.values())
        c = self.customer
        asked_good = c["right_asked"]
        good = c["right"] + c["right_asked"]
        return (f"{name}: {r}/{t} fields right ({r / t:.1%}); with {s} spurious fields {r}/{t + s} "
                f"({r / (t + s):.1%}); customer exact {good}/{sum(c.values())}, wrong and asked "
                f"{c['wrong_asked']}, wrong and stored {c['wrong_stored']}, asked on a right one {asked_good}")

    def per_field(self) -> str:
        return "  ".join(f"{k} {self.right[k]}/{self.total[k]}" for k in sorted(self.total))


def load(path: Path) -> list[dict]:
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.strip():
            entry = json.loads(raw)
            entry["line"] = number
            out.append(entry)
    return out


def _text_ok(name: str, expected, got, accept) -> bool:
    return any(norm_text(e) == norm_text(got) for e in [expected, *accept]) if got is not None else expected is None


def _exact_customer(expected, got, accept) -> bool:
    """As typed: only surrounding spaces may differ (SPEC: the name is stored and shown as the rep wrote it)."""
    if got is None or expected is None:
        return got is None and expected is None
    return any(unicodedata.normalize("NFC", e).strip() == got.strip() for e in [expected, *accept])


def _value_ok(name: str, expected, got, accept) -> bool:
    options = [expected, *accept]
    if name in ("budget",):
        g = _number(got)
        return any((e is None and got is None) or (e is not None and g is not None and _number(e) == g)
                   for e in options)
    if name in TEXT:
        return _text_ok(name, expected, got, accept)
    return any(e == _iso(got) for e in options)


def _contacts(t: Tally, line: int, text: str, expected: list[dict], got: list, accept: list[list[dict]]) -> None:
    """The best of the accepted lists: each expected person is a field (by name), and so is each title, phone
    and e-mail given for them; each person read that no list names is a spurious field."""
    best = None
    for option in [expected, *accept]:
        trial = Tally()
        _contacts_one(trial, line, text, option, got)
        key = (trial.fields_right - sum(trial.spurious.values()), -trial.fields_total)
        if best is None or key > best[0]:
            best = (key, trial)
    trial = best[1]
    t.right.update(trial.right)
    t.total.update(trial.total)
    t.spurious.update(trial.spurious)
    t.wrong += trial.wrong


def _contacts_one(t: Tally, line: int, text: str, expected: list[dict], got: list) -> None:
    unused = list(got)
    for person in expected:
        match = next((c for c in unused if person.get("name") and _same_name(c.name, person["name"])), None)
        if person.get("name"):
            t.add("contact", match is not None, line=line, expected=person["name"],
                  got=[c.name for c in got], text=text)
        if match is not None:
            unused.remove(match)
        for key in ("title", "phone", "email"):
            if person.get(key):
                if key == "title":
                    value = match.title if match else None
                    ok = value is not None and norm_text(value) == norm_text(person[key])
                else:  # a phone or e-mail is right on whichever person it was put
                    value = [getattr(c, key) for c in got]
                    ok = person[key] in value or key == "phone" and any(_same_phone(person[key], v) for v in value)
                t.add(key, ok, line=line, expected=person[key], got=value, text=text)
    for extra in unused:
        if extra.name and not any(_same_name(extra.name, p.get("name")) for p in expected):
            t.spurious["contact"] += 1
            t.wrong.append((line, "contact+", None, extra.name, text))


def _same_name(got, expected) -> bool:
    """'周 婷' on a spaced card line and '周婷' are one name: spaces between Chinese characters do not count."""
    squeeze = lambda x: re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", str(x or ""))
    return bool(got) and norm_text(squeeze(got)) == norm_text(squeeze(expected))


def _same_phone(a, b) -> bool:
    """One number, with or without its country code: '6175550148' and '+16175550148'."""
    da, db = ("".join(ch for ch in str(x or "") if ch.isdigit()) for x in (a, b))
    short, long_ = sorted((da, db), key=len)
    return bool(short) and long_.endswith(short) and len(long_) - len(short) <= 3 and len(short) >= 7


def score_entry(t: Tally, entry: dict, intent) -> None:
    expect, accept = entry["expect"], entry.get("accept", {})
    line, text = entry["line"], entry["text"]
    kind = type(intent).__name__
    want = expect["intent"]
    got_kind = {"Register": "register", "FollowUp": "follow_up"}.get(kind, kind)
    t.add("intent", got_kind == want, line=line, expected=want, got=got_kind, text=text)
    if got_kind != want:  # every other labelled field is lost with the intent
        for name, value in expect.items():
            if name == "contacts":
                for person in value:
                    for key in ("name", "title", "phone", "email"):
                        if person.get(key):
                            t.add("contact" if key == "name" else key, False, line=line, expected=person[key],
                                  text=text)
            elif name != "intent":
                t.add(name, False, line=line, expected=value, text=text)
        if want == "register":
            t.customer["wrong_asked" if kind == "NotUnderstood" else "wrong_stored"] += 1
        return
    got = _flat(intent)
    for name, expected in expect.items():
        if name in ("intent",):
            continue
        if name == "contacts":
            _contacts(t, line, text, expected, got["contacts"], accept.get("contacts", []))
            continue
        value = got.get(name)
        if name == "customer":
            ok = _exact_customer(expected, value, accept.get("customer", []))
            asked = got["customer_asked"] or value is None  # no customer read: the bot asks for it (slot filling)
            t.customer[("right_asked" if asked and value is not None else "right") if ok
                       else ("wrong_asked" if asked else "wrong_stored")] += 1
            t.add(name, ok, line=line, expected=expected, got=value, text=text)
        elif name == "risk":
            t.add(name, bool(expected) == bool(value), line=line, expected=expected, got=value, text=text)
        elif name == "budget_approved":
            t.add(name, bool(expected) == bool(value), line=line, expected=expected, got=value, text=text)
        else:
            t.add(name, _value_ok(name, expected, value, accept.get(name, [])), line=line, expected=expected,
                  got=_iso(value), text=text)
    if "contacts" not in expect:
        for extra in got.get("contacts", ()):
            if extra.name:
                t.spurious["contact"] += 1
                t.wrong.append((line, "contact+", None, extra.name, text))
    for name in SPURIOUS_CHECKED:
        if name not in expect and got.get(name) is not None:
            t.spurious[name] += 1
            t.wrong.append((line, name + "+", None, _iso(got[name]), text))


def _flat(intent) -> dict:
    kind = type(intent).__name__
    if kind == "Register":
        return {"customer": intent.customer, "customer_asked": "customer" in getattr(intent, "unsure", ()),
                "contacts": list(intent.contacts), "need": intent.need, "budget": intent.budget,
                "currency": intent.currency, "expected_close": intent.expected_close, "source": intent.source,
                "industry": intent.industry}
    return {"ref": intent.ref, "channel": intent.channel, "next_action_date": intent.next_action_date,
            "budget": intent.budget, "currency": intent.currency, "budget_approved": intent.budget_approved,
            "risk": bool(intent.risks), "contacts": list(getattr(intent, "contacts", ()))}


def score_file(path: Path, parse) -> Tally:
    t = Tally()
    for entry in load(path):
        try:
            intent = parse(entry["text"], today=today_of(entry["at"]))
        except Exception as exc:  # a crash costs every field of the line
            intent = type("Crash", (), {"error": str(exc)})()
        score_entry(t, entry, intent)
    return t


def report(t: Tally, name: str) -> str:
    lines = [t.figure(name), "  per field: " + t.per_field(),
             "  spurious: " + "  ".join(f"{k} {v}" for k, v in sorted(t.spurious.items()))]
    for line, fname, expected, got, text in t.wrong:
        snippet = text.replace("\n", "⏎")
        snippet = snippet if len(snippet) <= 70 else snippet[:67] + "..."
        lines.append(f"  {line:4d} {fname:16s} expected {json.dumps(expected, ensure_ascii=False, default=str)}"
                     f"  got {json.dumps(got, ensure_ascii=False, default=str)}   | {snippet}")
    return "\n".join(lines)
