"""A person's own page (Slack's App Home): their pipeline by stage, what is overdue and due this week, and for a
manager what waits for their decision — each line with the buttons that act on it, platform-neutral."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.actions import Action, decision_actions, reminder_actions
from domain.stages import OPEN_STAGES
from domain.wording import money, say, stage_name
from storage import models as m
from storage import repo
from storage.reports.pipeline import line, scope_name, stage_totals

LINES = 10  # per section: the rest are counted, and a query in chat lists them all


@dataclass(frozen=True)
class Line:
    text: str
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Home:
    title: str
    sections: list[Section]


def home(session: Session, viewer: m.User, *, today: date, lang: str) -> Home:
    owner = viewer.role != "rep"
    end = today + timedelta(days=6 - today.weekday())  # through Sunday
    due = repo.visible_open(session, viewer, due_by=end, limit=500)
    late = [o for o in due if o.follow_up_due and o.follow_up_due < today and not _snoozed(o, today)]
    soon = [o for o in due if o.follow_up_due and o.follow_up_due >= today]
    sections = [
        Section(say("home_funnel", lang), _stages(session, viewer, lang) or [Line(say("no_opps", lang))]),
        _listed(say("home_overdue", lang, n=len(late)), late, lang, owner=owner, actions=reminder_actions),
        _listed(say("home_due", lang, end=end.isoformat(), n=len(soon)), soon, lang, owner=owner,
                actions=reminder_actions),
    ]
    if viewer.role in ("manager", "director", "admin"):
        waiting = list(session.scalars(select(m.Opportunity).where(
            repo.scope(viewer), or_(m.Opportunity.status == "pending", m.Opportunity.requested_stage.is_not(None),
                                    m.Opportunity.flag == "possible_duplicate"),
            m.Opportunity.status.in_(repo.OPEN_STATUSES)).order_by(m.Opportunity.updated_at).limit(200)))
        sections.append(_listed(say("home_waiting", lang, n=len(waiting)), waiting, lang, owner=True,
                                actions=lambda opp_id, lang_: decision_actions(opp_id, lang_), why=True))
    return Home(say("home_title", lang, name=viewer.name, scope=scope_name(viewer, lang)), sections)


def _stages(session: Session, viewer: m.User, lang: str) -> list[Line]:
    counts, amounts = stage_totals(session, viewer)
    return [Line(f"{stage_name(s, lang)}  {counts[s]}" + (f" · {money(amounts[s], 'CNY', lang)}" if amounts[s] else ""))
            for s in OPEN_STAGES if counts.get(s)]


def _snoozed(o: m.Opportunity, today: date) -> bool:
    return bool(o.snoozed_until and o.snoozed_until >= today)


def _listed(title: str, opps: list[m.Opportunity], lang: str, *, owner: bool, actions, why: bool = False) -> Section:
    lines = [Line(line(o, lang, owner=owner) + (f" — {_waiting_for(o, lang)}" if why else ""), actions(o.id, lang))
             for o in opps[:LINES]]
    if len(opps) > LINES:
        lines.append(Line(say("home_more", lang, n=len(opps) - LINES)))
    return Section(title, lines or [Line(say("home_none", lang))])


def _waiting_for(o: m.Opportunity, lang: str) -> str:
    if o.status == "pending":
        return say("home_wait_registration", lang)
    if o.requested_stage:
        return say("home_wait_stage", lang, stage=stage_name(o.requested_stage, lang))
    return say("home_wait_duplicate", lang)
