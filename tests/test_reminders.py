"""The discovery-stage weekly reminder: on the due day, to the owner, exactly once."""
from __future__ import annotations

REGISTER = "报备 杭州云栖科技 联系人 李娜 13900000000 需求 数据平台"


def reminders(lines):
    return [o for o in lines if o["kind"] == "reminder"]


def test_weekly_reminder_arrives_once_across_two_ticks_and_a_restart(make_bot):
    bot = make_bot()
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    assert reminders(bot.tick("2026-11-08T09:00:00+08:00")) == []  # not due yet
    first = reminders(bot.tick("2026-11-09T09:00:00+08:00"))
    assert [(o["to"], o["at"]) for o in first] == [("alice", "2026-11-09T09:00:00+08:00")]
    assert "2026-SH-001" in first[0]["text"] and "2026-11-09" in first[0]["text"]
    assert reminders(bot.tick("2026-11-09T09:00:00+08:00")) == []  # same time again
    restarted = make_bot()
    assert reminders(restarted.tick("2026-11-09T09:00:00+08:00")) == []
    assert reminders(restarted.tick("2026-11-10T09:00:00+08:00")) == []  # same due date, still once


def test_a_follow_up_moves_the_due_date_and_the_next_one_is_reminded_again(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    assert len(reminders(bot.tick("2026-11-09T09:00:00+08:00"))) == 1
    bot.reply("alice", "跟进 2026-SH-001 电话沟通 客户在比较方案", at="2026-11-09T10:00:00+08:00")
    assert reminders(bot.tick("2026-11-12T09:00:00+08:00")) == []
    again = reminders(bot.tick("2026-11-16T09:00:00+08:00"))
    assert len(again) == 1 and "2026-11-16" in again[0]["text"]


def test_next_action_date_earlier_than_cadence_brings_the_reminder_forward(bot):
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "跟进 2026-SH-001 电话沟通，下一步：后天发方案", at="2026-11-02T15:00:00+08:00")
    sent = reminders(bot.tick("2026-11-04T09:00:00+08:00"))
    assert len(sent) == 1 and "2026-11-04" in sent[0]["text"]


def test_reminders_follow_the_language_the_rep_writes_in(bot):
    bot.reply("walt", "register Acme Corp, contact Jane Doe jane@acme.com", at="2026-11-02T10:00:00+08:00")
    [sent] = reminders(bot.tick("2026-11-09T09:00:00+08:00"))
    assert sent["to"] == "walt" and sent["text"].startswith("Follow-up due: 2026-CD-001")


def test_a_job_counts_what_it_enqueued_and_a_rerun_counts_nothing(bot):
    from datetime import datetime

    from scheduler import jobs
    bot.reply("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    due = datetime.fromisoformat("2026-11-09T09:00:00+08:00")
    assert jobs.follow_up_reminders(due, bot.deps) == 1
    assert jobs.follow_up_reminders(due, bot.deps) == 0


CUSTOMERS = ["杭州云栖科技", "宁波港集团", "温州鞋服", "厦门冷链", "成都天府物流", "苏州精密机械", "无锡微电子"]


def test_a_rep_with_many_due_at_once_gets_one_list_not_a_stream(bot):
    for n, customer in enumerate(CUSTOMERS):
        bot.reply("alice", f"报备 {customer} 联系人 李娜 需求 系统{n}", at="2026-11-02T10:00:00+08:00")
    [sent] = reminders(bot.tick("2026-11-09T09:00:00+08:00"))
    assert sent["to"] == "alice"
    assert sent["text"].splitlines()[0].startswith("跟进提醒：你有 7 个商机到了跟进日")
    assert [line.split()[1] for line in sent["text"].splitlines()[1:]] == [f"2026-SH-00{n}" for n in range(1, 8)]
    assert reminders(bot.tick("2026-11-09T10:00:00+08:00")) == []  # once
    assert reminders(bot.tick("2026-11-10T09:00:00+08:00")) == []  # not again the next day
    [second] = reminders(bot.tick("2026-11-12T09:00:00+08:00"))
    assert "2026-SH-007 无锡微电子 应在 2026-11-09 跟进，已逾期 3 天" in second["text"]


def test_many_high_risk_opportunities_come_as_one_list_with_advice(bot):
    for n, customer in enumerate(CUSTOMERS):
        bot.reply("alice", f"报备 {customer} 联系人 李娜 需求 系统{n}", at="2026-11-02T10:00:00+08:00")
    out = [o for o in bot.tick("2026-11-24T11:00:00+08:00") if o["kind"] == "alert"]  # 22 days in discovery
    assert [o["to"] for o in out] == ["alice", "mike"]
    assert out[0]["text"].startswith("⚠ 你有 7 个高风险商机")
    assert "商机发现建议：约一次需求访谈" in out[0]["text"] and out[0]["text"].count("2026-SH-") == 7
    assert out[1]["text"].startswith("高风险商机（East 团队，7 个")
    assert [o for o in bot.tick("2026-11-24T12:00:00+08:00") if o["kind"] == "alert"] == []
