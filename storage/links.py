"""Signed dashboard links (看板): an HMAC over the asker's user id and the time it was made (itsdangerous), good for
15 minutes on the bot's own clock. The key is made once and kept in the database, so every `serve` process
checks the same signature and a restart does not void the links already sent."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from storage.models import ApiToken
from storage.upsert import insert_ignoring_duplicates

LINK_MINUTES = 15
_KEY = "dashboard_link_key"
_SALT = "oppbot-dashboard"


class _ClockSigner(TimestampSigner):
    """The signing time is the bot's clock (injected), not the machine's: replays and tests move it."""

    def __init__(self, *args, clock, **kwargs):
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock().timestamp())


def _serializer(session: Session, now: datetime) -> URLSafeTimedSerializer:
    row = session.get(ApiToken, _KEY)
    if row is None or row.value is None:
        insert_ignoring_duplicates(session, ApiToken, dict(key=_KEY, value=secrets.token_urlsafe(32),
                                                           expires_at=datetime(9999, 1, 1, tzinfo=timezone.utc)),
                                   conflict_on=["key"])
        session.expire_all()  # another process may have made it first: theirs stands
        row = session.get(ApiToken, _KEY)
    return URLSafeTimedSerializer(row.value, salt=_SALT, signer=_ClockSigner, signer_kwargs={"clock": lambda: now})


def sign(session: Session, *, user_id: str, now: datetime) -> str:
    return _serializer(session, now).dumps({"u": user_id})


def verify(session: Session, token: str, *, now: datetime) -> tuple[str, datetime] | None:
    """(the user id the link was made for, when it stops working), or None when it was altered, made with another
    key, or is too old."""
    try:
        data, made = _serializer(session, now).loads(token, max_age=LINK_MINUTES * 60, return_timestamp=True)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        return None
    return data["u"], made + timedelta(minutes=LINK_MINUTES)
