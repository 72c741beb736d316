"""Follow-up details: channel, content, next action and its date, amounts and risk signals."""
from __future__ import annotations

import re
from datetime import date

from handlers.intents import FollowUp
from handlers.parsing.amounts import find_amount
from handlers.parsing.clauses import spoken_amounts
from handlers.parsing.dates import find_date, find_dates
from handlers.parsing import prose
from handlers.intents import ContactInfo
from handlers.parsing.fields import is_title, BUDGET_APPROVED, CJK, IN_ANNUAL_PLAN, NEED_FIT, channel_of, risks_in

NEXT_MARKER = re.compile(r"(?:下一步|下步|下次|后续|next (?:steps?|actions?)|next)\s*(?:是|:|：|-|,)?\s*", re.I)
CLAUSE = re.compile(r"[,;.!?，；。！？\n]")
CJK_CLAUSE = re.compile(r"[,;.!?，；。！？\n ]")  # Chinese written without punctuation breaks at spaces
# The clause of the next step: 明年1月初再联系, 约了下周二去现场, circle back next Tuesday (not 集团年底统一控费).
NEXT_STEP = re.compile(r"再|约|去|来|之前|前|给|发|出|见|签|聊|演示|汇报|报价|提交|安排|联系|过|走|准备|让我们|要我们|"
                       r"(?<![a-z])(?:call|send|meet|demo|follow|circle|ping|review|visit|present|sign|submit|check|"
                       r"schedule|back|by|before|due|next)(?![a-z])", re.I)
BUDGET_CHANGE = re.compile(r"(?:从|from)\s*[^,;，。]{1,12}?(?:提|调|涨|加|增|砍|降|减|压|改|变|up|down|increased|cut|"
                           r"raised|reduced|moved)?\S{0,3}\s*(?:到|至|to)\s*([^,;，。]{1,14})", re.I)
NEW_PERSON = re.compile(r"新来的|新上任|新加入|新认识|新对接人|新接手|第一次|见到了|见了|认识了|拉进来|引荐|介绍了|(?<![a-z])(?:new|joined|"
                        r"looped in|introduced|first time|brought in|pulled in)(?![a-z])", re.I)
# Said right after a name: that person is talking to us, so already known.
SPEAKS = re.compile(r"\s?(?:[(（][^)）]{1,12}[)）])?\s?(?:说|反馈|表示|回复|回话|确认|那边说|电话里说|微信说|微信上说|邮件说|发邮件说|发微信说|"
                    r"(?i:says|said|told|emailed|replied|confirmed|mentioned))")
# Someone newly met in a follow-up: a title word or an honorific is said near them.
PERSON_CUE = re.compile(r"总|工|经理|主任|总监|老师|科长|处长|部长|负责人|厂长|[A-Z][a-z]+ [A-Z][a-z]+|CEO|CTO|CFO|CIO|COO|VP|"
                        r"Head|Director|Manager|Lead")
DEADLINE_WORDS = re.compile(r"^(?:之前|以前|前|左右|以内)\s*|\s+(?:by|before|on|at)$", re.I)


def parse_follow_up(ref: str, text: str, *, today: date, tagger=None) -> FollowUp:
    content, next_action, when = text, None, None
    marker = NEXT_MARKER.search(text)
    if marker:
        content, next_action = text[: marker.start()].strip(" ,;:") or text, text[marker.end():].strip(" ,;.")
        found = find_date(next_action, today=today)
        if found:
            when = found.value
            next_action = _without(next_action, found.span) or None
    else:
        found = _next_step_date(text, today)
        if found:  # "3天后再联系": the clause that holds a coming date is the next action
            clause = CJK_CLAUSE if CJK.search(text) else CLAUSE
            when = found.value
            start = max((m.end() for m in clause.finditer(text, 0, found.span[0])), default=0)
            end = next((m.start() for m in clause.finditer(text, found.span[1])), len(text))
            next_action = _without(text[start:end], (found.span[0] - start, found.span[1] - start)) or None
            content = (text[:start] + text[end:]).strip(" ,;.") or text
    change = BUDGET_CHANGE.search(text)  # 预算从50万提到了80万: the new figure
    amount = find_amount(spoken_amounts(change.group(1) if change else content))
    fit = NEED_FIT.search(text)
    fit_value = int(fit.group(1) or fit.group(2)) if fit else None
    contacts = _people(text, tagger)
    return FollowUp(
        contacts=contacts,
        ref=ref, content=content or text, channel=channel_of(content or text) or channel_of(text),
        next_action=next_action,
        next_action_date=when, budget=amount.value if amount else None, currency=amount.currency if amount else None,
        budget_approved=bool(BUDGET_APPROVED.search(text)), in_annual_plan=bool(IN_ANNUAL_PLAN.search(text)),
        need_fit=fit_value if fit_value is not None and fit_value <= 10 else None, risks=risks_in(text),
    )


def _without(text: str, span: tuple[int, int]) -> str:
    """The action with its date cut out, and the 前/by that tied them: '12月15日前提交方案' → '提交方案'."""
    after = re.sub(r"^\s*(?:之前|以前|前|约了|约好)", "", text[span[1]:])  # 下周二前提供 → 提供
    before = re.sub(r"(?:约了|约好了?|约在)\s*$", "", text[: span[0]])
    text, span = before + text[span[0]:], (len(before), len(before) + span[1] - span[0])
    rest = (text[: span[0]] + " " + after).strip(" ,;.:")
    return DEADLINE_WORDS.sub("", DEADLINE_WORDS.sub("", rest).strip()).strip(" ,;.:")


# What the customer moved, not when we act: 招标推迟到明年三月 / decision delayed to Q1.
POSTPONED_TO = re.compile(r"(?:推迟|推到|延到|延期到|拖到|要到|改到|delay(?:ed|ing)?(?: \w+){0,3} (?:to|until)|pushed (?:to|out to)|"
                          r"until)\s*(?:可能|大概)?[^,，。;；]{0,4}$", re.I)


def _next_step_date(text: str, today: date):
    """The coming date of the next step: the first said with an action near it, else the first exact one ahead;
    never a date the customer moved something to."""
    found = [d for d in find_dates(text, today=today)
             if d.value > today and not POSTPONED_TO.search(text[max(0, d.span[0] - 8):d.span[0]])]
    ahead = [d for d in found if not d.vague] + [d for d in found if d.vague]  # a day before a quarter
    for d in ahead:
        start = max((m.end() for m in CLAUSE.finditer(text, 0, d.span[0])), default=0)
        end = next((m.start() for m in CLAUSE.finditer(text, d.span[1])), len(text))
        if NEXT_STEP.search(text[start:end].replace(text[d.span[0]:d.span[1]], " ")):
            return d
    sure = [d for d in ahead if not d.vague]  # '明年一季度再看' names no next step
    return sure[0] if sure else None


def _people(text: str, tagger) -> tuple[ContactInfo, ...]:
    """People met in prose: 见了他们CFO张伟 / new stakeholder Lisa Wong (Head of Data) joined."""
    if not PERSON_CUE.search(text):
        return ()
    entities = tagger(text) if tagger and CJK.search(text) else []
    # Someone the deal already knows is named bare (沈经理说…, emailed Daniel); someone new comes with a title or a
    # word that says so (新来的 CIO 贾东升, new stakeholder Lisa Wong).
    found = []
    for p in prose.distinct(prose.people(text, entities)):
        new = NEW_PERSON.search(text[max(0, p.start - 24):p.start])
        if not new and SPEAKS.match(text, p.start + len(p.name)):
            continue  # 沈经理说… / 傅经理电话里说… / Mark says…: the contact the deal already has, speaking
        if new or (p.title and is_title(p.title)):
            found.append(ContactInfo(name=p.name, title=p.title))
    return tuple(found)
