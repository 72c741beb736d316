"""SPEC race-free: reps registering variants of one customer at the same instant get one owner, the rest
conflicts — threads on any database, separate processes on PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from domain.messages import Incoming
from handlers import handle
from tests.conftest import PG_URL

VARIANTS = ["深圳市腾讯计算机系统有限公司", "腾讯", "腾讯科技（深圳）有限公司", "Tencent", "腾讯计算机系统有限公司",
            "深圳腾讯", "TENCENT HOLDINGS", "腾讯控股有限公司", "tencent", "腾讯（中国）"]
REPS = ["alice", "bob", "walt"]
AT = "2026-11-02T10:00:00+08:00"


def messages():
    return [(REPS[n % 3], f"报备 {VARIANTS[n % len(VARIANTS)]} 联系人 联系人{n} 需求 方案{n}") for n in range(20)]


def assert_one_owner(data: dict, replies: list[str]):
    opps = data["opportunities"]
    assert len(opps) == 1, [(o["id"], o["customer"], o["owner"]) for o in opps]
    owner = opps[0]["owner"]
    assert sum(r.startswith("已报备") for r in replies) == 1, replies
    outcomes = sorted(c["outcome"] for c in data["conflicts"])
    assert len(outcomes) == 19 and set(outcomes) <= {"conflict", "mine"}
    assert all(c["matched"] == opps[0]["id"] and c["owner"] == owner for c in data["conflicts"])


def test_twenty_threads_registering_variants_give_one_owner(bot):
    start = threading.Barrier(20)
    at = datetime.fromisoformat(AT)

    def register(message):
        user, text = message
        start.wait(timeout=30)
        return handle(Incoming(user=user, text=text, at=at), bot.deps).text

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(register, messages()))
    assert_one_owner(bot.export(), replies)


WORKER = """
import json, sys
from datetime import datetime
from bot import wiring
from domain.messages import Incoming
from handlers import handle
deps = wiring.build(wiring.load_config(sys.argv[1]), url=sys.argv[2])
user, text = sys.argv[3], sys.argv[4]
print("ready", flush=True)
sys.stdin.readline()  # every process is loaded and waiting: go together
print(json.dumps(handle(Incoming(user=user, text=text, at=datetime.fromisoformat(sys.argv[5])), deps).text,
                 ensure_ascii=False), flush=True)
"""


@pytest.mark.skipif(not PG_URL, reason="separate processes race on PostgreSQL: set OPPBOT_TEST_POSTGRES_URL")
def test_twenty_processes_registering_variants_give_one_owner(make_bot, db_url, org_file):
    bot = make_bot()  # migrates the schema once, before the workers start
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(org_file), db_url, user, text, AT],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
               for user, text in messages()]
    try:
        for w in workers:
            assert w.stdout.readline().strip() == "ready"
        for w in workers:
            w.stdin.write("go\n")
            w.stdin.flush()
        replies = [json.loads(w.stdout.readline()) for w in workers]
    finally:
        for w in workers:
            w.wait(timeout=60)
    assert_one_owner(bot.export(), replies)
