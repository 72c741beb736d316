"""Deal rooms: which platform room (a private Slack channel, a WeCom app group chat) belongs to which opportunity."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from storage.models import DealRoom
from storage.upsert import insert_ignoring_duplicates

PREFIX = "room:"  # an outbox address: the deal room of the opportunity after it


def address(opportunity_id: str) -> str:
    return PREFIX + opportunity_id


def room_of(sessions: sessionmaker, opportunity_id: str, platform: str) -> str | None:
    with sessions() as s:
        return s.scalar(select(DealRoom.room_id).where(DealRoom.opportunity_id == opportunity_id,
                                                       DealRoom.platform == platform))


def remember(sessions: sessionmaker, opportunity_id: str, platform: str, room_id: str, *, now: datetime) -> None:
    """Right after the platform made it, before anything is posted there: a retry finds it instead of making two."""
    with sessions.begin() as s:
        insert_ignoring_duplicates(s, DealRoom, dict(opportunity_id=opportunity_id, platform=platform,
                                                     room_id=room_id, created_at=now),
                                   conflict_on=["opportunity_id", "platform"])
