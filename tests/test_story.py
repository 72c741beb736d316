"""The walking skeleton as a story: register, follow up, list, and what is stored (export)."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry

TENCENT = ("报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 系统替换 "
           "预算 50万 预计 12月底成交 来源 展会")


def test_alice_registers_follows_up_and_lists_her_opportunities(bot):
    reply = bot.reply("alice", TENCENT, at="2026-11-02T10:00:00+08:00")
    assert "2026-SH-001" in reply and "2027-01-31" in reply
    assert "王磊" in reply and "决策者" in reply and "50万" in reply
    assert "负责人: Alice" in reply and "来源: 展会" in reply

    reply = bot.reply("alice", "跟进 2026-SH-001 电话沟通，客户确认预算已获批，下一步：下周二现场演示",
                      at="2026-11-03T15:00:00+08:00")
    assert "已记录跟进 2026-SH-001" in reply and "2026-11-10 现场演示" in reply

    reply = bot.reply("alice", "我的商机", at="2026-11-03T16:00:00+08:00")
    assert "2026-SH-001" in reply and "深圳市腾讯计算机系统有限公司" in reply
    assert "50万" in reply and "50.00" not in reply

    [opp] = bot.export()["opportunities"]
    assert {k: opp[k] for k in ("id", "customer", "owner", "team", "stage", "status", "need", "budget",
                                "currency", "expected_close", "source", "flag")} == {
        "id": "2026-SH-001", "customer": "深圳市腾讯计算机系统有限公司", "owner": "alice", "team": "East",
        "stage": "discovery", "status": "open", "need": "CRM 系统替换", "budget": 500000, "currency": "CNY",
        "expected_close": "2026-12-31", "source": "exhibition", "flag": None}
    assert opp["contacts"] == [{"name": "王磊", "title": "技术总监", "role": "decision_maker",
                                "phone": "13800138000", "email": None}]
    # 90 days from 11-02, plus 30 for the follow-up
    assert opp["protected_until"] == "2027-03-02"
    assert opp["score"] == 40  # decision maker 15 + budget stated 10 + approved 15 (the follow-up said 预算已获批)
    [fu] = opp["follow_ups"]
    assert fu["by"] == "alice" and fu["channel"] == "phone"
    assert fu["next_action"] == "现场演示" and fu["next_action_date"] == "2026-11-10"
    assert fu["at"] == "2026-11-03T15:00:00+08:00"
    assert opp["stage_history"] == [{"at": "2026-11-02T10:00:00+08:00", "from": None, "to": "discovery",
                                     "by": "alice"}]
    with bot.deps.sessions() as s:  # the audit trail: who, when, what, and the message it came from
        trail = [(a.user_id, a.action, a.entity_id, a.message) for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert [t[:3] for t in trail] == [("alice", "register", "2026-SH-001"), ("alice", "follow_up", "2026-SH-001")]
    assert trail[0][3] == TENCENT


def test_a_follow_up_can_name_the_customer_instead_of_the_id(bot):
    bot.reply("alice", TENCENT, at="2026-11-02T10:00:00+08:00")
    reply = bot.reply("alice", "跟进 腾讯 拜访了采购部，客户在内部讨论，3天后再联系", at="2026-11-04T10:00:00+08:00")
    assert "2026-SH-001" in reply
    [fu] = bot.export()["opportunities"][0]["follow_ups"]
    assert fu["channel"] == "visit" and fu["next_action"] == "再联系" and fu["next_action_date"] == "2026-11-07"


def test_english_registration_gets_an_english_answer(bot):
    reply = bot.reply("walt", "register Acme Corp, contact Jane Doe (CTO) jane@acme.com, budget $120k, "
                              "close by end of Q1, need: data platform", at="2026-11-02T10:00:00+08:00")
    assert reply.startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "Acme Corp" and opp["budget"] == 120000 and opp["currency"] == "USD"
    assert opp["expected_close"] == "2027-03-31" and opp["need"] == "data platform"
    assert opp["contacts"] == [{"name": "Jane Doe", "title": "CTO", "role": "decision_maker", "phone": None,
                                "email": "jane@acme.com"}]


def test_key_value_registration(bot):
    reply = bot.reply("alice", "报备：客户=杭州云栖科技；联系人=李娜(采购经理)；预算=三十万；下月中旬签约",
                      at="2026-11-02T10:00:00+08:00")
    assert "2026-SH-001" in reply
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "杭州云栖科技" and opp["budget"] == 300000
    assert opp["expected_close"] == "2026-12-15"
    assert opp["contacts"][0]["name"] == "李娜" and opp["contacts"][0]["role"] == "influencer"


def test_registering_an_owned_customer_again_points_to_the_first(bot):
    bot.reply("alice", TENCENT, at="2026-11-02T10:00:00+08:00")
    reply = bot.reply("alice", "报备 腾讯计算机系统有限公司 需求 OA", at="2026-11-02T11:00:00+08:00")
    assert "2026-SH-001" in reply and "你已经报备过" in reply
    data = bot.export()
    assert len(data["opportunities"]) == 1
    assert data["conflicts"][0]["outcome"] == "mine"


def test_another_rep_is_blocked_and_learns_only_owner_and_protection_end(bot):
    bot.reply("alice", TENCENT, at="2026-11-02T10:00:00+08:00")
    out = bot.say("walt", "报备 深圳腾讯计算机系统有限公司 联系人 赵六 13900000000 需求 ERP",
                  at="2026-11-02T11:00:00+08:00")
    reply = next(o for o in out if o["kind"] == "reply")
    assert reply["to"] == "walt" and "Alice" in reply["text"] and "2027-01-31" in reply["text"]
    for secret in ("50万", "500000", "王磊", "CRM", "13800138000"):
        assert secret not in reply["text"]
    told = {o["to"] for o in out if o["kind"] == "alert"}
    assert told == {"alice", "mike", "wendy"}  # the owner and both managers
    data = bot.export()
    assert [o["owner"] for o in data["opportunities"]] == ["alice"]
    [c] = data["conflicts"]
    assert (c["user"], c["outcome"], c["matched"], c["owner"]) == ("walt", "conflict", "2026-SH-001", "alice")


def test_show_gives_the_card_with_follow_ups_and_history(bot):
    bot.reply("alice", TENCENT, at="2026-11-02T10:00:00+08:00")
    bot.reply("alice", "跟进 2026-SH-001 电话沟通 客户很感兴趣", at="2026-11-03T10:00:00+08:00")
    reply = bot.reply("alice", "查看 2026-SH-001", at="2026-11-03T11:00:00+08:00")
    assert "客户很感兴趣" in reply and "商机发现" in reply and "健康度: 25（需求匹配 0/40 + 决策链 15/30 + 预算 10/30）" in reply


def test_a_rep_cannot_see_another_reps_opportunity(bot):
    bot.reply("alice", TENCENT, at="2026-11-02T10:00:00+08:00")
    reply = bot.reply("bob", "查看 2026-SH-001", at="2026-11-02T11:00:00+08:00")
    assert "找不到" in reply and "腾讯" not in reply
    reply = bot.reply("mike", "查看 2026-SH-001", at="2026-11-02T11:00:00+08:00")
    assert "深圳市腾讯计算机系统有限公司" in reply  # the manager sees the team's


def test_help_in_both_languages(bot):
    assert "报备" in bot.reply("alice", "帮助", at="2026-11-02T10:00:00+08:00")
    assert "register" in bot.reply("alice", "help", at="2026-11-02T10:00:00+08:00")


def test_a_manager_sees_the_team_pipeline_by_owner_and_a_rep_only_their_own(bot):
    """Issue 15's first question: 团队商机. Mike (East) sees alice's and bob's open opportunities grouped under each
    owner with their budget; walt's West one is not his to see; a rep is told it is a manager's view."""
    at = "2026-11-02T10:00:00+08:00"
    bot.reply("alice", TENCENT, at=at)
    bot.reply("alice", "报备 北京字节跳动科技有限公司 联系人 李娜 需求 数据平台 预算 30万", at=at)
    bot.reply("bob", "报备 杭州海康威视数字技术股份有限公司 联系人 张伟 需求 安防平台 预算 20万", at=at)
    bot.reply("walt", "报备 宁德时代新能源科技股份有限公司 联系人 周敏 需求 MES 预算 80万", at=at)
    lines = bot.reply("mike", "团队商机", at=at).splitlines()
    assert lines[0] == "团队商机 · East 团队：3 个进行中，2 位负责人"
    assert lines[1] == "@alice：2 个，预算合计 80万"
    assert lines[2].startswith("  • 2026-SH-001 深圳市腾讯计算机系统有限公司") and "@alice" not in lines[2]
    assert lines[4] == "@bob：1 个，预算合计 20万" and "宁德时代" not in "\n".join(lines)
    assert bot.reply("dora", "team pipeline", at=at).splitlines()[0] == "Team pipeline · everyone: 4 open, 3 owners"
    own = bot.reply("bob", "团队商机", at=at)
    assert own.startswith("团队商机由主管查看；这是你自己的：") and "海康威视" in own and "腾讯" not in own
