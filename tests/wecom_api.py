"""A local WeCom server API that the real wechatpy client talks to: gettoken, message/send,
message/update_template_card, media/upload, user/getuserid and group-robot webhooks, answered like WeCom (errcode JSON). It records every call,
checks the access token like WeCom does (42001 when it was revoked), and can be told to answer an errcode the next
N times an endpoint is called."""
from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, quote, urlparse

from tests.mock_http import MockAPI

CORP_ID = "ww0123456789abcdef"
SECRET = "app-secret-for-tests"
CONTACT_SECRET = "contact-secret-for-tests"  # 客户联系's own Secret


class MockWeCom(MockAPI):
    def __init__(self) -> None:
        self.failures: dict[str, list[int]] = {}
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.members: dict[str, str] = {}  # mobile → userid (user/getuserid)
        self.media: dict[str, tuple[str, bytes]] = {}  # media id → (file name, bytes): media/get
        self.external: dict[str, list[dict]] = {}  # member → their external contacts (客户联系)
        self.contact_tokens: set[str] = set()  # tokens got with 客户联系's Secret
        super().__init__()
        self.url = self.base + "/cgi-bin/"

    def webhook(self, key: str) -> str:
        return f"{self.url}webhook/send?key={key}"

    def fail(self, endpoint: str, errcode: int, *, times: int = 1) -> None:
        self.failures.setdefault(endpoint, []).extend([errcode] * times)

    def revoke_tokens(self) -> None:
        """WeCom expired every token it gave out: the next call with one gets 42001."""
        self.revoked.update(self.issued)

    def named(self, endpoint: str) -> list[dict]:
        return [c for c in self.calls if c["endpoint"] == endpoint]

    def ok(self, endpoint: str) -> list[dict]:
        return [c for c in self.named(endpoint) if c["errcode"] == 0]

    def wait_for(self, endpoint: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Bounded wait until `count` successful calls to `endpoint` were recorded."""
        self.wait_until(lambda: len(self.ok(endpoint)) >= count, timeout=timeout)
        return self.ok(endpoint)

    def texts(self, to: str | None = None) -> list[str]:
        """What members were sent through message/send, as they read it (text content or card body; a chart
        image is not text and is left out)."""
        return [self.text_of(c["json"]) for c in self.ok("message/send")
                if (to is None or c["json"]["touser"] == to) and c["json"]["msgtype"] != "image"]

    @staticmethod
    def text_of(body: dict) -> str:
        return body["text"]["content"] if body["msgtype"] == "text" else body["template_card"]["sub_title_text"]

    def _answer(self, endpoint: str, query: dict, body: dict | None) -> dict:
        if endpoint == "gettoken":
            if query.get("corpid") != CORP_ID or query.get("corpsecret") not in (SECRET, CONTACT_SECRET):
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"TOKEN-{len(self.issued) + 1}"
            self.issued.append(token)
            if query.get("corpsecret") == CONTACT_SECRET:
                self.contact_tokens.add(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if endpoint == "webhook/send":
            return {"errcode": 0, "errmsg": "ok"}
        token = query.get("access_token")
        if token not in self.issued:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if token in self.revoked:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if endpoint == "message/send":
            return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg{len(self.calls)}"}
        if endpoint == "externalcontact/batch/get_by_user":
            return self._external_contacts(token, body or {})
        if endpoint == "appchat/create":
            return {"errcode": 0, "errmsg": "ok", "chatid": (body or {}).get("chatid")}
        if endpoint == "user/getuserid":
            userid = self.members.get((body or {}).get("mobile"))
            return {"errcode": 0, "errmsg": "ok", "userid": userid} if userid else {"errcode": 46004,
                                                                                 "errmsg": "user no exist"}
        if endpoint == "media/upload":  # a temporary media file, good for 3 days
            return {"errcode": 0, "errmsg": "ok", "type": query.get("type"), "media_id": f"MEDIA-{len(self.calls)}",
                    "created_at": str(int(time.time()))}
        return {"errcode": 0, "errmsg": "ok"}

    def _external_contacts(self, token: str, body: dict) -> dict:
        """As WeCom pages it: at most 100 members a call, `limit` contacts a page, the offset as next_cursor; only
        客户联系's own Secret may call it."""
        if token not in self.contact_tokens:
            return {"errcode": 48002, "errmsg": "api forbidden"}
        members = body.get("userid_list") or []
        if not members or len(members) > 100:
            return {"errcode": 40058, "errmsg": "userid_list: 1 to 100 members"}
        rows = [{"external_contact": person, "follow_info": {"userid": member, "remark": ""}}
                for member in members for person in self.external.get(member, [])]
        start, limit = int(body.get("cursor") or 0), min(int(body.get("limit") or 50), 100)
        more = start + limit < len(rows)
        return {"errcode": 0, "errmsg": "ok", "external_contact_list": rows[start:start + limit],
                "next_cursor": str(start + limit) if more else ""}

    def respond(self, path: str, headers, raw: bytes) -> tuple[int, dict, dict]:
        """WeCom answers errors with HTTP 200 and an errcode."""
        url = urlparse(path)
        endpoint, query = url.path.removeprefix("/cgi-bin/"), dict(parse_qsl(url.query))
        multipart = "multipart/form-data" in (headers.get("Content-Type") or "")
        body = json.loads(raw) if raw and not multipart else None
        queued = self.failures.get(endpoint)
        if endpoint == "media/get" and not queued and query.get("media_id") in self.media \
                and query.get("access_token") in self.issued:  # a member's file: its bytes, not JSON
            name, content = self.media[query["media_id"]]
            self.record({"endpoint": endpoint, "query": query, "json": None, "errcode": 0, "at": time.monotonic(),
                         "raw": None})
            return 200, {"Content-Type": "application/octet-stream",
                         "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}, content
        answer = ({"errcode": queued.pop(0), "errmsg": "told to fail"} if queued else
                  self._answer(endpoint, query, body))
        self.record({"endpoint": endpoint, "query": query, "json": body, "errcode": answer["errcode"],
                     "at": time.monotonic(), "raw": raw if multipart else None})
        return 200, {}, answer
