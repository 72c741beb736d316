"""Team-local time and the working calendar: weekends, Chinese public holidays and their make-up working days
(python-holidays: released monthly, knows 调休 days through `weekend_workdays`), working hours, per-team zones."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from domain.config import Config, Team

WORK_START, WORK_END = time(9, 0), time(18, 0)  # reminders outside these hours wait for the next working morning


def team_today(now: datetime, config: Config, team: Team | None) -> date:
    return now.astimezone(config.timezone_of(team)).date()


@lru_cache(maxsize=16)
def _china(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_working_day(day: date, *, kind: str = "cn") -> bool:
    """kind "cn": Chinese public holidays off and make-up Saturdays/Sundays on; "none": weekends only."""
    if kind == "cn":
        cn = _china(day.year)
        if day in cn.weekend_workdays:
            return True
        if day in cn:
            return False
    return day.weekday() < 5


def in_working_hours(now: datetime, config: Config, team: Team | None) -> bool:
    """Is it a working day and within working hours where the team is (DST-safe: local wall clock)."""
    local = now.astimezone(config.timezone_of(team))
    return is_working_day(local.date(), kind=config.holidays_of(team)) and WORK_START <= local.time() < WORK_END


def working_days_after(day: date, n: int, *, kind: str = "cn") -> date:
    """The n-th working day after `day` (SPEC: 7 working days to archive a closed deal)."""
    while n > 0:
        day += timedelta(days=1)
        n -= is_working_day(day, kind=kind)
    return day
