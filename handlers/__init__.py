"""What a message means and what the bot does about it: `handle(incoming, deps) -> Reply`."""
from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from domain.messages import MAX_MESSAGE_CHARS, Deps, Incoming, Reply
from handlers import dialog
from handlers.commands import VERBS, Context
from handlers.lang import detect
from handlers.parsing import parse
from handlers.render import say
from storage import lifecycle
from storage import models as m

log = logging.getLogger("oppbot.handlers")


def handle(incoming: Incoming, deps: Deps) -> Reply:
    """Check, parse, then run the command in ONE transaction with every notice it enqueues."""
    text = incoming.text or ""
    written = detect(text)
    if deps.config.user(incoming.user) is None:
        lang = written or "zh"
        return Reply(say("unknown_user", lang, user=incoming.user), lang)
    lang = written or _stored_lang(deps, incoming.user)  # digits or emoji only: the language they used last
    if not text.strip():
        return Reply(say("empty", lang), lang)
    if len(text) > MAX_MESSAGE_CHARS:
        return Reply(say("too_long", lang, n=len(text), max=MAX_MESSAGE_CHARS), lang)
    tz = deps.config.timezone_of(deps.config.team_of(incoming.user))
    today = incoming.at.astimezone(tz).date()
    intent = parse(text, today=today)
    for attempt in range(3):
        try:
            return _run(deps, incoming, intent, text=text, lang=lang, written=written, today=today)
        except (lifecycle.Taken, IntegrityError):  # another process committed the same customer first
            log.info("retrying %r after a concurrent write (attempt %d)", text[:80], attempt + 1)
        except Exception:  # the transaction rolled back; the user gets a sentence, the log the traceback
            log.exception("handling %r from %s failed", text[:200], incoming.user)
            break
    return Reply(say("error", lang), lang)


def _run(deps: Deps, incoming: Incoming, intent, *, text: str, lang: str, written: str | None, today) -> Reply:
    """ONE transaction: the command, its notices, the user's language."""
    with deps.sessions.begin() as session:
        user = session.get(m.User, incoming.user)
        if written and user.lang != lang:
            user.lang = lang  # notices to this user follow the language they write in
        ctx = Context(session=session, user=user, config=deps.config, now=incoming.at, today=today,
                      lang=lang, message=text)
        routed = dialog.route(ctx, text, intent)
        reply = routed if isinstance(routed, Reply) else VERBS[type(routed)](ctx, routed)
        return replace(reply, text="\n".join([*ctx.notes, reply.text])) if ctx.notes else reply


def _stored_lang(deps: Deps, user_id: str) -> str:
    with deps.sessions() as session:
        user = session.get(m.User, user_id)
        return user.lang if user else "zh"
