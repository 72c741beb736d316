"""Results → plain text and card structures, in the user's language; front ends only re-dress them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.scoring import Score
from domain.wording import LOST_REASON_NAMES, SOURCE_NAMES, STATUS_NAMES, money, named, say, stage_name  # noqa: F401 (re-exported)
from storage import models as m

LABELS = {
    "customer": ("客户", "Customer"), "owner": ("负责人", "Owner"), "stage": ("阶段", "Stage"),
    "status": ("状态", "Status"), "contacts": ("联系人", "Contacts"), "need": ("需求", "Need"),
    "budget": ("预算", "Budget"), "close": ("预计成交", "Expected close"), "source": ("来源", "Source"),
    "score": ("健康度", "Health score"), "protected": ("保护期至", "Protected until"),
    "next": ("下一步", "Next"), "follow_ups": ("最近跟进", "Last follow-ups"), "history": ("阶段记录", "Stage history"),
    "channel": ("方式", "Channel"), "content": ("内容", "Content"), "industry": ("行业", "Industry"),
    "risks": ("风险信号", "Risk signals"), "follow_up": ("跟进", "Follow-up"),
    "chain_missing": ("决策链还缺", "Chain still missing"),
}
CHANNEL_NAMES = {"phone": "电话", "visit": "拜访", "wechat": "微信", "email": "邮件", "meeting": "会议", "demo": "演示"}
ROLE_NAMES = {"decision_maker": ("决策者", "decision maker"), "influencer": ("影响者", "influencer"),
              "user": ("使用者", "user")}


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def score_line(score: Score, lang: str) -> str:
    """SPEC: the bot always shows how the score was made up."""
    if lang == "zh":
        return f"{score.total}（需求匹配 {score.need_fit}/40 + 决策链 {score.decision_chain}/30 + 预算 {score.budget}/30）"
    return f"{score.total} (need fit {score.need_fit}/40 + decision chain {score.decision_chain}/30 + budget {score.budget}/30)"


def contact_line(c: m.Contact, lang: str) -> str:
    role = ROLE_NAMES.get(c.role, (c.role, c.role))[0 if lang == "zh" else 1]
    bits = [c.name, c.title and f"({c.title})", role, c.phone, c.email]
    return " ".join(b for b in bits if b)


def opportunity_card(opp: m.Opportunity, score: Score, lang: str, *, owner: str, full: bool = False) -> dict:
    """A platform-neutral card: a title and (label, value) rows; `full` adds follow-ups and history."""
    source = SOURCE_NAMES.get(opp.source, opp.source) if lang == "zh" else opp.source
    rows = [
        (label("customer", lang), opp.customer.name),
        (label("owner", lang), owner),
        (label("stage", lang), stage_name(opp.stage, lang) + ("" if opp.status == "open" else
                                                               f" · {named(STATUS_NAMES, opp.status, lang)}")),
        (label("contacts", lang), "; ".join(contact_line(c, lang) for c in opp.contacts) or None),
        (label("chain_missing", lang), chain_parts(opp.contacts, lang)[1] or None),
        (label("need", lang), opp.need),
        (label("budget", lang), money(opp.budget, opp.currency, lang)),
        (label("close", lang), day(opp.expected_close)),
        (label("source", lang), source),
        (label("industry", lang), opp.industry),
        (label("score", lang), score_line(score, lang)),
        (label("protected", lang), day(opp.protected_until)),
        (label("next", lang), " ".join(x for x in (day(opp.next_action_date), opp.next_action) if x) or None),
    ]
    if full:
        last = opp.follow_ups[-3:]
        rows.append((label("follow_ups", lang), " | ".join(
            f"{f.at.date().isoformat()} {f.channel or ''} {f.content}".replace("  ", " ") for f in last) or None))
        rows.append((label("history", lang), " → ".join(stage_name(h.to_stage, lang) for h in opp.stage_history)))
    return {"title": f"{opp.id} {opp.customer.name}", "rows": [(k, v) for k, v in rows if v]}


def draft_card(cmd, lang: str) -> dict:
    """What was understood of a registration that is not complete yet (handlers.intents.Register)."""
    rows = [
        (label("customer", lang), cmd.customer),
        (label("contacts", lang), "; ".join(" ".join(x for x in (c.name, c.title and f"({c.title})", c.phone, c.email) if x)
                                            for c in cmd.contacts) or None),
        (label("need", lang), cmd.need),
        (label("budget", lang), money(cmd.budget, cmd.currency, lang)),
        (label("close", lang), day(cmd.expected_close)),
        (label("source", lang), SOURCE_NAMES.get(cmd.source, cmd.source) if lang == "zh" else cmd.source),
        (label("industry", lang), cmd.industry),
    ]
    return {"title": say("draft_title", lang), "rows": [(k, v) for k, v in rows if v]}


def follow_up_card(opp: m.Opportunity, fu: m.FollowUp, lang: str) -> dict:
    """The follow-up as understood, so a wrong parse is noticed at once."""
    channel = CHANNEL_NAMES.get(fu.channel, fu.channel) if lang == "zh" else fu.channel
    rows = [
        (label("channel", lang), channel),
        (label("content", lang), fu.content),
        (label("next", lang), " ".join(x for x in (day(fu.next_action_date), fu.next_action) if x) or None),
        (label("budget", lang), money(opp.budget, opp.currency, lang)),
        (label("risks", lang), "、".join((fu.risks or {}).get("words", [])) or None),
        (label("protected", lang), day(opp.protected_until)),
    ]
    return {"title": f"{opp.id} {opp.customer.name}", "rows": [(k, v) for k, v in rows if v]}


def unread_lines(unread, lang: str) -> list[str]:
    """Say what was labelled but not understood, so a typo is noticed instead of silently dropped."""
    return [say("unread", lang, field=say(f"unread_{f}", lang), text=t, example=say(f"ex_unread_{f}", lang))
            for f, t in unread]


def card_text(card: dict) -> str:
    return "\n".join([card["title"], *(f"  {k}: {v}" for k, v in card["rows"])])


# What a change is called in the history and in an edit's answer.
FIELD_LABELS = {"customer": "customer", "need": "need", "budget": "budget", "currency": ("币种", "Currency"),
                "expected_close": "close", "source": "source", "industry": "industry", "owner": "owner",
                "stage": "stage", "status": "status", "protected_until": "protected", "next_action": "next",
                "next_action_date": ("下一步日期", "Next step date"), "score": "score",
                "budget_approved": ("预算已获批", "Budget approved"), "in_annual_plan": ("纳入年度计划", "In annual plan"),
                "need_fit": ("需求匹配", "Need fit"), "flag": ("标记", "Flag"), "requested_stage": ("申请阶段", "Stage requested"),
                "snoozed_until": ("暂停至", "Snoozed until"), "lost_reason": ("输单原因", "Lost reason"),
                "competitor": ("竞品", "Competitor"), "close_note": ("说明", "Note"), "review": ("复盘", "Review"),
                "name": ("姓名", "Name"), "title": ("职位", "Title"), "phone": ("电话", "Phone"),
                "email": ("邮箱", "Email"), "role": ("角色", "Role")}
ACTION_NAMES = {"register": ("报备", "registered"), "follow_up": ("跟进", "follow-up"), "edit": ("修改", "edited"),
                "advance": ("推进", "advanced"), "back": ("退回", "moved back"), "request_stage": ("申请推进", "asked to advance"),
                "reject_stage": ("驳回推进", "advance rejected"), "won": ("赢单", "won"), "lost": ("输单", "lost"),
                "invalid": ("无效", "invalid"), "release": ("释放到公海", "released to the pool"), "claim": ("认领", "claimed"),
                "reassign": ("转交", "reassigned"), "share": ("共享", "shared"), "snooze": ("暂停提醒", "snoozed"),
                "review": ("复盘", "reviewed"), "alias": ("添加别名", "alias added"),
                "flag_possible": ("疑似重复", "possible duplicate"), "not_duplicate": ("确认不重复", "not a duplicate"),
                "contact": ("联系人", "contact"), "rate": ("需求评分", "need fit rated"),
                "registration_approved": ("报备审核通过", "registration approved")}


def field_label(name: str, lang: str) -> str:
    entry = FIELD_LABELS.get(name, name)
    if isinstance(entry, tuple):
        return entry[0 if lang == "zh" else 1]
    return label(entry, lang) if entry in LABELS else entry


def field_value(name: str, value, lang: str, *, currency: str | None = None) -> str:
    """A stored or audited value as a person reads it (money in 万, a source's name, yes/no)."""
    if value is None or value == "" or value == {}:
        return "—"
    if name == "budget":
        return money(Decimal(str(value)), currency, lang) or "—"
    if name == "source":
        return SOURCE_NAMES.get(value, value) if lang == "zh" else str(value)
    if name in ("stage", "requested_stage"):
        return stage_name(value, lang)
    if name == "role":
        return named(ROLE_NAMES, value, lang)
    if name == "status":
        return named(STATUS_NAMES, value, lang)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def change_text(changes: dict, lang: str, *, currency: str | None = None) -> str:
    """预算 50万 → 60万；预计成交 2026-12-31 → 2027-01-15"""
    sep = "；" if lang == "zh" else "; "
    return sep.join(f"{field_label(k, lang)} {field_value(k, old, lang, currency=currency)} → "
                    f"{field_value(k, new, lang, currency=currency)}" for k, (old, new) in changes.items())


def chain_parts(contacts, lang: str) -> tuple[str, str]:
    """(who holds each role of the decision chain, which roles no one holds yet) — seed 001's 决策链覆盖."""
    sep = "、" if lang == "zh" else ", "
    have = []
    for role in ROLE_NAMES:
        names = [c.name for c in contacts if c.role == role and c.name]
        if names:
            have.append(f"{named(ROLE_NAMES, role, lang)} {sep.join(names)}")
    missing = [named(ROLE_NAMES, r, lang) for r in ROLE_NAMES if not any(c.role == r for c in contacts)]
    return ("；" if lang == "zh" else "; ").join(have) or "—", sep.join(missing)


def chain_text(contacts, score: int, lang: str) -> str:
    have, missing = chain_parts(contacts, lang)
    return say("chain", lang, have=have, missing=say("chain_missing", lang, roles=missing) if missing else "",
               score=score)


def lifecycle_report(opp: m.Opportunity, trail: list, lang: str, tz) -> str:
    """Seed 001's 商机生命周期报告: each stage with its dates and days, the score at each advance, follow-ups,
    the people reached, the loss analysis or the review."""
    scores = {e.detail.get("stage"): e.detail.get("score") for e in trail
              if e.action in ("advance", "request_stage") and e.detail.get("score") is not None}
    lines = [say("report_head", lang, id=opp.id, customer=opp.customer.name,
                 status=named(STATUS_NAMES, opp.status, lang))]
    history = list(opp.stage_history)
    for entered, left in zip(history, history[1:] + [None]):
        if entered.to_stage == "closed":
            continue
        end = left.at if left else (opp.closed_at or entered.at)
        score = scores.get(left.to_stage) if left and left.to_stage != "closed" else None
        lines.append(say("report_stage", lang, stage=stage_name(entered.to_stage, lang),
                         start=entered.at.astimezone(tz).date(), end=end.astimezone(tz).date(),
                         days=(end - entered.at).days, score=say("report_score", lang, score=score) if score else ""))
    sep = "、" if lang == "zh" else ", "
    reached = sep.join(f"{c.name}（{named(ROLE_NAMES, c.role, lang)}）" if lang == "zh" else
                       f"{c.name} ({named(ROLE_NAMES, c.role, lang)})" for c in opp.contacts if c.name) or "—"
    lines.append(say("report_follow_ups", lang, n=len(opp.follow_ups), contacts=reached))
    if opp.status == "lost":
        loss = opp.loss_analysis or {}
        lines.append(say("report_loss", lang, reason=named(LOST_REASON_NAMES, opp.lost_reason, lang) or "—",
                         competitor=opp.competitor or "—", real=loss.get("real_reason") or "—",
                         weakness=loss.get("weakness") or "—"))
    if opp.review:
        lines.append(say("report_review", lang, text=opp.review))
    return "\n".join(lines)
