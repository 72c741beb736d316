"""Company names the way people write them: normalisation, match signals and the 查重 decision (SPEC).

Pure: the candidate index lives in storage/, this module only compares. The rules are data (tables below)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

# ---- rules ---------------------------------------------------------------------------------------------------
LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司", "总公司", "分公司", "集团",
    "公司", "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "co.", "ltd.", "ltd", "limited", "inc.", "inc",
    "incorporated", "corporation", "corp.", "corp", "llc", "l.l.c.", "gmbh", "plc", "s.a.", "ag", "pte. ltd.",
    "pte ltd", "pte", "pty ltd", "pty", "company", "group", "holdings",
)
PROVINCES = ("北京", "上海", "天津", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
             "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
CITIES = ("深圳", "广州", "杭州", "南京", "苏州", "成都", "武汉", "西安", "长沙", "郑州", "济南", "青岛", "宁波",
          "厦门", "福州", "合肥", "无锡", "东莞", "佛山", "大连", "沈阳", "哈尔滨", "长春", "昆明", "南宁", "贵阳",
          "南昌", "石家庄", "太原", "兰州", "海口", "珠海", "温州", "常州", "烟台", "嘉兴", "绍兴", "泉州", "中山",
          "惠州", "徐州", "南通", "扬州", "台州", "金华", "洛阳", "宜昌", "襄阳", "芜湖", "乌鲁木齐", "呼和浩特")
PLACE_SUFFIXES = ("省", "市", "自治区", "特别行政区", "区", "县")
# Generic words that say what a company does, not which company it is: dropped for the core-name comparison.
GENERIC_WORDS = (
    "计算机系统", "计算机", "信息技术", "网络技术", "数字技术", "科技发展", "电子商务", "软件", "科技", "技术", "网络",
    "信息", "数字", "电子", "智能", "数据", "系统", "实业", "贸易", "发展", "控股", "国际", "投资", "管理", "咨询",
    "服务", "工程", "电器", "通信", "文化", "传媒", "商贸", "制造", "工业", "新材料", "生物", "医药", "能源",
    "technology", "technologies", "tech", "software", "systems", "system", "digital", "network", "networks",
    "information", "solutions", "international", "intl", "global", "holding", "industries", "industrial",
    "electronics", "services", "trading", "enterprises",
)
# Mail domains anyone can have: an equal domain says nothing about the company.
PUBLIC_MAIL_DOMAINS = frozenset((
    "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "aliyun.com", "139.com",
    "189.cn", "foxmail.com", "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "icloud.com", "me.com", "proton.me", "protonmail.com", "aol.com", "mail.com", "yandex.com",
))
# Thresholds on rapidfuzz ratios of core names (0–100), tuned on tests/data/company_pairs.tsv.
STRONG_RATIO = 92
WEAK_RATIO = 80

_BRACKET = re.compile(r"\(([^()]{1,12})\)")
_NOT_NAME = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_REGIONS = sorted((p + s for p in PROVINCES + CITIES for s in ("",) + PLACE_SUFFIXES), key=len, reverse=True)
_PLACES_IN_BRACKETS = frozenset(_REGIONS) | {"中国", "china", "hk", "hong kong", "prc", "asia", "亚太", "大中华"}


@dataclass(frozen=True)
class Name:
    """A company name read three ways: `key` for equality, `core` for similarity, `latin` across scripts."""

    display: str
    key: str
    core: str
    latin: str


def normalize_company(name: str) -> str:
    """The normalised key: full-width → half-width, case, bracketed places, region prefix, legal suffix, punctuation."""
    return read_name(name).key


@lru_cache(maxsize=65536)
def read_name(name: str) -> Name:
    s = unicodedata.normalize("NFKC", name or "").strip().lower()
    s = _BRACKET.sub(lambda m: "" if m.group(1).strip() in _PLACES_IN_BRACKETS else m.group(0), s)
    s = _strip_legal(s)
    s = _BRACKET.sub(lambda m: "" if m.group(1).strip() in _PLACES_IN_BRACKETS else m.group(0), s).strip()
    s = _strip_region(s)
    key = _NOT_NAME.sub("", _strip_legal(s))
    core = _core(key)
    return Name(display=name, key=key, core=core, latin=to_latin(core))


def _strip_legal(s: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix) + 1:
                s, changed = s[: -len(suffix)].rstrip(" ,.-&"), True
    return s


def _strip_region(s: str) -> str:
    """深圳市腾讯 → 腾讯; 中国银行 stays (what is left must still be a name, not a bare word)."""
    for _ in range(2):  # 广东省深圳市…
        for region in ("中国",) + tuple(_REGIONS):
            rest = s[len(region):]
            if s.startswith(region) and len(_NOT_NAME.sub("", rest)) >= 2 and _core(_NOT_NAME.sub("", rest)) \
                    and not rest.startswith(("银行", "移动", "联通", "电信", "石油", "石化", "人寿", "平安")):
                s = rest.lstrip(" -")
                break
        else:
            break
    return s


def _core(key: str) -> str:
    """The key without generic industry words; the key itself when nothing distinctive would be left."""
    core = key
    for word in GENERIC_WORDS:
        if word in core and len(core) - len(word) >= 2:
            core = core.replace(word, "")
    return core if len(core) >= 2 else key


@lru_cache(maxsize=65536)
def to_latin(text: str) -> str:
    """华为 → huawei, so a Chinese name meets its pinyin spelling; Latin text stays as it is."""
    return "".join(lazy_pinyin(text)).lower() if _CJK.search(text) else text


# ---- signals and decision ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Party:
    """What a registration or an existing customer offers for matching."""

    name: Name
    aliases: tuple[Name, ...] = ()
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()

    @property
    def domains(self) -> frozenset[str]:
        return frozenset(e.rsplit("@", 1)[1] for e in self.emails if "@" in e) - PUBLIC_MAIL_DOMAINS


@dataclass(frozen=True)
class Signal:
    strength: str  # "strong" | "weak"
    reason: str  # exact | core | alias | contains | pinyin | fuzzy | phone | email | domain
    score: float


def compare(query: Party, existing: Party) -> Signal | None:
    """The strongest reason to believe two parties are one customer, or None."""
    best: Signal | None = None
    for s in _signals(query, existing):
        if best is None or (s.strength, s.score) > (best.strength, best.score):
            best = s  # "strong" > "weak" as strings, by luck of the alphabet
    return best


def _signals(q: Party, e: Party):
    if q.phones & e.phones:
        yield Signal("strong", "phone", 100)
    if q.emails & e.emails:
        yield Signal("strong", "email", 100)
    if q.domains & e.domains:
        yield Signal("weak", "domain", 70)
    for qn in (q.name, *q.aliases):
        for en in (e.name, *e.aliases):
            s = _name_signal(qn, en)
            if s:
                yield s if (qn is q.name and en is e.name) else Signal(s.strength, "alias", s.score)


def _name_signal(a: Name, b: Name) -> Signal | None:
    if not a.key or not b.key:
        return None
    if a.key == b.key:
        return Signal("strong", "exact", 100)
    if a.core == b.core and len(a.core) >= 2:
        return Signal("strong", "core", 99)
    if a.latin and a.latin == b.latin and len(a.latin) >= 4 and _CJK.search(a.core) != _CJK.search(b.core):
        return Signal("strong", "pinyin", 98)
    short, long_ = sorted((a.core, b.core), key=len)
    if _contains(short, long_):  # 美的 in 美的置业 may be a sister company: a manager decides
        return Signal("weak", "contains", 90)
    ratio = fuzz.ratio(a.core, b.core)
    if ratio >= STRONG_RATIO and min(len(a.core), len(b.core)) >= 4:
        return Signal("strong", "fuzzy", ratio)
    if ratio >= WEAK_RATIO and min(len(a.core), len(b.core)) >= 3:
        return Signal("weak", "fuzzy", ratio)
    return None


def _contains(short: str, long_: str) -> bool:
    """腾讯 at the start of 腾讯云计算: a short name that begins or ends the long one and is most of its core."""
    if len(short) < (2 if _CJK.search(short) else 4) or short == long_:
        return False
    if not (long_.startswith(short) or long_.endswith(short)):
        return False
    return len(short) / len(long_) >= 0.5 or len(short) >= 3


# ---- candidate keys ------------------------------------------------------------------------------------------
def index_keys(name: Name) -> set[str]:
    """What the storage index files a name under; a query looks up the same keys (storage/matchindex.py)."""
    keys = {"k:" + name.key, "c:" + name.core}
    if len(name.latin) >= 4:
        keys.add("p:" + name.latin)
    keys |= {"g:" + g for g in grams(name.core)}
    return keys


def grams(text: str) -> set[str]:
    """Character bigrams of Chinese text, trigrams of Latin text: what two spellings of one name share."""
    n = 2 if _CJK.search(text) else 3
    if len(text) <= n:
        return {text} if text else set()
    return {text[i:i + n] for i in range(len(text) - n + 1)}
