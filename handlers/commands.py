"""One verb function per command. Each runs inside the one transaction `handle` opened and returns its Reply."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.config import Config
from domain.contacts import role_for_title
from domain.matching import normalize_company
from domain.messages import Notice, Reply
from domain.scoring import Score, score
from domain.stages import CADENCE_DAYS
from handlers import intents as i
from handlers.render import card_text, money, opportunity_card, say, stage_name
from storage import models as m
from storage import outbox, repo

PROTECTION_EXTENSION_DAYS = 30  # SPEC: each follow-up extends protection by 30 days …
PROTECTION_CAP_DAYS = 180  # … up to 180 days from registration


@dataclass
class Context:
    session: Session
    user: m.User
    config: Config
    now: datetime
    today: date  # in the user's team time zone
    lang: str
    message: str

    def notify(self, notice: Notice) -> None:
        outbox.enqueue(self.session, notice, now=self.now)

    def reply(self, key: str, **values) -> Reply:
        return Reply(text=say(key, self.lang, **values), lang=self.lang)

    def card(self, opp: m.Opportunity, *, head: str | None = None, full: bool = False) -> Reply:
        owner = self.config.user(opp.owner_id)
        card = opportunity_card(opp, opportunity_score(opp), self.lang, owner=owner.name if owner else opp.owner_id,
                                full=full)
        return Reply(text="\n".join(x for x in (head, card_text(card)) if x), lang=self.lang, card=card)


def opportunity_score(opp: m.Opportunity) -> Score:
    return score(need_fit_items=opp.need_fit or {}, contact_roles=[c.role for c in opp.contacts],
                 budget_stated=opp.budget is not None, budget_approved=opp.budget_approved,
                 in_annual_plan=opp.in_annual_plan)


def follow_up_due(opp: m.Opportunity, today: date) -> date:
    """SPEC: due at the earlier of the stage cadence date and the rep's own next-action date."""
    cadence = today + timedelta(days=CADENCE_DAYS.get(opp.stage, 7))
    if opp.next_action_date and opp.next_action_date >= today:
        return min(cadence, opp.next_action_date)
    return cadence


def register(ctx: Context, cmd: i.Register) -> Reply:
    missing = []
    if not cmd.customer:
        missing.append(say("missing_customer", ctx.lang))
    if not (cmd.contacts or cmd.need):
        missing.append(say("missing_detail", ctx.lang))
    if missing:
        understood = ", ".join(v for v in (cmd.customer, cmd.need) if v) or say("nothing", ctx.lang)
        return ctx.reply("register_missing", missing="; ".join(missing), understood=understood)
    key = normalize_company(cmd.customer)
    existing = _holder_of(ctx.session, key)
    if existing is not None:
        return _conflict(ctx, cmd, existing)
    team = ctx.config.team(ctx.user.team_name)
    customer = ctx.session.scalars(select(m.Customer).where(m.Customer.normalized_name == key)).first()
    if customer is None:
        customer = m.Customer(name=cmd.customer, normalized_name=key, created_at=ctx.now)
        ctx.session.add(customer)
        ctx.session.flush()
    opp = m.Opportunity(
        id=repo.next_opportunity_id(ctx.session, year=ctx.today.year, region=team.region),
        customer=customer, owner_id=ctx.user.id, team_name=team.name, region=team.region,
        stage="discovery", status="open", need=cmd.need, budget=cmd.budget, currency=cmd.currency,
        expected_close=cmd.expected_close, source=cmd.source, industry=cmd.industry, need_fit={},
        protected_until=ctx.today + timedelta(days=ctx.config.org.protection_days),
        created_at=ctx.now, updated_at=ctx.now, last_touch_at=ctx.now,
    )
    opp.follow_up_due = follow_up_due(opp, ctx.today)
    opp.contacts = [m.Contact(customer_id=customer.id, name=c.name, title=c.title, role=role_for_title(c.title),
                              phone=c.phone, email=c.email) for c in cmd.contacts]
    opp.stage_history = [m.StageChange(at=ctx.now, from_stage=None, to_stage="discovery", by=ctx.user.id)]
    opp.follow_ups = []
    opp.score = opportunity_score(opp).total
    ctx.session.add(opp)
    ctx.session.flush()
    repo.audit(ctx.session, at=ctx.now, user_id=ctx.user.id, action="register", entity="opportunity",
               entity_id=opp.id, detail={"customer": cmd.customer}, message=ctx.message)
    return ctx.card(opp, head=say("registered", ctx.lang, id=opp.id, until=opp.protected_until.isoformat()))


def _holder_of(session: Session, key: str) -> m.Opportunity | None:
    """The open or protected opportunity on this exact customer key, if any (the fuzzy matcher is issue 4)."""
    return session.scalars(
        select(m.Opportunity).join(m.Customer).where(
            m.Customer.normalized_name == key, m.Opportunity.status.in_(repo.OPEN_STATUSES))
    ).first()


def _conflict(ctx: Context, cmd: i.Register, held: m.Opportunity) -> Reply:
    """SPEC privacy: the blocked rep learns the owner's name and protection end, nothing else."""
    if held.owner_id == ctx.user.id:
        outcome = "mine"
        reply = ctx.reply("mine_exists", id=held.id, customer=held.customer.name)
    else:
        outcome = "conflict"
        owner = ctx.config.user(held.owner_id)
        until = held.protected_until.isoformat() if held.protected_until else "-"
        reply = ctx.reply("conflict", owner=owner.name if owner else held.owner_id, until=until)
        owner_lang = ctx.session.get(m.User, held.owner_id).lang
        ctx.notify(Notice(to=held.owner_id, kind="alert", text=say(
            "conflict_owner", owner_lang, user=ctx.user.name, customer=held.customer.name, id=held.id)))
        managers = {t.manager for t in (ctx.config.team(held.team_name), ctx.config.team(ctx.user.team_name)) if t}
        for manager in sorted(x for x in managers if x):
            ctx.notify(Notice(to=manager, kind="alert", text=say(
                "conflict_manager", ctx.session.get(m.User, manager).lang, user=ctx.user.name,
                customer=cmd.customer, owner=owner.name if owner else held.owner_id, id=held.id, until=until)))
    ctx.session.add(m.Conflict(at=ctx.now, user_id=ctx.user.id, customer=cmd.customer, outcome=outcome,
                               matched_id=held.id, owner_id=held.owner_id))
    return reply


def resolve(ctx: Context, ref: str) -> m.Opportunity | Reply:
    """An opportunity by ID, or by customer name when it is unique among what the user may see."""
    opp = repo.visible_opportunity(ctx.session, ctx.user, ref.upper())
    if opp is not None:
        return opp
    key = normalize_company(ref)
    hits = [o for o in repo.owned_opportunities(ctx.session, ctx.user.id)
            if key and key in o.customer.normalized_name]
    if len(hits) == 1:
        return hits[0]
    if hits:
        return ctx.reply("ambiguous", ref=ref, ids=", ".join(o.id for o in hits))
    return ctx.reply("unknown_opp", ref=ref)


def follow_up(ctx: Context, cmd: i.FollowUp) -> Reply:
    opp = resolve(ctx, cmd.ref)
    if isinstance(opp, Reply):
        return opp
    opp.follow_ups.append(m.FollowUp(at=ctx.now, by=ctx.user.id, channel=cmd.channel, content=cmd.content,
                                     next_action=cmd.next_action, next_action_date=cmd.next_action_date))
    opp.last_touch_at = opp.updated_at = ctx.now
    opp.next_action, opp.next_action_date = cmd.next_action, cmd.next_action_date
    opp.follow_up_due = follow_up_due(opp, ctx.today)
    if opp.protected_until:
        cap = opp.created_at.astimezone(ctx.config.timezone_of(ctx.config.team(opp.team_name))).date() \
            + timedelta(days=PROTECTION_CAP_DAYS)
        opp.protected_until = min(opp.protected_until + timedelta(days=PROTECTION_EXTENSION_DAYS), cap)
    repo.audit(ctx.session, at=ctx.now, user_id=ctx.user.id, action="follow_up", entity="opportunity",
               entity_id=opp.id, detail={"channel": cmd.channel, "next_action_date":
                                         cmd.next_action_date and cmd.next_action_date.isoformat()},
               message=ctx.message)
    return ctx.card(opp, head=say("followed_up", ctx.lang, id=opp.id))


def show(ctx: Context, cmd: i.Show) -> Reply:
    opp = resolve(ctx, cmd.ref)
    if isinstance(opp, Reply):
        return opp
    return ctx.card(opp, full=True)


def my_opportunities(ctx: Context, cmd: i.MyOpportunities) -> Reply:
    opps = repo.owned_opportunities(ctx.session, ctx.user.id)
    if not opps:
        return ctx.reply("no_opps")
    lines = [say("my_opps", ctx.lang, n=len(opps))]
    for o in opps:
        amount = money(o.budget, o.currency, ctx.lang)
        due = o.follow_up_due.isoformat() if o.follow_up_due else ""
        lines.append(" ".join(x for x in (f"• {o.id}", o.customer.name, stage_name(o.stage, ctx.lang), amount,
                                          f"⏰{due}" if due else None) if x))
    return Reply(text="\n".join(lines), lang=ctx.lang)


def help_(ctx: Context, cmd: i.Help) -> Reply:
    return ctx.reply("help")


def not_understood(ctx: Context, cmd: i.NotUnderstood) -> Reply:
    if cmd.missing == "ref":
        example = say("ex_show" if cmd.intent == "show" else "ex_follow_up", ctx.lang)
        return ctx.reply("missing_ref", example=example)
    if cmd.missing == "content":
        return ctx.reply("missing_content", example=say("ex_follow_up", ctx.lang))
    return ctx.reply("not_understood")


VERBS = {
    i.Register: register, i.FollowUp: follow_up, i.Show: show, i.MyOpportunities: my_opportunities,
    i.Help: help_, i.NotUnderstood: not_understood,
}
