"""查重 / 防撞单: the check a registration goes through, and what follows a conflict or a possible duplicate
(SPEC "Duplicate and conflict check"). Runs inside the registration's one transaction."""
from __future__ import annotations

from dataclasses import dataclass

from domain.matching import Party, Signal, read_name
from domain.actions import decision_actions
from domain.messages import Notice, Reply
from handlers import intents as i
from handlers.render import say
from storage import lifecycle, matchindex, repo
from storage import models as m

REASONS = {"exact": ("名称相同", "same name"), "core": ("核心名称相同", "same core name"),
           "pinyin": ("拼音/英文名相同", "same name in pinyin"), "alias": ("别名相同", "a recorded alias"),
           "contains": ("简称包含", "short name contained"), "fuzzy": ("名称相似", "similar name"),
           "phone": ("联系人电话相同", "same contact phone"), "email": ("联系人邮箱相同", "same contact email"),
           "domain": ("邮箱域名相同", "same email domain")}


@dataclass(frozen=True)
class Match:
    outcome: str  # new | possible | conflict | mine
    holder: m.Opportunity | None = None
    signal: Signal | None = None


def party_of(cmd: i.Register) -> Party:
    return Party(read_name(cmd.customer), phones=frozenset(c.phone for c in cmd.contacts if c.phone),
                 emails=frozenset(c.email for c in cmd.contacts if c.email))


def check(ctx, party: Party, *, exclude: str | None = None, relied: set[str] | None = None) -> Match:
    """The strongest match among the candidates' open opportunities decides; the rep's own wins a tie.
    `exclude`: the opportunity whose customer is being renamed does not match itself; `relied` is filled with the
    index keys the answer rests on (storage.matchindex.candidates)."""
    matchindex.lock_registrations(ctx.session)
    best: tuple | None = None
    for customer_id, s in matchindex.matches(ctx.session, party, relied=relied):
        opp = matchindex.open_opportunity(ctx.session, customer_id)  # only for the few that match
        if opp is None or opp.id == exclude:
            continue
        rank = (s.strength == "strong", opp.owner_id == ctx.user.id, s.score)
        if best is None or rank > best[0]:
            best = (rank, opp, s)
    if best is None:
        return Match("new")
    _, opp, signal = best
    if signal.strength == "weak":
        return Match("possible", opp, signal)
    return Match("mine" if opp.owner_id == ctx.user.id else "conflict", opp, signal)


def record(ctx, cmd: i.Register, match: Match) -> None:
    """Every check that found something lands in the export's `conflicts` list."""
    ctx.session.add(m.Conflict(at=ctx.now, user_id=ctx.user.id, customer=cmd.customer, outcome=match.outcome,
                               matched_id=match.holder.id, owner_id=match.holder.owner_id,
                               signal=match.signal.reason if match.signal else None))


def reason(signal: Signal | None, lang: str) -> str:
    zh, en = REASONS.get(signal.reason if signal else "", ("", ""))
    return zh if lang == "zh" else en


def conflict_reply(ctx, cmd: i.Register, match: Match) -> Reply:
    """SPEC privacy: the blocked rep learns the owner's name and protection end, nothing else; the owner and
    both managers are told."""
    held = match.holder
    record(ctx, cmd, match)
    if match.outcome == "mine":
        return ctx.reply("mine_exists", id=held.id, customer=held.customer.name)
    owner, until = ctx.name_of(held.owner_id), held.protected_until.isoformat() if held.protected_until else "-"
    ctx.notify(Notice(to=held.owner_id, kind="alert", text=say(
        "conflict_owner", ctx.lang_of(held.owner_id), user=ctx.user.name, customer=held.customer.name, id=held.id)))
    for manager in managers_of(ctx, held):
        lang = ctx.lang_of(manager)
        ctx.notify(Notice(to=manager, kind="alert", text=say(
            "conflict_manager", lang, user=ctx.user.name, customer=cmd.customer, owner=owner, id=held.id,
            until=until, reason=reason(match.signal, lang))))
    return ctx.reply("conflict", owner=owner, until=until)


def managers_of(ctx, held: m.Opportunity) -> list[str]:
    """The owner's manager and the writer's manager, once each."""
    teams = (ctx.config.team(held.team_name), ctx.config.team(ctx.user.team_name))
    return sorted({t.manager for t in teams if t and t.manager and t.manager != ctx.user.id})


def approvers_of(ctx, held: m.Opportunity) -> list[str]:
    """Who can decide a hand-over: the holder's team manager (同意 is checked against the opportunity's team), or
    the directors when that team has none. Another team's manager is told of the conflict, not asked."""
    team = ctx.config.team(held.team_name)
    if team and team.manager and team.manager != ctx.user.id:
        return [team.manager]
    return sorted(d for d in ctx.config.directors() if d != ctx.user.id)


def flag_possible(ctx, cmd: i.Register, opp: m.Opportunity, match: Match) -> None:
    """A weak match is stored, flagged, and put to the manager to confirm or dismiss."""
    lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="flag_possible",
                     detail={"signal": match.signal.reason if match.signal else None},
                     flag="possible_duplicate", matched_id=match.holder.id)
    record(ctx, cmd, match)
    team = ctx.config.team(opp.team_name)
    if team and team.manager:
        lang = ctx.lang_of(team.manager)
        ctx.notify(Notice(to=team.manager, kind="approval", actions=decision_actions(opp.id, lang), text=say(
            "possible_manager", lang, rep=ctx.user.name, id=opp.id, customer=cmd.customer,
            other=match.holder.id, other_customer=match.holder.customer.name,
            owner=ctx.name_of(match.holder.owner_id), reason=reason(match.signal, lang))))


# ---- after a conflict: the override, decided by a manager ------------------------------------------------------

def request_override(ctx, cmd: i.Override) -> Reply:
    """The blocked rep asks the managers to hand over (or share) the customer they hit."""
    conflict = ctx.session.query(m.Conflict).filter(
        m.Conflict.user_id == ctx.user.id, m.Conflict.outcome == "conflict", m.Conflict.override.is_(None)
    ).order_by(m.Conflict.id.desc()).first()
    if conflict is None:
        return ctx.reply("no_conflict")
    held = ctx.session.get(m.Opportunity, conflict.matched_id)
    conflict.override = "requested"
    for manager in approvers_of(ctx, held):
        lang = ctx.lang_of(manager)
        ctx.notify(Notice(to=manager, kind="approval", actions=decision_actions(held.id, lang, share=True), text=say(
            "override_manager", lang, rep=ctx.user.name, id=held.id, customer=held.customer.name,
            owner=ctx.name_of(held.owner_id), note=cmd.note or "-", user=ctx.user.id)))
    return ctx.reply("override_sent", owner=ctx.name_of(held.owner_id))


def pending_override(ctx, opp: m.Opportunity) -> m.Conflict | None:
    return ctx.session.query(m.Conflict).filter(
        m.Conflict.matched_id == opp.id, m.Conflict.override == "requested").order_by(m.Conflict.id).first()


def decide_override(ctx, opp: m.Opportunity, conflict: m.Conflict, cmd: i.Decide) -> Reply:
    """同意 ID (hand it over) / 同意 ID 共享 (both work it) / 驳回 ID."""
    rep, owner = conflict.user_id, opp.owner_id
    conflict.decided_by = ctx.user.id
    if not cmd.approve:
        conflict.override = "rejected"
        ctx.notify(Notice(to=rep, kind="approval", text=say("override_rejected", ctx.lang_of(rep), id=opp.id,
                                                             manager=ctx.user.name)))
        return ctx.reply("override_done_rejected", rep=ctx.name_of(rep), id=opp.id)
    share = bool(cmd.note and any(w in cmd.note.lower() for w in ("共享", "share", "一起", "together")))
    if share:
        conflict.override = "shared"
        lifecycle.share(ctx.session, opp, user_id=rep, actor=ctx.actor, at=ctx.now, conflict=conflict.id)
    else:
        conflict.override = "reassigned"
        rep_team = ctx.config.team_of(rep)
        lifecycle.assign(ctx.session, opp, owner_id=rep, team_name=rep_team.name if rep_team else None,
                         actor=ctx.actor, at=ctx.now, conflict=conflict.id)
    key = "override_shared" if share else "override_reassigned"
    for who in (rep, owner):
        ctx.notify(Notice(to=who, kind="approval", text=say(key, ctx.lang_of(who), id=opp.id, rep=ctx.name_of(rep),
                                                             owner=ctx.name_of(owner), manager=ctx.user.name)))
    return ctx.reply(key, id=opp.id, rep=ctx.name_of(rep), owner=ctx.name_of(owner), manager=ctx.user.name)


def decide_duplicate(ctx, opp: m.Opportunity, cmd: i.Decide) -> Reply:
    """同意: not a duplicate, the flag goes; 驳回: a duplicate, the registration becomes invalid."""
    other = opp.matched_id or ""
    if cmd.approve:
        lifecycle.update(ctx.session, opp, actor=ctx.actor, at=ctx.now, action="not_duplicate", flag=None,
                         matched_id=None)
        key, rep_key = "duplicate_dismissed", "duplicate_dismissed_rep"
    else:
        lifecycle.close(ctx.session, opp, "invalid", actor=ctx.actor, at=ctx.now, close_note=f"duplicate of {other}")
        key, rep_key = "duplicate_confirmed", "duplicate_confirmed_rep"
    ctx.notify(Notice(to=opp.owner_id, kind="approval", text=say(
        rep_key, ctx.lang_of(opp.owner_id), id=opp.id, manager=ctx.user.name, other=other)))
    return ctx.reply(key, id=opp.id)


# ---- aliases ----------------------------------------------------------------------------------------------------

def add_alias(ctx, cmd: i.AddAlias) -> Reply:
    """别名 腾讯 = Tencent: the alias is matched like the name from now on."""
    from handlers.commands import resolve  # one resolver for every command that names an opportunity
    opp = resolve(ctx, cmd.ref, statuses=repo.ALL_STATUSES)
    if isinstance(opp, Reply):
        return opp
    customer = opp.customer
    alias = read_name(cmd.alias)
    if not alias.key:
        return ctx.reply("alias_empty")
    known = {read_name(a.alias).key for a in customer.aliases} | {read_name(customer.name).key}
    if alias.key in known:
        return ctx.reply("alias_known", alias=cmd.alias, customer=customer.name)
    ctx.session.add(m.CustomerAlias(customer=customer, alias=cmd.alias, normalized_alias=alias.key,
                                    added_by=ctx.user.id, added_at=ctx.now))
    matchindex.file_customer(ctx.session, customer.id, Party(read_name(customer.name), (alias,)))
    lifecycle.record(ctx.session, opp, "alias", actor=ctx.actor, at=ctx.now, alias=cmd.alias)
    return ctx.reply("alias_added", alias=cmd.alias, customer=customer.name)
