"""Slot filling: a registration that lacks a required field waits in the database (never as an opportunity)
for the rep's next message, which answers it, or says 取消/cancel; it expires after 30 minutes."""
from __future__ import annotations

import re
from dataclasses import asdict, fields, replace
from datetime import date, timedelta
from decimal import Decimal

from domain.messages import Reply
from handlers import intents as i
from handlers.parsing import clean
from handlers.parsing.register import parse_register
from handlers.parsing.amounts import find_amount
from handlers.parsing.dates import find_date
from handlers.parsing.follow_up import parse_follow_up
from handlers.parsing.fields import OPP_ID, find_phones, looks_like_person, normalize_phone, split_title
from handlers.parsing.verbs import split_verb
from handlers.render import card_text, draft_card, say, unread_lines
from storage import models as m

DRAFT_LIFETIME = timedelta(minutes=30)
NOT_A_NAME = re.compile(r"\+?\d[\d\s-]{6,}\d|(?:联系人|决策者|决策人|contact)\s*[:：]?")


def missing_fields(cmd: i.Register) -> list[str]:
    """SPEC: a customer name and at least one of contact, phone/email or need."""
    missing = [] if cmd.customer else ["customer"]
    return missing + ([] if cmd.contacts or cmd.need else ["detail"])


YES = re.compile(r"^\s*(?:是|是的|对|对的|没错|嗯|好|确认|yes|yep|yeah|y|ok|okay|correct|right)\s*[.!。！]*\s*$", re.I)


NOT_IT = re.compile(r"^(?:不是|不对|错了|no|nope|not quite)[\s,，.。!！]*(?:是|应该是|it'?s|it is|the customer is)?\s*", re.I)


def _keep(ctx, cmd: i.Register) -> None:
    _wait_for_answer(ctx, "register", _to_json(cmd))


def _wait_for_answer(ctx, intent: str, data: dict) -> None:
    """What the user's next message answers (a draft registration, a gate's fields, a loss analysis): one per user."""
    state = ctx.session.get(m.DialogState, ctx.user.id) or m.DialogState(user_id=ctx.user.id)
    state.intent, state.data = intent, data
    state.updated_at, state.expires_at = ctx.now, ctx.now + DRAFT_LIFETIME
    ctx.session.add(state)


def confirm(ctx, cmd: i.Register) -> Reply:
    """A customer read from a weak signal is asked about before anything is stored (a wrong name 查重 cannot match
    is worse than a question)."""
    _keep(ctx, cmd)
    card = draft_card(cmd, ctx.lang)
    text = "\n".join([*unread_lines(cmd.unread, ctx.lang), *([card_text(card)] if card["rows"] else []),
                      say("confirm_customer", ctx.lang, customer=cmd.customer)])
    return Reply(text=text, lang=ctx.lang, card=card)


def ask(ctx, cmd: i.Register, missing: list[str]) -> Reply:
    """Keep what was understood, show it, and ask for exactly what is missing."""
    _keep(ctx, cmd)
    ask_text = say("ask_more", ctx.lang, missing="、".join(say(f"missing_{f}", ctx.lang) for f in missing)
                   if ctx.lang == "zh" else "; ".join(say(f"missing_{f}", ctx.lang) for f in missing),
                   example=" / ".join(say(f"ex_{f}", ctx.lang) for f in missing))
    card = draft_card(cmd, ctx.lang)
    text = "\n".join([*unread_lines(cmd.unread, ctx.lang), *([card_text(card)] if card["rows"] else []), ask_text])
    return Reply(text=text, lang=ctx.lang, card=card)


def ask_gate(ctx, opp_id: str, stage: str, missing: list[str], text: str) -> Reply:
    """A stage gate lacks fields: the advance waits for the next message to supply them (like registration)."""
    _wait_for_answer(ctx, "advance", {"ref": opp_id, "stage": stage, "missing": missing})
    example = " / ".join(say(f"ex_gate_{f}", ctx.lang) for f in missing)
    return Reply(text=text + "\n" + say("gate_ask", ctx.lang, example=example), lang=ctx.lang)


def ask_about(ctx, intent: str, opp_id: str, question: Reply) -> Reply:
    """跟进 ID / 暂停 ID with nothing more (typed, or a reminder's button where there is no form): the next message
    is the follow-up's content, or the snooze's date and reason."""
    _wait_for_answer(ctx, intent, {"ref": opp_id, **({"click": ctx.click} if ctx.click else {})})
    return question


CONFIRM_IMPORT = re.compile(r"^\s*(?:确认导入|确定导入|导入|确认|confirm import|confirm|import it|yes)\s*[.!。！]*\s*$", re.I)


def wait_for_import(ctx, name: str, content: str) -> None:
    """A previewed spreadsheet waits, with the file itself, for 确认导入 (30 minutes, like any question)."""
    _wait_for_answer(ctx, "import", {"name": name, "content": content})


def snooze_answer(ref: str, text: str, *, today: date) -> i.Snooze:
    """'12月20日 客户预算冻结' / 'Dec 20, budget frozen': the date, and the rest as the reason."""
    when = find_date(text, today=today)
    rest = text[:when.span[0]] + " " + text[when.span[1]:] if when else text
    reason = SNOOZE_WORDS.sub(" ", rest).strip(" ,;:，；。.") or None
    return i.Snooze(ref=ref, until=when and when.value, reason=reason)


SNOOZE_WORDS = re.compile(r"^\s*(?:到|至|直到|until|till|to)\b|(?:原因|理由|因为|because|reason)\s*[:：]?", re.I)


def gate_answer(text: str, missing: list[str], *, today: date) -> i.Register:
    """What the answer to a gate's question supplies: labelled fields ('行业 物流 预算 30万'), or, for one missing
    field, the whole answer as it ('物流', '30万', '12月底', '王总 总经理 13911112222')."""
    read = parse_register(clean(text), today=today, expect_customer=False)
    plain = clean(text).strip(" ,;:，；。")
    if len(missing) == 1 and not any(getattr(read, f, None) for f in ("industry", "budget", "expected_close")):
        field = missing[0]
        if field == "industry" and plain and len(plain) <= 40:
            return i.Register(industry=plain)
        if field == "budget" and (amount := find_amount(plain)):
            return i.Register(budget=amount.value, currency=amount.currency)
        if field == "expected_close" and (when := find_date(plain, today=today)):
            return i.Register(expected_close=when.value)
    if not read.contacts and ("contact" in missing or "decision_maker" in missing):
        name, title = split_title(NOT_A_NAME.sub(" ", plain).strip())
        if name and looks_like_person(name):
            phones = find_phones(plain)
            phone = normalize_phone(plain[phones[0][0]:phones[0][1]]) if phones else None
            return replace(read, contacts=(i.ContactInfo(name=name, title=title, phone=phone),))
    return read


LOSS_PARTS = {"competitor": ("竞争对手", "竞品", "对手", "competitor"),
              "real_reason": ("客户真实原因", "真实原因", "真正原因", "客户原因", "real reason", "the real reason",
                              "customer's reason", "why"),
              "weakness": ("我方短板", "我们的短板", "短板", "不足", "our weakness", "weakness", "weak spot")}
_LOSS_LABEL = re.compile(r"(" + "|".join(sorted((re.escape(w) for ws in LOSS_PARTS.values() for w in ws), key=len,
                                                reverse=True)) + r")\s*(?:是|为|[:：=])?\s*", re.I)


def ask_loss(ctx, opp_id: str, missing: list[str], text: str) -> Reply:
    """After 输单: what the 丢单分析表 still lacks is asked for, and the next message answers it."""
    _wait_for_answer(ctx, "loss", {"ref": opp_id, "missing": missing})
    sep = "、" if ctx.lang == "zh" else ", "
    return Reply(text=text + "\n" + say("loss_ask", ctx.lang, missing=sep.join(say(f"loss_{f}", ctx.lang) for f in missing),
                                       example=say("ex_loss", ctx.lang)), lang=ctx.lang)


def loss_answer(ref: str, text: str, missing: list[str]) -> i.LossAnalysis:
    """'竞品 销售易；真实原因 价格高出两成；我方短板 没有本地实施团队', or for one missing part the whole answer."""
    parts: dict[str, str] = {}
    marks = list(_LOSS_LABEL.finditer(text))
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        key = next(k for k, ws in LOSS_PARTS.items() if mark.group(1).lower() in (w.lower() for w in ws))
        parts[key] = text[mark.end():end].strip(" ,;:，；。.")
    if not marks and len(missing) == 1:
        parts[missing[0]] = text.strip(" ,;:，；。.")
    return i.LossAnalysis(ref=ref, **{k: v for k, v in parts.items() if v})


def route(ctx, text: str, intent: i.Intent) -> i.Intent | Reply:
    """With a draft waiting: a message with no verb answers it; 取消 drops it; any other command replaces it."""
    state = ctx.session.get(m.DialogState, ctx.user.id)
    if state is None:
        return intent
    ctx.session.delete(state)
    if state.expires_at <= ctx.now:
        return intent
    if state.intent == "advance":
        return _route_gate(ctx, text, intent, state.data)
    if state.intent == "import":  # a spreadsheet previewed: 确认导入 applies it, anything else drops it
        if isinstance(intent, i.Cancel):
            return Reply(text=say("import_cancelled", ctx.lang, file=state.data["name"]), lang=ctx.lang)
        if CONFIRM_IMPORT.match(text):
            return i.ConfirmImport(name=state.data["name"], content=state.data["content"])
        return intent
    if state.intent in ("follow_up", "snooze"):
        ref = state.data["ref"]
        if state.data.get("click"):  # asked by a button: the answer settles the message that had it
            ctx.click = {**state.data["click"], "later": True}
        if isinstance(intent, i.Cancel):
            return Reply(text=say("fu_cancelled" if state.intent == "follow_up" else "snooze_cancelled", ctx.lang,
                                  id=ref), lang=ctx.lang)
        if not _an_answer(text):
            return intent  # another command: the question is dropped
        if state.intent == "snooze":
            return snooze_answer(ref, clean(text), today=ctx.today)
        return parse_follow_up(ref, clean(text), today=ctx.today)
    if state.intent == "loss":
        if _an_answer(text) or _LOSS_LABEL.match(text.strip()):
            return loss_answer(state.data["ref"], text, state.data["missing"])
        return intent  # another command: the analysis can still be given by 复盘
    draft = _from_json(state.data)
    if isinstance(intent, i.Cancel):
        customer = f"（{draft.customer}）" if ctx.lang == "zh" else f" ({draft.customer})"
        return Reply(text=say("cancelled", ctx.lang, customer=customer if draft.customer else ""), lang=ctx.lang)
    if "customer" in draft.unsure:  # the answer to 客户是「X」吗？
        if YES.match(text):
            return replace(draft, unsure=())
        if isinstance(intent, i.NotUnderstood) and intent.intent is None or _only_a_name(intent):
            name = NOT_IT.sub("", text.strip()) if isinstance(intent, i.NotUnderstood) else intent.customer
            return replace(draft, customer=name.strip(" ,.;:，。；：") or draft.customer, unsure=())
    if isinstance(intent, i.NotUnderstood) and intent.intent is None:
        return merge(draft, parse_register(clean(text), today=ctx.today, expect_customer=draft.customer is None))
    ctx.notes.append(say("draft_dropped", ctx.lang))
    return intent


def _only_a_name(intent: i.Intent) -> bool:
    """'报备 杭州云栖科技' answers 客户是「X」吗？; a registration with its own contact or need is a new one."""
    return isinstance(intent, i.Register) and not any(
        getattr(intent, f.name) for f in fields(i.Register) if f.name not in ("customer", "unread", "unsure"))


def _an_answer(text: str) -> bool:
    """A message with no command in it answers the question waiting ('物流', '王总 总经理 139…'); '报备 …' or
    '跟进 ID …' is a new command, and the question is dropped."""
    cleaned = clean(text)
    return split_verb(cleaned)[0] is None and not OPP_ID.search(cleaned)


def _route_gate(ctx, text: str, intent: i.Intent, data: dict) -> i.Intent | Reply:
    if isinstance(intent, i.Cancel):
        return Reply(text=say("gate_cancelled", ctx.lang, id=data["ref"]), lang=ctx.lang)
    if _an_answer(text):
        fill = gate_answer(text, data["missing"], today=ctx.today)
        return i.Advance(ref=data["ref"], stage=data["stage"], fill=fill)
    return intent  # another command: the advance is dropped


def merge(draft: i.Register, answer: i.Register) -> i.Register:
    """The draft's fields stand; the answer fills the gaps (one contact, field by field)."""
    filled = {f.name: getattr(answer, f.name) for f in fields(i.Register)
              if f.name != "unsure" and getattr(draft, f.name) in (None, ()) and getattr(answer, f.name) not in (None, ())}
    if draft.contacts and answer.contacts:
        first, extra = draft.contacts[0], answer.contacts[0]
        filled["contacts"] = (replace(first, **{k: v for k, v in asdict(extra).items() if v and not getattr(first, k)}),
                              *draft.contacts[1:])
    return replace(draft, **filled)


def _to_json(cmd: i.Register) -> dict:
    def plain(v):
        return v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v
    data = {k: plain(v) for k, v in asdict(cmd).items() if k not in ("contacts", "unread", "unsure")}
    data["contacts"] = [asdict(c) for c in cmd.contacts]
    data["unsure"] = list(cmd.unsure)
    return data


def _from_json(data: dict) -> i.Register:
    return i.Register(
        customer=data.get("customer"), contacts=tuple(i.ContactInfo(**c) for c in data.get("contacts", [])),
        need=data.get("need"), budget=Decimal(data["budget"]) if data.get("budget") else None,
        currency=data.get("currency"),
        expected_close=date.fromisoformat(data["expected_close"]) if data.get("expected_close") else None,
        source=data.get("source"), industry=data.get("industry"), unsure=tuple(data.get("unsure", ())),
    )
