"""SPEC: "The same message typed in any front end gives the same answer." One scripted conversation, played through
the console's replay, Slack (signed events over HTTP) and WeCom (encrypted callbacks over HTTP): every step sends
the same texts to the same people."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests import test_slack, test_wecom
from tests.platform_world import REGISTER, org_with
from tests.slack_api import MockSlack
from tests.wecom_api import MockWeCom

SCRIPT = [
    ("2026-11-02T10:00:00+08:00", "alice", REGISTER),
    ("2026-11-02T10:20:00+08:00", "bob", "报备 腾讯 联系人 李雷 13900001111"),  # alice's customer: to mike
    ("2026-11-02T11:00:00+08:00", "alice", "预算 五十万万"),  # unreadable: said back, nothing stored
    ("2026-11-04T10:00:00+08:00", "alice", "跟进 2026-SH-001 拜访 客户确认预算已获批，已纳入年度计划，需求匹配度 5"),
    ("2026-11-04T11:00:00+08:00", "alice", "推进 2026-SH-001 到 需求确认"),  # score 65: an approval for mike
    ("2026-11-04T15:00:00+08:00", "mike", "同意 2026-SH-001"),
    ("2026-11-05T09:30:00+08:00", "walt", "register Acme Corp, contact Jane Doe (CTO) jane@acme.com, budget $120k, "
                                          "close by end of Q1, need: data platform"),
    ("2026-11-05T10:00:00+08:00", "walt", "my opportunities"),
    ("2026-11-05T10:30:00+08:00", "mike", "漏斗"),
    ("2026-11-05T11:00:00+08:00", "bob", "帮助"),
]
SLACK_USERS = {v: k for k, v in test_slack.IDS.items()}
WECOM_USERS = {v: k for k, v in test_wecom.IDS.items()}


def console(bot):
    def play(at: str, user: str, text: str) -> list[tuple[str, str]]:
        return sorted((o["to"], o["text"]) for o in bot.run({"at": at, "user": user, "text": text}))
    return play


def slack(bot, api: MockSlack):
    world = test_slack.SlackWorld(bot, api)

    def play(at: str, user: str, text: str) -> list[tuple[str, str]]:
        before = len(api.ok("chat.postMessage"))
        bot.clock.now = datetime.fromisoformat(at)
        world.event(user, text)
        api.wait_for("chat.postMessage", before + 1)  # the reply, in the DM's thread
        world.deliver()  # the notices it caused, to other people's DMs
        return sorted((user if p["params"]["channel"] == "D0DM" else SLACK_USERS[p["params"]["channel"]],
                       p["params"]["text"]) for p in api.ok("chat.postMessage")[before:])
    return play, world


def wecom(bot, api: MockWeCom):
    world = test_wecom.WeComWorld(bot, api, test_wecom.settings_for(api))

    def play(at: str, user: str, text: str) -> list[tuple[str, str]]:
        before = len(api.ok("message/send"))
        bot.clock.now = datetime.fromisoformat(at)
        world.text(user, text)
        world.settle()  # the reply went out through the message API
        world.deliver()
        sent = [c["json"] for c in api.ok("message/send")[before:] if c["json"]["msgtype"] != "image"]  # charts aside
        return sorted((WECOM_USERS[body["touser"]], api.text_of(body)) for body in sent)
    return play, world


@pytest.fixture(params=["console", "slack", "wecom"])
def front_end(request, make_bot, org_file):
    org_file.write_text(org_with("wecom", test_wecom.IDS, test_slack.slack_org()), encoding="utf-8")
    bot = make_bot()
    bot.clock.now = datetime.fromisoformat(SCRIPT[0][0])
    if request.param == "console":
        yield console(bot), bot
        return
    api = MockSlack() if request.param == "slack" else MockWeCom()
    play, world = (slack if request.param == "slack" else wecom)(bot, api)
    yield play, bot
    world.close()
    api.close()


def test_the_same_conversation_gives_the_same_texts_in_every_front_end(front_end, make_bot, new_database):
    play, bot = front_end
    heard = [play(*step) for step in SCRIPT]

    reference = make_bot(new_database())  # the console, on a database of its own, is the yardstick
    expected = [console(reference)(*step) for step in SCRIPT]
    assert heard == expected
    # the story itself, so the comparison cannot pass on two empty transcripts
    assert expected[0][0][0] == "alice" and expected[0][0][1].startswith("已报备 2026-SH-001")
    assert [to for to, _ in expected[1]] == ["alice", "bob", "mike"]  # the blocked duplicate, told to all three
    assert any(to == "mike" and text.startswith("审批：Alice 申请把 2026-SH-001") for to, text in expected[4])
    assert ("alice", "Mike 同意了 2026-SH-001 推进到“需求确认”。") in expected[5]
    assert expected[6][0][1].startswith("Registered 2026-CD-001")
    stages = {o["id"]: o["stage"] for o in bot.export()["opportunities"]}
    assert stages == {"2026-SH-001": "qualification", "2026-CD-001": "discovery"}
