"""Stages, approvals, closing and the queries: the life of an opportunity after registration."""
from __future__ import annotations

import re

REGISTER = "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 系统替换 预算 50万 预计 12月底成交 行业 互联网"


def test_a_low_score_is_refused_with_what_would_help(bot):
    bot.reply("alice", "报备 杭州云栖科技 联系人 李娜 需求 数据平台", at="2026-11-02T10:00:00+08:00")
    reply = bot.reply("alice", "推进 2026-SH-001", at="2026-11-03T10:00:00+08:00")
    assert "缺少行业、预算、预计成交日期" in reply  # SPEC: qualification needs them first
    bot.reply("alice", "跟进 2026-SH-001 电话 预算 20万", at="2026-11-03T11:00:00+08:00")
    assert bot.export()["opportunities"][0]["budget"] == 200000  # the follow-up updated the budget


def test_score_between_60_and_80_goes_to_the_manager_who_approves(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    reply = bot.reply("alice", "推进 2026-SH-001 到 需求确认", at="2026-11-03T10:00:00+08:00")
    assert "健康度 25 分，低于 60" in reply and "需求匹配度评分" in reply and "预算已获批 +15" in reply
    bot.reply("alice", "跟进 2026-SH-001 拜访 客户确认预算已获批，已纳入年度计划，需求匹配度 5", at="2026-11-04T10:00:00+08:00")
    out = bot.say("alice", "推进 2026-SH-001 到 需求确认", at="2026-11-04T11:00:00+08:00")
    reply = next(o["text"] for o in out if o["kind"] == "reply")
    assert "健康度 65 分（60–80），已提交主管 Mike 审批" in reply
    [ask] = [o for o in out if o["kind"] == "approval"]
    assert ask["to"] == "mike" and "同意 2026-SH-001" in ask["text"]
    assert bot.export()["opportunities"][0]["stage"] == "discovery"
    assert "找不到" in bot.reply("wendy", "同意 2026-SH-001", at="2026-11-04T12:00:00+08:00")  # another team's
    assert "没有权限" in bot.reply("alice", "同意 2026-SH-001", at="2026-11-04T12:00:00+08:00")  # not her own
    out = bot.say("mike", "同意 2026-SH-001", at="2026-11-04T12:00:00+08:00")
    assert next(o["text"] for o in out if o["kind"] == "reply") == "已同意：2026-SH-001 推进到“需求确认”。"
    assert [o["to"] for o in out if o["kind"] == "approval"] == ["alice"]
    opp = bot.export()["opportunities"][0]
    assert opp["stage"] == "qualification"
    assert [(h["from"], h["to"], h["by"]) for h in opp["stage_history"]] == [
        (None, "discovery", "alice"), ("discovery", "qualification", "mike")]
    assert "没有等待你审批" in bot.reply("mike", "同意 2026-SH-001", at="2026-11-04T12:05:00+08:00")


def test_a_high_score_advances_at_once_and_a_rejection_reaches_the_rep(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "跟进 2026-SH-001 拜访 预算已获批 纳入年度计划 需求匹配度 10", at="2026-11-03T10:00:00+08:00")
    assert bot.reply("alice", "推进 2026-SH-001", at="2026-11-03T11:00:00+08:00") == \
        "2026-SH-001 已推进到“需求确认”（健康度 85）。"  # 40 need fit + 15 decision maker + 30 budget
    bot.reply("alice", "跟进 2026-SH-001 拜访 需求匹配度 6", at="2026-11-04T10:00:00+08:00")
    bot.reply("alice", "推进 2026-SH-001 到方案推进", at="2026-11-04T11:00:00+08:00")
    out = bot.say("mike", "驳回 2026-SH-001 原因 先约到 CEO", at="2026-11-04T12:00:00+08:00")
    [told] = [o for o in out if o["to"] == "alice"]
    assert "驳回" in told["text"] and "先约到 CEO" in told["text"]
    assert bot.export()["opportunities"][0]["stage"] == "qualification"


def test_won_lost_and_invalid_close_the_opportunity(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "报备 小米科技 联系人 雷军 CEO 需求 MES", at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "register Acme Corp, contact Jane Doe, need: data platform", at="2026-11-02T10:00:00+08:00")
    assert "赢单金额" in bot.reply("alice", "赢单 2026-SH-001", at="2026-11-20T10:00:00+08:00")
    assert "赢单 48万" in bot.reply("alice", "赢单 2026-SH-001 金额 48万", at="2026-11-20T10:00:00+08:00")
    assert "不能再跟进" in bot.reply("alice", "跟进 2026-SH-001 回访", at="2026-11-21T10:00:00+08:00")
    assert "输单原因" in bot.reply("alice", "输单 小米", at="2026-11-20T10:00:00+08:00")
    out = bot.say("alice", "输单 小米 原因 竞品低价 竞品 销售易", at="2026-11-20T10:00:00+08:00")
    assert "竞品低价，竞品 销售易" in next(o["text"] for o in out if o["kind"] == "reply")
    assert [o["to"] for o in out if o["kind"] == "approval"] == ["mike"]  # lost-deal review
    assert "Marked 2026-SH-003 invalid" in bot.reply("alice", "invalid Acme duplicate lead", at="2026-11-20T10:00:00+08:00")
    opps = {o["id"]: o for o in bot.export()["opportunities"]}
    assert (opps["2026-SH-001"]["status"], opps["2026-SH-001"]["stage"], opps["2026-SH-001"]["budget"]) == \
        ("won", "closed", 480000)
    assert opps["2026-SH-001"]["expected_close"] == "2026-11-20" and opps["2026-SH-001"]["protected_until"] is None
    assert (opps["2026-SH-002"]["status"], opps["2026-SH-002"]["stage"]) == ("lost", "closed")
    assert (opps["2026-SH-003"]["status"], opps["2026-SH-003"]["stage"]) == ("invalid", "discovery")
    assert "你还没有进行中的商机" in bot.reply("alice", "我的商机", at="2026-11-21T10:00:00+08:00")


def test_claim_only_takes_what_is_in_the_public_pool(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    assert "不在公海中" in bot.reply("bob", "认领 2026-SH-001", at="2026-11-03T10:00:00+08:00")
    assert bot.export()["opportunities"][0]["owner"] == "alice"


def test_queries_due_this_week_funnel_and_forecast(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "报备 小米科技 联系人 雷军 CEO 需求 MES 预算 100万 预计 11月底签约", at="2026-11-02T10:00:00+08:00")
    bot.reply("bob", "报备 华为技术有限公司 联系人 张伟 需求 服务器 预算 200万", at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "跟进 小米 电话，下一步：周三演示", at="2026-11-02T11:00:00+08:00")
    due = bot.reply("alice", "本周到期", at="2026-11-02T12:00:00+08:00")
    assert "2026-SH-002" in due and "2026-SH-001" not in due and "2026-11-08" in due
    funnel = bot.reply("alice", "漏斗", at="2026-11-02T12:00:00+08:00")
    assert "漏斗（我的，进行中 2 个）" in funnel and re.search(r"商机发现 +2 +150万", funnel)
    assert "3 open" in bot.reply("mike", "funnel", at="2026-11-02T12:00:00+08:00")  # the manager sees the team
    forecast = bot.reply("alice", "预测", at="2026-11-02T12:00:00+08:00")
    # discovery is 10%: this month 100万 × 10%; this quarter also 50万 × 10%
    assert "本月（2026-11-01 至 2026-11-30）：10万，1 个商机" in forecast
    assert "本季度（2026-10-01 至 2026-12-31）：15万，2 个商机" in forecast
    assert "This year" in bot.reply("alice", "forecast this year", at="2026-11-02T12:00:00+08:00")


def test_snooze_needs_a_coming_date_and_is_stored_with_its_reason(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    assert "暂停到哪天" in bot.reply("alice", "暂停 2026-SH-001", at="2026-11-03T10:00:00+08:00")
    assert "已经过去" in bot.reply("alice", "暂停 2026-SH-001 到 2026-11-01", at="2026-11-03T10:00:00+08:00")
    assert bot.reply("alice", "暂停 2026-SH-001 到 12月1日 原因 客户预算冻结", at="2026-11-03T10:00:00+08:00") == \
        "已暂停 2026-SH-001 的跟进提醒至 2026-12-01（客户预算冻结）。到期后恢复提醒；保护期至 2027-01-31。"
    assert "paused until 2026-12-01 (budget frozen)" in bot.reply(
        "alice", "snooze 2026-SH-001 until Dec 1 because budget frozen", at="2026-11-03T11:00:00+08:00")
    assert "⏰2026-12-01" in bot.reply("alice", "我的商机", at="2026-11-03T12:00:00+08:00")


def test_a_long_snooze_keeps_the_customer_protected_past_it_but_not_past_the_cap(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")  # protected until 2027-01-31
    assert "保护期至 2027-03-08" in bot.reply("alice", "暂停 2026-SH-001 到 2027-03-01 原因 客户年后立项",
                                          at="2026-11-03T10:00:00+08:00")  # the snooze end + the warning week
    assert "保护期至 2027-05-01" in bot.reply("alice", "暂停 2026-SH-001 到 2027-06-01 原因 客户换帅",
                                          at="2026-11-03T11:00:00+08:00")  # 180 days from registration at most
    assert bot.export()["opportunities"][0]["protected_until"] == "2027-05-01"
