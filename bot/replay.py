"""`oppbot replay`: JSON lines in, JSON lines out, on the script's clock (SPEC: the replay interface)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Iterable

from domain.messages import Deps, Incoming
from handlers import handle
from scheduler import jobs
from storage import outbox


class ScriptClock:
    """The time the script says it is; replay moves it line by line."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Line:
    at: datetime
    user: str | None = None
    text: str | None = None
    channel: str | None = None
    tick: bool = False


def read_line(raw: str, *, default_tz) -> Line:
    """One script line, or ValueError saying what is wrong with it."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    if not isinstance(obj.get("at"), str):
        raise ValueError('no "at" time')
    try:
        at = datetime.fromisoformat(obj["at"].replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f'"at" is not an ISO 8601 time: {obj["at"]!r}') from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=default_tz)
    if obj.get("tick") is True:
        return Line(at=at, tick=True)
    if not isinstance(obj.get("user"), str) or not isinstance(obj.get("text"), str):
        raise ValueError('needs "user" and "text" strings, or "tick": true')
    channel = obj.get("channel")
    if channel is not None and not isinstance(channel, str):
        raise ValueError('"channel" must be a string')
    return Line(at=at, user=obj["user"], text=obj["text"], channel=channel)


def _emit(out: IO[str], *, at: datetime, to: str, text: str, kind: str, image: str | None = None) -> None:
    record = {"at": at.isoformat(), "to": to, "text": text, "kind": kind}
    if image:
        record["image"] = image
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


def run(lines: Iterable[str], deps: Deps, clock: ScriptClock, *, out: IO[str], err: IO[str]) -> int:
    """Every good line runs; a malformed one is reported on `err` and skipped. Exit code 2 if any was."""
    deps.send = lambda message: _emit(out, at=clock.now, to=message.to, text=message.text, kind=message.kind,
                                      image=message.image)
    bad = 0
    default_tz = deps.config.timezone_of(None)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = read_line(raw, default_tz=default_tz)
        except ValueError as exc:
            err.write(f"replay: line {number}: {exc}\n")
            bad += 1
            continue
        clock.now = line.at
        if line.tick:
            jobs.run_all(line.at, deps)
        else:
            reply = handle(Incoming(user=line.user, text=line.text, at=line.at, channel=line.channel,
                                    platform="replay"), deps)
            _emit(out, at=line.at, to=line.channel or line.user, text=reply.text, kind="reply", image=reply.image)
        outbox.deliver(deps.sessions, deps.send, now=line.at)
    return 2 if bad else 0
