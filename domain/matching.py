"""Company-name normalisation: the key two registrations of one customer share (SPEC: 查重).

The full matcher (aliases, fuzzy, pinyin, candidate index) grows here; the rules are data."""
from __future__ import annotations

import re
import unicodedata

LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
    "co., ltd.", "co.,ltd.", "co. ltd.", "co ltd", "co.", "ltd.", "ltd", "limited", "inc.", "inc",
    "corporation", "corp.", "corp", "llc", "gmbh", "plc", "company",
)
REGION_PREFIXES = (
    "中国", "北京市", "北京", "上海市", "上海", "天津市", "天津", "重庆市", "重庆", "深圳市", "深圳", "广州市", "广州",
    "杭州市", "杭州", "南京市", "南京", "苏州市", "苏州", "成都市", "成都", "武汉市", "武汉", "西安市", "西安",
    "广东省", "广东", "浙江省", "浙江", "江苏省", "江苏", "四川省", "四川", "湖北省", "湖北", "山东省", "山东",
)
_BRACKETED_PLACE = re.compile(r"\((?:中国|china|" + "|".join(REGION_PREFIXES) + r")\)", re.I)
_NOT_NAME = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_company(name: str) -> str:
    """Full-width → half-width, case, bracketed places, region prefix, legal suffix, spaces and punctuation."""
    s = unicodedata.normalize("NFKC", name or "").strip().lower()
    s = _BRACKETED_PLACE.sub("", s)
    for prefix in REGION_PREFIXES:
        if s.startswith(prefix) and len(s) > len(prefix) + 1:
            s = s[len(prefix):]
            break
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix):
                s = s[: -len(suffix)].rstrip(" ,.")
                stripped = True
    return _NOT_NAME.sub("", s)
