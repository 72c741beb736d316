"""One verb function per command. Each runs inside the one transaction `handle` opened and returns its Reply."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.actions import decision_actions
from domain.config import Config
from domain.contacts import role_for_title
from domain.messages import Notice, Reply
from domain import protection
from domain.needfit import OVERALL, need_fit_average
from domain.scoring import Score, score
from domain.stages import OPEN_STAGES, REQUIRED_TO_ENTER, STAGES, gate, next_stage
from domain.matching import normalize_company, read_name
from handlers import deal_room, dedupe, dialog, support
from storage import reports as queries
from handlers.parsing.fields import LOST_REASON_WORDS, first_word_hit
from handlers import intents as i
from handlers.render import (ACTION_NAMES, LOST_REASON_NAMES, STATUS_NAMES, card_text, chain_text,
                             change_text, contact_line, field_label, field_value, follow_up_card,
                             lifecycle_report, money, named, opportunity_card, say, score_line, stage_name,
                             unread_lines)
from storage import models as m
from storage.export import table
from storage.sheets import write_xlsx
from storage import lifecycle, links, matchindex, outbox, repo



@dataclass
class Context:
    session: Session
    user: m.User
    config: Config
    now: datetime
    today: date  # in the user's team time zone
    lang: str
    message: str
    public_url: str = "http://127.0.0.1:8080"
    in_group: bool = False  # the message was written where others read the answer
    notes: list[str] = field(default_factory=list)  # said before the reply (e.g. a dropped draft)
    click: dict | None = None  # the button click this message is, or answers (its route names the message clicked)

    @property
    def actor(self) -> lifecycle.Actor:
        return lifecycle.Actor(self.user.id, self.message)

    def notify(self, notice: Notice) -> None:
        outbox.enqueue(self.session, notice, now=self.now)

    def reply(self, key: str, **values) -> Reply:
        return Reply(text=say(key, self.lang, **values), lang=self.lang)

    def card(self, opp: m.Opportunity, *, head: str | None = None, full: bool = False) -> Reply:
        card = opportunity_card(opp, opportunity_score(opp), self.lang, owner=self.name_of(opp.owner_id), full=full)
        return Reply(text="\n".join(x for x in (head, card_text(card)) if x), lang=self.lang, card=card)

    def name_of(self, user_id: str | None) -> str:
        return self.config.name_of(user_id)

    def lang_of(self, user_id: str) -> str:
        user = self.session.get(m.User, user_id)
        return user.lang if user else "zh"


def rescore(opp: m.Opportunity) -> int:
    return opportunity_score(opp).total


def opportunity_score(opp: m.Opportunity) -> Score:
    return score(need_fit_items=opp.need_fit or {}, contact_roles=[c.role for c in opp.contacts],
                 budget_stated=opp.budget is not None, budget_approved=opp.budget_approved,
                 in_annual_plan=opp.in_annual_plan)


def follow_up_due(opp: m.Opportunity, today: date, config: Config, *, stage: str | None = None,
                  next_action_date: date | None = None) -> date:
    """SPEC: due at the earlier of the stage cadence date (the team's, when it set its own) and the rep's own
    next-action date (the opportunity's, or the one being set with this change)."""
    cadence = today + timedelta(days=config.cadence_days(opp.team_name, stage or opp.stage))
    next_action_date = next_action_date or opp.next_action_date
    if next_action_date and next_action_date >= today:
        return min(cadence, next_action_date)
    return cadence


# ---- registration ------------------------------------------------------------------------------------------

def register(ctx: Context, cmd: i.Register) -> Reply:
    """SPEC 报备: slot filling first, then 查重 against every open opportunity, then the new record."""
    missing = dialog.missing_fields(cmd)
    if missing:
        return dialog.ask(ctx, cmd, missing)
    if "customer" in cmd.unsure:
        return dialog.confirm(ctx, cmd)
    team = ctx.config.team(ctx.user.team_name)
    if team is None:
        return ctx.reply("no_permission", action="报备" if ctx.lang == "zh" else "register", id=cmd.customer)
    party = dedupe.party_of(cmd)
    match = dedupe.check(ctx, party)
    if match.outcome in ("mine", "conflict"):
        return dedupe.conflict_reply(ctx, cmd, match)
    opp = create_registration(ctx, cmd, team=team, party=party, match=match,
                              status="pending" if ctx.config.org.registration_review else "open")
    if match.outcome == "possible":
        ctx.notes.append(say("possible_rep", ctx.lang))
    ctx.notes += unread_lines(cmd.unread, ctx.lang)
    if opp.status == "pending":
        return ctx.card(opp, head=_ask_review(ctx, opp, team))
    return ctx.card(opp, head=say("registered", ctx.lang, id=opp.id, until=opp.protected_until.isoformat()))


def create_registration(ctx: Context, cmd: i.Register, *, team, party, match: dedupe.Match, status: str,
                        stage: str = "discovery", next_action_date: date | None = None) -> m.Opportunity:
    """The new opportunity of a registration 查重 let through (new, or possible: flagged for the manager), under
    the next ID of the team's region — for a chat registration and an imported row alike (which may enter at the
    stage its sheet says, with the follow-up date it says)."""
    customer = ctx.session.scalars(select(m.Customer).where(m.Customer.normalized_name == party.name.key)).first()
    new_customer = customer is None
    if new_customer:
        customer = m.Customer(name=cmd.customer, normalized_name=party.name.key, created_at=ctx.now)
        ctx.session.add(customer)
    opp = m.Opportunity(
        id=repo.next_opportunity_id(ctx.session, year=ctx.today.year, region=team.region),
        customer=customer, owner_id=ctx.user.id, team_name=team.name, region=team.region,
        stage=stage, status=status, need=cmd.need, next_action_date=next_action_date,
        budget=cmd.budget, currency=cmd.currency,
        expected_close=cmd.expected_close, source=cmd.source, industry=cmd.industry, need_fit={},
        protected_until=ctx.today + timedelta(days=ctx.config.org.protection_days),
        created_at=ctx.now, updated_at=ctx.now, last_touch_at=ctx.now, stage_entered_at=ctx.now,
    )
    opp.follow_up_due = follow_up_due(opp, ctx.today, ctx.config)
    opp.contacts = [m.Contact(customer=customer, name=c.name, title=c.title, phone=c.phone, email=c.email,
                              role=role_for_title(c.title, ctx.config.role_words)) for c in cmd.contacts]
    opp.follow_ups = []
    opp.score = rescore(opp)
    lifecycle.create(ctx.session, opp, party, new_customer=new_customer, actor=ctx.actor, at=ctx.now,
                     customer=cmd.customer, check=match.outcome)
    if match.outcome == "possible":
        dedupe.flag_possible(ctx, cmd, opp, match)
    return opp


def _ask_review(ctx: Context, opp: m.Opportunity, team) -> str:
    """SPEC registration_review: the manager decides; the customer is held for the rep while pending."""
    if team.manager:
        lang = ctx.lang_of(team.manager)
        ctx.notify(Notice(to=team.manager, kind="approval", actions=decision_actions(opp.id, lang), text=say(
            "review_request", lang, rep=ctx.user.name, id=opp.id, customer=opp.customer.name)))
    return say("registered_pending", ctx.lang, id=opp.id, manager=ctx.name_of(team.manager),
               until=opp.protected_until.isoformat())


# ---- naming an opportunity ---------------------------------------------------------------------------------

def resolve(ctx: Context, ref: str, *, statuses=repo.OPEN_STATUSES) -> m.Opportunity | Reply:
    """By ID among what the user may see; or by a customer name unique among their open opportunities."""
    opp = repo.visible_opportunity(ctx.session, ctx.user, ref.upper())
    if opp is not None:
        return opp
    hits = repo.visible_by_customer(ctx.session, ctx.user, normalize_company(ref), statuses=statuses)
    if len(hits) == 1:
        return hits[0]
    if hits:
        return ctx.reply("ambiguous", ref=ref, ids=", ".join(o.id for o in hits))
    return ctx.reply("unknown_opp", ref=ref)


def _open_one(ctx: Context, ref: str, action: tuple[str, str]) -> m.Opportunity | Reply:
    """An opportunity the user may change and that is still open."""
    opp = resolve(ctx, ref)
    if isinstance(opp, Reply):
        return opp
    if opp.status not in repo.OPEN_STATUSES:
        return ctx.reply("not_open", id=opp.id, status=named(STATUS_NAMES, opp.status, ctx.lang),
                         action=action[0 if ctx.lang == "zh" else 1])
    return opp


def may_change(ctx: Context, opp: m.Opportunity) -> bool:
    """Issue 13: the owner, their manager, a director or an admin (a rep it is shared with reads, not edits)."""
    return opp.owner_id == ctx.user.id or _may_decide(ctx, opp)


# ---- correcting a registration -----------------------------------------------------------------------------

def edit(ctx: Context, cmd: i.Edit) -> Reply:
    """修改 ID 字段 值: one field corrected, old → new in the answer and the audit trail."""
    opp = resolve(ctx, cmd.ref, statuses=repo.ALL_STATUSES)
    if isinstance(opp, Reply):
        return opp
    action = "修改" if ctx.lang == "zh" else "edit"
    if not may_change(ctx, opp):
        return ctx.reply("no_permission", action=action, id=opp.id)
    if cmd.field is None:
        return ctx.reply("edit_which", id=opp.id)
    name = field_label(cmd.field, ctx.lang)
    if cmd.value is None:
        key = f"ex_edit_{cmd.field}" if cmd.field in ("budget", "expected_close", "source", "currency") else "ex_edit_other"
        return ctx.reply("edit_unread", field=name, raw=cmd.raw or "-", id=opp.id, example=say(key, ctx.lang, id=opp.id))
    if cmd.field == "customer":
        return _rename(ctx, opp, cmd.value)
    fields = {cmd.field: cmd.value}
    if cmd.field == "budget":
        fields["currency"] = cmd.currency or opp.currency
    if cmd.field == "industry":
        fields["industry"] = cmd.value[:100]  # the column's width
    changes = lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="edit", rescore=rescore, **fields)
    shown = {k: v for k, v in changes.items() if k != "score" and not (k == "currency" and "budget" in changes)}
    if not shown:
        value = field_value(cmd.field, getattr(opp, cmd.field), ctx.lang, currency=opp.currency)
        return ctx.reply("edit_same", id=opp.id, field=name, value=value)
    text = change_text(shown, ctx.lang, currency=opp.currency)
    if "score" in changes:
        text += ("；健康度 " if ctx.lang == "zh" else "; health score ") + f"{changes['score'][0]} → {changes['score'][1]}"
    return ctx.reply("edited", id=opp.id, changes=text)


def _rename(ctx: Context, opp: m.Opportunity, name: str) -> Reply:
    """The customer corrected: 查重 again, as for a registration, against everyone else's open opportunities."""
    if name == opp.customer.name:
        return ctx.reply("edit_same", id=opp.id, field=field_label("customer", ctx.lang), value=name)
    draft = i.Register(customer=name, contacts=tuple(i.ContactInfo(name=c.name, phone=c.phone, email=c.email)
                                                     for c in opp.contacts))
    party = dedupe.party_of(draft)
    match = dedupe.check(ctx, party, exclude=opp.id) if opp.status in repo.OPEN_STATUSES else dedupe.Match("new")
    if match.outcome in ("mine", "conflict"):
        return dedupe.conflict_reply(ctx, draft, match)
    old = opp.customer.name
    existing = ctx.session.scalars(select(m.Customer).where(m.Customer.normalized_name == party.name.key)).first()
    lifecycle.rename_customer(ctx.session, opp, name, actor=ctx.actor, at=ctx.now, customer=existing)
    if match.outcome == "possible":
        dedupe.flag_possible(ctx, draft, opp, match)
        ctx.notes.append(say("possible_rep", ctx.lang))
    return ctx.reply("edited", id=opp.id, changes=change_text({"customer": [old, name]}, ctx.lang))


def set_contact(ctx: Context, cmd: i.SetContact) -> Reply:
    """联系人 ID 姓名 职位 电话 [角色]: adds a person to the decision chain, or corrects one by name; the role is the
    one said, else the one the title gives (the rule registration uses)."""
    opp = resolve(ctx, cmd.ref, statuses=repo.ALL_STATUSES)
    if isinstance(opp, Reply):
        return opp
    if not may_change(ctx, opp):
        return ctx.reply("no_permission", action="修改" if ctx.lang == "zh" else "edit", id=opp.id)
    c = cmd.contact
    known = any(x.name and x.name.casefold() == c.name.casefold() for x in opp.contacts)
    role = cmd.role or (role_for_title(c.title, ctx.config.role_words) if c.title or not known else None)
    contact, changes, new = lifecycle.set_contact(ctx.session, opp, name=c.name, title=c.title, phone=c.phone,
                                                  email=c.email, role=role, actor=ctx.actor, at=ctx.now,
                                                  rescore=rescore)
    chain = chain_text(opp.contacts, opp.score, ctx.lang)
    if new:
        return ctx.reply("contact_added", id=opp.id, contact=contact_line(contact, ctx.lang), chain=chain)
    if not changes:
        return ctx.reply("contact_same", id=opp.id, name=contact.name)
    text = change_text({k: v for k, v in changes.items() if k != "score"}, ctx.lang)
    return ctx.reply("contact_updated", id=opp.id, name=contact.name, changes=text, chain=chain)


def rate(ctx: Context, cmd: i.Rate) -> Reply:
    """评分 ID 功能匹配 8 …: seed 001's need fit is the average of the 需求确认单's items (the org's list)."""
    opp = _open_one(ctx, cmd.ref, ("评分", "rated"))
    if isinstance(opp, Reply):
        return opp
    if not may_change(ctx, opp):
        return ctx.reply("no_permission", action="评分" if ctx.lang == "zh" else "rate", id=opp.id)
    items = ctx.config.need_fit
    found, unknown = {}, []
    for label, value in cmd.ratings:
        item = next((it for it in items if it.called(label)), None)
        if label.lower() in ("整体", "总体", "overall", "总分", "匹配度", "需求匹配度", "need fit"):
            found[OVERALL] = value
        elif item is None:
            unknown.append(label)
        else:
            found[item.key] = value
    if unknown or not found:
        sep = "、" if ctx.lang == "zh" else ", "
        return ctx.reply("rate_which", id=opp.id, unknown=sep.join(unknown) or "—",
                         items=sep.join(it.name(ctx.lang) for it in items))
    before = opp.score
    lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="rate",
                     need_fit={**(opp.need_fit or {}), **found}, rescore=rescore)
    names = {it.key: it.name(ctx.lang) for it in items} | {OVERALL: "整体" if ctx.lang == "zh" else "overall"}
    rated = [k for k in opp.need_fit if k != OVERALL]
    average = need_fit_average(opp.need_fit)
    sep = "、" if ctx.lang == "zh" else ", "
    return ctx.reply("rated", id=opp.id, items=sep.join(f"{names.get(k, k)} {v}" for k, v in found.items()),
                     average=f"{average:.1f}".rstrip("0").rstrip("."), n=len(rated), of=len(items), before=before,
                     after=opp.score)


def history(ctx: Context, cmd: i.History) -> Reply:
    """历史 ID: who changed what and when, from which message; whoever may see the opportunity may see this."""
    opp = resolve(ctx, cmd.ref, statuses=repo.ALL_STATUSES)
    if isinstance(opp, Reply):
        return opp
    trail = repo.audit_trail(ctx.session, opp.id)
    lines = [say("history_head", ctx.lang, id=opp.id, customer=opp.customer.name)]
    if len(trail) > HISTORY_LINES:
        lines.append(say("history_more", ctx.lang, n=len(trail) - HISTORY_LINES))
    tz = ctx.config.timezone_of(ctx.config.team(opp.team_name))
    for entry in trail[-HISTORY_LINES:]:
        what = named(ACTION_NAMES, entry.action, ctx.lang)
        detail = entry.detail or {}
        if detail.get("changes"):
            what += " " + change_text(detail["changes"], ctx.lang, currency=opp.currency)
        elif detail.get("stage"):
            what += " → " + stage_name(detail["stage"], ctx.lang)
        if detail.get("skip"):
            what += "（跳过关卡）" if ctx.lang == "zh" else " (gates skipped)"
        if detail.get("reason"):
            what += ("，原因：" if ctx.lang == "zh" else ", because ") + str(detail["reason"])
        who = "系统" if entry.user_id == "scheduler" and ctx.lang == "zh" else (
            "scheduler" if entry.user_id == "scheduler" else ctx.name_of(entry.user_id))
        said = f"「{_excerpt(entry.message)}」" if entry.message and not entry.message.startswith("job:") else ""
        colon = "：" if ctx.lang == "zh" else ": "
        lines.append(f"• {entry.at.astimezone(tz):%Y-%m-%d %H:%M} {who}{colon}{what} {said}".rstrip())
    return Reply(text="\n".join(lines), lang=ctx.lang)


HISTORY_LINES = 20  # a chat answer, not a report: the newest twenty, and how many came before


def _excerpt(text: str, limit: int = 40) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


# ---- follow-ups and stages ---------------------------------------------------------------------------------

def follow_up(ctx: Context, cmd: i.FollowUp) -> Reply:
    opp = _open_one(ctx, cmd.ref, ("跟进", "followed up"))
    if isinstance(opp, Reply):
        return opp
    fu = m.FollowUp(opportunity_id=opp.id, at=ctx.now, by=ctx.user.id, channel=cmd.channel, content=cmd.content,
                    next_action=cmd.next_action, next_action_date=cmd.next_action_date,
                    risks={"words": list(cmd.risks)} if cmd.risks else {})
    ctx.session.add(fu)  # not opp.follow_ups.append: that would load the whole history to add one
    with ctx.session.no_autoflush:  # one flush at commit, not one per lazy load below
        known = {c.name for c in opp.contacts if c.name}
        for c in cmd.contacts:  # SPEC: a follow-up updates the decision-chain contacts it mentions
            if c.name and c.name not in known:
                opp.contacts.append(m.Contact(customer=opp.customer, name=c.name, title=c.title, phone=c.phone,
                                              email=c.email, role=role_for_title(c.title, ctx.config.role_words)))
                known.add(c.name)
        fields = dict(last_touch_at=ctx.now, next_action=cmd.next_action, next_action_date=cmd.next_action_date,
                      follow_up_due=follow_up_due(opp, ctx.today, ctx.config, next_action_date=cmd.next_action_date),
                      budget_approved=opp.budget_approved or cmd.budget_approved,
                      in_annual_plan=opp.in_annual_plan or cmd.in_annual_plan)
        if cmd.budget is not None:  # SPEC: a follow-up updates the fields it mentions
            fields.update(budget=cmd.budget, currency=cmd.currency)
        if cmd.need_fit is not None:
            fields["need_fit"] = {**(opp.need_fit or {}), "overall": cmd.need_fit}
        if opp.protected_until:
            fields["protected_until"] = _extended(ctx, opp, opp.protected_until + timedelta(
                days=protection.EXTENSION_DAYS))
        lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="follow_up", detail=dict(
            channel=cmd.channel, risks=list(cmd.risks), contacts_added=[c.name for c in cmd.contacts if c.name]),
            rescore=rescore, **fields)
    deal_room.post(ctx, opp, ctx.reply("room_follow_up", id=opp.id, who=ctx.user.name, content=cmd.content,
                                       next=" ".join(str(x) for x in (cmd.next_action, cmd.next_action_date) if x)
                                       or "—").text)
    card = follow_up_card(opp, fu, ctx.lang)
    head = say("followed_up", ctx.lang, id=opp.id)
    added = [c for c in cmd.contacts if c.name]
    if added:
        head += "\n" + say("contacts_added", ctx.lang, names="; ".join(
            f"{c.name} ({c.title})" if c.title else c.name for c in added))
    return Reply(text=head + "\n" + card_text(card), lang=ctx.lang, card=card, decided=True)


def advance(ctx: Context, cmd: i.Advance) -> Reply:
    """SPEC: one stage at a time, each with its gate (required fields), then the score: < 60 refused, 60–80 the
    manager decides, > 80 at once. A jump checks every gate on the way and stops at the first that fails; a gate
    that lacks fields asks for them, and the answer completes the advance."""
    opp = _open_one(ctx, cmd.ref, ("推进", "advanced"))
    if isinstance(opp, Reply):
        return opp
    if cmd.fill is not None:
        if not may_change(ctx, opp):
            return ctx.reply("no_permission", action="推进" if ctx.lang == "zh" else "advance", id=opp.id)
        _fill(ctx, opp, cmd.fill)
    target = cmd.stage or next_stage(opp.stage)
    if target is None or target not in OPEN_STAGES:
        return ctx.reply("stage_last", id=opp.id)
    if STAGES.index(target) <= STAGES.index(opp.stage):
        return ctx.reply("stage_backwards", id=opp.id, stage=stage_name(opp.stage, ctx.lang))
    path = list(STAGES[STAGES.index(opp.stage) + 1: STAGES.index(target) + 1])
    if cmd.skip:
        return _skip(ctx, opp, path)
    for stage in path:
        missing = _missing_to_enter(opp, stage)
        if missing:
            text = say("stage_missing", ctx.lang, id=opp.id, stage=stage_name(target, ctx.lang),
                       missing="、".join(named(FIELD_NAMES, f, ctx.lang) for f in missing))
            if stage != target:
                text += say("gate_stopped", ctx.lang, stage=stage_name(stage, ctx.lang))
            return dialog.ask_gate(ctx, opp.id, target, missing, text)
    s = opportunity_score(opp)
    verdict = gate(s.total)
    if verdict == "refuse":
        return ctx.reply("stage_refused", id=opp.id, score=s.total, hints=_score_hints(opp, ctx.lang))
    if verdict == "approval":
        team = ctx.config.team(opp.team_name)
        manager = team.manager if team else None
        lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="request_stage",
                         detail={"stage": target, "score": s.total}, requested_stage=target)
        if manager:
            lang = ctx.lang_of(manager)
            ctx.notify(Notice(to=manager, kind="approval", actions=decision_actions(opp.id, lang), text=say(
                "approval_request", lang, rep=ctx.user.name, id=opp.id, customer=opp.customer.name,
                stage=stage_name(target, lang), breakdown=score_line(s, lang))))
        return ctx.reply("stage_sent", id=opp.id, score=s.total, manager=ctx.name_of(manager),
                         stage=stage_name(target, ctx.lang))
    _move_to(ctx, opp, target, score=s.total)
    return ctx.reply("stage_done", id=opp.id, stage=stage_name(target, ctx.lang), score=s.total)


def _skip(ctx: Context, opp: m.Opportunity, path: list[str]) -> Reply:
    """跳过: only a manager of the team, a director or an admin, and the skip is in the trail."""
    if not _may_decide(ctx, opp):
        return ctx.reply("no_permission", action="跳级推进" if ctx.lang == "zh" else "skip the gates of", id=opp.id)
    skipped = [f for stage in path for f in _missing_to_enter(opp, stage)]
    _move_to(ctx, opp, path[-1], skip=True, skipped=skipped, score=rescore(opp))
    gates = "、".join(named(FIELD_NAMES, f, ctx.lang) for f in skipped) or ("健康度审批" if ctx.lang == "zh" else
                                                                           "the score approval")
    if opp.owner_id != ctx.user.id:
        lang = ctx.lang_of(opp.owner_id)
        ctx.notify(Notice(to=opp.owner_id, kind="approval", text=say(
            "stage_skipped", lang, id=opp.id, manager=ctx.user.name, stage=stage_name(path[-1], lang), gates=gates)))
    return ctx.reply("stage_skipped", id=opp.id, manager=ctx.user.name, stage=stage_name(path[-1], ctx.lang),
                     gates=gates)


def _fill(ctx: Context, opp: m.Opportunity, fill: i.Register) -> None:
    """The fields a gate asked for, as answered: written like an edit, each in the trail."""
    fields = {k: getattr(fill, k) for k in ("industry", "expected_close") if getattr(fill, k)}
    if fill.budget is not None:
        fields.update(budget=fill.budget, currency=fill.currency)
    if fields:
        lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="edit", detail={"for": "gate"},
                         rescore=rescore, **fields)
    for c in fill.contacts:
        if c.name:
            lifecycle.set_contact(ctx.session, opp, name=c.name, title=c.title, phone=c.phone, email=c.email,
                                  role=role_for_title(c.title, ctx.config.role_words), actor=ctx.actor, at=ctx.now,
                                  rescore=rescore)


def _move_to(ctx: Context, opp: m.Opportunity, target: str, **detail) -> None:
    """One stage at a time: a jump writes each stage it passes in the stage history."""
    while STAGES.index(opp.stage) < STAGES.index(target):
        _move(ctx, opp, STAGES[STAGES.index(opp.stage) + 1], **detail)


def _move(ctx: Context, opp: m.Opportunity, target: str, **detail) -> None:
    due = follow_up_due(opp, ctx.today, ctx.config, stage=target)
    lifecycle.move(ctx.session, opp, target, actor=ctx.actor, at=ctx.now, due=due, **detail)
    deal_room.post(ctx, opp, ctx.reply("room_stage", id=opp.id, stage=stage_name(target, ctx.lang), who=ctx.user.name,
                                       reason=f"（{detail['reason']}）" if detail.get("reason") else "").text)


def back(ctx: Context, cmd: i.Back) -> Reply:
    """退回 ID 到 阶段 原因 …: back to an earlier stage, with the reason in the history; the owner hears when
    someone else (a manager reviewing it) moved it."""
    opp = _open_one(ctx, cmd.ref, ("退回", "moved back"))
    if isinstance(opp, Reply):
        return opp
    if not may_change(ctx, opp):
        return ctx.reply("no_permission", action="退回" if ctx.lang == "zh" else "move back", id=opp.id)
    at = STAGES.index(opp.stage)
    if at == 0:
        return ctx.reply("back_first", id=opp.id)
    target = cmd.stage or STAGES[at - 1]
    if STAGES.index(target) >= at:
        return ctx.reply("back_forward", id=opp.id, stage=stage_name(opp.stage, ctx.lang))
    if not cmd.reason:
        return ctx.reply("back_missing_reason", id=opp.id, stage=stage_name(target, ctx.lang))
    _move(ctx, opp, target, action="back", reason=cmd.reason)
    if opp.owner_id != ctx.user.id:
        lang = ctx.lang_of(opp.owner_id)
        ctx.notify(Notice(to=opp.owner_id, kind="approval", text=say(
            "moved_back_rep", lang, manager=ctx.user.name, id=opp.id, stage=stage_name(target, lang),
            reason=cmd.reason)))
    return ctx.reply("moved_back", id=opp.id, stage=stage_name(target, ctx.lang), reason=cmd.reason)


FIELD_NAMES = {"industry": ("行业", "industry"), "budget": ("预算", "budget"),
               "expected_close": ("预计成交日期", "expected close date"), "contact": ("联系人", "a contact"),
               "decision_maker": ("已接触的决策者（总监及以上）", "a decision maker (director or above) contacted")}


def _missing_to_enter(opp: m.Opportunity, stage: str) -> list[str]:
    have = {"industry": opp.industry, "budget": opp.budget, "expected_close": opp.expected_close,
            "contact": opp.contacts, "decision_maker": [c for c in opp.contacts if c.role == "decision_maker"]}
    return [f for f in REQUIRED_TO_ENTER.get(stage, ()) if not have[f]]


def _score_hints(opp: m.Opportunity, lang: str) -> str:
    """What would raise the score, largest first (SPEC: the bot always shows how the score was made up)."""
    roles = {c.role for c in opp.contacts}
    hints = [
        (not opp.need_fit, 40, "需求匹配度评分（跟进里写“需求匹配度 8”）", "a need-fit rating (write \"need fit 8\" in a follow-up)"),
        (not opp.budget_approved, 15, "预算已获批", "budget approved"),
        ("decision_maker" not in roles, 15, "接触决策者", "reach a decision maker"),
        (opp.budget is None, 10, "预算金额", "a budget amount"),
        ("influencer" not in roles, 9, "影响者联系人", "an influencer contact"),
        ("user" not in roles, 6, "使用者联系人", "a user contact"),
        (not opp.in_annual_plan, 5, "纳入年度计划", "in the annual plan"),
    ]
    return "；".join(f"{zh} +{n}" if lang == "zh" else f"{en} +{n}" for due, n, zh, en in hints if due)


def _may_decide(ctx: Context, opp: m.Opportunity) -> bool:
    """The manager of the opportunity's team, a director or an admin; checked now, not when a request was sent."""
    team = ctx.config.team(opp.team_name)
    return ctx.user.role in ("director", "admin") or (
        ctx.user.role == "manager" and team is not None and team.manager == ctx.user.id)


def _decide_registration(ctx: Context, opp: m.Opportunity, cmd: i.Decide) -> Reply:
    rep_lang = ctx.lang_of(opp.owner_id)
    if cmd.approve:
        lifecycle.approve_registration(ctx.session, opp, actor=ctx.actor, at=ctx.now)
        ctx.notify(Notice(to=opp.owner_id, kind="approval", text=say(
            "registration_approved_rep", rep_lang, manager=ctx.user.name, id=opp.id, until=opp.protected_until)))
        return ctx.reply("registration_approved", id=opp.id)
    lifecycle.close(ctx.session, opp, "invalid", actor=ctx.actor, at=ctx.now,
                    close_note=f"registration rejected: {cmd.note}" if cmd.note else "registration rejected")
    ctx.notify(Notice(to=opp.owner_id, kind="approval", text=say(
        "registration_rejected_rep", rep_lang, manager=ctx.user.name, id=opp.id, note=_note(cmd.note, rep_lang))))
    return ctx.reply("registration_rejected", id=opp.id, note=_note(cmd.note, ctx.lang))


def _note(note: str | None, lang: str) -> str:
    if not note:
        return ""
    return f"：{note}" if lang == "zh" else f": {note}"


def decide(ctx: Context, cmd: i.Decide) -> Reply:
    """A manager's 同意/驳回 on a stage request; the role is checked now, not when the request was sent."""
    opp = resolve(ctx, cmd.ref)
    if isinstance(opp, Reply):
        return opp
    if ctx.user.role in ("presales", "cs"):  # 同意/拒绝 ID from a supporting team answers a support request
        return support.answer(ctx, i.AnswerSupport(ref=cmd.ref, accept=cmd.approve, reason=cmd.note))
    if not _may_decide(ctx, opp):
        return ctx.reply("no_permission", action="审批" if ctx.lang == "zh" else "decide on", id=opp.id)
    if opp.status == "pending":
        return replace(_decide_registration(ctx, opp, cmd), decided=True)
    if not opp.requested_stage:
        override = dedupe.pending_override(ctx, opp)
        if override is not None:
            return replace(dedupe.decide_override(ctx, opp, override, cmd), decided=True)
        if opp.flag == "possible_duplicate":
            return replace(dedupe.decide_duplicate(ctx, opp, cmd), decided=True)
        return ctx.reply("nothing_pending", id=opp.id)
    target, rep_lang = opp.requested_stage, ctx.lang_of(opp.owner_id)
    if cmd.approve:
        _move_to(ctx, opp, target, approved=True, score=rescore(opp))
        ctx.notify(Notice(to=opp.owner_id, kind="approval", text=say(
            "approved_rep", rep_lang, manager=ctx.user.name, id=opp.id, stage=stage_name(target, rep_lang))))
        return replace(ctx.reply("approved", id=opp.id, stage=stage_name(target, ctx.lang)), decided=True)
    lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="reject_stage",
                     detail={"stage": target, "note": cmd.note}, requested_stage=None)
    note = _note(cmd.note, rep_lang)
    ctx.notify(Notice(to=opp.owner_id, kind="approval", text=say(
        "rejected_rep", rep_lang, manager=ctx.user.name, id=opp.id, note=note)))
    return replace(ctx.reply("rejected", id=opp.id), decided=True)


# ---- closing -----------------------------------------------------------------------------------------------

def won(ctx: Context, cmd: i.Won) -> Reply:
    """SPEC: won needs the amount and the close date (today when not given)."""
    opp = _open_one(ctx, cmd.ref, ("赢单", "marked won"))
    if isinstance(opp, Reply):
        return opp
    if cmd.amount is None:
        return ctx.reply("won_missing", id=opp.id)
    lifecycle.close(ctx.session, opp, "won", actor=ctx.actor, at=ctx.now, budget=cmd.amount, currency=cmd.currency,
                    expected_close=cmd.close_date or ctx.today)
    reply = ctx.reply("won", id=opp.id, amount=money(opp.budget, opp.currency, ctx.lang), day=opp.expected_close)
    deal_room.post(ctx, opp, reply.text)
    return reply


def lost(ctx: Context, cmd: i.Lost) -> Reply:
    opp = _open_one(ctx, cmd.ref, ("输单", "marked lost"))
    if isinstance(opp, Reply):
        return opp
    if not cmd.reason:
        return ctx.reply("lost_missing", id=opp.id)
    lifecycle.close(ctx.session, opp, "lost", actor=ctx.actor, at=ctx.now, lost_reason=cmd.reason,
                    competitor=cmd.competitor, close_note=cmd.detail,
                    loss_analysis={"real_reason": real} if (real := _beyond_category(cmd.detail)) else None)
    team = ctx.config.team(opp.team_name)
    if team and team.manager and team.manager != ctx.user.id:  # SPEC: managers review lost deals
        lang = ctx.lang_of(team.manager)
        ctx.notify(Notice(to=team.manager, kind="approval", text=say(
            "lost_manager", lang, rep=ctx.name_of(opp.owner_id), id=opp.id, customer=opp.customer.name,
            reason=named(LOST_REASON_NAMES, cmd.reason, lang), competitor=_competitor(cmd.competitor, lang))))
    text = say("lost", ctx.lang, id=opp.id, reason=named(LOST_REASON_NAMES, cmd.reason, ctx.lang),
               competitor=_competitor(cmd.competitor, ctx.lang))
    deal_room.post(ctx, opp, text)
    missing = _loss_missing(opp.competitor, opp.loss_analysis)
    return dialog.ask_loss(ctx, opp.id, missing, text) if missing else Reply(text=text, lang=ctx.lang)


def _beyond_category(detail: str | None) -> str | None:
    """'竞品低价，客户说我们贵了两成' → '客户说我们贵了两成': what the rep said past the reason's category word."""
    if not detail:
        return None
    for words in LOST_REASON_WORDS.values():
        for w in sorted(words, key=len, reverse=True):
            if w in detail.lower():
                detail = re.sub(re.escape(w), " ", detail, count=1, flags=re.I)
                break
    rest = detail.strip(" ,;:，；。.、")
    return rest if len(rest) >= 2 else None


def _loss_missing(competitor: str | None, loss: dict | None) -> list[str]:
    """Seed 001 丢单分析表: reason category (always given), competitor, the customer's real reason, our weakness."""
    loss = loss or {}
    return [k for k, have in (("competitor", competitor), ("real_reason", loss.get("real_reason")),
                              ("weakness", loss.get("weakness"))) if not have]


def loss_analysis(ctx: Context, cmd: i.LossAnalysis) -> Reply:
    """The 丢单分析表's answer: stored, and when complete the review is done and the lifecycle report shown."""
    opp = resolve(ctx, cmd.ref, statuses=("lost",))
    if isinstance(opp, Reply):
        return opp
    if not may_change(ctx, opp):
        return ctx.reply("no_permission", action="复盘" if ctx.lang == "zh" else "review", id=opp.id)
    loss = dict(opp.loss_analysis or {})
    loss.update({k: v for k, v in (("real_reason", cmd.real_reason), ("weakness", cmd.weakness)) if v})
    competitor = cmd.competitor or opp.competitor
    missing = _loss_missing(competitor, loss)
    reviewed = opp.reviewed_at or (None if missing else ctx.now)  # complete: the review is done
    lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="review", loss_analysis=loss,
                     competitor=competitor, reviewed_at=reviewed)
    head = say("loss_recorded", ctx.lang, id=opp.id)
    if missing:
        return dialog.ask_loss(ctx, opp.id, missing, head)
    return Reply(text=head + "\n" + _report(ctx, opp), lang=ctx.lang)


def _report(ctx: Context, opp: m.Opportunity) -> str:
    return lifecycle_report(opp, repo.audit_trail(ctx.session, opp.id), ctx.lang,
                            ctx.config.timezone_of(ctx.config.team(opp.team_name)))


def _competitor(name: str | None, lang: str) -> str:
    if not name:
        return ""
    return f"，竞品 {name}" if lang == "zh" else f", competitor {name}"


def invalid(ctx: Context, cmd: i.Invalid) -> Reply:
    opp = _open_one(ctx, cmd.ref, ("标为无效", "marked invalid"))
    if isinstance(opp, Reply):
        return opp
    lifecycle.close(ctx.session, opp, "invalid", actor=ctx.actor, at=ctx.now, close_note=cmd.reason)
    reason = (f"（{cmd.reason}）" if ctx.lang == "zh" else f" ({cmd.reason})") if cmd.reason else ""
    return ctx.reply("invalid", id=opp.id, reason=reason)


def claim(ctx: Context, cmd: i.Claim) -> Reply:
    """SPEC 公海: a released opportunity goes to whoever claims it; its previous owner waits out a cooldown."""
    opp = resolve(ctx, cmd.ref, statuses=("public",))
    if isinstance(opp, Reply):
        opp = repo.any_opportunity(ctx.session, cmd.ref.upper())
        if opp is None:
            return ctx.reply("unknown_opp", ref=cmd.ref)
    if opp.status != "public":
        return ctx.reply("not_public", id=opp.id, owner=ctx.name_of(opp.owner_id))
    if opp.previous_owner_id == ctx.user.id and opp.released_at and \
            ctx.now < opp.released_at + timedelta(days=protection.CLAIM_COOLDOWN_DAYS):
        until = (opp.released_at + timedelta(days=protection.CLAIM_COOLDOWN_DAYS)).astimezone(ctx.now.tzinfo).date()
        return ctx.reply("claim_cooldown", id=opp.id, until=until)
    team = ctx.config.team(ctx.user.team_name)
    team_name = team.name if team else opp.team_name
    due = follow_up_due(opp, ctx.today, ctx.config)
    if not lifecycle.claim(ctx.session, opp, owner_id=ctx.user.id, team_name=team_name, due=due,
                           protected_until=ctx.today + timedelta(days=ctx.config.org.protection_days),
                           actor=ctx.actor, at=ctx.now):  # someone registered the customer since its release
        holder = ctx.session.get(m.Opportunity, matchindex.protected_holder(ctx.session, read_name(opp.customer.name)))
        return ctx.reply("conflict", owner=ctx.name_of(holder.owner_id),
                         until=holder.protected_until.isoformat() if holder.protected_until else "-")
    return ctx.reply("claimed", id=opp.id, customer=opp.customer.name, until=opp.protected_until)


def review(ctx: Context, cmd: i.Review) -> Reply:
    """SPEC 复盘: won → success points; lost → the analysis (a reason category it names updates the record)."""
    opp = resolve(ctx, cmd.ref, statuses=("won", "lost"))
    if isinstance(opp, Reply):
        return opp
    if opp.status not in ("won", "lost"):  # named by ID: resolve does not filter by status
        return ctx.reply("review_not_closed", id=opp.id)
    if not cmd.text:
        return ctx.reply("archive_reminder", id=opp.id, customer=opp.customer.name, due="-")
    named_reason = first_word_hit(LOST_REASON_WORDS, cmd.text) if opp.status == "lost" else None
    lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="review", review=cmd.text,
                     reviewed_at=ctx.now, lost_reason=named_reason or opp.lost_reason)
    return Reply(text=say("reviewed", ctx.lang, id=opp.id) + "\n" + _report(ctx, opp), lang=ctx.lang)


def snooze(ctx: Context, cmd: i.Snooze) -> Reply:
    """Reminders pause until the date the rep gave; the follow-up falls due then."""
    opp = _open_one(ctx, cmd.ref, ("暂停", "snoozed"))
    if isinstance(opp, Reply):
        return opp
    if cmd.until is None:
        return dialog.ask_about(ctx, "snooze", opp.id, ctx.reply("snooze_missing", id=opp.id))
    if cmd.until <= ctx.today:
        return ctx.reply("snooze_past", until=cmd.until)
    protected = opp.protected_until and _extended(  # a known pause does not cost the customer: protection
        ctx, opp, cmd.until + timedelta(days=protection.WARNING_DAYS))  # outlasts it by the warning week
    lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="snooze", snoozed_until=cmd.until,
                     snooze_reason=cmd.reason, follow_up_due=cmd.until, protected_until=protected)
    return replace(ctx.reply("snoozed", id=opp.id, until=cmd.until, reason=cmd.reason or "-",
                             protected=opp.protected_until or "-"), decided=True)


def _extended(ctx: Context, opp: m.Opportunity, at_least: date) -> date:
    registered = opp.created_at.astimezone(ctx.config.timezone_of(ctx.config.team(opp.team_name))).date()
    return protection.extended(opp.protected_until, at_least=at_least, registered=registered)


# ---- asking ------------------------------------------------------------------------------------------------

def show(ctx: Context, cmd: i.Show) -> Reply:
    opp = resolve(ctx, cmd.ref, statuses=repo.ALL_STATUSES)
    if isinstance(opp, Reply):
        return opp
    return ctx.card(opp, full=True)


def query(ctx: Context, cmd: i.Query) -> Reply:
    filters = _filters(ctx, cmd.cuts)
    if isinstance(filters, Reply):
        return filters
    try:
        found = queries.answer(ctx.session, viewer=ctx.user, config=ctx.config, today=ctx.today, lang=ctx.lang,
                               what=cmd.what, period=cmd.period, filters=filters, chart=True)
    except ValueError:  # a month that is not one: 2026年13月
        return ctx.reply("m_bad_period", example=say("ex_metric", ctx.lang))
    text = found.text
    if cmd.unread:
        text += "\n" + say("m_unread", ctx.lang, text=cmd.unread, example=say("ex_metric", ctx.lang))
    return Reply(text=text, lang=ctx.lang, image=found.image)


def _filters(ctx: Context, cuts: tuple[tuple[str, str], ...]) -> queries.Filters | Reply:
    """团队 east → East, 负责人 Alice → alice: a cut names a team or person the config knows, or is refused."""
    values = dict(cuts)
    if "team" in values:
        team = next((t.name for t in ctx.config.teams if t.name.lower() == values["team"].lower()), None)
        if team is None:
            return ctx.reply("m_no_team", team=values["team"], teams="、".join(t.name for t in ctx.config.teams))
        values["team"] = team
    if "owner" in values:
        who = values["owner"].lower()
        user = next((u.id for u in ctx.config.users if who in (u.id.lower(), u.name.lower())), None)
        if user is None:
            return ctx.reply("m_no_owner", owner=values["owner"])
        values["owner"] = user
    return queries.Filters(**values)


def dashboard(ctx: Context, cmd: i.Dashboard) -> Reply:
    """看板: a link signed for the asker alone (their role's scope), valid 15 minutes."""
    token = links.sign(ctx.session, user_id=ctx.user.id, now=ctx.now)
    text = say("dashboard_link", ctx.lang, scope=queries.pipeline.scope_name(ctx.user, ctx.lang),
               url=f"{ctx.public_url}/dashboard?t={token}", minutes=links.LINK_MINUTES)
    if ctx.in_group:  # whoever holds the link sees the asker's scope: never post it where others read
        ctx.notify(Notice(to=ctx.user.id, kind="reply", text=text))
        return ctx.reply("dashboard_sent")
    return Reply(text=text, lang=ctx.lang)


def export_list(ctx: Context, cmd: i.ExportList) -> Reply:
    """导出: what the asker may see (我的商机: their own; 团队商机: their scope) as the sheet `oppbot import` reads."""
    headers, rows = table(ctx.session, lang=ctx.lang, config=ctx.config, viewer=ctx.user,
                          owner=ctx.user.id if cmd.what == "mine" else None)
    name = f"{'商机' if ctx.lang == 'zh' else 'opportunities'}-{ctx.today.isoformat()}.xlsx"
    return replace(ctx.reply("exported", n=len(rows), file=name), file=(name, write_xlsx(headers, rows)))


def help_(ctx: Context, cmd: i.Help) -> Reply:
    return ctx.reply("help")


def cancel(ctx: Context, cmd: i.Cancel) -> Reply:
    return ctx.reply("nothing_to_cancel")  # a draft in progress is dropped by dialog.route before this


def not_understood(ctx: Context, cmd: i.NotUnderstood) -> Reply:
    if cmd.missing == "ref":
        example = say("ex_show" if cmd.intent == "show" else "ex_follow_up", ctx.lang)
        return ctx.reply("missing_ref", example=example)
    if cmd.missing == "content" and cmd.ref:  # 跟进 ID (or its button): the next message says what happened
        opp = _open_one(ctx, cmd.ref, ("跟进", "followed up"))
        if isinstance(opp, Reply):
            return opp
        return dialog.ask_about(ctx, "follow_up", opp.id, ctx.reply("fu_ask", id=opp.id, customer=opp.customer.name))
    if cmd.missing == "content":
        return ctx.reply("missing_content", example=say("ex_follow_up", ctx.lang))
    if cmd.missing == "alias":
        return ctx.reply("missing_alias")
    if cmd.missing == "contact":
        return ctx.reply("missing_contact")
    return ctx.reply("not_understood")


VERBS = {
    i.Register: register, i.FollowUp: follow_up, i.Edit: edit, i.SetContact: set_contact, i.Rate: rate,
    i.History: history, i.Advance: advance, i.Back: back, i.Decide: decide, i.Won: won, i.Lost: lost,
    i.LossAnalysis: loss_analysis, i.Invalid: invalid, i.Claim: claim, i.Review: review, i.Snooze: snooze,
    i.Override: dedupe.request_override, i.AddAlias: dedupe.add_alias, i.AskSupport: support.ask,
    i.AnswerSupport: support.answer, i.RateSupport: support.rate, i.Show: show, i.Query: query, i.Dashboard: dashboard,
    i.ExportList: export_list, i.Help: help_,
    i.Cancel: cancel, i.NotUnderstood: not_understood,
}
