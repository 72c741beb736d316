"""`oppbot` commands: chat, replay, serve, export, report (each takes --config), and the operator's backup, restore, db and
doctor (bot/ops.py). OPPBOT_DATABASE_URL picks the DB."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from domain.config import ConfigError
from domain.redact import redact
from storage.export import export
from storage.reports import METRICS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oppbot", description="B2B sales opportunities in chat.")
    sub = p.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="org TOML file (default: the built-in demo org)")
    chat = sub.add_parser("chat", parents=[common], help="talk to the bot in this terminal")
    chat.add_argument("--as", dest="user", default="alice", help="config user id to chat as (default alice)")
    replay = sub.add_parser("replay", parents=[common], help="run a JSON-lines conversation script")
    replay.add_argument("script", help="script file, or - for standard input")
    exp = sub.add_parser("export", parents=[common], help="print every opportunity (JSON), or write a sheet")
    exp.add_argument("--format", choices=["json", "csv", "xlsx"], default="json",
                     help="json (SPEC's export); csv / xlsx: the columns `oppbot import` reads back")
    exp.add_argument("--out", metavar="FILE", help="write the sheet here (default: standard output)")
    exp.add_argument("--lang", choices=["zh", "en"], default="zh", help="the sheet's headers and names")
    exp.add_argument("--as", dest="viewer", metavar="USER", help="only what USER may see (default: everyone)")
    imp = sub.add_parser("import", parents=[common], help="bring opportunities in from an .xlsx or .csv sheet")
    imp.add_argument("file", help=".xlsx, or .csv in UTF-8 (with or without BOM) or GBK / GB18030")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    imp.add_argument("--sheet", metavar="NAME", help="the workbook's sheet (default: the first)")
    imp.add_argument("--map", metavar="列名=field,…", help="override the guessed headers, e.g. 单位=customer,金额=budget")
    imp.add_argument("--owner-column", metavar="列名", help="the column naming each row's owner (id, name or e-mail)")
    imp.add_argument("--skip-bad", action="store_true",
                     help="import the good rows even if some have errors (default: any error imports nothing)")
    imp.add_argument("--as", dest="importer", metavar="USER",
                     help="who imports (the audit's who; the owner of rows without one, if a rep)")
    imp.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the report")
    serve = sub.add_parser("serve", parents=[common], help="run the scheduler and outbox sender")
    serve.add_argument("--every", type=int, default=60, help="seconds between scheduler passes (default 60)")
    serve.add_argument("--print", dest="print_", action="store_true",
                       help="deliver messages as JSON lines on standard output (no chat platform)")
    serve.add_argument("--start-at", type=_instant, metavar="ISO-TIME",
                       help="run as if the clock read this at start, e.g. 2026-11-09T09:30:00+08:00 (a rehearsal)")
    serve.add_argument("--host", default="127.0.0.1", help="address the HTTP endpoints listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="serve /slack/events, /wecom/callback and /healthz over HTTP on this port")
    serve.add_argument("--socket-mode", action="store_true",
                       help="take Slack events over Socket Mode (SLACK_APP_TOKEN) instead of a public URL")
    serve.add_argument("--log-format", choices=["text", "json"], default=os.environ.get("OPPBOT_LOG_FORMAT", "text"),
                       help="json: one JSON object a line, for a log collector (default text; OPPBOT_LOG_FORMAT)")
    rep = sub.add_parser("report", parents=[common], help="one metric, as the chat would answer it (or JSON / CSV)")
    rep.add_argument("metric", choices=sorted(METRICS), metavar="METRIC", help=", ".join(sorted(METRICS)))
    rep.add_argument("--period", help="month, last_month, quarter, last_quarter, year, week, all, 2026, 2026-Q3, "
                                      "2026-11, or as typed in chat (上季度); default: the metric's own")
    for cut in ("team", "industry", "source", "owner"):
        rep.add_argument(f"--{cut}", help=f"only this {cut}")
    rep.add_argument("--as", dest="viewer", metavar="USER", help="scope it to what USER may see (default: everyone)")
    rep.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD", help="as of this day (default today)")
    rep.add_argument("--format", choices=["text", "json", "csv"], default="text")
    rep.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the text format")
    _ops_parsers(sub, common)
    return p


def _ops_parsers(sub, common) -> None:
    """The operator's commands; none of them migrates the database unasked (chat, replay, serve, export do)."""
    backup = sub.add_parser("backup", help="copy the SQLite database into FILE, safe while the bot runs")
    backup.add_argument("file", metavar="FILE")
    restore = sub.add_parser("restore", help="replace the SQLite database by the backup FILE, then migrate it")
    restore.add_argument("file", metavar="FILE")
    dbp = sub.add_parser("db", help="schema migrations (Alembic)")
    steps = dbp.add_subparsers(dest="db_command", required=True)
    up = steps.add_parser("upgrade", help="migrate to REV (default head)")
    up.add_argument("revision", nargs="?", default="head", metavar="REV")
    down = steps.add_parser("downgrade", help="migrate back to REV: -1, a revision id like 0005, or base")
    down.add_argument("revision", metavar="REV")
    steps.add_parser("current", help="print the database's schema revision")
    doctor = sub.add_parser("doctor", parents=[common], help="check config, database, Slack and WeCom settings")
    doctor.add_argument("--online", action="store_true", help="also ask Slack whether the token works (auth.test)")


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {text!r}") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the UTC offset too, e.g. {text}+08:00")
    return at


class RedactingFilter(logging.Filter):
    """Every log line, tracebacks included, without tokens or secrets (issue 14)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def _fail(message: str) -> int:
    print(f"oppbot: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `oppbot export | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


def _main(argv: list[str] | None) -> int:
    from bot import wiring
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    if args.command in ("backup", "restore", "db", "doctor"):
        return _ops(args)
    try:
        config = wiring.load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    if args.command == "report" and args.viewer and config.user(args.viewer) is None:
        return _fail(f"no user {args.viewer!r} in the config (users: {', '.join(u.id for u in config.users)})")
    if args.command == "chat" and config.user(args.user) is None:
        return _fail(f"no user {args.user!r} in the config (users: {', '.join(u.id for u in config.users)})")
    try:
        if args.command == "replay":
            return _replay(args, config)
        clock = wiring.clock_starting_at(args.start_at) if getattr(args, "start_at", None) else wiring.system_clock
        deps = wiring.build(config, clock=clock)
    except SQLAlchemyError as exc:
        return _fail(f"database unavailable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    if args.command == "chat":
        from bot.console import chat
        return chat(deps, args.user, inp=sys.stdin, out=sys.stdout)
    if args.command == "export":
        if args.format != "json":
            return _export_sheet(deps, args)
        with deps.sessions() as session:
            data = export(session, tz=config.timezone_of(None))
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if args.command == "import":
        return _import(deps, args)
    if args.command == "report":
        return _report(deps, args)
    return _serve(deps, args)


def _report(deps, args) -> int:
    """The chat's metric, from the shell: what a director sees unless --as names someone."""
    from types import SimpleNamespace

    from handlers.parsing.report_terms import period_key
    from storage import db
    from storage import models as m
    from storage import reports
    from storage.reports.formats import csv_text, plain
    tz = deps.config.timezone_of(None)
    today = args.today or deps.clock().astimezone(tz).date()
    period = args.period
    if period:
        try:
            reports.resolve(period, today)
        except ValueError:
            period = period_key(period, today=today)[0]
            if period is None:
                return _fail(f"not a period: {args.period!r} (try month, last_quarter, 2026, 2026-Q3, 2026-11, 上季度)")
    filters = reports.Filters(team=args.team, industry=args.industry, source=args.source, owner=args.owner)
    with db.reading(), deps.sessions() as session:  # holds no write lock while it counts
        viewer = session.get(m.User, args.viewer) if args.viewer else \
            SimpleNamespace(id="oppbot report", role="admin", team_name=None)
        if args.format == "text":
            print(reports.metric_text(session, args.metric, viewer=viewer, today=today, tz=tz, lang=args.lang,
                                      period=period, filters=filters))
            return 0
        span, figures = reports.compute(session, args.metric, viewer=viewer, today=today, tz=tz, period=period,
                                        filters=filters)
    if args.format == "csv":
        sys.stdout.write(csv_text(figures))
        return 0
    json.dump({"metric": args.metric, "as_of": today.isoformat(),
               "period": None if args.metric in reports.AS_OF_TODAY else plain(span),
               "viewer": args.viewer, "filters": plain(filters), "figures": plain(figures)},
              sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _ops(args) -> int:
    """backup, restore, db, doctor: a refusal is one line on standard error and exit 2; doctor exits 1 on a FAIL."""
    from bot import ops
    try:
        if args.command == "doctor":
            lines, failed = ops.doctor(args.config, online=args.online)
            print("\n".join(lines))
            return 1 if failed else 0
        if args.command == "backup":
            print(ops.backup(args.file))
        elif args.command == "restore":
            print(ops.restore(args.file))
        elif args.db_command == "current":
            print(ops.current())
        else:
            print(ops.migrate(args.db_command, args.revision))
    except ops.OpsError as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"database unavailable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    return 0


def _replay(args, config) -> int:
    from bot import replay, wiring
    try:
        stream = sys.stdin if args.script == "-" else open(args.script, encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot read script {args.script}: {exc.strerror}")
    clock = replay.ScriptClock()
    deps = wiring.build(config, clock=clock)
    with stream:
        try:
            return replay.run(stream, deps, clock, out=sys.stdout, err=sys.stderr)
        except UnicodeDecodeError:
            return _fail(f"script {args.script} is not UTF-8 text")


def _export_sheet(deps, args) -> int:
    from storage import sheets
    from storage.export import table
    from storage.models import User
    with deps.sessions() as session:
        viewer = session.get(User, args.viewer) if args.viewer else None
        if args.viewer and viewer is None:
            return _fail(f"no user {args.viewer!r} in the config")
        headers, rows = table(session, lang=args.lang, config=deps.config, viewer=viewer)
    data = (sheets.write_xlsx if args.format == "xlsx" else sheets.write_csv)(headers, rows)
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _import(deps, args) -> int:
    """Exit 0: imported, or a clean dry run; 1: rows with errors stopped it (or a dry run found some); 2: the file
    or a flag could not be used."""
    from tqdm import tqdm

    from handlers import importing
    from storage import sheets
    try:
        table = sheets.read(args.file, Path(args.file).read_bytes(), sheet=args.sheet)
        overrides = dict(pair.split("=", 1) for pair in args.map.split(",") if pair.strip()) if args.map else None
        report = importing.run(deps, Path(args.file).name, table, importer=args.importer, dry_run=args.dry_run,
                               skip_bad=args.skip_bad, overrides=overrides, owner_column=args.owner_column,
                               progress=lambda rows: tqdm(rows, desc="rows", unit="row", file=sys.stderr,
                                                          disable=not sys.stderr.isatty()))
    except (OSError, sheets.SheetError, ValueError) as exc:
        return _fail(f"{args.file}: {getattr(exc, 'strerror', None) or exc}")
    print(importing.report_text(report, args.lang, deps.config))
    return 1 if report.count("error") and not (report.applied and args.skip_bad) else 0


def _serve(deps, args) -> int:
    import signal

    from bot import directory, server, slack, wecom
    from bot.courier import Courier
    from scheduler import runner
    logging.getLogger("oppbot").setLevel(logging.INFO)  # INFO lines carry ids, kinds and timings, never message text
    if args.log_format == "json":
        from pythonjsonlogger.json import JsonFormatter
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                               rename_fields={"asctime": "at", "levelname": "level", "name": "logger"}))
    settings = slack.settings_from_env()
    if args.socket_mode and not (settings and settings.app_token):
        return _fail("--socket-mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-…)")
    try:
        wecom_settings = wecom.settings_from_env()
    except ValueError as exc:
        return _fail(str(exc))
    wecom_client = wecom.WeComClient(wecom_settings, deps) if wecom_settings else None
    if wecom_settings and wecom_settings.contact_secret:  # 客户联系: the daily 撞单 scan of external contacts
        deps.external_contacts = wecom.WeComClient(wecom_settings, deps, contacts=True).external_contacts
    deps.config = directory.resolve(  # people given by e-mail / mobile: their ids, before anything reads them
        deps, slack_lookup=settings and slack.lookup_by_email(slack.web_client(settings)),
        wecom_lookup=wecom_client and wecom_client.userid_by_mobile)
    deps.send = _sender(deps, settings, wecom_settings, wecom_client, to_stdout=args.print_)
    courier = Courier(deps)  # replies, sent as soon as they are committed
    try:
        slack_app = slack.build_app(deps, settings, courier=courier) if settings else None
    except Exception as exc:  # a wrong token or an unreachable Slack: say so in one line
        return _fail(f"Slack did not answer auth.test: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    callback = wecom.Callback(deps, wecom_settings, courier) if wecom_settings else None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scheduler = runner.start(deps, every_seconds=args.every, deliver_seconds=min(args.every, 5))
    http = socket = None
    if args.port is not None:
        app = server.make_wsgi_app(deps, slack_app=slack_app, slack_secret=settings and settings.signing_secret,
                                   wecom=callback, leader=scheduler.leader)
        http = server.http_server(app, host=args.host, port=args.port)
        threading.Thread(target=http.run, name="http", daemon=True).start()
        print(f"oppbot: listening on http://{args.host}:{http.effective_port}", file=sys.stderr, flush=True)
        if not os.environ.get("OPPBOT_PUBLIC_URL"):  # dashboard links point here unless told otherwise
            deps.public_url = f"http://{args.host}:{http.effective_port}"
    if args.socket_mode:
        socket = slack.socket_mode(slack_app, settings)
        socket.connect()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if socket is not None:
            socket.close()
        if http is not None:
            http.close()
        courier.close()
        runner.stop(scheduler)
    return 0


def _sender(deps, slack_settings, wecom_settings, wecom_client, *, to_stdout: bool):
    """How the outbox reaches people: JSON lines (--print); WeCom and/or Slack when configured (WeCom first for
    whoever it reaches); else the log."""
    if to_stdout:
        return lambda message: print(json.dumps(
            {"at": deps.clock().isoformat(), "to": message.to, "text": message.text, "kind": message.kind,
             "id": message.id}, ensure_ascii=False), flush=True)
    senders = []
    if wecom_settings is not None:
        from bot.wecom import WeComSender
        senders.append(WeComSender(wecom_client, wecom_settings, deps))
    if slack_settings is not None:
        from bot.slack import SlackSender, web_client
        senders.append(SlackSender(web_client(slack_settings), deps))
    if senders:
        from bot.outbound import Router
        return Router(*senders)
    log = logging.getLogger("oppbot.outbox")
    return lambda message: log.info("delivered", extra={"to": message.to, "kind": message.kind,
                                                        "chars": len(message.text)})


if __name__ == "__main__":
    sys.exit(main())
