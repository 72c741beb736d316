"""What happens because time passes: each job is a plain function of (now, deps) that enqueues notices
with a unique key (job, opportunity, due date), so a rerun, a restart or a second process adds nothing."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select, update

from domain import protection
from domain.actions import reminder_actions
from domain.messages import Deps, Notice
from domain.wording import money, say, stage_name
from domain.stages import (ARCHIVE_WORKING_DAYS, DEFAULT_DWELL_DAYS, DWELL_MIN_SAMPLES, DWELL_RISK_FACTOR,
                           PRIORITY_AMOUNT, PRIORITY_MEETING_WORKING_DAYS, PRIORITY_SCORE, SUGGESTED_ACTION)
from scheduler.calendar import in_working_hours, is_working_day, team_today, working_days_after
from scheduler import contacts, rhythm
from scheduler.digest import team_digest
from storage import models as m
from storage import lifecycle, outbox


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
BUNDLE_FROM = 6  # a rep with this many at once gets one list, not a stream of messages
LIST_LINES = 30  # a list shows this many; the rest are counted


def _listed(head: str, lines: list[str], total: int, lang: str) -> str:
    """A head, the first LIST_LINES lines, and how many more there are."""
    shown = lines[:LIST_LINES]
    more = [say("escalation_more", lang, n=total - len(shown))] if total > len(shown) else []
    return "\n".join([head, *shown, *more])


def _per_owner(rows, owner: int) -> tuple[dict[str, list], dict[str, list]]:
    """Rows grouped by the owner column, oldest first within each; and the rows each owner's message shows (all
    of a few; the first LIST_LINES of a list, for owners with BUNDLE_FROM or more)."""
    groups: dict[str, list] = {}
    for row in sorted(rows, key=lambda r: (r[1], r[0])):
        groups.setdefault(row[owner], []).append(row)
    return groups, {w: mine if len(mine) < BUNDLE_FROM else mine[:LIST_LINES] for w, mine in groups.items()}


def follow_up_reminders(now: datetime, deps: Deps) -> int:
    """SPEC cadence: the owner hears on the due day, in working hours on working days, once per due date; three
    days past due, once more. A bot that was down sends only the one that is still relevant. A pass claims what it
    tells by setting the markers in the statement that finds it (UPDATE … RETURNING): a follow-up committed
    meanwhile is never marked as told. The outbox key makes each message once. A rep with many due at once gets
    them as one list."""
    added = 0
    t = m.Opportunity.__table__
    with deps.sessions.begin() as s:
        langs = dict(s.execute(select(m.User.id, m.User.lang)).all())
        for team, today in _teams_at_work(now, deps):
            second_from = today - timedelta(days=SECOND_REMINDER_DAYS)
            due = (t.c.team_name == team.name, t.c.status == "open", t.c.follow_up_due <= today)
            told = [(*row, False) for row in s.execute(
                update(t).where(*due, t.c.follow_up_due > second_from,
                                or_(t.c.reminded_due.is_(None), t.c.reminded_due != t.c.follow_up_due))
                .values({t.c.reminded_due: t.c.follow_up_due})
                .returning(t.c.id, t.c.follow_up_due, t.c.owner_id, t.c.customer_id))]
            told += [(*row, True) for row in s.execute(
                update(t).where(*due, t.c.follow_up_due <= second_from,
                                or_(t.c.second_due.is_(None), t.c.second_due != t.c.follow_up_due))
                .values({t.c.second_due: t.c.follow_up_due, t.c.reminded_due: t.c.follow_up_due})
                .returning(t.c.id, t.c.follow_up_due, t.c.owner_id, t.c.customer_id))]
            by_owner, shown = _per_owner(told, owner=2)
            names = _customer_names(s, {r[3] for rows in shown.values() for r in rows})
            notices = []
            for owner, rows in by_owner.items():
                lang = langs.get(owner) or "zh"
                if len(rows) >= BUNDLE_FROM:
                    lines = [say("reminders_line_late" if d < today else "reminders_line", lang, id=i,
                                 customer=names[c], due=d.isoformat(), days=(today - d).days)
                             for i, d, _, c, _ in shown[owner]]
                    notices.append(Notice(to=owner, kind="reminder", text=_listed(
                        say("reminders_head", lang, n=len(rows)), lines, len(rows), lang),
                        actions=tuple(a for r in shown[owner] for a in reminder_actions(r[0], lang)),
                        key=f"reminders:{owner}:{today.isoformat()}:{len(rows)}:{rows[0][0]}:{rows[-1][0]}"))
                    continue
                for opp_id, due_date, _, customer, second in rows:
                    kind, key = ("second_reminder", "second") if second else ("reminder", "reminder")
                    notices.append(Notice(to=owner, kind="reminder", key=f"{key}:{opp_id}:{due_date.isoformat()}",
                                          actions=reminder_actions(opp_id, lang), text=say(kind, lang, id=opp_id, customer=names[customer],
                                                   due=due_date.isoformat())))
            added += outbox.enqueue_many(s, notices, now=now)
    return added


def _customer_names(s, ids: set[int]) -> dict[int, str]:
    return dict(s.execute(select(m.Customer.id, m.Customer.name).where(m.Customer.id.in_(ids))).all()) if ids else {}


def escalations(now: datetime, deps: Deps) -> int:
    """SPEC 僵尸商机: 7 days past due, the team's manager gets ONE message listing every such opportunity."""
    sent = 0
    o = m.Opportunity
    with deps.sessions.begin() as s:
        for team, today in _teams_at_work(now, deps):
            if not team.manager:
                continue
            unsaid = (o.team_name == team.name, o.status == "open",
                      o.follow_up_due <= today - timedelta(days=ESCALATION_DAYS),
                      or_(o.escalated_due.is_(None), o.escalated_due != o.follow_up_due))
            total, last = s.execute(select(func.count(), func.max(o.id)).where(*unsaid)).one()
            if not total:
                continue
            stale = s.execute(select(o.id, m.Customer.name, o.owner_id, o.follow_up_due).join(m.Customer)
                              .where(*unsaid).order_by(o.follow_up_due, o.id).limit(LIST_LINES)).all()
            lang = s.get(m.User, team.manager).lang
            lines = [say("escalation_line", lang, id=i, customer=c, owner=w, days=(today - d).days)
                     for i, c, w, d in stale]
            text = _listed(say("escalation_head", lang, team=team.name, n=total), lines, total, lang)
            outbox.enqueue(s, Notice(to=team.manager, kind="escalation", text=text,
                                     actions=tuple(a for row in stale for a in reminder_actions(row[0], lang)),
                                     key=f"escalation:{team.name}:{today.isoformat()}:{total}:{stale[0][0]}:{last}"),
                           now=now)
            # marked by the same conditions: only time makes a row newly match them, never another commit
            s.execute(update(o).where(*unsaid).values(escalated_due=o.follow_up_due)
                      .execution_options(synchronize_session=False))
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
                lifecycle.release(s, opp, actor=lifecycle.Actor.job("release_expired"), at=now)
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
    with what to do about it (a rep with many at once, and the manager always, get one list). Claimed like the
    reminders: the marker is set by the statement that finds them."""
    told = 0
    t = m.Opportunity.__table__
    with deps.sessions.begin() as s:
        langs = dict(s.execute(select(m.User.id, m.User.lang)).all())
        for team, today in _teams_at_work(now, deps):
            limits = {st: DWELL_RISK_FACTOR * avg for st, avg in _stage_averages(s, team.name).items()}
            entered = func.coalesce(t.c.stage_entered_at, t.c.created_at)
            rows = sorted(s.execute(update(t).where(
                t.c.team_name == team.name, t.c.status == "open",
                or_(t.c.risk_stage.is_(None), t.c.risk_stage != t.c.stage),
                or_(t.c.snoozed_until.is_(None), t.c.snoozed_until <= today),  # a known pause: told when it ends
                or_(*[and_(t.c.stage == st, entered < now - timedelta(days=days)) for st, days in limits.items()]))
                .values({t.c.risk_stage: t.c.stage})
                .returning(t.c.id, entered, t.c.stage, t.c.customer_id, t.c.owner_id)).all(), key=lambda r: (r[1], r[0]))
            if not rows:
                continue
            by_owner, shown = _per_owner(rows, owner=4)
            names = _customer_names(s, {r[3] for r in rows[:LIST_LINES]} | {r[3] for v in shown.values() for r in v})
            notices = []
            for owner, mine in by_owner.items():
                lang = langs.get(owner) or "zh"
                if len(mine) >= BUNDLE_FROM:
                    lines = [say("risk_line", lang, id=i, customer=names[c], owner=owner, stage=stage_name(st, lang),
                                 days=(now - since).days) for i, since, st, c, _ in shown[owner]]
                    advice = [say("risks_advice", lang, stage=stage_name(st, lang),
                                  action=SUGGESTED_ACTION[st][0 if lang == "zh" else 1])
                              for st in dict.fromkeys(r[2] for r in shown[owner])]
                    notices.append(Notice(to=owner, kind="alert", text="\n".join([_listed(
                        say("risks_head", lang, n=len(mine)), lines, len(mine), lang), *advice]),
                        key=f"risks:{owner}:{now.isoformat()}:{len(mine)}:{mine[0][0]}"))
                    continue
                notices += [Notice(to=owner, kind="alert", key=f"risk:{opp_id}:{stage}", text=say(
                    "dwell_risk", lang, id=opp_id, customer=names[customer], stage=stage_name(stage, lang),
                    days=(now - since).days, avg=round(limits[stage] / DWELL_RISK_FACTOR),
                    action=SUGGESTED_ACTION[stage][0 if lang == "zh" else 1]))
                    for opp_id, since, stage, customer, _ in mine]
            if team.manager:  # the manager: one message listing them, like the 僵尸商机 escalation
                lang = langs.get(team.manager) or "zh"
                lines = [say("risk_line", lang, id=i, customer=names[c], owner=w, stage=stage_name(st, lang),
                             days=(now - since).days) for i, since, st, c, w in rows[:LIST_LINES]]
                notices.append(Notice(to=team.manager, kind="alert", text=_listed(
                    say("risk_head", lang, team=team.name, n=len(rows)), lines, len(rows), lang),
                    key=f"risk:{team.name}:{now.isoformat()}:{rows[0][0]}:{len(rows)}"))
            told += outbox.enqueue_many(s, notices, now=now)
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


def priority_queue(now: datetime, deps: Deps) -> int:
    """Seed 001 资源优先级队列: one alert per opportunity to each director (not one per follow-up); if no director's
    meeting (a meeting or visit follow-up written by a director) is logged within 7 working days, one reminder."""
    directors = deps.config.directors()
    if not directors:
        return 0
    added = 0
    o = m.Opportunity
    with deps.sessions.begin() as s:
        first: dict[str, datetime] = {}  # when each opportunity's alert went out: one read, not one per row
        for key, at in s.execute(select(m.OutboxMessage.key, m.OutboxMessage.created_at)
                                 .where(m.OutboxMessage.key.like("priority:%"))):
            opp_id = key.split(":")[1]
            first[opp_id] = min(first.get(opp_id, at), at)
        for team, today in _teams_at_work(now, deps):
            kind_of_days = deps.config.holidays_of(team)
            rows = s.execute(select(o.id, m.Customer.name, o.owner_id, o.score, o.budget, o.currency)
                             .join(m.Customer).where(o.team_name == team.name, o.status == "open",
                                                     o.score > PRIORITY_SCORE, o.budget > PRIORITY_AMOUNT)).all()
            for opp_id, customer, owner, score, budget, currency in rows:
                alerted = first.get(opp_id)
                since = (alerted or now).astimezone(deps.config.timezone_of(team)).date()
                due = working_days_after(since, PRIORITY_MEETING_WORKING_DAYS, kind=kind_of_days)
                for d in directors:
                    lang = _lang(s, d)
                    added += outbox.enqueue(s, Notice(to=d, kind="alert", key=f"priority:{opp_id}:{d}", text=say(
                        "priority_alert", lang, id=opp_id, customer=customer, owner=deps.config.name_of(owner), score=score,
                        amount=money(budget, currency, lang), due=due)), now=now)
                if alerted is None or today < due or _director_met(s, opp_id, set(directors)):
                    continue
                for d in directors:
                    added += outbox.enqueue(s, Notice(to=d, kind="reminder", key=f"priority-due:{opp_id}:{d}",
                                                      text=say("priority_reminder", _lang(s, d), id=opp_id,
                                                               customer=customer)), now=now)
    return added


def _lang(s, user_id: str) -> str:
    """The language a person last wrote in (stored with them), Chinese until they have written."""
    user = s.get(m.User, user_id)
    return user.lang if user else "zh"


def _director_met(s, opp_id: str, directors: set[str]) -> bool:
    return s.scalar(select(m.FollowUp.id).where(
        m.FollowUp.opportunity_id == opp_id, m.FollowUp.by.in_(directors),
        m.FollowUp.channel.in_(("meeting", "visit"))).limit(1)) is not None


def support_deadlines(now: datetime, deps: Deps) -> int:
    """Seed 001 五(二): a support request unanswered 24 hours (counted on working days) → the supporting team is
    reminded; at 48 → the opportunity's manager hears."""
    added = 0
    with deps.sessions.begin() as s:
        rows = s.execute(select(m.SupportRequest, m.Opportunity.team_name, m.Customer.name)
                         .join(m.Opportunity, m.SupportRequest.opportunity_id == m.Opportunity.id)
                         .join(m.Customer).where(m.SupportRequest.status == "requested")).all()
        for request, team_name, customer in rows:
            team = deps.config.team(team_name)
            if team is None or not in_working_hours(now, deps.config, team):
                continue
            kind_of_days = deps.config.holidays_of(team)
            asked = request.requested_at.astimezone(deps.config.timezone_of(team))
            local = now.astimezone(deps.config.timezone_of(team))
            for days, key, to in ((1, "support-remind", deps.config.supporters(request.kind, team.name)),
                                  (2, "support-esc", [team.manager] if team.manager else [])):
                due = datetime.combine(working_days_after(asked.date(), days, kind=kind_of_days), asked.timetz())
                if local < due:
                    continue
                for who in to:
                    lang = _lang(s, who)
                    text = say("support_remind" if days == 1 else "support_escalate", lang,
                               rep=deps.config.name_of(request.requested_by), id=request.opportunity_id,
                               customer=customer, team=say(f"support_team_{request.kind}", lang))
                    added += outbox.enqueue(s, Notice(to=who, kind="reminder" if days == 1 else "escalation",
                                                      key=f"{key}:{request.id}:{who}", text=text), now=now)
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
            if outbox.has(s, key):
                continue  # built once: the chart is not drawn again every tick
            text, image = team_digest(s, config=deps.config, team=team, day=local.date())
            posted += outbox.enqueue(s, Notice(to=team.group_chat, kind="digest", text=text, image=image, key=key),
                                     now=now)
    return posted


JOBS = {"follow_up_reminders": follow_up_reminders, "escalations": escalations, "dwell_risks": dwell_risks,
        "archive_reminders": archive_reminders, "priority_queue": priority_queue,
        "support_deadlines": support_deadlines,
        "protection_warnings": protection_warnings, "release_expired": release_expired,
        "daily_digests": daily_digests, "forecast_snapshots": rhythm.forecast_snapshots,
        "monday_packs": rhythm.monday_packs, "month_reports": rhythm.month_reports,
        "contact_overlaps": contacts.contact_overlaps}


def run_all(now: datetime, deps: Deps) -> dict[str, int]:
    """Every job once at `now`: what a replay `tick` line and each scheduler firing do."""
    return {name: job(now, deps) for name, job in JOBS.items()}
