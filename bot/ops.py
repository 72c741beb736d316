"""Operator commands: `oppbot backup`, `restore`, `db upgrade|downgrade|current` and `doctor`.

A refusal is an OpsError whose message is the one line `oppbot` prints before exiting 2; nothing was changed."""
from __future__ import annotations

import os
import re
import shlex
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from domain.redact import redact
from storage import db


class OpsError(Exception):
    """What the operator is told when a command refuses or fails; one line."""


# ---- which database ---------------------------------------------------------------------------------------------

def _url(url: str | None = None) -> URL:
    """The configured database URL, parsed: a typo in OPPBOT_DATABASE_URL is one line, not a traceback."""
    text = url or db.database_url()
    try:
        return make_url(text)
    except ArgumentError:
        raise OpsError("OPPBOT_DATABASE_URL is not a database URL (e.g. sqlite:///oppbot.db)") from None


def _shown(url: URL) -> str:
    """A URL fit to print: the password, if any, as ***."""
    return url.render_as_string(hide_password=True)


def sqlite_file(url: URL) -> Path | None:
    """The database file for a SQLite URL, None for any other database; an in-memory SQLite has no file to copy."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise OpsError(f"{_shown(url)} names no database file")
    return Path(url.database)


def _pg_command(program: str, url: URL, *args: str) -> str:
    """The exact pg_dump / pg_restore line for this URL: host, port, user, the schema of a search_path option,
    the database; never the password (libpq reads PGPASSWORD or ~/.pgpass)."""
    words = [program, *args[:-1]]
    for flag, value in (("-h", url.host), ("-p", url.port), ("-U", url.username)):
        if value:
            words += [flag, str(value)]
    found = re.search(r"search_path\s*=\s*([^\s,]+)", str(url.query.get("options", "")))
    if found:
        words += ["-n", found.group(1)]
    name = url.database or url.username or "postgres"
    words += ["-d", name, args[-1]] if program == "pg_restore" else ["-f", args[-1], name]
    line = shlex.join(words)
    return line + (" (password: PGPASSWORD or ~/.pgpass)" if url.password else "")


# ---- backup and restore -----------------------------------------------------------------------------------------

def backup(target: str, url: str | None = None) -> str:
    """Copy the SQLite database into `target` with SQLite's online backup: one consistent snapshot, taken while
    the bot keeps writing (WAL readers do not block writers). Written beside `target` first, then renamed, so a
    failed backup never replaces a good one."""
    parsed = _url(url)
    live = sqlite_file(parsed)
    if live is None:
        raise OpsError("backup copies SQLite files; this database is PostgreSQL, so run: "
                       + _pg_command("pg_dump", parsed, "-Fc", target))
    if not live.is_file():
        raise OpsError(f"no database at {live} (OPPBOT_DATABASE_URL={_shown(parsed)})")
    out = Path(target)
    if out.exists() and out.resolve() == live.resolve():
        raise OpsError(f"{target} is the live database itself; name another file")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with _sqlite(live) as src, _sqlite(partial) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            revision = _sqlite_revision(dst)
        os.replace(partial, out)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise OpsError(f"backup of {live} failed: {type(exc).__name__}: {exc}") from None
    return f"backed up {live} to {out} ({out.stat().st_size} bytes, schema {revision})"


def restore(source: str, url: str | None = None) -> str:
    """Replace the SQLite database's content by the backup `source`, then migrate it to head. The backup is
    checked before anything is written; a running `oppbot serve` (it holds the leader lock file) is refused."""
    parsed = _url(url)
    live = sqlite_file(parsed)
    if live is None:
        raise OpsError("restore copies SQLite files; this database is PostgreSQL, so stop oppbot and run: "
                       + _pg_command("pg_restore", parsed, "--clean", "--if-exists", "--single-transaction",
                                     source))
    path = Path(source)
    if live.exists() and path.exists() and path.resolve() == live.resolve():
        raise OpsError(f"{source} is the live database itself; nothing restored")
    revision = _check_backup(path)
    with _leader_lock(live):
        try:
            with _sqlite(path.resolve().as_uri() + "?mode=ro", uri=True) as src, _sqlite(live) as dst:
                src.backup(dst)
        except sqlite3.Error as exc:
            raise OpsError(f"restore into {live} failed: {type(exc).__name__}: {exc}") from None
        engine = db.make_engine(parsed.render_as_string(hide_password=False))
        try:
            db.upgrade_schema(engine)
            with engine.connect() as conn:
                now = MigrationContext.configure(conn).get_current_revision()
        finally:
            engine.dispose()
    return f"restored {source} (schema {revision}) into {live}; schema now {now} (head)"


def _check_backup(path: Path) -> str:
    """The schema revision of an oppbot backup; OpsError for anything else (not a file, not SQLite, damaged,
    no alembic_version table, a revision this oppbot does not know)."""
    if not path.is_file():
        raise OpsError(f"{path} is not a file; nothing restored")
    try:
        with _sqlite(path.resolve().as_uri() + "?mode=ro", uri=True) as con:
            has = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
            if has.fetchone() is None:
                raise OpsError(f"{path} is an SQLite database but not an oppbot backup (no alembic_version table); "
                               "nothing restored")
            revision = _sqlite_revision(con)
            damage = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise OpsError(f"{path} is not an SQLite database ({exc}); nothing restored") from None
    if damage != "ok":
        raise OpsError(f"{path} is damaged (quick_check: {damage}); nothing restored")
    if revision is None:
        raise OpsError(f"{path} has an empty alembic_version table; nothing restored")
    try:
        _scripts().get_revision(revision)
    except CommandError:
        raise OpsError(f"{path} is at schema {revision}, which this oppbot does not know (a newer version made "
                       "it?); nothing restored") from None
    return revision


@contextmanager
def _sqlite(target, **kw):
    con = sqlite3.connect(target, timeout=db.BUSY_TIMEOUT_MS / 1000, **kw)
    try:
        yield con
    finally:
        con.close()


def _sqlite_revision(con: sqlite3.Connection) -> str | None:
    row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    return row and row[0]


@contextmanager
def _leader_lock(live: Path):
    """Hold the scheduler's leader lock (scheduler.runner.LeaderLock) while restoring: a serving leader makes the
    restore refuse, and no `serve` starts leading halfway through."""
    import fcntl
    with open(str(live) + ".leader", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OpsError(f"oppbot serve is running on {live} (it holds {live}.leader); stop it, then restore") \
                from None
        yield


# ---- schema migrations ------------------------------------------------------------------------------------------

def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(db.MIGRATIONS))


def _head() -> str:
    return _scripts().get_current_head()


def migrate(direction: str, revision: str, url: str | None = None) -> str:
    """`db upgrade REV` / `db downgrade REV` through Alembic's command API on the app's own engine (env.py takes
    the connection from cfg.attributes); the whole step is one transaction."""
    parsed = _url(url)
    engine = db.make_engine(parsed.render_as_string(hide_password=False))
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    try:
        with _migration_connection(engine) as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            cfg.attributes["connection"] = connection
            getattr(command, direction)(cfg, revision)
            after = MigrationContext.configure(connection).get_current_revision()
    except CommandError as exc:
        raise OpsError(f"db {direction} {revision}: {exc}") from None
    finally:
        engine.dispose()
    if before == after:
        return f"schema already at {_describe(after, hint=False)}"
    return f"schema {before or 'empty'} -> {_describe(after, hint=False)}"


@contextmanager
def _migration_connection(engine):
    """SQLite: foreign keys off for the migration (a batch step copies a table and drops the old one, which
    foreign keys from rows that remain would refuse), then checked before it commits. PostgreSQL: as is."""
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # before any BEGIN: the pragma is ignored inside a transaction
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise OpsError(f"the migration would leave {len(broken)} rows pointing at nothing "
                                       f"(first in table {broken[0][0]}); nothing changed")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def current(url: str | None = None) -> str:
    """`db current`: the database's schema revision and whether it is the newest."""
    parsed = _url(url)
    live = sqlite_file(parsed)
    if live is not None and not live.is_file():
        return f"none (no database file at {live} yet: oppbot creates it at start, or run oppbot db upgrade)"
    engine = db.make_engine(parsed.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return _describe(MigrationContext.configure(connection).get_current_revision())
    finally:
        engine.dispose()


def _describe(revision: str | None, *, hint: bool = True) -> str:
    """`0006 (head)`, or how far behind, with the command that catches up."""
    head = _head()
    if revision == head:
        return f"{revision} (head)"
    todo = ": run oppbot db upgrade" if hint else ""
    if revision is None:
        return f"none (empty database; head is {head}{todo})"
    return f"{revision} (head is {head}{todo})"


# ---- doctor -----------------------------------------------------------------------------------------------------

def doctor(config_path: str | None, *, online: bool = False, env=os.environ) -> tuple[list[str], bool]:
    """One screen of checks, each line `ok  …`, `warn …` or `FAIL …`, and whether any failed. Secrets are shown
    only by their length and a known prefix."""
    lines: list[str] = []
    config = _check_config(config_path, lines)
    _check_database(lines, env)
    slack_settings = _check_slack(lines, env, online)
    wecom_settings = _check_wecom(lines, env)
    if config is not None:
        _check_users(config, lines)
        _check_teams(config, slack_settings, wecom_settings, lines)
    return lines, any(line.startswith("FAIL") for line in lines)


def _check_config(path: str | None, lines: list[str]):
    from bot import wiring
    from domain.config import ConfigError
    try:
        config = wiring.load_config(path)
    except ConfigError as exc:
        lines.append(f"FAIL config: {exc}")
        return None
    lines.append(f"ok  config {path or '(built-in demo org)'}: {config.org.name}, {len(config.teams)} teams, "
                 f"{len(config.users)} users")
    return config


def _check_database(lines: list[str], env) -> None:
    try:
        parsed = _url(env.get("OPPBOT_DATABASE_URL") or db.DEFAULT_URL)
        live = sqlite_file(parsed)
    except OpsError as exc:
        lines.append(f"FAIL database: {exc}")
        return
    where = _shown(parsed) + (f" ({live.resolve()})" if live is not None else "")
    if live is not None and not live.is_file():
        lines.append(f"warn database {where} does not exist yet (oppbot creates it at start)")
        return
    engine = db.make_engine(parsed.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        lines.append(f"FAIL database {where} unreachable: {type(exc).__name__}: {redact(first)[:200]}")
        return
    finally:
        engine.dispose()
    try:
        known = revision is None or _scripts().get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        lines.append(f"FAIL database {where} is at schema {revision}, unknown to this oppbot (made by a newer one?)")
    elif revision == _head():
        lines.append(f"ok  database {where} reachable, schema {revision} (head)")
    else:
        lines.append(f"warn database {where} reachable, schema {revision or 'none'}, head is {_head()}: run oppbot db "
                     "upgrade (serve also upgrades at start)")


def _secret(value: str) -> str:
    """How a secret is shown: its Slack-style prefix when it has one, and its length."""
    prefix = re.match(r"x(?:ox[a-z]|app)-", value)
    return f"{prefix.group(0) if prefix else ''}… ({len(value)} chars)"


def _check_slack(lines: list[str], env, online: bool):
    from bot import slack
    settings = slack.settings_from_env(env)
    if settings is None:
        lines.append("warn Slack not configured (SLACK_BOT_TOKEN unset)")
        return None
    token = settings.bot_token
    if token.startswith("xoxb-"):
        lines.append(f"ok  SLACK_BOT_TOKEN {_secret(token)}")
    else:
        lines.append(f"FAIL SLACK_BOT_TOKEN {_secret(token)} is not a bot token (it starts xoxb-)")
    if settings.signing_secret:
        lines.append(f"ok  SLACK_SIGNING_SECRET set ({len(settings.signing_secret)} chars)")
    else:
        lines.append("FAIL SLACK_SIGNING_SECRET is not set: Slack's requests to /slack/events cannot be verified")
    if settings.app_token is not None and not settings.app_token.startswith("xapp-"):
        lines.append(f"FAIL SLACK_APP_TOKEN {_secret(settings.app_token)} is not an app-level token (it starts xapp-)")
    if settings.api_url:
        lines.append(f"warn Slack calls go to {settings.api_url} (OPPBOT_SLACK_API_URL), not slack.com")
    if online:
        _slack_auth_test(settings, lines)
    return settings


def _slack_auth_test(settings, lines: list[str]) -> None:
    """--online: the token as Slack sees it (auth.test), the one network call the doctor makes."""
    from bot import slack
    try:
        me = slack.web_client(settings).auth_test()
    except Exception as exc:  # any refusal or network error is the finding itself
        first = str(exc).splitlines()[0] if str(exc) else ""
        lines.append(f"FAIL Slack auth.test: {type(exc).__name__}: {redact(first)[:200]}")
        return
    lines.append(f"ok  Slack auth.test: bot {me.get('user')} ({me.get('user_id')}) in team {me.get('team_id')}")


def _check_wecom(lines: list[str], env):
    from bot import wecom
    try:
        settings = wecom.settings_from_env(env)
    except ValueError as exc:
        lines.append(f"FAIL {exc}")
        return None
    if settings is None:
        lines.append("warn WeCom not configured (WECOM_CORP_ID unset)")
        return None
    lines.append(f"ok  WeCom app {settings.agent_id}: WECOM_SECRET ({len(settings.secret)} chars), WECOM_TOKEN "
                 f"({len(settings.token)} chars) set; group robots for {', '.join(sorted(settings.webhooks)) or 'none'}")
    if len(settings.aes_key) != 43:
        lines.append(f"FAIL WECOM_AES_KEY has {len(settings.aes_key)} characters; WeCom's EncodingAESKey has 43")
    return settings


def _check_users(config, lines: list[str]) -> None:
    bare = [u.id for u in config.users if not (u.slack or u.wecom)]
    if bare:
        lines.append(f"warn {len(bare)} users have no slack or wecom id (console only): {', '.join(bare)}")
    else:
        lines.append(f"ok  all {len(config.users)} users have a slack or wecom id")


def _check_teams(config, slack_settings, wecom_settings, lines: list[str]) -> None:
    """A team's group chat (digest, pool releases) needs a Slack #channel or a WeCom group robot to arrive."""
    from bot import wecom
    for team in config.teams:
        chat = team.group_chat
        if not chat:
            lines.append(f"warn team {team.name}: no group_chat, so its digest and pool notices are not posted")
            continue
        robot = wecom_settings is not None and wecom._webhook_of(team, wecom_settings.webhooks) is not None
        channel = slack_settings is not None and chat.startswith("#")
        if robot or channel:
            via = " and ".join(name for name, used in (("WeCom robot", robot), ("Slack channel", channel)) if used)
            lines.append(f"ok  team {team.name}: group chat {chat} via {via}")
            continue
        names = " or ".join("WECOM_WEBHOOK_" + re.sub(r"[^0-9A-Za-z]+", "_", n).strip("_").upper()
                            for n in (team.name, team.region))
        why = [f"no WeCom robot ({names})" if wecom_settings is not None else "WeCom not configured",
               "not a #channel" if not chat.startswith("#") else "Slack not configured"]
        lines.append(f"warn team {team.name}: group chat {chat} reaches no one: {'; '.join(why)}")
