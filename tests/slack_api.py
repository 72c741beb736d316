"""A local Slack Web API that the real slack_sdk client talks to: it answers like Slack, records every call, keeps
the messages posted (with their metadata, for conversations.history / .replies), can be told to fail (429 with
Retry-After, 500) the next N times a method is called, and to hold calls unanswered until released (a hung Slack)."""
from __future__ import annotations

import json
import threading
import time
from urllib.parse import parse_qsl, quote, urlparse

from tests.mock_http import MockAPI

CHANNELS = [{"id": "C0EAST", "name": "sales-east"}, {"id": "C0WEST", "name": "sales-west"}]


def dm_of(channel: str) -> str:
    """The app's DM with a user (U0MIKE → D0MIKE); other channel ids are themselves."""
    return "D" + channel[1:] if channel.startswith("U") else channel


class MockSlack(MockAPI):
    def __init__(self) -> None:
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.socket_url: str | None = None
        self.posted: list[dict] = []  # what a conversation shows: channel, ts, thread_ts, text, metadata
        self.holding: list = []  # predicates on (method, params): such calls wait until `release()`
        self.released = threading.Event()
        self.held = 0  # calls now waiting for `release()`
        self.people: dict[str, str] = {}  # e-mail → member id (users.lookupByEmail)
        self.files: dict[str, tuple[str, bytes]] = {}  # file id → (name, content): files.info and its private URL
        self._ts = 0
        super().__init__()
        self.url = self.base + "/api/"

    def fail(self, method: str, status: int, *, times: int = 1, headers: dict | None = None) -> None:
        self.failures.setdefault(method, []).extend([(status, headers or {})] * times)

    def hold(self, when) -> None:
        """Calls for which `when(method, params)` holds are answered only after `release()` (or 30 s)."""
        self.holding.append(when)

    def release(self) -> None:
        self.released.set()

    def named(self, method: str) -> list[dict]:
        return [c for c in self.calls if c["method"] == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Bounded wait until `count` successful calls of `method` were recorded."""
        self.wait_until(lambda: len(self.ok(method)) >= count, timeout=timeout)
        return self.ok(method)

    def ok(self, method: str) -> list[dict]:
        return [c for c in self.calls if c["method"] == method and c["status"] == 200]

    def _answer(self, method: str, params: dict) -> dict:
        self._ts += 1
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T0TEST", "user": "oppbot"}
        if method == "chat.postMessage":
            ts = f"1700000000.{self._ts:06d}"
            metadata = params.get("metadata")
            channel = dm_of(params.get("channel") or "")  # a post to a user id lands in the DM with them
            self.posted.append({"channel": channel, "ts": ts, "thread_ts": params.get("thread_ts"),
                                "text": params.get("text"),
                                "metadata": json.loads(metadata) if isinstance(metadata, str) else metadata})
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": params.get("text")}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": dm_of(params.get("users") or "")}}
        if method in ("conversations.history", "conversations.replies"):
            shown = [m for m in self.posted if m["channel"] == params.get("channel") and
                     (method == "conversations.history" or m["thread_ts"] == params.get("ts"))]
            keep = str(params.get("include_all_metadata")).lower() in ("1", "true")
            return {"ok": True, "has_more": False, "messages": [
                {"type": "message", "ts": m["ts"], "text": m["text"], **({"metadata": m["metadata"]} if keep and
                                                                        m["metadata"] else {})} for m in shown]}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{self._ts:06d}"}
        if method == "conversations.list":
            return {"ok": True, "channels": CHANNELS, "response_metadata": {"next_cursor": ""}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base}/upload/F{self._ts}", "file_id": f"F{self._ts}"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f["id"]} for f in json.loads(params.get("files", "[]"))]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "conversations.create":
            return {"ok": True, "channel": {"id": f"G0ROOM{self._ts}", "name": params.get("name"), "is_private": True}}
        if method == "conversations.invite":
            return {"ok": True, "channel": {"id": params.get("channel")}}
        if method == "files.info":
            name, _ = self.files[params.get("file")]
            return {"ok": True, "file": {"id": params.get("file"), "name": name,
                                         "url_private_download": f"{self.base}/files-pri/T0TEST-{params.get('file')}/"
                                                                 f"download/{quote(name)}"}}
        if method == "users.lookupByEmail":
            member = self.people.get(params.get("email"))
            return {"ok": True, "user": {"id": member}} if member else {"ok": False, "error": "users_not_found"}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0TEST"}}
        return {"ok": True}

    def respond(self, path: str, headers, raw: bytes) -> tuple[int, dict, dict | bytes]:
        url = urlparse(path)
        if url.path.startswith("/files-pri/"):  # a file's private URL: only with the bot's token
            file_id = url.path.split("/")[2].removeprefix("T0TEST-")
            self.record({"method": "files-pri", "params": {"file": file_id}, "status": 200, "at": time.monotonic(),
                         "auth": headers.get("Authorization"), "body": b""})
            if headers.get("Authorization") != "Bearer xoxb-test":
                return 403, {}, {"ok": False}
            return 200, {"Content-Type": "application/octet-stream"}, self.files[file_id][1]
        method = url.path.removeprefix("/api/") if url.path.startswith("/api/") else url.path
        params = dict(parse_qsl(url.query))
        kind = headers.get("Content-Type", "")
        if raw and "json" in kind:
            params.update(json.loads(raw))
        elif raw and "x-www-form-urlencoded" in kind and not method.startswith("/upload/"):
            params.update(parse_qsl(raw.decode()))
        if any(when(method, params) for when in self.holding):
            with self._changed:
                self.held += 1
                self._changed.notify_all()
            self.released.wait(timeout=30)
        queued = self.failures.get(method)
        status, extra = queued.pop(0) if queued else (200, {})
        self.record({"method": method, "params": params, "status": status, "at": time.monotonic(),
                     "auth": headers.get("Authorization"), "body": raw})
        return status, extra, (self._answer(method, params) if status == 200 else
                               {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"})
