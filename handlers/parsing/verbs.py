"""The verb a message starts with → what the user wants. Rules as data; longest phrase wins."""
from __future__ import annotations

import re

VERBS: dict[str, tuple[str, ...]] = {
    "register": ("新商机报备", "商机报备", "报备商机", "登记商机", "登记个商机", "报个商机", "报一个商机", "报商机", "报个备",
                 "报个单", "报单", "登记一下", "报一个", "先报一下", "报一下", "报备一个", "报备", "登记", "新商机", "reg", "新建商机", "新增商机", "录入商机", "new opportunity", "new opp", "new deal",
                 "new registration", "registering", "register", "new lead", "opp"),
    "follow_up": ("记录跟进", "跟进记录", "跟进", "跟踪", "following up on", "following up", "follow-up", "follow up", "followup", "quick f/u", "f/u",
                  "quick update on", "update on", "quick note on", "logged", "log"),
    "edit": ("修改", "更改", "更正", "修正", "改一下", "更新", "edit", "change", "correct", "update"),
    "contact": ("添加联系人", "新增联系人", "加联系人", "更新联系人", "修改联系人", "联系人", "add contact", "contact"),
    "rate": ("需求评分", "需求打分", "评分", "打分", "rate", "score"),
    "support": ("申请支持", "请求支持", "申请协助", "request support", "ask for support", "support request"),
    "accept": ("接受", "accept"),
    "rate_support": ("评价", "rate support", "rate the support"),
    "history": ("变更记录", "操作记录", "修改记录", "历史记录", "历史", "history", "audit trail", "audit"),
    "back": ("退回到", "退回", "回退到", "回退", "退到", "move back", "send back", "back"),
    "advance": ("推进到", "推进", "推到", "推一下", "晋级", "升阶段", "advance", "move stage", "move"),
    "won": ("赢单", "成交", "签单", "签约了", "签了", "closed won", "close won", "won", "win"),
    "lost": ("输单", "丢单了", "丢单", "这单丢了", "丢了", "closed lost", "close lost", "lost"),
    "invalid": ("标记无效", "标为无效", "设为无效", "无效", "作废", "invalid"),
    "claim": ("认领了", "认领", "claim"),
    "approve": ("同意", "批准", "通过", "approve", "approved"),
    "reject": ("驳回", "拒绝", "不同意", "reject", "rejected", "deny"),
    "override": ("申请接手", "申请转给我", "申请共享", "申请转移", "申请覆盖", "request override", "override"),
    "review": ("复盘", "review"),
    "snooze": ("暂停提醒", "暂停", "推迟提醒", "snooze", "pause"),
    "alias": ("添加别名", "加别名", "别名", "add alias", "alias"),
    "show": ("查看", "看一下", "看下", "看看", "详情", "查询", "show", "view", "details"),
    "mine": ("我的商机", "我的机会", "我的客户", "我的单子", "my opportunities", "my opps", "my pipeline", "my deals",
             "mine", "pipeline"),
    "team": ("团队商机", "团队的商机", "团队机会", "团队客户", "本组商机", "组里的商机", "team pipeline",
             "team opportunities", "team opps", "team deals"),
    "due_this_week": ("本周到期", "这周到期", "本周待跟进", "本周要跟进", "本周跟进", "due this week", "this week"),
    "funnel": ("销售漏斗", "漏斗", "funnel", "pipeline funnel"),
    "forecast": ("业绩预测", "销售预测", "预测", "forecast"),
    "conversion": ("商机转化率", "转化率", "转化分析", "conversion rate", "conversion"),
    "cycle": ("成交周期", "销售周期", "平均周期", "周期", "sales cycle", "cycle time", "cycle"),
    "win_rate": ("赢单率", "赢率", "胜率", "win rate", "win-rate"),
    "sources": ("来源分析", "渠道分析", "来源质量", "渠道质量", "source quality", "source analysis", "sources"),
    "lost_reasons": ("丢单分析", "输单分析", "lost reasons", "loss reasons", "lost analysis"),
    "leaderboard": ("销售排行", "排行榜", "排行", "排名", "leaderboard", "ranking"),
    "compliance": ("跟进合规", "合规检查", "合规", "compliance"),
    "dashboard": ("数据看板", "看板", "仪表盘", "仪表板", "dashboard"),
    "export": ("导出表格", "导出", "export"),
    "help": ("帮助", "怎么用", "使用说明", "help", "?"),
    "cancel": ("取消", "算了", "不报了", "cancel", "nevermind", "never mind"),
}
# Said before the verb ("帮我报备一下", "@oppbot register"): dropped.
POLITE_PREFIX = re.compile(r"^(?:@\S+\s*)?(?:请帮我|帮我|帮忙|请|麻烦|我要|我想|我来|我|想|需要|please\s+|pls\s+|fyi[\s,:-]*|"
                           r"quick one[\s,:-]*|hey[\s,]*|ok so\s+)?", re.I)
AFTER_VERB = re.compile(r"^(?:一下|一个|个|下)?(?:\s*(?:fyi|pls|please))?[\s:：,，.。\-—–!]*", re.I)
_PAIRS = sorted(((w, k) for k, ws in VERBS.items() for w in ws), key=lambda p: -len(p[0]))


# Short questions may put the verb anywhere: 今年的预测, 这周有哪些到期.
ANYWHERE = ("forecast", "funnel", "due_this_week")
# Questions asked in a sentence rather than a command.
QUESTIONS = {
    "due_this_week": re.compile(r"(?:这周|本周|这个星期|this week).{0,10}(?:跟进|到期|跟|due|follow)|due this week", re.I),
    "mine": re.compile(r"^我.{0,8}(?:商机|单子)|(?:show|list)?\s*my (?:pipeline|deals|opps|opportunities)", re.I),
    "help": re.compile(r"怎么用|有哪些(?:指令|命令)|能做什么|what can you do|how do i use|commands", re.I),
}


def split_verb(text: str) -> tuple[str | None, str]:
    """(intent kind, the rest of the message) — (None, text) when it starts with no verb we know."""
    for body in dict.fromkeys((text, POLITE_PREFIX.sub("", text, count=1))):  # 我的商机 keeps its 我
        found = _starts_with_verb(body)
        if found:
            return found
    if len(text) <= 40:
        low = text.lower()
        for word, kind in _PAIRS:
            if kind in ANYWHERE and word in low:
                return kind, low.replace(word, " ").strip()
    if len(text) <= 30:
        for kind, pattern in QUESTIONS.items():
            if pattern.search(text):
                return kind, ""
    return None, text


def starts_with_word(body: str, pairs) -> tuple[str, str] | None:
    """(what the longest word at the front means, the rest); `pairs` are (lower-case word, meaning), longest first.
    An English word must end where a word ends: "logistics" is not "log", "winner" is not "win"."""
    low = body.lower()
    for word, kind in pairs:
        if low.startswith(word):
            rest = body[len(word):]
            if word.isascii() and word[-1].isalnum() and rest[:1].isalnum() and rest[:1].isascii():
                continue
            return kind, rest
    return None


def _starts_with_verb(body: str) -> tuple[str, str] | None:
    found = starts_with_word(body, _PAIRS)
    return (found[0], AFTER_VERB.sub("", found[1], count=1).strip()) if found else None


def _whole_word(low: str, pos: int, word: str) -> bool:
    before, after = low[pos - 1:pos], low[pos + len(word):pos + len(word) + 1]
    return not (before.isascii() and before.isalnum()) and not (word[-1].isalnum() and after.isascii() and after.isalnum())


def verb_inside(text: str, *, within: int = 8) -> tuple[str, str] | None:
    """'电话跟进，…' after an ID: a verb near the front, with the words before it kept (电话 is the channel)."""
    low = text.lower()
    best = None
    for word, kind in _PAIRS:
        pos = low.find(word, 0, within + len(word))
        while pos >= 0 and word.isascii() and not _whole_word(low, pos, word):  # 'Following' holds no 'win'
            pos = low.find(word, pos + 1, within + len(word))
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, word, kind)
    if best is None:
        return None
    pos, word, kind = best
    rest = text[:pos] + " " + AFTER_VERB.sub("", text[pos + len(word):], count=1)
    return kind, rest.strip(" ,;:!")
