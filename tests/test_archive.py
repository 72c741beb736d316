"""Issue 13: an archive worth reading — a lost deal's 丢单分析表 asked for part by part, and the 商机生命周期报告
(each stage with its dates and days, the score at each advance, follow-ups, people reached)."""
from __future__ import annotations

BIG = "报备 苏州恒立精密机械有限公司 联系人 许国平 总经理 13962187735 需求 MES 预算 80万 预计 12月底成交 行业 机械"


def test_a_loss_is_analysed_in_four_parts_and_ends_in_the_lifecycle_report(bot):
    bot.reply("alice", BIG, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "跟进 2026-SH-001 拜访 预算已获批 纳入年度计划 需求匹配度 9", at="2026-11-03T10:00:00+08:00")
    assert bot.reply("alice", "推进 2026-SH-001", at="2026-11-05T10:00:00+08:00") == \
        "2026-SH-001 已推进到“需求确认”（健康度 81）。"
    lost = bot.reply("alice", "输单 2026-SH-001 原因 竞品低价", at="2026-11-12T10:00:00+08:00").splitlines()
    assert lost[1].startswith("丢单分析表还差：竞品、客户真实原因、我方短板。")
    again = bot.reply("alice", "竞品 销售易；真实原因 报价高出两成", at="2026-11-12T10:01:00+08:00").splitlines()
    assert again[1].startswith("丢单分析表还差：我方短板。")
    report = bot.reply("alice", "没有本地实施团队", at="2026-11-12T10:02:00+08:00").splitlines()
    assert report == [
        "已记录 2026-SH-001 的丢单分析。",
        "商机生命周期报告 2026-SH-001（苏州恒立精密机械有限公司）：输单",
        "• 商机发现：2026-11-02 → 2026-11-05（3 天），推进时健康度 81",
        "• 需求确认：2026-11-05 → 2026-11-12（7 天）",
        "跟进 1 次；接触：许国平（决策者）",
        "丢单分析：原因 竞品低价；竞品 销售易；客户真实原因 报价高出两成；我方短板 没有本地实施团队"]
    [opp] = bot.export()["opportunities"]
    assert opp["loss"] == {"reason": "competitor_price", "competitor": "销售易", "real_reason": "报价高出两成",
                           "weakness": "没有本地实施团队"}
    assert [o for o in bot.tick("2026-11-25T10:00:00+08:00") if "复盘" in o["text"]] == []  # analysed: no reminder


def test_a_won_deals_review_shows_the_report(bot):
    bot.reply("alice", BIG, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "赢单 2026-SH-001 金额 78万", at="2026-11-20T10:00:00+08:00")
    reply = bot.reply("alice", "复盘 2026-SH-001 高层拜访促成决策", at="2026-11-21T10:00:00+08:00").splitlines()
    assert reply[1:] == ["商机生命周期报告 2026-SH-001（苏州恒立精密机械有限公司）：赢单",
                         "• 商机发现：2026-11-02 → 2026-11-20（18 天）",
                         "跟进 0 次；接触：许国平（决策者）", "复盘：高层拜访促成决策"]
