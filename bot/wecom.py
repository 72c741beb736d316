"""WeCom (企业微信) front end, as a self-built app (自建应用): the encrypted callback turns members' text messages and
template-card clicks into `handlers.handle` calls; `WeComSender` delivers outbox rows through the message API (to
members) and the teams' group-robot webhooks (to group chats). It translates and never decides.

All wechatpy use is here (1.8.18: `wechatpy.enterprise`; 2.x renames it `wechatpy.work`)."""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import threading
import time
from base64 import b64decode, b64encode
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import unquote

import xmltodict
from xml.parsers.expat import ExpatError
from wechatpy.enterprise import WeChatClient
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import WeChatClientException, WeChatException
from wechatpy.utils import WeChatSigner

from bot.courier import Courier
from domain.actions import by_subject
from domain.messages import Deps, ExternalContact, Incoming
from handlers import answer_unread, handle, import_file
from handlers.lang import detect
from handlers.render import say
from storage import outbox, rooms, tokens
from storage.db import lock_wait
from storage.models import OutboxMessage

log = logging.getLogger("oppbot.wecom")

API_URL = "https://qyapi.weixin.qq.com/cgi-bin/"
TOKEN_ERRORS = (40014, 42001)  # invalid / expired access token: fetch a new one, retry once
NOT_A_MEMBER = (46004, 60111)  # user/getuserid: no member has that mobile / userid not found
CONTACT_BATCH = 100  # externalcontact/batch/get_by_user: members per call, and contacts per page
CHAT_EXISTS = 86215  # appchat/create: the chat id is taken (by our own earlier try)
TOKEN_MARGIN = timedelta(minutes=5)  # refresh this long before WeCom's expiry
REPLAY_WINDOW = 300  # seconds a callback's timestamp may be away from our clock
TEXT_BYTES = 2048  # message/send text content
CHART = {"msgtype": "image"}  # where a row's chart goes among its parts (uploaded only when it is sent)
FILE = {"msgtype": "file"}  # … and its attached sheet
MARKDOWN_BYTES = 4096  # group robot markdown
MEMBER_PER_MINUTE = 30  # message API, to one member: WeCom drops the excess silently
WEBHOOK_PER_MINUTE = 20  # one group robot


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    agent_id: int
    secret: str
    token: str  # the callback's Token
    aes_key: str  # the callback's EncodingAESKey
    api_url: str = API_URL  # OPPBOT_WECOM_API_URL: another base for every API call, gettoken included (tests)
    webhooks: dict[str, str] = field(default_factory=dict)  # WECOM_WEBHOOK_<TEAM> → group robot URL
    contact_secret: str | None = None  # WECOM_CONTACT_SECRET: 客户联系's own Secret, for the 撞单 scan


REQUIRED = ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY")


def settings_from_env(env=os.environ) -> WeComSettings | None:
    """None when WeCom is not configured; ValueError naming what is missing when it half is."""
    if not env.get("WECOM_CORP_ID"):
        return None
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise ValueError(f"WeCom needs {', '.join(missing)} as well as WECOM_CORP_ID")
    if not env["WECOM_AGENT_ID"].isdigit():
        raise ValueError(f"WECOM_AGENT_ID must be the app's number, not {env['WECOM_AGENT_ID']!r}")
    api = env.get("OPPBOT_WECOM_API_URL") or API_URL
    return WeComSettings(
        corp_id=env["WECOM_CORP_ID"], agent_id=int(env["WECOM_AGENT_ID"]), secret=env["WECOM_SECRET"],
        token=env["WECOM_TOKEN"], aes_key=env["WECOM_AES_KEY"], api_url=api.rstrip("/") + "/",
        webhooks={k.removeprefix("WECOM_WEBHOOK_"): v for k, v in env.items() if k.startswith("WECOM_WEBHOOK_") and v},
        contact_secret=env.get("WECOM_CONTACT_SECRET") or None)


# ---- the API client -------------------------------------------------------------------------------------------

class WeComClient(WeChatClient):
    """wechatpy's client, changed in three ways: every call, gettoken included, goes to `settings.api_url`; the
    access token lives in the database, so processes share one and only one fetches it; an invalid or expired
    token is fetched anew and the call retried once (wechatpy's own retry has no bound)."""

    def __init__(self, settings: WeComSettings, deps: Deps, *, contacts: bool = False):
        """`contacts`: the client of 客户联系, with its own Secret and so its own access token."""
        self.API_BASE_URL = settings.api_url
        super().__init__(settings.corp_id, settings.contact_secret if contacts else settings.secret,
                         auto_retry=False, timeout=10)
        self._deps = deps
        self._key = f"wecom:{settings.corp_id}:{'contacts' if contacts else settings.agent_id}"
        self._cached: tuple[str, datetime] | None = None  # (token, expires at)

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(url=self.API_BASE_URL + "gettoken",
                                        params={"corpid": self.corp_id, "corpsecret": self.secret})

    @property
    def access_token(self) -> str:
        return self.token()

    def token(self, *, stale: str | None = None) -> str:
        """The shared token: this process's copy while it is good; else the database's, under its lock, fetched
        from WeCom when missing, within TOKEN_MARGIN of expiry, or `stale` (WeCom refused it)."""
        if self._usable(self._cached, stale):
            return self._cached[0]
        with self._deps.sessions.begin() as s:
            tokens.lock(s, self._key)  # another process may be fetching: wait for it, then use what it stored
            stored = tokens.current(s, self._key)
            if not self._usable(stored, stale):
                got = self.fetch_access_token()
                stored = (got["access_token"],
                          self._deps.clock() + timedelta(seconds=int(got.get("expires_in") or 7200)))
                tokens.store(s, self._key, *stored)
        self._cached = stored
        return stored[0]

    def _usable(self, token: tuple[str, datetime] | None, stale: str | None) -> bool:
        return bool(token) and token[0] != stale and token[1] - TOKEN_MARGIN > self._deps.clock()

    def _request(self, method, url_or_endpoint, **kwargs):
        token = self.token()
        try:
            return super()._request(method, url_or_endpoint, **_with_token(kwargs, token))
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("WeCom said errcode %s: fetching a new access token", exc.errcode)
        return super()._request(method, url_or_endpoint, **_with_token(kwargs, self.token(stale=token)))

    def download_media(self, media_id: str) -> tuple[str, bytes]:
        """media/get: (the file's name from Content-Disposition, its bytes); an errcode comes back as JSON."""
        answer = self._http.get(self.API_BASE_URL + "media/get", params={"access_token": self.token(),
                                                                         "media_id": media_id}, timeout=self.timeout)
        if "json" in (answer.headers.get("Content-Type") or "") or answer.status_code != 200:
            result = answer.json() if answer.content else {}
            raise WeChatClientException(result.get("errcode", -1), result.get("errmsg"), client=self)
        found = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', answer.headers.get("Content-Disposition") or "")
        return (unquote(found.group(1)) if found else "file"), answer.content

    def userid_by_mobile(self, mobile: str) -> str | None:
        """user/getuserid, a lookup for bot.directory: the member's userid, None for a mobile that is no member's."""
        try:
            return self.post("user/getuserid", data={"mobile": mobile})["userid"]
        except WeChatClientException as exc:
            if exc.errcode in NOT_A_MEMBER:
                return None
            raise

    def external_contacts(self, userids: list[str]) -> list[ExternalContact]:
        """客户联系: every external contact of these members (externalcontact/batch/get_by_user: 100 members a
        call, each answer paged by its next_cursor). The company is the full name where WeCom has it."""
        found = []
        for start in range(0, len(userids), CONTACT_BATCH):
            cursor = ""
            while True:
                page = self.post("externalcontact/batch/get_by_user", data={
                    "userid_list": userids[start:start + CONTACT_BATCH], "cursor": cursor, "limit": CONTACT_BATCH})
                for item in page.get("external_contact_list") or []:
                    person, follow = item.get("external_contact") or {}, item.get("follow_info") or {}
                    found.append(ExternalContact(
                        follower=follow.get("userid") or "", external_id=person.get("external_userid") or "",
                        name=person.get("name") or "", corp_name=person.get("corp_full_name") or person.get(
                            "corp_name") or None))
                cursor = page.get("next_cursor") or ""
                if not cursor:
                    break
        return found

    def post_webhook(self, url: str, message: dict) -> None:
        """A group robot takes no access token (its URL carries a key); errors come back the same way."""
        result = self._http.post(url, json=message, timeout=self.timeout).json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self)


def _with_token(kwargs: dict, token: str) -> dict:
    """A copy: wechatpy writes into `params`, and a retry must not inherit the stale token."""
    return {**kwargs, "params": {**(kwargs.get("params") or {}), "access_token": token}}


# ---- rendering and pacing -------------------------------------------------------------------------------------

def split_utf8(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut at line ends where possible; joined they give `text` back."""
    pieces, current, size = [], [], 0
    for line in text.splitlines(keepends=True):
        for chunk in _cut(line, limit):
            n = len(chunk.encode())
            if current and size + n > limit:
                pieces.append("".join(current))
                current, size = [], 0
            current.append(chunk)
            size += n
    return [*pieces, "".join(current)]


def _cut(line: str, limit: int):
    """A line longer than a message, cut by characters (never inside one)."""
    if len(line.encode()) <= limit:
        yield line
        return
    chunk, size = [], 0
    for ch in line:
        n = len(ch.encode())
        if size + n > limit:
            yield "".join(chunk)
            chunk, size = [], 0
        chunk.append(ch)
        size += n
    yield "".join(chunk)


CARD_TITLES = {"approval": ("待你审批", "Needs your decision"), "reminder": ("跟进提醒", "Follow-up due"),
               "escalation": ("逾期商机", "Overdue opportunities")}
PICK = "pick:"  # a button whose command takes the opportunity chosen in the card's selector
BUTTONS, OPTIONS = 6, 10  # a button_interaction card: at most 6 buttons; a selector of at most 10 options


def action_card(row) -> dict:
    """A message with actions as a button card: a click sends the button's key, the very command a person would
    type (`同意 2026-SH-001`, `跟进 2026-SH-001`). About several opportunities (an escalation's list), the card has a
    selector of them and each button's key names the command with the chosen one left open. The message's own
    text, with its typed-answer instructions, is the card's body."""
    zh = detect(row.text) != "en"
    groups = by_subject(row.actions)
    card = {"card_type": "button_interaction", "source": {"desc": "oppbot"},
            "main_title": {"title": CARD_TITLES.get(row.kind, CARD_TITLES["reminder"])[0 if zh else 1]},
            "sub_title_text": row.text[:1000],
            "task_id": f"oppbot-{row.id}-{row.attempts}"}  # unique per card, as WeCom requires
    if len(groups) == 1:
        [group] = groups.values()
        card["button_list"] = [{"text": label, "style": 1 if n == 0 else 2, "key": command}
                               for n, (label, command, _, _) in enumerate(group[:BUTTONS])]
        return {"msgtype": "template_card", "template_card": card}
    subjects = list(groups)[:OPTIONS]
    card["button_selection"] = {"question_key": "opp", "title": "商机" if zh else "Opportunity",
                                "option_list": [{"id": s, "text": s} for s in subjects], "selected_id": subjects[0]}
    card["button_list"] = [{"text": label, "style": 1 if n == 0 else 2,
                            "key": f"{PICK}{subjects[0]}:{command.replace(subjects[0], '{opp}')}"}
                           for n, (label, command, _, _) in enumerate(groups[subjects[0]][:BUTTONS])]
    return {"msgtype": "template_card", "template_card": card}


def clicked_command(key: str, selected: str | None) -> str:
    """The command a card click stands for: the button's key, with the chosen opportunity where it takes one
    (the selector's default when the clicker did not change it)."""
    if not key.startswith(PICK):
        return key
    default, template = key.removeprefix(PICK).split(":", 1)
    return template.replace("{opp}", selected or default)


class Paced(RuntimeError):
    """Sending now would pass a WeCom limit: the outbox keeps the row and tries again after its back-off."""


class Window:
    """How many messages went to each address in the last `seconds` (this process), against a per-address limit."""

    def __init__(self, limit: int, seconds: float = 60.0):
        self.limit, self.seconds = limit, seconds
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, address: str, n: int) -> None:
        """Count `n` messages to `address` now, or raise Paced (counting nothing) when they would not all fit."""
        with self._lock:
            now = time.monotonic()
            sent = self._sent.setdefault(address, deque())
            while sent and sent[0] <= now - self.seconds:
                sent.popleft()
            if len(sent) + n > self.limit:
                raise Paced(f"{address} already had {len(sent)} messages in {self.seconds:g} s (limit {self.limit})")
            sent.extend([now] * n)


# ---- outbox delivery ------------------------------------------------------------------------------------------

class WeComSender:
    """Delivers one outbox row: to a member through the message API (text; approvals as button cards), or to a
    team's group chat through its group robot (markdown, the funnel chart as an image). A reply to a card click
    that settled its request turns the clicker's buttons into the verdict instead, when WeCom still allows it."""

    platform = "wecom"

    def __init__(self, client: WeComClient, settings: WeComSettings, deps: Deps, *,
                 members: Window | None = None, robots: Window | None = None):
        self.client, self.settings, self.config, self.deps = client, settings, deps.config, deps
        self.members = members or Window(MEMBER_PER_MINUTE)
        self.robots = robots or Window(WEBHOOK_PER_MINUTE)
        found = ((t.group_chat, _webhook_of(t, settings.webhooks)) for t in deps.config.teams if t.group_chat)
        self._webhooks = {chat: url for chat, url in found if url}  # group chat → its robot's URL

    def member_of(self, to: str) -> str | None:
        """`wecom:<userid>` (someone not in the config, answered where they wrote) or a user with a wecom id."""
        if to.startswith("wecom:"):
            return to.removeprefix("wecom:")
        user = self.config.user(to)
        return user.wecom if user else None

    def webhook_of(self, to: str) -> str | None:
        return self._webhooks.get(to)

    def reaches(self, to: str) -> bool:
        return bool(self.webhook_of(to) or self.member_of(to))

    def __call__(self, row) -> None:
        if row.kind == "refresh":  # a page of one's own to redraw: WeCom has none (Slack's App Home)
            return
        if row.to.startswith(rooms.PREFIX):
            return self._to_room(row)
        url = self.webhook_of(row.to)
        if url:
            return self._to_group(url, row)
        member = self.member_of(row.to)
        if not member:
            raise LookupError(f"{row.to} has no wecom identity or group robot in the config")
        route = row.route or {}
        if route.get("decided") and route.get("response_code") and self._close_card(member, route, row.text) \
                and not route.get("later"):  # answered in a later message: that message is answered as well
            return
        if row.actions:
            messages = [action_card(row)]
        else:
            messages = [{"msgtype": "text", "text": {"content": part}} for part in split_utf8(row.text, TEXT_BYTES)]
        if row.image:  # a chart: uploaded as temporary media when its turn comes, then sent as an image message
            messages.append(CHART)
        if row.file_data:  # an exported sheet: the same, as a file message
            messages.append(FILE)
        self.members.take(member, len(messages) - row.parts_sent)
        for n, message in enumerate(messages[row.parts_sent:], start=row.parts_sent + 1):
            if message is CHART:
                media = self.client.media.upload("image", ("chart.png", b64decode(row.image.split(",", 1)[1]),
                                                           "image/png"))
                message = {"msgtype": "image", "image": {"media_id": media["media_id"]}}
            elif message is FILE:
                media = self.client.media.upload("file", (row.file_name, b64decode(row.file_data.split(",", 1)[1]),
                                                          "application/octet-stream"))
                message = {"msgtype": "file", "file": {"media_id": media["media_id"]}}
            if getattr(row, "uncertain", False):  # its sender died mid-send: WeCom drops it if it did go out
                message = {**message, "enable_duplicate_check": 1, "duplicate_check_interval": 1800}
            self.client.message.send(self.settings.agent_id, member, msg=message)
            if len(messages) > 1:
                outbox.part_sent(self.deps.sessions, row, n)

    def _to_room(self, row) -> None:
        """A deal room is an app group chat (appchat) with the opportunity's ID as its chat id, made by the row
        that asks for it and remembered before anything is posted there."""
        opp_id = row.to.removeprefix(rooms.PREFIX)
        chat = rooms.room_of(self.deps.sessions, opp_id, self.platform)
        if chat is None:
            if row.kind != "room_open":
                raise LookupError(f"the deal room of {opp_id} is not made yet")
            people = [m for p in (row.route or {}).get("members", []) if (m := self.member_of(p))]
            if len(people) < 2:  # WeCom's group chats need two members
                log.warning("deal room of %s not made: fewer than two of its people are on WeCom", opp_id)
                return
            chat = "opp" + re.sub(r"[^0-9a-z]", "", opp_id.lower())
            try:
                self.client.post("appchat/create", data={"name": f"商机 {opp_id}", "owner": people[0],
                                                         "userlist": people, "chatid": chat})
            except WeChatClientException as exc:
                if exc.errcode != CHAT_EXISTS:  # made by an earlier try that died before remembering it
                    raise
            rooms.remember(self.deps.sessions, opp_id, self.platform, chat, now=self.deps.clock())
        for part in split_utf8(row.text, TEXT_BYTES):
            self.client.post("appchat/send", data={"chatid": chat, "msgtype": "text", "text": {"content": part}})

    def _close_card(self, member: str, route: dict, verdict: str) -> bool:
        """The click settled the request: the clicker's buttons become the verdict. False when WeCom would not
        (a response code is good once, for 72 hours): the verdict then goes as a message."""
        try:
            self.client.post("message/update_template_card", data={
                "userids": [member], "agentid": self.settings.agent_id, "response_code": route["response_code"],
                "button": {"replace_name": _verdict(verdict)}})
            return True
        except WeChatClientException as exc:
            log.warning("WeCom would not update the card for %s: %s", member, exc)
            return False

    def _to_group(self, url: str, row) -> None:
        lines = row.text.split("\n", 1)
        text = f"**{lines[0]}**" + (f"\n{lines[1]}" if len(lines) > 1 else "")  # the title line in bold
        messages = [{"msgtype": "markdown", "markdown": {"content": part}}
                    for part in split_utf8(text, MARKDOWN_BYTES)]
        if row.image:
            png = b64decode(row.image.split(",", 1)[1])
            messages.append({"msgtype": "image", "image": {"base64": b64encode(png).decode(),
                                                           "md5": hashlib.md5(png).hexdigest()}})
        self.robots.take(url, len(messages))
        for message in messages:
            self.client.post_webhook(url, message)


def _webhook_of(team, webhooks: dict[str, str]) -> str | None:
    """A team's group robot: WECOM_WEBHOOK_<TEAM NAME> or _<REGION>, in capitals (names may be Chinese)."""
    names = (re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").upper() for name in (team.name, team.region))
    return next((webhooks[n] for n in names if n in webhooks), None)


# ---- the callback ---------------------------------------------------------------------------------------------

class Rejected(Exception):
    """A callback that is not WeCom's, or not for us, or too old: refused, and nothing is stored."""


class Callback:
    """`GET/POST /wecom/callback`. A message is verified, decrypted and handled before the answer (WeCom waits 5 s):
    its change, its MsgId and its reply are one commit, so a 200 means stored and anything else makes WeCom
    redeliver. The reply is an outbox row the courier sends on its own threads, never while WeCom waits."""

    def __init__(self, deps: Deps, settings: WeComSettings, courier: Courier, *,
                 wall_clock: Callable[[], float] = time.time):
        self.deps, self.settings, self.courier = deps, settings, courier
        self.crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
        self.client = WeComClient(settings, deps)  # the app's (its token is shared through the database)
        self.wall_clock = wall_clock  # the replay window is about WeCom's clock, not the bot's business clock
        self.users = {u.wecom: u.id for u in deps.config.users if u.wecom}
        self._told: deque[str] = deque(maxlen=1000)  # events whose writer was told the database is busy

    def answer(self, method: str, args, body: bytes) -> tuple[int, str]:
        """(HTTP status, body) for one request; never raises."""
        try:
            if method == "GET":  # URL verification: echo the decrypted echostr
                return 200, self._open(args, args.get("echostr", ""))
            encrypted = _field(body, "Encrypt")
            stored = self._dispatch(xmltodict.parse(self._open(args, encrypted))["xml"])
            # no passive reply: the answer goes out through the message API
            return (200, "") if stored else (503, "busy: redeliver")
        except Rejected as exc:
            log.warning("WeCom callback refused: %s", exc)
            return 403, "refused"
        except (ValueError, KeyError, TypeError, WeChatException, ExpatError) as exc:
            log.warning("WeCom callback unreadable: %s: %s", type(exc).__name__, exc)
            return 400, "bad request"

    def _open(self, args, encrypted: str) -> str:
        """Timestamp within the window, signature compared in constant time, then decrypted; the receive id
        inside must be our corp id (wechatpy checks it)."""
        signature, timestamp, nonce = (args.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not (signature and timestamp.isdigit() and nonce and encrypted):
            raise Rejected("msg_signature, timestamp, nonce or the encrypted text is missing")
        if abs(self.wall_clock() - int(timestamp)) > REPLAY_WINDOW:
            raise Rejected(f"timestamp {timestamp} is outside the {REPLAY_WINDOW} s window")
        signer = WeChatSigner()
        signer.add_data(self.settings.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(signer.signature, signature):
            raise Rejected("signature does not match")
        try:  # wechatpy's echostr check is the same decryption a message needs
            return self.crypto.check_signature(signature, timestamp, nonce, encrypted)
        except WeChatException as exc:  # InvalidCorpIdException: encrypted for another corp
            raise Rejected(f"{type(exc).__name__}: not for corp {self.settings.corp_id}") from None

    def _dispatch(self, msg: dict) -> bool:
        """False: the database could not take it, WeCom should redeliver."""
        sender, kind = msg.get("FromUserName") or "", (msg.get("MsgType") or "").lower()
        if kind == "text":
            return self._handle(f"msg:{msg['MsgId']}", sender, msg.get("Content") or "")
        if kind == "event" and (msg.get("Event") or "").lower() == "template_card_event":
            task = re.fullmatch(r"oppbot-(\d+)-\d+", msg.get("TaskId") or "")
            # a click's response code is its own (a redelivery repeats it; two clicks in one second do not), and
            # long: the id is a digest of them, to fit the event table
            click = f"{msg.get('TaskId')}:{sender}:{msg.get('CreateTime')}:{msg.get('ResponseCode')}"
            return self._handle(f"card:{hashlib.sha1(click.encode()).hexdigest()}", sender,
                                clicked_command(msg.get("EventKey") or "", _selected(msg)),
                                response_code=msg.get("ResponseCode"), notice=task and int(task.group(1)))
        if kind == "file" and msg.get("MediaId") and sender in self.users:  # a spreadsheet: fetched, previewed
            self.courier.executor.submit(self._file, f"msg:{msg['MsgId']}", sender, msg["MediaId"])
            return True  # WeCom waits 5 s: the file is fetched on the courier's threads, after this answer
        if kind != "event" and msg.get("MsgId"):  # a picture, voice, file…: say what we can read
            return self._handle(f"msg:{msg['MsgId']}", sender, "", unread=kind)
        return True  # other events (entering the app, menu views…) are not messages to answer

    def _file(self, event_id: str, sender: str, media_id: str) -> None:
        """media/get, then the import's preview as the reply (确认导入 applies it); a file that is no spreadsheet is
        answered with what can be read."""
        try:
            name, content = self.client.download_media(media_id)
        except Exception as exc:
            log.warning("could not fetch WeCom media for %s: %s", sender, type(exc).__name__)
            self.courier.tell(OutboxMessage(to=self.users[sender], kind="reply", parts_sent=0,
                                            route={"platform": "wecom"}, text=say("import_fetch_failed_wecom", "zh")))
            return
        if not name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            self._handle(event_id, sender, "", unread="file")
            return
        self._handle(event_id, sender, name, via=lambda incoming, deps: import_file(incoming, deps, name, content))

    def _handle(self, event_id: str, sender: str, text: str, *, response_code: str | None = None,
                notice: int | None = None, unread: str | None = None, via=handle) -> bool:
        """An unknown member reaches handle as wecom:<id>: handle says who to ask and stores nothing. `unread`: the
        kind of a message that is not text (a member is told only text is read)."""
        user = self.users.get(sender)
        to = user or f"wecom:{sender}"
        route = {"platform": "wecom", **({"response_code": response_code} if response_code else {}),
                 **({"notice": notice} if notice else {})}
        incoming = Incoming(user=to, text=text, at=self.deps.clock(), platform="wecom", event_id=event_id,
                            reply_to=route)
        with lock_wait(EVENT_LOCK_WAIT):
            reply = (answer_unread(incoming, self.deps, say("not_text", "zh", kind=unread)) if unread and user else
                     via(incoming, self.deps))
        if reply is not None and reply.retry:
            if event_id not in self._told:  # WeCom redelivers three times: tell the writer once
                self._told.append(event_id)
                self.courier.tell(OutboxMessage(to=to, kind="reply", text=reply.text, route={"platform": "wecom"},
                                                parts_sent=0))
            return False
        if reply is not None:
            self.courier.wake(to)
        return True


EVENT_LOCK_WAIT = 2.0  # seconds a message waits for the database before WeCom is asked to redeliver it


def _selected(msg: dict) -> str | None:
    """The option chosen in a card's selector: SelectedItems/SelectedItem/OptionIds/OptionId (one selector here)."""
    item = ((msg.get("SelectedItems") or {}).get("SelectedItem")) or {}
    if isinstance(item, list):
        item = item[0] if item else {}
    option = (item.get("OptionIds") or {}).get("OptionId")
    return (option[0] if isinstance(option, list) else option) or None


def _field(body: bytes, name: str) -> str:
    """One element of the still-unverified envelope, read without an XML parser: nothing in an unsigned body is
    parsed (no entities, no cost) before its signature is checked on this value (issue 14)."""
    m = re.search(rb"<" + name.encode() + rb">\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]{1,65536})\]\]>|([A-Za-z0-9+/=]{1,65536}))\s*</"
                  + name.encode() + rb">", body[:MAX_ENVELOPE])
    if not m:
        raise ValueError(f"no <{name}> in the callback")
    return (m.group(1) or m.group(2)).decode("ascii")


MAX_ENVELOPE = 256 * 1024  # a WeCom callback is a few KB; the server refuses bodies over MAX_BODY before this


def _verdict(text: str) -> str:
    """The few words a clicked card keeps in place of its buttons: `已同意` out of `已同意：2026-SH-001 …`."""
    return re.split(r"[：:，,。.]", text, maxsplit=1)[0].strip()[:20]
