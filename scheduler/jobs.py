"""What happens because time passes: each job is a plain function of (now, deps) that enqueues notices
with a unique key (job, opportunity, due date), so a rerun, a restart or a second process adds nothing."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select, update

from domain import protection
from domain.messages import Deps, Notice
from handlers.render import say, stage_name
from domain.stages import (ARCHIVE_WORKING_DAYS, DEFAULT_DWELL_DAYS, DWELL_MIN_SAMPLES, DWELL_RISK_FACTOR,
                           SUGGESTED_ACTION)
from scheduler.calendar import in_working_hours, is_working_day, team_today, working_days_after
from scheduler.digest import team_digest
from storage import models as m
from storage import matchindex, outbox, repo


def _teams_at_work(now: datetime, deps: Deps):
    """(team, its local today) for each team now inside working hours on a working day: no notice goes out at
    night, on a weekend or on a public holiday; it waits for the next working morning."""
    for team in deps.config.teams:
        if in_working_hours(now, deps.config, team):
            yield team, team_today(now, deps.config, team)


def _owned(s, team, *conditions):
    """(opportunity id, its date column, customer name, owner id, owner's language) of a team's opportunities."""
    return s.execute(
        select(m.Opportunity.id, m.Opportunity.follow_up_due, m.Opportunity.protected_until, m.Customer.name,
               m.User.id, m.User.lang)
        .join(m.Customer, m.Opportunity.customer_id == m.Customer.id)
        .join(m.User, m.Opportunity.owner_id == m.User.id)
        .where(m.Opportunity.team_name == team.name, *conditions))


SECOND_REMINDER_DAYS = 3  # SPEC: no update 3 days past due → the rep hears again
ESCALATION_DAYS = 7  # … 7 days → the manager hears (僵尸商机)


def follow_up_reminders(now: datetime, deps: Deps) -> int:
    """SPEC cadence: the owner hears on the due day, in working hours on working days, once per due date; three
    days past due, once more. A bot that was down sends only the one that is still relevant. The outbox key makes
    each one once; the markers on the opportunity keep an hourly pass from re-reading what was already said."""
    added = 0
    o = m.Opportunity
    with deps.sessions.begin() as s:
        for team, today in _teams_at_work(now, deps):
            second_from = today - timedelta(days=SECOND_REMINDER_DAYS)
            due = _owned(s, team, o.status == "open", o.follow_up_due <= today, or_(
                and_(o.follow_up_due > second_from, or_(o.reminded_due.is_(None), o.reminded_due != o.follow_up_due)),
                and_(o.follow_up_due <= second_from, or_(o.second_due.is_(None), o.second_due != o.follow_up_due))))
            notices, firsts, seconds = [], [], []
            for opp_id, due_date, _, customer, owner, lang in due:
                second = due_date <= second_from
                (seconds if second else firsts).append(opp_id)
                kind, key = ("second_reminder", "second") if second else ("reminder", "reminder")
                notices.append(Notice(to=owner, kind="reminder", key=f"{key}:{opp_id}:{due_date.isoformat()}",
                                      text=say(kind, lang, id=opp_id, customer=customer, due=due_date.isoformat())))
            added += outbox.enqueue_many(s, notices, now=now)
            _mark(s, firsts, reminded_due=o.follow_up_due)
            _mark(s, seconds, second_due=o.follow_up_due, reminded_due=o.follow_up_due)
    return added


def _mark(s, ids: list[str], **values) -> None:
    for lo in range(0, len(ids), 5000):
        s.execute(update(m.Opportunity).where(m.Opportunity.id.in_(ids[lo: lo + 5000])).values(**values)
                  .execution_options(synchronize_session=False))


ESCALATION_LINES = 30  # the message lists this many; the rest are counted


def escalations(now: datetime, deps: Deps) -> int:
    """SPEC 僵尸商机: 7 days past due, the team's manager gets ONE message listing every such opportunity."""
    sent = 0
    o = m.Opportunity
    with deps.sessions.begin() as s:
        for team, today in _teams_at_work(now, deps):
            if not team.manager:
                continue
            stale = s.execute(
                select(o.id, m.Customer.name, o.owner_id, o.follow_up_due).join(m.Customer)
                .where(o.team_name == team.name, o.status == "open",
                       o.follow_up_due <= today - timedelta(days=ESCALATION_DAYS),
                       or_(o.escalated_due.is_(None), o.escalated_due != o.follow_up_due))
                .order_by(o.follow_up_due, o.id)).all()
            if not stale:
                continue
            lang = s.get(m.User, team.manager).lang
            lines = [say("escalation_line", lang, id=i, customer=c, owner=w, days=(today - d).days)
                     for i, c, w, d in stale[:ESCALATION_LINES]]
            if len(stale) > ESCALATION_LINES:
                lines.append(say("escalation_more", lang, n=len(stale) - ESCALATION_LINES))
            text = "\n".join([say("escalation_head", lang, team=team.name, n=len(stale)), *lines])
            first, last = stale[0][0], stale[-1][0]
            outbox.enqueue(s, Notice(to=team.manager, kind="escalation", text=text,
                                     key=f"escalation:{team.name}:{today.isoformat()}:{len(stale)}:{first}:{last}"),
                           now=now)
            _mark(s, [r[0] for r in stale], escalated_due=o.follow_up_due)
            sent += 1
    return sent


def protection_warnings(now: datetime, deps: Deps) -> int:
    """The owner hears once, a week ahead, that protection is ending (a follow-up extends it)."""
    added = 0
    with deps.sessions.begin() as s:
        for team, today in _teams_at_work(now, deps):
            rows = _owned(s, team, m.Opportunity.status.in_(("open", "pending")), m.Opportunity.protected_until > today,
                          m.Opportunity.protected_until <= today + timedelta(days=protection.WARNING_DAYS))
            added += outbox.enqueue_many(s, [Notice(
                to=owner, kind="reminder", key=f"protection:{opp_id}:{until.isoformat()}",
                text=say("protection_warning", lang, id=opp_id, customer=customer, until=until.isoformat()))
                for opp_id, _, until, customer, owner, lang in rows], now=now)
    return added


def release_expired(now: datetime, deps: Deps) -> int:
    """SPEC 公海: after protection ends the opportunity goes public at the next working hour; the owner and the
    group hear."""
    released = 0
    with deps.sessions.begin() as s:
        for team, today in _teams_at_work(now, deps):
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


def _stage_averages(s, team: str) -> dict[str, float]:
    """Days a team's closed opportunities spent in each stage; a stage with too few samples keeps its default."""
    rows = s.execute(select(m.StageChange.opportunity_id, m.StageChange.to_stage, m.StageChange.at)
                     .join(m.Opportunity, m.StageChange.opportunity_id == m.Opportunity.id)
                     .where(m.Opportunity.team_name == team, m.Opportunity.status.in_(("won", "lost")))
                     .order_by(m.StageChange.opportunity_id, m.StageChange.at, m.StageChange.id)).all()
    spans: dict[str, list[float]] = {}
    for (opp, stage, at), nxt in zip(rows, rows[1:]):
        if nxt[0] == opp and stage in DEFAULT_DWELL_DAYS:
            spans.setdefault(stage, []).append((nxt[2] - at).total_seconds() / 86400)
    return {stage: (sum(spans[stage]) / len(spans[stage]) if len(spans.get(stage, [])) >= DWELL_MIN_SAMPLES
                    else default) for stage, default in DEFAULT_DWELL_DAYS.items()}


def dwell_risks(now: datetime, deps: Deps) -> int:
    """SPEC: time in a stage over 1.5× the team's average → high risk; the rep and the manager hear once per stay,
    with what to do about it."""
    told = 0
    o = m.Opportunity
    with deps.sessions.begin() as s:
        for team, today in _teams_at_work(now, deps):
            limits = {st: DWELL_RISK_FACTOR * avg for st, avg in _stage_averages(s, team.name).items()}
            entered = func.coalesce(o.stage_entered_at, o.created_at)
            rows = s.execute(
                select(o.id, o.stage, entered, m.Customer.name, o.owner_id).join(m.Customer)
                .where(o.team_name == team.name, o.status == "open",
                       or_(o.risk_stage.is_(None), o.risk_stage != o.stage),
                       or_(o.snoozed_until.is_(None), o.snoozed_until <= today),  # a known pause: told when it ends
                       or_(*[and_(o.stage == st, entered < now - timedelta(days=days)) for st, days in limits.items()])
                       )).all()
            if not rows:
                continue
            langs = dict(s.execute(select(m.User.id, m.User.lang)).all())
            notices = []
            for opp_id, stage, since, customer, owner in rows:
                lang = langs.get(owner, "zh")
                notices.append(Notice(to=owner, kind="alert", key=f"risk:{opp_id}:{stage}", text=say(
                    "dwell_risk", lang, id=opp_id, customer=customer, stage=stage_name(stage, lang),
                    days=(now - since).days, avg=round(limits[stage] / DWELL_RISK_FACTOR),
                    action=SUGGESTED_ACTION[stage][0 if lang == "zh" else 1])))
            told += outbox.enqueue_many(s, notices, now=now)
            if team.manager:  # the manager: one message listing them, like the 僵尸商机 escalation
                lang = langs.get(team.manager, "zh")
                lines = [say("risk_line", lang, id=i, customer=c, owner=w, stage=stage_name(st, lang),
                             days=(now - since).days) for i, st, since, c, w in rows[:ESCALATION_LINES]]
                if len(rows) > ESCALATION_LINES:
                    lines.append(say("escalation_more", lang, n=len(rows) - ESCALATION_LINES))
                told += outbox.enqueue(s, Notice(
                    to=team.manager, kind="alert", text="\n".join([say("risk_head", lang, team=team.name,
                                                                          n=len(rows)), *lines]),
                    key=f"risk:{team.name}:{now.isoformat()}:{rows[0][0]}:{len(rows)}"), now=now)
            _mark(s, [r[0] for r in rows], risk_stage=o.stage)
    return told


def archive_reminders(now: datetime, deps: Deps) -> int:
    """SPEC: won/lost not reviewed (复盘) within 7 working days → the owner is reminded; 3 working days later the
    manager hears."""
    added = 0
    o = m.Opportunity
    with deps.sessions.begin() as s:
        for team, today in _teams_at_work(now, deps):
            kind_of_days = deps.config.holidays_of(team)
            rows = s.execute(select(o.id, o.closed_at, m.Customer.name, o.owner_id).join(m.Customer).where(
                o.team_name == team.name, o.status.in_(("won", "lost")), o.reviewed_at.is_(None),
                o.closed_at.is_not(None), o.closed_at < now - timedelta(days=ARCHIVE_WORKING_DAYS))).all()
            for opp_id, closed_at, customer, owner in rows:
                due = working_days_after(closed_at.astimezone(deps.config.timezone_of(team)).date(),
                                         ARCHIVE_WORKING_DAYS, kind=kind_of_days)
                if today >= due:
                    lang = s.get(m.User, owner).lang
                    added += outbox.enqueue(s, Notice(to=owner, kind="reminder", key=f"archive:{opp_id}", text=say(
                        "archive_reminder", lang, id=opp_id, customer=customer, due=due)), now=now)
                if team.manager and today >= working_days_after(due, 3, kind=kind_of_days):
                    lang = s.get(m.User, team.manager).lang
                    added += outbox.enqueue(s, Notice(to=team.manager, kind="escalation", key=f"archive-esc:{opp_id}",
                                                      text=say("archive_escalation", lang, id=opp_id,
                                                               customer=customer, owner=owner, due=due)), now=now)
    return added


def daily_digests(now: datetime, deps: Deps) -> int:
    """SPEC 日报: each team's group chat, at its digest_time on working days, once per day; a bot that was down at
    that time posts it when it comes back the same day."""
    posted = 0
    with deps.sessions.begin() as s:
        for team in deps.config.teams:
            local = now.astimezone(deps.config.timezone_of(team))
            hh, mm = map(int, team.digest_time.split(":"))
            if not team.group_chat or local.time() < time(hh, mm) or \
                    not is_working_day(local.date(), kind=deps.config.holidays_of(team)):
                continue
            key = f"digest:{team.name}:{local.date().isoformat()}"
            if s.scalar(select(m.OutboxMessage.id).where(m.OutboxMessage.key == key)) is not None:
                continue  # built once: the chart is not drawn again every tick
            text, image = team_digest(s, config=deps.config, team=team, day=local.date())
            posted += outbox.enqueue(s, Notice(to=team.group_chat, kind="digest", text=text, image=image, key=key),
                                     now=now)
    return posted


JOBS = {"follow_up_reminders": follow_up_reminders, "escalations": escalations, "dwell_risks": dwell_risks,
        "archive_reminders": archive_reminders,
        "protection_warnings": protection_warnings, "release_expired": release_expired,
        "daily_digests": daily_digests}


def run_all(now: datetime, deps: Deps) -> dict[str, int]:
    """Every job once at `now`: what a replay `tick` line and each scheduler firing do."""
    return {name: job(now, deps) for name, job in JOBS.items()}
