"""Issue 13: a registration corrected in chat — every field, old → new in the answer, the audit trail in the
export and in `历史 ID`; only the owner, their manager, a director or admin may change it."""
from __future__ import annotations

import pytest

TENCENT = "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 系统替换 预算 50万 预计 12月底成交 来源 展会"
AT = "2026-11-02T10:00:00+08:00"
LATER = "2026-11-03T10:00:00+08:00"


def registered(bot) -> dict:
    assert bot.reply("alice", TENCENT, at=AT).startswith("已报备 2026-SH-001")
    return bot.export()["opportunities"][0]


@pytest.mark.parametrize("text, answer, stored", [
    ("修改 2026-SH-001 预算 60万", "预算 50万 → 60万", {"budget": 600000, "currency": "CNY"}),
    ("2026-SH-001 预算改成八十万", "预算 50万 → 80万", {"budget": 800000}),
    ("2026-SH-001 预计成交改到1月15日", "预计成交 2026-12-31 → 2027-01-15", {"expected_close": "2027-01-15"}),
    ("修改 2026-SH-001 来源 官网", "来源 展会 → 官网", {"source": "website"}),
    ("更新 2026-SH-001 行业 互联网", "行业 — → 互联网", {"industry": "互联网"}),
    ("修改 2026-SH-001 需求 CRM + 呼叫中心", "需求 CRM 系统替换 → CRM + 呼叫中心", {"need": "CRM + 呼叫中心"}),
    ("修改 2026-SH-001 币种 美元", "币种 CNY → USD", {"currency": "USD"}),
])
def test_each_field_is_corrected_with_old_and_new_in_the_answer(bot, text, answer, stored):
    registered(bot)
    reply = bot.reply("alice", text, at=LATER)
    assert reply == f"已修改 2026-SH-001：{answer}"
    [opp] = bot.export()["opportunities"]
    assert {k: opp[k] for k in stored} == stored
    last = opp["audit"][-1]
    assert (last["by"], last["action"], last["message"]) == ("alice", "edit", text)


def test_english_edits_answer_in_english(bot):
    bot.reply("walt", "register Acme Corp, contact Jane Doe (CTO) jane@acme.com, budget $120k, close by end of Q1, "
                      "need: data platform", at=AT)
    assert bot.reply("walt", "change 2026-CD-001 close date to Feb 1", at=LATER) == \
        "Updated 2026-CD-001: Expected close 2027-03-31 → 2027-02-01"
    assert bot.reply("walt", "edit 2026-CD-001 budget $150k", at=LATER) == \
        "Updated 2026-CD-001: Budget 120,000 USD → 150,000 USD"
    assert bot.export()["opportunities"][0]["budget"] == 150000


def test_an_unreadable_value_or_no_field_changes_nothing_and_says_how(bot):
    before = registered(bot)
    assert bot.reply("alice", "修改 2026-SH-001 预算 很多", at=LATER) == \
        "没看懂新的预算“很多”，2026-SH-001 没有改动。例如：修改 2026-SH-001 预算 60万"
    assert bot.reply("alice", "修改 2026-SH-001", at=LATER).startswith("要修改 2026-SH-001 的哪一项？")
    assert bot.reply("alice", "修改 2026-SH-001 预算 50万", at=LATER) == "2026-SH-001 的预算已经是 50万，没有改动。"
    after = bot.export()["opportunities"][0]
    assert after == before  # no field, no audit entry


def test_renaming_the_customer_checks_duplicates_again_and_moves_protection(bot):
    registered(bot)
    bot.reply("bob", "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 13900001111 需求 ERP", at=AT)
    # bob cannot rename his customer onto alice's: the usual privacy, owner and protection end only
    blocked = bot.reply("bob", "修改 2026-SH-002 客户 深圳市腾讯计算机系统有限公司", at=LATER)
    assert blocked.startswith("撞单：该客户已由 Alice 报备") and "50万" not in blocked and "王磊" not in blocked
    opps = {o["id"]: o for o in bot.export()["opportunities"]}
    assert opps["2026-SH-002"]["customer"] == "杭州云栖科技有限公司"
    # alice corrects hers; the old name is free again, the new one is hers
    assert bot.reply("alice", "修改 2026-SH-001 客户 腾讯云计算（北京）有限责任公司", at=LATER) == \
        "已修改 2026-SH-001：客户 深圳市腾讯计算机系统有限公司 → 腾讯云计算（北京）有限责任公司"
    assert bot.reply("walt", "报备 深圳市腾讯计算机系统有限公司 联系人 张三 13700000000", at=LATER).startswith("已报备")
    assert bot.reply("walt", "报备 腾讯云计算（北京）有限责任公司 联系人 张三 13700000001", at=LATER).startswith(
        "撞单：该客户已由 Alice 报备")


@pytest.mark.parametrize("user, allowed", [("alice", True), ("mike", True), ("dora", True), ("bob", False),
                                           ("wendy", False), ("walt", False)])
def test_who_may_edit(bot, user, allowed):
    registered(bot)
    reply = bot.reply(user, "修改 2026-SH-001 行业 互联网", at=LATER)
    industry = bot.export()["opportunities"][0]["industry"]
    if allowed:
        assert reply == "已修改 2026-SH-001：行业 — → 互联网" and industry == "互联网"
    else:  # another rep or another team's manager does not even learn that it exists
        assert reply.startswith("找不到你可以查看的商机") and industry is None


def test_history_shows_who_changed_what_and_from_which_message(bot):
    registered(bot)
    bot.reply("alice", "修改 2026-SH-001 预算 60万", at=LATER)
    bot.reply("mike", "修改 2026-SH-001 来源 官网", at="2026-11-03T11:00:00+08:00")
    history = bot.reply("alice", "历史 2026-SH-001", at="2026-11-04T09:00:00+08:00").splitlines()
    assert history[0] == "2026-SH-001（深圳市腾讯计算机系统有限公司）的变更记录："
    assert history[1].startswith("• 2026-11-02 10:00 Alice：报备 「报备 深圳市腾讯计算机系统有限公司")
    assert history[2:] == ["• 2026-11-03 10:00 Alice：修改 预算 50万 → 60万 「修改 2026-SH-001 预算 60万」",
                           "• 2026-11-03 11:00 Mike：修改 来源 展会 → 官网 「修改 2026-SH-001 来源 官网」"]
    assert bot.reply("bob", "history 2026-SH-001", at=LATER).startswith('No opportunity "2026-SH-001" that you can see')


def test_a_stage_move_a_close_and_a_release_are_each_in_the_trail(bot):
    """The changes that used to be written in three places without an audit entry: now one home, one trail."""
    registered(bot)
    bot.reply("alice", "输单 2026-SH-001 原因 竞品低价 竞品 销售易", at=LATER)
    audit = bot.export()["opportunities"][0]["audit"]
    assert [a["action"] for a in audit] == ["register", "lost"]
    assert audit[1]["detail"]["changes"]["lost_reason"] == [None, "competitor_price"]
    assert audit[1]["message"] == "输单 2026-SH-001 原因 竞品低价 竞品 销售易"


@pytest.mark.parametrize("text", [
    "2026-SZ-009 update: 客户budget批了，50w，PO预计下周出",
    "2026-WH-002 今天发邮件把修改后的合同草稿给了对方法务",
    "update 2026-SH-001: had a call, they want a demo next week",
    "更新 2026-SH-001 客户那边在走内部流程，预计下周给答复",
])
def test_news_that_says_update_or_修改_is_a_follow_up_not_an_edit(text):
    from datetime import date
    from handlers.parsing import parse
    got = parse(text, today=date(2026, 11, 16))
    assert type(got).__name__ == "FollowUp" and got.ref in ("2026-SZ-009", "2026-WH-002", "2026-SH-001")
