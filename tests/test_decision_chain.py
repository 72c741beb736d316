"""Issue 13: the decision chain is a list the rep keeps true — people added by a follow-up or by 联系人 ID …,
corrected by name, each with a role — and the score and the proposal gate follow it."""
from __future__ import annotations

AT = "2026-11-02T10:00:00+08:00"
LATER = "2026-11-03T10:00:00+08:00"
PURCHASER = "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 13900001111 需求 ERP 预算 30万"


def opp(bot) -> dict:
    return bot.export()["opportunities"][0]


def test_a_registration_with_a_purchaser_only_is_no_dead_end(bot):
    """The gate to 方案推进 needs a decision maker contacted: a follow-up that meets one opens it."""
    bot.reply("alice", PURCHASER, at=AT)
    score_before = opp(bot)["score"]
    reply = bot.reply("alice", "跟进 2026-SH-001 电话 联系人 王总 CEO 决策者 13911112222", at=LATER)
    assert "新联系人：王总 (CEO)" in reply
    after = opp(bot)
    assert [(c["name"], c["role"], c["phone"]) for c in after["contacts"]] == [
        ("李娜", "influencer", "13900001111"), ("王总", "decision_maker", "13911112222")]
    assert after["score"] == score_before + 15  # decision maker contacted: 50% of the chain's 30


def test_contact_command_adds_corrects_and_recasts_a_role(bot):
    bot.reply("alice", PURCHASER, at=AT)
    assert bot.reply("alice", "联系人 2026-SH-001 张伟 CFO 13700001111", at=LATER) == (
        "已为 2026-SH-001 添加联系人 张伟 (CFO) 决策者 13700001111。决策链：决策者 张伟；影响者 李娜；还缺使用者。健康度 34。")
    assert bot.reply("alice", "修改 2026-SH-001 联系人 李娜 电话 13900002222", at=LATER) == (
        "已更新 2026-SH-001 的联系人 李娜：电话 13900001111 → 13900002222。决策链：决策者 张伟；影响者 李娜；还缺使用者。健康度 34。")
    assert bot.reply("alice", "联系人 2026-SH-001 李娜 使用者", at=LATER) == (
        "已更新 2026-SH-001 的联系人 李娜：角色 影响者 → 使用者。决策链：决策者 张伟；使用者 李娜；还缺影响者。健康度 31。")
    stored = opp(bot)
    assert [(c["name"], c["title"], c["role"], c["phone"]) for c in stored["contacts"]] == [
        ("李娜", "采购经理", "user", "13900002222"), ("张伟", "CFO", "decision_maker", "13700001111")]
    assert [a["action"] for a in stored["audit"]] == ["register", "contact", "contact", "contact"]
    assert stored["audit"][-1]["detail"]["changes"]["role"] == ["influencer", "user"]


def test_the_card_says_which_role_is_still_missing(bot):
    bot.reply("alice", PURCHASER, at=AT)
    card = bot.reply("alice", "查看 2026-SH-001", at=LATER)
    assert "决策链还缺: 决策者、使用者" in card


def test_english_contact_and_a_line_with_no_name(bot):
    bot.reply("walt", "register Acme Corp, contact Jane Doe (Procurement Manager) jane@acme.com, need: data platform",
              at=AT)
    reply = bot.reply("walt", "contact 2026-CD-001 Lisa Wong (Head of Data) lisa@acme.com influencer", at=LATER)
    assert reply.startswith("Added Lisa Wong (Head of Data) influencer lisa@acme.com to 2026-CD-001.")
    assert bot.reply("walt", "contact 2026-CD-001 said they'd call back", at=LATER).startswith("Who is it?")
    assert len(opp(bot)["contacts"]) == 2


def test_budget_certainty_stated_on_its_own(bot):
    bot.reply("alice", PURCHASER, at=AT)
    before = opp(bot)["score"]
    assert bot.reply("alice", "2026-SH-001 预算已获批", at=LATER).startswith("已记录跟进 2026-SH-001")
    assert bot.reply("alice", "2026-SH-001 纳入年度计划", at=LATER).startswith("已记录跟进 2026-SH-001")
    assert opp(bot)["score"] == before + 15 + 5


def test_a_rep_cannot_change_anothers_chain(bot):
    bot.reply("alice", PURCHASER, at=AT)
    assert bot.reply("bob", "联系人 2026-SH-001 张伟 CFO", at=LATER).startswith("找不到你可以查看的商机")
    assert len(opp(bot)["contacts"]) == 1


def test_need_fit_is_the_average_of_the_items_rated(bot):
    bot.reply("alice", PURCHASER, at=AT)
    bot.reply("alice", "跟进 2026-SH-001 拜访 需求匹配度 6", at=LATER)  # the single overall number still works
    assert opp(bot)["score"] == 19 + 24
    reply = bot.reply("alice", "评分 2026-SH-001 功能匹配 8 集成 6 价格 10分", at=LATER)
    assert reply == "已为 2026-SH-001 评分：功能匹配 8、系统集成 6、价格匹配 10。需求匹配 8/10（3/10 项已评），健康度 43 → 51。"
    stored = opp(bot)
    assert stored["need_fit"] == {"overall": 6, "features": 8, "integration": 6, "price": 10}
    assert stored["score"] == 51  # the items' average (8) × 4 + chain 9 + budget 10; the overall 6 no longer counts
    assert bot.reply("alice", "评分 2026-SH-001 颜值 8", at=LATER).startswith("没认出这些评分项：颜值。可评：功能匹配、")
    english = bot.reply("walt", "register Acme Corp, contact Jane Doe (CTO) jane@acme.com, need: data platform", at=AT)
    assert english.startswith("Registered 2026-CD-001")
    assert bot.reply("walt", "score 2026-CD-001 features 9 security 7", at=LATER).startswith(
        "Rated 2026-CD-001: features 9, security 7. Need fit 8/10 (2 of 10 items rated)")
