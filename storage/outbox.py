"""Outgoing messages: enqueued in the transaction of the change that caused them, delivered after, once."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.messages import Notice
from storage.models import OutboxMessage
from storage.upsert import insert_ignoring_duplicates


def enqueue(session: Session, notice: Notice, *, now: datetime) -> bool:
    """False when a message with the same key was enqueued before (a rerun job, a second process)."""
    return insert_ignoring_duplicates(session, OutboxMessage, dict(
        key=notice.key, to=notice.to, kind=notice.kind, text=notice.text, image=notice.image,
        created_at=now, attempts=0,
    ), conflict_on=["key"])


def deliver(sessions: sessionmaker, send: Callable[[OutboxMessage], None], *, now: datetime,
            limit: int = 1000) -> int:
    """Send unsent messages oldest first; each is claimed, sent and marked in its own transaction.

    A row locked by another process is skipped (PostgreSQL SKIP LOCKED; SQLite writers queue).
    A failed send stays unsent with its error recorded, for the next pass."""
    sent = 0
    for _ in range(limit):
        with sessions.begin() as s:
            row = s.scalars(
                select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
                .limit(1).with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return sent
            row.attempts += 1
            try:
                send(row)
            except Exception as exc:  # the transport's failure is data for the retry, not a crash
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                return sent
            row.sent_at = now
            sent += 1
    return sent
