"""Queries and writes, every read scoped by the viewer's role (SPEC: each user sees only what their role allows)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.config import Config
from storage import models as m
from storage.upsert import increment_counter

OPEN_STATUSES = ("pending", "open")


def sync_config(session: Session, config: Config) -> None:
    """Make the org, teams, users and platform identities in the database match the config file."""
    org = session.get(m.OrgSettings, 1) or m.OrgSettings(id=1)
    org.name, org.timezone, org.holidays = config.org.name, config.org.timezone, config.org.holidays
    org.protection_days, org.registration_review = config.org.protection_days, config.org.registration_review
    session.add(org)
    for t in config.teams:
        row = session.get(m.Team, t.name) or m.Team(name=t.name)
        row.region, row.manager_id, row.group_chat = t.region, t.manager, t.group_chat
        row.digest_time, row.timezone = t.digest_time, t.timezone
        session.add(row)
    session.flush()
    known = {u.id for u in config.users}
    for row in session.scalars(select(m.User)):
        row.active = row.id in known  # users leave the config, their records stay
    for u in config.users:
        row = session.get(m.User, u.id) or m.User(id=u.id, lang=u.lang or "zh")
        row.name, row.role, row.team_name, row.active = u.name, u.role, u.team, True
        if u.lang:
            row.lang = u.lang
        session.add(row)
    session.flush()
    wanted = {(p, ext): u.id for u in config.users for p, ext in (("slack", u.slack), ("wecom", u.wecom)) if ext}
    for ident in session.scalars(select(m.PlatformIdentity)):
        if wanted.get((ident.platform, ident.external_id)) != ident.user_id:
            session.delete(ident)  # a mapping, not a business record
    session.flush()
    have = {(i.platform, i.external_id) for i in session.scalars(select(m.PlatformIdentity))}
    for (platform, ext), user_id in wanted.items():
        if (platform, ext) not in have:
            session.add(m.PlatformIdentity(platform=platform, external_id=ext, user_id=user_id))


def next_opportunity_id(session: Session, *, year: int, region: str) -> str:
    """`YYYY-REGION-NNN`; one atomic upsert, so concurrent registrations never share a number."""
    n = increment_counter(session, m.IdSequence, {"year": year, "region": region})
    return f"{year}-{region}-{n:03d}"


def _visible(viewer: m.User):
    """The WHERE clause of what a viewer may see: reps their own, managers their team's, directors all."""
    q = select(m.Opportunity)
    if viewer.role == "rep":
        return q.where(m.Opportunity.owner_id == viewer.id)
    if viewer.role == "manager":
        return q.where(m.Opportunity.team_name == viewer.team_name)
    return q


def visible_opportunity(session: Session, viewer: m.User, opp_id: str) -> m.Opportunity | None:
    return session.scalars(_visible(viewer).where(m.Opportunity.id == opp_id)).first()


def owned_opportunities(session: Session, owner_id: str, *, statuses=OPEN_STATUSES) -> list[m.Opportunity]:
    return list(session.scalars(
        select(m.Opportunity).where(m.Opportunity.owner_id == owner_id, m.Opportunity.status.in_(statuses))
        .order_by(m.Opportunity.follow_up_due, m.Opportunity.id)
    ))


def opportunity_with_history(session: Session, opp_id: str) -> m.Opportunity | None:
    return session.scalars(
        select(m.Opportunity).where(m.Opportunity.id == opp_id).options(
            selectinload(m.Opportunity.contacts), selectinload(m.Opportunity.follow_ups),
            selectinload(m.Opportunity.stage_history))
    ).first()


def audit(session: Session, *, at: datetime, user_id: str, action: str, entity: str, entity_id: str,
          detail: dict[str, Any], message: str | None) -> None:
    session.add(m.AuditEntry(at=at, user_id=user_id, action=action, entity=entity, entity_id=entity_id,
                             detail=detail, message=message))
