"""Issue 13: who may see and who may change an opportunity, for every command that reveals or changes one —
role × command × own / same team / other team. Alice (rep, East) owns it; Bob is a rep of her team, Walt a rep of
another; Mike manages East, Wendy West; Dora is a director."""
from __future__ import annotations

import pytest

AT = "2026-11-02T10:00:00+08:00"
LATER = "2026-11-03T10:00:00+08:00"
CUSTOMERS = ("杭州云栖科技有限公司", "苏州恒立精密机械有限公司", "成都蜀味源食品有限公司")
COMMANDS = {
    "show": "查看 {id}", "history": "历史 {id}", "follow_up": "跟进 {id} 电话沟通，客户在内部讨论",
    "edit": "修改 {id} 行业 物流", "contact": "联系人 {id} 张伟 CFO 13700001111", "rate": "评分 {id} 功能匹配 8",
    "advance": "推进 {id}", "back": "退回 {id} 到 商机发现 原因 重新确认需求", "won": "赢单 {id} 金额 48万",
    "lost": "输单 {id} 原因 竞品低价", "invalid": "无效 {id} 重复录入", "snooze": "暂停 {id} 到 12月20日 原因 客户出差",
    "alias": "别名 {id} = 云栖",
}
MAY = ("alice", "mike", "dora")  # the owner, her manager, a director
MAY_NOT = ("bob", "walt", "wendy")  # a rep of her team, a rep of another, another team's manager
REFUSED = ("找不到你可以查看的商机", "没有权限")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_only_the_owner_her_manager_and_a_director_reach_it(bot, command):
    for n, customer in enumerate(CUSTOMERS):
        assert bot.reply("alice", f"报备 {customer} 联系人 李娜 采购经理 1390000111{n} 需求 ERP 预算 30万", at=AT) \
            .startswith(f"已报备 2026-SH-00{n + 1}")
    before = bot.export()
    for user in MAY_NOT:
        reply = bot.reply(user, COMMANDS[command].format(id="2026-SH-001"), at=LATER)
        assert reply.startswith(REFUSED) or "没有权限" in reply, (user, reply)
        assert "李娜" not in reply and "30万" not in reply  # nothing of it leaks in the refusal
    assert bot.export() == before, "a refused command changed something"
    for user, opp_id in zip(MAY, ("2026-SH-001", "2026-SH-002", "2026-SH-003")):
        reply = bot.reply(user, COMMANDS[command].format(id=opp_id), at=LATER)
        assert not reply.startswith(REFUSED) and "没有权限" not in reply, (user, reply)
    if command not in ("show", "history", "advance", "back"):  # those three answer without a change here
        after = bot.export()["opportunities"]
        assert all(a != b for a, b in zip(after, before["opportunities"])), "an allowed change was not stored"
        assert [o["audit"][-1]["by"] for o in after] == list(MAY)


def test_help_lists_every_command_of_the_lifecycle_in_both_languages(bot):
    zh = bot.reply("alice", "帮助", at=AT)
    en = bot.reply("alice", "help", at=AT)
    for word in ("修改 ID", "历史 ID", "联系人 ID", "评分 ID", "退回 ID", "跳过", "申请支持", "接受 ID", "评价 ID", "预算已获批"):
        assert word in zh, word
    for word in ("edit ID", "history ID", "contact ID", "score ID", "back ID", "skip", "request support", "accept ID",
                 "rate support ID", "budget approved"):
        assert word in en, word
