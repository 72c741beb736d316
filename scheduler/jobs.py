"""What happens because time passes: each job is a plain function of (now, deps) that enqueues notices
with a unique key (job, opportunity, due date), so a rerun, a restart or a second process adds nothing."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from domain.messages import Deps, Notice
from handlers.render import say
from scheduler.calendar import team_today
from storage import models as m
from storage import matchindex, outbox, repo


def _owned(s, team, *conditions):
    """(opportunity id, its date column, customer name, owner id, owner's language) of a team's opportunities."""
    return s.execute(
        select(m.Opportunity.id, m.Opportunity.follow_up_due, m.Opportunity.protected_until, m.Customer.name,
               m.User.id, m.User.lang)
        .join(m.Customer, m.Opportunity.customer_id == m.Customer.id)
        .join(m.User, m.Opportunity.owner_id == m.User.id)
        .where(m.Opportunity.team_name == team.name, *conditions))


def follow_up_reminders(now: datetime, deps: Deps) -> int:
    """SPEC cadence: the owner hears on the day a discovery-stage follow-up falls due, once per due date."""
    added = 0
    with deps.sessions.begin() as s:
        for team in deps.config.teams:
            today = team_today(now, deps.config, team)
            due = _owned(s, team, m.Opportunity.status == "open", m.Opportunity.stage == "discovery",
                         m.Opportunity.follow_up_due <= today)
            for opp_id, due_date, _, customer, owner, lang in due:
                text = say("reminder", lang, id=opp_id, customer=customer, due=due_date.isoformat())
                added += outbox.enqueue(s, Notice(to=owner, kind="reminder", text=text,
                                                  key=f"reminder:{opp_id}:{due_date.isoformat()}"), now=now)
    return added


PROTECTION_WARNING_DAYS = 7  # SPEC: the owner is warned a week before the customer goes to the pool


def protection_warnings(now: datetime, deps: Deps) -> int:
    """The owner hears once, a week ahead, that protection is ending (a follow-up extends it)."""
    added = 0
    with deps.sessions.begin() as s:
        for team in deps.config.teams:
            today = team_today(now, deps.config, team)
            rows = _owned(s, team, m.Opportunity.status.in_(("open", "pending")), m.Opportunity.protected_until > today,
                          m.Opportunity.protected_until <= today + timedelta(days=PROTECTION_WARNING_DAYS))
            for opp_id, _, until, customer, owner, lang in rows:
                text = say("protection_warning", lang, id=opp_id, customer=customer, until=until.isoformat())
                added += outbox.enqueue(s, Notice(to=owner, kind="reminder", text=text,
                                                  key=f"protection:{opp_id}:{until.isoformat()}"), now=now)
    return added


def release_expired(now: datetime, deps: Deps) -> int:
    """SPEC 公海: on the day after protection ends the opportunity goes public; the owner and the group hear."""
    released = 0
    with deps.sessions.begin() as s:
        for team in deps.config.teams:
            today = team_today(now, deps.config, team)
            expired = s.scalars(select(m.Opportunity).where(
                m.Opportunity.team_name == team.name, m.Opportunity.status == "open",
                m.Opportunity.protected_until < today))
            for opp in expired:
                owner = opp.owner_id
                opp.status, opp.previous_owner_id, opp.released_at, opp.updated_at = "public", owner, now, now
                opp.follow_up_due = None
                matchindex.unprotect(s, opp.id)
                repo.audit(s, at=now, user_id="scheduler", action="release", entity="opportunity", entity_id=opp.id,
                           detail={"previous_owner": owner}, message=None)
                lang = s.get(m.User, owner).lang
                outbox.enqueue(s, Notice(to=owner, kind="alert", key=f"release:{opp.id}:{now.date()}",
                                         text=say("release_owner", lang, id=opp.id, customer=opp.customer.name)),
                               now=now)
                if team.group_chat:
                    outbox.enqueue(s, Notice(to=team.group_chat, kind="alert", key=f"release-group:{opp.id}:{now.date()}",
                                             text=say("release_group", "zh", id=opp.id, customer=opp.customer.name)),
                                   now=now)
                released += 1
    return released


JOBS = {"follow_up_reminders": follow_up_reminders, "protection_warnings": protection_warnings,
        "release_expired": release_expired}


def run_all(now: datetime, deps: Deps) -> dict[str, int]:
    """Every job once at `now`: what a replay `tick` line and each scheduler firing do."""
    return {name: job(now, deps) for name, job in JOBS.items()}
