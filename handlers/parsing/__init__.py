"""Text → Intent: the one seam every front end shares. Pure (no I/O, no clock): `today` is passed in."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date

from domain.matching import to_simplified
from handlers import intents as i
from handlers.parsing.amounts import find_amount
from handlers.parsing.clauses import sentence_spans
from handlers.parsing.dates import candidates as date_candidates, find_date
from handlers.parsing.fields import BUDGET_APPROVED, IN_ANNUAL_PLAN, OPP_ID, lost_reason_of, stage_of
from handlers.parsing.edit import parse_contact, parse_edit
from handlers.parsing.follow_up import parse_follow_up
from handlers.parsing.register import LABELS, NEW_LEAD_CUE, looks_like_registration, parse_register
from handlers.parsing.reconcile import reconcile
from handlers.parsing.report_terms import period_key, report_terms
from handlers.parsing.spans import DEFAULT_SPANS
from handlers.parsing.tagger import DEFAULT_TAGGER
from handlers.parsing.verbs import VERBS, split_verb, verb_inside

# Questions about the pipeline and its metrics, no opportunity named; the metrics take a period and cuts.
METRIC_QUERIES = ("conversion", "cycle", "win_rate", "sources", "lost_reasons", "leaderboard", "compliance")
QUERIES = ("mine", "team", "due_this_week", "funnel", "forecast", *METRIC_QUERIES)
_PHONE_EMOJI = re.compile("[\U0001F4F1\U0001F4DE\u260E\u260F]\uFE0F?")  # 📱 📞 ☎
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\ufeff]")
# 竞品 needs a separator (竞品低价 is a reason); 输给 runs into the name (输给了销售易).
# 被金蝶低价截胡了 / 被销售易抢走了: the competitor is whoever took it.
TAKEN_BY = re.compile(r"被\s*([^\s,;:]{2,10}?)\s*(?:低价|以低价)?(?:截胡|抢走|抢了|拿走|拿下|撬走|抢单)")
COMPETITOR_LABEL = re.compile(r"(?:(?:竞品|竞争对手|对手|competitor|lost to|went with|chose|picked|signed with)\s*"
                              r"(?:[=:]\s*|\s+)|(?:输给|选了|选择了|改用|转投|用了)了?\s*)", re.I)
ALIAS = re.compile(r"(.+?)\s*(?:=|:|也叫|又叫|即|\baka\b|\bis\b)\s*(.+)", re.I)  # 腾讯 = Tencent
NEWS_OF = re.compile(r"^((?:[A-Z][\w&'.-]*)(?:\s[A-Z][\w&'.-]*){0,3}|[\u4e00-\u9fff]{2,10})\s*(?::|\s[-—–]\s)\s*(.+)$", re.S)
REPLY_ON = re.compile(r"^\s*(?:re|回复|update on|updates? re)\s*[:：]\s*", re.I)
RATING = re.compile(r"([^\d\s:：=,，;；、]+(?:\s[a-zA-Z]+)?)\s*[:：=]?\s*(10|\d)(?![\d.])\s*(?:分|/10)?")
SUPPORT_KIND = re.compile(r"售前|技术支持|客户成功|客成|(?<![a-z])(?:presales|pre-sales|cs|customer success)(?![a-z])", re.I)
SKIP = re.compile(r"跳过|跳级|强制|(?<![a-z])(?:skip|skipping|force)(?![a-z])", re.I)
UPDATE = re.compile(r"(?<![a-z])update(?![a-z])|更新", re.I)  # a verb that also opens news of a deal
REASON_LABEL = re.compile(r"(?:原因|理由|reason|because)\s*[=:]?\s*", re.I)


# An ID said by voice or typed in a hurry: 2026 sz 008, 2026SH058 → 2026-SZ-008.
_LOOSE_ID = re.compile(r"(?<![\w-])(20\d\d)[\s_]?([A-Za-z]{2,4})[\s_]?(\d{3,6})(?![\w-])")


def fold(text: str) -> str:
    """NFKC, then traditional Chinese as simplified: what the rules read (報備 客戶 is 报备 客户)."""
    return to_simplified(unicodedata.normalize("NFKC", text))


def clean(text: str) -> str:
    """Full-width → half-width (：，（ → :,( ), traditional → simplified, control characters out, 【header】 and ｜ as
    separators."""
    text = _CONTROL.sub(" ", fold(text))
    text = _LOOSE_ID.sub(lambda m: f"{m[1]}-{m[2].upper()}-{m[3]}", text)
    text = _PHONE_EMOJI.sub(" tel ", text)  # '📱 9187 3326': the sign says what the number is
    text = _EMOJI.sub(" ", text)  # other emoji carry no fields
    text = re.sub(r"^\s*【([^】]{1,12})】", r"\1 ", text)  # 【商机报备】 is the verb
    text = re.sub(r"【([^】]{1,12})】", r"\1: ", text).replace("|", ";")  # 【客户】X is a label
    return re.sub(r"[ \t]+", " ", text).strip()


ID_NOUN = re.compile(r"(?:opportunity|opp|deal|商机|商機)\s*(?:id|编号|#)?\s*$", re.I)


def around_ref(text: str, m: re.Match) -> str:
    """The message without its ID, or the noun said with it ('Following up on opportunity 2026-SG-027: …')."""
    return (ID_NOUN.sub("", text[: m.start()]) + " " + text[m.end():].lstrip(" ,;:：")).strip(" ,;:")


def split_ref(body: str) -> tuple[str | None, str]:
    """An opportunity ID anywhere at the front, else the first word (a customer name); and the rest."""
    m = OPP_ID.search(body[:40])
    if m:
        return m.group(1).upper(), around_ref(body, m)
    body = re.sub(r"^(?:on|about|re|for)\s+", "", body, flags=re.I)  # 'follow-up on Grab: …'
    named = re.match(r"(?:那个|这个)?([^\s,;:]{2,12}?)(?:的|那边的?|这边的?)?(?:单子|项目|商机|这单|那单)(.*)", body, re.S) \
        or re.match(r"([A-Z][\w&.-]*(?:\s[A-Z][\w&.-]*)*)\s+(?:deal|opp|account|project)\b[\s,;:]*(.*)", body, re.S)
    if named and named.group(1) not in ("这个", "那个"):
        return named.group(1), named.group(2).strip(" ,;:")
    m = re.match(r"(?:(?:an? )?(?:call|meeting|visit|demo|chat)?\s*with\s+)?([^\s,;:]+)([\s,;:]*)(.*)", body, re.S)
    if not m:
        return None, ""
    name, sep, rest = m.group(1), m.group(2), m.group(3).strip()
    if re.fullmatch(r"[A-Z][\w&.-]*", name) and sep.isspace():  # 'Acme Corp', 'Stark Industries': capitalised words run on
        more = re.match(r"((?:[A-Z][\w&.-]*\s*)+?)(?=[\s,;:-]|$)(?:[\s,;:-]+|$)(.*)", rest, re.S)
        while more and more.group(1).strip() and not OPP_ID.match(rest):
            word = more.group(1).split()[0]
            name, rest = f"{name} {word}", rest[len(word):].strip(" ,;:-")
            more = re.match(r"([A-Z][\w&.-]*)(?=[\s,;:-]|$)", rest)
    return name, rest


NEWS_LENGTH = 30  # shorter than this, a message with an ID or a name is a question about it, not news
QUESTION = re.compile(r"[?？]|怎么样|如何|吗|呢")
NEWS_SURE = 0.5


def forget_messages() -> None:
    """Drop the per-message caches (sentence cuts, date candidates): a bench's passes must not reuse each other's."""
    sentence_spans.cache_clear()
    date_candidates.cache_clear()


def parse(text: str, *, today: date, tagger=DEFAULT_TAGGER) -> i.Intent:
    """One message → one intent; never raises, whatever the text. `tagger=None`: the rules alone (neither the
    entity tagger nor the span model)."""
    cleaned = clean(text)
    intent = _parse(cleaned, today=today, tagger=tagger)
    readable = isinstance(intent, (i.Register, i.FollowUp)) or isinstance(intent, i.NotUnderstood) and not intent.intent
    reading = DEFAULT_SPANS(text) if tagger is not None and readable else None  # commands and queries need none
    if isinstance(intent, i.NotUnderstood) and reading is not None:
        intent = _as_news(cleaned, reading, today=today, tagger=tagger) or intent
    if isinstance(intent, i.Register):  # read on the folded text, stored as typed (設備聯網, not 设备联网)
        intent = replace(intent, customer=intent.customer and as_typed(text, intent.customer),
                         need=intent.need and as_typed(text, intent.need),
                         industry=intent.industry and as_typed(text, intent.industry))
    if isinstance(intent, i.Edit) and isinstance(intent.value, str):
        intent = replace(intent, value=as_typed(text, intent.value), raw=as_typed(text, intent.raw))
    if isinstance(intent, i.SetContact):
        c = intent.contact
        intent = replace(intent, contact=replace(c, name=c.name and as_typed(text, c.name),
                                                 title=c.title and as_typed(text, c.title)))
    if isinstance(intent, (i.Register, i.FollowUp)) and intent.contacts:
        intent = replace(intent, contacts=tuple(replace(c, name=c.name and as_typed(text, c.name),
                                                        title=c.title and as_typed(text, c.title))
                                                for c in intent.contacts))
    if isinstance(intent, (i.Register, i.FollowUp)) and reading is not None:
        intent = reconcile(intent, reading, text)
    return intent


def _as_news(cleaned: str, reading, *, today: date, tagger) -> i.Intent | None:
    """What no verb or cue words gave away, the span model may: a message that names a customer and a person or a
    need is a registration however it is written ('so had a coffee w/ the guys from bluebird, their head of ops…').
    One with an opportunity ID is about that opportunity (`_without_verb` read it), never a new one."""
    if OPP_ID.search(cleaned):
        return None
    customer = next((s for s in reading.of("CUST") if s.confidence >= NEWS_SURE), None)
    cue = NEW_LEAD_CUE.search(cleaned[:40].lower())  # 'new one for me pls  fernhill housing association …'
    if (customer or cue) and len(cleaned) >= NEWS_LENGTH and (reading.of("NAME") or reading.of("NEED")):
        return parse_register(cleaned, today=today, tagger=tagger)
    return None


def as_typed(original: str, value: str) -> str:
    """The customer exactly as the rep typed it (联想（北京）有限公司, not its half-width fold): read on the folded
    text, shown and stored as written. 查重 folds it again for matching."""
    if value in original:
        return value
    folded, where = [], []
    for at, ch in enumerate(original):
        for out in fold(ch):
            folded.append(out)
            where.append(at)
    pattern = r"\s+".join(re.escape(w) for w in value.split())
    m = re.search(pattern, "".join(folded)) if pattern else None
    return original[where[m.start()]: where[m.end() - 1] + 1] if m else value


def _parse(text: str, *, today: date, tagger) -> i.Intent:
    """`text` is already cleaned."""
    kind, rest = split_verb(text)
    if kind is None:
        return _without_verb(text, today=today, tagger=tagger)
    if kind == "register":
        return parse_register(rest, today=today, tagger=tagger)
    if kind in ("help", "cancel", "dashboard", *QUERIES):
        return _simple(kind, rest, today=today)
    if kind == "export":  # 导出 我的商机 / export team pipeline: the list as a spreadsheet
        return i.ExportList(what="team" if split_verb(rest)[0] == "team" else "mine")
    if kind == "override":
        return i.Override(note=REASON_LABEL.sub("", rest, count=1).strip() or None)
    if kind == "alias":
        m = ALIAS.match(rest)
        return i.AddAlias(ref=m.group(1), alias=m.group(2)) if m else i.NotUnderstood(intent="alias", missing="alias")
    if kind == "show" and not OPP_ID.search(rest):
        query, _ = split_verb(rest)  # "show my pipeline", "查看 漏斗"
        if query in QUERIES:
            return _simple(query, "", today=today)
    if kind == "contact" and not OPP_ID.search(rest[:24]):
        return _without_verb(text, today=today, tagger=tagger)  # '联系人：王磊 …' opens a registration form
    ref, rest = split_ref(rest)
    if not ref:
        return i.NotUnderstood(intent=kind, missing="ref")
    if kind == "edit":
        news = bool(UPDATE.match(text))
        edit = parse_edit(ref, rest, today=today, strict=news)
        if edit is None and news and rest:  # 'update 2026-SH-001: had a call…' is news of it
            return parse_follow_up(ref, rest, today=today, tagger=tagger)
        return edit or i.Edit(ref=ref, field=None)  # the command asks which field, once it knows the opportunity
    if kind == "history":
        return i.History(ref=ref)
    if kind == "support":
        team = SUPPORT_KIND.search(rest)
        when = find_date(rest, today=today)
        what = rest
        for span in ([team.span()] if team else []) + ([when.span] if when else []):
            what = what.replace(rest[span[0]:span[1]], " ")
        what = re.sub(r"\s*(?:之前|以前|前|by|before)\s*$", "", re.sub(r"\s+", " ", what)).strip(" ,;:，；")
        return i.AskSupport(ref=ref, kind=team and ("cs" if re.search(r"客户成功|客成|cs|customer success", team.group(0),
                                                                     re.I) else "presales"),
                            what=what, by=when and when.value)
    if kind == "accept":
        return i.AnswerSupport(ref=ref, accept=True)
    if kind == "rate_support":
        n = re.search(r"(?<!\d)(10|\d)(?![\d.])", rest)
        return i.RateSupport(ref=ref, rating=int(n.group(1)) if n else None)
    if kind == "rate":
        return i.Rate(ref=ref, ratings=tuple((label.strip(), int(n)) for label, n in RATING.findall(rest)))
    if kind == "contact":
        return parse_contact(ref, rest) or i.NotUnderstood(intent="contact", missing="contact")
    if kind == "follow_up":
        return parse_follow_up(ref, rest, today=today, tagger=tagger) if rest else i.NotUnderstood(intent=kind, missing="content",
                                                                                                   ref=ref)
    if kind == "advance":
        return i.Advance(ref=ref, stage=stage_of(rest), skip=bool(SKIP.search(rest)))
    if kind == "back":
        reason = REASON_LABEL.search(rest)
        return i.Back(ref=ref, stage=stage_of(rest[: reason.start()] if reason else rest),
                      reason=rest[reason.end():].strip(" ,;:") or None if reason else None)
    if kind == "won":
        amount, when = find_amount(rest), find_date(rest, today=today)
        return i.Won(ref=ref, amount=amount and amount.value, currency=amount and amount.currency,
                     close_date=when and _not_ahead(when.value, today))
    if kind == "lost":
        return _lost(ref, rest)
    if kind == "invalid":
        return i.Invalid(ref=ref, reason=REASON_LABEL.sub("", rest, count=1).strip() or None)
    if kind == "claim":
        return i.Claim(ref=ref)
    if kind == "review":
        return i.Review(ref=ref, text=rest.strip(" ,;:") or None)
    if kind == "snooze":
        reason = REASON_LABEL.search(rest)
        when = find_date(rest[: reason.start()] if reason else rest, today=today)
        return i.Snooze(ref=ref, until=when and when.value,
                        reason=rest[reason.end():].strip(" ,;") or None if reason else None)
    if kind in ("approve", "reject"):
        return i.Decide(ref=ref, approve=kind == "approve", note=REASON_LABEL.sub("", rest, count=1).strip() or None)
    return i.Show(ref=ref)


# 'customer=…; contact=…', or a customer label on any line of a form (预算: … ⏎ 客户: …)
_KV_CUSTOMER = re.compile(r"(?:^|\n)\s*(?:" + "|".join(map(re.escape, LABELS["customer"])) + r")\s*[=:]", re.I)


def _without_verb(text: str, *, today: date, tagger) -> i.Intent:
    """'2026-SH-015 跟进：…' / '2026-SZ-008 签了！' — the ID first; 'customer=…; contact=…' — a registration."""
    m = OPP_ID.search(text)
    if m:
        rest = around_ref(text, m)
        if not rest:
            return i.Show(ref=m.group(1).upper())
        edit = parse_edit(m.group(1).upper(), rest, today=today, said=True)  # 2026-SH-001 预算改成60万
        if edit is not None:
            return edit
        found = split_verb(rest)
        # '2026-SH-015 电话跟进…' has its verb near the front; a short '公海里的 ID 我认领了' anywhere
        within = 8 if len(rest) > 30 else len(rest)  # a verb deep in a long update is prose ('wants to pause')
        kind, after = found if found[0] else (verb_inside(rest, within=within) or (None, rest))
        certain = BUDGET_APPROVED.search(rest) or IN_ANNUAL_PLAN.search(rest)  # '2026-SH-001 预算已获批' alone
        if certain and kind == "approve":
            kind = None  # '2026-US-003 budget approved' is the customer's budget, not a manager's 同意
        if kind == "edit":  # '2026-SH-001 修改 预算 60万'; but '2026-WH-002 今天发邮件把修改后的合同…' is news
            edit = parse_edit(m.group(1).upper(), after, today=today, strict=bool(UPDATE.search(rest[:12])))
            if edit is not None:
                return edit
            kind = None
        if kind == "contact":  # '2026-SH-001 联系人 李娜 采购经理'; but '2026-SH-001 联系人说下周再谈' is news
            contact = parse_contact(m.group(1).upper(), after)
            if contact is not None:
                return contact
            kind = None
        if kind and kind not in ("register", "help", "cancel", *QUERIES):
            return _parse(clean(f"{rest_verb(kind)} {m.group(1)} {after}"), today=today, tagger=tagger)
        # '2026-SZ-003 电话沟通了一下，客户说…' / 're ID …' / 接到陇原种业的电话，就是2026-XA-009那个，…: news of it
        if not kind and (m.start() <= 4 and (len(rest) >= 6 or certain)
                         or len(rest) >= NEWS_LENGTH and not QUESTION.search(rest)):
            return parse_follow_up(m.group(1).upper(), rest, today=today, tagger=tagger)
    if _KV_CUSTOMER.search(text):
        return parse_register(text, today=today, tagger=tagger)
    chatter = verb_inside(text, within=16)  # '周末加个班 报备一个：…' — small talk, then the command
    if chatter and chatter[0] in ("register", "follow_up") and len(chatter[1]) >= 12:
        start = text.lower().find(next(w for w in VERBS[chatter[0]] if w in text.lower()))
        if start > 0 and split_verb(text[start:])[0]:
            return _parse(text[start:], today=today, tagger=tagger)
    reply = REPLY_ON.match(text)  # 'Re: Northgate Property Group — did the site survey…': news of a deal, not a new one
    if reply and (named := NEWS_OF.match(text[reply.end():])) and len(named.group(2)) >= 12:
        return parse_follow_up(named.group(1).strip(), named.group(2), today=today, tagger=tagger)
    if looks_like_registration(text):  # a card, or a new customer described without 报备: in a DM, a registration
        return parse_register(text, today=today, tagger=tagger)
    named = NEWS_OF.match(text)  # 'Atlas Cold Storage: Pieter confirmed the pilot…' — news of a deal, by its name
    if named and len(named.group(2)) >= 12:
        return parse_follow_up(named.group(1).strip(), named.group(2), today=today, tagger=tagger)
    return i.NotUnderstood()


def rest_verb(kind: str) -> str:
    """A canonical verb for re-parsing a rearranged message."""
    return {"follow_up": "跟进", "history": "历史", "support": "申请支持", "accept": "接受", "rate_support": "评价", "rate": "评分", "contact": "联系人", "back": "退回", "advance": "推进", "won": "赢单", "lost": "输单", "invalid": "无效", "claim": "认领",
            "approve": "同意", "reject": "驳回", "show": "查看", "snooze": "暂停", "review": "复盘", "override": "申请接手",
            "alias": "别名"}[kind]


def _simple(kind: str, rest: str, *, today: date) -> i.Intent:
    if kind == "help":
        return i.Help()
    if kind == "cancel":
        return i.Cancel()
    if kind == "dashboard":
        return i.Dashboard()
    if kind == "forecast":
        return i.Query(what="forecast", period=period_key(rest, today=today)[0])
    if kind in METRIC_QUERIES:
        period, found, unread = report_terms(rest, today=today)
        return i.Query(what=kind, period=period, cuts=found, unread=unread)
    return i.Query(what=kind)


def _not_ahead(day: date, today: date) -> date:
    """A won deal closed in the past: 'signed Dec 20' said on Dec 30 is this year's Dec 20, not next year's."""
    if day > today:
        try:
            earlier = day.replace(year=day.year - 1)
        except ValueError:
            return day
        return earlier if earlier <= today else day
    return day


def _lost(ref: str, rest: str) -> i.Lost:
    competitor = None
    m = COMPETITOR_LABEL.search(rest)
    taken = TAKEN_BY.search(rest)
    if taken and not m:
        competitor, rest_wo = taken.group(1), rest
    elif m:
        after = re.split(r"[\s,;]", rest[m.end():].strip(), maxsplit=1)
        competitor = after[0] or None
        rest_wo = (rest[: m.start()] + " " + (after[1] if len(after) > 1 else "")).strip()
    else:
        rest_wo = rest
    detail = REASON_LABEL.sub("", rest_wo, count=1).strip(" ,;") or None
    return i.Lost(ref=ref, reason=lost_reason_of(detail or "") if detail else None, competitor=competitor,
                  detail=detail)
