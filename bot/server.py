"""One WSGI app for every platform endpoint (POST /slack/events, GET/POST /wecom/callback) and GET /healthz, served
by waitress: threads, no async, as ARCHITECTURE asks."""
from __future__ import annotations

from flask import Flask, Response, jsonify, request
from sqlalchemy import text

from domain.messages import Deps


def make_wsgi_app(deps: Deps, *, slack_app=None, wecom=None) -> Flask:
    """`wecom`: a bot.wecom.Callback."""
    web = Flask("oppbot")

    @web.get("/healthz")
    def healthz():
        """Up and able to reach its database: what a load balancer should ask."""
        try:
            with deps.sessions() as s:
                s.execute(text("SELECT 1"))
        except Exception as exc:  # the probe reports, it does not crash
            return jsonify(status="error", database=type(exc).__name__), 503
        return jsonify(status="ok", slack=slack_app is not None, wecom=wecom is not None)

    if slack_app is not None:
        from slack_bolt.adapter.flask import SlackRequestHandler
        slack = SlackRequestHandler(slack_app)

        @web.post("/slack/events")
        def slack_events():
            """Events, slash commands and interactivity share this URL; bolt checks the signature."""
            return slack.handle(request)

    if wecom is not None:
        @web.route("/wecom/callback", methods=["GET", "POST"])
        def wecom_callback():
            """URL verification (GET) and encrypted messages (POST); the callback checks and decrypts."""
            status, body = wecom.answer(request.method, request.args, request.get_data())
            return Response(body, status=status, mimetype="text/plain")

    return web


def http_server(app: Flask, *, host: str, port: int):
    """A waitress server bound now (port 0 picks a free one: `server.effective_port`); `run()` serves."""
    from waitress import create_server
    return create_server(app, host=host, port=port, threads=8, ident="oppbot",
                         asyncore_use_poll=True)  # poll: closing from another thread is not an EBADF in select
