"""The candidate index of 查重, kept in tables so every bot process shares it and Python memory stays small:
a check reads a few hundred candidates, never every customer."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from domain.matching import Name, Party, index_keys, read_name
from storage import models as m
from storage.upsert import insert_ignoring_duplicates

OPEN = ("pending", "open")
MAX_POSTINGS = 2000  # an n-gram shared by more customers than this tells nothing: skipped
CANDIDATES = 200


def party_keys(party: Party) -> set[str]:
    keys = index_keys(party.name)
    for alias in party.aliases:
        keys |= {"k:" + alias.key, "c:" + alias.core} | ({"p:" + alias.latin} if len(alias.latin) >= 4 else set())
    keys |= {"t:" + p for p in party.phones} | {"e:" + e for e in party.emails} | {"d:" + d for d in party.domains}
    return keys


def file_customer(session: Session, customer_id: int, party: Party) -> None:
    """Index a customer (new name, alias, contact phone or email); keys already filed are kept once."""
    have = set(session.scalars(select(m.MatchKey.key).where(m.MatchKey.customer_id == customer_id)))
    session.add_all(m.MatchKey(customer_id=customer_id, key=k) for k in party_keys(party) - have)


def candidates(session: Session, party: Party, *, limit: int = CANDIDATES) -> list[int]:
    """Customers sharing an exact key with the party, then those sharing the most n-grams."""
    keys = party_keys(party)
    exact = [k for k in keys if not k.startswith("g:")]
    found = list(session.scalars(select(m.MatchKey.customer_id).where(m.MatchKey.key.in_(exact)).distinct()
                                 .limit(limit)))
    gram_keys = [k for k in keys if k.startswith("g:") and _postings(session, k) < MAX_POSTINGS]
    if gram_keys and len(found) < limit:
        shared = func.count().label("shared")
        rows = session.execute(
            select(m.MatchKey.customer_id, shared).where(m.MatchKey.key.in_(gram_keys))
            .group_by(m.MatchKey.customer_id).order_by(shared.desc()).limit(limit))
        seen = set(found)
        found += [cid for cid, _ in rows if cid not in seen]
    return found[:limit]


def _postings(session: Session, key: str) -> int:
    """How many customers share this key, counted no further than the cut-off."""
    sub = select(m.MatchKey.id).where(m.MatchKey.key == key).limit(MAX_POSTINGS).subquery()
    return session.scalar(select(func.count()).select_from(sub))


@dataclass(frozen=True)
class Holder:
    """An open opportunity on a candidate customer, and what the customer offers for matching."""

    opportunity: m.Opportunity
    party: Party


def holders(session: Session, customer_ids: list[int]) -> list[Holder]:
    """Open (protected) opportunities of these customers, each with its customer's names, phones and emails."""
    if not customer_ids:
        return []
    opps = list(session.scalars(select(m.Opportunity).where(
        m.Opportunity.customer_id.in_(customer_ids), m.Opportunity.status.in_(OPEN))))
    if not opps:
        return []
    ids = {o.customer_id for o in opps}
    aliases, phones, emails = defaultdict(list), defaultdict(set), defaultdict(set)
    for cid, alias in session.execute(select(m.CustomerAlias.customer_id, m.CustomerAlias.alias)
                                      .where(m.CustomerAlias.customer_id.in_(ids))):
        aliases[cid].append(read_name(alias))
    for cid, phone, email in session.execute(select(m.Contact.customer_id, m.Contact.phone, m.Contact.email)
                                             .where(m.Contact.customer_id.in_(ids))):
        if phone:
            phones[cid].add(phone)
        if email:
            emails[cid].add(email)
    return [Holder(o, Party(read_name(o.customer.name), tuple(aliases[o.customer_id]),
                            frozenset(phones[o.customer_id]), frozenset(emails[o.customer_id]))) for o in opps]


def lock_registrations(session: Session) -> None:
    """PostgreSQL: one registration check at a time across every bot process, for variants that share no key.
    SQLite needs nothing: BEGIN IMMEDIATE already serialises writers."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('oppbot:register'))"))


def protect(session: Session, name: Name, opportunity_id: str) -> bool:
    """Claim the customer's core name for this opportunity; False when another holds it (the constraint)."""
    return insert_ignoring_duplicates(session, m.ProtectedKey, {"key": name.core, "opportunity_id": opportunity_id},
                                      conflict_on=["key"])


def unprotect(session: Session, opportunity_id: str) -> None:
    session.query(m.ProtectedKey).filter(m.ProtectedKey.opportunity_id == opportunity_id).delete()


def protected_holder(session: Session, name: Name) -> str | None:
    return session.scalar(select(m.ProtectedKey.opportunity_id).where(m.ProtectedKey.key == name.core))


