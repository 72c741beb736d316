"""Platform ids found by e-mail or mobile, remembered: a restart does not ask Slack or WeCom again (Slack's
users.lookupByEmail allows about 50 calls a minute), and someone not found is asked about again after a day."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import DirectoryLookup
from storage.upsert import insert_ignoring_duplicates

RETRY_NOT_FOUND = timedelta(days=1)


def known(session: Session, platform: str, keys: list[str], *, now: datetime) -> dict[str, str | None]:
    """What was learnt about each key: its platform id, or None for "not found" still fresh; keys never asked about
    (or not found over a day ago) are absent."""
    rows = session.scalars(select(DirectoryLookup).where(DirectoryLookup.platform == platform,
                                                         DirectoryLookup.lookup.in_(keys))) if keys else []
    return {r.lookup: r.external_id for r in rows if r.external_id or now - r.checked_at < RETRY_NOT_FOUND}


def remember(session: Session, platform: str, key: str, external_id: str | None, *, now: datetime) -> None:
    row = session.scalar(select(DirectoryLookup).where(DirectoryLookup.platform == platform,
                                                       DirectoryLookup.lookup == key))
    if row is None:
        insert_ignoring_duplicates(session, DirectoryLookup, dict(platform=platform, lookup=key,
                                                                  external_id=external_id, checked_at=now),
                                   conflict_on=["platform", "lookup"])
    else:
        row.external_id, row.checked_at = external_id, now
