"""查重 / 防撞单 as a story: every signal, every outcome, what each person is told, and what is stored."""
from __future__ import annotations

import pytest

from domain.matching import Party, compare, read_name

AT = "2026-11-02T10:00:00+08:00"
TENCENT = "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 wanglei@tencent.com 需求 CRM 系统替换 预算 50万"


def signal(a: str, b: str, **extra):
    return compare(Party(read_name(a), **extra.get("qa", {})), Party(read_name(b), **extra.get("qb", {})))


@pytest.mark.parametrize("a, b, strength, reason", [
    ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统有限公司", "strong", "exact"),
    ("深圳市腾讯计算机系统有限公司", "腾讯", "strong", "core"),
    ("ＡＢＣ科技（北京）有限公司", "abc科技", "strong", "exact"),
    ("华为技术有限公司", "Huawei", "strong", "pinyin"),
    ("腾讯", "Tencent", "strong", "known"),
    ("International Business Machines Corporation", "IBM", "strong", "acronym"),
    ("北京字节跳动科技有限公司", "北京字节跳动科枝有限公司", "strong", "typo"),
    ("Grupo Lumenta S.A.", "Lumenta", "strong", "contains"),
    ("美的集团", "美的置业", "weak", "contains"),
    ("中国银行", "中国建设银行", None, None),
    ("京东", "东京", None, None),
    ("第一人民医院", "第二人民医院", None, None),
])
def test_name_signals(a, b, strength, reason):
    s = signal(a, b)
    assert (s and s.strength, s and s.reason) == (strength, reason)


def test_contact_signals_and_public_mail_domains():
    phone = frozenset({"13800138000"})
    assert signal("甲公司", "乙集团", qa={"phones": phone}, qb={"phones": phone}).reason == "phone"
    mail = frozenset({"li@acme.com"})
    assert signal("甲公司", "乙集团", qa={"emails": mail}, qb={"emails": mail}).reason == "email"
    s = signal("甲公司", "乙集团", qa={"emails": frozenset({"a@acme.com"})}, qb={"emails": frozenset({"b@acme.com"})})
    assert (s.strength, s.reason) == ("weak", "domain")
    assert signal("甲公司", "乙集团", qa={"emails": frozenset({"a@qq.com"})},
                  qb={"emails": frozenset({"b@qq.com"})}) is None


def test_new_then_conflict_tells_the_rep_only_the_owner_and_the_date(bot):
    bot.reply("alice", TENCENT, at=AT)
    out = bot.say("walt", "报备 腾讯 联系人 赵六 13900000000 需求 ERP", at="2026-11-02T11:00:00+08:00")
    reply = next(o for o in out if o["kind"] == "reply")["text"]
    assert reply == "撞单：该客户已由 Alice 报备，保护期至 2027-01-31。如需接手请联系主管。"
    assert {o["to"] for o in out if o["kind"] == "alert"} == {"alice", "mike", "wendy"}
    for o in out:  # nobody but the owner's side hears the details, and walt never does
        if o["to"] == "walt":
            assert not any(x in o["text"] for x in ("50万", "王磊", "CRM", "13800138000", "2026-SH-001"))
    data = bot.export()
    assert [o["owner"] for o in data["opportunities"]] == ["alice"]
    assert [(c["user"], c["customer"], c["outcome"], c["matched"], c["owner"]) for c in data["conflicts"]] == [
        ("walt", "腾讯", "conflict", "2026-SH-001", "alice")]


def test_the_same_contact_phone_is_a_conflict_under_another_name(bot):
    bot.reply("alice", TENCENT, at=AT)
    reply = bot.reply("bob", "报备 企鹅科技 联系人 王先生 138-0013-8000 需求 OA", at=AT)
    assert reply.startswith("撞单") and "Alice" in reply
    assert bot.export()["conflicts"][0]["outcome"] == "conflict"


def test_my_own_customer_again_points_to_mine(bot):
    bot.reply("alice", TENCENT, at=AT)
    reply = bot.reply("alice", "报备 Tencent 联系人 Pony Ma (CEO) 需求 cloud", at=AT)
    assert "你已经报备过这个客户：2026-SH-001" in reply
    assert bot.export()["conflicts"][0]["outcome"] == "mine"


def test_a_weak_match_is_stored_flagged_and_the_manager_decides(bot):
    bot.reply("alice", "报备 美的集团 联系人 方洪波 总裁 需求 数字化", at=AT)
    out = bot.say("bob", "报备 美的置业 联系人 王强 需求 物业系统", at="2026-11-02T11:00:00+08:00")
    reply = next(o for o in out if o["kind"] == "reply")["text"]
    assert "疑似重复" in reply and "已报备 2026-SH-002" in reply
    [ask] = [o for o in out if o["kind"] == "approval"]
    assert ask["to"] == "mike" and "2026-SH-002" in ask["text"] and "2026-SH-001" in ask["text"]
    opp = bot.export()["opportunities"][1]
    assert (opp["flag"], opp["matched"], opp["owner"]) == ("possible_duplicate", "2026-SH-001", "bob")
    assert bot.export()["conflicts"][0]["outcome"] == "possible"
    out = bot.say("mike", "同意 2026-SH-002", at="2026-11-02T12:00:00+08:00")
    assert "不是重复" in next(o["text"] for o in out if o["kind"] == "reply")
    assert [o["to"] for o in out if o["kind"] == "approval"] == ["bob"]
    assert bot.export()["opportunities"][1]["flag"] is None


def test_a_confirmed_duplicate_is_voided(bot):
    bot.reply("alice", "报备 美的集团 联系人 方洪波 总裁 需求 数字化", at=AT)
    bot.reply("bob", "报备 美的置业 联系人 王强 需求 物业系统", at=AT)
    assert "已作废" in bot.reply("mike", "驳回 2026-SH-002", at="2026-11-02T12:00:00+08:00")
    assert bot.export()["opportunities"][1]["status"] == "invalid"


def test_override_request_reassigns_when_the_manager_approves(bot):
    bot.reply("alice", TENCENT, at=AT)
    bot.reply("bob", "报备 腾讯 联系人 赵六 需求 ERP", at=AT)
    out = bot.say("bob", "申请接手 客户是我先接触的", at="2026-11-02T11:00:00+08:00")
    assert "已向主管申请" in next(o["text"] for o in out if o["kind"] == "reply")
    [ask] = [o for o in out if o["kind"] == "approval"]
    assert ask["to"] == "mike" and "客户是我先接触的" in ask["text"]
    out = bot.say("mike", "同意 2026-SH-001", at="2026-11-02T12:00:00+08:00")
    assert {o["to"] for o in out if o["kind"] == "approval"} == {"alice", "bob"}
    assert bot.export()["opportunities"][0]["owner"] == "bob"
    assert "深圳市腾讯" in bot.reply("bob", "查看 2026-SH-001", at="2026-11-02T12:05:00+08:00")


def test_override_can_share_instead(bot):
    bot.reply("alice", TENCENT, at=AT)
    bot.reply("bob", "报备 腾讯 联系人 赵六 需求 ERP", at=AT)
    bot.reply("bob", "申请接手", at=AT)
    assert "共同跟进" in bot.reply("mike", "同意 2026-SH-001 共享", at=AT)
    assert bot.export()["opportunities"][0]["owner"] == "alice"
    assert "深圳市腾讯" in bot.reply("bob", "查看 2026-SH-001", at=AT)  # shared: bob sees it now
    assert "没有被拦截" in bot.reply("walt", "申请接手", at=AT)


def test_an_alias_a_rep_records_is_matched_like_the_name(bot):
    bot.reply("alice", TENCENT, at=AT)
    assert "添加别名“鹅厂”" in bot.reply("alice", "别名 腾讯 = 鹅厂", at=AT)
    assert bot.reply("walt", "报备 鹅厂 联系人 赵六 需求 ERP", at=AT).startswith("撞单")


def test_protection_warning_release_to_the_pool_and_claim(bot):
    bot.reply("alice", "报备 杭州云栖科技 联系人 李娜 需求 数据平台", at=AT)  # protected until 2027-01-31
    assert [o for o in bot.tick("2027-01-24T09:00:00+08:00") if "保护期" in o["text"]] == []  # a Sunday: it waits
    warn = [o for o in bot.tick("2027-01-25T09:00:00+08:00") if o["kind"] == "reminder" and "保护期" in o["text"]]
    assert [o["to"] for o in warn] == ["alice"] and "2027-01-31" in warn[0]["text"]
    assert [o for o in bot.tick("2027-01-26T09:00:00+08:00") if "保护期" in o["text"]] == []  # once
    out = bot.tick("2027-02-01T09:00:00+08:00")
    assert {(o["to"], o["kind"]) for o in out if "公海" in o["text"]} == {("alice", "alert"), ("#sales-east", "alert")}
    assert bot.export()["opportunities"][0]["status"] == "public"
    assert "之后才能重新认领" in bot.reply("alice", "认领 2026-SH-001", at="2027-02-02T10:00:00+08:00")
    assert "已认领 2026-SH-001" in bot.reply("bob", "认领 2026-SH-001", at="2027-02-02T10:00:00+08:00")
    opp = bot.export()["opportunities"][0]
    assert (opp["owner"], opp["status"], opp["protected_until"]) == ("bob", "open", "2027-05-03")
    assert bot.reply("walt", "报备 杭州云栖科技 联系人 王五 需求 BI", at="2027-02-03T10:00:00+08:00").startswith("撞单")


def test_a_released_customer_can_be_registered_fresh(bot):
    bot.reply("alice", "报备 杭州云栖科技 联系人 李娜 需求 数据平台", at=AT)
    bot.tick("2027-02-01T09:00:00+08:00")
    reply = bot.reply("walt", "报备 杭州云栖科技 联系人 王五 需求 BI", at="2027-02-02T10:00:00+08:00")
    assert reply.startswith("已报备 2027-CD-001")


@pytest.mark.parametrize("written, key, core", [
    ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统", "腾讯"),
    ("腾讯科技（深圳）有限公司", "腾讯科技", "腾讯"),
    ("阿里巴巴（中国）网络技术有限公司", "阿里巴巴网络技术", "阿里巴巴"),
    ("广东省深圳市大疆创新科技有限公司", "大疆创新科技", "大疆"),
    ("中国农业发展银行", "农业发展银行", "农业发展银行"),  # generic words only come off the end
    ("青岛啤酒股份有限公司", "青岛啤酒", "青岛啤酒"),  # a city before a bare noun stays
    ("ＡＢＣ　科技", "abc科技", "abc"),
    ("The Coca-Cola Company", "cocacola", "cocacola"),
    ("Nestlé S.A.", "nestle", "nestle"),
    ("Salesforce.com, Inc.", "salesforce", "salesforce"),
    ("科大讯飞股份有线公司", "科大讯飞", "科大讯飞"),  # an IME slip in the legal form
])
def test_normalisation_rules(written, key, core):
    name = read_name(written)
    assert (name.key, name.core) == (key, core)


def test_the_index_is_rebuilt_when_the_matching_rules_change(make_bot):
    from sqlalchemy import delete, select

    from storage import models as m
    bot = make_bot()
    bot.reply("alice", TENCENT, at=AT)
    bot.reply("bob", "报备 杭州云栖科技有限公司 联系人 李娜 13912345678 li.na@yunqi.cn 需求 MES", at=AT)
    bot.reply("walt", "报备 Acme Robotics Inc. contact John Smith need CRM", at=AT)

    def index(s):
        return (sorted(s.execute(select(m.MatchKey.customer_id, m.MatchKey.key)).all()),
                sorted(s.execute(select(m.ProtectedKey.key, m.ProtectedKey.opportunity_id)).all()))
    with bot.deps.sessions.begin() as s:  # as if the index had been built by older rules
        filed = index(s)
        s.execute(delete(m.MatchKey))
        s.execute(delete(m.ProtectedKey))
        s.get(m.IndexState, "match").version = "older rules"
    restarted = make_bot()
    with restarted.deps.sessions() as s:  # refiled as the registrations filed them: every key, every holder
        assert index(s) == filed and len(filed[0]) > 20 and len(filed[1]) == 3
    assert restarted.reply("walt", "报备 腾讯 联系人 赵六 需求 ERP", at=AT).startswith("撞单")
    assert restarted.reply("walt", "报备 云栖科技 联系人 王五 13912345678 需求 ERP", at=AT).startswith("撞单")


def test_a_hand_over_request_goes_only_to_the_manager_who_can_approve_it(bot):
    """Issue 14: Walt (West) hits Alice's (East) customer; Wendy is told of the conflict, but only Mike, who can
    decide on an East opportunity, is asked to hand it over."""
    bot.reply("alice", TENCENT, at=AT)
    out = bot.say("walt", "报备 腾讯 联系人 赵六 需求 ERP", at=AT)
    assert {o["to"] for o in out if o["kind"] == "alert"} == {"alice", "mike", "wendy"}
    out = bot.say("walt", "申请接手 客户是我先接触的", at="2026-11-02T11:00:00+08:00")
    assert [o["to"] for o in out if o["kind"] == "approval"] == ["mike"]
    assert "找不到" in bot.reply("wendy", "同意 2026-SH-001", at="2026-11-02T12:00:00+08:00")
    bot.reply("mike", "同意 2026-SH-001", at="2026-11-02T12:00:00+08:00")
    assert bot.export()["opportunities"][0]["owner"] == "walt"
