"""Every example message in SPEC "Messages users type" parses to the right fields (said on Monday 2026-11-02)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers import intents as i
from handlers.parsing import parse

MONDAY = date(2026, 11, 2)


def test_register_free_text():
    r = parse("报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 系统替换 预算 50万 "
              "预计 12月底成交 来源 展会", today=MONDAY)
    assert r == i.Register(customer="深圳市腾讯计算机系统有限公司",
                           contacts=(i.ContactInfo(name="王磊", title="技术总监", phone="13800138000"),),
                           need="CRM 系统替换", budget=Decimal(500000), currency="CNY",
                           expected_close=date(2026, 12, 31), source="exhibition")


def test_register_key_value():
    r = parse("报备：客户=杭州云栖科技；联系人=李娜(采购经理)；预算=三十万；下月中旬签约", today=MONDAY)
    assert r == i.Register(customer="杭州云栖科技", contacts=(i.ContactInfo(name="李娜", title="采购经理"),),
                           budget=Decimal(300000), currency="CNY", expected_close=date(2026, 12, 15))


def test_register_english():
    r = parse("register Acme Corp, contact Jane Doe (CTO) jane@acme.com, budget $120k, close by end of Q1, "
              "need: data platform", today=MONDAY)
    assert r == i.Register(customer="Acme Corp",
                           contacts=(i.ContactInfo(name="Jane Doe", title="CTO", email="jane@acme.com"),),
                           need="data platform", budget=Decimal(120000), currency="USD",
                           expected_close=date(2027, 3, 31))


def test_follow_ups():
    f = parse("跟进 2026-SH-007 电话沟通，客户确认预算已获批，下一步：下周二现场演示", today=MONDAY)
    assert (f.ref, f.channel, f.next_action, f.next_action_date, f.budget_approved) == (
        "2026-SH-007", "phone", "现场演示", date(2026, 11, 10), True)
    f = parse("跟进 腾讯 拜访了采购部，客户在内部讨论，3天后再联系", today=MONDAY)
    assert (f.ref, f.channel, f.next_action, f.next_action_date, f.risks) == (
        "腾讯", "visit", "再联系", date(2026, 11, 5), ("内部讨论",))
    f = parse("follow up 2026-US-003 demo went well, next: send proposal Friday", today=MONDAY)
    assert (f.ref, f.channel, f.content, f.next_action, f.next_action_date) == (
        "2026-US-003", "demo", "demo went well", "send proposal", date(2026, 11, 6))


def test_stage_won_lost():
    assert parse("推进 2026-SH-007 到 方案推进", today=MONDAY) == i.Advance(ref="2026-SH-007", stage="proposal")
    assert parse("输单 2026-SH-007 原因 竞品低价 竞品 销售易", today=MONDAY) == i.Lost(
        ref="2026-SH-007", reason="competitor_price", competitor="销售易", detail="竞品低价")
    assert parse("赢单 2026-SH-007 金额 48万", today=MONDAY) == i.Won(
        ref="2026-SH-007", amount=Decimal(480000), currency="CNY")


@pytest.mark.parametrize("text, intent", [
    ("我的商机", i.Query(what="mine")), ("本周到期", i.Query(what="due_this_week")), ("漏斗", i.Query(what="funnel")),
    ("预测 本季度", i.Query(what="forecast", period="quarter")), ("查看 2026-SH-007", i.Show(ref="2026-SH-007")),
    ("帮助", i.Help()), ("help", i.Help()),
])
def test_queries_and_help(text, intent):
    assert parse(text, today=MONDAY) == intent
