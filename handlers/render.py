"""Results → plain text and card structures, in the user's language; front ends only re-dress them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.scoring import Score
from domain.stages import STAGE_ZH
from storage import models as m

TEXT = {
    "empty": ("消息是空的。试试：帮助", "The message is empty. Try: help"),
    "too_long": ("消息太长（{n} 字），最多 {max} 字。请分几条发送。",
                 "The message is too long ({n} characters, at most {max}). Please split it."),
    "unknown_user": ("不认识你（{user}）。请让管理员把你加入 oppbot 配置。",
                     "I don't know you ({user}). Ask your admin to add you to the oppbot config."),
    "not_understood": ("没看懂这条消息。例如：报备 深圳市腾讯计算机系统有限公司 联系人 王磊 13800138000 需求 CRM 替换；发送“帮助”查看全部命令。",
                       "I didn't understand that. For example: register Acme Corp, contact Jane Doe (CTO) jane@acme.com, need: data platform. Send \"help\" for all commands."),
    "missing_ref": ("缺少商机编号或客户名。例如：{example}", "Which opportunity? Give its ID or customer. For example: {example}"),
    "missing_content": ("缺少跟进内容。例如：{example}", "What happened? For example: {example}"),
    "ex_follow_up": ("跟进 2026-SH-007 电话沟通，客户确认预算，下一步：下周二现场演示",
                     "follow up 2026-SH-007 demo went well, next: send proposal Friday"),
    "ex_show": ("查看 2026-SH-007", "show 2026-SH-007"),
    "register_missing": ("还不能报备：缺少{missing}。已识别：{understood}。例如：报备 杭州云栖科技 联系人 李娜 13900000000 需求 数据平台",
                         "Can't register yet: missing {missing}. Understood: {understood}. For example: register Acme Corp, contact Jane Doe jane@acme.com, need: data platform"),
    "missing_customer": ("客户名称", "the customer (company) name"),
    "missing_detail": ("联系人、电话/邮箱或需求中的至少一项", "at least one of contact, phone/email or need"),
    "nothing": ("无", "nothing"),
    "registered": ("已报备 {id}，保护期至 {until}。", "Registered {id}, protected until {until}."),
    "mine_exists": ("你已经报备过这个客户：{id}（{customer}）。请直接跟进：跟进 {id} …",
                    "You already own this customer: {id} ({customer}). Log a follow-up instead: follow up {id} …"),
    "conflict": ("撞单：该客户已由 {owner} 报备，保护期至 {until}。如需接手请联系主管。",
                 "Conflict: this customer is registered by {owner}, protected until {until}. Ask your manager if you need it."),
    "conflict_owner": ("{user} 尝试报备你的客户 {customer}（{id}），已被拦截。",
                       "{user} tried to register your customer {customer} ({id}); it was blocked."),
    "conflict_manager": ("撞单：{user} 尝试报备 {customer}，已由 {owner} 报备（{id}，保护期至 {until}）。",
                         "Conflict: {user} tried to register {customer}, owned by {owner} ({id}, protected until {until})."),
    "unknown_opp": ("找不到你可以查看的商机“{ref}”。发送“我的商机”查看列表。",
                    "No opportunity \"{ref}\" that you can see. Send \"my opportunities\" for your list."),
    "ambiguous": ("“{ref}”对应多个商机：{ids}。请用编号。", "\"{ref}\" matches several opportunities: {ids}. Use the ID."),
    "followed_up": ("已记录跟进 {id}。", "Follow-up logged for {id}."),
    "no_opps": ("你还没有进行中的商机。报备一个：报备 客户名 联系人 … 需求 …",
                "You have no open opportunities. Register one: register <company>, contact …, need: …"),
    "my_opps": ("你的商机（{n}）：", "Your opportunities ({n}):"),
    "reminder": ("跟进提醒：{id}（{customer}）应在 {due} 前跟进。回复：跟进 {id} …",
                 "Follow-up due: {id} ({customer}) by {due}. Reply: follow up {id} …"),
    "error": ("出错了，这条消息没有保存任何内容。请稍后再试。", "Something went wrong; nothing was saved. Please try again."),
    "help": (
        "我能做的：\n"
        "• 报备 客户 联系人 姓名 职位 电话 需求 … 预算 50万 预计 12月底成交 来源 展会\n"
        "• 跟进 2026-SH-007 电话沟通，…，下一步：下周二现场演示\n"
        "• 查看 2026-SH-007\n"
        "• 我的商机\n"
        "• 帮助",
        "What I can do:\n"
        "• register <company>, contact <name> (<title>) <phone/email>, need: …, budget $120k, close by end of Q1\n"
        "• follow up 2026-SH-007 <what happened>, next: <action> <date>\n"
        "• show 2026-SH-007\n"
        "• my opportunities\n"
        "• help",
    ),
}

LABELS = {
    "customer": ("客户", "Customer"), "owner": ("负责人", "Owner"), "stage": ("阶段", "Stage"),
    "status": ("状态", "Status"), "contacts": ("联系人", "Contacts"), "need": ("需求", "Need"),
    "budget": ("预算", "Budget"), "close": ("预计成交", "Expected close"), "source": ("来源", "Source"),
    "score": ("健康度", "Health score"), "protected": ("保护期至", "Protected until"),
    "next": ("下一步", "Next"), "follow_ups": ("最近跟进", "Last follow-ups"), "history": ("阶段记录", "Stage history"),
    "channel": ("方式", "Channel"), "content": ("内容", "Content"),
}
SOURCE_NAMES = {"website": "官网", "exhibition": "展会", "referral": "转介绍", "wechat": "微信", "phone": "电话",
                "ad": "广告", "partner": "合作伙伴", "other": "其他"}
ROLE_NAMES = {"decision_maker": ("决策者", "decision maker"), "influencer": ("影响者", "influencer"),
              "user": ("使用者", "user")}


def say(key: str, lang: str, **values) -> str:
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def money(value: Decimal | None, currency: str | None, lang: str) -> str | None:
    if value is None:
        return None
    if lang == "zh" and currency in (None, "CNY") and value >= 10000:
        return f"{float(value) / 10000:g}万"
    return f"{value:,.0f} {currency or 'CNY'}"


def stage_name(stage: str, lang: str) -> str:
    return STAGE_ZH.get(stage, stage) if lang == "zh" else stage


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
        (label("stage", lang), stage_name(opp.stage, lang)),
        (label("contacts", lang), "; ".join(contact_line(c, lang) for c in opp.contacts) or None),
        (label("need", lang), opp.need),
        (label("budget", lang), money(opp.budget, opp.currency, lang)),
        (label("close", lang), day(opp.expected_close)),
        (label("source", lang), source),
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


def card_text(card: dict) -> str:
    return "\n".join([card["title"], *(f"  {k}: {v}" for k, v in card["rows"])])
