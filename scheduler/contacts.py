"""WeCom's own 撞单 signal (客户联系): once a day, every member's external contacts are read and their companies run
through 查重. A rep who has added someone from a company another rep's open opportunity protects, or one external
contact followed by reps who own different opportunities for its company, is told to both managers, once."""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import datetime, time

from domain.matching import Party, read_name
from domain.messages import Deps, ExternalContact, Notice
from domain.wording import say
from storage import marks, matchindex, outbox
from storage import models as m

log = logging.getLogger("oppbot.contacts")
JOB = "contact_overlaps"
FROM = time(8, 0)  # the org's morning: managers read it with the day's first messages


def contact_overlaps(now: datetime, deps: Deps) -> int:
    """Notices enqueued. Nothing without 客户联系 access (deps.external_contacts) or before 08:00; once a day."""
    if deps.external_contacts is None:
        return 0
    local = now.astimezone(deps.config.timezone_of(None))
    if local.time() < FROM:
        return 0
    with deps.sessions() as s:
        if marks.done(s, JOB, local.date()):
            return 0
    members = {u.wecom: u.id for u in deps.config.users if u.wecom}
    try:
        contacts = deps.external_contacts(sorted(members))  # the platform's time, outside any transaction
    except Exception as exc:  # WeCom refused or is away: the day is not marked, a later tick asks again
        log.warning("could not read WeCom external contacts: %s: %s", type(exc).__name__, exc)
        return 0
    told = 0
    with deps.sessions.begin() as s:
        if not marks.mark(s, JOB, local.date(), now=now):
            return 0  # another process ran it meanwhile
        for notice in _overlaps(s, deps, contacts, members):
            told += outbox.enqueue(s, notice, now=now)
    return told


def _overlaps(s, deps: Deps, contacts: list[ExternalContact], members: dict[str, str]):
    by_person: dict[str, list[ExternalContact]] = defaultdict(list)
    for c in contacts:
        if c.follower in members:
            by_person[c.external_id].append(c)
    for external_id, seen in by_person.items():
        corp = next((c.corp_name for c in seen if c.corp_name), None)
        if not corp:
            continue  # a contact with no company says nothing about whose customer it is
        followers = sorted({members[c.follower] for c in seen})
        opps = [opp for customer_id, signal in matchindex.matches(s, Party(read_name(corp)))
                if signal.strength == "strong" and (opp := matchindex.open_opportunity(s, customer_id))]
        owners = {o.owner_id for o in opps}
        strangers = [f for f in followers if f not in owners]
        if not opps or (len(owners) < 2 and not strangers):
            continue  # only the owner follows them: as it should be
        yield from _tell(s, deps, external_id=external_id, name=seen[0].name, corp=corp, opps=opps,
                         followers=followers)


def _tell(s, deps: Deps, *, external_id: str, name: str, corp: str, opps: list[m.Opportunity],
          followers: list[str]):
    """Each manager concerned (the owners' and the followers'), once for this contact and these opportunities."""
    config = deps.config
    people = {*followers, *(o.owner_id for o in opps)}
    managers = {t.manager for p in people if (t := config.team_of(p)) and t.manager}
    subject = hashlib.sha1(f"{external_id}:{','.join(sorted(o.id for o in opps))}".encode()).hexdigest()[:20]
    for manager in sorted(managers):
        user = s.get(m.User, manager)
        lang = (user.lang if user else None) or "zh"
        owned = "；".join(say("overlap_owned", lang, id=o.id, customer=o.customer.name,
                             owner=config.name_of(o.owner_id), until=o.protected_until or "—") for o in opps)
        yield Notice(to=manager, kind="alert", key=f"overlap:{subject}:{manager}", text=say(
            "overlap", lang, contact=name, corp=corp, followers="、".join(config.name_of(f) for f in followers),
            owned=owned))
