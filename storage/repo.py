"""Queries and writes, every read scoped by the viewer's role (SPEC: each user sees only what their role allows)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session

from domain.config import Config
from storage import models as m
from storage.upsert import increment_counter, insert_ignoring_duplicates

OPEN_STATUSES = ("pending", "open")
ALL_STATUSES = ("pending", "open", "won", "lost", "invalid", "public")


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
    """`YYYY-REGION-NNN`; one atomic upsert, so concurrent registrations never share a number. In a batch of
    registrations (an import) only the first of each counter goes to the database, which then holds that row for
    the transaction; the rest count on from it and `issuing_ids` writes where they got to."""
    issued = session.info.get(ISSUED)
    if issued is not None and (year, region) in issued:
        n = issued[year, region] = issued[year, region] + 1
    else:
        n = increment_counter(session, m.IdSequence, {"year": year, "region": region})
        if issued is not None:
            issued[year, region] = n
    return f"{year}-{region}-{n:03d}"


ISSUED = "oppbot.issued_ids"  # session.info, in a batch: (year, region) → the last number handed out


@contextmanager
def issuing_ids(session: Session) -> Iterator[None]:
    """Opportunity numbers for a batch of registrations, written back at the end as far as they got (one row
    bumped thousands of times in one transaction would leave PostgreSQL a chain of row versions to walk on every
    bump)."""
    session.info[ISSUED] = {}
    try:
        yield
        for (year, region), n in session.info[ISSUED].items():
            session.execute(update(m.IdSequence).where(m.IdSequence.year == year, m.IdSequence.region == region)
                            .values(last=n))
    finally:
        session.info.pop(ISSUED, None)


def scope(viewer: m.User):
    """What a viewer may see: reps their own, managers their team's, directors and admins everything."""
    if viewer.role == "rep":  # their own, and what a manager shared with them
        return or_(m.Opportunity.owner_id == viewer.id, m.Opportunity.id.in_(
            select(m.OpportunityShare.opportunity_id).where(m.OpportunityShare.user_id == viewer.id)))
    if viewer.role == "manager":
        return m.Opportunity.team_name == viewer.team_name
    if viewer.role in ("presales", "cs"):  # what they were asked to support, nothing else
        return m.Opportunity.id.in_(select(m.SupportRequest.opportunity_id).where(m.SupportRequest.kind == viewer.role))
    return true()


def _visible(viewer: m.User):
    return select(m.Opportunity).where(scope(viewer))


def visible_opportunity(session: Session, viewer: m.User, opp_id: str) -> m.Opportunity | None:
    return session.scalars(_visible(viewer).where(m.Opportunity.id == opp_id)).first()


def any_opportunity(session: Session, opp_id: str) -> m.Opportunity | None:
    """Unscoped: only for facts anyone may learn (the public pool, a conflict's owner and end date)."""
    return session.get(m.Opportunity, opp_id)


def visible_by_customer(session: Session, viewer: m.User, key: str, *, statuses=OPEN_STATUSES,
                        limit: int = 10) -> list[m.Opportunity]:
    """Opportunities whose customer's normalised name contains `key` (腾讯 → 深圳市腾讯计算机系统有限公司)."""
    if not key:
        return []
    like = "%" + key.replace("\\", "").replace("%", "").replace("_", "") + "%"
    q = select(m.Opportunity).join(m.Customer).where(
        m.Customer.normalized_name.like(like), m.Opportunity.status.in_(statuses),
        or_(scope(viewer), m.Opportunity.status == "public"))  # the pool is everyone's to see
    return list(session.scalars(q.order_by(m.Opportunity.id).limit(limit)))


def owned_opportunities(session: Session, owner_id: str, *, statuses=OPEN_STATUSES) -> list[m.Opportunity]:
    return list(session.scalars(
        select(m.Opportunity).where(m.Opportunity.owner_id == owner_id, m.Opportunity.status.in_(statuses))
        .order_by(m.Opportunity.follow_up_due, m.Opportunity.id)
    ))


def own_open_matching(session: Session, owner_id: str, query: str, *, limit: int = 100) -> list[tuple[str, str]]:
    """(ID, customer) of the owner's open opportunities whose ID or customer contains `query`: a picker's choices."""
    q = select(m.Opportunity.id, m.Customer.name).join(m.Customer).where(
        m.Opportunity.owner_id == owner_id, m.Opportunity.status.in_(OPEN_STATUSES))
    key = query.strip().replace("\\", "").replace("%", "").replace("_", "")
    if key:
        like = f"%{key}%"
        q = q.where(or_(m.Opportunity.id.ilike(like), m.Customer.name.ilike(like)))
    return [(i, name) for i, name in session.execute(q.order_by(m.Opportunity.updated_at.desc()).limit(limit))]


def visible_open(session: Session, viewer: m.User, *, due_by=None, limit: int = 200) -> list[m.Opportunity]:
    q = _visible(viewer).where(m.Opportunity.status.in_(OPEN_STATUSES))
    if due_by is not None:
        q = q.where(m.Opportunity.follow_up_due <= due_by)
    return list(session.scalars(q.order_by(m.Opportunity.follow_up_due, m.Opportunity.id).limit(limit)))


def funnel(session: Session, viewer: m.User) -> list[tuple]:
    """(stage, currency, count, Σ budget) over open opportunities in the viewer's scope."""
    q = (select(m.Opportunity.stage, m.Opportunity.currency, func.count(), func.sum(m.Opportunity.budget))
         .where(scope(viewer), m.Opportunity.status == "open")
         .group_by(m.Opportunity.stage, m.Opportunity.currency))
    return list(session.execute(q))


def audit_trail(session: Session, opportunity_id: str) -> list[m.AuditEntry]:
    """Every audited change of one opportunity, oldest first (the caller has checked it may be seen)."""
    return list(session.scalars(select(m.AuditEntry).where(
        m.AuditEntry.entity == "opportunity", m.AuditEntry.entity_id == opportunity_id).order_by(m.AuditEntry.id)))


def first_delivery(session: Session, *, platform: str, event_id: str, at: datetime) -> bool:
    """Record a platform event id (Slack event_id, WeCom MsgId); False when it was seen before — a platform's
    retry of something already handled. A retry whose original never arrived is the first delivery."""
    return insert_ignoring_duplicates(session, m.InboundEvent, dict(platform=platform, event_id=event_id,
                                                                    received_at=at),
                                      conflict_on=["platform", "event_id"])
