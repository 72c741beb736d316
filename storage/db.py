"""Engine and session factory: SQLite in WAL with a busy timeout and serialised writers, or PostgreSQL."""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

DEFAULT_URL = "sqlite:///oppbot.db"
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30000  # how long a SQLite writer queues for the write lock (scheduler passes, the console)
_lock_wait_ms: ContextVar[int] = ContextVar("lock_wait_ms", default=BUSY_TIMEOUT_MS)
_reading: ContextVar[bool] = ContextVar("reading", default=False)


@contextmanager
def reading():
    """Transactions begun inside only read: on SQLite a plain BEGIN, so in WAL they neither take nor wait for the
    write lock — a dashboard's seconds of reads never hold up a registration, and several run side by side."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def lock_wait(seconds: float):
    """Transactions begun inside wait at most `seconds` for SQLite's write lock: a platform event must be answered
    within Slack's 3 s or WeCom's 5 s, so it gives up early and is redelivered (issue 14)."""
    token = _lock_wait_ms.set(int(seconds * 1000))
    try:
        yield
    finally:
        _lock_wait_ms.reset(token)


def database_url() -> str:
    return os.environ.get("OPPBOT_DATABASE_URL") or DEFAULT_URL


def make_engine(url: str) -> Engine:
    """psycopg 3 for PostgreSQL URLs that name no driver; SQLite transactions start IMMEDIATE."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False,
                                                  "factory": _writers_of(url)})
        _serialise_sqlite_writers(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        _bound_postgres_lock_waits(engine)
    return engine


SQLITE_CACHE_KIB = 32 * 1024  # per connection, taken as pages are read: SQLite's default 2 MiB re-reads the index
# pages of a quarter's report from the OS on every row (bench/reports.py: conversion by quarter 190 → ~110 ms)


class _QueuedWriter(sqlite3.Connection):
    """A SQLite connection whose write transactions first queue on one lock per database file in this process.
    SQLite's own busy handler polls with growing sleeps (up to 100 ms between tries), so threads of one process
    waiting for each other's commits lost most of their time asleep (bench/wecom_http.py: 50 senders, answer p99
    ~900 ms). Other processes still queue on the busy timeout. `queue` is set per database (`_writers_of`)."""

    queue: threading.Lock
    _writing = False

    def queue_to_write(self, seconds: float) -> bool:
        if not self.queue.acquire(timeout=seconds):
            return False
        self._writing = True
        return True

    def done_writing(self) -> None:
        if self._writing:
            self._writing = False
            self.queue.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.done_writing()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.done_writing()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.done_writing()


_WRITERS: dict[str, type[_QueuedWriter]] = {}
_WRITERS_LOCK = threading.Lock()


def _writers_of(url: str) -> type[_QueuedWriter]:
    """The connection class of one database file: every engine on that file in this process shares its queue."""
    path = os.path.abspath(url.split(":///", 1)[1].split("?", 1)[0]) if ":///" in url else url
    with _WRITERS_LOCK:
        if path not in _WRITERS:
            _WRITERS[path] = type("_QueuedWriterOf", (_QueuedWriter,), {"queue": threading.Lock()})
        return _WRITERS[path]


def _serialise_sqlite_writers(engine: Engine) -> None:
    """BEGIN IMMEDIATE takes the write lock up front: a read-then-write transaction cannot fail with
    'database is locked' halfway; concurrent writers of this process queue on `_QueuedWriter`'s lock, other
    processes' on the busy timeout."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        wait, held, writing = _lock_wait_ms.get(), conn.connection.info, not _reading.get()
        raw = conn.connection.dbapi_connection
        if writing:
            started = time.monotonic()
            if not raw.queue_to_write(wait / 1000):
                raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
            wait = max(1, wait - int((time.monotonic() - started) * 1000))  # what is left for other processes
        try:
            if held.get("busy_timeout") != wait:  # set when it changes, not on every transaction
                conn.exec_driver_sql(f"PRAGMA busy_timeout={wait}")
                held["busy_timeout"] = wait
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
        except BaseException:
            if writing:
                raw.done_writing()
            raise


def _bound_postgres_lock_waits(engine: Engine) -> None:
    """Inside `lock_wait`, a row lock held by another transaction is waited for that long, then an error."""

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if _lock_wait_ms.get() != BUSY_TIMEOUT_MS:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {_lock_wait_ms.get()}")


def upgrade_schema(engine: Engine) -> None:
    """The app migrates its database to the newest schema at start (Alembic, head). A database already there
    costs one read: Alembic, its scripts and its environment load only when there is something to run."""
    if schema_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def head_revision() -> str:
    """The newest migration: by the house rule its revision is the number its file name starts with
    (tests/test_ops.py holds Alembic's own head to it)."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database Alembic has not touched."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def make_sessions(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
