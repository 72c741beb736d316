"""Decision-chain role from a job title: the keyword lists are data, and a team's config can add to them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ROLES = ("decision_maker", "influencer", "user")


@dataclass(frozen=True)
class RoleWords:
    decision_maker: tuple[str, ...] = (
        "总经理", "总裁", "董事", "总监", "副总", "老板", "负责人", "首席", "厂长", "局长", "院长", "校长", "部长",
        "ceo", "cto", "cfo", "cio", "coo", "vp", "vice president", "president", "director", "head of", "owner",
        "founder", "chief", "partner",
    )
    influencer: tuple[str, ...] = ("经理", "主管", "主任", "组长", "架构师", "处长", "科长", "manager", "lead",
                                   "supervisor", "architect")

    def extended(self, *, decision_maker=(), influencer=()) -> RoleWords:
        return RoleWords(self.decision_maker + tuple(w.lower() for w in decision_maker),
                         self.influencer + tuple(w.lower() for w in influencer))


DEFAULT_ROLE_WORDS = RoleWords()


def role_for_title(title: str | None, words: RoleWords = DEFAULT_ROLE_WORDS) -> str:
    """Decision makers first: 总经理 also contains 经理."""
    t = (title or "").lower()
    if _any_word(words.decision_maker, t):
        return "decision_maker"
    if _any_word(words.influencer, t):
        return "influencer"
    return "user"


def _any_word(words: tuple[str, ...], title: str) -> bool:
    """Latin words on word boundaries (Coordinator is no COO); Chinese ones anywhere (技术总监)."""
    return _pattern(words).search(title) is not None


@lru_cache(maxsize=64)
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])" if w.isascii() else re.escape(w)
                               for w in words))
