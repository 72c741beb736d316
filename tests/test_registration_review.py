"""SPEC registration_review = true: a new registration is pending, holds its customer against other reps, and the
manager approves or rejects it; the rep hears; the manager's digest lists what waits."""
from __future__ import annotations

import pytest

from conftest import ORG

AT = "2026-11-02T10:00:00+08:00"


@pytest.fixture
def reviewed(make_bot, org_file):
    org_file.write_text(ORG.replace("protection_days = 90", "protection_days = 90\nregistration_review = true"),
                        encoding="utf-8")
    return make_bot()


def test_a_pending_registration_holds_the_customer_until_the_manager_decides(reviewed):
    bot = reviewed
    out = bot.say("alice", "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 13900001111 需求 ERP", at=AT)
    reply = next(o["text"] for o in out if o["kind"] == "reply")
    assert reply.startswith("已报备 2026-SH-001，待主管 Mike 审核；审核期间客户已为你保留")
    [ask] = [o for o in out if o["kind"] == "approval"]
    assert ask["to"] == "mike" and ask["text"].startswith("报备审核：Alice 报备了 2026-SH-001（杭州云栖科技有限公司）")
    assert bot.export()["opportunities"][0]["status"] == "pending"
    assert bot.reply("walt", "报备 杭州云栖科技有限公司 联系人 张三 13700000000", at=AT).startswith("撞单")
    digest = [o for o in bot.tick("2026-11-02T18:05:00+08:00") if o["kind"] == "digest" and o["to"] == "#sales-east"]
    assert "待审核报备：2026-SH-001 杭州云栖科技有限公司 @alice" in digest[0]["text"]
    out = bot.say("mike", "同意 2026-SH-001", at="2026-11-03T09:00:00+08:00")
    assert [(o["to"], o["text"]) for o in out] == [
        ("mike", "已通过 2026-SH-001 的报备。"), ("alice", "Mike 通过了你的报备 2026-SH-001，保护期至 2027-01-31。")]
    opp = bot.export()["opportunities"][0]
    assert opp["status"] == "open" and opp["audit"][-1]["action"] == "registration_approved"


def test_a_rejected_registration_frees_the_customer(reviewed):
    bot = reviewed
    bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 13900001111 需求 ERP", at=AT)
    assert bot.reply("bob", "同意 2026-SH-001", at=AT).startswith("找不到")  # a rep of the team decides nothing
    out = bot.say("mike", "驳回 2026-SH-001 原因 客户不在我们的目标行业", at="2026-11-02T11:00:00+08:00")
    assert [(o["to"], o["text"]) for o in out] == [
        ("mike", "已驳回 2026-SH-001 的报备：客户不在我们的目标行业。"),
        ("alice", "Mike 驳回了你的报备 2026-SH-001：客户不在我们的目标行业。")]
    assert bot.export()["opportunities"][0]["status"] == "invalid"
    assert bot.reply("walt", "报备 杭州云栖科技有限公司 联系人 张三 13700000000", at=AT).startswith("已报备 2026-CD-001")
