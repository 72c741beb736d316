"""The span model (handlers/parsing/spans.py): trained on today's labelled messages, read where the rules are weak,
and never in the way when it is missing."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from handlers.parsing import parse, spans
from handlers.parsing.reconcile import reconcile

TOOLS = Path(__file__).resolve().parents[1] / "tools"
AT = "2026-11-16T10:00:00+08:00"


def test_the_model_is_trained_on_todays_labelled_messages_and_features():
    sys.path.insert(0, str(TOOLS))
    from train_spans import digest_of, labelled_messages
    entries = labelled_messages()
    meta = json.loads(spans.MODEL.with_suffix(".json").read_text(encoding="utf-8"))
    assert (meta["trained_on"], meta["digest"]) == (len(entries), digest_of(entries)), \
        "a labelled set or features() changed: run .venv/bin/python tools/train_spans.py"


def test_a_card_with_an_address_line_names_the_company_not_the_place(bot):
    card = ("fwd card\nAhmad Faizal bin Rahman\nHead of Procurement\nMutiara Foods Sdn. Bhd.\nM: +60 12-477 3190\n"
            "ahmad.faizal@mutiarafoods.my\nLot 12, Jalan Perusahaan 3, Shah Alam\n"
            "met at the halal expo, needs a supplier portal, budget RM 180k")
    assert bot.reply("walt", card, at=AT).startswith("Registered 2026-CD-001")
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["budget"], opp["currency"], opp["source"]) == (
        "Mutiara Foods Sdn. Bhd.", 180000, "MYR", "exhibition")
    assert [(c["name"], c["title"], c["phone"]) for c in opp["contacts"]] == [
        ("Ahmad Faizal bin Rahman", "Head of Procurement", "+60124773190")]


def test_a_hong_kong_lead_keeps_its_local_number_apart_from_the_budget(bot):
    reply = bot.reply("alice", "🎉 新客户 港联冷链(香港)有限公司 想做冷库温控平台 聯絡人 黃志偉 📱 6234 8812 "
                               "預算 HK$420k 明年上半年签 官網留言來的", at=AT)
    assert reply.startswith("已报备 2026-SH-001")
    [opp] = bot.export()["opportunities"]
    assert (opp["customer"], opp["budget"], opp["currency"]) == ("港联冷链(香港)有限公司", 420000, "HKD")
    assert (opp["expected_close"], opp["source"]) == ("2027-06-30", "website")
    assert [(c["name"], c["phone"]) for c in opp["contacts"]] == [("黃志偉", "62348812")]


def test_a_person_met_in_a_follow_up_is_added_with_the_number_given(bot):
    bot.reply("alice", "报备 杭州云栖科技有限公司 联系人 沈经理 13900001111 需求 数据平台", at=AT)
    reply = bot.reply("alice", "跟进 2026-SH-001 今天去现场开了需求会，新增一位对接人 设备科科长 韩志明 13822334455，"
                               "下周二提交方案", at="2026-11-17T10:00:00+08:00")
    assert "韩志明" in reply
    [opp] = bot.export()["opportunities"]
    assert [(c["name"], c["title"], c["phone"]) for c in opp["contacts"]] == [
        ("沈经理", None, "13900001111"), ("韩志明", "设备科科长", "13822334455")]


def test_without_the_model_file_the_rules_read_alone():
    missing = spans.SpanTagger(Path("/nonexistent/spans.crfsuite"))
    text = "报备 宁波港集团 联系人 王磊 技术总监 13800138000 需求 堆场调度系统"
    assert missing(text) is None
    ruled = parse(text, today=date(2026, 11, 16), tagger=None)
    assert reconcile(ruled, missing(text), text) == ruled
    assert ruled.customer == "宁波港集团" and ruled.contacts[0].name == "王磊"


def test_the_model_reads_spans_with_their_confidence():
    reading = spans.DEFAULT_SPANS("报备 今天见了深圳市云帆智能零售连锁有限公司的采购经理刘子墨，想做电子价签")
    found = {(s.kind, s.text) for s in reading.spans}
    assert {("CUST", "深圳市云帆智能零售连锁有限公司"), ("NAME", "刘子墨"), ("TITLE", "采购经理")} <= found
    assert all(0 < s.confidence <= 1 for s in reading.spans)
