"""A message cut into sentences, so that no field runs on into the next one (`X有限公司。对接人是李娜，她是采购经理。`),
and voice-to-text's spoken digits turned back into numbers (`一五九三七一二八六零四`, `four one five five …`)."""
from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

# Where a sentence ends: a line break, 。！？；, an English full stop before the next sentence (not the dot of
# Ltd. / Inc. / Dr. / approx.), or a dash between spaces ('register - met Tom …', 'fyi new lead — Acme').
_ABBREVIATIONS = ("ltd", "inc", "co", "corp", "dr", "mr", "ms", "mrs", "st", "no", "vs", "approx", "est", "e.g",
                  "i.e", "pte", "jr", "sr", "dept", "mgr", "u.s", "a.m", "p.m", "etc", "s.r.o", "a.s", "o.o",
                  "s.l", "k.k", "s.a", "s.a.s", "pvt", "kft", "ltda", "prof", "eng", "l.l.c", "w.l.l")
_END = re.compile(r"\n+|[。！？!?；;]+|(?<=[\w)\]])\.(?=[ \t]+\S)|\s+[-—–]+\s+|—+|\s*…+\s*")
CN_DIGITS = {"零": "0", "〇": "0", "幺": "1", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
             "七": "7", "八": "8", "九": "9"}
EN_DIGITS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
             "seven": "7", "eight": "8", "nine": "9"}
_CN_RUN = re.compile("[" + "".join(CN_DIGITS) + r"](?:\s?[" + "".join(CN_DIGITS) + r"]){6,}")
_EN_WORD = "(?:" + "|".join(EN_DIGITS) + ")"
_EN_RUN = re.compile(r"(?<![a-z])" + _EN_WORD + r"(?:[\s,-]+" + _EN_WORD + r"){6,}(?![a-z])", re.I)


def sentences(text: str) -> list[str]:
    return [s for _, s in sentence_spans(text)]


@lru_cache(maxsize=256)
def sentence_spans(text: str) -> tuple[tuple[int, str], ...]:
    """(where it starts, the sentence) for each sentence, spaces trimmed. Cached: one message is cut many times."""
    out, start = [], 0
    for m in _END.finditer(text):
        if m.group(0) == "." and _abbreviation_before(text, m.start()):
            continue
        out.append((start, text[start:m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return tuple((at + len(s) - len(s.lstrip()), s.strip()) for at, s in out if s.strip(" ,.;:-—"))


_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")


def _abbreviation_before(text: str, dot: int) -> bool:
    word = _WORD_BEFORE.search(text[max(0, dot - 8):dot])
    return bool(word) and (word.group(1).lower().strip(".") in _ABBREVIATIONS or len(word.group(1)) == 1)


_EN_NUMBER_WORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                   r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                   r"and|a)")
# 'ninety thousand dollars', 'two hundred and fifty thousand': only runs that end in a scale word, so a name
# like 'Seven Eleven' or 'one guy' is never touched.
_EN_AMOUNT_WORDS = re.compile(r"(?<![a-z])(?:" + _EN_NUMBER_WORD + r"[\s-]+){0,5}?" + _EN_NUMBER_WORD
                              + r"[\s-]+(?:thousand|million|billion|lakhs?|crores?)(?![a-z])", re.I)


def spoken_amounts(text: str) -> str:
    """An amount said in English words, as digits: what voice-to-text writes for 'ninety thousand dollars'."""
    if not _EN_AMOUNT_WORDS.search(text):
        return text
    return _EN_AMOUNT_WORDS.sub(lambda m: alpha2digit(m.group(0), "en"), text)


def spoken_digits(text: str) -> str:
    """Seven or more digits said one by one are a phone number, whatever the speech engine wrote."""
    text = _CN_RUN.sub(lambda m: "".join(CN_DIGITS.get(c, "") for c in m.group(0)), text)
    return _EN_RUN.sub(lambda m: "".join(EN_DIGITS[w.lower()] for w in re.findall(r"[a-z]+", m.group(0), re.I)),
                       text)


# A rep correcting themself: '预算１．２亿？？不是，是1200万', '客户是华东理工，不对，是华东政法大学', '$50k, sorry I mean $80k'.
_CORRECTION = re.compile(r"[？?!！。\s]*[，,]?\s*(?:不对|不是|哦不|说错了|口误)(?:\s*不对)?\s*[，,\s]\s*(?:应该是|是)\s*"
                         r"|[\s,;]*(?i:sorry|oops|wait)[,\s]+(?i:i mean|i meant|no|make that)[,:\s]+")
_AMOUNT_BEFORE = re.compile(r"[$¥￥€£]?[\d.,０-９．]+\s*(?:万|亿|千|w|W|k|K|m|M)?\s*$")
_WORD_BEFORE_MARK = re.compile(r"[^\s，,。:：是;；]{2,24}\s*$")


def corrected(text: str) -> str:
    """What the rep meant: the word before a correction marker is dropped with the marker."""
    for _ in range(3):
        m = _CORRECTION.search(text)
        if not m:
            return text
        said = _AMOUNT_BEFORE.search(text, 0, m.start()) or _WORD_BEFORE_MARK.search(text, 0, m.start())
        start = said.start() if said else m.start()
        text = text[:start] + text[m.end():]
    return text
