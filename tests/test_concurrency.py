"""Opportunity IDs never repeat, even when reps register at the same instant; and on SQLite the writers of one
process queue for each other without ever keeping the queue."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from domain.messages import Incoming
from handlers import handle
from storage import db


def test_concurrent_registrations_get_distinct_sequential_ids(bot):
    start = threading.Barrier(8)
    at = datetime.fromisoformat("2026-11-02T10:00:00+08:00")

    def register(n: int) -> str:
        start.wait(timeout=30)
        user = "alice" if n % 2 else "bob"
        return handle(Incoming(user=user, text=f"报备 客户{n:02d}号工厂 联系人 张三 需求 设备{n}", at=at), bot.deps).text

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(register, range(40)))
    assert all("已报备" in r for r in replies), [r for r in replies if "已报备" not in r][:3]
    ids = sorted(o["id"] for o in bot.export()["opportunities"])
    assert ids == [f"2026-SH-{n:03d}" for n in range(1, 41)]


def test_writers_of_one_sqlite_file_queue_in_process_and_always_give_the_queue_back(make_bot, db_url):
    """SQLite: the write transactions of one process queue on one lock per database file (SQLite's own busy handler
    sleeps up to 100 ms between tries). Two bots on one file share it; a transaction that fails, and a writer that
    gives up waiting, leave it free for the next."""
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no single write lock to queue for")
    first, second = make_bot(), make_bot()
    with first.deps.sessions.begin() as held:  # one bot writing: the other, told to wait 0.1 s, gives up
        held.execute(text("UPDATE users SET lang = 'en' WHERE id = 'alice'"))
        with db.lock_wait(0.1), pytest.raises(OperationalError, match="database is locked"):
            with second.deps.sessions.begin() as s:
                s.execute(text("SELECT 1"))
        with db.reading(), second.deps.sessions() as s:  # a reader does not queue, and sees the last commit
            assert s.scalar(text("SELECT lang FROM users WHERE id = 'alice'")) != "en"
    with pytest.raises(ZeroDivisionError):  # a failed transaction rolls back and gives the queue back
        with second.deps.sessions.begin() as s:
            s.execute(text("UPDATE users SET lang = 'zh' WHERE id = 'alice'"))
            1 / 0
    with db.lock_wait(0.1), first.deps.sessions.begin() as s:  # free at once for either bot
        assert s.scalar(text("SELECT lang FROM users WHERE id = 'alice'")) == "en"
    assert first.reply("alice", "help", at="2026-11-02T10:00:00+08:00")
    assert second.reply("bob", "帮助", at="2026-11-02T10:00:00+08:00")
