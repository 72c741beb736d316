"""Slack front end: a slack-bolt App turns DMs, @-mentions, `/opp`, button clicks and the registration modal into
`handlers.handle` calls, and renders replies as Block Kit; `SlackSender` delivers outbox rows through slack_sdk.
It translates and never decides: roles, parsing and wording all stay in handlers."""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import urllib.request
from base64 import b64decode
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.courier import Courier
from domain.actions import by_subject
from domain.messages import Deps, Incoming, Reply
from handlers import already_handled, forms, glance, handle, import_file
from handlers.lang import detect
from handlers.render import card_text, say
from storage import models as m
from storage import outbox, repo, rooms
from storage.db import lock_wait
from storage.models import OutboxMessage
from storage.reports.home import Home, home

log = logging.getLogger("oppbot.slack")


ANSWER_ACTION = re.compile(r"^oppbot_answer_\d+$")  # a button that runs its command
FORM_ACTION = re.compile(r"^oppbot_form_(follow_up|snooze)_\d+$")  # a button that opens its form first
PICK_ACTION = re.compile(r"^oppbot_pick_\d+$")  # an escalation line's menu: a command, or a form to open
FORM_VIEW = re.compile(r"^oppbot_(register|follow_up|snooze|log_message)$")
LOG_SHORTCUT = "oppbot_log_follow_up"  # the message shortcut 记录为跟进 (slack-manifest.yml)
OPP_OPTIONS = "oppbot_opp"  # the opportunity picker's options, loaded as the user types
MENTION = re.compile(r"<@[A-Z0-9]+>\s*")


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str
    app_token: str | None = None  # xapp-…: Socket Mode
    api_url: str | None = None  # OPPBOT_SLACK_API_URL: another Web API base (tests: a local mock)


def settings_from_env(env=os.environ) -> SlackSettings | None:
    """None when Slack is not configured (the bot then runs without it)."""
    token = env.get("SLACK_BOT_TOKEN")
    if not token:
        return None
    return SlackSettings(bot_token=token, signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
                         app_token=env.get("SLACK_APP_TOKEN"), api_url=env.get("OPPBOT_SLACK_API_URL"))


CALL_TIMEOUT = 10  # seconds a Web API call may take before it counts as failed (slack_sdk's default is 30)


def web_client(settings: SlackSettings) -> WebClient:
    """429 → wait Retry-After and try again; 5xx → two retries with back-off; then the outbox keeps the message
    and tries again after its own back-off. A call waits at most 10 s. A timeout or a dropped connection is not
    retried here: Slack may have posted it, so the outbox's retry first looks for it in the conversation
    (`SlackSender._posted`) instead of posting blind (issue 14: a blind retry after a timeout doubled a reply)."""
    base = settings.api_url.rstrip("/") + "/" if settings.api_url else WebClient.BASE_URL
    return WebClient(token=settings.bot_token, base_url=base, timeout=CALL_TIMEOUT, retry_handlers=[
        RateLimitErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=2)])


def lookup_by_email(client: WebClient):
    """users.lookupByEmail as a lookup for bot.directory: the member id, None for an address Slack does not know."""
    def find(email: str) -> str | None:
        try:
            return client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return None
            raise
    return find


def _download(url: str, token: str) -> bytes:
    """A file's private URL, read with the bot's token (files:read); at most MAX_FILE bytes."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=CALL_TIMEOUT) as response:
        data = response.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise ValueError(f"the file is over {MAX_FILE // 1_000_000} MB")
    return data


MAX_FILE = 20_000_000  # a team's spreadsheet is well under this


# ---- Block Kit -------------------------------------------------------------------------------------------------

def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000] or " "}}


def card_blocks(card: dict) -> list[dict]:
    """The opportunity card: a header and (label, value) fields, ten to a section (Block Kit's limit)."""
    fields = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"[:2000]} for k, v in card["rows"]]
    return [{"type": "header", "text": {"type": "plain_text", "text": card["title"][:150]}},
            *({"type": "section", "fields": fields[i:i + 10]} for i in range(0, len(fields), 10))]


def reply_blocks(reply: Reply) -> list[dict]:
    if not reply.card:
        return [_section(reply.text)]
    head = reply.text.removesuffix(card_text(reply.card)).rstrip()
    return [*([_section(head)] if head else []), *card_blocks(reply.card)]


def notice_blocks(text: str, actions: list | None, message_id: int | None = None) -> list[dict]:
    """A notice with its actions (domain.actions): about one opportunity, buttons; about several (an escalation's
    list), a menu per opportunity. The block id names the outbox row, so a click knows which message it answers."""
    blocks = [_section(text)]
    groups = by_subject(actions)
    if not groups:
        return blocks
    block_id = f"oppbot:{message_id}" if message_id else "oppbot"
    if len(groups) == 1:
        [group] = groups.values()
        last = len(group) - 1
        blocks.append({"type": "actions", "block_id": block_id, "elements": [  # a form's button: its opportunity
            {"type": "button", "text": {"type": "plain_text", "text": label}, "value": subject if form else command,
             "action_id": f"oppbot_form_{form}_{n}" if form else f"oppbot_answer_{n}",
             **({"style": "primary"} if n == 0 else {"style": "danger"} if n == last and not form and last > 1
                else {})}
            for n, (label, command, form, subject) in enumerate(group)]})
        return blocks
    blocks.append({"type": "actions", "block_id": block_id, "elements": [
        {"type": "static_select", "action_id": f"oppbot_pick_{n}",
         "placeholder": {"type": "plain_text", "text": subject[:150]},
         "options": _menu(group)} for n, (subject, group) in enumerate(list(groups.items())[:25])]})  # 25 a block
    return blocks


def _menu(actions) -> list[dict]:
    """A menu's options: `form|opportunity` opens that form about it, `|command` runs the command."""
    return [{"text": {"type": "plain_text", "text": label[:75]},
             "value": (f"{form}|{subject}" if form else f"|{command}")[:150]} for label, command, form, subject in actions]


def home_blocks(page: Home) -> list[dict]:
    """App Home: each section's lines, an opportunity's with a menu of what can be done about it (the same
    commands and forms as a reminder's buttons)."""
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": page.title[:150]}}]
    for section in page.sections:
        blocks.append(_section(f"*{section.title}*"))
        for line in section.lines:
            block = _section(line.text)
            if line.actions:
                block["accessory"] = {"type": "overflow", "action_id": f"oppbot_pick_{len(blocks)}",
                                      "options": _menu(line.actions)}
            blocks.append(block)
        blocks.append({"type": "divider"})
    return blocks[:100]  # Block Kit: 100 blocks a view


def form_view(form: str, meta: dict | None = None, *, initial: dict[str, str] | None = None) -> dict:
    """A form (handlers.forms) as a modal; `meta` rides along in private_metadata to its submission."""
    def field(f: forms.Field) -> dict:
        if f.kind == "opportunity":  # typed to search: the choices come from OPP_OPTIONS as the user types
            element = {"type": "external_select", "action_id": OPP_OPTIONS, "min_query_length": 0,
                       "placeholder": {"type": "plain_text", "text": "2026-SH-007 / 客户名"}}
        else:
            element = {"type": "plain_text_input", "action_id": "value", "multiline": f.multiline}
            if initial and initial.get(f.name):
                element["initial_value"] = initial[f.name][:3000]
        return {"type": "input", "block_id": f.name, "optional": not f.required,
                "label": {"type": "plain_text", "text": f.label}, "element": element}
    about = [{"type": "context", "elements": [{"type": "mrkdwn", "text": meta["ref"]}]}] if meta and meta.get("ref") \
        else []
    return {"type": "modal", "callback_id": f"oppbot_{form}", "private_metadata": json.dumps(meta or {}),
            "title": {"type": "plain_text", "text": forms.TITLES[form]},
            "submit": {"type": "plain_text", "text": "提交 Submit"},
            "close": {"type": "plain_text", "text": "取消 Cancel"},
            "blocks": [*about, *(field(f) for f in forms.FORMS[form])]}


def register_view() -> dict:
    """`/opp new`: the registration as a form, for those who prefer fields to free text."""
    return form_view("register")


def form_values(view: dict) -> dict[str, str]:
    """A submitted modal's answers by field."""
    def read(element: dict) -> str:
        return (element.get("selected_option") or {}).get("value") or element.get("value") or ""
    return {block: read(next(iter(answer.values()), None) or {})
            for block, answer in (view.get("state") or {}).get("values", {}).items()}


# ---- the App ---------------------------------------------------------------------------------------------------

EVENT_LOCK_WAIT = 2.0  # seconds an event waits for the database before it is given back to Slack to redeliver


class Busy(RuntimeError):
    """The database could not take the event in time: bolt answers 500 and Slack redelivers it."""


def build_app(deps: Deps, settings: SlackSettings, *, client: WebClient | None = None,
              courier: Courier | None = None) -> App:
    """Listeners run before the HTTP answer (process_before_response): the event's change, its id and its reply
    are committed first, so the 200 means "stored" and anything else makes Slack redeliver. The reply itself is an
    outbox row the courier sends on its own threads: no Slack call is made while Slack waits for our answer."""
    client = client or web_client(settings)
    courier = courier or Courier(deps)
    me = client.auth_test()  # once at start: who the bot is, so its own messages are ignored
    identity = AuthorizeResult(enterprise_id=None, team_id=me.get("team_id"), bot_token=settings.bot_token,
                               bot_user_id=me.get("user_id"), bot_id=me.get("bot_id"))
    # bolt gives each request a copy of this client carrying the token `authorize` returns
    tokenless = WebClient(base_url=client.base_url, retry_handlers=client.retry_handlers, timeout=CALL_TIMEOUT)
    app = App(client=tokenless, signing_secret=settings.signing_secret, authorize=lambda **_: identity,
              token_verification_enabled=False, process_before_response=True)
    users = {u.slack: u.id for u in deps.config.users if u.slack}

    def _shared(reply_to: dict) -> bool:
        """A channel's thread is read by its members; a DM (D…) and a slash command's ephemeral answer are not."""
        return "response_url" not in reply_to and not str(reply_to.get("channel", "D")).startswith("D")

    def run(slack_user: str, text: str, reply_to: dict, *, event_id: str | None, redelivered: bool = False,
            busy_to: dict | None = None, via=handle) -> Reply | None:
        """One message in; its reply committed to the outbox with the change and sent by the courier. An unknown
        user reaches handle as `slack:<id>`: handle answers who to ask and stores nothing. None: a redelivery
        of an event already handled. A busy database is told to the writer once (not on Slack's redeliveries)
        and raised, so Slack redelivers."""
        user = users.get(slack_user, f"slack:{slack_user}")
        with lock_wait(EVENT_LOCK_WAIT):
            reply = via(Incoming(user=user, text=text, at=deps.clock(), platform="slack", event_id=event_id,
                                 reply_to=reply_to, shared=_shared(reply_to)), deps)
        if reply is not None and reply.retry:
            if not redelivered:
                courier.tell(OutboxMessage(to=user, kind="reply", text=reply.text, route=busy_to or reply_to,
                                           parts_sent=0))
            raise Busy("the database could not take the event in time")
        if reply is not None:
            courier.wake(user)
        return reply

    def in_thread(body: dict, event: dict, text: str, request, via=handle) -> None:
        """Slack redelivers an event it thinks was missed: the event id, stored with the change, lets only the
        first copy through, and a redelivery whose original was never stored is the first."""
        run(event["user"], text, {"platform": "slack", "channel": event["channel"],
                                  "thread_ts": event.get("thread_ts") or event["ts"]},
            event_id=body.get("event_id"), redelivered=bool(request.headers.get("x-slack-retry-num")), via=via)

    @app.error
    def failed(error, body):
        if isinstance(error, Busy):
            log.warning("database busy: Slack will redeliver %s", body.get("event_id") or "the request")
        else:
            log.error("a Slack listener failed: %s", type(error).__name__, exc_info=error)

    @app.event("message")
    def direct_message(body, event, request):
        if event.get("subtype") or event.get("bot_id") or "user" not in event:
            return  # edits, joins and bots are not messages to us
        if event.get("channel_type") == "im":
            in_thread(body, event, event.get("text", ""), request)
        elif f"<@{identity.bot_user_id}>" not in event.get("text", ""):  # an @-mention is app_mention's
            # channel talk is never a command; an opportunity ID in it gets its short card in the thread
            in_thread(body, event, event.get("text", ""), request, via=glance)

    @app.event("app_mention")
    def mention(body, event, request):
        if event.get("bot_id"):
            return
        in_thread(body, event, MENTION.sub("", event.get("text", "")).strip(), request)

    @app.command("/opp")
    def slash(ack, body, client):
        """Slack does not redeliver a command: a busy database is answered in the ack itself."""
        text = (body.get("text") or "").strip()
        if text.lower() in ("", "new", "新建", "报备"):
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=register_view())
            return
        try:
            run(body["user_id"], text, {"platform": "slack", "response_url": body["response_url"]},
                event_id=f"command:{body['trigger_id']}", redelivered=True)
        except Busy:
            ack(text=say("busy", detect(text) or "zh"), response_type="ephemeral")
            return
        ack()

    def clicked_on(body: dict) -> dict:
        """Where a click was: the message (to update it once acted on) and the outbox row it was (its block id);
        a click on App Home is answered in the clicker's DM."""
        container, action = body.get("container", {}), body["actions"][0]
        if container.get("type") == "view":
            return {"platform": "slack", "channel": body["user"]["id"]}
        block = str(action.get("block_id") or "")
        notice = int(block.removeprefix("oppbot:")) if re.fullmatch(r"oppbot:\d+", block) else None
        return {"platform": "slack", "channel": container.get("channel_id"), "ts": container.get("message_ts"),
                "original": (body.get("message") or {}).get("text", "")[:2000], "clicker": body["user"]["id"],
                **({"notice": notice} if notice else {})}

    def run_click(body: dict, command: str, route: dict, event: str) -> None:
        # the clicker's role is checked now, by the command itself; a settled request loses its buttons (handle
        # marks the route `decided`), an unsettled answer is for the clicker's eyes only
        clicker = body["user"]["id"]
        run(clicker, command, route, event_id=event,
            busy_to={"platform": "slack", "channel": route["channel"], "user": clicker})

    def open_form(body: dict, form: str, ref: str, route: dict, client) -> None:
        """A reminder's 记录跟进 / 暂停: the form, unless someone already acted on the reminder."""
        slack_user = body["user"]["id"]
        done = route.get("notice") and already_handled(deps, message_id=route["notice"],
                                                       user=users.get(slack_user, f"slack:{slack_user}"))
        if done:
            client.chat_postEphemeral(channel=route["channel"], user=slack_user, text=done)
            return
        client.views_open(trigger_id=body["trigger_id"], view=form_view(form, {**route, "ref": ref}))

    @app.action(ANSWER_ACTION)
    def clicked(ack, body, action):
        ack()
        run_click(body, action["value"], clicked_on(body),
                  f"action:{body.get('trigger_id') or action.get('action_ts')}")

    @app.action(FORM_ACTION)
    def form_clicked(ack, body, action, client):
        ack()
        open_form(body, FORM_ACTION.match(action["action_id"]).group(1), action["value"], clicked_on(body), client)

    @app.action(PICK_ACTION)
    def picked(ack, body, action, client):
        """An escalation line's menu: the chosen option is a form to open or a command to run."""
        ack()
        form, what = action["selected_option"]["value"].split("|", 1)
        route = clicked_on(body)
        if form:
            open_form(body, form, what, route, client)
        else:
            run_click(body, what, route, f"action:{body.get('trigger_id') or action.get('action_ts')}")

    @app.shortcut(LOG_SHORTCUT)
    def log_message(ack, body, client):
        """记录为跟进 on any message: pick one of your opportunities; the message becomes the follow-up."""
        ack()
        slack_user = body["user"]["id"]
        client.views_open(trigger_id=body["trigger_id"], view=form_view(
            "log_message", {"platform": "slack", "channel": slack_user},
            initial={"content": (body.get("message") or {}).get("text", "")}))

    @app.options(OPP_OPTIONS)
    def opportunity_choices(ack, body):
        user = users.get(body["user"]["id"])
        with deps.sessions() as s:
            found = repo.own_open_matching(s, user, body.get("value") or "") if user else []
        ack(options=[{"text": {"type": "plain_text", "text": f"{i} {name}"[:75]}, "value": i} for i, name in found])

    @app.event("file_shared")
    def file_shared(body, event):
        """A spreadsheet sent to the bot: fetched and previewed on the courier's threads (Slack is answered at
        once, and the file is not fetched while Slack waits); the preview is the reply, 确认导入 applies it."""
        slack_user, file_id = event.get("user_id"), event.get("file_id")
        if not slack_user or not file_id or slack_user == identity.bot_user_id:
            return
        channel = event.get("channel_id") or slack_user

        def fetch_and_preview() -> None:
            try:
                info = client.files_info(file=file_id)["file"]
                name = info.get("name") or "file"
                if not name.lower().endswith((".xlsx", ".xlsm", ".csv")):
                    return  # a picture or a PDF sent to the bot is not an import
                content = _download(info["url_private_download"], settings.bot_token)
                run(slack_user, name, {"platform": "slack", "channel": channel}, event_id=body.get("event_id"),
                    via=lambda incoming, deps_: import_file(incoming, deps_, name, content))
            except Exception as exc:  # Slack would not give the file: say so, rather than nothing
                log.warning("could not take the file %s: %s", file_id, type(exc).__name__)
                courier.tell(OutboxMessage(to=users.get(slack_user, f"slack:{slack_user}"), kind="reply",
                                           text=say("import_fetch_failed", "zh"), parts_sent=0,
                                           route={"platform": "slack", "channel": channel}))
        courier.executor.submit(fetch_and_preview)

    @app.event("app_home_opened")
    def home_opened(event):
        """Drawn when opened (and again after the user's own changes): sent at once by the courier, not while
        Slack waits for this event's answer."""
        user = users.get(event.get("user"))
        if event.get("tab") == "home" and user:
            courier.tell(OutboxMessage(to=user, kind="refresh", text="", route={"platform": "slack"}, parts_sent=0))

    @app.view(FORM_VIEW)
    def submitted(ack, body, view):
        """Checked before it is taken: a field the bot cannot read is answered on that field (response_action
        errors) and nothing is stored; a valid form runs as the command it stands for."""
        form = FORM_VIEW.match(view["callback_id"]).group(1)
        slack_user = body["user"]["id"]
        meta = json.loads(view.get("private_metadata") or "{}")
        checked = forms.check(deps, users.get(slack_user, f"slack:{slack_user}"), form, form_values(view),
                              ref=meta.get("ref"))
        if checked.errors:
            ack(response_action="errors", errors=checked.errors)
            return
        ack()
        route = {k: v for k, v in meta.items() if k != "ref"} or {"platform": "slack", "channel": slack_user}
        run(slack_user, checked.command, {**route, "clicker": slack_user} if "ts" in route else route,
            event_id=f"view:{view.get('id')}:{view.get('hash')}")

    return app


# ---- outbox delivery -------------------------------------------------------------------------------------------

class SlackSender:
    """Delivers one outbox row: a reply where its route says (its thread, the command's response URL, the clicked
    request, or the clicker's eyes only); a notice to a user's DM through their `slack` identity, or to a
    `#channel` resolved to its id once; at most about one message a second per channel (Slack's chat.postMessage
    guidance). Each post carries the row's id as message metadata: a row whose sender died mid-send is looked
    for in the conversation before it is posted again."""

    platform = "slack"

    def __init__(self, client: WebClient, deps: Deps, *, per_channel_seconds: float = 1.0):
        self.client, self.deps, self.gap = client, deps, per_channel_seconds
        self._channels: dict[str, str] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def reaches(self, to: str) -> bool:
        """A `#channel` (resolved when sent) or a user with a slack id."""
        user = self.deps.config.user(to)
        return to.startswith("#") or to.startswith("slack:") or bool(user and user.slack)

    def channel_of(self, to: str) -> str:
        if to.startswith("slack:"):
            return to.removeprefix("slack:")
        if not to.startswith("#"):
            user = self.deps.config.user(to)
            if not (user and user.slack):
                raise LookupError(f"{to} has no slack identity in the config")
            return user.slack  # posting to a user id lands in the app's DM with them
        with self._lock:
            if to not in self._channels:
                self._channels.update(self._list_channels())
            if to not in self._channels:
                raise LookupError(f"no Slack channel named {to} (is the app invited?)")
            return self._channels[to]

    def _list_channels(self) -> dict[str, str]:
        found, cursor = {}, None
        while True:
            page = self.client.conversations_list(types="public_channel,private_channel", limit=1000,
                                                  exclude_archived=True, cursor=cursor)
            found.update({f"#{c['name']}": c["id"] for c in page["channels"]})
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return found

    def _pace(self, channel: str) -> None:
        wait = self._last.get(channel, 0.0) + self.gap - time.monotonic()
        if wait > 0:
            threading.Event().wait(wait)
        self._last[channel] = time.monotonic()

    def __call__(self, row) -> None:
        if row.kind == "refresh":
            return self._publish_home(row.to)
        if row.to.startswith(rooms.PREFIX):
            return self._to_room(row)
        route = row.route or {}
        blocks = reply_blocks(Reply(row.text, card=row.card)) if row.card else notice_blocks(row.text, row.actions,
                                                                                              row.id)
        if "response_url" in route:
            return self._respond(route["response_url"], row.text, blocks)
        if "ts" in route:
            return self._answer_click(route, row.text, blocks)
        if "user" in route:
            self.client.chat_postEphemeral(channel=route["channel"], user=route["user"], text=row.text)
            return
        channel = route.get("channel") or self.channel_of(row.to)
        if row.to.startswith("#"):
            self._pace(channel)
        if row.parts_sent < 1:
            if not (getattr(row, "uncertain", False) and self._posted(channel, route.get("thread_ts"), row.id)):
                self.client.chat_postMessage(channel=channel, thread_ts=route.get("thread_ts"), text=row.text,
                                             blocks=blocks, metadata={"event_type": METADATA_EVENT,
                                                                      "event_payload": {"outbox_id": row.id}})
            if row.image or row.file_data:
                outbox.part_sent(self.deps.sessions, row, 1)
        if row.image:  # the digest's funnel chart: uploaded into the same channel
            png = b64decode(row.image.split(",", 1)[1])
            self.client.files_upload_v2(channel=channel, content=png, filename="funnel.png", title="漏斗 Funnel")
        if row.file_data:  # an exported sheet, beside its answer
            self.client.files_upload_v2(channel=channel, content=b64decode(row.file_data.split(",", 1)[1]),
                                        filename=row.file_name, title=row.file_name)

    def _to_room(self, row) -> None:
        """A deal room is a private channel named by the opportunity's ID, made (and its people invited) by the
        row that asks for it, and remembered before anything is posted there."""
        opp_id = row.to.removeprefix(rooms.PREFIX)
        channel = rooms.room_of(self.deps.sessions, opp_id, self.platform)
        if channel is None:
            if row.kind != "room_open":
                raise LookupError(f"the deal room of {opp_id} is not made yet")
            channel = self._open_room(opp_id, row.route or {})
        self.client.chat_postMessage(channel=channel, text=row.text)

    def _open_room(self, opp_id: str, route: dict) -> str:
        name = "opp-" + re.sub(r"[^a-z0-9-]", "", opp_id.lower())
        try:
            channel = self.client.conversations_create(name=name, is_private=True)["channel"]["id"]
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken":
                raise
            channel = self._private_channel(name)  # made by an earlier try that died before remembering it
        people = [u.slack for p in route.get("members", []) if (u := self.deps.config.user(p)) and u.slack]
        if people:
            try:
                self.client.conversations_invite(channel=channel, users=",".join(people))
            except SlackApiError as exc:
                if exc.response.get("error") != "already_in_channel":
                    raise
        rooms.remember(self.deps.sessions, opp_id, self.platform, channel, now=self.deps.clock())
        return channel

    def _private_channel(self, name: str) -> str:
        cursor = None
        while True:
            page = self.client.conversations_list(types="private_channel", limit=1000, cursor=cursor)
            found = next((c["id"] for c in page["channels"] if c["name"] == name), None)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if found or not cursor:
                if not found:
                    raise LookupError(f"Slack says {name} is taken, but the bot cannot see it")
                return found

    def _publish_home(self, to: str) -> None:
        """The user's App Home as it is now (views.publish replaces the whole view)."""
        config = self.deps.config
        with self.deps.sessions() as s:
            user = s.get(m.User, to)
            if user is None:
                return
            today = self.deps.clock().astimezone(config.timezone_of(config.team_of(to))).date()
            page = home(s, user, today=today, lang=user.lang or "zh")
        self.client.views_publish(user_id=self.channel_of(to), view={"type": "home", "blocks": home_blocks(page)})

    def _posted(self, channel: str, thread_ts: str | None, outbox_id: int | None) -> bool:
        """Whether a post of this row is already in the conversation (its metadata names the row)."""
        try:
            if channel.startswith("U"):  # posted to a user id: the history is the DM's
                channel = self.client.conversations_open(users=channel)["channel"]["id"]
            found = (self.client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True)
                     if thread_ts else
                     self.client.conversations_history(channel=channel, limit=100, include_all_metadata=True))
        except Exception as exc:  # no history scope, or Slack down: better twice than never
            log.warning("could not look for an earlier post (%s): sending again", type(exc).__name__)
            return False
        return any(((m.get("metadata") or {}).get("event_payload") or {}).get("outbox_id") == outbox_id
                   for m in found.get("messages") or [])

    def _respond(self, url: str, text: str, blocks: list[dict]) -> None:
        answer = WebhookClient(url, timeout=CALL_TIMEOUT, retry_handlers=self.client.retry_handlers).send(
            text=text, blocks=blocks, response_type="ephemeral")
        if answer.status_code != 200:
            raise RuntimeError(f"response_url answered {answer.status_code}")

    def _answer_click(self, route: dict, text: str, blocks: list[dict]) -> None:
        """The message the click settled loses its buttons and shows who did what; otherwise (a refusal, a
        question, a card to look at), and for the whole of a long answer, the clicker alone sees it."""
        first = text.split("\n", 1)[0]
        if route.get("decided"):
            original = route.get("original", "")
            self.client.chat_update(channel=route["channel"], ts=route["ts"], text=f"{original}\n{first}",
                                    blocks=[_section(original), {"type": "context", "elements": [
                                        {"type": "mrkdwn", "text": f"<@{route['clicker']}>: {first}"[:3000]}]}])
            if first == text:
                return
        self.client.chat_postEphemeral(channel=route["channel"], user=route["clicker"], text=text, blocks=blocks)


METADATA_EVENT = "oppbot_outbox"


def socket_mode(app: App, settings: SlackSettings):
    """Socket Mode for teams without a public URL: the same App over Slack's websocket."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    return SocketModeHandler(app, app_token=settings.app_token, web_client=app.client)
