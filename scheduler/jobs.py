"""What happens because time passes: each job is a plain function of (now, deps) that enqueues notices
with a unique key (job, opportunity, due date), so a rerun, a restart or a second process adds nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from domain.messages import Deps, Notice
from handlers.render import say
from scheduler.calendar import team_today
from storage import models as m
from storage import outbox


def follow_up_reminders(now: datetime, deps: Deps) -> int:
    """SPEC cadence: the owner hears on the day a discovery-stage follow-up falls due, once per due date."""
    added = 0
    with deps.sessions.begin() as s:
        for team in deps.config.teams:
            today = team_today(now, deps.config, team)
            due = s.execute(
                select(m.Opportunity.id, m.Opportunity.follow_up_due, m.Customer.name, m.User.id, m.User.lang)
                .join(m.Customer, m.Opportunity.customer_id == m.Customer.id)
                .join(m.User, m.Opportunity.owner_id == m.User.id)
                .where(m.Opportunity.team_name == team.name, m.Opportunity.status == "open",
                       m.Opportunity.stage == "discovery", m.Opportunity.follow_up_due <= today)
            )
            for opp_id, due_date, customer, owner, lang in due:
                text = say("reminder", lang, id=opp_id, customer=customer, due=due_date.isoformat())
                added += outbox.enqueue(s, Notice(to=owner, kind="reminder", text=text,
                                                  key=f"reminder:{opp_id}:{due_date.isoformat()}"), now=now)
    return added


JOBS = {"follow_up_reminders": follow_up_reminders}


def run_all(now: datetime, deps: Deps) -> dict[str, int]:
    """Every job once at `now`: what a replay `tick` line and each scheduler firing do."""
    return {name: job(now, deps) for name, job in JOBS.items()}
