"""Slot filling: the bot asks for what is missing, and the rep's next message completes the registration."""
from __future__ import annotations

from sqlalchemy import func, select

from storage import models as m

AT = "2026-11-02T10:00:00+08:00"


def opportunities(bot) -> int:
    with bot.deps.sessions() as s:
        return s.scalar(select(func.count()).select_from(m.Opportunity))


def test_a_registration_without_details_is_completed_by_the_next_message(bot):
    reply = bot.reply("alice", "报备 杭州云栖科技 预算 30万", at=AT)
    assert "客户: 杭州云栖科技" in reply and "预算: 30万" in reply and "还差联系人" in reply
    assert opportunities(bot) == 0  # a draft is never an opportunity
    reply = bot.reply("alice", "李娜 采购经理 13900000000", at="2026-11-02T10:05:00+08:00")
    assert reply.startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "杭州云栖科技" and opp["budget"] == 300000
    assert opp["contacts"] == [{"name": "李娜", "title": "采购经理", "role": "influencer", "phone": "13900000000",
                                "email": None}]


def test_a_missing_customer_name_is_asked_for_in_english(bot):
    reply = bot.reply("walt", "register contact Jane Doe (CTO) jane@acme.com, need: data platform", at=AT)
    assert "Still needed: the customer (company) name" in reply and "Jane Doe" in reply
    reply = bot.reply("walt", "Acme Corp", at="2026-11-02T10:01:00+08:00")
    assert reply.startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "Acme Corp" and opp["need"] == "data platform"
    assert opp["contacts"][0]["email"] == "jane@acme.com"


def test_cancel_drops_the_draft(bot):
    bot.reply("alice", "报备 杭州云栖科技", at=AT)
    assert bot.reply("alice", "取消", at="2026-11-02T10:01:00+08:00") == "已取消报备草稿（杭州云栖科技）。"
    assert "没看懂" in bot.reply("alice", "李娜 13900000000", at="2026-11-02T10:02:00+08:00")
    assert opportunities(bot) == 0
    assert bot.reply("alice", "cancel", at="2026-11-02T10:03:00+08:00") == "Nothing to cancel."


def test_a_draft_expires_after_30_minutes(bot):
    bot.reply("alice", "报备 杭州云栖科技", at=AT)
    reply = bot.reply("alice", "李娜 13900000000", at="2026-11-02T10:31:00+08:00")
    assert "没看懂" in reply and opportunities(bot) == 0


def test_another_command_drops_the_draft_and_says_so(bot):
    bot.reply("alice", "报备 杭州云栖科技", at=AT)
    reply = bot.reply("alice", "我的商机", at="2026-11-02T10:01:00+08:00")
    assert reply.startswith("（之前的报备草稿已放弃）") and "你还没有进行中的商机" in reply
    with bot.deps.sessions() as s:
        assert s.scalar(select(func.count()).select_from(m.DialogState)) == 0


def test_an_answer_that_still_lacks_the_detail_asks_again(bot):
    bot.reply("alice", "报备 杭州云栖科技", at=AT)
    reply = bot.reply("alice", "50万", at="2026-11-02T10:01:00+08:00")
    assert "预算: 50万" in reply and "还差联系人" in reply
    reply = bot.reply("alice", "需求 数据中台", at="2026-11-02T10:02:00+08:00")
    assert reply.startswith("已报备")
    [opp] = bot.export()["opportunities"]
    assert (opp["need"], opp["budget"]) == ("数据中台", 500000)


REGISTERED = "报备 杭州云栖科技 联系人 李娜 13900000000 需求 数据平台"


def test_follow_up_with_only_the_id_asks_what_happened_and_the_next_message_is_it(bot):
    bot.reply("alice", REGISTERED, at=AT)
    assert bot.reply("alice", "跟进 2026-SH-001", at="2026-11-03T10:00:00+08:00").startswith(
        "2026-SH-001（杭州云栖科技）跟进了什么？")
    assert bot.reply("alice", "电话沟通，客户在比较方案", at="2026-11-03T10:01:00+08:00").startswith("已记录跟进 2026-SH-001。")
    assert [f["content"] for f in bot.export()["opportunities"][0]["follow_ups"]] == ["电话沟通,客户在比较方案"]


def test_a_waiting_follow_up_is_dropped_by_cancel_or_by_another_command(bot):
    bot.reply("alice", REGISTERED, at=AT)
    bot.reply("alice", "follow up 2026-SH-001", at="2026-11-03T10:00:00+08:00")
    assert bot.reply("alice", "cancel", at="2026-11-03T10:01:00+08:00") == "OK, no follow-up recorded for 2026-SH-001."
    bot.reply("alice", "跟进 2026-SH-001", at="2026-11-03T10:02:00+08:00")
    assert bot.reply("alice", "查看 2026-SH-001", at="2026-11-03T10:03:00+08:00").startswith("2026-SH-001 杭州云栖科技")
    assert "没看懂" in bot.reply("alice", "电话沟通了", at="2026-11-03T10:04:00+08:00")  # no longer waited for
    assert bot.export()["opportunities"][0]["follow_ups"] == []


def test_snooze_with_only_the_id_takes_the_date_and_reason_from_the_next_message(bot):
    bot.reply("alice", REGISTERED, at=AT)
    assert "暂停到哪天" in bot.reply("alice", "暂停 2026-SH-001", at="2026-11-03T10:00:00+08:00")
    assert bot.reply("alice", "12月1日 客户预算冻结", at="2026-11-03T10:01:00+08:00").startswith(
        "已暂停 2026-SH-001 的跟进提醒至 2026-12-01（客户预算冻结）")
    with bot.deps.sessions() as s:
        opp = s.get(m.Opportunity, "2026-SH-001")
        assert (str(opp.snoozed_until), opp.snooze_reason) == ("2026-12-01", "客户预算冻结")
