"""A local Slack Web API that the real slack_sdk client talks to: it answers like Slack, records every call, and
can be told to fail (429 with Retry-After, 500) the next N times a method is called."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

CHANNELS = [{"id": "C0EAST", "name": "sales-east"}, {"id": "C0WEST", "name": "sales-west"}]


class MockSlack:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.socket_url: str | None = None
        self._changed = threading.Condition()
        self._ts = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, status: int, *, times: int = 1, headers: dict | None = None) -> None:
        self.failures.setdefault(method, []).extend([(status, headers or {})] * times)

    def named(self, method: str) -> list[dict]:
        return [c for c in self.calls if c["method"] == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Bounded wait until `count` successful calls of `method` were recorded."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.ok(method)) >= count, timeout=timeout)
        return self.ok(method)

    def ok(self, method: str) -> list[dict]:
        return [c for c in self.calls if c["method"] == method and c["status"] == 200]

    def _record(self, call: dict) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _answer(self, method: str, params: dict) -> dict:
        self._ts += 1
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T0TEST", "user": "oppbot"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": f"1700000000.{self._ts:06d}",
                    "message": {"text": params.get("text")}}
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
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0TEST"}}
        return {"ok": True}

    def _handler(self):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _serve(self) -> None:
                url = urlparse(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                method = url.path.removeprefix("/api/") if url.path.startswith("/api/") else url.path
                params = dict(parse_qsl(url.query))
                kind = self.headers.get("Content-Type", "")
                if raw and "json" in kind:
                    params.update(json.loads(raw))
                elif raw and "x-www-form-urlencoded" in kind and not method.startswith("/upload/"):
                    params.update(parse_qsl(raw.decode()))
                queued = mock.failures.get(method)
                status, headers = queued.pop(0) if queued else (200, {})
                mock._record({"method": method, "params": params, "status": status, "at": time.monotonic(),
                              "auth": self.headers.get("Authorization"), "body": raw})
                body = json.dumps(mock._answer(method, params) if status == 200 else
                                  {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

        return Handler
