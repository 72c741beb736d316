"""Company names the way people write them: normalisation, match signals and the 查重 decision (SPEC).

Pure: the candidate index lives in storage/, this module only compares. The rules are data (tables below)."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import zhconv
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from domain.known_names import KNOWN_COMPANIES

# ---- rules ---------------------------------------------------------------------------------------------------
LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司", "股份公司", "总公司", "分公司",
    "株式会社", "集团", "股份", "公司", "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "co.", "co", "ltd.", "ltd",
    "limited", "inc.", "inc", "incorporated", "corporation", "corp.", "corp", "llc", "l.l.c.", "gmbh", "plc", "s.a.",
    "sa", "s.p.a.", "spa", "se", "ag", "aktiengesellschaft", "nv", "n.v.", "bv", "b.v.", "kk", "k.k.", "oyj", "ab",
    "asa", "pte. ltd.", "pte ltd", "pte", "pty ltd", "pty", "company", "group", "holdings", "holding",
)
# IME slips in the legal form (有线公司, 有限工司) are still a legal form.
CN_LEGAL_TAIL = __import__("re").compile(r"(?:股份)?(?:有[限线现](?:责任)?)?(?:公司|工司|公斯|公可)$")
# Places said in English after the name: "Lazada South East Asia", "Dell China".
EN_PLACE_TAILS = ("south east asia", "southeast asia", "asia pacific", "greater china", "hong kong", "china", "asia",
                  "singapore", "europe", "usa", "u.s.a.", "us", "uk", "japan", "korea", "germany", "international")
PROVINCES = ("北京", "上海", "天津", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
             "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
CITIES = ("深圳", "广州", "杭州", "南京", "苏州", "成都", "武汉", "西安", "长沙", "郑州", "济南", "青岛", "宁波",
          "厦门", "福州", "合肥", "无锡", "东莞", "佛山", "大连", "沈阳", "哈尔滨", "长春", "昆明", "南宁", "贵阳",
          "南昌", "石家庄", "太原", "兰州", "海口", "珠海", "温州", "常州", "烟台", "嘉兴", "绍兴", "泉州", "中山",
          "惠州", "徐州", "南通", "扬州", "台州", "金华", "洛阳", "宜昌", "襄阳", "芜湖", "乌鲁木齐", "呼和浩特")
PLACE_SUFFIXES = ("省", "市", "自治区", "特别行政区", "区", "县")
# Generic words that say what a company does, not which company it is: dropped from the END of the name for the
# core-name comparison (腾讯计算机系统 → 腾讯), never from the middle (中国农业发展银行 keeps its 发展).
GENERIC_WORDS = (
    "计算机系统", "计算机", "信息技术", "网络技术", "数字技术", "科技发展", "电子商务", "集成电路", "新能源", "软件", "科技",
    "技术", "网络", "信息", "数字", "电子", "智能", "数据", "系统", "实业", "贸易", "发展", "控股", "国际", "投资",
    "管理", "咨询", "服务", "工程", "通信", "文化", "传媒", "商贸", "制造", "工业", "新材料", "生物", "医疗", "医药",
    "能源", "世纪", "创新", "产业", "在线", "保险", "汽车贸易", "网络科技", "精密",
    "technology", "technologies", "tech", "software", "systems", "system", "digital", "network", "networks",
    "information", "solutions", "international", "intl", "global", "industries", "industrial",
    "electronics", "services", "trading", "enterprises", "platforms", "precision",
)
# Nouns that are no name on their own: 青岛啤酒 keeps 青岛, 上海汽车 keeps 上海 (a region is not stripped before them).
NOT_A_NAME = ("银行", "移动", "联通", "电信", "石油", "石化", "人寿", "平安", "啤酒", "汽车", "电力", "电网", "地铁",
              "机场", "港口", "医院", "大学", "日报", "水务", "燃气", "公交", "钢铁", "证券", "航空", "铁路", "烟草",
              "城投", "交投", "建工", "农商", "广电", "银行股份", "农村商业银行")
# Mail domains anyone can have: an equal domain says nothing about the company.
PUBLIC_MAIL_DOMAINS = frozenset((
    "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "aliyun.com", "139.com",
    "189.cn", "foxmail.com", "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "icloud.com", "me.com", "proton.me", "protonmail.com", "aol.com", "mail.com", "yandex.com",
))
# Thresholds on rapidfuzz ratios of core names (0–100), tuned on tests/data/company_pairs.tsv.
STRONG_RATIO = 92
WEAK_RATIO = 80

_GENERIC_BY_LENGTH = tuple((n, frozenset(w for w in GENERIC_WORDS if len(w) == n))
                           for n in sorted({len(w) for w in GENERIC_WORDS}, reverse=True))  # 新能源 before 能源
_BRACKET = re.compile(r"\(([^()]{1,12})\)")
_AND = re.compile(r"\s+(?:and|&)\s+|&")
_LEADING_THE = re.compile(r"^the\s+")
_DOTCOM = re.compile(r"\.(?:com|net|cn|io)\b")
_NOT_NAME = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_REGIONS = sorted((p + s for p in PROVINCES + CITIES for s in ("",) + PLACE_SUFFIXES), key=len, reverse=True)
_PLACES_IN_BRACKETS = frozenset(_REGIONS) | {"中国", "china", "hk", "hong kong", "prc", "asia", "亚太", "大中华",
                                              "集团", "group"}


@dataclass(frozen=True)
class Name:
    """A company name read for matching: `key` for equality, `core` for similarity, `latin` across scripts."""

    display: str
    key: str
    core: str
    initials: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()  # Latin words of the name, legal form off: ("robert", "bosch")

    @property
    def latin(self) -> str:
        """华为 → huawei: computed when asked (pinyin is the costly part of reading a name)."""
        return to_latin(self.core)

    @property
    def chinese(self) -> bool:
        return bool(_CJK.search(self.core))


def normalize_company(name: str) -> str:
    """The normalised key: full-width → half-width, case, bracketed places, region prefix, legal suffix, punctuation."""
    return read_name(name).key


@lru_cache(maxsize=8192)
def read_name(name: str) -> Name:
    s = folded = _fold(name)
    s = _BRACKET.sub(lambda m: "" if m.group(1).strip() in _PLACES_IN_BRACKETS else m.group(0), s)
    s = _strip_legal(s)
    s = _BRACKET.sub(lambda m: "" if m.group(1).strip() in _PLACES_IN_BRACKETS else m.group(0), s).strip()
    s = _strip_region(s)
    key = _NOT_NAME.sub("", _strip_legal(s))
    core = _core(key)
    words = tuple(re.findall(r"[a-z0-9]+", s)) if not _CJK.search(s) else ()
    return Name(display=name, key=key, core=core, initials=_initials(name, folded), words=words)


@lru_cache(maxsize=None)
def _simplified(ch: str) -> str:
    out = zhconv.convert(ch, "zh-cn")
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Traditional Chinese as simplified, character for character so positions hold (台中精機 → 台中精机)."""
    return "".join(_simplified(ch) if "\u3400" <= ch <= "\u9fff" else ch for ch in text) if _CJK.search(text) \
        else text


def _fold(name: str) -> str:
    """Full-width → half-width, traditional → simplified, accents off (Nestlé → nestle), case, 'the', '&'/'and',
    '.com', spaces squeezed."""
    s = unicodedata.normalize("NFKD", to_simplified(unicodedata.normalize("NFKC", name or "")))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower().strip()
    s = _DOTCOM.sub("", _AND.sub(" ", _LEADING_THE.sub("", s)))
    return re.sub(r"[\s']+", " ", s.replace("'", "")).strip()


def _initials(name: str, folded: str) -> frozenset[str]:
    """International Business Machines → ibm (with and without the legal form: CATL has its Limited)."""
    if _CJK.search(name):
        return frozenset()
    words = re.findall(r"[a-z]+", folded)
    if len(words) < 3:
        return frozenset()
    bare = _strip_legal(" ".join(words)).split()
    return frozenset(i for i in ("".join(w[0] for w in words), "".join(w[0] for w in bare)) if len(i) >= 3)


_LEGAL_TAIL = re.compile(
    r"(?:\s*(?:" + "|".join(re.escape(x) for x in sorted((x for x in LEGAL_SUFFIXES if not x.isascii()), key=len,
                                                          reverse=True)) + r"))$"
    r"|(?:(?<=[\s,.])(?:" + "|".join(re.escape(x) for x in sorted((x for x in LEGAL_SUFFIXES if x.isascii()), key=len,
                                                                  reverse=True)) + r"))$"
    r"|(?:(?<=\s)(?:" + "|".join(re.escape(x) for x in EN_PLACE_TAILS) + r"))$")


def _strip_legal(s: str) -> str:
    """Legal forms, IME slips of them, and English place tails, from the end, as often as they stack."""
    while True:
        cn = CN_LEGAL_TAIL.search(s)
        if cn and cn.start() >= 2:
            s = s[: cn.start()].rstrip(" ,.-")
            continue
        m = _LEGAL_TAIL.search(s)
        if m and len(s[: m.start()].strip(" ,.-&")) > 1:
            s = s[: m.start()].rstrip(" ,.-&")
            continue
        if s.endswith("中国") and len(s) > 4:
            s = s[:-2]
            continue
        return s


_REGION_HEAD = re.compile("^(?:" + "|".join(re.escape(r) for r in ("中国",) + tuple(_REGIONS)) + ")")


def _strip_region(s: str) -> str:
    """深圳市腾讯 → 腾讯; 中国银行 and 青岛啤酒 stay (what is left must still be a name, not a bare noun)."""
    for _ in range(2):  # 广东省深圳市…
        m = _REGION_HEAD.match(s)
        if not m:
            break
        rest = s[m.end():].lstrip(" -")
        if len(_NOT_NAME.sub("", rest)) < 2 or rest.startswith(NOT_A_NAME):
            break
        s = rest
    return s


def _core(key: str) -> str:
    """The key without the generic industry words it ends with; the key itself if nothing would be left."""
    core, changed = key, True
    while changed:
        changed = False
        for n, words in _GENERIC_BY_LENGTH:
            if len(core) - n >= 2 and core[-n:] in words:
                core, changed = core[:-n], True
                break
    return core


@lru_cache(maxsize=16384)
def to_latin(text: str) -> str:
    """华为 → huawei, so a Chinese name meets its pinyin spelling; Latin text stays as it is."""
    if not _CJK.search(text):
        return text
    from pypinyin import lazy_pinyin  # loaded with the first Chinese name, not with every command
    return "".join(lazy_pinyin(text)).lower()


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
    return max(_signals(query, existing), key=lambda s: (s.strength == "strong", s.score), default=None)


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
    if a.chinese != b.chinese and len(a.core) >= 2 and len(b.core) >= 2 and a.latin == b.latin \
            and len(a.latin) >= 4:  # 华为 ↔ Huawei
        return Signal("strong", "pinyin", 98)
    if a.key in b.initials or b.key in a.initials:  # IBM ↔ International Business Machines
        return Signal("strong", "acronym", 97)
    known_a, known_b = known_company(a), known_company(b)
    if known_a is not None and known_a == known_b:  # 腾讯 ↔ Tencent, from the seed list
        return Signal("strong", "known", 97)
    if _numbers(a.key) != _numbers(b.key):  # 第一/第二人民医院, Plant 1/Plant 2: never a typo of each other
        return None
    if min(len(a.key), len(b.key)) >= 6 and a.key[:2] == b.key[:2] and OSA.distance(a.key, b.key) <= 1:
        # one slip inside a long name (科枝, Accentrue); a different first word (一汽/上汽大众) is another company
        return Signal("strong", "typo", 96)
    short, long_ = sorted((a, b), key=lambda n: len(n.key))
    if len(short.key) >= 4 and long_.words[1:] and short.key == long_.words[-1]:  # Bosch ↔ Robert Bosch
        return Signal("strong", "contains", 94)
    if _contains(short.core, long_.core):  # 美的 in 美的置业 may be a sister company: a manager decides
        return Signal("weak", "contains", 90)
    ratio = max(fuzz.ratio(a.core, b.core), fuzz.ratio(a.key, b.key))
    if ratio >= STRONG_RATIO and min(len(a.core), len(b.core)) >= 4:
        return Signal("strong", "fuzzy", ratio)
    if ratio >= WEAK_RATIO and min(len(a.core), len(b.core)) >= 3:
        return Signal("weak", "fuzzy", ratio)
    return None


_NUMBER = re.compile(r"\d+|[一二三四五六七八九十百零〇]+")


def _numbers(key: str) -> list[str]:
    return _NUMBER.findall(key)


def _contains(short: str, long_: str) -> bool:
    """腾讯 at the start of 腾讯云计算: a short name that begins or ends the long one and is most of its core."""
    if len(short) < (2 if _CJK.search(short) else 4) or short == long_:
        return False
    if not (long_.startswith(short) or long_.endswith(short)):
        return False
    return len(short) / len(long_) >= 0.5 or len(short) >= 3


def rules_fingerprint() -> str:
    """Changes whenever a rule table or the seed list changes: the stored index must then be rebuilt."""
    tables = (LEGAL_SUFFIXES, PROVINCES, CITIES, PLACE_SUFFIXES, GENERIC_WORDS, NOT_A_NAME, EN_PLACE_TAILS,
              CN_LEGAL_TAIL.pattern, KNOWN_COMPANIES, INDEX_FORMAT)
    return hashlib.sha256(repr(tables).encode()).hexdigest()[:16]


INDEX_FORMAT = 2  # bump when index_keys() files names differently (2: traditional Chinese folded to simplified)


# ---- the seed list of known names ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _known() -> dict[str, int]:
    """Normalised key (and core) → company number, for domain/known_names.py."""
    table: dict[str, int] = {}
    for number, line in enumerate(KNOWN_COMPANIES.splitlines()):
        for written in line.split("|"):
            n = read_name(written)
            for k in {n.key, n.core}:
                table.setdefault(k, number)
    return table


def known_company(name: Name) -> int | None:
    """Which seed-list company a name is (by its key, else its core), if any."""
    table = _known()
    found = table.get(name.key)
    return found if found is not None else table.get(name.core)


# ---- candidate keys ------------------------------------------------------------------------------------------
def index_keys(name: Name) -> set[str]:
    """What the storage index files a name under; a query looks up the same keys (storage/matchindex.py)."""
    keys = {"k:" + name.key, "c:" + name.core}
    known = known_company(name)
    if known is not None:
        keys.add(f"n:{known}")
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
