"""`oppbot serve`'s APScheduler wiring fires the same job functions replay's ticks call, and delivers."""
from __future__ import annotations

import threading
from datetime import datetime

from scheduler import runner


def test_the_scheduler_fires_the_reminder_job_and_the_outbox_delivers_it_once(bot):
    bot.reply("alice", "报备 杭州云栖科技 联系人 李娜 13900000000 需求 数据平台", at="2026-11-02T10:00:00+08:00")
    delivered, arrived = [], threading.Event()

    def send(message) -> None:
        delivered.append((message.to, message.kind, message.text))
        arrived.set()

    bot.deps.send = send
    bot.clock.now = datetime.fromisoformat("2026-11-09T09:30:00+08:00")
    scheduler = runner.start(bot.deps, every_seconds=3600)  # the first run fires at start
    try:
        assert arrived.wait(timeout=20), "the scheduler did not deliver the due reminder"
        job = scheduler.get_job("jobs")
        assert job.misfire_grace_time == 300 and job.coalesce is True
        assert str(scheduler.timezone) == "Asia/Shanghai"
    finally:
        runner.stop(scheduler)
    assert scheduler.leader.held is False  # the next process may lead
    assert [(to, kind) for to, kind, _ in delivered] == [("alice", "reminder")]
    assert "2026-SH-001" in delivered[0][2]


def test_a_leader_whose_connection_is_killed_stops_leading_and_one_standby_takes_over(bot):
    """Issue 14: pg_terminate_backend on the leader's lock connection. The old leader must stop at once, the
    standby must take over on its next try (on a fresh connection), and there is never a second leader."""
    import pytest
    from sqlalchemy import text
    engine = bot.deps.sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks and terminated connections are PostgreSQL's; SQLite's leader is a file lock")
    first, second = runner.LeaderLock(engine), runner.LeaderLock(engine)
    try:
        assert first.acquire() and not second.acquire()
        leader_pid = first._conn.execute(text("SELECT pg_backend_pid()")).scalar()
        first._conn.commit()
        with engine.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": leader_pid}).scalar()
            admin.commit()
        assert first.acquire() is False and first.held is False  # it notices on its next pass, and stops
        assert second.acquire() is True  # the standby, retrying, takes over
        assert first.acquire() is False  # and the old one, now on a fresh connection, stays a standby
        assert [lock.held for lock in (first, second)] == [False, True]
    finally:
        first.release()
        second.release()
