"""Which language to answer in: the one the user wrote in (SPEC: the same message, the same answer)."""
import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect(text: str) -> str | None:
    """'zh' if any Chinese character, 'en' if any Latin letter, None when neither (digits, emoji, empty)."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return None
