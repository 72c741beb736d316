"""The outbox sender: at most 20 messages a minute to one person, retries with back-off, each sent once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from domain.messages import Notice
from storage import models as m
from storage import outbox

NOW = datetime.fromisoformat("2026-11-02T10:00:00+08:00")


def fill(bot, *recipients: str) -> None:
    with bot.deps.sessions.begin() as s:
        for n, to in enumerate(recipients):
            outbox.enqueue(s, Notice(to=to, kind="alert", text=f"message {n}", key=f"t:{n}"), now=NOW)


def test_no_more_than_twenty_a_minute_to_one_person(bot):
    fill(bot, *(["alice"] * 25 + ["bob"] * 3))
    got = []
    assert outbox.deliver(bot.deps.sessions, lambda row: got.append(row.to), now=NOW) == 23
    assert got.count("alice") == 20 and got.count("bob") == 3
    assert outbox.deliver(bot.deps.sessions, lambda row: got.append(row.to), now=NOW + timedelta(seconds=30)) == 0
    assert outbox.deliver(bot.deps.sessions, lambda row: got.append(row.to), now=NOW + timedelta(seconds=61)) == 5
    assert got.count("alice") == 25


def test_a_failed_send_backs_off_then_succeeds_once(bot):
    fill(bot, "alice")
    calls = []

    def flaky(row):
        calls.append(row.id)
        if len(calls) == 1:
            raise ConnectionError("platform down")

    assert outbox.deliver(bot.deps.sessions, flaky, now=NOW) == 0
    assert outbox.deliver(bot.deps.sessions, flaky, now=NOW + timedelta(seconds=10)) == 0  # backing off: not tried
    assert len(calls) == 1
    assert outbox.deliver(bot.deps.sessions, flaky, now=NOW + timedelta(seconds=31)) == 1
    assert outbox.deliver(bot.deps.sessions, flaky, now=NOW + timedelta(hours=1)) == 0  # sent once
    with bot.deps.sessions() as s:
        row = s.scalars(select(m.OutboxMessage)).one()
    assert (row.attempts, row.last_error, row.failed_at is None) == (2, "ConnectionError: platform down", True)


def test_it_gives_up_after_eight_attempts(bot):
    fill(bot, "alice")

    def down(row):
        raise ConnectionError("down")

    t = NOW
    for _ in range(10):
        outbox.deliver(bot.deps.sessions, down, now=t)
        t += timedelta(hours=2)
    with bot.deps.sessions() as s:
        row = s.scalars(select(m.OutboxMessage)).one()
    assert row.attempts == 8 and row.failed_at is not None and row.sent_at is None
