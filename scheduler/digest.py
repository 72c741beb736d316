"""The daily digest (日报) of one team: what happened today, the funnel, conversion, forecast, overdue, risk,
wins and losses, snoozes — and the funnel chart (SPEC "Daily digest")."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from domain.config import Config, Team
from storage import reports as queries
from storage.reports import metrics, resolve
from storage.reports.texts import pct
from domain.wording import money, say, stage_name
from storage.reports.charts import data_uri
from storage.reports.pipeline import funnel_chart
from storage import models as m


def team_digest(session: Session, *, config: Config, team: Team, day: date, lang: str = "zh") -> tuple[str, str]:
    """(text, PNG as a data URI) for the team's digest of `day` in its time zone."""
    tz = config.timezone_of(team)
    start, end = _day_bounds(day, tz)
    viewer = SimpleNamespace(role="manager", team_name=team.name, id=f"digest:{team.name}")  # the team's scope
    in_team = m.Opportunity.team_name == team.name
    new = list(session.scalars(select(m.Opportunity).where(in_team, m.Opportunity.created_at >= start,
                                                           m.Opportunity.created_at < end).order_by(m.Opportunity.id)))
    conflicts = session.execute(
        select(m.Conflict.user_id, m.Conflict.customer, m.Conflict.outcome, m.Conflict.matched_id)
        .join(m.Opportunity, m.Conflict.matched_id == m.Opportunity.id)
        .where(in_team, m.Conflict.at >= start, m.Conflict.at < end, m.Conflict.outcome != "mine")).all()
    closed = list(session.scalars(select(m.Opportunity).where(in_team, m.Opportunity.closed_at >= start,
                                                              m.Opportunity.closed_at < end,
                                                              m.Opportunity.status.in_(("won", "lost")))))
    overdue = Counter(session.scalars(select(m.Opportunity.owner_id).where(
        in_team, m.Opportunity.status == "open", m.Opportunity.follow_up_due < day)))
    snoozed = list(session.scalars(select(m.Opportunity).where(in_team, m.Opportunity.status == "open",
                                                               m.Opportunity.snoozed_until >= day)))
    pending = list(session.scalars(select(m.Opportunity).where(in_team, m.Opportunity.status == "pending")
                                   .order_by(m.Opportunity.created_at)))
    lines = [say("digest_head", lang, team=team.name, day=day.isoformat())]
    lines.append(say("digest_new", lang, n=len(new)).rstrip("：: ") if not new else say("digest_new", lang, n=len(new))
                 + "；".join(f"{o.id} {o.customer.name} @{o.owner_id}" for o in new))
    if conflicts:
        lines.append(say("digest_conflicts", lang, n=len(conflicts)) + "；".join(
            f"{u} → {c}（{outcome}，{matched}）" for u, c, outcome, matched in conflicts))
    lines.append(queries.answer(session, viewer=viewer, config=config, today=day, lang=lang, what="funnel",
                                period=None).text)
    lines.append(say("digest_conversion", lang) + _conversion(session, viewer, day, tz, lang))
    lines.append(queries.answer(session, viewer=viewer, config=config, today=day, lang=lang, what="forecast",
                                period=None).text)
    if overdue:
        lines.append(say("digest_overdue", lang) + "，".join(f"{u} {n}" for u, n in overdue.most_common()))
    risky = _risky(session, team.name)
    if risky:
        lines.append(say("digest_risk", lang) + "；".join(f"{i} {c}（{w}）" for i, c, w in risky))
    for status in ("won", "lost"):
        done = [o for o in closed if o.status == status]
        if done:
            lines.append(say(f"digest_{status}", lang) + "；".join(
                f"{o.id} {o.customer.name} {money(o.budget, o.currency, lang) or ''}".strip() for o in done))
    if pending:  # 报备审核: what waits for the manager
        lines.append(say("digest_pending", lang) + "；".join(f"{o.id} {o.customer.name} @{o.owner_id}" for o in pending))
    if snoozed:
        lines.append(say("digest_snoozed", lang) + "；".join(
            f"{o.id} → {o.snoozed_until}（{o.snooze_reason or '-'}）" for o in snoozed))
    return "\n".join(lines), _chart(session, team, viewer, day, lang)


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, start + timedelta(days=1)


def _conversion(session: Session, viewer, day: date, tz: ZoneInfo, lang: str) -> str:
    """Of the opportunities that ever entered a stage, the share that got further (reports.metrics' definition)."""
    steps = metrics.stage_conversion(session, viewer=viewer, period=resolve("all", day), tz=tz)
    return "，".join(f"{stage_name(s.stage, lang)} {s.moved_on}/{s.entered} {pct(s.rate)}" for s in steps
                    if s.entered) or "-"


def _risky(session: Session, team: str, limit: int = 10) -> list[tuple[str, str, str]]:
    """Open opportunities whose latest follow-up carried cycle-extension signals (SPEC risk words)."""
    earlier = aliased(m.FollowUp)
    latest = select(func.max(earlier.id)).where(earlier.opportunity_id == m.Opportunity.id).scalar_subquery()
    rows = session.execute(
        select(m.Opportunity.id, m.Customer.name, m.FollowUp.risks).join(m.Customer)
        .join(m.FollowUp, m.FollowUp.id == latest)
        .where(m.Opportunity.team_name == team, m.Opportunity.status == "open").limit(200)).all()
    return [(i, c, "、".join(r.get("words", []))) for i, c, r in rows if r and r.get("words")][:limit]


def _chart(session: Session, team: Team, viewer, day: date, lang: str) -> str:
    return data_uri(funnel_chart(session, viewer, say("digest_chart", lang, team=team.name, day=day.isoformat()), lang))
