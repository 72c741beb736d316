"""Train the span model (handlers/parsing/spans.crfsuite) on the labelled messages in tests/data.

    .venv/bin/python tools/train_spans.py            # about 40 s on 2 cores

The labels give values, not positions: each labelled customer, contact name, title, need and industry is found in its
message (the first place no other field took), and its tokens become B-/I- tags. A value that cannot be found
is left out of the tags, never guessed. Run it again whenever a labelled set is added or `features()` changes;
tests/test_spans.py fails until then. A blind set must not be added here before its first-contact figure is taken.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pycrfsuite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from handlers.parsing import spans  # noqa: E402

DATA = ROOT / "tests" / "data"
PARAMS = {"c1": 0.01, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}


def labelled_messages(data: Path = DATA) -> list[dict]:
    out = []
    for path in sorted(data.glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _locate(text: str, value: str | None, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    if not value:
        return None
    value = unicodedata.normalize("NFC", value)
    free = lambda a, b: not any(a < y and x < b for x, y in taken)
    for m in re.finditer(re.escape(value), text):
        if free(m.start(), m.end()):
            return m.start(), m.end()
    m = re.search(r"\s*".join(map(re.escape, value.replace(" ", ""))), text, re.I)  # '周 婷' labelled 周婷
    return (m.start(), m.end()) if m and free(m.start(), m.end()) else None


def labelled_spans(entry: dict) -> list[tuple[str, tuple[int, int]]]:
    expect, accept, text = entry["expect"], entry.get("accept", {}), entry["text"]
    found, taken = [], []

    def put(kind: str, value) -> bool:
        at = _locate(text, value, taken)
        if at:
            found.append((kind, at))
            taken.append(at)
        return at is not None

    put("CUST", expect.get("customer"))
    people = expect.get("contacts") or ([{"name": expect.get("contact_name"), "title": expect.get("contact_title")}]
                                        if expect.get("contact_name") else [])
    for person in people:
        put("NAME", person.get("name"))
        put("TITLE", person.get("title"))
    for need in [expect.get("need"), *accept.get("need", [])] if expect.get("need") else []:
        if put("NEED", need):
            break
    for industry in [expect.get("industry"), *accept.get("industry", [])] if expect.get("industry") else []:
        if put("IND", industry):
            break
    return found


def tags(toks, found) -> list[str]:
    out = ["O"] * len(toks)
    for kind, (a, b) in found:
        inside = [i for i, (s, e, _) in enumerate(toks) if s >= a and e <= b]
        for n, i in enumerate(inside):
            out[i] = ("B-" if n == 0 else "I-") + kind
    return out


def lowercased(entry: dict) -> dict | None:
    """The same message as a rep typing all in lower case on a phone ('so had a coffee w/ the guys from bluebird'):
    a copy of every message with Latin capitals, so the model does not learn that a name must be capitalised."""
    if not re.search(r"[A-Z]", entry["text"]):
        return None
    low = lambda v: v.lower() if isinstance(v, str) else v
    expect = {k: low(v) for k, v in entry["expect"].items()}
    expect["contacts"] = [{k: low(v) for k, v in c.items()} for c in entry["expect"].get("contacts", [])]
    for key in ("contact_name", "contact_title"):
        if key in expect:
            expect[key] = low(expect[key])
    accept = {"need": [low(n) for n in entry.get("accept", {}).get("need", [])]}
    return {"text": entry["text"].lower(), "expect": expect, "accept": accept}


def train(entries: list[dict], model: Path) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for entry in entries + [c for c in map(lowercased, entries) if c]:
        toks, feats = spans.features(entry["text"])
        trainer.append(feats, tags(toks, labelled_spans(entry)))
    trainer.set_params(PARAMS)
    trainer.train(str(model))


def digest_of(entries: list[dict]) -> str:
    return spans.training_digest([e["text"] + json.dumps(e["expect"], sort_keys=True) for e in entries])


def main() -> None:
    entries = labelled_messages()
    train(entries, spans.MODEL)
    digest = digest_of(entries)
    spans.MODEL.with_suffix(".json").write_text(json.dumps(
        {"trained_on": len(entries), "digest": digest, "params": PARAMS}, indent=1) + "\n", encoding="utf-8")
    print(f"trained on {len(entries)} messages → {spans.MODEL.relative_to(ROOT)} "
          f"({spans.MODEL.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
