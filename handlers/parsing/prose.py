"""The customer and the people in a registration written as prose, cards or voice-to-text, where no label says
which words are which. Chinese organisations and people come from the tagger (with rules for honorifics such as
赵总 / 李工 that it misses); English ones from capitalisation, legal forms and the phrases reps use around them
(`talked to their CFO Linda Park`, `he's Head of IT at Acme GmbH`). Rules as data; pure apart from the tagger."""
from __future__ import annotations

import re
from dataclasses import dataclass

from domain.matching import CITIES, PLACE_SUFFIXES, PROVINCES
from handlers.parsing.fields import CJK, SURNAMES, TITLE_WORDS, is_title, word_pattern
from handlers.parsing.tagger import Entity

# ---- organisations -----------------------------------------------------------------------------------------
# An organisation's name ends in one of these: the name is then sure, wherever it stands in the sentence.
CN_ORG_TAILS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "银行", "医院", "大学", "学院", "中学", "小学",
                "学校", "研究院", "研究所", "设计院", "事务所", "教育局", "卫健委", "管理局", "局", "委员会", "中心医院",
                "保健院", "幼儿园", "商行", "酒店", "超市", "药业", "制药", "电力", "物流", "股份", "厂", "院",
                "基金会", "协会", "合作社", "卫生院", "分行", "支行", "分公司")
EN_LEGAL = ("Co., Ltd.", "Co.,Ltd.", "Co. Ltd.", "Co., Ltd", "Pte. Ltd.", "Pte Ltd", "Pty Ltd", "Sdn Bhd", "Ltd.", "Ltd",
            "Co.", "Co-op", "Co", "Tbk", "LLP", "AB", "AS", "ASA", "Oy", "BV", "B.V.", "NV", "N.V.", "SpA", "S.p.A.", "SE", "KK", "Pty", "SAS",
            "S.r.l.", "s.r.o.", "a.s.", "Sp. z o.o.", "S.L.", "SARL", "S.A.S.", "K.K.", "Pvt. Ltd.", "Pvt Ltd", "Kft.",
            "Ltda.", "Oyj", "ApS", "L.L.C.", "W.L.L.", "Joint Stock Company", "JSC", "Bhd", "Council", "Authority", "Trust", "Services", "Brewing", "Storage", "Living", "Retail",
            "Limited", "Inc.", "Inc", "LLC", "LLP", "LP", "GmbH", "AG", "A/S", "S.A.", "SA", "PLC", "plc", "Corp.",
            "Corp", "Corporation", "Company", "Group", "Holdings", "Bank", "Hospital", "University", "District",
            "Partners", "Union", "Labs", "Technologies", "Systems", "Solutions", "Industries", "Airlines", "Hotels",
            "Logistics", "Telecom", "Insurance", "Capital", "Realty", "Energy", "Media", "Health", "Foods",
            "Electronics", "Manufacturing", "Pharma", "Motors", "Clinic", "School", "College", "Agency")
_EN_LEGAL = "|".join(re.escape(x) for x in sorted(EN_LEGAL, key=len, reverse=True)) + "|inc\\.?|ltd\\.?|llc|llp"
_CAP = r"(?:[A-Z][\w&'’.-]*|\([A-Z][\w ]+\)|&|of|and|the|de|do|da|du|von|van|der|den|la|le|for)"
# 'Acme Robotics (Suzhou) Co., Ltd.', 'Pacific Harbour Logistics Pte. Ltd.', 'Kestrel Aerospace Components, Inc.'
EN_COMPANY = re.compile(r"(?<![\w])((?:[A-Z][\w&'’.-]*)(?:[ \t]+" + _CAP + r"){0,6}(?:[ \t]*\([A-Z][\w ]+\))?,?[ \t]+"
                        r"(?:" + _EN_LEGAL + r")(?:,?[ \t]+(?:" + _EN_LEGAL + r"))*)(?![\w])"
                        r"|(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,12}[ \t]?(?:Co\., ?Ltd\.?|Ltd\.|Inc\.|LLC))")  # 青岛蓝海智造 Co., Ltd.
EN_LEAD_NAME = re.compile(r"^\s*((?:[A-Z][\w&'’.-]*)(?:[ \t]+(?:[A-Z][\w&'’.-]*|&|of|and|the|de)){1,5})(?=[\s,.;:(]|$)")
EN_ORG_AFTER = re.compile(r"(?<![\w])(?:at|from|for|with)\s+((?:[A-Z][\w&'’.-]*)(?:\s+[A-Z][\w&'’.-]*){0,3})")
NOT_EN_ORG = {"the expo", "expo", "monday", "tuesday", "wednesday", "thursday", "friday", "q1", "q2", "q3", "q4",
              "eom", "eoy", "eoq", "linkedin", "google", "zoom", "teams"}
# The words just before a name that say it is not the customer (老客户万通 is the referrer).
NOT_THE_CUSTOMER_BEFORE = re.compile(r"(?:老客户|客户的朋友|我们的|对接|集成|integrate with|referred by|via|from our|thru|through|by|"
                                     r"referral from[\w\s]{0,20}?(?:at|from)?|friends at|partner at|partner|reseller|"
                                     r"distributor)\s*[(（]?\s*$", re.I)
# 云南白药集团旗下的一个子公司，X: the group is not the customer, the company after it is.
CALLED = re.compile(r"(?:一家|家|公司|客户|品牌|店)[^，。,;；]{0,12}?[，,]?\s*(?:叫做|名叫|叫)\s*"
                    r"(?P<cn>[\u4e00-\u9fffA-Za-z]{2,12}?)(?=[，,。;；\s]|$)"
                    r"|(?i:company|startup|fintech|firm|shop|brand|chain|studio|business|outfit)\s+(?:called|named)\s+"
                    r"(?P<en>[A-Z][\w&'’-]*(?:\s[A-Z][\w&'’-]*){0,3})")
ORGANISER_AFTER = re.compile(r"\s*(?:组织的|主办的|举办的|牵头组织|办的)"
                             r"|(?:\s*&\s*[A-Z]\w*)?\s+(?:Expo|Fair|Summit|Show|Conference|Forum|Festival|Week)\b")  # an event
PARENT_AFTER = re.compile(r"\s*(?:旗下|下属|下面的|的子公司|的一个子公司|的一家)")
# Lead-ins said before the customer: 报备 商机：X / 客户是X / 帮忙报备个客户，X / new deal for X.
LEAD_IN = re.compile(
    r"^(?:(?:嗯+|那个|然后|就是|对|呃|啊|哦|um+|uh+|so|hey|ok|okay|quick one|fyi|pls|please)[\s,，:：-]*)*"
    r"(?:(?:帮忙|帮我|麻烦)?(?:报备|报|登记|录)(?:一下|一个|个|下)?(?:新)?(?:客户|商机|线索)?|新线索|新商机|商机|线索|客户名片|名片(?:如下|在这)?"
    r"|(?:new\s+)?(?:lead|deal|opp(?:ortunity)?)(?:\s+fyi)?|register(?:ing)?(?:\s+new\s+opportunity)?|fwd card(?: from [^:]+)?"
    r"|客户(?:是|叫|为)?|customer(?: is)?|company(?: is)?|client(?: is)?)?[\s,，:：\-—–]*(?:(?:for|with|at)\s+)?", re.I)
# A candidate containing these is a sentence about the customer, never its name.
NOT_A_NAME_WORDS = ("今天", "昨天", "明天", "上周", "下周", "刚", "接到", "加的", "认识", "聊", "拜访", "见了", "说", "想",
                    "要做", "那边", "这边", "客户", "名片", "电话", "微信", "留言", "线索", "报备", "介绍", "他说", "具体",
                    "公司名", "名字", "回头", "暂时", "保密", "还没", "先占", "对方", "是个", "坑", "一个", "子公司", "旗下", "他把", "他们集团", "上市公司", "一家", "某",
                    "不写", "这样", "confirm", "组织的", "看到", "一起去", "没说", "没留", "不让", "没问", "碰到", "同事",
                    "周末")


@dataclass(frozen=True)
class Org:
    name: str
    start: int
    sure: bool  # a legal form or organisation word ends it, or a label named it


# 上海浦东发展银行股份有限公司信用卡中心: a unit said right after the company is part of the customer.
CN_UNIT_TAILS = ("中心", "分行", "支行", "分公司", "分所", "事业部", "研究院")
CN_UNIT_AFTER = re.compile(r"(?:\([^)]{1,10}\))?[\u4e00-\u9fff]{0,6}(?:" + "|".join(CN_UNIT_TAILS) + r")(?![\u4e00-\u9fff])")
CN_ORG_NAME = re.compile(r"[\u4e00-\u9fff\w()（）]{2,30}?(?:" + "|".join(CN_ORG_TAILS[:16]) + r")")


GENERIC_CHILD = re.compile(r"(?!的?(?:一个|一家))的?[\u4e00-\u9fff]{0,4}(?:子公司|分公司|公司|工厂|厂)(?![\u4e00-\u9fff]{0,4}(?:有限|股份))")
LEGAL_AFTER = re.compile(r"(?:股份有限公司|有限责任公司|有限公司)")
LATIN_BEFORE = re.compile(r"((?:[A-Z][\w&'’.-]*[ \t])+)$")
_PARTICLE = re.compile(r"(?:是|啊|呀|了|在|给|跟|和|叫|去|到|拜访|看到|见|找)")


def _not_the_customer_after(text: str, end: int) -> bool:
    """市工信局组织的对接会: who held the event; X集团旗下的Y科技有限公司: the parent of the customer named next
    (but X集团下面的物流公司: X is the customer, its unit has no name of its own)."""
    if ORGANISER_AFTER.match(text, end):
        return True
    parent = PARENT_AFTER.match(text, end)
    return bool(parent) and not GENERIC_CHILD.match(text, parent.end())


def _after_particle(name: str) -> str:
    """那个商机啊是南通市第一人民医院 → 南通市第一人民医院: a name does not run back over 是 / 啊 / 了."""
    for m in reversed(list(_PARTICLE.finditer(name))):
        rest = name[m.end():]
        if cn_org_tail(rest) and len(rest) >= 4:
            return rest
    return name


def cn_org_tail(name: str) -> bool:
    """Ends in an organisation word, with a name before it (集团股份有限公司 alone is no name)."""
    core = name
    while core.endswith(CN_ORG_TAILS):
        core = core[: -len(next(t for t in CN_ORG_TAILS if core.endswith(t)))]
    return core != name and len(core.strip("()（） ")) >= 2


def organisations(text: str, entities: list[Entity], *, first: bool = False) -> list[Org]:
    """Every organisation named, in order: the tagger's (Chinese), then English legal forms; brackets rejoined."""
    found: list[Org] = []
    ents = _merge_org(text, entities)
    for e in ents:
        name = _trim_org(e.text)
        if len(name) >= 2 and CJK.search(name) and not NOT_THE_CUSTOMER_BEFORE.search(text[max(0, e.start - 30):e.start]) \
                and not _not_the_customer_after(text, e.end):
            found.append(Org(name, e.start, cn_org_tail(name)))
    for m in EN_COMPANY.finditer(text):
        group = 1 if m.group(1) else 2
        name = _trim_en_org(m.group(group))
        if name and name.split()[0].lower().strip(",") in EN_TITLE_WORDS:
            continue  # 'Head of Digital Manufacturing' is a title, whatever word ends it
        if name and not NOT_THE_CUSTOMER_BEFORE.search(text[max(0, m.start() - 40):m.start()]) \
                and not _not_the_customer_after(text, m.end(group)):  # 'the Indonesia Energy & Steel Expo'
            inside = [o for o in found if m.start(group) <= o.start < m.end(group)]
            found = [o for o in found if o not in inside] + [Org(name, m.start(group), True)]
    lead = EN_LEAD_NAME.match(text)
    if first and lead and not found and not _not_a_person(lead.group(1)) and lead.group(1).lower() not in NOT_EN_ORG:
        found.append(Org(lead.group(1), lead.start(1), True))  # 'register: Glenmore Cold Storage — …': named first
    if not found:  # 'talked to their CFO Linda Park at Zebra': a capitalised name after at/for/from, to be asked about
        for m in EN_ORG_AFTER.finditer(text):
            name = m.group(1)
            person = m.group(0).startswith("with") and re.fullmatch(EN_NAME, name)  # met with John Smith
            if not _not_a_person(name) and name.lower() not in NOT_EN_ORG and not person:
                found.append(Org(name, m.start(1), False))
    for m in CN_ORG_NAME.finditer(text):
        end = m.end() + len((LEGAL_AFTER.match(text, m.end()) or [""])[0])  # 集团 + 有限公司: the name goes on
        name = _trim_org(_after_particle(text[m.start():end] + (CN_UNIT_AFTER.match(text, end) or [""])[0]))
        if not cn_org_tail(name) and not name.endswith(CN_UNIT_TAILS):
            continue
        start = m.start() + m.group(0).find(name[:2]) if name[:2] in m.group(0) else m.start()
        latin = LATIN_BEFORE.search(text, 0, start) if name[:1].isascii() else None
        if latin and latin.group(1).split()[0].lower() not in _EN_TITLE_SET:
            name, start = latin.group(1) + name, latin.start(1)  # 'Helix Biotech（苏州）有限公司': the Latin words are its name
        inside = [o for o in found if start <= o.start < start + len(name) or o.start <= start < o.start + len(o.name)]
        if _not_the_customer_after(text, end):
            continue
        if all(o.name in name and len(name) > len(o.name) for o in inside):
            found = [o for o in found if o not in inside] + [Org(name, start, True)]
    if not any(o.sure for o in found):  # 一家做连锁烘焙的，叫麦香里 / a fintech called Ledgerly: named, to be asked about
        for m in CALLED.finditer(text):
            name = (m.group("cn") or m.group("en") or "").strip()
            if len(name) >= 2 and not looks_like_sentence(name):
                at = m.start("cn") if m.group("cn") else m.start("en")
                found = [o for o in found if not (m.start() <= o.start < m.end())] + [Org(name, at, False)]
    found.sort(key=lambda o: o.start)
    return found


def without_narrative(org: Org) -> Org:
    """今天下午去拜访了南京鼓楼康复医院: the organisation after the last verb or particle of the sentence before it."""
    if not (CJK.search(org.name) and looks_like_sentence(org.name)):
        return org
    for m in reversed(list(NARRATIVE_CUT.finditer(org.name))):
        rest = org.name[m.end():]
        if cn_org_tail(rest) and not looks_like_sentence(rest):
            return Org(rest, org.start + m.end(), org.sure)
    return org


NARRATIVE_CUT = re.compile(r"了|拜访|去|到|在|是|跟|和|给|叫|的|见")


def _merge_org(text: str, entities: list[Entity]) -> list[Entity]:
    """LAC splits 联想(北京)有限公司 into ORG 联想 + LOC 北京)有限公司, and 成都 + 天府软件园: join touching pieces."""
    out: list[Entity] = []
    for e in entities:
        if e.kind not in ("ORG", "LOC"):
            continue
        if out and (e.start - out[-1].end) <= 1 and (out[-1].kind == "ORG" or e.kind == "ORG"
                                                     or text[out[-1].end:e.start] in ("(", "")):
            gap = text[out[-1].end:e.start]
            if gap in ("", "(", " ") and not (out[-1].kind == "LOC" and e.kind == "LOC" and gap == " "):
                prev = out.pop()
                out.append(Entity(prev.start, e.end, "ORG", text[prev.start:e.end]))
                continue
        out.append(e)
    return [e for e in out if e.kind == "ORG" or cn_org_tail(e.text)]


CN_FILLER = re.compile(r"^(?:下面的|旗下的|下属的|面的|嗯|那个|这个|就是|啊|呃|喂|客户|是|的|叫|一个|一家|个|我|报备|报个|报一个|报一下|一下|下|帮我|帮忙|还有|然后|"
                       r"对|call是|call)+")


def _trim_org(name: str) -> str:
    name = re.sub(r"(有限公司|集团)[\u4e00-\u9fff]{1,6}(?:部|科|处|室|组)$", r"\1", name.strip())  # …股份有限公司设备部
    opened = re.match(r"\s*([(（][\u4e00-\u9fff]{2,4}[)）])", name)  # （杭州）云栖跨境电商有限公司 keeps its bracket
    name = CN_FILLER.sub("", name.strip(" ,.;:!?-—()（）\n")) if CJK.search(name[:1]) else name.strip(" ,.;:!?-—()（）\n")
    if opened and name.startswith(opened.group(1)[1:]):
        name = opened.group(1)[0] + name
    if name.count("(") > name.count(")"):
        name = name[: name.rfind("(")].strip()
    m = re.search(r"^.{1,12}?(?:那边|这边)?的(?=.{4,})", name)  # 宁波海曙区的甬达物流有限公司 → 甬达物流有限公司
    if m and cn_org_tail(name[m.end():]):
        name = name[m.end():]
    return name


def _trim_en_org(name: str) -> str:
    name = re.sub(r"^(?:The|Our|Their|A|An)\s+", "", name.strip(" ,;:-—"))
    words = name.split()
    while words and words[0].lower() in ("new", "register", "registering", "lead", "deal", "fyi", "met", "at", "for",
                                         "from", "with", "customer", "company", "is", "client"):
        words = words[1:]
    return " ".join(words)


EN_SENTENCE = re.compile(r"(?<![A-Za-z])(?:met|talked|called|named|guy|folks|spoke|said|is|are|was|were|we|they|i|"
                         r"didn't|don't|catch|yet|tbd|me|my|us|dm'd|in|pipeline)(?![A-Za-z])|^(?:an?|some|one|the|this|that|our|your|their)\s")
_PLACE_ONLY = re.compile("(?:" + "|".join(PROVINCES + CITIES) + ")(?:" + "|".join(PLACE_SUFFIXES) + ")?(?:"
                         + "|".join(CN_UNIT_TAILS) + ")?")


def looks_like_sentence(name: str) -> bool:
    """A time word, a verb phrase or a sentence: never stored as a customer (具体公司 is no name either)."""
    if len(name) > 64 or (CJK.search(name) and len(name) > 26 and not cn_org_tail(name)) or EN_SENTENCE.search(name):
        return True
    if _PLACE_ONLY.fullmatch(name.strip()):
        return True  # 厦门 / 上海分公司: a place, or a branch of nobody named
    if len(name.strip()) < 2 or re.match(r"做[\u4e00-\u9fff]{2,8}的?$", name.strip()) \
            or re.search(r"做[\u4e00-\u9fff]{1,8}的", name):
        return True  # 哈 / 做光伏组件(的) / 家做跨境电商的公司: a trade, no name
    if cn_org_tail(name):  # 联想(北京)有限公司 holds 想: with a legal form only whole words count (具体公司, 他说公司)
        return any(w in name for w in NOT_A_NAME_WORDS if len(w) >= 2)
    return any(w in name for w in NOT_A_NAME_WORDS)


# ---- people ------------------------------------------------------------------------------------------------
HONORIFICS = ("总监", "总", "工", "经理", "主任", "老师", "姐", "哥", "科长", "处长", "部长", "院长", "局长", "主管",
              "老板", "博士", "教授", "医生", "书记", "校长", "护士长", "厂长", "董")
CN_HONORIFIC_NAME = re.compile(r"(?<![\u4e00-\u9fff])(?:小|老)[" + "".join(sorted(SURNAMES)) + r"](?![\u4e00-\u9fff]{2})"
                               r"|(?<!工)(?<!安)[" + "".join(sorted(SURNAMES)) + r"](?:" + "|".join(HONORIFICS)
                               + r")(?!司|理|管|部|裁|监)")  # 工程总监 / 安全主管 hold no 程总监 / 全主管
_CN_TITLES = sorted((w for w in TITLE_WORDS if not w.isascii()), key=len, reverse=True)
# Words a Chinese title may not run back over: 对接人是他们的信息部经理刘洋 → 信息部经理.
TITLE_STOP = re.compile(r".*(?:是|的|叫|公司|对接人|联系人|他们|她们|见了|见到了|找了|碰了|和|跟|与|还有|也|及|老板|有|新来的|新加入了一位|一位|"
                        r"认识了|:|：|,|，|。)")


def clean_title(title: str | None) -> str | None:
    """A title without the words around it: 她是采购经理 → 采购经理, 仓库主管叫 → 仓库主管, 数据产品经理,想要… → 数据产品经理."""
    if not title:
        return None
    t = title.strip(" ,;:")
    if CJK.search(t):
        t = re.sub(r"^(?:(?:their|the|our|her|his|its|met|and|with|is|contact|new|新?lead|fyi)\b\s*)+", "", t, flags=re.I)
        cut = TITLE_STOP.match(t)
        if cut and cut.end() < len(t):
            t = t[cut.end():]
        t = re.sub(r"^(?:客户那边的?|客户的|客户(?=[A-Za-z])|对方的?|他们的?|她们的?|他们那个|那个)", "", t) or t
        keep = re.match(r"[A-Za-z]{2,6}\s(?=[\u4e00-\u9fff]{2,4}$)", t)  # 'IT 总监', 'HR 负责人' are one title
        t = t if keep else re.split(r"[,，。;；]|叫|电话|手机|\s(?=[\u4e00-\u9fff]{2,}[^\u4e00-\u9fff]*$)", t, maxsplit=1)[0]
        parts = t.split()
        if len(parts) > 1 and not re.fullmatch(r"[A-Za-z]{2,6}", parts[-2]):
            t = parts[-1]  # '今天 项目经理' → 项目经理; 'IT 负责人' stays
    else:
        t = re.sub(r"^(?:(?:he|she)['’]?s|(?:he|she) is|is|the|their|our|her|his|new|a|an)\s+", "", t, flags=re.I)
        t = re.sub(r"\s+(?:at|of|for|with|in)$", "", t, flags=re.I)
    return t.strip(" ,;:") or None
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ’"
_WORD = "[" + _UP + "](?:[" + _LOW + "]|'[" + _UP + "])+(?:-[" + _LOW + "]+)?"  # Jane, O'Neill, Ji-woo
EN_NAME = (r"(?:(?:Dr|Mr|Ms|Mrs|Prof)\.?[ \t]+)?" + _WORD
           + r"(?:(?:[ \t](?:de|van|von|der|da|di|du|del|la|le|bin|binti|bte|al|el))?[- \t]" + _WORD + r"){0,2}"
           r"|[A-Z]{2,}(?:[ \t][A-Z]{2,}){1,2}")
# Jason 王 / Eric黄: an English given name with a Chinese surname is one name.
EN_NAME_CN = ("(?:" + EN_NAME + r")(?:[ \t]?[" + "".join(sorted(SURNAMES - set("和与及也说是在的把向对跟给让叫")))
              + r"](?![\u4e00-\u9fff]))?")
_CN_TITLES_BY_LENGTH = sorted((w for w in TITLE_WORDS if not w.isascii() and len(w) >= 2), key=len, reverse=True)
EN_TITLE_WORDS = ("ceo", "cto", "cfo", "cio", "coo", "cmo", "ciso", "vp", "svp", "evp", "head", "director", "manager",
                  "mgr", "lead", "officer", "chief", "president", "founder", "owner", "engineer", "architect",
                  "procurement", "buyer", "analyst", "admin", "coordinator", "specialist", "partner", "principal",
                  "supervisor", "controller", "treasurer", "dean", "superintendent", "broker", "gm")
_EN_TITLE = word_pattern(EN_TITLE_WORDS)
_T = (r"(?:CEO|CTO|CFO|CIO|COO|CMO|CMIO|CISO|CDO|CPO|CRO|CHRO|CSO|CCO|VP|SVP|EVP|GM|[Dd]irector|[Mm]anager|[Mm]gr|[Ll]ead|[Oo]wner|[Ff]ounder|[Pp]resident|"
      r"[Oo]fficer|[Ee]ngineer|[Ss]uperintendent|[Cc]ontroller|[Hh]ead|[Cc]hief [A-Z][a-z]+)")
_OF = r"(?:[ \t]+of[ \t]+[A-Z][\w&]*(?:[ \t][A-Z][\w&]*){0,2})?"
# A title whose last word says it is one: the words before it may be anything but these.
_NOT_TITLE_WORDS = (r"(?i:is|are|was|their|the|our|her|his|its|contact|met|with|and|to|a|an|from|at|by|new|wants|"
                    r"want|call|inbound|lead|deal|opp|for|of|who|he|she|they|we|said|says)\b")
_TITLE_CORE = (r"(?:CEO|CTO|CFO|CIO|COO|CMO|CMIO|CISO|CDO|CPO|CRO|CHRO|CSO|CCO|VP|SVP|EVP|GM|"
               r"(?i:director|manager|mgr|head|owner|founder|co-founder|president|officer|superintendent|controller|"
               r"engineer|architect|buyer|coordinator|supervisor|principal|dean|chair|managing partner))\b")
# Words that start a department, never a name: 'VP of Clinical Ops Rachel', 'VP Eng, Marcus Lee'.
_DEPT_WORD = r"(?i:ops|eng|engineering|management|operations|it|hr|qa|r&d|finance|sales|marketing|data|product)\b"
EN_PERSON_CUES = (
    # Jane Doe (VP of Operations)
    re.compile(r"(?P<name>" + EN_NAME + r")\s*\((?P<title>[^)]{2,40})\)"),
    # their CFO Linda Park / ops director Dave Kowalski / their GM of Technology, Sophie Kerr
    re.compile(r"(?<![A-Za-z])(?P<own>their|the|our|her|his|its)?\s*(?P<title>(?:[A-Za-z&/]+[ \t]){0,3}?" + _T + _OF
               + r")(?:[ \t]+is)?,?[ \t]+(?P<name>(?!Is\b|Was\b|" + _DEPT_WORD + r")" + EN_NAME_CN + r")"),
    # met their VP Engineering, Raj Menon / their CISO, Greg Lindahl: the title, a comma, then who
    re.compile(r"(?<![A-Za-z])(?:their|the|our|her|his|its)[ \t]+(?P<title>(?:[A-Za-z&/-]+[ \t]){0,3}?" + _TITLE_CORE
               + r"(?:[ \t]+[A-Za-z&]+){0,3}?),[ \t]*(?P<name>" + EN_NAME_CN + ")"),
    # facilities manager Dev Patel / office mgr Tess / head of guest experience Sofia Rinaldi / CISO Omar Haddad
    re.compile(r"(?<![\w])(?P<title>(?:(?!" + _NOT_TITLE_WORDS + r")[A-Za-z&/-]+[ \t]){0,3}?" + _TITLE_CORE
               + r"(?:[ \t]+of[ \t]+[A-Za-z&]+(?:[ \t][A-Za-z&]+){0,2}?)?),?[ \t]+(?P<name>(?!Is\b|Was\b|" + _DEPT_WORD + r")"
               + EN_NAME_CN + ")"),
    # Dr. Nina Alvarez is the owner/medical director / Prof. Helen Marsh wants …
    re.compile(r"(?P<name>(?:Dr|Prof|Mr|Ms|Mrs)\.?[ \t]+" + _WORD + r"(?:[ \t]" + _WORD + r"){0,2})"),
    # Karin Sjöberg, Head of Project Controls / Mr. Nguyen Van Hai, Factory Director
    re.compile(r"(?P<name>" + EN_NAME + r"),[ \t]*(?P<title>(?:[A-Z][\w&/-]*[ \t]){0,3}" + _T
               + r"(?:[ \t]+(?:of[ \t]+)?[A-Z][\w&]*){0,3})(?=[,.;/]|$|\s)"),
    # talked to Tom / met Jane Xu / Spoke to Dr. Alan Reyes / Champion is Leo Brandt / guy named Luis Romero
    re.compile(r"(?i:talked to|talking to|spoke (?:to|with|w/)|met|meeting with|call (?:today )?w/|call with|boss|"
               r"contact(?: person)?(?: is|:)?|named|looped in|cc'?d?|and|champion is|guy is|person is|"
               r"(?:their|the) (?:ceo|cto|cfo|cio|coo|vp),?)\s+(?P<name>" + EN_NAME_CN + r")"),
    # Amy 王 / Jason周 / Sunny 李: an English given name and a Chinese surname
    re.compile(r"(?<![A-Za-z])(?P<name>[A-Z][a-z]{1,10}[ \t]?[" + "".join(sorted(SURNAMES)) + r"])(?![\u4e00-\u9fff])"),
    # 刚接到 Sandra 的电话 / Cathy 说: a Latin given name in Chinese prose
    re.compile(r"(?<=[\u4e00-\u9fff\s])(?P<name>[A-Z][a-z]{2,10})(?=\s?(?:的电话|说|是|在|他|她|提|负责))"),
)
# 运营总监Amy Zhou / 市场总监 Cindy Luo: a Latin name after a Chinese title (only where both scripts are)
CN_TITLE_LATIN_NAME = re.compile(r"(?P<title>[\u4e00-\u9fff]{0,6}?(?:[A-Za-z]{2,6}[ \t]?)?[\u4e00-\u9fff]{0,6}(?:"
           + "|".join(map(re.escape, _CN_TITLES_BY_LENGTH))
           + r"))[ \t]?(?P<name>" + EN_NAME_CN + ")")
# He's Head of IT at … / she's the procurement lead at … / X, the CEO
EN_ROLE_AFTER = re.compile(r"^\s*(?:,\s*)?(?:(?:he|she)['’]?s|(?:he|she) is|who is|is)?\s*(?:their|the|our)?\s*"
                           r"(?P<title>[A-Za-z&/]+(?: (?!(?i:their|the|our|in|brought|wants|joined|said|and|with|to)\b)[A-Za-z&/]+){0,5}?)"
                           r"(?=\s+(?:at|of|for)\s+[A-Z]|\s*[,.;]|$)")


REFERRER_BEFORE = re.compile(r"(?:老客户|代理商|渠道|渠道商|合作伙伴|伙伴|朋友)[\u4e00-\u9fff]{0,4}?的?$"
                             r"|(?i:referred by|referral from|intro from|introduced by|partner|reseller|via)\s+$")
# Words of departments and places, never of a person's name: 'Director, Data Engineering', 'GM, Greater China'.
NOT_NAME_WORDS = {"data", "engineering", "digital", "transformation", "china", "greater", "operations", "sales",
                  "marketing", "finance", "lab", "instruments", "fitness", "tech", "business", "supply", "chain", "procurement", "manufacturing", "services", "solutions", "asia",
                  "pacific", "apac", "emea", "global", "regional", "senior", "junior", "product", "quality", "it",
                  "spend", "indirect", "production", "projects", "project", "services", "revenue", "controls",
                  "strategy", "development", "technology", "information", "infrastructure", "security",
                  "facilities", "member", "clinical", "network", "met", "talked", "spoke", "call", "with",
                  "contact", "champion", "logistics", "public", "library", "county"}


_LATIN_CAPITAL = re.compile(r"[A-ZÀ-ÖØ-Þ]")
# 仓库主管叫田野 / 姓名：欧阳晓峰
CN_NAMED = re.compile(r"(?:叫|名叫|姓名[:：]?)\s*(?P<name>[" + "".join(sorted(SURNAMES)) + r"欧司诸上东][\u4e00-\u9fff]{1,3}?"
                      r"|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})"
                      r"(?=[,，。;；\s]|$|电话|手机|的)")
SPACED_CJK_NAME = re.compile(r"([\u4e00-\u9fff](?:[ \u3000]?[\u4e00-\u9fff]){1,4})(?:\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?")
_CN_TITLE_IN = re.compile("|".join(map(re.escape, _CN_TITLES)) + "|部|科|处|公司|集团")
CARD_NAME_LINE = re.compile(r"\s*(" + EN_NAME + r")(?:\s+[\u4e00-\u9fff]{2,4})?\s*(?:[|/;]\s*([^,;|]{2,40}))?")


@dataclass
class Person:
    name: str
    title: str | None
    start: int


def people(text: str, entities: list[Entity]) -> list[Person]:
    """Every person at the customer, in order of appearance, with the title said next to them."""
    found: dict[str, Person] = {}
    spans: list[tuple[int, int]] = []

    def add(name: str, start: int, title: str | None) -> None:
        name = name.strip(" ,.;:")
        if not name or any(s <= start < e for s, e in spans):
            return
        key = name.lower()
        if key in found:
            found[key].title = found[key].title or title
            return
        found[key] = Person(name, title, start)
        spans.append((start, start + len(name)))

    if CJK.search(text):
        for m in CN_HONORIFIC_NAME.finditer(text):
            if not _in_word(text, m.start(), m.end()) and not REFERRER_BEFORE.search(text[max(0, m.start() - 8):m.start()]):
                add(m.group(0), m.start(), cn_title_around(text, m.start(), m.end(), m.group(0)))
    for e in entities:
        if REFERRER_BEFORE.search(text[max(0, e.start - 8):e.start]):
            continue  # 老客户刘总介绍的 / 代理商老陈: who brought the lead, not who buys
        if e.kind == "PER" and len(e.text.strip()) >= 2 and _real_cn_person(e.text, text, e.start):
            name = e.text.strip()
            add(name, e.start, cn_title_around(text, e.start, e.start + len(name), name))
    card = CARD_NAME_LINE.fullmatch(text)
    if card and " " in card.group(1).strip() and not _not_a_person(card.group(1)):  # a card's name line
        title = card.group(2)
        add(card.group(1), card.start(1), title.strip() if title and _EN_TITLE.search(title.lower()) else None)
    latin, cjk = bool(_LATIN_CAPITAL.search(text)), bool(CJK.search(text))
    english = (EN_PERSON_CUES[:3] + ((CN_TITLE_LATIN_NAME,) if cjk else ()) + EN_PERSON_CUES[3:]) if latin else ()
    for cue in english + ((CN_NAMED,) if cjk else ()):
        for m in cue.finditer(text):
            name = m.group("name")
            if _not_a_person(name) or text[m.end("name"):m.end("name") + 1] == ")":
                continue  # 'VP Ops)' is a title in brackets
            if REFERRER_BEFORE.search(text[max(0, m.start("name") - 16):m.start("name")]):
                continue  # 'referred by Dr. Lim', 'our partner Averis': who brought the lead
            if "own" in m.groupdict() and not m.group("own") and " " not in name.strip():
                continue  # 'Head of Procurement Kevin Lim' must not give 'Lim'; 'their CFO Linda' may be one word
            title = m.groupdict().get("title")
            title = _clean_en_title(title) if title else en_title_after(text, m.end("name"))
            title = clean_title(title) if title and CJK.search(title) else title
            add(name, m.start("name"), title)
    for p in found.values():  # 数据组 lead Jason / CTO 助理 Cathy: a Latin name after a Chinese title
        if not p.title and CJK.search(text):
            p.title = cn_title_around(text, p.start, p.start + len(p.name), p.name)
        elif p.title and not CJK.search(p.title):
            p.title = clean_title(p.title)
    return sorted(found.values(), key=lambda p: p.start)


def spaced_card_names(text: str) -> list[Person]:
    """A card's name line spaced out, which no sentence rule reads: '周 启 航', '山田 健一 Kenichi Yamada'."""
    out, at = [], 0
    if text.count("\n") >= 2:
        for line in text.split("\n"):
            m = SPACED_CJK_NAME.fullmatch(line.strip())
            if m and " " in m.group(1) and not _CN_TITLE_IN.search(m.group(1)) and not cn_org_tail(m.group(1)):
                out.append(Person(m.group(1), None, at + line.find(m.group(1))))
            at += len(line) + 1
    return out


def distinct(persons: list[Person]) -> list[Person]:
    """周总 is 周建华 said again: an honorific on a surname already named fully is the same person."""
    full = [p for p in persons if CJK.search(p.name) and len(p.name) in (2, 3) and not CN_HONORIFIC_NAME.fullmatch(p.name)]
    out = []
    for p in persons:
        if len(p.name) >= 3 and p.name[0] == p.name[1] and CJK.search(p.name):
            p.name = p.name[1:]  # 姓罗罗总: the voice engine doubled the surname
        p.name = re.sub(r"^([\u4e00-\u9fff])\s+(?=\1)", "", p.name)  # 老板姓蔡 蔡总
        if len(p.name) == 3 and CJK.search(p.name) and p.name[2] == p.name[0]:
            p.name = p.name[:2]  # 唐婧唐经理: 唐婧, said again as 唐经理
        if any(q.start < p.start <= q.start + len(q.name) + 2 and not CJK.search(q.name) and CJK.search(p.name)
               for q in out):
            continue  # 'Linda Chen 陈琳': one person, two scripts
        if CN_HONORIFIC_NAME.fullmatch(p.name) and not (p.title and any(f.title for f in full if f.name[0] == p.name[0])) \
                and any(f.name[0] == p.name[0] or f.name[0] == p.name[-1:] for f in full if f is not p):
            continue
        if len(p.name) < 2:
            continue
        out.append(p)
    return out


# Cantonese and Mandarin pronouns a tagger can take for a name ('佢哋營運總監 Kelvin Lam': 'they', not a person)
PRONOUN = re.compile(r"佢|咗|他们|她们|我们|对方")


def _real_cn_person(name: str, text: str, start: int) -> bool:
    name = name.strip()
    if not name or not CJK.search(name) or len(name) > 4:
        return False  # a Latin name: the English rules read it whole (Michael Wang, not Michael)
    if PRONOUN.search(name):
        return False  # 佢哋 / 咗佢: 'they', 'him'
    if name in HONORIFICS or name in _CN_TITLES:
        return False  # 联系人是厂长: a title, the person is 叶厂长
    return not any(w in name for w in ("公司", "客户", "老板娘")) and not text[start + len(name):].startswith(("公司", "集团"))


def _in_word(text: str, start: int, end: int) -> bool:
    """王总 inside 总经理王总? fine; 总 inside 总部 / 总经理: the honorific is part of a longer word."""
    after = text[end:end + 1]
    return after in ("部", "经", "裁", "监", "结", "体", "共", "价", "量", "包", "线", "额", "算") or text[start:end] in (
        "小时", "小程", "老客", "老板", "高工", "余总")


_CN_TITLE_ALT = "|".join(map(re.escape, _CN_TITLES))
_TITLE_BEFORE = re.compile(r"((?<![A-Za-z])(?:[A-Za-z]{2,12}\s?)?[\u4e00-\u9fffA-Za-z]{0,10}(?:" + _CN_TITLE_ALT
                           + r"|HRBP|CTO|CEO|CFO|CIO|COO|TL|VP|IT经理|lead|Lead|leader|head|Head|Manager|"
                           r"(?:Director|Head|VP|Manager) of [A-Za-z&]+(?: [A-Za-z&]+){0,2}?|Director)"
                           r"(?:\s?助理)?\s?)$")
_TITLE_IN_BRACKETS = re.compile(r"\s*[(（]([^)）]{2,16})[)）]")
_TITLE_AFTER = re.compile(r"\s*[,，]?\s*(?:(?:他|她)(?:是|们的)?|是)?\s*([\u4e00-\u9fffA-Za-z]{0,8}(?:" + _CN_TITLE_ALT
                          + r"|HRBP|CTO|CEO|CFO|CIO|COO))(?![\u4e00-\u9fff]{0,1}[说讲])")
_COMMA_FIRST = re.compile(r"\s*[,，]")
_COMMA_HE = re.compile(r"\s*[,，]\s*(?:他|她)")
_DEPT_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:部|科|处|中心|办公室|室|组))(?:的|\s)?[,，\s]*$")
_DEPT_OF_TITLE = re.compile(r"((?<![A-Za-z])[A-Za-z]{2,6}|[\u4e00-\u9fff]{1,12}?(?:部|科|处|中心|组|办))的\s?("
                            + _CN_TITLE_ALT + r"|leader|lead|head|VP)\s?[,，]?\s?(?:叫\s?)?$")
_HONORIFIC_END = re.compile(r"(?:" + "|".join(HONORIFICS) + r")$")


def cn_title_around(text: str, start: int, end: int, name: str) -> str | None:
    """The title said just before the name (财务总监邓丽, 信息科的张主任 → 信息科主任) or just after it (王磊 技术总监,
    李娜(采购经理), 李娜，她是采购经理)."""
    before = text[max(0, start - 16):start]
    while len(before) < start and before[:1].isascii() and before[:1].isalpha() and text[start - len(before) - 1].isalpha():
        before = text[start - len(before) - 1:start]  # 'product VP 刘畅': the word whole, not 'roduct'
    m = _TITLE_BEFORE.search(before)
    if m and clean_title(m.group(1)):
        return clean_title(m.group(1))
    after = text[end:end + 24]
    m = _TITLE_IN_BRACKETS.match(after)
    if m and is_title(m.group(1)):  # 'Lim Wei Jie (Jason)': a name in brackets is no title
        return m.group(1).strip()
    m = _TITLE_AFTER.match(after)
    if m and not _COMMA_FIRST.match(after[: m.start(1)] or "x") or m and _COMMA_HE.match(after):
        return m.group(1).strip()
    m = _DEPT_OF_TITLE.search(before)  # IT的负责人邓凯 / 数据平台组的leader高翔 → IT负责人, 数据平台组leader
    if m:
        dept = re.sub(r"^.*(?:是|的|他们|她们|对方|把|了|和|跟|见|有|一位|一个|那个|这个)", "", m.group(1))
        if len(dept) >= 2:
            return dept + m.group(2)
    dept = _DEPT_BEFORE.search(before)
    honor = _HONORIFIC_END.search(name) if dept and len(name) <= 4 else None
    if honor and honor.group(0) not in ("总", "工", "姐", "哥", "老师"):
        return clean_title(dept.group(1)) + honor.group(0)
    return None


def en_title_after(text: str, end: int) -> str | None:
    m = EN_ROLE_AFTER.match(text[end:end + 70])
    if m and _EN_TITLE.search(m.group("title").lower()):
        return with_of(_clean_en_title(m.group("title")), text[end + m.end("title"):])
    m = SHE_IS.search(text, end, end + 90)  # 'met Priya at the FinTech Festival, she's Head of Compliance'
    if m and _EN_TITLE.search(m.group("title").lower()):
        return with_of(_clean_en_title(m.group("title")), text[m.end("title"):])
    return None


SHE_IS = re.compile(r"(?:he|she)['’]s\s+(?:the\s+|their\s+|a\s+)?(?P<title>[A-Za-z&/ ]{2,40}?)(?=\s+(?:at|of|for|and)\s|[,.;]|$)")


def with_of(title: str, after: str) -> str:
    """'Head' + ' of IT at Acme' → Head of IT; 'Director' + ' of Facilities' → Director of Facilities."""
    m = re.match(r"\s+(of|for)\s+((?:[A-Z][\w&]*|IT)(?:\s(?:[A-Z][\w&]*|&))*)", after)
    if m and re.search(r"(?:head|director|vp|chief|manager|officer|president)$", title, re.I):
        words = m.group(2).split()
        return f"{title} {m.group(1)} {' '.join(words[:3])}"
    return title


def _clean_en_title(title: str) -> str:
    title = re.sub(r"^.*?\b(?:their|the|our|her|his|its)\s+", "", title.strip(" ,;:"), flags=re.I)
    title = re.sub(r"^[’']?s\s+", "", title)  # "the group's finance head"
    title = re.sub(r"^(?:talked to|spoke to|spoke with|met|with|and|a|an)\s+", "", title, flags=re.I)
    return title.strip()


_EN_LEGAL_WORDS = word_pattern(tuple(m.lower() for m in EN_LEGAL))
_EN_TITLE_SET = frozenset(EN_TITLE_WORDS)


def _not_a_person(name: str) -> bool:
    low = name.lower()
    words = low.split()
    return (not words or words[0] in ("the", "their", "our", "head", "new", "budget", "need", "close", "contact",
                                      "customer", "company", "they", "he", "she", "we", "it", "this", "next",
                                      "register", "q1", "q2", "q3", "q4", "eoy", "eom", "it")
            or any(w in _EN_TITLE_SET or w in NOT_NAME_WORDS
                   or w.rstrip(",.") in ("inc", "ltd", "llc", "gmbh", "corp", "co", "group", "bank") for w in words)
            or bool(_EN_LEGAL_WORDS.search(low)))
