"""What every platform's end-to-end tests stand on: the bot's WSGI app served over real HTTP (waitress, in a thread),
a message typed elsewhere (the console) whose notices wait in the outbox, and the outbox delivered through the
platform's sender."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import datetime

from bot import server
from domain.messages import Incoming
from handlers import handle
from storage import outbox
from tests.conftest import ORG

REGISTER = "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 系统替换 预算 50万 预计 12月底成交 行业 互联网"
HELP = "我能做的"  # how the answer to 帮助 begins


def org_with(platform: str, ids: dict[str, str], org: str = ORG) -> str:
    """The test org with each user's id on `platform` ("slack", "wecom") written under their [[users]] entry."""
    for user, platform_id in ids.items():
        org = org.replace(f'id = "{user}"\n', f'id = "{user}"\n{platform} = "{platform_id}"\n')
    return org


class PlatformWorld:
    def __init__(self, bot, wsgi, sender) -> None:
        self.bot, self.sender = bot, sender
        self.http = server.http_server(wsgi, host="127.0.0.1", port=0)
        self.base = f"http://127.0.0.1:{self.http.effective_port}"
        threading.Thread(target=self.http.run, daemon=True).start()

    def say(self, user: str, text: str, *, at: str) -> str:
        """A message typed elsewhere (the console): its notices stay in the outbox for the platform to deliver."""
        return handle(Incoming(user=user, text=text, at=datetime.fromisoformat(at)), self.bot.deps).text

    def deliver(self) -> int:
        return outbox.deliver(self.bot.deps.sessions, self.sender, now=self.bot.deps.clock())

    def close(self) -> None:
        self.http.close()
        if getattr(self, "courier", None) is not None:
            self.courier.close()


@contextmanager
def serving(org_file, **env: str):
    """`oppbot serve --port 0` as a real process with `env` added; yields its base URL, then stops it with SIGTERM
    and checks it exited cleanly."""
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", "0", "--config", str(org_file)],
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    try:
        line = ""
        for line in proc.stderr:  # bounded by the process: it prints its address, or exits and the loop ends
            if "listening on" in line:
                break
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:"), line
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def oversized(url: str, path: str, *, claimed: int = 100 * 1024 * 1024, sent: int = 64 * 1024) -> tuple[bytes, float]:
    """Claim a `claimed`-byte body, send only `sent` bytes of it, and read the answer: (status line, seconds).
    The server must refuse on the header alone, not read the rest (issue 14: a 100 MB body once cost 600 MB)."""
    import socket
    import time
    from urllib.parse import urlsplit
    host, port = urlsplit(url).netloc.split(":")
    started = time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {claimed}\r\n\r\n".encode() + b"x" * sent)
        status = conn.recv(4096).split(b"\r\n", 1)[0]
    return status, time.perf_counter() - started


def resident_mb() -> float:
    """This process's peak resident memory so far (the in-process server's included), in MB."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def writes_locked(url: str):
    """Another process holds the database's write lock (SQLite) or the event table's (PostgreSQL) until the block
    ends: every writer of platform events waits on it."""
    from sqlalchemy import create_engine, text
    if url.startswith("sqlite"):
        import sqlite3
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("LOCK TABLE inbound_events IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()
