"""Seed 001 五(二) 跨部门协作: a rep asks presales or customer success for help on an opportunity; they accept or
refuse (a refusal goes to the director) within 24 hours; both sides rate the work, and a team rated below 8 twice
in a row is flagged to the director. Runs inside the message's one transaction, like every command."""
from __future__ import annotations

from sqlalchemy import select

from domain.messages import Notice, Reply
from handlers import intents as i
from handlers.render import say
from storage import lifecycle
from storage import models as m

GOOD_RATING = 8  # seed 001: a team rated below this twice in a row must improve


def _team(kind: str, lang: str) -> str:
    return say(f"support_team_{kind}", lang)


def ask(ctx, cmd: i.AskSupport) -> Reply:
    from handlers.commands import _open_one, may_change  # one resolver and one permission rule for every command
    opp = _open_one(ctx, cmd.ref, ("申请支持", "request support for"))
    if isinstance(opp, Reply):
        return opp
    if not may_change(ctx, opp):
        return ctx.reply("no_permission", action="申请支持" if ctx.lang == "zh" else "request support for", id=opp.id)
    if cmd.kind is None:
        return ctx.reply("support_which", id=opp.id)
    people = ctx.config.supporters(cmd.kind, opp.team_name)
    if not people:
        return ctx.reply("support_nobody", team=_team(cmd.kind, ctx.lang))
    what = cmd.what or ("支持" if ctx.lang == "zh" else "support")
    lifecycle.ask_support(ctx.session, opp, kind=cmd.kind, what=what, needed_by=cmd.by, actor=ctx.actor, at=ctx.now)
    for who in people:
        lang = ctx.lang_of(who)
        ctx.notify(Notice(to=who, kind="approval", text=say(
            "support_request", lang, rep=ctx.user.name, team=_team(cmd.kind, lang), id=opp.id,
            customer=opp.customer.name, what=what, by=say("support_by", lang, day=cmd.by) if cmd.by else "")))
    return ctx.reply("support_sent", team=_team(cmd.kind, ctx.lang), names="、".join(ctx.name_of(p) for p in people),
                     id=opp.id, what=what, by=say("support_by", ctx.lang, day=cmd.by) if cmd.by else "")


def _waiting(ctx, opp_id: str) -> m.SupportRequest | None:
    return ctx.session.scalars(select(m.SupportRequest).where(
        m.SupportRequest.opportunity_id == opp_id, m.SupportRequest.kind == ctx.user.role,
        m.SupportRequest.status == "requested").order_by(m.SupportRequest.id)).first()


def answer(ctx, cmd: i.AnswerSupport) -> Reply:
    """接受 ID / 拒绝 ID 原因 …: only presales or cs, on a request to their team."""
    from handlers.commands import resolve
    opp = resolve(ctx, cmd.ref)
    if isinstance(opp, Reply):
        return opp
    request = _waiting(ctx, opp.id) if ctx.user.role in ("presales", "cs") else None
    if request is None:
        return ctx.reply("support_none", id=opp.id)
    if not cmd.accept and not cmd.reason:
        return ctx.reply("support_reason", id=opp.id)
    lifecycle.answer_support(ctx.session, opp, request, accept=cmd.accept, reason=cmd.reason, actor=ctx.actor,
                             at=ctx.now)
    rep_lang = ctx.lang_of(request.requested_by)
    if cmd.accept:
        ctx.notify(Notice(to=request.requested_by, kind="approval", text=say(
            "support_accepted_rep", rep_lang, who=ctx.user.name, team=_team(request.kind, rep_lang), id=opp.id)))
        return ctx.reply("support_accepted", id=opp.id)
    ctx.notify(Notice(to=request.requested_by, kind="approval", text=say(
        "support_refused_rep", rep_lang, who=ctx.user.name, team=_team(request.kind, rep_lang), id=opp.id,
        reason=cmd.reason)))
    for d in ctx.config.directors():
        lang = ctx.lang_of(d)
        ctx.notify(Notice(to=d, kind="alert", text=say(
            "support_refused_director", lang, who=ctx.user.name, team=_team(request.kind, lang),
            rep=ctx.name_of(request.requested_by), id=opp.id, customer=opp.customer.name, reason=cmd.reason)))
    return ctx.reply("support_refused", id=opp.id)


def rate(ctx, cmd: i.RateSupport) -> Reply:
    """评价 ID 9: the rep rates the support, the supporter rates the collaboration (seed 001's 协作评价表)."""
    from handlers.commands import resolve
    opp = resolve(ctx, cmd.ref)
    if isinstance(opp, Reply):
        return opp
    if cmd.rating is None:
        return ctx.reply("rate_missing", id=opp.id)
    accepted = list(ctx.session.scalars(select(m.SupportRequest).where(
        m.SupportRequest.opportunity_id == opp.id, m.SupportRequest.status == "accepted")
        .order_by(m.SupportRequest.id.desc())))
    mine = next((r for r in accepted if r.requested_by == ctx.user.id and r.rating is None), None)
    theirs = next((r for r in accepted if r.answered_by == ctx.user.id and r.support_rating is None), None)
    if mine is None and theirs is None:
        return ctx.reply("rate_nothing", id=opp.id)
    lifecycle.rate_support(ctx.session, opp, mine or theirs, rating=cmd.rating, by_requester=mine is not None,
                           actor=ctx.actor, at=ctx.now)
    if mine is not None:
        _flag_if_low_twice(ctx, mine.kind)
    return ctx.reply("rated_support", id=opp.id, rating=cmd.rating)


def _flag_if_low_twice(ctx, kind: str) -> None:
    ctx.session.flush()
    last = list(ctx.session.scalars(select(m.SupportRequest).where(
        m.SupportRequest.kind == kind, m.SupportRequest.rating.is_not(None)).order_by(m.SupportRequest.id.desc())
        .limit(2)))
    if len(last) == 2 and all(r.rating < GOOD_RATING for r in last):
        for d in ctx.config.directors():
            lang = ctx.lang_of(d)
            ctx.notify(Notice(to=d, kind="alert", key=f"support-flag:{kind}:{last[0].id}", text=say(
                "support_flag", lang, team=_team(kind, lang), ids="、".join(r.opportunity_id for r in reversed(last)))))
