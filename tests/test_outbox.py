"""The outbox sender: at most 20 messages a minute to one person, retries with back-off, each sent once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from domain.messages import Notice
from storage import models as m
from storage import outbox

NOW = datetime.fromisoformat("2026-11-02T10:00:00+08:00")


def fill(bot, *recipients: str) -> None:
    with bot.deps.sessions.begin() as s:
        for n, to in enumerate(recipients):
            outbox.enqueue(s, Notice(to=to, kind="alert", text=f"message {n}", key=f"t:{n}"), now=NOW)


def test_no_more_than_twenty_a_minute_to_one_person_the_twentieth_carries_the_rest(bot):
    fill(bot, *(["alice"] * 25 + ["bob"] * 3))
    got = []
    assert outbox.deliver(bot.deps.sessions, got.append, now=NOW) == 23
    to_alice = [g.text for g in got if g.to == "alice"]
    assert len(to_alice) == 20 and [g.to for g in got].count("bob") == 3
    assert to_alice[:19] == [f"message {n}" for n in range(19)]
    assert to_alice[19].split(outbox.BATCH_SEPARATOR) == [f"message {n}" for n in range(19, 25)]  # nothing dropped
    with bot.deps.sessions() as s:  # every row is marked sent: nothing is sent again next minute
        assert s.scalar(select(func.count()).select_from(m.OutboxMessage).where(m.OutboxMessage.sent_at.is_(None))) == 0
    assert outbox.deliver(bot.deps.sessions, got.append, now=NOW + timedelta(seconds=61)) == 0


def test_a_full_minute_waits_approvals_are_never_batched(bot):
    with bot.deps.sessions.begin() as s:
        for n in range(22):
            outbox.enqueue(s, Notice(to="mike", kind="approval" if n >= 19 else "alert", text=f"message {n}",
                                     key=f"t:{n}"), now=NOW)
    got = []
    assert outbox.deliver(bot.deps.sessions, got.append, now=NOW) == 20
    assert [g.text for g in got] == [f"message {n}" for n in range(20)]  # the approval's buttons stay its own
    assert outbox.deliver(bot.deps.sessions, got.append, now=NOW + timedelta(seconds=30)) == 0  # the minute is full
    assert outbox.deliver(bot.deps.sessions, got.append, now=NOW + timedelta(seconds=61)) == 2
    assert [g.text for g in got[20:]] == ["message 20", "message 21"]


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


def test_replies_are_neither_held_by_the_minute_nor_batched_and_notices_still_are(bot):
    """A rep who writes 30 messages in a minute gets 30 answers, each in its thread; the pushes wait their minute."""
    with bot.deps.sessions.begin() as s:
        for n in range(30):
            outbox.enqueue(s, Notice(to="alice", kind="reply", text=f"answer {n}", key=f"r:{n}",
                                     route={"platform": "slack", "channel": "D0", "thread_ts": f"{n}"}), now=NOW)
        for n in range(22):
            outbox.enqueue(s, Notice(to="alice", kind="alert", text=f"push {n}", key=f"p:{n}"), now=NOW)
    got = []
    assert outbox.deliver(bot.deps.sessions, got.append, now=NOW) == 50
    assert [g.text for g in got if g.kind == "reply"] == [f"answer {n}" for n in range(30)]
    pushes = [g.text for g in got if g.kind != "reply"]
    assert len(pushes) == 20 and pushes[19].split(outbox.BATCH_SEPARATOR) == [f"push {n}" for n in range(19, 22)]


def test_a_persons_waiting_replies_go_in_order_each_its_own_and_a_failure_frees_the_rest(bot):
    """The courier claims a person's waiting replies as one run (two write transactions for the run): each is
    still its own platform message, in order; a reply that fails backs off and the ones after it are free again —
    never marked sent, never left claimed."""
    with bot.deps.sessions.begin() as s:
        for n in range(5):
            outbox.enqueue(s, Notice(to="alice", kind="reply", text=f"reply {n}", key=f"r:{n}"), now=NOW)
        outbox.enqueue(s, Notice(to="alice", kind="alert", text="an alert after them", key="a:0"), now=NOW)
    got = []

    def platform(row):
        if row.text == "reply 2" and "failed once" not in got:
            got.append("failed once")
            raise ConnectionError("platform down")
        got.append(row.text)

    assert outbox.deliver(bot.deps.sessions, platform, now=NOW, to="alice") == 5
    assert got == ["reply 0", "reply 1", "failed once", "reply 3", "reply 4", "an alert after them"]
    with bot.deps.sessions() as s:
        unsent = s.execute(select(m.OutboxMessage.text, m.OutboxMessage.in_flight_since).where(
            m.OutboxMessage.sent_at.is_(None))).all()
    assert [text for text, _ in unsent] == ["reply 2"]  # backing off; 3 and 4 were freed, then sent
    with bot.deps.sessions() as s:  # a reply freed untried was not an attempt
        assert s.scalars(select(m.OutboxMessage.attempts).order_by(m.OutboxMessage.id)).all() == [1, 1, 1, 1, 1, 1]
    assert outbox.deliver(bot.deps.sessions, platform, now=NOW + timedelta(seconds=31), to="alice") == 1
    assert got[-1] == "reply 2" and got.count("reply 3") == 1
