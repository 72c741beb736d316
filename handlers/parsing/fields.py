"""Small field extractors with no I/O: phones, emails, IDs, names and titles, and the word lists behind
source channel, follow-up channel, stage, lost reason and risk signals. The lists are data."""
from __future__ import annotations

import re
from functools import lru_cache

OPP_ID = re.compile(r"(?<![A-Za-z0-9_-])(\d{4}-[A-Za-z]{2,4}-\d{3,6})(?![A-Za-z0-9_-])")  # 就是2026-XA-009那个: CJK around it
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# CN mobile (with optional +86), CN landline with area code, or an international number with '+'.
PHONE = re.compile(
    r"(?<![\d+])(?:"
    r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
    r"|(?:(?:\+|00)?86[\s-]?)?\(?0\d{2,3}\)?[\s-]?\d{3,4}[\s-]?\d{4}"
    r"|0\d-\d{4}-\d{4}"  # Tokyo 03-, Osaka 06-
    r"|09\d{2}[\s-]?\d{3}[\s-]?\d{3}"  # a Taiwan mobile: 0912-345-678
    r"|0[47]\d{2,3}[\s-]\d{3}[\s-]\d{3}"  # Australian and UK mobiles as written: 0418 772 045, 07700 900 731
    r"|[6-9]\d{4}[\s-]\d{5}|[6-9]\d{3}[\s-]\d{3}[\s-]\d{3}"  # Indian mobiles: 98430 51277, 9415 083 226
    r"|[35689]\d{3} \d{4}"  # Hong Kong and Singapore numbers in their two groups: 6123 4890
    r"|\+[1-9]\d{0,2}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){1,4}"
    r"|\(?[2-9]\d{2}\)?[\s.-]\d{3}[\s.-]\d{4}"  # a North American number written without +1: (503) 555-0148
    r")(?!\d)"
)
# A local number written after a word or sign that says it is one: 'Tel 2861 4470', '📱 9187 3326', 'M: 0912-347-668'
# (Hong Kong, Singapore, Taiwan, Japan and UK numbers have no shape PHONE can tell from an amount on their own).
PHONE_AFTER_CUE = re.compile(r"(?:(?<![A-Za-z])(?i:tel|mobile|mob|phone|cell|whatsapp|hp|ph|m|t)\.?\s*[:：.]?|电话|手机|联系方式|"
                             r"📱|📞|☎️?|☎|(?<![A-Za-z])(?i:number|contact no|mobile no))\s*(?:is\s+|是\s*)?[:：]?\s*(\(?\+?\d[\d()\s-]{5,18}\d)(?![\d])")
CJK = re.compile(r"[\u3400-\u9fff]")

SOURCE_WORDS = {
    "exhibition": ("展会", "会展", "展览", "展上", "博会", "交会", "展位", "trade show", "tradeshow", "exhibition", "expo",
                   "conference booth", "booth"),
    "website": ("官网", "网站", "网页", "website", "web form", "inbound form"),
    "referral": ("转介绍", "推荐", "介绍", "referral", "referred"),
    "wechat": ("微信", "公众号", "朋友圈", "视频号", "wechat"),
    "phone": ("电话", "来电", "cold call", "phone", "call", "cold call"),
    "ad": ("广告", "投放", "百度推广", "抖音", "advert", "ads", "ad", "google ads"),
    "partner": ("合作伙伴", "渠道商", "代理商", "渠道", "伙伴", "partner", "reseller", "distributor"),
}
# Without a 来源/source label only these count: 电话 or 微信 in free text is usually how to reach someone.
STRONG_SOURCES = ("exhibition", "website", "referral", "ad", "partner")
CHANNEL_WORDS = {
    "visit": ("拜访", "上门", "面谈", "见面", "登门", "去了他们", "去客户", "去了客户", "客户现场", "去现场", "visit", "visited",
              "onsite", "on-site", "in person"),
    "demo": ("演示", "demo"),
    "meeting": ("会议", "开会", "视频会", "评审会", "沟通会", "交流会", "碰头会", "讨论会", "开了个会", "开了会", "腾讯会议",
                "线上会", "meeting", "met with", "zoom", "kickoff", "video call", "teams call"),
    "phone": ("电话", "致电", "通话", "打了个电话", "call", "called", "phone", "rang"),
    "wechat": ("微信", "wechat", "weixin"),
    "email": ("邮件", "邮箱", "email", "emailed", "e-mail", "mail"),
}
STAGE_WORDS = {
    "discovery": ("商机发现", "发现", "discovery", "mql"),
    "qualification": ("需求确认", "确认需求", "需求确定", "qualification", "qualified", "qualify", "sql"),
    "proposal": ("方案推进", "方案阶段", "方案", "报价", "proposal", "aql"),
    "negotiation": ("商务成交", "商务谈判", "商务", "谈判", "negotiation", "negotiate", "cq"),
}
LOST_REASON_WORDS = {
    "competitor_price": ("竞品低价", "价格", "太贵", "低价", "便宜", "price", "expensive", "cheaper", "pricing"),
    "need_changed": ("需求变更", "需求变化", "需求变了", "不需要", "没需求", "需求取消", "need changed", "no longer need",
                     "requirements changed"),
    "decision_maker_changed": ("决策人更换", "决策人变", "换人", "领导换", "新领导", "换了领导", "换了老板", "换了cio",
                               "换了cto", "换了总经理", "人事变动", "decision maker changed",
                               "new decision maker", "champion left"),
    "internal_resources": ("资源不足", "人手不足", "交付不了", "internal resources", "no capacity", "resources"),
}
RISK_WORDS = ("内部讨论", "再考虑", "预算冻结", "没预算", "竞品", "暂缓", "延期", "推迟", "冻结", "还在接触", "同时在看",
              "也在看", "比价", "价格压", "贵了", "拖", "往后", "暂停", "放一放", "用完了", "没回", "不回", "不太回",
              "离职", "换人", "重新评估", "还没定", "砍", "不确定", "等新领导", "hold", "在跟", "内部discuss",
              "competitor", "on hold", "delay", "delayed", "no budget", "rethink", "budget freeze", "froze", "freeze",
              "pushback", "push back", "pushed", "no reply", "not replying", "ghost", "cut", "reorg", "slip", "sideways",
              "still discussing", "still discuss", "left the company", "moving to another", "re-evaluat", "reevaluat",
              "pitch", "also talking to", "moved from", "on ice", "stalled", "went quiet", "分歧", "犹豫", "顾虑",
              "担心", "不满意", "不好说", "推到", "总部审批", "集团审批", "同时看", "还在看", "调走", "reconsider", "pause", "hesitant", "worried", "concern", "pushing", "价格比较敏感", "价格敏感", "比同行高",
              "报价高", "% off", "quoted lower", "cheaper", "also looking at", "frozen", "压价", "降价")
# 预算已获批 / 预算100万已获批 / 预算 $120k 已获批 / 预算批下来了 / budget approved
BUDGET_APPROVED = re.compile(r"(?:预算|budget|经费|资金)[^,;.!?]{0,14}?(?:获批|批了|批下来|批复|审批通过|已审批|审批了|已批|已通过|"
                             r"通过了|approved)|签字批了|(?<![a-z])(?:approved|signed off)(?![a-z])(?!\s+(?:the )?(?:proposal|design|方案))",
                             re.I)
IN_ANNUAL_PLAN = re.compile(r"(?:纳入|列入|在)(?:了)?(?:年度|今年的?|明年的?)?(?:预算|采购)?计划|in (?:the|their) annual (?:plan|budget)",
                            re.I)
NEED_FIT = re.compile(r"(?:需求)?匹配度?\s*[:=]?\s*(\d{1,2})\s*(?:分|/10)?|need[- ]fit\s*[:=]?\s*(\d{1,2})(?:\s*/\s*10)?", re.I)
TITLE_WORDS = (
    "总经理", "副总经理", "副总", "总裁", "董事长", "董事", "总监", "经理", "主管", "主任", "负责人", "工程师", "专员",
    "老板", "厂长", "架构师", "组长", "助理", "秘书", "顾问", "采购", "局长", "处长", "科长", "院长", "校长", "部长",
    "合伙人", "会计师", "律师", "医生", "教授", "执行官", "技术官", "信息官", "财务官", "运营官", "部長",
    "课长", "股长", "协理", "襄理", "副理", "特助", "资讯长", "执行长", "营运长", "财务长", "技术长",  # Taiwan's titles
    "ceo", "cto", "cfo", "cio", "coo", "vp", "director", "manager", "head", "engineer", "lead", "buyer",
    "procurement", "founder", "owner", "president", "architect", "officer", "chief", "analyst", "coordinator",
    "specialist", "partner", "hrbp", "hr", "admin", "consultant", "administrator", "superintendent", "controller",
    "treasurer", "supervisor", "ciso", "cmo", "cmio", "dpo", "md",
)
# Common surnames: a 2–3 character token starting with one of these, next to a phone, is a contact's name.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPANY_MARKERS = ("公司", "集团", "科技", "技术", "有限", "股份", "银行", "医院", "大学", "学院", "研究院", "工厂", "厂",
                   "中心", "事务所", "商行", "门店", "co.", "corp", "inc", "ltd", "llc", "gmbh", "group", "bank",
                   "university", "company", "technologies", "labs", "systems")


def find_phones(text: str) -> list[tuple[int, int]]:
    """Spans of every phone number: PHONE's shapes, then a local number after a phone word (7–15 digits)."""
    spans = [m.span() for m in PHONE.finditer(text)]
    for m in PHONE_AFTER_CUE.finditer(text):
        a, b = m.span(1)
        digits = sum(ch.isdigit() for ch in m.group(1))
        if 7 <= digits <= 15 and not any(a < y and x < b for x, y in spans):
            spans.append((a, b))
    return sorted(spans)


# Where reps' customers are: a number written without its country code is tried in each.
PHONE_REGIONS = ("CN", "HK", "TW", "SG", "MY", "ID", "IN", "PH", "AU", "GB", "AE", "US", "DE")


@lru_cache(maxsize=1024)
def is_mobile(number: str) -> bool:
    """A mobile number in some region we serve (a card's Tel and Fax are not): phonenumbers' own metadata."""
    import phonenumbers  # only a person given two numbers needs it
    for region in (None,) if number.startswith("+") else PHONE_REGIONS:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed) and \
                phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE:
            return True
    return False


def normalize_phone(raw: str) -> str:
    """Digits only; international numbers keep a leading '+', and +86 / 86 on a CN number is dropped."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0086"):
        digits, raw = digits[2:], "+" + digits[2:]  # 0086 is how +86 is dialled from abroad
    if digits.startswith("86") and (len(digits) == 13 and digits[2] == "1" or raw.lstrip().startswith("+86")):
        digits = digits[2:]
        is_mobile = len(digits) == 11 and digits[0] == "1"
        return digits if is_mobile or digits.startswith("0") else "0" + digits  # +86 10 … is Beijing's 010
    if raw.strip().startswith("+"):
        return "+" + digits
    return digits


@lru_cache(maxsize=None)
def word_pattern(words: tuple[str, ...]) -> re.Pattern:
    """One regex for a word list: Latin words on word bounds ('ad' is not inside 'lead'), Chinese anywhere."""
    parts = [r"(?<![a-z])" + re.escape(w) + r"(?![a-z])" if w.isascii() else re.escape(w)
             for w in sorted(words, key=len, reverse=True)]
    return re.compile("|".join(parts))


def _hits(table: dict[str, tuple[str, ...]], text: str) -> list[tuple[int, int, str]]:
    """(position, -length, value) of the first word of each table entry found in text (lower-cased)."""
    low = text.lower()
    found = []
    for value, words in table.items():
        m = word_pattern(words).search(low)
        if m:
            found.append((m.start(), -len(m.group(0)), value))
    return sorted(found)


def first_word_hit(table: dict[str, tuple[str, ...]], text: str) -> str | None:
    hits = _hits(table, text)
    return hits[0][2] if hits else None


NAMED_SHOW = re.compile(r"[\u4e00-\u9fff]{2}展\s*$")


def source_of(text: str, *, labelled: bool = True) -> str | None:
    """A source channel; a labelled value naming none we know is 'other'."""
    words = SOURCE_WORDS if labelled else {k: SOURCE_WORDS[k] for k in STRONG_SOURCES}
    hit = _partner_over_referral(first_word_hit(words, text), words["partner"], text)
    if not hit and labelled and NAMED_SHOW.search(text):
        hit = "exhibition"  # 来源：台北国际食品展
    return hit or ("other" if labelled and text.strip() else None)


def _partner_over_referral(hit: str | None, partner_words: tuple[str, ...], text: str) -> str | None:
    """渠道推荐 / a warm intro from our partner: a partner named anywhere wins over its referral."""
    return "partner" if hit == "referral" and first_word_hit({"partner": partner_words}, text) else hit


# How the lead came in, said in passing (no 来源 label): 微信上聊来的, 抖音广告来的, found us thru google ads.
SAID_SOURCES = {
    "ad": ("抖音", "百度推广", "百度上搜", "广告", "投放", "google ads", "google ad", "adwords", "linkedin ad", "ads",
           "fb ad", "ig ad", "facebook ad", "instagram ad", "meta ad"),
    "exhibition": ("展会", "展上", "博会", "博览会", "会展", "交会", "展位", "展台", "trade show", "expo", "booth", "exhibition",
                   "festival", "conf", "trade fair", "our stand", "messe", "展览会", "展认识", "展拿", "展加", "展碰",
                   "show上", "show 上", "show floor", "fair"),
    "website": ("官网", "网站留言", "网页", "website", "web form", "web chat", "website chat", "contact form",
                "pricing page", "filled in the form"),
    "referral": ("老客户介绍", "老客户转介绍", "转介绍", "朋友推荐", "朋友介绍", "介绍的", "介绍过来", "推荐的", "referred",
                 "referral", "intro from", "介绍给我", "介绍了", "推了个", "给我推", "转介", "introduced by",
                 "introduced me", "introduced us", "intro'd"),
    "partner": ("渠道", "代理商", "合作伙伴", "伙伴", "reseller", "partner", "distributor"),
    "wechat": ("微信上聊", "微信聊", "微信上加", "微信上找", "微信找", "加的微信", "加了我微信", "加的我微信", "加我微信", "微信群", "公众号", "朋友圈", "wechat group", "wechat"),
    "phone": ("来电", "打电话进来", "打给我们", "打电话给我们", "打过来", "接到一个电话", "接到个电话", "接了个电话", "刚接到", "打进来", "inbound call", "called in",
              "cold call", "电话进来", "phoned in", "rang us", "rang our", "400电话", "400热线", "热线"),
    "other": ("知乎", "小红书", "饭局", "扫楼", "扫街", "陌拜", "招标网", "cold visit", "walk-in", "walked in", "door knock", "linkedin", "webinar", "conference", "summit", "meetup", "seminar", "沙龙",
              "论坛"),
}


SOURCE_CUE = re.compile(r"(?:渠道|来源)(?:是|为|[:：])")


def said_source(text: str) -> str | None:
    """The first way in said; a partner named anywhere wins over its referral ('a warm intro from our partner')."""
    told = SOURCE_CUE.sub(" ", text)  # 渠道是百度推广来的: 渠道 here is the word for 'source', not a partner
    hit = first_word_hit(SAID_SOURCES, told) or first_word_hit(SAID_SOURCES, text)
    return _partner_over_referral(hit, SAID_SOURCES["partner"], text)


def channel_of(text: str) -> str | None:
    return first_word_hit(CHANNEL_WORDS, text)


def stage_of(text: str) -> str | None:
    return first_word_hit(STAGE_WORDS, text)


def lost_reason_of(text: str) -> str | None:
    return first_word_hit(LOST_REASON_WORDS, text) or ("other" if text.strip() else None)


# A risk said not to be there: 'no budget concerns yet', 'no red flags', 'No pushback on price', 没有发现竞品.
NO_RISK = re.compile(r"(?i)\bno\s+(?:\w+\s+)?(?:concerns?|red flags?|pushback|push back|issues?|objections?|competitors?)\b|"
                     r"\bnot\s+(?:\w+\s+)?(?:worried|concerned)\b|没有?(?:发现|看到)?(?:竞品|顾虑|异议|问题|风险)|没什么(?:顾虑|问题)")


def risks_in(text: str) -> tuple[str, ...]:
    text = NO_RISK.sub(" ", text)
    low = text.lower()
    found = [w for w in RISK_WORDS if (word_pattern((w,)).search(low) if w.isascii() else w in text)]
    return tuple(w for w in found if not any(w != o and w in o for o in found))  # 竞品 inside 竞品低价: once


def is_title(token: str, *, longest: int = 30) -> bool:
    return len(token) <= longest and word_pattern(TITLE_WORDS).search(token.lower().strip("()")) is not None


def looks_like_company(token: str) -> bool:
    low = token.lower()
    return any(w in low for w in COMPANY_MARKERS)


def looks_like_person(token: str) -> bool:
    """A Chinese name (2–3 characters, a common surname first) or two or three capitalised Latin words."""
    if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", token):
        return token[0] in SURNAMES and not looks_like_company(token)
    return bool(re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z.]+){1,2}", token))


_CN_TITLE_WORDS = "|".join(w for w in TITLE_WORDS if not w.isascii())
_CN_TITLE_THEN_NAME = re.compile(r"([\u4e00-\u9fff]{0,8}?(?:" + _CN_TITLE_WORDS + r"))\s*([" + "".join(sorted(SURNAMES))
                                 + r"][\u4e00-\u9fff]{1,2})")
_CN_TITLE_THEN_LATIN_NAME = re.compile(r"([\u4e00-\u9fff]{0,6}(?:" + _CN_TITLE_WORDS + r"))\s*"
                                       r"([A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?:\s?[\u4e00-\u9fff])?)")


def split_title(text: str) -> tuple[str | None, str | None]:
    """'李娜(采购经理)' / 'Jane Doe (CTO)' / '王磊 技术总监' / '王磊技术总监' / 'Hank Scorpio, CEO' → (name, title)."""
    text = text.strip(" ,;:")
    m = re.fullmatch(r"(.+?)\s*\((.+?)\)\s*", text)
    if m:
        return m.group(1).strip() or None, m.group(2).strip() or None
    name, comma, after = text.partition(",")
    if comma and is_title(after.strip()):  # 'Laura Callahan, Inside Sales Coordinator'
        return name.strip() or None, after.strip()
    m = _CN_TITLE_THEN_NAME.fullmatch(text)
    if m and not is_title(m.group(2)):  # 信息部副部长高峰: the title, then who
        return m.group(2), m.group(1)
    words = text.split()
    if len(words) == 2 and is_title(words[0]) and re.fullmatch(r"[\u4e00-\u9fff]{2,3}", words[1]) \
            and not is_title(words[1]):
        return words[1], words[0]  # 副主任  应佳琪
    m = _CN_TITLE_THEN_LATIN_NAME.fullmatch(text)
    if m:  # 运营总监Amy Zhou
        return m.group(2), m.group(1)
    if len(words) >= 3 and looks_like_person(words[-1]) and CJK.search(words[-1]) and is_title(" ".join(words[:-1])):
        return words[-1], " ".join(words[:-1])  # 智慧城市处 副处长 龙海: the department and title, then who
    if len(words) == 2 and looks_like_person(words[0]) and len(words[1]) <= 12:
        return words[0], words[1]  # '施琪 HRBP': a name, then whatever they are called
    for i, w in enumerate(words):
        if i > 0 and is_title(w):
            return " ".join(words[:i]) or None, " ".join(words[i:]) or None
    m = re.fullmatch(r"([\u4e00-\u9fff]{2,3}?)([\u4e00-\u9fff]*(?:" + "|".join(w for w in TITLE_WORDS if not w.isascii())
                     + r"))", text)
    if m and m.group(1)[0] in SURNAMES:
        return m.group(1), m.group(2)
    return text or None, None
