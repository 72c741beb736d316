"""APScheduler 3 wiring for `oppbot serve`: jobs registered afresh at start with fixed ids; state lives in
our tables, not in a job store, so a missed run is one catch-up pass, not one per missed firing."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from domain.messages import Deps
from scheduler import jobs
from storage import outbox

log = logging.getLogger("oppbot.scheduler")


def _run_jobs(deps: Deps) -> None:
    now = deps.clock()
    try:
        jobs.run_all(now, deps)
    finally:
        outbox.deliver(deps.sessions, deps.send, now=deps.clock())


def _deliver(deps: Deps) -> None:
    outbox.deliver(deps.sessions, deps.send, now=deps.clock())


def start(deps: Deps, *, every_seconds: int = 60) -> BackgroundScheduler:
    """Explicit time zone, coalesce and a grace time: APScheduler's defaults (machine zone, 1 s) bite."""
    scheduler = BackgroundScheduler(
        timezone=deps.config.org.timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1},
    )
    scheduler.add_job(_run_jobs, "interval", seconds=every_seconds, id="jobs", args=[deps],
                      next_run_time=datetime.now(timezone.utc), replace_existing=True)
    scheduler.add_job(_deliver, "interval", seconds=5, id="outbox", args=[deps], replace_existing=True)
    scheduler.start()
    log.info("scheduler started: %s", [j.id for j in scheduler.get_jobs()])
    return scheduler
