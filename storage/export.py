"""`oppbot export --format json`: the public contract (SPEC), field for field. Change it only by adding."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage import models as m


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
