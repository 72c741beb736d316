"""Registration fields from labelled (客户=…；联系人：…) and unlabelled text. Also reads a slot-filling answer."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from domain.known_names import is_known_company as known_company
from handlers.intents import ContactInfo, Register
from handlers.parsing import prose
from handlers.parsing.prose import cn_org_tail as cn_org_tail_sure
from handlers.parsing.amounts import CURRENCY_GAP, currency_of_legal_form, find_amount
from handlers.parsing.clauses import corrected, sentence_spans, sentences, spoken_amounts, spoken_digits
from handlers.parsing.dates import find_date, find_dates
from handlers.parsing.fields import (CJK, EMAIL, PHONE, find_phones, is_mobile, is_title, looks_like_company, looks_like_person,
                                     normalize_phone, said_source, source_of, split_title)
from handlers.parsing.tagger import DEFAULT_TAGGER

LABELS = {
    "customer": ("客户名称", "客户全称", "客户名", "客户", "公司名称", "公司", "单位", "customer", "company", "client", "account"),
    "contact": ("联系人", "对接人", "对接", "负责人", "窗口", "对口人", "contact person", "contact", "pic", "poc",
                "point of contact"),
    "title": ("职位", "职务", "title", "position"),
    "phone": ("电话", "手机号", "手机", "联系电话", "phone", "mobile", "tel"),
    "email": ("邮箱", "邮件", "email", "e-mail"),
    "need": ("客户需求", "项目需求", "需求描述", "需求", "项目", "need", "needs", "requirement", "project",
             "interested in"),
    "budget": ("预算金额", "预算", "金额", "budget", "amount", "deal size"),
    "close": ("预计成交时间", "预计成交", "预计签约", "成交时间", "签约时间", "预计", "close by", "close date",
              "expected close", "closing", "close", "by"),
    "source": ("商机来源", "线索来源", "客户来源", "来源", "渠道", "lead source", "source", "via"),
    "industry": ("所属行业", "行业", "所属产业", "产业", "industry", "sector"),
}
NEED_LEAD = re.compile(r"^(?:\+\s*)?(?:需求是|需要|想要上?个?|想上个?|想做个?|要做个?|要上个?|上个|needs?|wants?|looking for)\s*",
                       re.I)
FILLER = re.compile(r"大概|大约|左右|差不多|上下|约|about|around|approx\.?|roughly", re.I)
PER_PERIOD = re.compile(r"^\s*(?:/|每|per\s*)(?:月|年|季度?|month|year|quarter|yr|mo)\b", re.I)  # 3.5k/月
# Values that end at a comma; what follows is read as unlabelled text. A Chinese need may hold commas.
SHORT_FIELDS = ("customer", "close", "budget", "source", "industry", "need")
CLOSE_WORDS = ("成交", "签约", "签单", "签合同", "落地", "能定", "定下来", "拍板", "close", "sign", "closing")
NEW_LEAD = re.compile(r"^\s*(?:fyi\s*)?(?:new\s+)?(?:lead|deal|opp(?:ortunity)?|线索)(?:\s*fyi)?(?:\s*[:：\-—–!]+\s*|\s+)", re.I)
# The need said in a sentence: what follows these verbs (他们想做食品追溯, they want a fleet tracking dashboard).
NEED_VERB = re.compile(r"(?:(?:想|要|打算|准备|计划)(?:统一|整体|重新|尽快|先|再|全面|一起)(?:做|上|换|搞|弄|建|采购)|想要|需要|想做|要做|想上|要上|想搞|要搞|想换|要换|想把|要把|想找|要找|想买|要买|要采购|采购(?!经理|部|员|总监|主管|专员|负责人|中心|科|处|的|lead|manager)|想弄|"
                       r"要一套|想搭|要搭|要给|评估|打算做|计划上|准备上|看中了?|关注|需求是|聊下来是想做|产品是|(?:^|(?<=[，,]))\s*要(?=\s?\S{2})|"
                       r"(?<![a-z])(?:wants?|needs?|looking for|looking to|looking at|considering|exploring|interested in|evaluating|asking about|"
                       r"to replace|replace|want to|quote for|proposal for|demo of)(?![a-z]))\s*(?:做|上|个|一个|一套|套)?",
                       re.I)
# Where the need stops: 然后 / 嗯 / a deadline / the budget / an English clause that says something else.
NEED_STOP = re.compile(r"[,;。]|，|然后|嗯|next step|(?<=\S{2})(?:他们|她们|对方)|(?<=\S{2})\s?前要|"
                       r"\s(?:for|across|in)\s+(?:~|\d|their|the|our|its|all|each|every|about|around|approx)|\s~|\s\((?![^)]*\))|之前|以前|预算|下周|明年|今年|年底|月底|就是|还有|对接人|联系人|电话|手机|(?:一起)?换掉|"
                       r"(?<=\S)\s+(?:they|he|she|we)(?:['’]\w+)?\s|\s(?:met|thru|through|via)\s|\s\.\s|在对比|展会上|感兴趣|有兴趣|"
                       r"(?<=\S)\s+(?:they|he|she|we|talked|met|his|her|decision|to pull|budget|ballpark|"
                       r"and|but|so|to replace|hoping|"
                       r"by|before|asap|next|budget|ballpark|because|since|which|that|who|as)\s|\s+-\s", re.I)
# A date said as the close: 月底前就想定, sign by EOY, decision expected mid next month, 上会定.
CLOSE_SAID = re.compile(r"成交|签约|签单|签合同|签|落地|[能想会就前再]定|定下|定标|定了|定$|定供应商|定厂家|完成采购|落实|拍板|决定|出结果|上会|"
                        r"(?<![a-z])(?:close|closing|sign|signed|decide|decision|pick|contract|award|aiming|aim)", re.I)
# An amount said as the budget in prose: 预算说是八十来万, 金额估计三百万往上, deal size ~$120k, est. $300k.
BUDGET_SAID = re.compile(r"预算|金额|经费|费用|报价|盘子|投入|合同额|估计|大概|左右|以内|budget|deal size|ballpark|"
                         r"est\.|arr|range|\$|¥|€|£|rmb|usd", re.I)
# 做汽车零部件的 / 做跨境电商的: the customer's trade.
INDUSTRY_SAID = re.compile(r"^(?:他们|是)?做([\u4e00-\u9fff]{2,8})的$")
_TRADE_HEADS = (r"(?:chain|maker|manufacturer|firm|startup|provider|retailer|utility|insurer|fintech|distributor|operator|"
                r"miner|supplier|producer|brewery|winery|bakery|shop|store|exporter|importer|wholesaler|processor|agency|"
                r"developer|clinic|group|grower|co-op|cooperative|bank)")
INDUSTRY_IN_PROSE = re.compile(r"(?<![想要在])(?:他们|她们|对方|公司|客户)?(?:是|主要)?做([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z ]{1,9}?)"
                               r"的(?![\u4e00-\u9fff]{0,3}(?:经理|总|主任|负责人|方案|系统|项目|人))"
                               r"|(?<![a-z])(?:they're|they are|it's|is)\s+an?\s+(?:[A-Z]{2,}\s+)?([a-z][a-z -]{2,30}?"
                               + _TRADE_HEADS + r")(?![a-z])"
                               r"|(?<![a-z])they (?:do|make)\s+(?:(?:um|uh|like)\s+)?([a-z][a-z -]{2,30}?)(?=\s*[),.;]|\s+(?:they|and|but|so|"
                               r"we|he|she|uh|um|out|in|for|from|the|contact|near|based|with|at|who|that|which)\b|$)"
                               r"|(?:该公司|这家公司|他们|她们|对方)(?:主营|主要从事|从事|为一家|为|是一家)(?:中型|大型|小型|知名|本地)?"
                               r"([\u4e00-\u9fff]{2,10}?)(?:企业|厂商|商|公司|的设计|的生产|的研发|(?=[，,。；;]))"
                               r"|(?:他们|她们|对方)(?:主要)?做([\u4e00-\u9fff]{2,8})(?=[，,。；;])",
                               re.I)
# Dates that are not the close: a quote, a visit, a demo, a tender, a go-live.
NOT_CLOSE = re.compile(r"报价|拜访|演示|方案|招标|挂网|上线|启动|过去|见面|demo|quote|proposal|visit|rfp|go-live|go live|"
                       r"kick ?off|call back", re.I)
CHATTER = re.compile(r"(?:好的|谢谢|thx|thanks|ok|pls|please|fyi|asap|先这样|辛苦|麻烦了|哈+|嗯+|那个|然后|🙏|[()\s]|"
                     r"talked to|talking to|spoke (?:to|with|w/)|met|met with|call with|today|yesterday|this morning|"
                     r"and|also|too|见了|见到了|聊了|他们|对接|对接人是|联系人是|新lead|新线索|新商机|new lead|new deal|new opp)+")
# 八十来万 / 三五万 / 30-50万: about, a pair of numbers, a range — the budget is the upper figure.
_ABOUT = re.compile(r"(?<=[一二两三四五六七八九十百千0-9])(?:来|多)(?=[万亿千kw])")
_PAIR = re.compile(r"(?<![一二两三四五六七八九十])([一二两三四五六七八])([二三四五六七八九])(?=[十百千万])")
_RANGE = re.compile(r"([$€£¥]?)\d+(?:\.\d+)?\s*([万kKwW]?)\s*[-~～到至]\s*([$€£¥]?)(\d+(?:\.\d+)?)\s*([万kKwW]?)")


def _amount_text(text: str) -> str:
    text = _PAIR.sub(r"\2", _ABOUT.sub("", text))
    return _RANGE.sub(lambda m: (m.group(1) or m.group(3)) + m.group(4) + (m.group(5) or m.group(2)), text)


def _money_marked(piece: str, amount) -> bool:
    said = piece[amount.span[0]:amount.span[1]].lower()
    return any(c in said for c in "万亿千wkm$€£¥") or "rmb" in said or "usd" in said


_WORDS = sorted(((w, f) for f, ws in LABELS.items() for w in ws), key=lambda p: -len(p[0]))
_LABEL = re.compile(
    r"(?:^|(?<=[\s,;]))(" + "|".join(re.escape(w) for w, _ in _WORDS) + r")(\s*[=:]\s*|\s+)?", re.I)
_FIELD = {w.lower(): f for w, f in _WORDS}
# A label needs a separator after it ("contacted" is no label, 渠道商 is a source, not 渠道 + 商) — except
# these Chinese ones, which reps run into their value: 联系人王磊, 预算50万, 预计12月底成交.
RUN_ON_LABELS = ("联系人", "对接人", "职位", "电话", "手机", "邮箱", "需求", "预算", "预计成交",
                 "预计签约", "预计", "来源", "行业")
_SPLIT = re.compile(r"\s*[;\n]\s*")


@dataclass
class _Draft:
    """Mutable while reading one message; frozen into Register at the end."""

    labelled: dict[str, str] = field(default_factory=dict)
    loose: list[str] = field(default_factory=list)  # unlabelled pieces, in order


# A comma splits pieces, except inside 250,000 and before a legal suffix (Philips (China) Co., Ltd.).
COMMA = re.compile(r"\s*(?:[，、]|,(?!\d{3}(?!\d))(?!\s*(?:ltd|inc|llc|limited|plc)\b))\s*", re.I)
DEPARTMENT = re.compile(r"^[\u4e00-\u9fff]{1,8}(?:部|部门|中心|科室|处)$")
WECHAT_ID = re.compile(r"(?:wechat|weixin|微信号?|wx)\s*[:=]\s*[A-Za-z][\w-]{3,}", re.I)


def _pieces(segment: str) -> list[str]:
    """Chinese text splits on spaces and commas; Latin text only on commas (Acme Corp is one name)."""
    out = []
    for part in re.split(r"\s*;\s*", segment):
        out += _comma_pieces(part)
    return out


def _comma_pieces(segment: str) -> list[str]:
    out = []
    for part in COMMA.split(segment):
        part = trim_end(part.strip(" ;:").lstrip("."))
        if not part:
            continue
        out += [w for w in part.split() if w.strip("+")] if CJK.search(part) else [part]
    return out


def _read(body: str) -> _Draft:
    draft = _Draft()
    marks = []
    for m in _LABEL.finditer(body):
        if not (m.group(2) or m.group(1) in RUN_ON_LABELS) or m.end() >= len(body):
            continue
        if m.group(1).lower() == "by" and not _close_by(body, m):
            continue
        if m.group(1).isascii() and m.start() > 0 and not re.search(r"[=:]", m.group(2) or "") and (
                _FIELD[m.group(1).lower()] in ("customer", "industry") or m.group(1).lower() in ("title", "position",
                                                                                                  "project", "amount")):
            continue  # 'digital account opening' is no customer label; 'customer: X' and a leading 'Client X' are
        if marks and m.start() == marks[-1].end() and _FIELD[marks[-1].group(1).lower()] == "source":
            continue  # 来源 电话: a label word right after 来源 is its value
        marks.append(m)
    head = body[: marks[0].start()] if marks else body
    draft.loose += _pieces(head)
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        value, *more = _SPLIT.split(body[m.end():end].strip(" ,;"))
        name = _FIELD[m.group(1).lower()]
        value = value.strip(" ,;")
        stop = CUSTOMER_STOP.search(value, 2) if name == "customer" else None
        if stop:  # 客户是 Lumen光学 他们 CTO Frank 说… / 客户 Wanda Sports 的 ticketing team: the name ends there
            draft.loose += _pieces(value[stop.start():])
            value = value[:stop.start()]
        if name in draft.labelled or not value:
            draft.loose += _pieces(value)
        elif name in SHORT_FIELDS and len(COMMA.split(value)) > 1 and (name != "need" or not CJK.search(value)):
            first, *rest = COMMA.split(value)  # "预算80w左右，12月15日前定" / "budget $120k, close by …"
            draft.labelled[name] = first.strip()
            draft.loose += [p for r in rest for p in _pieces(r)]
        else:
            draft.labelled[name] = value
        for extra in more:
            draft.loose += _pieces(extra)
    return draft


# Where a labelled customer's name ends when the rep goes on talking after it, with no comma.
CUSTOMER_STOP = re.compile(r"\s*的\s(?![\u4e00-\u9fff()（）]{2,24}(?:有限公司|有限责任公司|集团|医院|大学))|\s(?:他们|她们|他|她|想|要|说|对接|联系人)|\s(?:they|their|who|wants?|needs?)\b")


# The rep says the name is not given yet; then no word of the message is taken for it.
NO_NAME_SAID = re.compile(r"不方便透露|没留公司|没留名|保密|不让说|还不让|没说公司|还没说|名字.{0,4}(?:别|不)|还没\s?confirm|"
                          r"公司名.{0,6}(?:没|不|回头)|客户名.{0,6}(?:没|不|回头)|没问全|(?i:no company name|didn't catch the name|"
                          r"name tbd|won't say who|can't say who|not named yet)")
UNIT_GAP = re.compile(r"\s*(?:那个|这个|的|下面的|下属的|嗯)?\s*")


def _close_by(body: str, m: re.Match) -> bool:
    """'by' is a close-date label only when a date follows it."""
    return find_date(body[m.end(): m.end() + 30], today=date(2000, 1, 1)) is not None


def parse_register(body: str, *, today: date, expect_customer: bool = True, tagger=DEFAULT_TAGGER) -> Register:
    """`expect_customer=False` reads an answer to "still needed: contact or need" (no name comes first).
    `tagger=None` reads with the rules alone."""
    # a WeChat id is how to reach them, not a title or a need; numbers said aloud as digits; a correction as meant
    body = corrected(spoken_amounts(spoken_digits(WECHAT_ID.sub(" ", body))))
    body = CURRENCY_GAP.sub(r"\1", NEW_LEAD.sub("", body, count=1))  # '报备 new lead：Shopee …' 
    body = re.sub(r"\s+/\s+", ", ", body)  # 'Acme Ltd. / Wei Ling Tan, IT Lead / +65 …' (not 2026/12/28)
    emails, body = _cut_out([m.span() for m in EMAIL.finditer(body)], body)
    phones, body = _cut_out(find_phones(body), body)
    draft, need_sentence, sentence_of, sentence_text = _Draft(), None, {}, {}
    for number, sentence in enumerate(sentences(body)):  # no field runs on into the next sentence
        sentence_text[number] = sentence
        part = _read(sentence)
        for name, value in part.labelled.items():
            if name in draft.labelled:
                draft.loose += _pieces(value)
            else:
                draft.labelled[name] = value
                need_sentence = number if name == "need" else need_sentence
        for piece in part.loose:
            sentence_of.setdefault(piece, number)
        draft.loose += part.loose
    got = dict(draft.labelled)
    budget = find_amount(_amount_text(got["budget"])) if got.get("budget") else None
    if budget:  # "两百万 年底签", "大概150万 下周二前定": words around the amount other than 大概/左右
        draft.loose += _pieces(PER_PERIOD.sub(" ", FILLER.sub(" ", _cut(got["budget"], budget.span))))
    close = find_date(got["close"], today=today) if got.get("close") else None
    labelled_customer = _customer_label(got.get("customer"))
    if labelled_customer and prose.looks_like_sentence(labelled_customer):
        labelled_customer = None  # 客户 先占个坑: no name was given
    # The tagger reads prose; a message whose customer and contact are labelled has none to read.
    use_tagger = tagger if tagger and CJK.search(body) and not (labelled_customer and got.get("contact")) else None
    orgs, persons = [], []
    for at, sentence in sentence_spans(body):
        entities = [replace(e, start=e.start + at, end=e.end + at) for e in use_tagger(sentence)] if use_tagger \
            and CJK.search(sentence) else []
        local = [replace(e, start=e.start - at, end=e.end - at) for e in entities]
        orgs += [replace(o, start=o.start + at) for o in prose.organisations(sentence, local, first=not orgs and at <= 2)]
        persons += [replace(p, start=p.start + at) for p in prose.people(sentence, local)]
    orgs = [o for o in map(prose.without_narrative, orgs) if not prose.looks_like_sentence(o.name)]
    customer, unsure, customer_sure = labelled_customer, (), labelled_customer is not None
    if expect_customer and customer is None and orgs:
        best = next((o for o in orgs if o.sure), orgs[0])
        inner = next((o for o in orgs if o.sure and o.start > best.start and
                      UNIT_GAP.fullmatch(body[best.start + len(best.name):o.start])), None)
        if inner and (len(best.name) <= 3 or len(best.name) <= 4 and not cn_org_tail_sure(best.name)):
            best = inner  # 中科院 那个 沈阳自动化研究所: the named institute inside its parent's short name
        customer_sure = (best.sure or known_company(best.name) or looks_like_company(best.name)
                         or body.lstrip().startswith(best.name))  # '报备 杭州云栖科技 …': named first
        customer, unsure = best.name, (() if customer_sure else ("customer",))
        first = next(iter(_pieces(sentences(body)[0])), "") if sentences(body) else ""
        if best.name in first and first != best.name and len(first) <= 24 and not prose.looks_like_sentence(first) \
                and not cn_org_tail_sure(best.name):
            customer, unsure, customer_sure = first, (), True  # '报备 美的置业 …': the tagger saw only 美的
    for card in prose.spaced_card_names(body):  # the whole spaced name replaces what a sentence rule read of it
        persons = [p for p in persons if not card.start <= p.start < card.start + len(card.name)] + [card]
    persons.sort(key=lambda p: p.start)
    persons = prose.distinct([p for p in persons if not (customer and p.name in customer)])
    name, title = None, got.get("title")
    label = _contact_label(got["contact"]) if got.get("contact") else ""
    label, more = _more_labelled(label, body)
    persons += more
    if label and len(label) <= 40:  # 联系人 王磊 技术总监 / contact: John Smith, Head of IT — the label's reading wins
        words = label.split()
        if len(words) == 2 and is_title(words[0]) and looks_like_person(words[1]):
            name, title = words[1], words[0]  # 联系人 研发总监 覃明: the title first
        elif (said := LABEL_ROLE.match(label)) and looks_like_person(said["name"]) and is_title(said["title"]):
            name, title = said["name"], said["title"]  # contact is uh Bruce Whitmore he's the site manager mobile …
        elif len(words) == 3 and DEPARTMENT.fullmatch(words[0]) and looks_like_person(words[1]) and is_title(words[2]):
            name, title = words[1], f"{words[0]} {words[2]}"  # 窗口：品保課 許雅婷 課長 / 采购部 冯建军 经理
        else:
            name, title = split_title(label)
        title = title or got.get("title")
        same = next((p for p in persons if name and (p.name == name or p.name in name)), None)
        if same is not None:
            persons.remove(same)
            name, title = (name if looks_like_person(name) else same.name), title or same.title
        elif name and any(name in p.name or p.name in label for p in persons):
            name, title = None, None  # the prose reading of the label holds the person
    if got.get("title") and not name and persons and not persons[0].title:
        persons[0].title = got["title"]  # 姓名：欧阳晓峰 / 职位：信息化办公室主任 (a card's labels)
    found_people = bool(persons)
    need_parts: list[str] = []  # unlabelled words that are none of the other fields
    need_said: list[str] = []  # what follows 想做 / wants: the need in a sentence
    source = source_of(got["source"]) if got.get("source") else None
    industry = re.sub(r"^(?:是|属于|做)\s*", "", got["industry"]).strip() or None if got.get("industry") else None
    need_run_on: list[str] = []
    for piece in draft.loose:
        original = piece
        piece = _without(piece, [customer] + [p.name for p in persons] + [p.title for p in persons if p.title])
        piece = prose.LEAD_IN.sub("", piece, count=1).strip(" ,.;:") if piece else piece
        if not piece:
            continue
        amount = None if budget else find_amount(_amount_text(piece))
        when = None if close else find_date(piece, today=today)
        if (expect_customer and customer is None and not (amount and _mostly(piece, amount.span))
                and not (when and _mostly(piece, when.span)) and not (found_people and looks_like_person(piece))
                and not is_title(piece) and not prose.looks_like_sentence(piece) and not NEED_VERB.search(piece)):
            # '报备 宁波港 联系人 …': the first words after the verb are the customer; a name found later is a guess
            customer_sure = looks_like_company(piece) or known_company(piece) or body.lstrip().startswith(original)
            customer, unsure = piece, (() if customer_sure else ("customer",))
        elif when and (_mostly(piece, when.span) or CLOSE_SAID.search(piece)):
            close = when
        elif amount and (_mostly(piece, amount.span) or BUDGET_SAID.search(piece) or _money_marked(piece, amount)):
            budget = amount
        elif not name and not found_people and looks_like_person(piece):
            name = piece
        elif not name and not found_people and "(" in piece and looks_like_person(split_title(piece)[0] or "") \
                and split_title(piece)[1]:
            name, title = split_title(piece)  # 'Sarah Kim (CIO)' without a contact label
        elif DEPARTMENT.match(piece) and (name or not found_people):
            title = title or piece
        elif is_title(piece) and not _chatter(piece) and (lacking := _first_without_title(name, title, persons)) is not None \
                and (name or persons or not need_parts):
            line = sentence_text.get(sentence_of.get(original), "")
            said = _title_line(line, [p.name for p in persons] + [name or ""]) or _title_piece(piece)
            if lacking == "label":
                title = said
            else:
                lacking.title = said
        elif not name and not found_people and is_title(piece) and split_title(piece)[1]:
            name, title = split_title(piece)
        elif source is None and (said := said_source(piece)):
            source = said
        elif industry is None and (m := INDUSTRY_SAID.search(piece)):
            industry = m.group(1)
        elif customer and not customer_sure and looks_like_company(piece) and not need_parts \
                and piece == draft.loose[0]:
            customer = piece
        elif m := NEED_VERB.search(piece):
            need_said.append(_need_object(piece[m.end():]))
        elif not _chatter(piece):
            need_parts.append(piece)
            if sentence_of.get(original) == need_sentence:
                need_run_on.append(piece)  # '需求 CRM 系统替换，要支持移动端': the need goes on in its sentence
    said_need = _said_need(_without(body, [customer] + [p.name for p in persons]
                                    + [p.title for p in persons if p.title])) or next((n for n in need_said if n),
                                                                                        None)
    labelled_need = " ".join([re.sub(r"^(?:是|就是|:)\s*", "", got["need"])] + need_run_on) if got.get("need") else None
    need = labelled_need or said_need or _leftover_need(need_parts, sentence_of) or None
    need = _tidy_need(NEED_LEAD.sub("", need)) if need else None
    if need and not budget:  # "需求 CRM 50万" without a budget label
        amount = find_amount(need)
        if amount:
            budget, need = amount, _cut(need, amount.span)
    if need and not close:
        when = find_date(need, today=today)
        if when and any(w in need[when.span[1]: when.span[1] + 4] for w in CLOSE_WORDS):
            close, need = when, _cut(need, (when.span[0], when.span[1] + 2))
    rest = _without(body, [customer]) if customer else body
    close = close or _said_close(rest, today)
    budget = budget or _said_budget(rest)
    source = source or said_source(rest)
    # 'Arcadia Fitness Clubs (gym franchise, 12 sites)' / X有限公司（做电池包壳体的） / 'X LLP, a law firm'
    unread = tuple((f, got[f]) for f, found in (("budget", budget), ("close", close)) if got.get(f) and not found)
    customer = _tidy_customer(customer) if customer else None
    if customer and not labelled_customer and NO_NAME_SAID.search(body) and not (
            cn_org_tail_sure(customer) or prose.EN_COMPANY.fullmatch(customer)):
        customer, unsure = None, ()  # 名字保密 / no company name yet: ask for it, not about a word of the message
    industry = (industry or (_described(body, customer) if customer else None) or _said_industry(rest)
                or _said_industry(body))  # 'Arcot Spice Works Pvt Ltd, they make masala blends': a clause read as kept
    lines = [line.strip() for line in body.splitlines()]
    for p in persons:
        p.title = p.title or _card_title_of(lines, p.name)
    if name and not title:
        title = _card_title_of(lines, name)
    contacts = _contacts(name, title, persons, phones, emails, body.find(label) if label else -1, body)
    currency = budget.currency if budget else None
    if budget and not budget.marked and customer:
        currency = currency_of_legal_form(customer) or currency  # Helix Fintech Pte Ltd … budget 200k: SGD
    return Register(
        customer=customer, contacts=contacts,
        need=need or None, budget=budget.value if budget else None, currency=currency,
        expected_close=close.value if close else None, source=source, industry=industry,
        unread=unread, unsure=unsure if customer else (),
    )


def _clauses(text: str):
    for _, sentence in sentence_spans(text):
        yield from (c for c in COMMA.split(sentence) if c.strip())


def _said_close(text: str, today: date):
    """A coming date in a clause that says it is when the deal is decided: 预计年底前定下来 / sign by EOY."""
    for clause in _clauses(text):
        for found in find_dates(clause, today=today):
            words = clause[: found.span[0]] + " " + clause[found.span[1]:]
            if found.value > today and CLOSE_SAID.search(words) and not NOT_CLOSE.search(words):
                return found
    return None


def _said_budget(text: str):
    """An amount in a clause that says it is the budget or the deal's size, or is written as money."""
    for clause in _clauses(text):
        amount = find_amount(_amount_text(clause))
        if amount and (BUDGET_SAID.search(clause) or _money_marked(_amount_text(clause), amount)):
            return amount
    return None


DESCRIBED = re.compile(r"\.?\s*[(（]\s*(?:做(?P<cn>[\u4e00-\u9fff]{2,10})的|(?:an?\s+)?(?:[A-Z]{2,}\s+)?(?P<en>[a-z][a-z -]{2,28}?))"
                       r"\s*(?:[,，;][^)）]*)?[)）]")
APPOSITION = re.compile(r"^,?\s+an?\s+(?:[a-z-]+\s+)?(?P<en>[a-z][a-z -]{2,24}?(?:firm|company|co-op|chain|maker|shop|startup|"
                        r"provider|operator|franchise|trust|brand|retailer|distributor|insurer|utility|grower|bank|association))(?![a-z])"
                        r"|^,\s+(?P<bare>[a-z][a-z -]{2,30}?" + _TRADE_HEADS + r"),"  # Redline Cycling Co, ecommerce bike parts shop,
                        r"|^\s*[，,]\s*[\u4e00-\u9fff]{2,4}的(?P<cn>[\u4e00-\u9fff]{2,6}?(?:公司|开发商|工厂|厂|医院|品牌|连锁|集团))"
                        r"(?=[。，,；;\s]|$)"  # Southern Cross Freight Pty Ltd，墨尔本的物流公司。
                        r"|^\.?\s*[–—-]?\s*(?P<lead>[A-Za-z][a-z]+(?:\s[a-z]+){0,3}\s" + _TRADE_HEADS + r")"
                        r"(?=\s+in\s|\s*[,.(]|$)")  # 'Syarikat Perabot Indah Sdn Bhd. Furniture manufacturer in Muar.'


def _described(body: str, customer: str) -> str | None:
    """The customer's trade, said right after its name."""
    at = body.find(customer)
    if at < 0:
        return None
    after = body[at + len(customer):]
    m = DESCRIBED.match(after) or APPOSITION.match(after)
    if not m:
        return None
    industry = next((g for g in (m.groupdict().get(k) for k in ("cn", "en", "bare", "lead")) if g), "").strip()
    return industry if industry and not re.search(r"\d|series|~", industry, re.I) else None


NOT_A_TRADE = re.compile(r"^[一两几这那个套些]|系统|方案|预算|报价|项目|平台|软件|测试|汇报|演示|决定")  # 他们做一套系统，


def _said_industry(text: str) -> str | None:
    for m in INDUSTRY_IN_PROSE.finditer(text):
        trade = next(g for g in m.groups() if g).strip()
        if not NOT_A_TRADE.search(trade):
            return trade
    return None


def _cut_out(spans: list[tuple[int, int]], text: str) -> tuple[list[tuple[int, str]], str]:
    """(position, text) of each span, and the text with each blanked out in place (positions stay)."""
    found = [(a, text[a:b]) for a, b in spans]
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return found, text


def _contacts(name, title, persons, phones, emails, label_at: int, body: str) -> tuple[ContactInfo, ...]:
    """The labelled contact first, then the people in the prose; each phone and e-mail goes to the person named
    nearest before it (or the first)."""
    people = sorted(([prose.Person(name, title, label_at)] if name or title else []) + list(persons),
                    key=lambda p: p.start)
    if not people and (phones or emails):
        people = [prose.Person(None, None, -1)]
    reach: dict[int, dict] = {i: {} for i in range(len(people))}
    for key, items, norm in (("phone", phones, normalize_phone), ("email", emails, str.lower)):
        for at, raw in items:
            before = [i for i, p in enumerate(people) if p.start <= at]
            owner = next((i for i in before if key not in reach[i] and _called(people[i].name, body[max(0, at - 8):at])),
                         None)  # 联系电话：牛总 137…: the person the number is said with
            if owner is None:
                owner = next((i for i in reversed(before) if key not in reach[i]), None)
            if owner is None:
                owner = next((i for i in range(len(people)) if key not in reach[i]), None)
            if owner is None and key == "phone" and people:  # a card's Tel, then its Mobile: keep the mobile
                nearest = before[-1] if before else 0
                if is_mobile(norm(raw)) and not is_mobile(reach[nearest][key]):
                    owner = nearest
            if owner is not None:
                reach[owner][key] = norm(raw)
    return tuple(ContactInfo(name=p.name, title=_said_title(p.title), **reach[i]) for i, p in enumerate(people))


def _called(name: str | None, said: str) -> bool:
    """The name, or its surname with 总/经理/工… (牛总 for 牛建华), said just before a phone."""
    if not name:
        return False
    return name in said or bool(CJK.match(name) and re.search(re.escape(name[0]) + "(?:" + "|".join(prose.HONORIFICS) + "|先生|女士|小姐)", said))


# 前台帮我约到了CTO / 对方来了总工程师: how the rep got to the person, not their title
_MET_THROUGH = re.compile(r"^[\u4e00-\u9fff]{0,8}?(?:约到了|约到|见了|见到了|来了|碰到了|认识了|找到了|见咗|约咗|倾咗)")


def _said_title(title: str | None) -> str | None:
    """她是采购部经理 / 是测试部门的负责人: the title, not the words that introduce it."""
    if not title:
        return None
    title = _MET_THROUGH.sub("", title)
    title = re.sub(r"^(?:另外|还有|也有|职位写的是|写的是|职位是|职务是|(?:联系人|对接人|对窗|窗口)(?:是|为)?)?(?:(?:他|她)?是\s*)?"
                   r"(?:同埋|还有|和)?(?:他们的?|她们的?|佢哋嘅?|对方的?|客户那边的?|客户方的?|客户的)?(?:新任|新来的|新上任的)?", "",
                   title).strip()
    title = re.split(r"\s*[,，;；]?\s*\+?\d[\d\s-]{5,}", title, maxsplit=1)[0]  # IT Executive, 8223 4471
    title = re.split(r"(?<=\S)姓[\u4e00-\u9fff]", title, maxsplit=1)[0]  # 生产副总姓钱 → 生产副总
    if CJK.search(title):
        title = re.split(r"\s*[,，;；]", title, maxsplit=1)[0]  # 数据产品经理,想要一套自助BI → 数据产品经理
    return (prose.clean_title(title) if not CJK.search(title) else title) or None


def _card_title_of(lines: list[str], name: str) -> str | None:
    """A card puts the title on the line next to the name: 'SAMUEL OKAFOR⏎Director of Manufacturing Engineering'."""
    if len(lines) < 3:
        return None
    for i, line in enumerate(lines):
        if line == name or (line.startswith(name) and len(line) - len(name) <= 5):  # 'David Zhang 张大卫'
            for j in (i + 1, i - 1):
                if 0 <= j < len(lines) and (said := _title_line(lines[j], [])) and not looks_like_company(lines[j]):
                    return said
    return None


def _title_line(line: str, names: list[str]) -> str | None:
    """A card's title line read whole: 'Manager, Production Engineering', '研发中心 主任' → 研发中心主任."""
    for n in names:
        line = line.replace(n, " ").strip() if n else line
    if not line or not is_title(line, longest=50) or re.search(r"\d|[:：@]", line):
        return None
    if CJK.search(line):
        if len(line) > 20 or re.search(r"[,，。的是叫]", line):
            return None
        return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", line)
    return line


def _title_piece(piece: str) -> str:
    """"he's Head of IT at" → Head of IT; 她是采购经理 → 采购经理."""
    return prose.clean_title(piece) or piece


def _first_without_title(name, title, persons):
    """Who a title said on its own ('张伟，产品经理') belongs to: the first person named without one."""
    if name and not title:
        return "label"
    return next((p for p in persons if not p.title), None) if persons or name else ("label" if not title else None)


def trim_end(text: str) -> str:
    """A full stop off the end, but not the dot of Inc. / Ltd. / Co. / Corp."""
    text = text.strip()
    if text.endswith(".") and not re.search(r"(?<![A-Za-z])(?:Inc|Ltd|Co|Corp|Pte|S\.A|N\.V|B\.V|Bhd|Jr|Sr)\.$", text):
        text = text.rstrip(".").strip()
    return text


def _tidy_customer(name: str) -> str | None:
    """What reps say around the name: X aka Y / X吧 / X有限公司 他们老板陈总… / 客户啊就是X / (the gym chain)."""
    name = re.sub(r"^(?:(?:for|with|at|its|it's|company is|customer is|client is)\s+)+", "", name, flags=re.I)
    name = re.sub(r"^[A-Za-z ]{1,12}是(?=[\u4e00-\u9fff])", "", name)  # 'inbound call是X'
    name = re.split(r"\s+(?:aka|a\.k\.a\.|也叫|简称|um|uh|er)(?:\s+|$)", name, maxsplit=1)[0]
    unit = re.match(r"(.+?)\s*的?\s*[\w ]{0,12}(?:team|团队|部门|小组)$", name)
    if unit:  # 'Wanda Sports 的 ticketing team' / 美团到店事业群的BI团队: the company, not the team
        name = unit.group(1).strip()
    group = re.match(r"(.+?)(?:[\u4e00-\u9fff]{2,6}(?:事业群|事业部)|\s?[A-Z]{1,3}BG)$", name)
    if group and known_company(group.group(1).strip()):
        name = group.group(1).strip()
    tail = re.search(r"(?:有限公司|股份公司|集团|医院|大学|学院|银行|教育局|Ltd\.?|Inc\.?|GmbH|LLC)(?=\s+[^\s(])", name)
    if tail:
        name = name[: tail.end()]
    if CJK.search(name[:1] or ""):
        name = prose.CN_FILLER.sub("", name)
    name = re.sub(r"\s*[(（](?:做|[a-z])[^)）]*[)）]$", "", name)  # X有限公司（做电池包壳体的）: a description, not the name
    if name.count("(") > name.count(")"):
        name = name[: name.rfind("(")]  # 'Okapi Robotics (Series B, ~200 ppl)' 
    name = re.sub(r"\s*\((?:the|a|an)\s[^)]*\)$", "", name)  # 'Orbital Fitness (the gym chain)'
    return re.sub(r"(?<=[\u4e00-\u9fff])(?:吧|啊|呢)$", "", name).strip(" ,;:-") or None


CONTACT_STOP = re.compile(r"\s*[,，;；]\s*(?=他|她|最后|还有|另外|拍板|决策|老板|(?i:and|he|she|his|her|who|reports)\b)")


DEPARTMENT = re.compile(r"[\u4e00-\u9fff]{1,6}(?:部|课|課|科|处|處|中心|室|组|組)")
LABEL_ROLE = re.compile(r"(?i)^(?:(?:uh|um|er)\s+)?(?P<name>.+?)\s*,?\s+(?:he|she)(?:['’]s|\s+is)\s+(?:the\s+|their\s+|our\s+|a\s+)?"
                        r"(?:new\s+)?(?P<title>.+?)(?=\s+(?:his|her|and|mobile|number|phone|email|cell|hp)\b|\s*[,.;]|$)")
LABEL_PEOPLE = re.compile(r"\s*[/／、;；]\s*")


def _more_labelled(label: str, body: str) -> tuple[str, list]:
    """联系人：牛建华（总经理）/ 邱敏（财务经理）: the first person is the label's, the others join the prose's."""
    parts = LABEL_PEOPLE.split(label) if label else []
    read = [split_title(p) for p in parts]
    if len(parts) < 2 or not all(n and looks_like_person(n) for n, _ in read):
        return label, []
    at = body.find(label)
    return parts[0], [prose.Person(n, t, at + label.find(p)) for p, (n, t) in zip(parts[1:], read[1:])]


def _contact_label(value: str) -> str:
    """联系人是李娜 / Contact is Olivia Grant: the words between the label and the name."""
    value = re.sub(r"^(?:是|叫|为|is|are|:)\s*", "", value.strip(), flags=re.I)
    value = CONTACT_STOP.split(value, maxsplit=1)[0]  # 王工（IT主管），他上面是CIO孙浩…: the next person is prose
    return re.sub(r"[,;\s]*(?:邮箱|电话|手机|微信|email|e-mail|phone|tel|mobile)?[,;\s]*$", "", value, flags=re.I)


def _customer_label(value: str | None) -> str | None:
    """客户：合肥智联电子有限公司 — the label's value, less what a rep says around a name (是 / 叫 / 的)."""
    if not value:
        return None
    value = re.sub(r"^(?:是|叫|为|is)\s*(?:the\s+)?", "", value.strip())
    place = re.match(r"^[\u4e00-\u9fff]{2,12}?的\s*(?=\S{6,})", value)  # 武汉光谷生物城的 楚天基因检测技术有限公司
    if place and re.search(r"(?:有限公司|有限责任公司|集团)$", value) and cn_org_tail_sure(value[place.end():]):
        value = value[place.end():]
    return trim_end(value.removesuffix("的").strip(" ,;:")) or None


def _without(piece: str, names: list) -> str:
    for n in names:
        if not n:
            continue
        if piece in n or piece.rstrip(".") in n:  # 'Globex Inc' is the customer 'Globex Inc.' cut at its dot
            return ""
        for form in (n, n.rstrip(".")):
            if form in piece:
                piece = piece.replace(form, " ")
                break
    return re.sub(r"^(?:[\s,;:的]|他们|她们|their|the)+|[\s,;:的]+$", "", piece).strip()


# For whom the thing is done, said before it: 给辖区32所学校做 / 区里三十多所学校上 / 码头做一套.
FOR_WHOM = re.compile(r"^(?:给)?(?:[^做上搞，,。]{0,10}?(?:\d+|[一二三四五六七八九十几多]+)(?:所|家|个|座|台)[\u4e00-\u9fff]{0,5}|"
                      r"[^做上搞，,。]{0,6}(?:码头|园区|工厂|门店|仓库|学校|中小学|医院|院内|厂区|总部)|(?:全区|全市|全省|辖区|区里)[^做上搞，,。]{0,6})(?:做|上|搞)(?:一套|一个|个|套)?"
                      r"(?=\S{2})")


# Where a need read from a label or left-over words still runs on (no comma to stop it): the same stops as a need
# said after a verb, less the commas a Chinese need may hold, and a pronoun or filler left at either end.
NEED_RUN_ON = re.compile(NEED_STOP.pattern.replace(r"[,;。]|，|", "", 1) + r"|[,，;；]\s*(?=next step|下一步|展会|展上|微信|老客户|"
                         r"朋友|渠道|来源|预算|电话|手机|联系|对接|决策|拍板|签|[A-Z][a-z]+ [A-Z][a-z]+)", re.I)
NEED_ENDS = re.compile(r"^(?:um|uh|like|so|is|are)\s+|\s+(?:they|he|she|her|his|it|we|second|also)$|[,，\s]+$", re.I)


def _tidy_need(need: str) -> str | None:
    need = NEED_RUN_ON.split(need.strip(" ,.;:"), maxsplit=1)[0]
    for _ in range(2):
        need = NEED_ENDS.sub("", need.strip(" ,.;:"))
    return need.strip(" ,.;:") or None


def _need_object(text: str) -> str:
    """What follows 想做 / wants, to the end of what was said about it."""
    text = text.strip(" ,.;:")
    for _ in range(3):
        text = re.sub(r"^(?:一套|一个|一批|一下|个|套|那个|这个|我们的|你们的|我们|把|做|上|的|嗯|就是|some |to )\s*", "",
                      text).strip()
    text = re.sub(r"^(?:is|are|a need for|an? (?:quote|proposal|demo|pricing) (?:for|of|on))\s+(?=\S)", "", text)
    text = FOR_WHOM.sub("", text)  # 要给辖区32所学校做智慧教室改造 / 想给码头做一套视频安防 → what is done
    text = re.sub(r"^(?:roll out|set up|build|get|buy|implement|deploy)\s+(?=\S)", "", text, flags=re.I)
    text = NEED_STOP.split(text, maxsplit=1)[0]
    text = re.sub(r"(?:\s+(?:for|to|at|with|and|of)|(?<=\S{2})说)$", "", text.strip())
    return text.strip(" .,;:") if text else ""


def _said_need(text: str) -> str | None:
    """The first thing the customer is said to want, in the order the message says it: 他们想做食品追溯 / wants MES."""
    for _, sentence in sentence_spans(text):
        for m in NEED_VERB.finditer(sentence):
            if m.group(0).startswith(("想把", "要把")) and re.search(r"换掉|替换|换成|淘汰", sentence[m.end():m.end() + 30]):
                continue  # 想把现在的用友换掉，上一套新的ERP: the need is what replaces it
            obj = _need_object(sentence[m.end():])
            if len(obj) >= 2 and not re.search(r"公司名|他说|名字", obj):
                return obj
    return None


def _leftover_need(parts: list[str], sentence_of: dict) -> str | None:
    """No label and no 想做: the words that were none of the other fields, if they read like a need (one sentence's
    worth, not a narrative): '报备 X 联系人 Y CRM 系统替换'."""
    parts = [p for p in parts if not prose.looks_like_sentence(p) and not re.search(
        r"公司|客户|见了|聊|今天|昨天|他们|她们|我们|(?<![a-z])(?:talked|met|said|today|yesterday|we|they|he|she|for|"
        r"with|at|sign|award|contract|decide|decision|fwd|card|pls|please)(?![a-z])|^\(|\($",
        p, re.I) and not _not_a_need(p)]
    if not parts or not any(PRODUCT_WORD.search(p) for p in parts):
        return None  # '有14家酒店', '人挺客气': words left over are a need only when they name something to build
    first = sentence_of.get(parts[0])
    return " ".join(p for p in parts if sentence_of.get(p) == first)


PRODUCT_WORD = re.compile(r"系统|平台|软件|小程序|管理|中台|数字化|信息化|智能|智慧|监控|监测|检测|方案|模块|升级|改造|上云|云|门户|商城|"
                          r"溯源|追溯|大屏|仓储|自动化|[A-Z]{2,}|(?i:app|saas|system|platform|software|tool|portal|"
                          r"suite|module|solution|dashboard|migration|upgrade|integration|analytics|automation)")


def _not_a_need(piece: str) -> bool:
    """A left-over word that is some other field gone unread: a title, a name, a phone, a company, a label, a verb."""
    bare = piece.strip(" ()~,.")
    return (is_title(bare) or looks_like_person(bare) or len(re.findall(r"[\d一二三四五六七八九零〇幺]", bare)) >= 4
            or looks_like_company(bare) or bool(prose.EN_COMPANY.fullmatch(bare)) or bool(re.fullmatch(
                r"(?:联系人|对接人|电话|手机|邮箱|签约|签|定|(?i:decide|sign|close|contact|target|multi-year)|"
                r"[A-Z][A-Za-z-]+(?: [A-Z][A-Za-z-]+){1,3})",
                bare)) or bool(re.search(r"[:：]\s*\S", bare)))


def _chatter(piece: str) -> bool:
    """Words that carry no field: 好的 / 谢谢 / thx / the rest of a sentence already read."""
    return len(piece) <= 1 or bool(CHATTER.fullmatch(piece.lower()))


def _mostly(piece: str, span: tuple[int, int]) -> bool:
    """The expression is most of the piece ('50万', '12月底成交'), not a detail inside a phrase."""
    rest = (piece[: span[0]] + piece[span[1]:]).strip()
    return len(rest) <= 3 or any(w in rest.lower() for w in CLOSE_WORDS) or rest.lower() in ("预算", "budget", "左右")


def _cut(text: str, span: tuple[int, int]) -> str:
    return (text[: span[0]] + " " + text[span[1]:]).strip(" ,;")


# Said before a card or a new customer when no 报备 is typed: 名片如下 / 新线索 / fwd card / new lead / 客户是…
REGISTRATION_CUE = re.compile(r"名片|新线索|线索|新客户|客户是|报一下|报个|报一个|报下|先报|(?<![a-z])(?:fwd card|card|new lead|"
                              r"lead|registering|registered|new opp|new deal)(?![a-z])", re.I)


# How a rep opens the news of a new lead without 报备: it is one when a customer and what they want follow.
NEW_LEAD_CUE = re.compile(r"heads up|inbound call|刚接到|接到.{0,8}电话|quick one|cards? from|客户是|new customer|prospect|"
                          r"new (?:one|lead|opp|reg)|新客户|新商机")


def looks_like_registration(text: str) -> bool:
    """A sure organisation name with a way to reach someone, a person or a need; or a card's cue words."""
    low = text.lower()
    org = prose.EN_COMPANY.search(text) or prose.CN_ORG_NAME.search(text)
    if REGISTRATION_CUE.search(low[:40]) and (org or EMAIL.search(text) or PHONE.search(text)):
        return True
    if NEW_LEAD_CUE.search(low[:40]) and (org or prose.CN_HONORIFIC_NAME.search(text) or prose.EN_ORG_AFTER.search(text)) \
            and (NEED_VERB.search(text) or PHONE.search(text) or EMAIL.search(text)):
        return True  # 'heads up, inbound call this morning from Northgate Property Group — … wants …'

    return bool(org) and bool(EMAIL.search(text) or PHONE.search(text) or NEED_VERB.search(text)
                              or prose.CN_HONORIFIC_NAME.search(text))
