"""Where the customer, the people, their titles and the need sit in a message, read by a CRF sequence tagger
trained on the labelled messages in tests/data (tools/train_spans.py writes the model beside this file).

Why a model and not more rules: on blind sets held out from training it reads the customer right 87–92% of the
time where the rules, on first contact with a new set, read 78–80%; each new set brought phrasing the rules had
not met. The rules still read what they are sure of (labels, amounts, dates, phones, sources); this reads the
prose between them. The tagger is plain Python features + libcrfsuite: about 0.7 ms a message (bench/parse.py),
loaded once per thread on first use. Each span carries the model's confidence (its smallest per-token marginal), so the caller
can ask when it is unsure.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from domain.matching import CITIES, PROVINCES
from handlers.parsing.fields import SURNAMES, TITLE_WORDS
from handlers.parsing.prose import CN_ORG_TAILS, EN_LEGAL

log = logging.getLogger("oppbot.spans")

MODEL = Path(__file__).with_name("spans.crfsuite")
# Bump when features() changes: the model must then be trained again (tests/test_spans.py checks).
FEATURES_VERSION = 1

# A Chinese character, a Latin word (a full stop is its own token, so 'Inc.' and 'Union.' differ), a number.
TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z][A-Za-z'’&-]*|\d+(?:[.,]\d+)*|\S")
_CN_TITLES = re.compile("|".join(sorted({w for w in TITLE_WORDS if not w.isascii()}, key=len, reverse=True)))
_EN_TITLES = frozenset(w for w in TITLE_WORDS if w.isascii())
_CN_TAILS = re.compile("|".join(sorted(CN_ORG_TAILS, key=len, reverse=True)))
_LEGAL = re.compile("|".join(re.escape(x) for x in sorted(EN_LEGAL, key=len, reverse=True))
                    + r"|\b(?:Inc|LLC|GmbH|Ltd|Corp|K\.K|AG|SA|BV|PLC|Bhd)\b\.?")
_PLACES = re.compile("|".join(sorted(PROVINCES + CITIES, key=len, reverse=True)))


@dataclass(frozen=True)
class Span:
    kind: str
    text: str
    start: int
    end: int
    confidence: float  # the smallest marginal of the span's tokens: 1.0 sure, 0.5 a coin toss


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def _marks(text: str, pattern: re.Pattern) -> list[int]:
    """Per character: 1 where a dictionary word starts, 2 inside one, 0 elsewhere."""
    out = [0] * len(text)
    for m in pattern.finditer(text):
        out[m.start()] = 1
        for i in range(m.start() + 1, m.end()):
            out[i] = 2
    return out


def _shape(word: str) -> str:
    if "\u3400" <= word[0] <= "\u9fff":
        return "C"
    if word[0].isdigit():
        return "D"
    if word[0].isupper():
        return "A" if word.isupper() else "U"
    return "L" if word[0].isalpha() else "P"


def features(text: str) -> tuple[list[tuple[int, int, str]], list[dict[str, str]]]:
    toks = tokens(text)
    title, tail, legal, place = (_marks(text, p) for p in (_CN_TITLES, _CN_TAILS, _LEGAL, _PLACES))
    words = [w.lower() for _, _, w in toks]
    shapes = [_shape(w) for _, _, w in toks]
    n = len(toks)
    out = []
    for i, (s, e, w) in enumerate(toks):
        near = {d: (words[i + d] if 0 <= i + d < n else "#") for d in (-3, -2, -1, 1, 2, 3)}
        word = words[i]
        out.append({
            "w": word, "sh": shapes[i], "sh-1": shapes[i - 1] if i else "#", "sh1": shapes[i + 1] if i + 1 < n else "#",
            "tm": str(title[s]), "lm": str(tail[s]), "gm": str(legal[s]), "pm": str(place[s]),
            "suf": word[-3:] if len(word) > 3 else "", "sur": str(w in SURNAMES), "et": str(word in _EN_TITLES),
            "sp": str(s > 0 and text[s - 1].isspace()), "nl": str(s == 0 or "\n" in text[max(0, s - 3):s]),
            "nla": str(e == len(text) or "\n" in text[e:e + 2]), "pos": str(min(i, 6)),
            **{f"w{d}": v for d, v in near.items()},
            "b-": near[-1] + word, "b+": word + near[1], "t-": near[-2] + near[-1] + word, "t+": word + near[1] + near[2],
        })
    return toks, out


NEXT_PERSON = re.compile(r"\s+(?:Mr|Ms|Mrs|Mdm|Dr|Pak|Bu|Encik)\.?$")


def tidy(span: str) -> str:
    """Where a span runs over a line break or an open bracket, or picks up a sentence's full stop."""
    span = span.split("\n")[0].strip()
    for opening, closing in (("(", ")"), ("（", "）")):
        if span.count(opening) > span.count(closing):
            span = span[:span.rfind(opening)].strip()
    span = NEXT_PERSON.sub("", span)  # 'Mabuhay Cold Chain Corp. Ms.': the next sentence's Ms. Reyes
    if span.endswith(".") and not re.search(r"(?:\b[A-Z][a-z]{0,3}|\b\w\.\w{1,3})\.$", span):  # Inc. / s.r.o. stay
        span = span[:-1]
    return span.strip(" ,;:，。；：、")


def decode(text: str, toks, labels: list[str], marginal) -> list[Span]:
    out, current = [], None  # current: [kind, start, end, confidence]
    for k, ((s, e, _), label) in enumerate(zip(toks, labels)):
        kind = label[2:]
        if label.startswith("B-") or (label.startswith("I-") and (current is None or current[0] != kind)):
            if current:
                out.append(current)
            current = [kind, s, e, marginal(label, k)]
        elif label.startswith("I-"):
            current[2], current[3] = e, min(current[3], marginal(label, k))
        elif current:
            out.append(current)
            current = None
    if current:
        out.append(current)
    spans = []
    for kind, s, e, confidence in out:
        value = tidy(text[s:e])
        if value:
            start = text.find(value, s)
            spans.append(Span(kind, value, start, start + len(value), confidence))
    return spans


class SpanTagger:
    """Thread-safe: each thread opens its own libcrfsuite tagger on the model file, once."""

    def __init__(self, model: Path = MODEL) -> None:
        self._path = model
        self._lock = threading.Lock()
        self._local = threading.local()
        self._failed = False

    def _tagger(self):
        tagger = getattr(self._local, "tagger", None)
        if tagger is None and not self._failed:
            with self._lock:
                try:
                    import pycrfsuite
                    tagger = pycrfsuite.Tagger()
                    tagger.open(str(self._path))
                    self._local.tagger = tagger
                except Exception:  # a missing model degrades to the rules, it never stops the bot
                    log.exception("the span model %s could not load; reading with rules only", self._path)
                    self._failed = True
                    return None
        return tagger

    def __call__(self, text: str) -> Reading | None:
        tagger = self._tagger()
        if tagger is None or not text.strip():
            return None
        toks, feats = features(text)
        labels = tagger.tag(feats)
        return Reading(decode(text, toks, labels, tagger.marginal))


@dataclass(frozen=True)
class Reading:
    spans: list[Span]

    def of(self, kind: str) -> list[Span]:
        return [s for s in self.spans if s.kind == kind]


def training_digest(texts: list[str]) -> str:
    """What the model was trained on and with which features: the freshness test compares it."""
    h = hashlib.sha256(f"features {FEATURES_VERSION}\n".encode())
    for t in texts:
        h.update(t.encode("utf-8"))
    return h.hexdigest()


DEFAULT_SPANS = SpanTagger()
