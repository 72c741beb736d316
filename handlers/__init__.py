"""What a message means and what the bot does about it: `handle(incoming, deps) -> Reply`."""
from __future__ import annotations

import base64
import logging
import time
from dataclasses import replace

from sqlalchemy.exc import IntegrityError, OperationalError

from domain.messages import MAX_MESSAGE_CHARS, Deps, Incoming, Notice, Reply
from handlers import dialog, importing
from handlers import channel_cards
from handlers import intents as i
from handlers.commands import VERBS, Context
from handlers.lang import detect
from handlers.parsing import parse
from handlers.render import say
from storage import lifecycle, outbox, repo, sheets
from storage import models as m

log = logging.getLogger("oppbot.handlers")
ALL_VERBS = {**VERBS, i.ConfirmImport: importing.confirm}  # importing builds on commands, so it joins here


def handle(incoming: Incoming, deps: Deps) -> Reply | None:
    """Check, parse, then run the command in ONE transaction with every notice it enqueues; with a platform event,
    its id and the reply (an outbox row) are written in that same transaction (issue 14): a crash before the
    commit leaves the platform's redelivery free to redo everything, a crash after it leaves a reply to send.
    None: the event was handled before (a redelivery). A locked or unreachable database is a `retry` reply."""
    text = incoming.text or ""
    written = detect(text)
    lang = written or "zh"
    try:
        if deps.config.user(incoming.user) is None:
            return _transaction(deps, incoming, lambda _: Reply(say("unknown_user", lang, user=incoming.user), lang))
        lang = written or _stored_lang(deps, incoming.user)  # digits or emoji only: the language they used last
        early = (say("empty", lang) if not text.strip() else
                 say("too_long", lang, n=len(text), max=MAX_MESSAGE_CHARS) if len(text) > MAX_MESSAGE_CHARS else None)
        if early:
            return _transaction(deps, incoming, lambda _: Reply(early, lang))
        tz = deps.config.timezone_of(deps.config.team_of(incoming.user))
        today = incoming.at.astimezone(tz).date()
        intent = parse(text, today=today)  # before the transaction: no lock is held while parsing
        for attempt in range(3):
            try:
                started = time.perf_counter()
                reply = _transaction(deps, incoming, lambda session: _run(
                    session, deps, incoming, intent, text=text, lang=lang, written=written, today=today))
                log.info("handled", extra={"user": incoming.user, "platform": incoming.platform,
                                           "event_id": incoming.event_id, "intent": type(intent).__name__,
                                           "redelivered": reply is None,
                                           "ms": round((time.perf_counter() - started) * 1000, 1)})
                return reply
            except (lifecycle.Taken, IntegrityError):  # another process committed the same customer first
                log.info("retrying after a concurrent write (attempt %d)", attempt + 1)
            except OperationalError:
                raise
            except Exception:  # the transaction rolled back; the user gets a sentence, the log the traceback
                log.exception("handling a message from %s failed", incoming.user)
                break
        return _transaction(deps, incoming, lambda _: Reply(say("error", lang), lang))
    except OperationalError as exc:
        return _busy(incoming, lang, exc)


def glance(incoming: Incoming, deps: Deps) -> Reply | None:
    """Channel talk that names an opportunity ID: its short card in the thread (handlers.channel_cards), recorded
    with the event like any reply. None: no ID the bot knows, from someone it knows — the message is left alone."""
    ids = channel_cards.mentioned(incoming.text)
    if not ids or deps.config.user(incoming.user) is None:
        return None
    lang = detect(incoming.text) or "zh"
    try:
        with deps.sessions() as session:
            if channel_cards.cards(session, deps.config, ids, lang) is None:
                return None
        return _transaction(deps, incoming, lambda session: Reply(channel_cards.cards(session, deps.config, ids, lang)
                                                                  or "", lang))
    except OperationalError as exc:
        return _busy(incoming, lang, exc)


def import_file(incoming: Incoming, deps: Deps, name: str, content: bytes) -> Reply | None:
    """A spreadsheet sent to the bot: its dry-run report as the answer, and the file kept for 确认导入. Only
    managers, directors and admins; the preview runs (and rolls back) before this message's own transaction."""
    lang = _stored_lang(deps, incoming.user) if deps.config.user(incoming.user) else "zh"
    user = deps.config.user(incoming.user)
    try:
        if user is None:
            return _transaction(deps, incoming, lambda _: Reply(say("unknown_user", lang, user=incoming.user), lang))
        if user.role not in importing.IMPORTERS:
            return _transaction(deps, incoming, lambda _: Reply(say("import_not_allowed", lang), lang))
        try:
            table = sheets.read(name, content)
            report = importing.run(deps, name, table, importer=user.id, dry_run=True)
        except (sheets.SheetError, ValueError) as exc:
            why = str(exc)
            return _transaction(deps, incoming, lambda _: Reply(say("import_unreadable", lang, file=name, why=why),
                                                                lang))

        def answer(session) -> Reply:
            text = importing.report_text(report, lang, deps.config)
            if report.count("imported", "possible"):
                ctx = Context(session=session, user=session.get(m.User, user.id), config=deps.config,
                              now=incoming.at, today=incoming.at.date(), lang=lang, message=name)
                dialog.wait_for_import(ctx, name, base64.b64encode(content).decode())
                text += "\n" + say("import_confirm_ask", lang)
            return Reply(text, lang)
        return _transaction(deps, incoming, answer)
    except OperationalError as exc:
        return _busy(incoming, lang, exc)


def answer_unread(incoming: Incoming, deps: Deps, text: str) -> Reply | None:
    """A fixed answer to what the bot cannot read (a WeCom picture or voice message), recorded with the event and
    queued like any reply."""
    try:
        return _transaction(deps, incoming, lambda _: Reply(text, "zh"))
    except OperationalError as exc:
        return _busy(incoming, "zh", exc)


def _busy(incoming: Incoming, lang: str, exc: OperationalError) -> Reply:
    """Locked past the wait, or down: nothing stored, and the platform should redeliver the event."""
    log.warning("database unavailable for a message from %s: %s", incoming.user, str(exc).splitlines()[0])
    return Reply(say("busy", lang), lang, retry=True)


def _transaction(deps: Deps, incoming: Incoming, answer) -> Reply | None:
    """The event's id, the answer and, for a platform, the reply in the outbox: one commit or none."""
    with deps.sessions.begin() as session:
        if incoming.event_id and not repo.first_delivery(session, platform=incoming.platform,
                                                         event_id=incoming.event_id, at=incoming.at):
            return None
        reply = answer(session)
        if incoming.reply_to is not None:
            # a reply that settled a request says so: the front end then closes its buttons
            route = {**incoming.reply_to, **(reply.click or {}), **({"decided": True} if reply.decided else {})}
            outbox.enqueue(session, Notice(
                to=incoming.user, kind="reply", text=reply.text, route=route, card=reply.card, image=reply.image,
                file_name=reply.file and reply.file[0],
                file_data=reply.file and "data:application/octet-stream;base64," + base64.b64encode(
                    reply.file[1]).decode(),
                key=f"reply:{incoming.platform}:{incoming.event_id}" if incoming.event_id else None),
                now=incoming.at)
            if lifecycle.changed(session) and deps.config.user(incoming.user):  # their page shows it (App Home)
                outbox.enqueue(session, Notice(to=incoming.user, kind="refresh", text="",
                                               route={"platform": incoming.platform}), now=incoming.at)
        return reply


def _run(session, deps: Deps, incoming: Incoming, intent, *, text: str, lang: str, written: str | None,
         today) -> Reply:
    """The command and its notices, the user's language, in the caller's transaction."""
    user = session.get(m.User, incoming.user)
    if written and user.lang != lang:
        user.lang = lang  # notices to this user follow the language they write in
    route = incoming.reply_to or {}
    ctx = Context(session=session, user=user, config=deps.config, now=incoming.at, today=today,
                  lang=lang, message=text, public_url=deps.public_url, click=route if route.get("notice") else None,
                  in_group=incoming.shared if incoming.shared is not None else incoming.channel is not None)
    if ctx.click and (done := _handled(session, deps, ctx.click["notice"], user.id, lang)):
        return Reply(done, lang)  # a second click, a stale view
    routed = dialog.route(ctx, text, intent)
    reply = routed if isinstance(routed, Reply) else ALL_VERBS[type(routed)](ctx, routed)
    if ctx.click and reply.decided:
        outbox.mark_handled(session, ctx.click["notice"], by=user.id, at=incoming.at,
                            note=reply.text.splitlines()[0])
        if ctx.click.get("later"):
            reply = replace(reply, click=ctx.click)
    return replace(reply, text="\n".join([*ctx.notes, reply.text])) if ctx.notes else reply


def already_handled(deps: Deps, *, message_id: int, user: str) -> str | None:
    """What a click on a message someone already acted on is told (a form is then not opened again)."""
    with deps.sessions() as session:
        return _handled(session, deps, message_id, user, _stored_lang(deps, user))


def _handled(session, deps: Deps, message_id: int, user_id: str, lang: str) -> str | None:
    done = outbox.handled(session, message_id)
    if done is None:
        return None
    tz = deps.config.timezone_of(deps.config.team_of(user_id))
    return say("already_handled", lang, who=deps.config.name_of(done.handled_by), note=done.handled_note,
               at=done.handled_at.astimezone(tz).strftime("%m-%d %H:%M"))


def _stored_lang(deps: Deps, user_id: str) -> str:
    with deps.sessions() as session:
        user = session.get(m.User, user_id)
        return user.lang if user else "zh"
