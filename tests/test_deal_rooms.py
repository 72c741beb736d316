"""Deal rooms for big deals: a team with `deal_room_amount` gets a private room for an opportunity over it when it
reaches 方案推进 — owner, manager and the presales on its support request — and its stage changes and follow-ups
are posted there; on Slack a private channel, on WeCom an app group chat, against the local mock APIs."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.platform_world import REGISTER  # 深圳市腾讯计算机系统有限公司, 预算 50万
from tests.slack_api import MockSlack
from tests.test_slack import SlackWorld, slack_org
from tests.test_wecom import WeComWorld, settings_for, wecom_org
from tests.wecom_api import MockWeCom

PRESALES = '[[users]]\nid = "pete"\nname = "Pete"\nrole = "presales"\nteam = "East"\n'


def with_rooms(org: str, *, pete: str) -> str:
    """East opens a room from 400,000; Pete (presales) is on the platform as `pete`."""
    return org.replace('region = "SH"\n', 'region = "SH"\ndeal_room_amount = 400000\n', 1) + PRESALES + pete


def to_proposal(world) -> None:
    """Registered, presales asked and accepted, then the manager moves it past the gates to 方案推进."""
    world.say("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    world.say("alice", "申请支持 2026-SH-001 售前 方案演示", at="2026-11-02T11:00:00+08:00")
    world.say("pete", "接受 2026-SH-001", at="2026-11-02T12:00:00+08:00")
    assert "方案推进" in world.say("mike", "推进 2026-SH-001 到 方案推进 跳过", at="2026-11-03T10:00:00+08:00")
    world.deliver()


@pytest.fixture
def slack_world(make_bot, org_file):
    org_file.write_text(with_rooms(slack_org(), pete='slack = "U0PETE"\n'), encoding="utf-8")
    bot = make_bot()
    bot.clock.now = datetime.fromisoformat("2026-11-03T10:00:00+08:00")
    api = MockSlack()
    w = SlackWorld(bot, api)
    yield w
    w.close()
    api.close()


@pytest.fixture
def wecom_world(make_bot, org_file):
    org_file.write_text(with_rooms(wecom_org(), pete='wecom = "pete.w"\n'), encoding="utf-8")
    bot = make_bot()
    bot.clock.now = datetime.fromisoformat("2026-11-03T10:00:00+08:00")
    api = MockWeCom()
    w = WeComWorld(bot, api, settings_for(api))
    yield w
    w.close()
    api.close()


def test_a_big_deal_reaching_proposal_gets_a_private_slack_channel_with_its_people(slack_world):
    world = slack_world
    to_proposal(world)
    [made] = world.api.ok("conversations.create")
    assert made["params"]["name"] == "opp-2026-sh-001" and str(made["params"]["is_private"]).lower() in ("1", "true")
    [invited] = world.api.ok("conversations.invite")
    assert set(invited["params"]["users"].split(",")) == {"U0ALICE", "U0MIKE", "U0PETE"}
    posts = [c["params"] for c in world.api.ok("chat.postMessage") if c["params"]["channel"] == invited["params"]["channel"]]
    assert posts[0]["text"].startswith("2026-SH-001（深圳市腾讯计算机系统有限公司）的商机群：Alice、Mike、Pete。")
    assert posts[-1]["text"] == "2026-SH-001 进入“方案推进”（Mike）"

    world.say("alice", "跟进 2026-SH-001 现场演示，客户很满意，下一步：11月10日报价", at="2026-11-04T10:00:00+08:00")
    world.deliver()
    posts = [c["params"]["text"] for c in world.api.ok("chat.postMessage")
             if c["params"]["channel"] == invited["params"]["channel"]]
    assert posts[-1] == "Alice 跟进 2026-SH-001：现场演示,客户很满意；下一步：报价 2026-11-10"
    assert len(world.api.ok("conversations.create")) == 1  # one room, however much is posted


def test_a_deal_under_the_amount_gets_no_room(slack_world):
    world = slack_world
    world.say("alice", REGISTER.replace("预算 50万", "预算 30万"), at="2026-11-02T10:00:00+08:00")
    world.say("mike", "推进 2026-SH-001 到 方案推进 跳过", at="2026-11-03T10:00:00+08:00")
    world.deliver()
    assert world.api.named("conversations.create") == []


def test_on_wecom_the_room_is_an_app_group_chat_named_by_the_id(wecom_world):
    world = wecom_world
    to_proposal(world)
    [made] = world.api.ok("appchat/create")
    assert made["json"] == {"name": "商机 2026-SH-001", "owner": "alice.w", "userlist": ["alice.w", "mike.w", "pete.w"],
                            "chatid": "opp2026sh001"}
    sent = [c["json"] for c in world.api.ok("appchat/send")]
    assert {s["chatid"] for s in sent} == {"opp2026sh001"}
    assert sent[-1]["text"]["content"] == "2026-SH-001 进入“方案推进”（Mike）"
    world.say("alice", "赢单 2026-SH-001 金额 52万", at="2026-11-20T10:00:00+08:00")
    world.deliver()
    assert world.api.ok("appchat/send")[-1]["json"]["text"]["content"].startswith("恭喜")
    assert len(world.api.ok("appchat/create")) == 1
