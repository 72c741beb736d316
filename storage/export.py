"""`oppbot export --format json`: the public contract (SPEC), field for field. Change it only by adding."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.wording import STATUS_NAMES, named, source_name, stage_name
from storage import models as m
from storage.repo import scope


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def export(session: Session, *, tz: ZoneInfo) -> dict:
    """Every opportunity with its contacts, follow-ups and stage history, and every conflict check outcome."""
    def at(value: datetime) -> str:
        return value.astimezone(tz).isoformat()

    opps = session.scalars(select(m.Opportunity).order_by(m.Opportunity.created_at, m.Opportunity.id).options(
        selectinload(m.Opportunity.contacts), selectinload(m.Opportunity.follow_ups),
        selectinload(m.Opportunity.stage_history)))
    trail: dict[str, list[m.AuditEntry]] = {}
    for entry in session.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "opportunity")
                                 .order_by(m.AuditEntry.id)):
        trail.setdefault(entry.entity_id, []).append(entry)
    out = []
    for o in opps:
        item = {
            "id": o.id, "customer": o.customer.name, "owner": o.owner_id, "team": o.team_name,
            "stage": o.stage, "status": o.status,
            "contacts": [{"name": c.name, "title": c.title, "role": c.role, "phone": c.phone, "email": c.email}
                         for c in o.contacts],
            "need": o.need, "budget": _number(o.budget), "currency": o.currency,
            "expected_close": _day(o.expected_close), "source": o.source, "industry": o.industry,
            "score": o.score, "protected_until": _day(o.protected_until), "flag": o.flag,
            "follow_ups": [{"at": at(f.at), "by": f.by, "channel": f.channel, "content": f.content,
                            "next_action": f.next_action, "next_action_date": _day(f.next_action_date)}
                           for f in o.follow_ups],
            "stage_history": [{"at": at(h.at), "from": h.from_stage, "to": h.to_stage, "by": h.by}
                              for h in o.stage_history],
            "need_fit": dict(o.need_fit or {}),  # added (issue 13): the need-fit items as rated, 0–10 each
            "audit": [{"at": at(a.at), "by": a.user_id, "action": a.action, "detail": a.detail, "message": a.message}
                      for a in trail.get(o.id, [])],  # added (issue 13): every change, who, when, from which message
        }
        if o.flag:
            item["matched"] = o.matched_id
        if o.status == "lost":  # added (issue 13): seed 001's 丢单分析表
            item["loss"] = {"reason": o.lost_reason, "competitor": o.competitor, **(o.loss_analysis or {})}
        out.append(item)
    conflicts = [{"at": at(c.at), "user": c.user_id, "customer": c.customer, "outcome": c.outcome,
                  "matched": c.matched_id, "owner": c.owner_id}
                 for c in session.scalars(select(m.Conflict).order_by(m.Conflict.id))]
    return {"opportunities": out, "conflicts": conflicts}


# The columns a user would import (handlers.importing reads these headers back), in the org's language.
TABLE_COLUMNS = (("编号", "ID"), ("客户名称", "Customer"), ("联系人", "Contact"), ("职位", "Title"), ("手机", "Phone"),
                 ("邮箱", "Email"), ("需求", "Need"), ("预算", "Budget"), ("币种", "Currency"),
                 ("预计成交", "Expected close"), ("来源", "Source"), ("行业", "Industry"), ("阶段", "Stage"),
                 ("状态", "Status"), ("负责人", "Owner"), ("最近跟进", "Last follow-up"), ("下次跟进", "Next follow-up"))


def table(session: Session, *, lang: str, config, viewer: m.User | None = None,
          owner: str | None = None) -> tuple[list[str], list[list]]:
    """Every opportunity the viewer may see (everyone's without one; only `owner`'s, given one) as a sheet's rows,
    oldest first."""
    q = select(m.Opportunity).order_by(m.Opportunity.created_at, m.Opportunity.id).options(
        selectinload(m.Opportunity.contacts), selectinload(m.Opportunity.follow_ups))
    if viewer is not None:
        q = q.where(scope(viewer))
    if owner is not None:
        q = q.where(m.Opportunity.owner_id == owner)
    rows = []
    for o in session.scalars(q):
        c = o.contacts[0] if o.contacts else None
        last = max(o.follow_ups, key=lambda f: f.at) if o.follow_ups else None
        rows.append([o.id, o.customer.name, c and c.name, c and c.title, c and c.phone, c and c.email, o.need,
                     float(o.budget) if o.budget is not None else None, o.currency, o.expected_close,
                     source_name(o.source, lang) if o.source else None, o.industry, stage_name(o.stage, lang),
                     named(STATUS_NAMES, o.status, lang), config.name_of(o.owner_id),
                     last.content if last else None, o.follow_up_due])
    return [zh if lang == "zh" else en for zh, en in TABLE_COLUMNS], rows
