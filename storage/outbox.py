"""Outgoing messages: enqueued in the transaction of the change that caused them, delivered after, once."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.messages import Notice
from domain.redact import redact
from storage.models import OutboxMessage
from storage.upsert import insert_ignoring_duplicates, insert_many_ignoring_duplicates


def enqueue(session: Session, notice: Notice, *, now: datetime) -> bool:
    """False when a message with the same key was enqueued before (a rerun job, a second process)."""
    return insert_ignoring_duplicates(session, OutboxMessage, dict(
        key=notice.key, to=notice.to, kind=notice.kind, text=notice.text, image=notice.image,
        actions=[list(a) for a in notice.actions] or None, created_at=now, attempts=0,
    ), conflict_on=["key"])


MAX_ATTEMPTS = 8
PER_MINUTE = 20  # to one person: WeCom silently drops above 30 a minute, so we stay well under


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour."""
    return min(timedelta(seconds=30 * 2 ** (attempts - 1)), timedelta(hours=1))


def enqueue_many(session: Session, notices: list[Notice], *, now: datetime) -> int:
    """Many notices in one statement (a scheduler pass may have thousands); returns how many were new."""
    if not notices:
        return 0
    rows = [dict(key=n.key, to=n.to, kind=n.kind, text=n.text, image=n.image,
                 actions=[list(a) for a in n.actions] or None, created_at=now, attempts=0) for n in notices]
    return insert_many_ignoring_duplicates(session, OutboxMessage, rows, conflict_on=["key"])


LEASE = timedelta(minutes=10)  # a claimed row is left alone this long: a process that died mid-send is retried after


def deliver(sessions: sessionmaker, send: Callable[[OutboxMessage], None], *, now: datetime,
            limit: int = 1000, to: str | None = None) -> int:
    """Send what is due, oldest first: each message is claimed in one short transaction, sent with no transaction
    open (a slow platform, or a sender that needs the database itself, holds no lock), then marked.

    A row locked by another process is skipped (PostgreSQL SKIP LOCKED; SQLite writers queue) and a claimed one is
    leased, so two processes never send the same row. A failed send waits out a back-off and is tried again, up
    to MAX_ATTEMPTS. Nobody gets more than PER_MINUTE messages a minute: the last one a minute allows carries
    everything else waiting for that person (see `_batch`); what cannot be batched waits for the next minute, in
    order. `to` delivers only what waits for one address (a front end sending its reply at once). Returns how
    many platform messages went out."""
    with sessions() as s:
        recent = dict(s.execute(select(OutboxMessage.to, func.count()).where(
            OutboxMessage.sent_at > now - timedelta(minutes=1)).group_by(OutboxMessage.to)).all())
    sent = 0
    for _ in range(limit):
        paced = [who for who, n in recent.items() if n >= PER_MINUTE]
        with sessions.begin() as s:
            ready = _ready(now).where(OutboxMessage.to.not_in(paced))
            row = s.scalars((ready if to is None else ready.where(OutboxMessage.to == to)).limit(1)).first()
            if row is None:
                return sent
            riders = _batch(s, row, now) if recent.get(row.to, 0) == PER_MINUTE - 1 else []
            row.attempts += 1
            for each in (row, *riders):
                each.next_attempt_at = now + LEASE
            message = _combined(row, riders) if riders else row
            claimed = [each.id for each in (row, *riders)]
        try:
            send(message)
        except Exception as exc:  # the transport's failure is data for the retry, not a crash
            _failed(sessions, claimed, f"{type(exc).__name__}: {exc}", now=now)
            continue
        with sessions.begin() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                      .values(sent_at=now, next_attempt_at=None))
        recent[row.to] = recent.get(row.to, 0) + 1
        sent += 1
    return sent


def _failed(sessions: sessionmaker, claimed: list[int], error: str, *, now: datetime) -> None:
    """The row backs off (or is given up after MAX_ATTEMPTS); its riders were not its fault and wait as before."""
    with sessions.begin() as s:
        row = s.get(OutboxMessage, claimed[0])
        row.last_error = redact(error)[:2000]  # a client's error carries its URL, and the URL the secret
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at, row.next_attempt_at = now, None
        else:
            row.next_attempt_at = now + backoff(row.attempts)
        if claimed[1:]:
            s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(claimed[1:])).values(next_attempt_at=None))


def _ready(now: datetime):
    return (select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id).with_for_update(skip_locked=True))


BATCH_SEPARATOR = "\n\n———\n\n"


def _batch(s: Session, row: OutboxMessage, now: datetime) -> list[OutboxMessage]:
    """The other plain-text messages waiting for the same person, to ride along in one message. Approvals
    (they carry buttons) and images stay single and wait for the next minute."""
    if row.image is not None or row.kind == "approval":
        return []
    return list(s.scalars(_ready(now).where(OutboxMessage.to == row.to, OutboxMessage.id != row.id,
                                            OutboxMessage.image.is_(None), OutboxMessage.kind != "approval")))


def _combined(row: OutboxMessage, riders: list[OutboxMessage]) -> OutboxMessage:
    """One message carrying several, oldest first; the kind is theirs when they share one, else an alert."""
    kinds = {r.kind for r in (row, *riders)}
    return OutboxMessage(to=row.to, kind=kinds.pop() if len(kinds) == 1 else "alert",
                         text=BATCH_SEPARATOR.join(r.text for r in (row, *riders)), image=None, key=None)
