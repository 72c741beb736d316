"""The one home of an opportunity's state changes: stage, status, owner, sharing, protection and fields.

Each function writes the change together with what must go with it — the stage history, the match-index and
protected-key rows, and the audit entry (SPEC: who, when, and the message or job it came from) — inside the
caller's transaction. Nothing else in the code sets these fields.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterator

from sqlalchemy.orm import Session

from domain.matching import Party, read_name
from storage import matchindex, repo
from storage import models as m

# What `update` may set: the registration's fields and the record's bookkeeping, never status/owner/stage.
FIELDS = frozenset({
    "need", "budget", "currency", "budget_approved", "in_annual_plan", "expected_close", "source", "industry",
    "need_fit", "score", "protected_until", "flag", "matched_id", "next_action", "next_action_date",
    "follow_up_due", "requested_stage", "snoozed_until", "snooze_reason", "last_touch_at", "review", "reviewed_at",
    "lost_reason", "competitor", "close_note", "loss_analysis",
})
# Bookkeeping the audit entry need not repeat: it follows from the change it is written with.
QUIET = frozenset({"follow_up_due", "last_touch_at", "reviewed_at"})


@dataclass(frozen=True)
class Actor:
    """Who made a change and what it came from: a user and their message, or a scheduled job by name."""
    user_id: str
    message: str | None = None

    @classmethod
    def job(cls, name: str) -> Actor:
        return cls(user_id="scheduler", message=f"job:{name}")


CHANGED = "oppbot.changed"  # session.info: an opportunity changed in this transaction


def changed(session: Session) -> bool:
    return bool(session.info.get(CHANGED))


class Taken(Exception):
    """The protected-key constraint refused a second owner: another process won this customer a moment ago.
    `handlers.handle` retries the message once, and the retry sees the owner."""


def create(session: Session, opp: m.Opportunity, party: Party, *, new_customer: bool, actor: Actor, at: datetime,
           **detail) -> None:
    """A registration: the record, its first stage-history row, its customer's index keys and protection. In a
    `batch`, the index and protection rows follow at the batch's flush, each table in one statement."""
    opp.stage_history = [m.StageChange(at=at, from_stage=None, to_stage=opp.stage, by=actor.user_id)]
    session.add(opp)
    record(session, opp, "register", actor=actor, at=at, **detail)
    pending = session.info.get(BATCH)
    if pending is not None:
        pending.append((opp, party, new_customer))
        return
    if opp.status in ("pending", "open"):
        if not matchindex.protect(session, party.name, opp.id):
            raise Taken(party.name.core)
    else:
        session.flush()  # the customer's id, for its index keys (protect's statement flushed it)
    matchindex.file_customer(session, opp.customer.id, party, new=new_customer)


BATCH = "oppbot.batch"  # session.info: the registrations of a batch whose index rows are still to be written


@contextmanager
def batch(session: Session) -> Iterator[None]:
    """Registrations in bulk (an import): nothing is flushed until `flush_batch` writes the batch — the records,
    then every index key and protected key of it in one statement each. Reads in between do not see the batch:
    the caller flushes before a read that the batch could change (see handlers.importing)."""
    session.info[BATCH] = []
    try:
        with session.no_autoflush, repo.issuing_ids(session):
            yield
            flush_batch(session)
    finally:
        session.info.pop(BATCH, None)


def flush_batch(session: Session) -> None:
    pending, session.info[BATCH] = session.info[BATCH], []
    session.flush()
    held = [(party.name, opp.id) for opp, party, _ in pending if opp.status in ("pending", "open")]
    if held and not matchindex.protect_many(session, held):
        raise Taken(", ".join(name.core for name, _ in held))
    matchindex.file_customers(session, [(opp.customer.id, party, new) for opp, party, new in pending])


def record(session: Session, opp: m.Opportunity, action: str, *, actor: Actor, at: datetime, **detail) -> None:
    """The audit entry for a change (or a request, such as a stage sent for approval) on one opportunity; the
    session remembers that something changed (a front end then refreshes what shows the pipeline, e.g. App Home)."""
    session.info[CHANGED] = True
    session.add(m.AuditEntry(at=at, user_id=actor.user_id, action=action, entity="opportunity", entity_id=opp.id,
                             detail={k: _plain(v) for k, v in detail.items()}, message=actor.message))


def update(session: Session, opp: m.Opportunity, *, actor: Actor, at: datetime, action: str,
           detail: dict | None = None, rescore: Callable[[m.Opportunity], int] | None = None,
           **fields) -> dict[str, list]:
    """Set fields and write one audit entry with each changed field's old and new value (and `detail`, what the
    action was about); returns the changes. `rescore` recomputes the health score from the fields as they now are."""
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValueError(f"not a field lifecycle.update sets: {sorted(unknown)}")
    changes = _set(opp, fields)
    if rescore is not None:
        changes.update(_set(opp, {"score": rescore(opp)}))
    said = _said(changes)
    if said or detail:  # a correction to the value it already had is no change, and leaves no trace
        opp.updated_at = at
        record(session, opp, action, actor=actor, at=at, **(detail or {}), **({"changes": said} if said else {}))
    return changes


def _said(changes: dict[str, list]) -> dict[str, list]:
    """The changes an audit entry names (bookkeeping that follows from them left out)."""
    return {k: v for k, v in changes.items() if k not in QUIET}


def _set(opp: m.Opportunity, fields: dict[str, Any]) -> dict[str, list]:
    changes = {}
    for name, value in fields.items():
        old = getattr(opp, name)
        if old != value:
            setattr(opp, name, value)
            changes[name] = [_plain(old), _plain(value)]
    return changes


def move(session: Session, opp: m.Opportunity, target: str, *, actor: Actor, at: datetime, action: str = "advance",
         due: date | None = None, **detail) -> None:
    """A stage change, forward or back, with its stage-history row; a pending stage request is settled by it."""
    source = opp.stage
    _enter(opp, target, at=at, by=actor.user_id)
    opp.stage, opp.requested_stage, opp.updated_at, opp.stage_entered_at = target, None, at, at
    opp.follow_up_due = due
    record(session, opp, action, actor=actor, at=at, stage=target, **{"from": source}, **detail)


def _enter(opp: m.Opportunity, stage: str, *, at: datetime, by: str) -> None:
    """A stage-history row; the stay it ends learns when it ended and where to (reports: days in each stage,
    stage conversion)."""
    if opp.stage_history:
        opp.stage_history[-1].left_at, opp.stage_history[-1].left_to = at, stage
    opp.stage_history.append(m.StageChange(at=at, from_stage=opp.stage, to_stage=stage, by=by))


def close(session: Session, opp: m.Opportunity, status: str, *, actor: Actor, at: datetime, **fields) -> None:
    """Won/lost close the stage; invalid keeps the stage it died in. Protection ends either way and the customer
    is free for the next registration."""
    if status in ("won", "lost"):
        _enter(opp, "closed", at=at, by=actor.user_id)
        opp.stage = "closed"
    changes = _set(opp, {**fields, "requested_stage": None, "follow_up_due": None, "protected_until": None})
    opp.status, opp.closed_at, opp.updated_at = status, at, at
    matchindex.unprotect(session, opp.id)
    record(session, opp, status, actor=actor, at=at, changes=_said(changes))


def approve_registration(session: Session, opp: m.Opportunity, *, actor: Actor, at: datetime) -> None:
    """报备审核 passed: the pending registration is open (its customer was held for it all along)."""
    opp.status, opp.updated_at = "open", at
    record(session, opp, "registration_approved", actor=actor, at=at)


def release(session: Session, opp: m.Opportunity, *, actor: Actor, at: datetime) -> None:
    """SPEC 公海: protection ended, the opportunity goes to the public pool; its owner waits out a cooldown."""
    owner = opp.owner_id
    opp.status, opp.previous_owner_id, opp.released_at, opp.updated_at = "public", owner, at, at
    opp.follow_up_due = None
    matchindex.unprotect(session, opp.id)
    record(session, opp, "release", actor=actor, at=at, previous_owner=owner)


def claim(session: Session, opp: m.Opportunity, *, owner_id: str, team_name: str, protected_until: date,
          due: date | None, actor: Actor, at: datetime) -> bool:
    """A public opportunity to a new owner; False when its customer was registered again since its release."""
    if not matchindex.protect(session, read_name(opp.customer.name), opp.id):
        return False
    previous = opp.previous_owner_id
    opp.owner_id, opp.team_name, opp.status = owner_id, team_name, "open"
    opp.protected_until, opp.follow_up_due = protected_until, due
    opp.last_touch_at = opp.updated_at = at
    record(session, opp, "claim", actor=actor, at=at, previous_owner=previous, protected_until=protected_until)
    return True


def assign(session: Session, opp: m.Opportunity, *, owner_id: str, team_name: str | None, actor: Actor,
           at: datetime, **detail) -> None:
    """A manager hands the opportunity to another rep (an approved override)."""
    previous = opp.owner_id
    opp.owner_id, opp.updated_at = owner_id, at
    if team_name:
        opp.team_name = team_name
    record(session, opp, "reassign", actor=actor, at=at, previous_owner=previous, owner=owner_id, **detail)


def share(session: Session, opp: m.Opportunity, *, user_id: str, actor: Actor, at: datetime, **detail) -> None:
    """A rep works the opportunity beside its owner (an approved override, shared)."""
    session.add(m.OpportunityShare(opportunity_id=opp.id, user_id=user_id, at=at, by=actor.user_id))
    opp.updated_at = at
    record(session, opp, "share", actor=actor, at=at, user=user_id, **detail)


def set_contact(session: Session, opp: m.Opportunity, *, name: str, actor: Actor, at: datetime,
                rescore: Callable[[m.Opportunity], int] | None = None, **fields) -> tuple[m.Contact, dict, bool]:
    """A person of the decision chain added, or corrected by name (title, phone, email, role): (contact, the
    changes, whether they are new). Fields given as None are left as they are."""
    contact = next((c for c in opp.contacts if c.name and c.name.casefold() == name.casefold()), None)
    new = contact is None
    given = {k: v for k, v in fields.items() if v is not None}
    if new:
        contact = m.Contact(customer=opp.customer, name=name, role=given.pop("role", "user"))
        opp.contacts.append(contact)
        changes = {"name": [None, name], "role": [None, contact.role]}
    else:
        changes = {}
    for key, value in given.items():
        old = getattr(contact, key)
        if old != value:
            setattr(contact, key, value)
            changes[key] = [old, value]
    if not changes:
        return contact, {}, False
    score = {}
    if rescore is not None:
        score = _set(opp, {"score": rescore(opp)})
    opp.updated_at = at
    record(session, opp, "contact", actor=actor, at=at, contact=name, changes={**changes, **score})
    return contact, {**changes, **score}, new


def ask_support(session: Session, opp: m.Opportunity, *, kind: str, what: str, needed_by: date | None,
                actor: Actor, at: datetime) -> m.SupportRequest:
    """Seed 001 五(二): a rep asks presales or customer success for help on the opportunity."""
    request = m.SupportRequest(opportunity_id=opp.id, kind=kind, what=what, needed_by=needed_by,
                               requested_by=actor.user_id, requested_at=at, status="requested")
    session.add(request)
    record(session, opp, "support_request", actor=actor, at=at, kind=kind, what=what, needed_by=needed_by)
    return request


def answer_support(session: Session, opp: m.Opportunity, request: m.SupportRequest, *, accept: bool,
                   reason: str | None, actor: Actor, at: datetime) -> None:
    """The supporting team accepts, or refuses with a reason."""
    request.status = "accepted" if accept else "refused"
    request.answered_by, request.answered_at, request.reason = actor.user_id, at, reason
    record(session, opp, f"support_{request.status}", actor=actor, at=at, kind=request.kind, reason=reason)


def rate_support(session: Session, opp: m.Opportunity, request: m.SupportRequest, *, rating: int, by_requester: bool,
                 actor: Actor, at: datetime) -> None:
    """Seed 001's 协作评价表: the rep rates the support, the supporter the collaboration."""
    if by_requester:
        request.rating = rating
    else:
        request.support_rating = rating
    record(session, opp, "support_rated", actor=actor, at=at, rating=rating)


def rename_customer(session: Session, opp: m.Opportunity, name: str, *, actor: Actor, at: datetime,
                    customer: m.Customer | None = None) -> None:
    """The customer corrected after registration: the opportunity moves to that customer record (an existing one
    when given, else a new one), and its protection moves to the new core name."""
    old = opp.customer.name
    party = Party(read_name(name))
    if customer is None:
        customer = m.Customer(name=name, normalized_name=party.name.key, created_at=at)
        session.add(customer)
        session.flush()
        matchindex.file_customer(session, customer.id, party, new=True)
    opp.customer = customer
    for contact in opp.contacts:
        contact.customer = customer
    if opp.status in ("pending", "open"):
        matchindex.unprotect(session, opp.id)
        if not matchindex.protect(session, party.name, opp.id):
            raise Taken(name)
    opp.updated_at = at
    record(session, opp, "edit", actor=actor, at=at, changes={"customer": [old, name]})


def _plain(value):
    """A value as the audit's JSON keeps it."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
