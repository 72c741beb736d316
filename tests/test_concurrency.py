"""Opportunity IDs never repeat, even when reps register at the same instant."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from domain.messages import Incoming
from handlers import handle


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
