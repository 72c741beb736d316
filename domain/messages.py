"""The shapes that cross packages: a message in, a reply out, a notice for someone else, and Deps."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class Incoming:
    """A message typed to the bot, already mapped to a config user by the front end."""

    user: str
    text: str
    at: datetime
    channel: str | None = None  # None: a direct message
    shared: bool | None = None  # seen by others (a group channel); None: shared exactly when `channel` is set
    platform: str = "console"
    event_id: str | None = None  # the platform's id for it: recorded with the change, so a redelivery is dropped
    reply_to: dict | None = None  # where the reply goes on the platform: set, the reply is an outbox row (issue 14)


@dataclass(frozen=True)
class Reply:
    """What the bot answers to the person who wrote; front ends render `text` or `card`."""

    text: str
    lang: str = "zh"
    card: dict[str, Any] | None = None
    decided: bool = False  # a request or reminder was settled by this message (front ends close its buttons)
    retry: bool = False  # the database was locked or down: nothing was stored, the platform should redeliver
    image: str | None = None  # a chart (PNG data URI) to attach where the platform shows pictures
    click: dict | None = None  # the button click it answers, when that was an earlier message (a WeCom card)
    file: tuple[str, bytes] | None = None  # (name, content): a spreadsheet attached to the answer (导出)


@dataclass(frozen=True)
class Notice:
    """A message to someone other than the writer; it always goes through the outbox."""

    to: str  # a user id, or "#channel" for a group chat
    text: str
    kind: str
    key: str | None = None  # unique per (job, subject, due date): a second enqueue adds nothing
    image: str | None = None
    actions: tuple[tuple, ...] = ()  # domain.actions: (label, command run as the clicker, form, subject) buttons
    route: dict | None = None  # a reply: the thread, response URL or card it answers (front ends read it)
    card: dict | None = None  # a reply's opportunity card
    file_name: str | None = None  # an attached file (导出): its name, and its content as a data URI
    file_data: str | None = None


@dataclass(frozen=True)
class ExternalContact:
    """A WeCom external contact (客户联系) as one member follows it: who, and the company it says it is from."""

    follower: str  # the member's WeCom userid
    external_id: str  # external_userid: the same person across every member who added them
    name: str
    corp_name: str | None = None


@dataclass
class Deps:
    """Capabilities built once at start and passed in (no globals)."""

    sessions: Any  # sqlalchemy.orm.sessionmaker
    config: Any  # domain.config.Config
    clock: Callable[[], datetime]
    send: Callable[[Any], None] = field(default=lambda message: None)  # delivers one outbox row
    public_url: str = "http://127.0.0.1:8080"  # where `oppbot serve` is reached from a browser (dashboard links)
    # WeCom 客户联系, when configured: the external contacts of these members (bot.wecom reads them)
    external_contacts: Callable[[list[str]], list[ExternalContact]] | None = None
