"""Outgoing messages: enqueued in the transaction of the change that caused them, delivered after, once."""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.messages import Notice
from domain.redact import redact
from storage import db
from storage.models import OutboxMessage
from storage.upsert import insert_ignoring_duplicates, insert_many_ignoring_duplicates

log = logging.getLogger("oppbot.outbox")


def _row(notice: Notice, now: datetime) -> dict:
    return dict(key=notice.key, to=notice.to, kind=notice.kind, text=notice.text, image=notice.image,
                actions=[list(a) for a in notice.actions] or None, route=notice.route, card=notice.card,
                file_name=notice.file_name, file_data=notice.file_data,
                created_at=now, attempts=0, parts_sent=0)


def enqueue(session: Session, notice: Notice, *, now: datetime) -> bool:
    """False when a message with the same key was enqueued before (a rerun job, a second process)."""
    return insert_ignoring_duplicates(session, OutboxMessage, _row(notice, now), conflict_on=["key"])


def has(session: Session, key: str) -> bool:
    """Was a message under `key` enqueued already? Lets a job skip building a costly message (a chart) again."""
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None


def handled(session: Session, message_id: int) -> OutboxMessage | None:
    """The message if someone already acted on it from its buttons (handled_by, handled_at, handled_note)."""
    return session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id,
                                                      OutboxMessage.handled_by.is_not(None)))


def mark_handled(session: Session, message_id: int, *, by: str, at: datetime, note: str) -> None:
    """In the transaction of the change the click made: the message and the change are remembered together."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.handled_by.is_(None))
                    .values(handled_by=by, handled_at=at, handled_note=note[:500]))


MAX_ATTEMPTS = 8
PER_MINUTE = 20  # to one person: WeCom silently drops above 30 a minute, so we stay well under


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour."""
    return min(timedelta(seconds=30 * 2 ** (attempts - 1)), timedelta(hours=1))


def enqueue_many(session: Session, notices: list[Notice], *, now: datetime) -> int:
    """Many notices in one statement (a scheduler pass may have thousands); returns how many were new."""
    if not notices:
        return 0
    return insert_many_ignoring_duplicates(session, OutboxMessage, [_row(n, now) for n in notices],
                                           conflict_on=["key"])


LEASE = timedelta(seconds=45)  # a claimed row is left alone this long, renewed while its sender lives (issue 14:
# a ten-minute lease once kept a dead process's reply waiting ten minutes)


def deliver(sessions: sessionmaker, send: Callable[[OutboxMessage], None], *, now: datetime,
            limit: int = 1000, to: str | None = None) -> int:
    """Send what is due, oldest first: each message is claimed in one short transaction, sent with no transaction
    open (a slow platform, or a sender that needs the database itself, holds no lock), then marked; the courier
    claims and marks a person's waiting replies as one run (`_replies_after`), each still sent on its own.

    A row locked by another process is skipped (PostgreSQL SKIP LOCKED; SQLite writers queue) and a claimed one is
    leased, so two processes never send the same row. A failed send waits out a back-off and is tried again, up
    to MAX_ATTEMPTS. Nobody gets more than PER_MINUTE notices a minute (replies are not counted or held): the
    last one a minute allows carries everything else waiting for that person (see `_batch`); what cannot be
    batched waits for the next minute, in order. `to` delivers only what waits for one address (the courier
    sending a reply at once). Returns how many platform messages went out."""
    with db.reading(), sessions() as s:  # a read: on SQLite it neither takes nor waits for the write lock
        waiting = select(OutboxMessage.id).where(*_ready_now(now))
        if s.scalar((waiting if to is None else waiting.where(OutboxMessage.to == to)).limit(1)) is None:
            return 0  # nothing to send: no write transaction (the console and replay ask after every message)
        recent = dict(s.execute(select(OutboxMessage.to, func.count()).where(
            OutboxMessage.sent_at > now - timedelta(minutes=1), OutboxMessage.kind != "reply")
            .group_by(OutboxMessage.to)).all())
    sent = 0
    for _ in range(limit):
        paced = [who for who, n in recent.items() if n >= PER_MINUTE]
        with sessions.begin() as s:
            # a reply answers what its reader just wrote: not held back for them (the platform's own limits hold)
            ready = _ready(now).where(or_(OutboxMessage.kind == "reply", OutboxMessage.to.not_in(paced)))
            row = s.scalars((ready if to is None else ready.where(OutboxMessage.to == to)).limit(1)).first()
            if row is None:
                return sent
            riders = _batch(s, row, now) if row.kind != "reply" and recent.get(row.to, 0) == PER_MINUTE - 1 else []
            # a notice goes with its riders; a reply alone, and with it the same person's replies waiting after it
            replies = row.kind == "reply" and to is not None
            groups = [(each,) for each in (row, *_replies_after(s, ready, row))] if replies else [(row, *riders)]
            sends = []
            for first, *rest in groups:
                sends.append((_combined(first, rest) if rest else first,
                              [first.id, *(each.id for each in rest)], first.in_flight_since is not None))
                first.attempts += 1  # uncertain (above): an earlier send died or failed mid-way, it may be out
                for each in (first, *rest):
                    each.next_attempt_at, each.in_flight_since = now + LEASE, now
        done, failed = [], None
        with _renewed(sessions, [i for _, ids, _ in sends for i in ids], now):
            for message, ids, uncertain in sends:
                message.uncertain = uncertain  # for the sender: look before sending again (see SlackSender)
                try:
                    send(message)
                except Exception as exc:  # the transport's failure is data for the retry, not a crash
                    failed = (ids, f"{type(exc).__name__}: {exc}")
                    break
                done += ids
                sent += 1
                if message.kind != "reply":
                    recent[message.to] = recent.get(message.to, 0) + 1
        if done:
            with sessions.begin() as s:
                s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(done))
                          .values(sent_at=now, next_attempt_at=None, in_flight_since=None))
        if failed:
            _failed(sessions, failed[0], failed[1], now=now)
            untried = [i for _, ids, _ in sends for i in ids if i not in done and i not in failed[0]]
            if untried:  # the replies after a failed one: free again, as they were
                with sessions.begin() as s:
                    s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(untried))
                              .values(next_attempt_at=None, in_flight_since=None, attempts=OutboxMessage.attempts - 1))
    return sent


REPLY_RUN = 20  # replies to one person claimed and marked together (each still its own platform message)


def _replies_after(s: Session, ready, row: OutboxMessage) -> list[OutboxMessage]:
    """The replies waiting for the same person right after `row`, up to the first message that is not a reply:
    the courier claims them with it and marks them with it — two write transactions for the run, not two each
    (on SQLite every one queues for the single write lock behind the handlers')."""
    after = list(s.scalars(ready.where(OutboxMessage.to == row.to, OutboxMessage.id > row.id).limit(REPLY_RUN - 1)))
    run = []
    for each in after:
        if each.kind != "reply":
            break
        run.append(each)
    return run


@contextmanager
def _renewed(sessions: sessionmaker, claimed: list[int], now: datetime):
    """While a send runs its claim is renewed every third of the LEASE, so a slow platform keeps its rows and a
    process that died gives them back within one LEASE."""
    done, started = threading.Event(), time.monotonic()

    def renew() -> None:
        while not done.wait(LEASE.total_seconds() / 3):
            until = now + timedelta(seconds=time.monotonic() - started) + LEASE
            try:
                with sessions.begin() as s:
                    s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(claimed),
                                                          OutboxMessage.sent_at.is_(None))
                              .values(next_attempt_at=until))
            except Exception as exc:  # the next renewal, or the lease running out, settles it
                log.warning("could not renew an outbox lease: %s", type(exc).__name__)

    renewer = threading.Thread(target=renew, name="outbox-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def part_sent(sessions: sessionmaker, message: OutboxMessage, n: int) -> None:
    """A sender that sends a message in parts records each one, so a retry goes on from the first part not sent
    instead of sending the others twice."""
    with sessions.begin() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(parts_sent=n))
    message.parts_sent = n


def _failed(sessions: sessionmaker, claimed: list[int], error: str, *, now: datetime) -> None:
    """The row backs off (or is given up after MAX_ATTEMPTS); its riders were not its fault and wait as before."""
    with sessions.begin() as s:  # in_flight_since stays: a timeout may have gone out, so the retry looks first
        row = s.get(OutboxMessage, claimed[0])
        row.last_error = redact(error)[:2000]  # a client's error carries its URL, and the URL the secret
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at, row.next_attempt_at = now, None
        else:
            row.next_attempt_at = now + backoff(row.attempts)
        if claimed[1:]:
            s.execute(update(OutboxMessage).where(OutboxMessage.id.in_(claimed[1:])).values(next_attempt_at=None))


def _ready_now(now: datetime) -> tuple:
    """A row waiting to be sent: neither sent nor given up, and not leased or backing off."""
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))


def _ready(now: datetime):
    return select(OutboxMessage).where(*_ready_now(now)).order_by(OutboxMessage.id).with_for_update(skip_locked=True)


BATCH_SEPARATOR = "\n\n———\n\n"


def _batch(s: Session, row: OutboxMessage, now: datetime) -> list[OutboxMessage]:
    """The other plain-text messages waiting for the same person, to ride along in one message. Approvals
    (they carry buttons) and images stay single and wait for the next minute."""
    if row.image is not None or row.kind == "approval" or row.route is not None:
        return []
    return list(s.scalars(_ready(now).where(OutboxMessage.to == row.to, OutboxMessage.id != row.id,
                                            OutboxMessage.image.is_(None), OutboxMessage.kind != "approval",
                                            OutboxMessage.route.is_(None))))


def _combined(row: OutboxMessage, riders: list[OutboxMessage]) -> OutboxMessage:
    """One message carrying several, oldest first; the kind is theirs when they share one, else an alert."""
    kinds = {r.kind for r in (row, *riders)}
    return OutboxMessage(id=row.id, to=row.to, kind=kinds.pop() if len(kinds) == 1 else "alert",
                         text=BATCH_SEPARATOR.join(r.text for r in (row, *riders)), image=None, key=None,
                         parts_sent=row.parts_sent, attempts=row.attempts)
