"""The common part of the local platform APIs the tests run (tests/slack_api.py, tests/wecom_api.py): an HTTP
server on a free port in a thread, a record of every call, a bounded wait for calls, and JSON answers."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class MockAPI:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self._changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, path: str, headers, raw: bytes) -> tuple[int, dict, dict]:
        """(status, extra headers, JSON answer) for one request; record the call with `record`."""
        raise NotImplementedError

    def record(self, call: dict) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def wait_until(self, done, timeout: float = 10.0) -> None:
        """Bounded wait until `done()` holds (it is checked whenever a call is recorded)."""
        with self._changed:
            self._changed.wait_for(done, timeout=timeout)

    def _handler(self):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _serve(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, answer = mock.respond(self.path, self.headers, raw)
                body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()  # a file, or JSON
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Type" not in headers:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

        return Handler
