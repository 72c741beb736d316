"""Seed 001's rhythm as messages: the Monday pack a manager reads before the 商机评审会 (high-risk list, last week's
process metrics, compliance), and the month report a director gets on the first working day (result metrics,
the best opportunity and the rep of the month, and how far the forecast made 30 days out was from what was won)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.config import Config
from domain.wording import money, say, stage_name
from storage import models as m
from storage.reports import metrics, texts
from storage.reports.metrics import Filters, where
from storage.reports.periods import Period, resolve
from storage.reports.pipeline import scope_name

O = m.Opportunity
LIST_LINES = 10
ACCURACY_DAYS = 30  # seed 001 一(二): the month's result foreseen 30 days ahead, within ±5%
TREND_MONTHS = 6
_ANY_DAY = date(2000, 1, 1)


def _metric(session: Session, name: str, *, viewer, today: date, tz: ZoneInfo, lang: str, period: str | None) -> str:
    from storage.reports import metric_text  # the package's own entry point, so a pack says what chat says
    return metric_text(session, name, viewer=viewer, today=today, tz=tz, lang=lang, period=period)


def monday_pack(session: Session, *, viewer, today: date, now: datetime, tz: ZoneInfo, lang: str) -> str:
    """Last week's process metrics (seed 001 六(一)2, 每周监控), the high-risk list and compliance, for one manager."""
    week = resolve("last_week", today)
    names = dict(session.execute(select(m.User.id, m.User.name)).all())
    risky = metrics.high_risk(session, viewer=viewer, limit=LIST_LINES)
    lines = [say("pack_head", lang, scope=scope_name(viewer, lang), start=week.start, end=week.end)]
    n_risky = metrics.open_pipeline(session, viewer=viewer, today=today).risky()  # all of them, not the ten shown
    lines.append(say("pack_risk", lang, n=n_risky) if risky else say("pack_no_risk", lang))
    lines += [say("pack_risk_line", lang, id=i, customer=c, owner=names.get(o, o), stage=stage_name(s, lang),
                  days=(now - since).days if since else "—") for i, c, o, s, since in risky]
    for name in ("conversion", "cycle", "compliance"):
        lines.append(_metric(session, name, viewer=viewer, today=today, tz=tz, lang=lang,
                             period=None if name == "compliance" else "last_week"))
    return "\n".join(lines)


@dataclass(frozen=True)
class Accuracy:
    team: str
    month: str
    made_on: date | None  # the snapshot read: 30 days before the month's end, or the nearest earlier one
    forecast: Decimal | None
    actual: Decimal
    error: float | None  # (forecast − actual) / actual


def _month(month: str) -> Period:
    return resolve(month, _ANY_DAY)  # an explicit YYYY-MM does not depend on the day it is read


def accuracy(session: Session, *, team: str, month: str, tz: ZoneInfo) -> Accuracy:
    """The team's forecast of `month` as it stood 30 days before the month ended, against what the month won."""
    span = _month(month)
    end = span.end
    snap = session.scalars(select(m.ForecastSnapshot).where(
        m.ForecastSnapshot.team_name == team, m.ForecastSnapshot.month == month,
        m.ForecastSnapshot.day <= end - timedelta(days=ACCURACY_DAYS)).order_by(m.ForecastSnapshot.day.desc())
        .limit(1)).first()
    start_, end_ = span.bounds(tz)
    actual = Decimal(session.scalar(select(func.sum(O.budget)).where(
        O.team_name == team, O.status == "won", O.closed_at >= start_, O.closed_at < end_,
        O.currency.is_(None) | (O.currency == "CNY"))) or 0)
    forecast = (snap.won + snap.weighted) if snap else None
    error = float((forecast - actual) / actual) if snap and actual else None
    return Accuracy(team, month, snap.day if snap else None, forecast, actual, error)


def _signed(error: float | None) -> str:
    return "—" if error is None else f"{100 * error:+.0f}%"


def _best_and_star(session: Session, *, viewer, month: Period, tz: ZoneInfo, lang: str) -> list[str]:
    """The best opportunity: of the month's wins, those faster than the month's average, the largest. The rep of
    the month: ranked by win rate, cycle and the supporters' collaboration score (seed 001 五(三), 八(二)2)."""
    start, end = month.bounds(tz)
    won = session.execute(select(O.id, m.Customer.name, O.owner_id, O.budget, O.created_at, O.closed_at)
                          .join(m.Customer).where(*where(viewer, Filters()), O.status == "won",
                                                  O.closed_at >= start, O.closed_at < end)).all()
    names = dict(session.execute(select(m.User.id, m.User.name)).all())
    if not won:
        return [say("month_no_wins", lang)]
    cycles = {i: (closed - created).total_seconds() / 86400 for i, _, _, _, created, closed in won}
    average = sum(cycles.values()) / len(cycles)
    quick = [w for w in won if cycles[w.id] <= average]
    best = max(quick, key=lambda w: (w.budget or 0, -cycles[w.id]))
    lines = [say("month_best", lang, id=best.id, customer=best.name, owner=names.get(best.owner_id, best.owner_id),
                 amount=money(best.budget, "CNY", lang), days=f"{cycles[best.id]:.0f}", avg=f"{average:.0f}")]
    leaders = [r for r in metrics.leaderboard(session, viewer=viewer, period=month, tz=tz) if r.won]
    ratings = dict(session.execute(select(O.owner_id, func.avg(m.SupportRequest.support_rating))
                                   .join(O, O.id == m.SupportRequest.opportunity_id)
                                   .where(*where(viewer, Filters()), m.SupportRequest.support_rating.is_not(None),
                                          m.SupportRequest.requested_at >= start, m.SupportRequest.requested_at < end)
                                   .group_by(O.owner_id)).all())

    def rank(values: list, reverse: bool) -> dict[str, int]:
        """Dense rank: reps with the same figure share a place, so a tie is not broken by name order."""
        places = {v: n for n, v in enumerate(sorted({v for _, v in values}, reverse=reverse))}
        return {owner: places[v] for owner, v in values}
    by_rate = rank([(r.owner, r.win_rate or 0) for r in leaders], True)
    by_cycle = rank([(r.owner, r.cycle_days or 0) for r in leaders], False)
    by_help = rank([(r.owner, float(ratings.get(r.owner) or 0)) for r in leaders], True)
    star = min(leaders, key=lambda r: (by_rate[r.owner] + by_cycle[r.owner] + by_help[r.owner], -r.won_amount, r.owner))
    help_ = ratings.get(star.owner)
    lines.append(say("month_star", lang, name=names.get(star.owner, star.owner), rate=texts.pct(star.win_rate),
                     days=texts.days(star.cycle_days, lang), help=f"{float(help_):.1f}" if help_ is not None else "—",
                     amount=money(star.won_amount, "CNY", lang)))
    return lines


def month_report(session: Session, *, viewer, config: Config, today: date, tz: ZoneInfo, lang: str) -> str:
    """Last month for a director: result metrics, the best opportunity, the rep of the month, forecast accuracy."""
    month = resolve("last_month", today)
    lines = [say("month_head", lang, scope=scope_name(viewer, lang), month=f"{month.start:%Y-%m}")]
    for name in ("conversion", "win_rate", "cycle"):
        lines.append(_metric(session, name, viewer=viewer, today=today, tz=tz, lang=lang, period="last_month"))
    lines += _best_and_star(session, viewer=viewer, month=month, tz=tz, lang=lang)
    key = f"{month.start:%Y-%m}"
    teams = [t.name for t in config.teams if viewer.role in ("director", "admin") or t.name == viewer.team_name]
    lines.append(say("month_accuracy", lang, days=ACCURACY_DAYS))
    for team in teams:
        now_ = accuracy(session, team=team, month=key, tz=tz)
        trend = []
        first = month.start
        for _ in range(TREND_MONTHS):
            first = (first - timedelta(days=1)).replace(day=1)
            past = accuracy(session, team=team, month=f"{first:%Y-%m}", tz=tz)
            if past.made_on is not None:
                trend.append(f"{past.month} {_signed(past.error)}")
        lines.append(say("month_accuracy_line", lang, team=team, day=now_.made_on or "—",
                         forecast=money(now_.forecast, "CNY", lang) or "—", actual=money(now_.actual, "CNY", lang),
                         error=_signed(now_.error),
                         trend=("；" if lang == "zh" else "; ").join(reversed(trend)) or "—"))
    return "\n".join(lines)
