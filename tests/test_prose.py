"""Registrations and follow-ups as reps really write them: sentences, cards, several people, a customer the bot is
not sure of. Each story checks the reply and what was stored."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from handlers.parsing import parse
from storage import models as m

AT = "2026-11-16T10:00:00+08:00"


def opportunities(bot) -> int:
    with bot.deps.sessions() as s:
        return s.scalar(select(func.count()).select_from(m.Opportunity))


def test_a_narrative_registration_is_read_sentence_by_sentence(bot):
    reply = bot.reply("alice", "报备 今天接到一个电话，苏州恒立精密机械有限公司的赵总，想做MES，预算说是八十来万，"
                               "预计年底前定下来。对接人是他们的设备部部长许国平，手机13962187735。", at=AT)
    assert reply.startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "苏州恒立精密机械有限公司"
    assert (opp["need"], opp["budget"], opp["expected_close"], opp["source"]) == ("MES", 800000, "2026-12-31", "phone")
    assert [(c["name"], c["title"]) for c in opp["contacts"]] == [("赵总", None), ("许国平", "设备部部长")]
    assert opp["contacts"][1]["phone"] == "13962187735" and opp["contacts"][1]["role"] == "decision_maker"


def test_a_forwarded_card_registers_without_a_verb(bot):
    card = "名片如下\n王晓东\n销售总监\n深圳市大疆创新科技有限公司\n13800138000\nwxd@dji.com\n想做经销商门户"
    assert bot.reply("alice", card, at=AT).startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "深圳市大疆创新科技有限公司" and opp["need"] == "经销商门户"
    assert opp["contacts"] == [{"name": "王晓东", "title": "销售总监", "role": "decision_maker",
                                "phone": "13800138000", "email": "wxd@dji.com"}]


def test_several_people_in_casual_english(bot):
    reply = bot.reply("walt", "register: Crestview Credit Union. met Jane Alvarez (VP Ops) and her boss Mark Feldman, "
                              "the CEO. they want digital account opening, budget approx $250k", at=AT)
    assert reply.startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "Crestview Credit Union" and (opp["budget"], opp["currency"]) == (250000, "USD")
    assert [(c["name"], c["title"], c["role"]) for c in opp["contacts"]] == [
        ("Jane Alvarez", "VP Ops", "decision_maker"), ("Mark Feldman", "CEO", "decision_maker")]


def test_a_customer_read_from_a_weak_signal_is_asked_about_first(bot):
    reply = bot.reply("alice", "报备 昨天展会上加的，海川智联，对接人是信息部经理刘洋，想做设备联网", at=AT)
    assert "客户是「海川智联」吗？回复 是，或直接发正确的客户名" in reply and "刘洋 (信息部经理)" in reply
    assert opportunities(bot) == 0  # nothing stored while the name is in doubt
    reply = bot.reply("alice", "不是，是海川智联科技有限公司", at="2026-11-16T10:01:00+08:00")
    assert reply.startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "海川智联科技有限公司" and opp["source"] == "exhibition"


def test_yes_keeps_the_name_the_bot_read_and_english_asks_in_english(bot):
    reply = bot.reply("walt", "register - talked to their CFO Linda Park at Zebra today, wants AP automation",
                      at=AT)
    assert 'Is the customer "Zebra"? Reply yes, or send the right name' in reply
    assert bot.reply("walt", "yes", at="2026-11-16T10:01:00+08:00").startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "Zebra" and opp["contacts"][0]["name"] == "Linda Park"


def test_a_sentence_is_never_stored_as_the_customer(bot):
    reply = bot.reply("alice", "报备个客户，联系人王总，做跨境电商的，想要一套ERP，电话18616652093", at=AT)
    assert "还差客户名称" in reply and opportunities(bot) == 0


def test_the_customer_is_stored_as_typed_and_matched_in_every_form(bot):
    names = ["联想（北京）有限公司", "Globex Pte. Ltd.", "Initech Co., Ltd.", "Acme Inc."]
    for n, name in enumerate(names):
        reply = bot.reply("walt", f"register {name}, contact Jane Doe (CTO), need: data platform",
                          at=f"2026-11-16T10:0{n}:00+08:00")
        assert reply.startswith(("Registered", "已报备")) and name in reply
    assert [o["customer"] for o in bot.export()["opportunities"]] == names
    # 查重 still folds them: the half-width brackets and a missing dot are the same customer
    assert "撞单" in bot.reply("alice", "报备 联想(北京)有限公司 联系人 王磊 需求 CRM", at="2026-11-16T11:00:00+08:00")
    assert "conflict" in bot.reply("bob", "register Globex Pte Ltd, contact Tom Li, need: ERP",
                                   at="2026-11-16T11:01:00+08:00").lower() or opportunities(bot) == 4


def test_a_follow_up_that_meets_new_people_adds_them_and_the_score_moves(bot):
    bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 需求 数据平台", at=AT)
    before = bot.export()["opportunities"][0]["score"]
    reply = bot.reply("alice", "跟进 2026-SH-001 今天上午去客户那边拜访了，见了他们CFO张伟，约了下周二去现场演示",
                      at="2026-11-17T10:00:00+08:00")
    assert "新联系人：张伟 (CFO)" in reply and "2026-11-24" in reply
    [opp] = bot.export()["opportunities"]
    assert [(c["name"], c["role"]) for c in opp["contacts"]] == [("李娜", "influencer"), ("张伟", "decision_maker")]
    assert opp["score"] > before and opp["follow_ups"][0]["next_action_date"] == "2026-11-24"


def test_an_id_first_follow_up_needs_no_verb_and_reads_the_next_steps_date(bot):
    bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 需求 数据平台", at=AT)
    reply = bot.reply("alice", "2026-SH-001 电话沟通了一下，客户说还在内部讨论，集团年底统一控费，明年1月初再联系",
                      at="2026-11-17T10:00:00+08:00")
    assert reply.startswith("已记录跟进 2026-SH-001")
    [fu] = bot.export()["opportunities"][0]["follow_ups"]
    assert (fu["channel"], fu["next_action_date"]) == ("phone", "2027-01-05")


def test_the_rules_alone_still_read_a_labelled_registration():
    text = "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 系统替换 预算 50万"
    with_tagger, rules = parse(text, today=date(2026, 11, 16)), parse(text, today=date(2026, 11, 16), tagger=None)
    assert with_tagger == rules
    assert rules.customer == "深圳市腾讯计算机系统有限公司" and rules.contacts[0].title == "技术总监"


def test_a_rep_correcting_themself_is_read_as_meant(bot):
    reply = bot.reply("alice", "报备 杭州云澜数据科技有限公司，对接人陈晨，想做数据中台，预算1.5亿？不对，是150万", at=AT)
    assert reply.startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["need"], opp["budget"]) == ("杭州云澜数据科技有限公司", "数据中台", 1500000)


def test_a_new_lead_told_in_english_without_a_verb_is_a_registration(bot):
    reply = bot.reply("walt", "heads up, inbound call this morning from Westbrook Dental Group — practice manager Kim "
                              "Lee wants online booking for their 6 clinics, budget is about eighty thousand dollars",
                      at=AT)
    assert reply.startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["need"], opp["source"]) == ("Westbrook Dental Group", "online booking for their 6 clinics", "phone")
    assert (opp["budget"], opp["currency"]) == (80000, "USD")
    assert [(c["name"], c["title"]) for c in opp["contacts"]] == [("Kim Lee", "practice manager")]


def test_a_card_gives_the_title_on_the_line_next_to_the_name(bot):
    card = ("fwd card:\nHarbor Point Logistics LLC\nANA SILVA\nDirector of Yard and Terminal Operations\n"
            "ana.silva@harborpoint.com\nmet her at the expo, wants a yard management system")
    assert bot.reply("walt", card, at=AT).startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert opp["customer"] == "Harbor Point Logistics LLC" and opp["source"] == "exhibition"
    assert [(c["name"], c["title"], c["email"]) for c in opp["contacts"]] == [
        ("ANA SILVA", "Director of Yard and Terminal Operations", "ana.silva@harborpoint.com")]


def test_in_a_follow_up_the_contact_who_speaks_is_known_and_the_one_met_is_new(bot):
    bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 沈经理 13900001111 需求 数据平台", at=AT)
    reply = bot.reply("alice", "跟进 2026-SH-001 沈经理说他们老板还在犹豫，今天也见了他们CFO何静，下周三再过去",
                      at="2026-11-17T10:00:00+08:00")
    assert "新联系人：何静 (CFO)" in reply and "沈经理 (" not in reply
    [opp] = bot.export()["opportunities"]
    assert [c["name"] for c in opp["contacts"]] == ["沈经理", "何静"]
    assert opp["follow_ups"][0]["next_action_date"] == "2026-11-25"


def test_a_parent_is_the_customer_when_its_unit_is_not_named(bot):
    reply = bot.reply("alice", "报备 老客户介绍的，山东鲁北盐化集团有限公司下面的物流公司要做TMS，对接人尹总", at=AT)
    assert reply.startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["source"]) == ("山东鲁北盐化集团有限公司", "referral")


def test_traditional_chinese_is_read_stored_as_typed_and_matched_against_simplified(bot):
    reply = bot.reply("alice", "報備 客戶：台中精機股份有限公司 聯絡人：林經理 0912-345-678 需求：設備聯網", at=AT)
    assert reply.startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["need"]) == ("台中精機股份有限公司", "設備聯網")
    assert [(c["name"], c["phone"]) for c in opp["contacts"]] == [("林經理", "0912345678")]
    reply = bot.reply("bob", "报备 台中精机股份有限公司 联系人 王磊 13800138000 需求 MES", at=AT)
    assert reply.startswith("撞单") and opportunities(bot) == 1


def test_a_question_about_an_opportunity_is_not_logged_as_its_follow_up():
    today = date(2026, 11, 16)
    asked = parse("帮我看一下2026-SH-001这单现在什么情况了？客户那边有消息吗，我想知道一下", today=today)
    told = parse("今天一早接到甘肃陇原种业的电话，就是2026-SH-001那个，他们说预算上周董事会已经批了，一百五十万", today=today)
    assert type(asked).__name__ == "Show" and asked.ref == "2026-SH-001"
    assert type(told).__name__ == "FollowUp" and told.ref == "2026-SH-001" and told.budget == 1500000


def test_phones_in_their_local_groups_and_lakhs_are_read_as_written(bot):
    text = ("register: Deccan Pharma Distributors Pvt. Ltd., Hyderabad. spoke to Srinivas Reddy, MD, 98490 22318. "
            "need: DMS for their retailer network. budget 30 lakh. lead from Pharma Expo Mumbai")
    assert bot.reply("walt", text, at=AT).startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["budget"], opp["currency"]) == ("Deccan Pharma Distributors Pvt. Ltd.", 3000000, "INR")
    assert [(c["name"], c["phone"]) for c in opp["contacts"]] == [("Srinivas Reddy", "9849022318")]


@pytest.mark.parametrize("text, industry", [
    ("报备 深圳鑫达电路有限公司 做PCB的 对接人 王经理 13800001111 要一套MES", "PCB"),
    ("报备：Harbour Line Freight Pty Ltd，悉尼的物流公司。对接人 Tom Reid，要 TMS", "物流公司"),
    ("quick one - Bluecrest Cycles Co, ecommerce bike parts shop, inbound call. guy is Kyle (owner), wants a WMS",
     "ecommerce bike parts shop"),
    ("register Kaveri Mills Pvt Ltd (Salem, they do cotton yarn spinning). GM Ravi Kumar wants an ERP", "cotton yarn spinning"),
    ("報備 台中精密光學股份有限公司，做光學鏡頭的，聯絡人 陳經理，要PLM", "光學鏡頭"),  # stored as typed
    ("报备 常熟锦程纺织有限公司。该公司主营功能性面料，年产值两亿。对接人 吴经理，要一套APS", "功能性面料"),
    ("报备 佛山顺德美林电器有限公司，该公司为一家中型小家电企业，对接人 何总，要MES", "小家电"),
    ("register Arcot Spice Works Pvt Ltd, they make masala blends out of Chennai. contact Mr Venkat, wants an ERP",
     "masala blends"),
    ("new opp. Tanjong Marine Services Sdn Bhd. Marine engineering firm in Pasir Gudang. contact Mr Lim, wants CMMS",
     "Marine engineering firm"),
    ("客戶：屏東鮮果冷藏股份有限公司\n產業：蔬果冷鏈\n窗口：陳小姐\n需求：倉儲系統", "蔬果冷鏈"),
])
def test_the_customers_trade_said_in_passing_is_its_industry(text, industry):
    got = parse(text, today=date(2026, 11, 16))
    assert type(got).__name__ == "Register" and got.industry == industry


def test_a_follow_up_told_as_following_up_is_logged_not_taken_as_a_win(bot):
    """'Following' holds the letters of 'win': a verb is a whole word, and the follow-up keeps its own text."""
    got = parse("Following up on opportunity 2026-SG-031: met their new finance head today, she wants a revised quote",
                today=date(2026, 11, 16))
    assert type(got).__name__ == "FollowUp" and got.ref == "2026-SG-031"
    assert got.content.startswith("met their new finance head today")


def test_two_labelled_people_and_a_number_said_with_one_of_them(bot):
    text = ("【报备】\n公司：洛阳中原轴承有限公司\n联系人：钱立新（副总经理）/ 孔敏（采购经理）\n联系电话：孔经理 13837912345\n"
            "需求：设备点检系统")
    assert bot.reply("alice", text, at=AT).startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert [(c["name"], c["title"], c.get("phone")) for c in opp["contacts"]] == [
        ("钱立新", "副总经理", None), ("孔敏", "采购经理", "13837912345")]


def test_a_card_with_an_office_line_and_a_mobile_keeps_the_mobile():
    card = ("fwd card\nRina Kusuma\nHead of Procurement\nPT Sinar Laut Logistik Tbk\nTelp. (021) 5550 1234\n"
            "HP 0813-2233-4455\nrina@sinarlaut.co.id\nwants a TMS")
    got = parse(card, today=date(2026, 11, 16))
    assert got.customer == "PT Sinar Laut Logistik Tbk"
    assert [(c.name, c.phone) for c in got.contacts] == [("Rina Kusuma", "081322334455")]


@pytest.mark.parametrize("said, source, close", [
    ("來源：高雄國際食品展\n預計成交：明年第二季", "exhibition", "2027-06-30"),
    ("渠道是抖音广告来的，希望年尾前签", "ad", "2026-12-31"),
    ("預計 2027/3 簽約，朋友轉介的", "referral", "2027-03-31"),
])
def test_sources_and_closes_in_the_forms_reps_write(said, source, close):
    got = parse(f"报备 客户：台南永丰机械股份有限公司\n联系人：林经理\n{said}", today=date(2026, 11, 16))
    assert (got.source, got.expected_close.isoformat()) == (source, close)


def test_a_new_registration_while_a_name_is_in_doubt_is_its_own_registration(bot):
    """The question 客户是「X」吗？ is answered by a name (or 报备 and a name); a whole new registration, with its
    own contact, replaces the draft — it must not lend the draft its phone and need."""
    bot.reply("alice", "报备 昨天展会上加的，海川智联，对接人是信息部经理刘洋，想做设备联网", at=AT)
    reply = bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 李娜 采购经理 13900000001 需求 数据平台",
                      at="2026-11-16T10:01:00+08:00")
    assert reply.startswith("（之前的报备草稿已放弃）") and "已报备 2026-SH-001" in reply, reply
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["need"], [c["phone"] for c in opp["contacts"]]) == (
        "杭州云栖科技有限公司", "数据平台", ["13900000001"])
    reply = bot.reply("alice", "报备 昨天展会上加的，海川智联，对接人是信息部经理刘洋，想做设备联网",
                      at="2026-11-16T10:02:00+08:00")
    assert "客户是「海川智联」吗" in reply
    assert bot.reply("alice", "报备 海川智联科技有限公司", at="2026-11-16T10:03:00+08:00").startswith(
        "已报备 2026-SH-002")  # 报备 and just a name: the answer
