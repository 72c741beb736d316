"""APScheduler 3 wiring for `oppbot serve`: jobs registered afresh at start with fixed ids; state lives in our
tables, not in a job store, so a missed run is one catch-up pass, not one per missed firing. Only the process
holding the leader lock fires jobs and delivers (SPEC: sent once with several bot processes)."""
from __future__ import annotations

import fcntl
import logging
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

    def acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            conn = self._conn = self._conn or self.engine.connect()
            # one leader per schema: deployments (or test runs) sharing a database do not compete
            self.held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"),
                                          {"k": LEADER_KEY}).scalar())
            conn.commit()
        else:
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
