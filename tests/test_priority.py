"""Seed 001 三(三) 资源优先级队列: score > 85 and amount > 500,000 → one alert to the director with the commitments,
not one per follow-up; no director's meeting logged within 7 working days → one reminder."""
from __future__ import annotations

BIG = "报备 苏州恒立精密机械有限公司 联系人 许国平 总经理 13962187735 需求 MES 预算 80万 预计 12月底成交 行业 机械"
CERTAIN = "跟进 2026-SH-001 拜访 预算已获批 纳入年度计划 需求匹配度 9"


def director_messages(out: list[dict]) -> list[dict]:
    return [o for o in out if o["to"] == "dora"]


def test_one_alert_to_the_director_then_one_reminder_when_no_meeting_is_logged(bot):
    bot.reply("alice", BIG, at="2026-11-02T10:00:00+08:00")  # a Monday
    assert director_messages(bot.tick("2026-11-02T10:05:00+08:00")) == []  # score 25: not yet
    bot.reply("alice", CERTAIN, at="2026-11-03T10:00:00+08:00")  # need fit 9 → 36, decision maker 15, budget 30: 81
    bot.reply("alice", "评分 2026-SH-001 功能匹配 10 系统集成 10", at="2026-11-03T10:10:00+08:00")  # 40 + 15 + 30 = 85
    assert director_messages(bot.tick("2026-11-03T10:15:00+08:00")) == []  # 85 is not over 85
    bot.reply("alice", "联系人 2026-SH-001 李娜 采购经理", at="2026-11-03T10:20:00+08:00")  # + influencer 9 → 94
    [alert] = director_messages(bot.tick("2026-11-03T10:25:00+08:00"))
    assert alert["kind"] == "alert" and alert["text"].startswith(
        "资源优先级：2026-SH-001（苏州恒立精密机械有限公司，负责人 Alice）健康度 94，金额 80万。承诺：售前 48 小时内支持；"
        "销售总监 2026-11-12 前")
    bot.reply("alice", "跟进 2026-SH-001 电话 客户催方案", at="2026-11-04T10:00:00+08:00")
    assert director_messages(bot.tick("2026-11-04T10:05:00+08:00")) == []  # one alert, not one per follow-up
    [reminder] = director_messages(bot.tick("2026-11-12T10:00:00+08:00"))
    assert reminder["kind"] == "reminder" and "还没有记录销售总监参加的客户会议" in reminder["text"]
    assert director_messages(bot.tick("2026-11-13T10:00:00+08:00")) == []  # once


def test_a_directors_meeting_logged_in_time_means_no_reminder(bot):
    bot.reply("alice", BIG, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", CERTAIN, at="2026-11-03T10:00:00+08:00")
    bot.reply("alice", "评分 2026-SH-001 功能匹配 10 系统集成 10", at="2026-11-03T10:10:00+08:00")
    bot.reply("alice", "联系人 2026-SH-001 李娜 采购经理", at="2026-11-03T10:20:00+08:00")
    assert len(director_messages(bot.tick("2026-11-03T10:25:00+08:00"))) == 1
    bot.reply("dora", "跟进 2026-SH-001 拜访 和客户高层见面，确认合作意向", at="2026-11-06T15:00:00+08:00")
    assert director_messages(bot.tick("2026-11-12T10:00:00+08:00")) == []
