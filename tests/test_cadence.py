"""A simulated month of hourly ticks around 2026's National Day: every reminder, second reminder and escalation
arrives exactly once, at the start of a working day, never on a weekend or a public holiday, and nothing comes
for snoozed or won opportunities."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

SH = "+08:00"


def hourly(start: str, end: str):
    t, stop = datetime.fromisoformat(start + "T00:00:00" + SH), datetime.fromisoformat(end + "T23:00:00" + SH)
    while t <= stop:
        yield {"at": t.isoformat(), "tick": True}
        t += timedelta(hours=1)


def scheduled(out: list[dict]) -> list[tuple]:
    return [(o["at"], o["to"], o["kind"], tuple(dict.fromkeys(re.findall(r"\d{4}-SH-\d{3}", o["text"])))) for o in out
            if o["kind"] in ("reminder", "escalation") and "保护期" not in o["text"]]


def test_a_month_of_cadence_around_national_day(bot):
    # Sunday 09-13: due a week later, 09-20, a Sunday that is a make-up working day (调休)
    bot.reply("alice", "报备 杭州云栖科技 联系人 李娜 需求 数据平台", at="2026-09-13T10:00:00" + SH)      # 001
    # Monday 09-21: due 09-28; never followed up
    bot.reply("alice", "报备 宁波港 联系人 郑海涛 需求 调度系统", at="2026-09-21T10:00:00" + SH)         # 002
    # snoozed until 10-15: nothing before, one reminder then
    bot.reply("bob", "报备 温州鞋服 联系人 潘建华 需求 收银系统", at="2026-09-21T10:00:00" + SH)         # 003
    bot.reply("bob", "暂停 2026-SH-003 到 10月15日 原因 客户预算冻结", at="2026-09-21T11:00:00" + SH)
    # won before it fell due: nothing at all
    bot.reply("bob", "报备 厦门冷链 联系人 陈秀兰 需求 WMS", at="2026-09-21T10:00:00" + SH)            # 004
    bot.reply("bob", "赢单 2026-SH-004 金额 30万", at="2026-09-22T10:00:00" + SH)
    bot.reply("bob", "复盘 2026-SH-004 成功要点：高层关系好，交付周期短", at="2026-09-22T11:00:00" + SH)
    # followed up on Friday 10-09 with a next action on Saturday 10-17: due at the earlier cadence date, Fri 10-16
    bot.reply("alice", "报备 成都天府物流 联系人 何晓雯 需求 TMS", at="2026-10-09T10:00:00" + SH)       # 005
    bot.reply("alice", "跟进 2026-SH-005 电话沟通，下一步：10月17日演示", at="2026-10-09T11:00:00" + SH)

    got = scheduled(bot.run(*hourly("2026-09-13", "2026-10-20")))

    assert sorted(got) == sorted([  # sorted: within one hour the jobs' order is not part of the story
        ("2026-09-20T09:00:00+08:00", "alice", "reminder", ("2026-SH-001",)),    # make-up Sunday is a working day
        ("2026-09-23T09:00:00+08:00", "alice", "reminder", ("2026-SH-001",)),    # second: due + 3
        ("2026-09-28T09:00:00+08:00", "alice", "reminder", ("2026-SH-002",)),
        ("2026-09-28T09:00:00+08:00", "mike", "escalation", ("2026-SH-001",)),   # due + 7 = Sun 09-27 → Monday
        # 10-01 … 10-07 National Day: nothing at all
        ("2026-10-08T09:00:00+08:00", "alice", "reminder", ("2026-SH-002",)),    # second (due + 3 = 10-01) waits
        ("2026-10-08T09:00:00+08:00", "mike", "escalation", ("2026-SH-002",)),   # due + 7 = 10-05 waits
        ("2026-10-15T09:00:00+08:00", "bob", "reminder", ("2026-SH-003",)),      # the snooze ends
        ("2026-10-16T09:00:00+08:00", "alice", "reminder", ("2026-SH-005",)),
        ("2026-10-19T09:00:00+08:00", "bob", "reminder", ("2026-SH-003",)),      # second: due + 3 = Sun 10-18
        ("2026-10-19T09:00:00+08:00", "alice", "reminder", ("2026-SH-005",)),    # second: due + 3
    ])
    assert all(o[0].endswith("T09:00:00+08:00") for o in got)  # the first working hour, never at night


def test_an_unreviewed_win_is_reminded_after_seven_working_days_then_escalated(bot):
    bot.reply("bob", "报备 厦门冷链 联系人 陈秀兰 需求 WMS", at="2026-09-21T10:00:00" + SH)
    assert "还没有结单" in bot.reply("bob", "复盘 2026-SH-001 还早", at="2026-09-21T11:00:00" + SH)
    bot.reply("bob", "赢单 2026-SH-001 金额 30万", at="2026-09-22T10:00:00" + SH)
    out = [o for o in bot.run(*hourly("2026-09-22", "2026-10-20")) if "复盘" in o["text"]]
    # 7 working days after Tue 09-22, skipping Mid-Autumn (09-25) and National Day (10-01…07): Fri 10-09;
    # 3 more (the make-up Saturday 10-10 counts): Tue 10-13
    assert [(o["at"], o["to"], o["kind"]) for o in out] == [
        ("2026-10-09T09:00:00+08:00", "bob", "reminder"), ("2026-10-13T09:00:00+08:00", "mike", "escalation")]


def test_a_review_stops_the_archive_reminders(bot):
    bot.reply("bob", "报备 厦门冷链 联系人 陈秀兰 需求 WMS", at="2026-09-21T10:00:00" + SH)
    bot.reply("bob", "输单 2026-SH-001 原因 价格", at="2026-09-22T10:00:00" + SH)
    assert bot.reply("bob", "复盘 2026-SH-001 竞品低价，客户换了决策人，我方报价偏高",
                     at="2026-09-23T10:00:00" + SH).startswith("已记录 2026-SH-001 的复盘。\n商机生命周期报告 2026-SH-001")
    assert [o for o in bot.run(*hourly("2026-09-22", "2026-10-20")) if "复盘" in o["text"]] == []


def test_a_long_stay_in_a_stage_is_high_risk_once(bot):
    bot.reply("alice", "报备 宁波港 联系人 郑海涛 总经理 需求 调度系统 预算 80万 预计 12月底 行业 物流",
              at="2026-09-01T10:00:00" + SH)
    out = [o for o in bot.run(*hourly("2026-09-01", "2026-09-30")) if "高风险" in o["text"]]
    # discovery defaults to 14 days (no closed history yet): over 1.5× = over 21 days → Tue 09-22 after 10:00
    assert [(o["at"], o["to"]) for o in out] == [("2026-09-22T11:00:00+08:00", "alice"),
                                                 ("2026-09-22T11:00:00+08:00", "mike")]
    assert "约一次需求访谈" in out[0]["text"] and "已在“商机发现”21 天" in out[0]["text"]
    assert "2026-SH-001 宁波港 @alice 商机发现 21 天" in out[1]["text"]  # the manager's list
