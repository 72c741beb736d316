"""Issue 13: gates that hold and never strand anyone — one stage at a time, a jump stopped at the first gate that
fails, the missing field asked for and the answer completing the advance, a manager's explicit skip, a move back."""
from __future__ import annotations

from test_decision_chain import AT, opp

PURCHASER = "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 13900001111 需求 ERP 预算 30万 预计 12月底成交"
CERTAIN = "跟进 2026-SH-001 拜访 预算已获批 纳入年度计划 需求匹配度 9"


def test_a_missing_industry_is_asked_for_and_the_answer_completes_the_advance(bot):
    """Once a dead end: 缺少行业, and nothing in chat could set it."""
    bot.reply("alice", PURCHASER, at=AT)
    bot.reply("alice", CERTAIN, at="2026-11-03T09:00:00+08:00")
    bot.reply("alice", "联系人 2026-SH-001 王总 总经理", at="2026-11-03T09:01:00+08:00")
    asked = bot.reply("alice", "推进 2026-SH-001", at="2026-11-03T10:00:00+08:00")
    assert asked.splitlines() == ["还不能推进 2026-SH-001 到“需求确认”：缺少行业。",
                                  "直接回复补上即可，例如：行业 物流（30 分钟内有效，回复“取消”放弃）"]
    assert bot.reply("alice", "物流", at="2026-11-03T10:01:00+08:00") == "2026-SH-001 已推进到“需求确认”（健康度 90）。"
    stored = opp(bot)
    assert (stored["industry"], stored["stage"]) == ("物流", "qualification")
    assert [a["action"] for a in stored["audit"]][-2:] == ["edit", "advance"]


def test_a_jump_stops_at_the_first_gate_that_fails_and_moves_nothing(bot):
    """Once: from 需求确认, 推进 ID 到 商务成交 skipped the proposal gate that had just refused."""
    bot.reply("alice", PURCHASER + " 行业 物流", at=AT)
    bot.reply("alice", CERTAIN, at="2026-11-03T09:00:00+08:00")
    bot.reply("alice", "推进 2026-SH-001", at="2026-11-03T09:30:00+08:00")  # 75: to the manager
    bot.reply("mike", "同意 2026-SH-001", at="2026-11-03T09:40:00+08:00")
    assert opp(bot)["stage"] == "qualification"
    asked = bot.reply("alice", "推进 2026-SH-001 到 商务成交", at="2026-11-03T10:00:00+08:00")
    assert asked.startswith("还不能推进 2026-SH-001 到“商务成交”：缺少已接触的决策者（总监及以上）。"
                            "（跳级推进在“方案推进”这一关停下）")
    assert opp(bot)["stage"] == "qualification"
    # the answer names a decision maker: every gate on the way holds now, and the jump is written stage by stage
    assert bot.reply("alice", "王总 总经理 13911112222", at="2026-11-03T10:01:00+08:00") == \
        "2026-SH-001 已推进到“商务成交”（健康度 90）。"
    stored = opp(bot)
    assert [(h["from"], h["to"]) for h in stored["stage_history"]][-2:] == [
        ("qualification", "proposal"), ("proposal", "negotiation")]
    assert ("王总", "decision_maker", "13911112222") in [(c["name"], c["role"], c["phone"]) for c in stored["contacts"]]


def test_a_manager_may_skip_the_gates_and_the_skip_is_recorded(bot):
    bot.reply("alice", PURCHASER, at=AT)
    assert "没有权限" in bot.reply("alice", "推进 2026-SH-001 到 方案推进 跳过", at="2026-11-03T10:00:00+08:00")
    out = bot.say("mike", "推进 2026-SH-001 到 方案推进 跳过", at="2026-11-03T10:00:00+08:00")
    assert next(o["text"] for o in out if o["kind"] == "reply") == \
        "2026-SH-001 已由 Mike 跳级推进到“方案推进”（跳过：行业、已接触的决策者（总监及以上））。"
    assert [o["to"] for o in out if o["kind"] == "approval"] == ["alice"]
    stored = opp(bot)
    assert stored["stage"] == "proposal"
    skips = [a for a in stored["audit"] if a["action"] == "advance"]
    assert [a["detail"]["skip"] for a in skips] == [True, True] and skips[0]["by"] == "mike"


def test_moving_back_needs_a_reason_and_the_owner_hears_of_a_managers_move(bot):
    bot.reply("alice", PURCHASER, at=AT)
    bot.reply("mike", "推进 2026-SH-001 到 方案推进 跳过", at="2026-11-03T10:00:00+08:00")
    assert bot.reply("alice", "退回 2026-SH-001 到 需求确认", at="2026-11-03T11:00:00+08:00") == \
        "请说明退回原因，例如：退回 2026-SH-001 到 需求确认 原因 客户预算冻结"
    out = bot.say("mike", "退回 2026-SH-001 到 需求确认 原因 决策人还没见面", at="2026-11-03T11:00:00+08:00")
    assert [(o["to"], o["text"]) for o in out] == [
        ("mike", "2026-SH-001 已退回到“需求确认”，原因：决策人还没见面。"),
        ("alice", "Mike 把 2026-SH-001 退回到“需求确认”，原因：决策人还没见面。")]
    stored = opp(bot)
    assert stored["stage"] == "qualification" and stored["stage_history"][-1]["from"] == "proposal"
    assert stored["audit"][-1]["detail"]["reason"] == "决策人还没见面"
    assert "推进只能向后" in bot.reply("alice", "推进 2026-SH-001 到 商机发现", at="2026-11-03T12:00:00+08:00")
    english = bot.reply("alice", "back 2026-SH-001 to discovery because the budget was frozen",
                        at="2026-11-03T12:00:00+08:00")
    assert english == "2026-SH-001 moved back to discovery because the budget was frozen."


def test_cancel_drops_a_waiting_advance(bot):
    bot.reply("alice", PURCHASER, at=AT)
    bot.reply("alice", "推进 2026-SH-001", at="2026-11-03T10:00:00+08:00")
    assert bot.reply("alice", "取消", at="2026-11-03T10:01:00+08:00") == "已取消推进 2026-SH-001。"
    assert opp(bot)["industry"] is None and opp(bot)["stage"] == "discovery"
