"""A month in the life of two teams, ticked every hour: Shanghai through 2026's National Day (its make-up
working Saturday included) and London through the end of summer time. Every reminder, second reminder,
escalation, risk alert, protection warning, release, archive reminder and digest arrives exactly once, at the
first working hour where the team is; nothing comes for a snoozed, won or lost opportunity."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SH, LONDON = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/London")

ORG = """
[org]
name = "Month Co"
timezone = "Asia/Shanghai"
protection_days = 20
[cadence]
discovery = 5
[[teams]]
name = "East"
region = "SH"
manager = "mike"
group_chat = "#sales-east"
digest_time = "18:00"
[[teams]]
name = "Europe"
region = "EU"
manager = "erin"
group_chat = "#sales-eu"
digest_time = "17:00"
timezone = "Europe/London"
holidays = "none"
cadence = { discovery = 7 }
[[users]]
id = "alice"
name = "Alice"
team = "East"
[[users]]
id = "bob"
name = "Bob"
team = "East"
[[users]]
id = "mike"
name = "Mike"
role = "manager"
team = "East"
[[users]]
id = "ed"
name = "Ed"
team = "Europe"
lang = "en"
[[users]]
id = "erin"
name = "Erin"
role = "manager"
team = "Europe"
lang = "en"
"""


def at(local: str, zone: ZoneInfo = SH) -> str:
    return datetime.fromisoformat(local).replace(tzinfo=zone).isoformat()


def hourly(start: str, end: str):
    t, stop = datetime.fromisoformat(at(start)), datetime.fromisoformat(at(end))
    while t <= stop:
        yield {"at": t.isoformat(), "tick": True}
        t += timedelta(hours=1)


def local(sent: dict, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(sent["at"]).astimezone(zone).strftime("%m-%d %H:%M")


@pytest.fixture
def month(make_bot, org_file):
    org_file.write_text(ORG, encoding="utf-8")
    bot = make_bot()
    say = bot.reply
    # East, Shanghai: cadence 5 days (the org's), protection 20 days
    say("alice", "报备 杭州云栖科技 联系人 李娜 需求 数据平台", at=at("2026-09-28T10:00"))          # 001: silent
    say("bob", "报备 宁波港 联系人 郑海涛 需求 调度系统", at=at("2026-09-28T10:00"))                # 002: kept up
    say("bob", "报备 厦门冷链 联系人 陈秀兰 需求 WMS", at=at("2026-09-28T10:05"))                   # 003: won
    say("alice", "报备 温州鞋服 联系人 潘建华 需求 收银系统", at=at("2026-09-28T10:10"))            # 004: lost
    say("bob", "赢单 2026-SH-003 金额 30万", at=at("2026-09-29T10:00"))
    say("bob", "复盘 2026-SH-003 成功要点：高层关系好，交付周期短", at=at("2026-09-29T11:00"))
    say("alice", "输单 2026-SH-004 原因 价格", at=at("2026-09-29T10:00"))                        # never reviewed
    say("alice", "报备 成都天府物流 联系人 何晓雯 需求 TMS", at=at("2026-09-29T10:00"))             # 005: snoozed
    assert "保护期至 2026-10-27" in say("alice", "暂停 2026-SH-005 到 10月20日 原因 客户预算冻结",
                                     at=at("2026-09-29T11:00"))
    for day in ("09-30T10:00", "10-08T08:00", "10-12T10:00", "10-16T10:00", "10-20T10:00", "10-23T10:00",
                "10-27T10:00"):  # bob follows up before each due date: no reminder ever
        say("bob", "跟进 2026-SH-002 电话沟通，确认了需求细节", at=at(f"2026-{day}"))
    # Europe, London: cadence 7 days (the team's own), weekends only
    say("ed", "register Acme Corp, contact Jane Doe jane@acme.com", at=at("2026-09-28T10:00", LONDON))  # EU-001
    say("ed", "register Globex Ltd, contact John Roe john@globex.com", at=at("2026-10-20T10:00", LONDON))  # EU-002
    out = bot.run(*hourly("2026-09-28T00:00", "2026-10-30T23:00"))
    return bot, out


def scheduled(out, zone, *recipients):
    return [(local(o, zone), o["to"], o["kind"], tuple(dict.fromkeys(re.findall(r"\d{4}-[A-Z]{2}-\d{3}", o["text"]))))
            for o in out if o["to"] in recipients and o["kind"] != "digest"]


def test_shanghai_reminders_escalations_risks_expiry_and_archive_each_once(month):
    _, out = month
    assert sorted(scheduled(out, SH, "alice", "bob", "mike", "#sales-east")) == sorted([
        # 001 was due Sat 10-03, inside National Day: by Thu 10-08 it is 3 days late, so only the second reminder
        ("10-08 09:00", "alice", "reminder", ("2026-SH-001",)),
        ("10-10 09:00", "mike", "escalation", ("2026-SH-001",)),   # due + 7 on the make-up working Saturday
        ("10-12 09:00", "alice", "reminder", ("2026-SH-001",)),    # protection ends Sun 10-18: a week's warning
        ("10-14 09:00", "alice", "reminder", ("2026-SH-004",)),    # lost, unreviewed: 7 working days
        ("10-19 09:00", "alice", "alert", ("2026-SH-001",)),       # released to the pool …
        ("10-19 09:00", "#sales-east", "alert", ("2026-SH-001",)),  # … and the group hears
        ("10-19 09:00", "mike", "escalation", ("2026-SH-004",)),   # still unreviewed 3 working days later
        ("10-19 11:00", "bob", "alert", ("2026-SH-002",)),         # over 21 days in discovery: high risk
        ("10-19 11:00", "mike", "alert", ("2026-SH-002",)),
        ("10-20 09:00", "alice", "reminder", ("2026-SH-005",)),    # the snooze ends; protection, extended past it,
        ("10-20 09:00", "alice", "reminder", ("2026-SH-005",)),    # ends in a week
        ("10-20 11:00", "alice", "alert", ("2026-SH-005",)),       # the risk the snooze held back: 21 days
        ("10-20 11:00", "mike", "alert", ("2026-SH-005",)),        # in discovery were over at 10:00
        ("10-23 09:00", "alice", "reminder", ("2026-SH-005",)),    # second reminder
        ("10-27 09:00", "mike", "escalation", ("2026-SH-005",)),   # 僵尸商机
        ("10-28 09:00", "alice", "alert", ("2026-SH-005",)),       # released
        ("10-28 09:00", "#sales-east", "alert", ("2026-SH-005",)),
    ])  # sorted: within one hour the jobs' order is not part of the story
    assert not [o for o in out if "2026-SH-003" in o["text"] and o["kind"] != "digest"]  # won and reviewed


def test_london_follows_its_own_clock_calendar_and_cadence_across_the_end_of_summer_time(month):
    _, out = month
    assert sorted(scheduled(out, LONDON, "ed", "erin", "#sales-eu")) == sorted([
        ("10-05 09:00", "ed", "reminder", ("2026-EU-001",)),       # cadence 7; China's National Day means nothing here
        ("10-08 09:00", "ed", "reminder", ("2026-EU-001",)),
        ("10-12 09:00", "ed", "reminder", ("2026-EU-001",)),       # protection ends Sun 10-18
        ("10-12 09:00", "erin", "escalation", ("2026-EU-001",)),
        ("10-19 09:00", "ed", "alert", ("2026-EU-001",)),
        ("10-19 09:00", "#sales-eu", "alert", ("2026-EU-001",)),
        ("10-27 09:00", "ed", "reminder", ("2026-EU-002",)),       # after the clocks went back: still 09:00
        ("10-30 09:00", "ed", "reminder", ("2026-EU-002",)),
    ])
    utc = [datetime.fromisoformat(o["at"]).astimezone(ZoneInfo("UTC")).hour for o in out
           if o["to"] == "ed" and o["kind"] == "reminder"]
    assert utc == [8, 8, 8, 9, 9]  # BST, then GMT
    assert not [o for o in out if o["to"] in ("ed", "erin") and re.search(r"[\u4e00-\u9fff]", o["text"])]  # English


def test_each_team_gets_one_digest_per_working_day_at_its_local_time(month):
    _, out = month
    east = [local(o, SH) for o in out if o["kind"] == "digest" and o["to"] == "#sales-east"]
    assert east == [f"{d} 18:00" for d in (
        "09-28", "09-29", "09-30", "10-08", "10-09", "10-10",  # 10-01…10-07 off; Saturday 10-10 a make-up day
        "10-12", "10-13", "10-14", "10-15", "10-16", "10-19", "10-20", "10-21", "10-22", "10-23",
        "10-26", "10-27", "10-28", "10-29", "10-30")]
    eu = [local(o, LONDON) for o in out if o["kind"] == "digest" and o["to"] == "#sales-eu"]
    assert Counter(d[-5:] for d in eu) == {"17:00": 24}  # weekdays 09-28 … 10-29, wall clock across the change
    assert "10-01 17:00" in eu and "10-26 17:00" in eu and "10-24 17:00" not in eu
    summer = datetime.fromisoformat(next(o["at"] for o in out if o["to"] == "#sales-eu" and local(o, LONDON) == "10-23 17:00"))
    winter = datetime.fromisoformat(next(o["at"] for o in out if o["to"] == "#sales-eu" and local(o, LONDON) == "10-26 17:00"))
    assert (summer.astimezone(ZoneInfo("UTC")).hour, winter.astimezone(ZoneInfo("UTC")).hour) == (16, 17)


def test_managers_see_the_snooze_and_its_reason_in_the_digest(month):
    _, out = month
    digest = next(o for o in out if o["to"] == "#sales-east" and local(o, SH) == "10-09 18:00")
    assert "2026-SH-005" in digest["text"] and "客户预算冻结" in digest["text"]
    after = next(o for o in out if o["to"] == "#sales-east" and local(o, SH) == "10-21 18:00")
    assert "暂停提醒中" not in after["text"]  # the snooze ended on 10-20
