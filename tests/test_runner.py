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
