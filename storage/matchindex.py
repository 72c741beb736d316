"""The candidate index of 查重, kept in tables so every bot process shares it and Python memory stays small:
a check reads a few hundred candidates, never every customer."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from functools import lru_cache

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from domain.matching import Name, Party, Signal, compare, index_keys, read_name, rules_fingerprint
from storage import models as m
from storage.upsert import insert_ignoring_duplicates, insert_many_ignoring_duplicates, insert_tuples

OPEN = ("pending", "open")
MAX_POSTINGS = 500  # an n-gram shared by more customers than this tells little: skipped
RAREST_GRAMS = 6  # the few rarest n-grams of a name find its look-alikes; the rest only add rows to count
CANDIDATES = 30


def party_keys(party: Party) -> set[str]:
    keys = index_keys(party.name)
    for alias in party.aliases:
        keys |= {"k:" + alias.key, "c:" + alias.core} | ({"p:" + alias.latin} if len(alias.latin) >= 4 else set())
    keys |= {"t:" + p for p in party.phones} | {"e:" + e for e in party.emails} | {"d:" + d for d in party.domains}
    return keys


def file_customer(session: Session, customer_id: int, party: Party, *, new: bool = False) -> None:
    """Index a customer (new name, alias, contact phone or email); keys already filed are kept once."""
    file_customers(session, [(customer_id, party, new)])


def file_customers(session: Session, customers: list[tuple[int, Party, bool]]) -> None:
    """Index many customers at once — (id, party, new) each — in one executemany (a batch of imported rows)."""
    old = {cid for cid, _, new in customers if not new}
    filed = set(session.execute(select(m.MatchKey.customer_id, m.MatchKey.key).where(
        m.MatchKey.customer_id.in_(old))).tuples()) if old else set()
    rows = [{"customer_id": cid, "key": k} for cid, party, _ in customers for k in sorted(party_keys(party))
            if (cid, k) not in filed]
    if rows:  # one Core executemany, not one INSERT … RETURNING per key nor the ORM's bulk path
        session.connection().execute(insert(m.MatchKey.__table__), rows)


# Fixed statements with expanding IN lists: compiled once, run many times (the check is on every registration).
_BY_GRAMS = text("SELECT customer_id, COUNT(*) AS shared FROM match_keys WHERE key IN :keys "
                 "GROUP BY customer_id ORDER BY shared DESC LIMIT :limit").bindparams(bindparam("keys", expanding=True))
# A candidate's name when it has an open opportunity, its aliases and its contacts' phones and e-mails: one round trip.
_HOLDERS = text(
    "SELECT c.id, 'n', c.name, NULL FROM customers c WHERE c.id IN :ids AND EXISTS (SELECT 1 FROM opportunities o "
    "WHERE o.customer_id = c.id AND o.status IN ('pending', 'open')) "
    "UNION ALL SELECT customer_id, 'a', alias, NULL FROM customer_aliases WHERE customer_id IN :ids "
    "UNION ALL SELECT customer_id, 't', phone, email FROM contacts WHERE customer_id IN :ids "
    "AND (phone IS NOT NULL OR email IS NOT NULL)").bindparams(bindparam("ids", expanding=True))


def candidates(session: Session, party: Party, *, limit: int = CANDIDATES,
               relied: set[str] | None = None) -> list[int]:
    """Customers sharing an exact key with the party, then those sharing the most of its rarest n-grams.
    `relied` is filled with the keys the answer rests on: a customer filed under none of them could not change it
    (the exact keys and the n-grams under the cut-off; one over it stays over it as customers are added)."""
    keys = party_keys(party)
    exact = [k for k in keys if not k.startswith("g:")]
    grams = sorted(k for k in keys if k.startswith("g:"))
    found, postings = _exact_and_postings(session, exact, grams, limit)
    counted = sorted(zip(postings, grams))
    rare = [k for n, k in counted if n < MAX_POSTINGS][:RAREST_GRAMS]
    if relied is not None:
        relied.update(exact, (k for n, k in counted if n < MAX_POSTINGS))
    if rare and len(found) < limit:
        seen = set(found)
        found += [cid for cid, _ in session.execute(_BY_GRAMS, {"keys": rare, "limit": limit}) if cid not in seen]
    return found[:limit]


@lru_cache(maxsize=64)
def _exact_and_postings_statement(n: int):
    """One round trip: the customers filed under an exact key (row -1 each), and for each of n keys how many
    customers share it, counted no further than the cut-off (row i)."""
    parts = ["SELECT -1 AS i, customer_id AS v FROM (SELECT DISTINCT customer_id FROM match_keys "
             "WHERE key IN :exact LIMIT :limit) AS x"]
    parts += [f"SELECT {i}, (SELECT COUNT(*) FROM (SELECT 1 FROM match_keys WHERE key = :k{i} "
              f"LIMIT {MAX_POSTINGS}) AS t{i})" for i in range(n)]
    return text(" UNION ALL ".join(parts)).bindparams(bindparam("exact", expanding=True))


def _exact_and_postings(session: Session, exact: list[str], grams: list[str],
                        limit: int) -> tuple[list[int], list[int]]:
    rows = session.execute(_exact_and_postings_statement(len(grams)),
                           {"exact": exact, "limit": limit, **{f"k{i}": k for i, k in enumerate(grams)}}).all()
    postings = [0] * len(grams)
    for i, v in rows:
        if i >= 0:
            postings[i] = v
    return [v for i, v in rows if i < 0], postings


@dataclass(frozen=True)
class Holder:
    """A candidate customer that has an open opportunity, and what it offers for matching."""

    customer_id: int
    party: Party


def holders(session: Session, customer_ids: list[int]) -> list[Holder]:
    """Candidates with an open (protected) opportunity, read as plain rows: no ORM objects until one matches."""
    if not customer_ids:
        return []
    names, aliases, phones, emails = {}, defaultdict(list), defaultdict(set), defaultdict(set)
    for cid, kind, value, email in session.execute(_HOLDERS, {"ids": customer_ids}):
        if kind == "n":
            names[cid] = value
        elif kind == "a":
            aliases[cid].append(read_name(value))
        else:
            phones[cid] |= {value} if value else set()
            emails[cid] |= {email} if email else set()
    return [Holder(cid, Party(read_name(name), tuple(aliases[cid]), frozenset(phones[cid]), frozenset(emails[cid])))
            for cid, name in names.items()]


def matches(session: Session, party: Party, *, relied: set[str] | None = None) -> list[tuple[int, Signal]]:
    """查重: (customer id, signal) of every candidate with an open opportunity that matches, strongest first — for
    a registration (handlers.dedupe) and for a WeCom external contact's company (scheduler.contacts) alike."""
    found = [(h.customer_id, s) for h in holders(session, candidates(session, party, relied=relied))
             if (s := compare(party, h.party)) is not None]
    return sorted(found, key=lambda f: (f[1].strength == "strong", f[1].score), reverse=True)


def open_opportunity(session: Session, customer_id: int) -> m.Opportunity | None:
    """The customer's open opportunity (the one protecting it), oldest first."""
    return session.scalars(select(m.Opportunity).where(
        m.Opportunity.customer_id == customer_id, m.Opportunity.status.in_(OPEN)).order_by(m.Opportunity.created_at)
    ).first()


REFILE_ROWS = 20_000  # index rows a statement when refiling everyone


def rebuild_if_rules_changed(session: Session) -> int:
    """Refile every customer and re-protect every open opportunity when the matching rules have changed since
    the index was built (a new generic word changes core names). Returns how many customers were refiled.

    The keys go in by Core executemany with the index's own indexes dropped and built again once at the end (far
    faster than keeping them up to date row by row: a million customers are about ten million keys). Inside the
    transaction: other processes' checks wait for it rather than read a half-filed index."""
    current = rules_fingerprint()
    state = session.get(m.IndexState, "match")
    if state is not None and state.version == current:
        return 0
    session.execute(delete(m.MatchKey))
    session.execute(delete(m.ProtectedKey))
    aliases, phones, emails = defaultdict(list), defaultdict(set), defaultdict(set)
    for cid, alias in session.execute(select(m.CustomerAlias.customer_id, m.CustomerAlias.alias)):
        aliases[cid].append(read_name(alias))
    for cid, phone, email in session.execute(select(m.Contact.customer_id, m.Contact.phone, m.Contact.email)):
        phones[cid] |= {phone} if phone else set()
        emails[cid] |= {email} if email else set()
    customers = session.execute(select(m.Customer.id, m.Customer.name)).all()  # read before the DDL below
    connection, table = session.connection(), m.MatchKey.__table__
    for index in table.indexes:
        index.drop(connection)
    rows, names = [], {}
    for cid, name in customers:
        names[cid] = read_name(name)  # read once: a million names do not fit read_name's cache
        party = Party(names[cid], tuple(aliases[cid]), frozenset(phones[cid]), frozenset(emails[cid]))
        rows += ((cid, k) for k in party_keys(party))
        if len(rows) >= REFILE_ROWS:
            insert_tuples(session, table, ("customer_id", "key"), rows)
            rows = []
    insert_tuples(session, table, ("customer_id", "key"), rows)
    for index in table.indexes:
        index.create(connection)
    held = [(names[cid].core, opp_id) for opp_id, cid in session.execute(
        select(m.Opportunity.id, m.Opportunity.customer_id).where(m.Opportunity.status.in_(OPEN))
        .order_by(m.Opportunity.created_at, m.Opportunity.id))]
    # the oldest holder keeps a shared core name: the later ones are skipped
    insert_tuples(session, m.ProtectedKey.__table__, ("key", "opportunity_id"), held, ignoring_duplicates=True)
    session.merge(m.IndexState(name="match", version=current))
    return len(customers)


def lock_registrations(session: Session) -> None:
    """PostgreSQL: one registration check at a time across every bot process, for variants that share no key.
    SQLite needs nothing: BEGIN IMMEDIATE already serialises writers. Taken once a transaction (an import checks
    thousands of rows in one)."""
    if session.get_bind().dialect.name == "postgresql" and session.info.get(_LOCKED) is not session.get_transaction():
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('oppbot:register'))"))
        session.info[_LOCKED] = session.get_transaction()


_LOCKED = "oppbot.registration_lock"  # session.info: the transaction that holds the registration lock


def protect(session: Session, name: Name, opportunity_id: str) -> bool:
    """Claim the customer's core name for this opportunity; False when another holds it (the constraint)."""
    return insert_ignoring_duplicates(session, m.ProtectedKey, {"key": name.core, "opportunity_id": opportunity_id},
                                      conflict_on=["key"])


def protect_many(session: Session, held: list[tuple[Name, str]]) -> bool:
    """Claim many core names at once — (name, opportunity id) each; False when any was held already."""
    rows = [{"key": name.core, "opportunity_id": opp_id} for name, opp_id in held]
    return insert_many_ignoring_duplicates(session, m.ProtectedKey, rows, conflict_on=["key"]) == len(rows)


def unprotect(session: Session, opportunity_id: str) -> None:
    session.query(m.ProtectedKey).filter(m.ProtectedKey.opportunity_id == opportunity_id).delete()


def protected_holder(session: Session, name: Name) -> str | None:
    return session.scalar(select(m.ProtectedKey.opportunity_id).where(m.ProtectedKey.key == name.core))


