"""The time a report covers, named the way managers ask for it (本月, 上季度, 2026年, 2026-Q3, 2026-11), as dates in
the org's time zone; every metric filters on [start, end] so chat, dashboard and `oppbot report` agree."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KEYS = ("week", "last_week", "month", "last_month", "quarter", "last_quarter", "year", "last_year", "all")
_EXPLICIT = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{1,2})))?$", re.I)
_EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    key: str  # month | last_quarter | 2026 | 2026-Q3 | 2026-11 | all …
    start: date
    end: date  # inclusive

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: stored times are compared with the period's local days."""
        return (datetime.combine(self.start, time(0), tzinfo=tz),
                datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz))


def _month(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


def _quarter(year: int, q: int) -> tuple[date, date]:
    start, _ = _month(year, 3 * q - 2)
    _, end = _month(year, 3 * q)
    return start, end


def resolve(key: str, today: date) -> Period:
    """A period key as of `today`; a current period runs to its natural end (本月 is the whole month), so a
    forecast and an actual read the same span. ValueError names what is not a period."""
    key = key.strip()
    q = (today.month - 1) // 3 + 1
    if key == "week":
        start = today - timedelta(days=today.weekday())
        return Period(key, start, start + timedelta(days=6))
    if key == "last_week":
        start = today - timedelta(days=today.weekday() + 7)
        return Period(key, start, start + timedelta(days=6))
    if key == "month":
        return Period(key, *_month(today.year, today.month))
    if key == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(key, *_month(last.year, last.month))
    if key == "quarter":
        return Period(key, *_quarter(today.year, q))
    if key == "last_quarter":
        return Period(key, *(_quarter(today.year, q - 1) if q > 1 else _quarter(today.year - 1, 4)))
    if key == "year":
        return Period(key, date(today.year, 1, 1), date(today.year, 12, 31))
    if key == "last_year":
        return Period(key, date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    if key == "all":
        return Period(key, _EPOCH, date(today.year + 10, 12, 31))
    found = _EXPLICIT.match(key)
    if found:
        year, quarter, month = int(found[1]), found[2], found[3]
        if quarter:
            return Period(f"{year}-Q{quarter}", *_quarter(year, int(quarter)))
        if month and 1 <= int(month) <= 12:
            return Period(f"{year}-{int(month):02d}", *_month(year, int(month)))
        if not month:
            return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    raise ValueError(f"not a period: {key!r} (try month, last_quarter, 2026, 2026-Q3, 2026-11)")
