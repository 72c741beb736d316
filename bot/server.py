"""One WSGI app for every platform endpoint (POST /slack/events, GET/POST /wecom/callback) and GET /healthz, served
by waitress: threads, no async, as ARCHITECTURE asks."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import parse_qs

from flask import Flask, Response, jsonify, request

from domain.messages import Deps


# The token is in the URL: no referrer leaves with it, no cache keeps the page; the page needs nothing from outside.
PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                           "form-action 'self'; frame-ancestors 'none'"}
MAX_BODY = 512 * 1024  # Slack events and WeCom callbacks are a few KB; nothing of ours is larger (issue 14)


def make_wsgi_app(deps: Deps, *, slack_app=None, slack_secret: str | None = None, wecom=None,
                  leader=None) -> Flask:
    """`slack_secret`: the app's signing secret; `wecom`: a bot.wecom.Callback; `leader`: the scheduler's lock."""
    web = Flask("oppbot")
    web.config["MAX_CONTENT_LENGTH"] = MAX_BODY  # a longer Content-Length is a 413 before the body is read

    @web.get("/healthz")
    def healthz():
        """Up and able to reach its database, whether it leads the scheduler, and how far the outbox is behind:
        what a load balancer or an operator should ask. A plain read on a raw connection: never a write lock
        (issue 14: SQLite's BEGIN IMMEDIATE once made the probe wait 30 s behind a writer)."""
        try:
            depth, oldest = _outbox_backlog(deps.sessions.kw["bind"])
        except Exception as exc:  # the probe reports, it does not crash
            return jsonify(status="error", database=type(exc).__name__), 503
        age = round((deps.clock() - oldest).total_seconds()) if oldest else 0
        return jsonify(status="ok", slack=slack_app is not None, wecom=wecom is not None,
                       leader=bool(leader and leader.held), outbox_unsent=depth, outbox_oldest_seconds=age)

    @web.get("/dashboard")
    def dashboard():
        """数据看板 from a signed chat link (?t=…): the asker's own scope, 15 minutes. Anything else is a plain 403."""
        status, body = dashboard_page(deps, request.args)
        return Response(body, status=status, mimetype="text/html", headers=PAGE_HEADERS)

    if slack_app is not None:
        from slack_bolt.adapter.flask import SlackRequestHandler
        from slack_sdk.signature import SignatureVerifier
        slack = SlackRequestHandler(slack_app)
        verifier = SignatureVerifier(slack_secret or "")

        @web.post("/slack/events")
        def slack_events():
            """Events, slash commands and interactivity share this URL. The signature is checked on the raw bytes
            before anything is parsed; a signed body that is not what Slack sends is a plain 400 (issue 14)."""
            body = request.get_data()
            if not verifier.is_valid_request(body, dict(request.headers)):
                return Response("invalid request", status=401, mimetype="text/plain")
            if not _readable_slack_body(body, request.content_type or ""):
                return Response("bad request", status=400, mimetype="text/plain")
            return slack.handle(request)

    if wecom is not None:
        @web.route("/wecom/callback", methods=["GET", "POST"])
        def wecom_callback():
            """URL verification (GET) and encrypted messages (POST); the callback checks and decrypts."""
            status, body = wecom.answer(request.method, request.args, request.get_data())
            return Response(body, status=status, mimetype="text/plain")

    return web


def dashboard_page(deps: Deps, args) -> tuple[int, str]:
    """(status, HTML): the page for a good link, filtered by the form's fields; 403 for a link altered, expired,
    or made for someone no longer in the config. A period or cut that is not one is dropped, not an error."""
    from domain.wording import say
    from storage import links
    from storage import models as m
    from storage.reports import Filters, resolve
    from storage.reports.dashboard import page
    now, token = deps.clock(), args.get("t", "")
    tz = deps.config.timezone_of(None)
    with deps.sessions.begin() as session:  # short: the link key may be made on first use
        link = links.verify(session, token, now=now) if token else None
        viewer = session.get(m.User, link[0]) if link else None
        if viewer is None or not viewer.active:
            return 403, FORBIDDEN.format(zh=say("d_forbidden", "zh"), en=say("d_forbidden", "en"))
    today = now.astimezone(tz).date()
    try:
        period = resolve(args.get("period") or "month", today)
    except ValueError:
        period = resolve("month", today)
    team = args.get("team") or None
    filters = Filters(team=team if team in {t.name for t in deps.config.teams} else None,
                      industry=(args.get("industry") or "").strip()[:100] or None, source=args.get("source") or None)
    # the page reads on connections of its own and holds no lock meanwhile (storage.db.reading)
    return 200, page(deps.sessions, viewer=viewer, config=deps.config, now=now, until=link[1], tz=tz,
                     period=period, filters=filters, token=token)

FORBIDDEN = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>403</title></head>"
             "<body><h1>403</h1><p>{zh}</p><p>{en}</p></body></html>")


def _outbox_backlog(engine) -> tuple[int, datetime | None]:
    """(unsent messages, when the oldest was written), read through the DBAPI connection, outside any transaction
    SQLAlchemy would begin."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
        depth, oldest = cur.fetchone()
        cur.close()
        raw.rollback()
    finally:
        raw.close()
    if isinstance(oldest, str):  # SQLite keeps the naive UTC text
        oldest = datetime.fromisoformat(oldest)
    return depth, oldest.replace(tzinfo=timezone.utc) if oldest else None


def _readable_slack_body(body: bytes, content_type: str) -> bool:
    """JSON (events) or a form (slash commands; interactivity's `payload` is JSON inside it), as Slack sends."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, strict_parsing=bool(text))
        return "payload" not in form or isinstance(json.loads(form["payload"][0]), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def http_server(app: Flask, *, host: str, port: int):
    """A waitress server bound now (port 0 picks a free one: `server.effective_port`); `run()` serves."""
    from waitress import create_server
    return create_server(app, host=host, port=port, threads=8, ident="oppbot", max_request_body_size=MAX_BODY,
                         asyncore_use_poll=True)  # poll: closing from another thread is not an EBADF in select
