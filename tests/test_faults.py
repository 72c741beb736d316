"""Issue 14's fault suite: real `oppbot serve` processes against the local mock Slack, killed with SIGKILL and
restarted, or facing a Slack that fails for a while. Whatever happens, every event Slack sent is stored once and
answered once, in its thread. Bounded in time: every wait is on a condition, with a deadline."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from slack_sdk.signature import SignatureVerifier

from tests.platform_world import HELP, writes_locked
from tests.slack_api import MockSlack
from tests.test_slack import IDS, SECRET, slack_org

CUSTOMERS = ("深圳市腾讯计算机系统有限公司", "北京字节跳动科技有限公司", "杭州海康威视数字技术股份有限公司",
             "宁德时代新能源科技股份有限公司", "上海浦东发展银行股份有限公司", "美的集团股份有限公司",
             "中国平安保险（集团）股份有限公司", "比亚迪股份有限公司")


class Serve:
    """`oppbot serve --port 0` as a process; stderr is drained all along (a full pipe would stall it)."""

    def __init__(self, org_file, env: dict) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", "0", "--every", "5",
                                      "--config", str(org_file)], stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **env})
        self.lines: list[str] = []
        self.url: str | None = None
        ready = threading.Event()

        def drain() -> None:
            for line in self.proc.stderr:
                self.lines.append(line)
                if "listening on" in line:
                    self.url = line.strip().rsplit(" ", 1)[-1]
                    ready.set()
            ready.set()
        threading.Thread(target=drain, daemon=True).start()
        assert ready.wait(timeout=30) and self.url, "".join(self.lines)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)


def send_event(url: str, n: int, *, retry: int | None = None, user: str = "alice", channel: str = "D0DM",
               text: str | None = None) -> int:
    """Slack's event n (by default alice registers CUSTOMERS[n] in her DM): its HTTP status, 0 when the server
    died."""
    event = {"type": "message", "channel_type": "im", "channel": channel, "user": IDS[user],
             "text": text or f"报备 {CUSTOMERS[n]} 联系人 王磊 技术总监 1380013800{n} 预算 50万",
             "ts": f"1700000300.{n:06d}"}
    body = json.dumps({"type": "event_callback", "team_id": "T0TEST", "event_id": f"EvFAULT{n:04d}", "event": event})
    ts = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
               **({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {})}
    request = urllib.request.Request(url + "/slack/events", data=body.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:  # killed mid-request
        return 0


def answers(api: MockSlack) -> dict[str, list[str]]:
    """What each event's thread shows: thread ts → the texts posted there (Slack accepted them)."""
    threads: dict[str, list[str]] = {}
    for m in list(api.posted):
        if m["channel"] == "D0DM" and m["thread_ts"]:
            threads.setdefault(m["thread_ts"], []).append(m["text"])
    return threads


def env_for(db_url: str, api: MockSlack) -> dict:
    return {"OPPBOT_DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
            "OPPBOT_SLACK_API_URL": api.url, "OPPBOT_LOG_FORMAT": "json"}


def settled(bot, deadline: float) -> bool:
    """Bounded wait until no reply waits in the outbox (sent, or given up), polling the database."""
    from sqlalchemy import func, select

    from storage.models import OutboxMessage
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with bot.deps.sessions() as s:
            if not s.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.kind == "reply", OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))):
                return True
        threading.Event().wait(0.2)
    return False


def stored(bot) -> list[str]:
    return sorted(o["customer"] for o in bot.export()["opportunities"])


def test_killed_at_any_point_and_restarted_every_event_is_stored_once_and_answered_once(make_bot, db_url,
                                                                                        org_file):
    """Eight events race a SIGKILL: some are being handled, some committed and acked, one reply is in flight
    (Slack takes it but the answer never comes back). After a restart and Slack's redelivery of all eight, each
    thread shows exactly one answer and each customer is stored once: nothing lost, nothing doubled."""
    org_file.write_text(slack_org(), encoding="utf-8")
    bot = make_bot()
    api = MockSlack()
    api.hold(lambda method, params: method == "chat.postMessage" and params.get("channel") == "D0DM")
    first = Serve(org_file, env_for(db_url, api))
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda n: send_event(first.url, n), range(4)))  # stored
            api.wait_until(lambda: api.held >= 1)  # replies are in flight: Slack has them, no answer yet
            racing = [pool.submit(send_event, first.url, n) for n in range(4, 8)]
            first.kill()  # while events 4–7 are in every state, and replies hang in Slack
            statuses += [f.result() for f in racing]
        assert statuses[:4] == [200] * 4  # acked only once stored
        api.release()  # Slack finishes the posts it was holding: those went out before the kill
        api.holding.clear()
        second = Serve(org_file, env_for(db_url, api))
        try:
            for n in range(8):  # Slack redelivers everything it has no 200 for; we send all eight to be hard
                assert send_event(second.url, n, retry=1) == 200
            assert settled(bot, 90)  # the replies claimed at the kill wait out their lease (45 s) first
        finally:
            second.stop()
    finally:
        first.stop()
        api.close()
    threads = answers(api)
    assert api.held >= 1 and sorted(threads) == [f"1700000300.{n:06d}" for n in range(8)]
    assert all(len(texts) == 1 for texts in threads.values()), threads  # nothing doubled
    assert stored(bot) == sorted(CUSTOMERS)  # nothing lost, nothing stored twice


def test_slack_failing_for_a_while_every_reply_arrives_once_in_its_thread(make_bot, db_url, org_file):
    """Slack answers 500 to the first twelve posts and then 429 (Retry-After 1) three times: the events are all
    acked at once, and every reply arrives exactly once, in its thread, after the outbox's back-off."""
    org_file.write_text(slack_org(), encoding="utf-8")
    bot = make_bot()
    api = MockSlack()
    api.fail("chat.postMessage", 500, times=12)
    api.fail("chat.postMessage", 429, times=3, headers={"Retry-After": "1"})
    server = Serve(org_file, env_for(db_url, api))
    try:
        started = time.monotonic()
        assert [send_event(server.url, n) for n in range(5)] == [200] * 5
        assert time.monotonic() - started < 5  # the acks never waited for Slack
        assert settled(bot, 90)
    finally:
        server.stop()
        api.close()
    logged = [json.loads(line) for line in server.lines if line.startswith("{")]
    handled = [entry for entry in logged if entry["message"] == "handled"]
    assert sorted(e["event_id"] for e in handled) == [f"EvFAULT{n:04d}" for n in range(5)]
    assert all(e["level"] in ("INFO", "WARNING", "ERROR") and e["logger"] for e in logged)
    assert not [line for line in server.lines if "1380013800" in line or "有限公司" in line]  # no message text
    threads = answers(api)
    assert len(threads) == 5 and all(len(t) == 1 and t[0].startswith("已报备") for t in threads.values()), threads
    assert stored(bot) == sorted(CUSTOMERS[:5])


def test_a_hung_slack_call_does_not_delay_another_users_reply(make_bot, db_url, org_file):
    """Every post to alice's DM hangs; bob, writing after her, is stored and answered at once all the same."""
    org_file.write_text(slack_org(), encoding="utf-8")
    make_bot()
    api = MockSlack()
    api.hold(lambda method, params: method == "chat.postMessage" and params.get("channel") == "D0DM")
    server = Serve(org_file, env_for(db_url, api))
    try:
        assert send_event(server.url, 0) == 200
        api.wait_until(lambda: api.held == 1)  # alice's reply is stuck in Slack
        started = time.monotonic()
        assert send_event(server.url, 1, user="bob", channel="D0BOB", text="帮助") == 200
        api.wait_until(lambda: any(m["channel"] == "D0BOB" for m in api.posted))
        took = time.monotonic() - started
    finally:
        api.release()
        server.stop()
        api.close()
    [answer] = [m for m in api.posted if m["channel"] == "D0BOB"]
    assert answer["text"].startswith(HELP) and answer["thread_ts"] == "1700000300.000001" and took < 2.0


def test_a_locked_database_tells_the_writer_and_slacks_redelivery_is_stored_once(make_bot, db_url, org_file):
    """Another process holds the write lock: the event gets a 500 inside Slack's 3 s, alice is told once in its
    thread, nothing is stored; Slack's redelivery once the lock is gone is stored and answered, once."""
    org_file.write_text(slack_org(), encoding="utf-8")
    bot = make_bot()
    api = MockSlack()
    server = Serve(org_file, env_for(db_url, api))
    try:
        with writes_locked(db_url):
            started = time.monotonic()
            first = send_event(server.url, 0)
            took = time.monotonic() - started
            api.wait_until(lambda: len(answers(api)) == 1)
        unstored = stored(bot)  # the lock gone, before Slack's redelivery
        assert send_event(server.url, 0, retry=1) == 200
        assert settled(bot, 30)
    finally:
        server.stop()
        api.close()
    assert first == 500 and took < 3.0 and unstored == []
    [texts] = answers(api).values()
    assert [t[:3] for t in texts] == ["系统繁", "已报备"]  # told once, then the answer, in the same thread
    assert stored(bot) == [CUSTOMERS[0]]
