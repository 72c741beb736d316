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
