"""Seed 001 五(二) 跨部门协作: request → accepted / refused (to the director) / unanswered (reminder, then the
manager); both sides rate it; a team rated below 8 twice in a row is flagged to the director."""
from __future__ import annotations

import pytest

from conftest import ORG

SUPPORT_ORG = ORG + '''[[users]]
id = "pete"
name = "Pete"
role = "presales"
team = "East"
'''
AT = "2026-11-02T10:00:00+08:00"  # a Monday


@pytest.fixture
def bot(make_bot, org_file):
    org_file.write_text(SUPPORT_ORG, encoding="utf-8")
    made = make_bot()
    for n, customer in enumerate(("杭州云栖科技有限公司", "苏州恒立精密机械有限公司")):
        made.reply("alice", f"报备 {customer} 联系人 李娜 采购经理 1390000111{n} 需求 ERP", at=AT)
    return made


def test_accepted_then_rated_by_both_sides(bot):
    out = bot.say("alice", "申请支持 2026-SH-001 售前 方案演示 11月20日前", at=AT)
    assert [(o["to"], o["text"]) for o in out] == [
        ("alice", "已向售前（Pete）申请支持 2026-SH-001：方案演示，2026-11-20 前。他们会在 24 小时内答复。"),
        ("pete", "支持申请：Alice 请售前支持 2026-SH-001（杭州云栖科技有限公司）：方案演示，2026-11-20 前。"
                 "回复：接受 2026-SH-001 或 拒绝 2026-SH-001 原因 …（24 小时内）")]
    assert bot.reply("pete", "查看 2026-SH-002", at=AT).startswith("找不到")  # presales see what they were asked for
    out = bot.say("pete", "接受 2026-SH-001", at="2026-11-02T11:00:00+08:00")
    assert [o["to"] for o in out] == ["pete", "alice"] and "接受了 2026-SH-001 的支持申请" in out[1]["text"]
    assert bot.reply("alice", "评价 2026-SH-001 9", at="2026-11-10T10:00:00+08:00") == "已记录评价 2026-SH-001：9 分。"
    assert bot.reply("pete", "评价 2026-SH-001 8", at="2026-11-10T10:00:00+08:00") == "已记录评价 2026-SH-001：8 分。"
    assert bot.reply("alice", "评价 2026-SH-001 9", at="2026-11-10T10:00:00+08:00").startswith("2026-SH-001 没有已接受")
    actions = [a["action"] for a in bot.export()["opportunities"][0]["audit"]]
    assert actions[-4:] == ["support_request", "support_accepted", "support_rated", "support_rated"]


def test_a_refusal_needs_a_reason_and_goes_to_the_director(bot):
    bot.reply("alice", "申请支持 2026-SH-001 售前 方案演示", at=AT)
    assert bot.reply("pete", "拒绝 2026-SH-001", at=AT).startswith("拒绝需要说明原因")
    out = bot.say("pete", "拒绝 2026-SH-001 原因 本周排期已满", at=AT)
    assert [o["to"] for o in out] == ["pete", "alice", "dora"]
    assert out[2]["text"] == "支持被拒：Pete（售前）拒绝了 Alice 对 2026-SH-001（杭州云栖科技有限公司）的申请：本周排期已满。"


def test_no_answer_in_24_hours_reminds_then_the_manager_hears(bot):
    bot.reply("alice", "申请支持 2026-SH-001 售前 方案演示", at="2026-11-06T16:00:00+08:00")  # a Friday
    assert [o for o in bot.tick("2026-11-06T17:00:00+08:00") if "support" in o.get("kind", "") or "24 小时" in o["text"]] == []
    monday = bot.tick("2026-11-09T16:00:00+08:00")  # 24 hours on working days: Monday 16:00
    assert [(o["to"], o["kind"]) for o in monday if "支持申请" in o["text"]] == [("pete", "reminder")]
    tuesday = bot.tick("2026-11-10T16:00:00+08:00")
    assert [(o["to"], o["kind"]) for o in tuesday if "未答复" in o["text"]] == [("mike", "escalation")]
    assert [o for o in bot.tick("2026-11-11T16:00:00+08:00") if "支持申请" in o["text"] or "未答复" in o["text"]] == []


def test_a_team_rated_below_8_twice_in_a_row_is_flagged_once(bot):
    for n in (1, 2):
        bot.reply("alice", f"申请支持 2026-SH-00{n} 售前 方案演示", at=AT)
        bot.reply("pete", f"接受 2026-SH-00{n}", at=AT)
    assert [o for o in bot.say("alice", "评价 2026-SH-001 6", at=AT) if o["to"] == "dora"] == []
    [flag] = [o for o in bot.say("alice", "评价 2026-SH-002 7", at=AT) if o["to"] == "dora"]
    assert flag["text"] == "协作预警：售前连续两次协作评分低于 8 分（2026-SH-001、2026-SH-002），需整改。"
