"""Platform access tokens kept in the database, so every process shares one and only one process fetches it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ApiToken
from storage.upsert import insert_ignoring_duplicates


def current(session: Session, key: str) -> tuple[str, datetime] | None:
    """(token, expires at) as stored; None before the first fetch."""
    row = session.get(ApiToken, key)
    return None if row is None or row.value is None else (row.value, row.expires_at)


def lock(session: Session, key: str) -> None:
    """Hold the token's row until the transaction ends: one fetch at a time, across processes (PostgreSQL locks the
    row; SQLite transactions here start IMMEDIATE, which already serialises them)."""
    insert_ignoring_duplicates(session, ApiToken, dict(key=key, value=None, expires_at=None), conflict_on=["key"])
    session.execute(select(ApiToken.key).where(ApiToken.key == key).with_for_update())
    session.expire_all()  # read what the process that held the lock before us stored


def store(session: Session, key: str, value: str, expires_at: datetime) -> None:
    row = session.get(ApiToken, key)
    row.value, row.expires_at = value, expires_at
