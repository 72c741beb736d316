"""APScheduler 3 wiring for `oppbot serve`: jobs registered afresh at start with fixed ids; state lives in our
tables, not in a job store, so a missed run is one catch-up pass, not one per missed firing. Only the process
holding the leader lock fires jobs and delivers (SPEC: sent once with several bot processes)."""
from __future__ import annotations

import fcntl
import logging
import threading
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text

from domain.messages import Deps
from scheduler import jobs
from storage import outbox

log = logging.getLogger("oppbot.scheduler")
LEADER_KEY = 0x0ABB07  # the PostgreSQL advisory lock every oppbot process competes for


class LeaderLock:
    """PostgreSQL: a session advisory lock held on a connection of its own; SQLite: an exclusive lock on a file
    beside the database (one process on one machine). Whoever holds it keeps it until it exits."""

    def __init__(self, engine) -> None:
        self.engine, self.held, self._conn, self._file = engine, False, None, None
        self._lock = threading.Lock()  # the jobs pass and the outbox pass ask from two threads; a connection is not
        # theirs to share (issue 14: two threads on the lock connection once hid its death, and nobody led)

    def acquire(self) -> bool:
        with self._lock:
            return self._acquire()

    def _acquire(self) -> bool:
        """Called before every job pass and delivery: a leader whose lock connection died stops leading at once
        (its session lock died with it), and a standby tries again on a fresh connection (issue 14: a stale
        connection once failed forever with PendingRollbackError, and a third process became a second leader)."""
        if self.engine.dialect.name == "postgresql":
            return self._acquire_postgres()
        if self.held:  # a file lock cannot be lost while the process lives
            return True
        path = (self.engine.url.database or "oppbot.db") + ".leader"
        self._file = self._file or open(path, "a")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.held = True
        except OSError:
            self.held = False
        if self.held:
            log.warning("this process is the scheduler leader")
        return self.held

    def _acquire_postgres(self) -> bool:
        try:
            if self.held:
                self._conn.execute(text("SELECT 1"))  # the session lock lives exactly as long as this connection
                self._conn.commit()
                return True
            self._conn = self._conn or self.engine.connect()
            # one leader per schema: deployments (or test runs) sharing a database do not compete
            self.held = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"),
                                                {"k": LEADER_KEY}).scalar())
            self._conn.commit()
        except Exception as exc:  # the connection is gone: so is the lock, whoever held it
            if self.held:
                log.error("lost the scheduler leader lock (%s): no longer leading", type(exc).__name__)
            self.held = False
            self._drop_connection()
            return False
        if self.held:
            log.warning("this process is the scheduler leader")
        return self.held

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:  # closing a dead connection may itself fail; it is discarded either way
                pass
            self._conn = None

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._file is not None:
            self._file.close()
        self.held = False


def _tick(deps: Deps, leader: LeaderLock) -> None:
    if not leader.acquire():
        return
    try:
        jobs.run_all(deps.clock(), deps)
    finally:
        outbox.deliver(deps.sessions, deps.send, now=deps.clock())


def _deliver(deps: Deps, leader: LeaderLock) -> None:
    if leader.acquire():
        outbox.deliver(deps.sessions, deps.send, now=deps.clock())


def start(deps: Deps, *, every_seconds: int = 60, deliver_seconds: int = 5) -> BackgroundScheduler:
    """Explicit time zone, coalesce and a grace time: APScheduler's defaults (machine zone, 1 s) bite."""
    leader = LeaderLock(deps.sessions.kw["bind"])
    scheduler = BackgroundScheduler(
        timezone=deps.config.org.timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1},
    )
    scheduler.add_job(_tick, "interval", seconds=every_seconds, id="jobs", args=[deps, leader],
                      next_run_time=datetime.now(timezone.utc), replace_existing=True)
    scheduler.add_job(_deliver, "interval", seconds=deliver_seconds, id="outbox", args=[deps, leader],
                      replace_existing=True)
    scheduler.leader = leader
    scheduler.start()
    log.info("scheduler started: %s", [j.id for j in scheduler.get_jobs()])
    return scheduler


def stop(scheduler: BackgroundScheduler) -> None:
    """Finish the running pass, then let another process lead."""
    scheduler.shutdown(wait=True)
    scheduler.leader.release()
