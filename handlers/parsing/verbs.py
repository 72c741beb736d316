"""The verb a message starts with → what the user wants. Rules as data; longest phrase wins."""
from __future__ import annotations

import re

VERBS: dict[str, tuple[str, ...]] = {
    "register": ("报备", "登记", "新商机", "新建商机", "新增商机", "录入商机", "new opportunity", "new opp", "new deal",
                 "register"),
    "follow_up": ("跟进", "跟踪", "follow-up", "follow up", "followup", "log"),
    "advance": ("推进", "晋级", "升阶段", "advance", "move stage"),
    "won": ("赢单", "成交", "签单", "签约了", "closed won", "close won", "won", "win"),
    "lost": ("输单", "丢单", "closed lost", "close lost", "lost"),
    "invalid": ("无效", "作废", "invalid"),
    "claim": ("认领", "claim"),
    "approve": ("同意", "批准", "通过", "approve", "approved"),
    "reject": ("驳回", "拒绝", "不同意", "reject", "rejected", "deny"),
    "show": ("查看", "详情", "查询", "show", "view", "details"),
    "mine": ("我的商机", "我的机会", "我的客户", "我的单子", "my opportunities", "my opps", "my pipeline", "my deals",
             "mine", "pipeline"),
    "due_this_week": ("本周到期", "这周到期", "本周待跟进", "本周要跟进", "本周跟进", "due this week", "this week"),
    "funnel": ("销售漏斗", "漏斗", "funnel", "pipeline funnel"),
    "forecast": ("业绩预测", "销售预测", "预测", "forecast"),
    "help": ("帮助", "怎么用", "使用说明", "help", "?"),
    "cancel": ("取消", "算了", "不报了", "cancel", "nevermind", "never mind"),
}
# Said before the verb ("帮我报备一下", "@oppbot register"): dropped.
POLITE_PREFIX = re.compile(r"^(?:@\S+\s*)?(?:请帮我|帮我|请|麻烦|我要|我想|想|需要|please\s+|pls\s+)?", re.I)
AFTER_VERB = re.compile(r"^(?:一下|一个|个|下)?[\s:：,，.。]*")
_PAIRS = sorted(((w, k) for k, ws in VERBS.items() for w in ws), key=lambda p: -len(p[0]))


def split_verb(text: str) -> tuple[str | None, str]:
    """(intent kind, the rest of the message) — (None, text) when it starts with no verb we know."""
    body = POLITE_PREFIX.sub("", text, count=1)
    low = body.lower()
    for word, kind in _PAIRS:
        if low.startswith(word):
            rest = body[len(word):]
            if word.isascii() and word[-1].isalnum() and rest[:1].isalnum() and rest[:1].isascii():
                continue  # "logistics" is not "log", "winner" is not "win"
            return kind, AFTER_VERB.sub("", rest, count=1).strip()
    return None, text
