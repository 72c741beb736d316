"""Seed 001's rhythm: the manager's Monday pack, the director's month report on the first working day, and the
daily forecast snapshot the month report checks itself against. Each is once per its key (team and ISO week,
month and director, team and day), however many passes or processes run."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select

from domain.messages import Deps, Notice
from scheduler.calendar import is_working_day
from storage import models as m
from storage import outbox
from storage.reports import metrics, packs, resolve
from storage.upsert import insert_ignoring_duplicates

PACK_TIME = time(9, 0)  # the morning, before the weekly 商机评审会


def _first_working_day(start: date, day: date, kind: str) -> bool:
    """Is `day` the first working day on or after `start` (a Monday holiday moves the pack to Tuesday)?"""
    d = start
    while d < day and not is_working_day(d, kind=kind):
        d += timedelta(days=1)
    return d == day and is_working_day(day, kind=kind)


def monday_packs(now: datetime, deps: Deps) -> int:
    """Each team's manager, on the first working day of the week from 09:00 local (`[org] monday_pack = true`)."""
    if not deps.config.org.monday_pack:
        return 0
    posted = 0
    with deps.sessions.begin() as s:
        for team in deps.config.teams:
            tz = deps.config.timezone_of(team)
            local = now.astimezone(tz)
            day = local.date()
            if not team.manager or local.time() < PACK_TIME or \
                    not _first_working_day(day - timedelta(days=day.weekday()), day, deps.config.holidays_of(team)):
                continue
            year, week, _ = day.isocalendar()
            key = f"monday:{team.name}:{year}-W{week:02d}"
            manager = s.get(m.User, team.manager)
            if manager is None or outbox.has(s, key):
                continue
            text = packs.monday_pack(s, viewer=manager, today=day, now=now, tz=tz, lang=manager.lang or "zh")
            posted += outbox.enqueue(s, Notice(to=manager.id, kind="digest", text=text, key=key), now=now)
    return posted


def month_reports(now: datetime, deps: Deps) -> int:
    """Each director, on the first working day of the month from 09:00 in the org's time zone
    (`[org] month_report = true`)."""
    if not deps.config.org.month_report:
        return 0
    posted = 0
    tz = deps.config.timezone_of(None)
    local = now.astimezone(tz)
    day = local.date()
    if local.time() < PACK_TIME or not _first_working_day(day.replace(day=1), day, deps.config.org.holidays):
        return 0
    last = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with deps.sessions.begin() as s:
        for director_id in deps.config.directors():
            key = f"month:{last}:{director_id}"
            director = s.get(m.User, director_id)
            if director is None or outbox.has(s, key):
                continue
            text = packs.month_report(s, viewer=director, config=deps.config, today=day, tz=tz,
                                      lang=director.lang or "zh")
            posted += outbox.enqueue(s, Notice(to=director_id, kind="digest", text=text, key=key), now=now)
    return posted


def forecast_snapshots(now: datetime, deps: Deps) -> int:
    """Once a local day per team: its forecast of this month and of the next (weekends too: it is data, not a
    message), so the forecast 30 days before any month's end is on record."""
    taken = 0
    with deps.sessions.begin() as s:
        for team in deps.config.teams:
            tz = deps.config.timezone_of(team)
            day = now.astimezone(tz).date()
            if s.scalar(select(m.ForecastSnapshot.id).where(m.ForecastSnapshot.team_name == team.name,
                                                            m.ForecastSnapshot.day == day).limit(1)) is not None:
                continue
            viewer = SimpleNamespace(role="manager", team_name=team.name, id=f"team:{team.name}")
            following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            odds = metrics.win_odds(s, viewer=viewer)
            for month in (f"{day:%Y-%m}", f"{following:%Y-%m}"):
                f = metrics.forecast(s, viewer=viewer, period=resolve(month, day), tz=tz, odds=odds)
                taken += insert_ignoring_duplicates(s, m.ForecastSnapshot, dict(
                    team_name=team.name, day=day, month=month, won=f.won_amount,
                    weighted=sum((v for c, v in f.weighted if c == "CNY"), Decimal(0)),
                    learned=sum((v for c, v in f.learned if c == "CNY"), Decimal(0)),
                    open_deals=f.open_deals, taken_at=now), conflict_on=["team_name", "day", "month"])
    return taken
