"""Two `oppbot serve` processes on one database: one leads, its jobs find what is due, and every message goes out
exactly once."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import datetime

from sqlalchemy import func, select

from domain.messages import Notice
from storage import models as m
from storage import outbox


def queued(bot) -> int:
    with bot.deps.sessions() as s:
        return s.scalar(select(func.count()).select_from(m.OutboxMessage))


def unsent(bot) -> int:
    with bot.deps.sessions() as s:
        return s.scalar(select(func.count()).select_from(m.OutboxMessage).where(m.OutboxMessage.sent_at.is_(None)))


def test_two_serve_processes_deliver_every_message_once(make_bot, db_url, org_file):
    bot = make_bot()
    now = datetime.fromisoformat("2026-11-02T10:00:00+08:00")
    customers = ["杭州云栖科技", "宁波港集团", "温州鞋服", "厦门冷链", "成都天府物流", "苏州精密机械", "无锡微电子",
                 "青岛啤酒", "大连重工"]
    for n, customer in enumerate(customers):  # three each for alice, bob and walt: due a week later, on 11-09
        bot.reply(("alice", "bob", "walt")[n % 3], f"报备 {customer} 联系人 李娜 需求 系统{n}", at=now.isoformat())
    with bot.deps.sessions.begin() as s:
        for n in range(40):
            outbox.enqueue(s, Notice(to=("alice", "bob", "walt", "mike")[n % 4], kind="alert", text=f"notice {n}",
                                     key=f"test:{n}"), now=now)  # 10 each: under the per-person pace
    env = dict(os.environ, OPPBOT_DATABASE_URL=db_url)
    servers = [subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--print", "--every", "1",
                                 "--start-at", "2026-11-09T09:30:00+08:00", "--config", str(org_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for _ in range(2)]
    waited = threading.Event()
    for _ in range(300):  # bounded: at most 60 s for the jobs to find the reminders and the outbox to drain
        if (queued(bot), unsent(bot)) == (49, 0) or waited.wait(0.2):
            break
    left = unsent(bot)
    for server in servers:
        server.send_signal(signal.SIGTERM)
    outputs = [server.communicate(timeout=60) for server in servers]
    assert left == 0, "the outbox did not drain: " + " | ".join(err[-800:] for _, err in outputs)
    delivered = [[json.loads(line) for line in out.splitlines() if line.strip()] for out, _ in outputs]
    texts = sorted(d["text"] for batch in delivered for d in batch if d["kind"] == "alert")
    assert texts == sorted(f"notice {n}" for n in range(40))  # all of them, none twice
    reminded = sorted(re.search(r"\d{4}-[A-Z]{2}-\d{3}", d["text"]).group() for batch in delivered for d in batch
                      if d["kind"] == "reminder")
    assert reminded == sorted(["2026-SH-001", "2026-SH-002", "2026-SH-003", "2026-SH-004", "2026-SH-005",
                               "2026-SH-006", "2026-CD-001", "2026-CD-002", "2026-CD-003"])  # each once
    assert sorted(len(batch) for batch in delivered) == [0, 49]  # one leader delivered everything
    assert sum("scheduler leader" in err for _, err in outputs) == 1


def test_connections_terminated_under_load_one_leader_takes_over_and_every_message_goes_once(make_bot, db_url,
                                                                                           org_file):
    """Issue 14, PostgreSQL: while two `serve` processes work through the reminders and 40 notices, every one of
    their connections is terminated (pg_terminate_backend) five times. Leadership passes on (a lost lock is
    noticed and given up), and still every message goes out exactly once and the outbox drains."""
    import pytest
    from sqlalchemy import create_engine, text
    if not db_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite has no connections to kill")
    bot = make_bot()
    now = datetime.fromisoformat("2026-11-02T10:00:00+08:00")
    for n, customer in enumerate(["杭州云栖科技", "宁波港集团", "温州鞋服", "厦门冷链", "成都天府物流", "苏州精密机械"]):
        bot.reply(("alice", "bob", "walt")[n % 3], f"报备 {customer} 联系人 李娜 需求 系统{n}", at=now.isoformat())
    with bot.deps.sessions.begin() as s:
        for n in range(40):
            outbox.enqueue(s, Notice(to=("alice", "bob", "walt", "mike")[n % 4], kind="alert", text=f"notice {n}",
                                     key=f"test:{n}"), now=now)
    env = dict(os.environ, OPPBOT_DATABASE_URL=db_url, PGAPPNAME="oppbot-under-test")  # libpq names them
    servers = [subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--print", "--every", "1",
                                 "--start-at", "2026-11-09T09:30:00+08:00", "--config", str(org_file)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for _ in range(2)]
    admin = create_engine(db_url.split("?", 1)[0], isolation_level="AUTOCOMMIT")
    waited = threading.Event()
    try:
        for _ in range(150):  # bounded: both started and one leads once the first messages went out
            if queued(bot) - unsent(bot) > 0 or waited.wait(0.2):
                break
        killed = 0
        for _ in range(5):  # every connection the two servers hold, five times over two seconds
            with admin.connect() as c:
                killed += len(c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                             "WHERE application_name = 'oppbot-under-test'")).all())
            waited.wait(0.4)
        with bot.deps.sessions.begin() as s:  # new work after the kills: only a leader that took over sends it
            for n in range(40, 50):
                outbox.enqueue(s, Notice(to="wendy", kind="alert", text=f"notice {n}", key=f"test:{n}"), now=now)
        for _ in range(450):  # bounded: at most 90 s (a row claimed at a kill waits out its 45 s lease)
            if (queued(bot), unsent(bot)) == (56, 0) or waited.wait(0.2):
                break
        left = unsent(bot)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        outputs = [server.communicate(timeout=60) for server in servers]
        admin.dispose()
    assert killed >= 2 and left == 0, "the outbox did not drain: " + " | ".join(err[-800:] for _, err in outputs)
    delivered = [json.loads(line) for out, _ in outputs for line in out.splitlines() if line.strip()]
    assert sorted(d["text"] for d in delivered if d["kind"] == "alert") == sorted(f"notice {n}" for n in range(50))
    reminded = [re.search(r"\d{4}-[A-Z]{2}-\d{3}", d["text"]).group() for d in delivered if d["kind"] == "reminder"]
    assert sorted(reminded) == ["2026-CD-001", "2026-CD-002", "2026-SH-001", "2026-SH-002", "2026-SH-003",
                                "2026-SH-004"]  # each once
