"""Once a day, across processes and restarts: for a job that calls a platform and may have nothing to send."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import JobMark
from storage.upsert import insert_ignoring_duplicates


def done(session: Session, job: str, day: date) -> bool:
    return session.scalar(select(JobMark.id).where(JobMark.job == job, JobMark.day == day)) is not None


def mark(session: Session, job: str, day: date, *, now: datetime) -> bool:
    """In the transaction of what the run produced; False when another run marked the day first."""
    return insert_ignoring_duplicates(session, JobMark, dict(job=job, day=day, done_at=now), conflict_on=["job", "day"])
