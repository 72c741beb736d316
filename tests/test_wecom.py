"""WeCom, end to end over real HTTP: callbacks encrypted and signed with wechatpy's own crypto are posted to the
running WSGI app (waitress), and the bot's wechatpy client talks to a local WeCom API (tests/wecom_api.py) that
records every call."""
from __future__ import annotations

import base64
import hashlib
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
import xmltodict
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.courier import Courier
from bot import server, wecom
from domain.messages import Notice
from scheduler import jobs
from storage import outbox
from storage.models import OutboxMessage
from tests.platform_world import HELP, REGISTER, PlatformWorld, org_with, serving, writes_locked
from tests.wecom_api import CORP_ID, SECRET, MockWeCom

TOKEN = "oppbotCallbackToken"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, as WeCom gives it
AGENT = 1000002
IDS = {"alice": "alice.w", "bob": "bob.w", "walt": "walt.w", "mike": "mike.w", "wendy": "wendy.w"}


def wecom_org() -> str:
    return org_with("wecom", IDS)


def settings_for(api: MockWeCom) -> wecom.WeComSettings:
    return wecom.WeComSettings(corp_id=CORP_ID, agent_id=AGENT, secret=SECRET, token=TOKEN, aes_key=AES_KEY,
                               api_url=api.url, webhooks={"EAST": api.webhook("EAST-KEY")})


class WeComWorld(PlatformWorld):
    """The bot serving /wecom/callback, the mock WeCom API it talks to, and a way to post encrypted callbacks."""

    def __init__(self, bot, api: MockWeCom, settings: wecom.WeComSettings, **callback) -> None:
        self.api, self.settings = api, settings
        self.client = wecom.WeComClient(settings, bot.deps)
        sender = wecom.WeComSender(self.client, settings, bot.deps)
        self.courier = Courier(bot.deps, sender)
        self.callback = wecom.Callback(bot.deps, settings, self.courier, **callback)
        super().__init__(bot, server.make_wsgi_app(bot.deps, wecom=self.callback), sender)
        self.url = self.base + "/wecom/callback"
        self._ids = 0

    def request(self, method: str, query: dict, body: bytes | None = None) -> tuple[int, str]:
        request = urllib.request.Request(f"{self.url}?{urlencode(query)}", data=body, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def post(self, fields: dict, *, corp_id: str = CORP_ID, timestamp: int | None = None,
             signature: str | None = None) -> tuple[int, str]:
        """`fields` as WeCom's plaintext XML, encrypted for `corp_id` and signed with the callback token."""
        plain = xmltodict.unparse({"xml": {"ToUserName": corp_id, "AgentID": AGENT, **fields}})
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sealed = xmltodict.parse(WeChatCrypto(TOKEN, AES_KEY, corp_id).encrypt_message(plain, "1372623149", ts))["xml"]
        query = {"msg_signature": signature or sealed["MsgSignature"], "timestamp": ts, "nonce": "1372623149"}
        body = xmltodict.unparse({"xml": {"ToUserName": corp_id, "AgentID": AGENT, "Encrypt": sealed["Encrypt"]}})
        return self.request("POST", query, body.encode())

    def text(self, user: str, content: str, *, msg_id: str | None = None, **post) -> tuple[int, str]:
        self._ids += 1
        return self.post({"FromUserName": IDS.get(user, user), "CreateTime": int(time.time()), "MsgType": "text",
                          "Content": content, "MsgId": msg_id or f"72370000000000{self._ids:05d}"}, **post)

    def click(self, user: str, card: dict, n: int, *, code: str = "RESPONSECODE1") -> tuple[int, str]:
        button = card["template_card"]["button_list"][n]
        return self.post({"FromUserName": IDS[user], "CreateTime": int(time.time()), "MsgType": "event",
                          "Event": "template_card_event", "EventKey": button["key"],
                          "TaskId": card["template_card"]["task_id"], "CardType": "button_interaction",
                          "ResponseCode": code})

    def settle(self) -> None:
        """Bounded wait until every reply committed so far was delivered (messages are handled before the answer)."""
        assert self.courier.idle(timeout=10)


@pytest.fixture
def api():
    mock = MockWeCom()
    yield mock
    mock.close()


@pytest.fixture
def world(make_bot, org_file, api):
    org_file.write_text(wecom_org(), encoding="utf-8")
    bot = make_bot()
    bot.clock.now = datetime.fromisoformat("2026-11-02T10:00:00+08:00")
    w = WeComWorld(bot, api, settings_for(api))
    yield w
    w.close()


def test_wecoms_published_sample_verifies_through_the_running_endpoint(make_bot, api):
    """WeCom's documented URL-verification example (STACK-NOTES), through GET /wecom/callback."""
    sample = wecom.WeComSettings(corp_id="wx5823bf96d3bd56c7", agent_id=AGENT, secret=SECRET, token="QDG6eK",
                                 aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", api_url=api.url)
    w = WeComWorld(make_bot(), api, sample, wall_clock=lambda: 1409659589 + 30)  # the sample's own moment
    try:
        query = {"msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "timestamp": "1409659589",
                 "nonce": "263014780",
                 "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="}
        assert w.request("GET", query) == (200, "1616140317555161061")
        assert w.request("GET", {**query, "msg_signature": "0" * 40})[0] == 403
    finally:
        w.close()


def test_a_text_message_is_answered_through_the_message_api_with_the_card(world):
    assert world.text("alice", REGISTER) == (200, "")
    [sent] = world.api.wait_for("message/send")
    body = sent["json"]
    assert (body["touser"], body["agentid"], body["msgtype"]) == ("alice.w", AGENT, "text")
    assert body["text"]["content"].startswith("已报备 2026-SH-001，保护期至 2027-01-31。")
    assert "2026-SH-001 深圳市腾讯计算机系统有限公司" in body["text"]["content"]  # the card, as text
    [token] = world.api.ok("gettoken")
    assert token["query"] == {"corpid": CORP_ID, "corpsecret": SECRET}
    assert sent["query"]["access_token"] == "TOKEN-1"
    [opp] = world.bot.export()["opportunities"]
    assert (opp["id"], opp["owner"], opp["budget"]) == ("2026-SH-001", "alice", 500000)


def test_the_same_msgid_twice_makes_one_opportunity_and_one_reply(world):
    assert world.text("alice", REGISTER, msg_id="7237000000000099999")[0] == 200
    assert world.text("alice", REGISTER, msg_id="7237000000000099999")[0] == 200  # WeCom's retry
    world.text("alice", "帮助")  # a later message: by its reply, the retry had its chance to run
    sent = world.api.wait_for("message/send", 2)
    assert len(sent) == 2 and world.api.texts()[1].startswith(HELP)
    assert len(world.bot.export()["opportunities"]) == 1


@pytest.mark.parametrize("how", ["bad signature", "wrong corp id", "stale timestamp"])
def test_a_forged_or_stale_callback_is_refused_and_nothing_is_stored(world, how):
    post = {"bad signature": {"signature": "0" * 40}, "wrong corp id": {"corp_id": "wwSOMEONEELSE00000"},
            "stale timestamp": {"timestamp": int(time.time()) - 600}}[how]
    assert world.text("alice", REGISTER, **post)[0] == 403
    world.text("alice", "帮助")
    world.api.wait_for("message/send")
    assert world.api.texts() == [world.api.texts()[0]] and world.api.texts()[0].startswith(HELP)
    assert world.bot.export()["opportunities"] == []


def test_an_unreadable_body_is_a_bad_request(world):
    assert world.request("POST", {"msg_signature": "x", "timestamp": str(int(time.time())), "nonce": "1"},
                         b"<xml><NoEncrypt>")[0] == 400


def test_an_unknown_member_is_told_who_to_ask_and_nothing_is_stored(world):
    world.text("stranger.w", REGISTER)
    [sent] = world.api.wait_for("message/send")
    assert sent["json"]["touser"] == "stranger.w"
    assert "不认识你" in sent["json"]["text"]["content"] and "管理员" in sent["json"]["text"]["content"]
    assert world.bot.export()["opportunities"] == []


def test_a_picture_gets_told_that_only_text_is_read(world):
    world.post({"FromUserName": "alice.w", "CreateTime": int(time.time()), "MsgType": "image",
                "PicUrl": "http://example.invalid/p.jpg", "MediaId": "M1", "MsgId": "7237000000000011111"})
    world.api.wait_for("message/send")
    assert world.api.texts() == ["我只读得懂文字消息（这条是 image）。请直接打字，例如：帮助"]


def test_an_expired_token_is_fetched_again_and_the_send_retried_once(world):
    world.text("alice", "帮助")
    world.api.wait_for("message/send")
    world.api.revoke_tokens()  # WeCom expired TOKEN-1 early
    world.text("alice", "我的商机")
    world.api.wait_for("message/send", 2)
    assert [(c["errcode"], c["query"]["access_token"]) for c in world.api.named("message/send")] == [
        (0, "TOKEN-1"), (42001, "TOKEN-1"), (0, "TOKEN-2")]
    assert len(world.api.ok("gettoken")) == 2


@pytest.mark.parametrize("errcode", [45009, -1])  # rate limited; WeCom busy
def test_a_rate_limited_reply_stays_in_the_outbox_and_is_delivered_later(world, errcode):
    world.api.fail("message/send", errcode)
    world.text("alice", REGISTER)
    world.text("alice", "帮助")  # answered: the register reply is still waiting behind its back-off, not lost
    world.settle()
    assert [c["errcode"] for c in world.api.named("message/send")] == [errcode, 0]
    assert world.api.texts()[0].startswith(HELP)
    with world.bot.deps.sessions() as s:
        [waiting] = s.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).all()
        assert waiting.text.startswith("已报备 2026-SH-001") and f"Error code: {errcode}" in waiting.last_error
    world.bot.clock.now += timedelta(minutes=1)  # past the outbox's back-off
    assert world.deliver() == 1
    assert world.api.texts()[1].startswith("已报备 2026-SH-001") and world.deliver() == 0


def test_the_token_is_shared_through_the_database_and_refreshed_before_it_expires(world, make_bot):
    world.text("alice", "帮助")
    world.api.wait_for("message/send")
    second = make_bot()  # a second process on the same database
    second.clock.now = world.bot.clock.now
    other = wecom.WeComClient(world.settings, second.deps)
    assert other.access_token == "TOKEN-1" and len(world.api.ok("gettoken")) == 1
    world.bot.clock.now += timedelta(seconds=7200 - 200)  # within five minutes of WeCom's expiry
    assert world.client.access_token == "TOKEN-2" and len(world.api.ok("gettoken")) == 2


def test_processes_starting_together_fetch_one_token_between_them(make_bot, api):
    """Six bots on one database (six engines, as six processes would have) ask for the token at once."""
    clients = []
    for _ in range(6):
        bot = make_bot()
        bot.clock.now = datetime.fromisoformat("2026-11-02T10:00:00+08:00")
        clients.append(wecom.WeComClient(settings_for(api), bot.deps))
    start = threading.Barrier(len(clients))

    def ask(client):
        start.wait(timeout=10)
        return client.access_token
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        assert list(pool.map(ask, clients)) == ["TOKEN-1"] * 6
    assert len(api.ok("gettoken")) == 1


def request_approval(world) -> dict:
    """alice's opportunity at health score 65: the stage advance goes to mike as a button card."""
    world.say("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    world.say("alice", "跟进 2026-SH-001 拜访 客户确认预算已获批，已纳入年度计划，需求匹配度 5", at="2026-11-04T10:00:00+08:00")
    assert "已提交主管 Mike 审批" in world.say("alice", "推进 2026-SH-001 到 需求确认", at="2026-11-04T11:00:00+08:00")
    world.deliver()
    [card] = [c["json"] for c in world.api.ok("message/send") if c["json"]["touser"] == "mike.w"]
    return card


def test_an_approval_request_arrives_as_a_button_card_and_a_click_decides_it(world):
    card = request_approval(world)
    assert card["msgtype"] == "template_card" and card["template_card"]["card_type"] == "button_interaction"
    assert [(b["text"], b["key"]) for b in card["template_card"]["button_list"]] == [
        ("同意", "同意 2026-SH-001"), ("驳回", "驳回 2026-SH-001")]
    assert "回复：同意 2026-SH-001 或 驳回 2026-SH-001" in card["template_card"]["sub_title_text"]  # typing works too
    assert world.click("mike", card, 0) == (200, "")
    [update] = world.api.wait_for("message/update_template_card")
    assert update["json"] == {"userids": ["mike.w"], "agentid": AGENT, "response_code": "RESPONSECODE1",
                              "button": {"replace_name": "已同意"}}
    assert world.bot.export()["opportunities"][0]["stage"] == "qualification"


def test_when_the_card_cannot_be_updated_the_verdict_comes_as_a_message(world):
    card = request_approval(world)
    world.api.fail("message/update_template_card", 40_000)  # e.g. a response code already used
    world.click("mike", card, 0)
    world.settle()
    assert world.api.texts("mike.w")[-1] == "已同意：2026-SH-001 推进到“需求确认”。"
    assert world.bot.export()["opportunities"][0]["stage"] == "qualification"


def test_a_rep_clicking_approve_is_refused_and_nothing_changes(world):
    card = request_approval(world)
    world.click("alice", card, 0)
    sent = world.api.wait_for("message/send", 2)
    assert sent[-1]["json"]["touser"] == "alice.w" and "没有权限" in sent[-1]["json"]["text"]["content"]
    assert world.api.named("message/update_template_card") == []
    assert world.bot.export()["opportunities"][0]["stage"] == "discovery"


def test_a_digest_reaches_the_group_robot_as_markdown_and_image(world):
    bot = world.bot
    world.say("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    bot.clock.now = datetime.fromisoformat("2026-11-02T18:00:00+08:00")
    jobs.run_all(bot.clock.now, bot.deps)
    world.deliver()
    posts = world.api.ok("webhook/send")
    assert [p["query"]["key"] for p in posts] == ["EAST-KEY", "EAST-KEY"]  # West has no robot configured
    markdown, image = (p["json"] for p in posts)
    assert markdown["msgtype"] == "markdown"
    assert markdown["markdown"]["content"].startswith("**【日报】East 团队 2026-11-02")
    png = base64.b64decode(image["image"]["base64"])
    assert image["msgtype"] == "image" and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert image["image"]["md5"] == hashlib.md5(png).hexdigest()
    with bot.deps.sessions() as s:  # West's digest: no robot and no WeCom member to take it, so it waits
        [west] = s.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).all()
        assert west.to == "#sales-west" and "no wecom identity or group robot" in west.last_error


def test_a_long_group_message_is_split_under_the_robots_4096_bytes(world):
    lines = [f"第 {n} 行：深圳市腾讯计算机系统有限公司 跟进提醒" for n in range(300)]
    with world.bot.deps.sessions.begin() as s:
        outbox.enqueue(s, Notice(to="#sales-east", kind="alert", text="\n".join(lines), key="long"),
                       now=world.bot.deps.clock())
    assert world.deliver() == 1
    parts = [p["json"]["markdown"]["content"] for p in world.api.ok("webhook/send")]
    assert len(parts) > 1 and all(len(p.encode()) <= 4096 for p in parts)
    assert "".join(parts) == "**" + lines[0] + "**\n" + "\n".join(lines[1:])


def test_split_utf8_keeps_every_character_and_cuts_inside_overlong_lines():
    text = "短行\n" + "长" * 2000 + "\nend"
    parts = wecom.split_utf8(text, 2048)
    assert "".join(parts) == text and all(len(p.encode()) <= 2048 for p in parts) and len(parts) == 4
    assert wecom.split_utf8("", 2048) == [""]


def test_members_and_robots_are_paced_and_what_waits_stays_in_the_outbox(world):
    sender = wecom.WeComSender(world.client, world.settings, world.bot.deps, members=wecom.Window(2),
                               robots=wecom.Window(1))
    now = world.bot.deps.clock()
    with world.bot.deps.sessions.begin() as s:
        for n in range(3):
            outbox.enqueue(s, Notice(to="alice", kind="alert", text=f"提醒 {n}", key=f"a{n}"), now=now)
            outbox.enqueue(s, Notice(to="#sales-east", kind="alert", text=f"群 {n}", key=f"g{n}"), now=now)
    assert outbox.deliver(world.bot.deps.sessions, sender, now=now) == 3  # 2 to alice, 1 to the robot
    assert world.api.texts("alice.w") == ["提醒 0", "提醒 1"]
    assert [p["json"]["markdown"]["content"] for p in world.api.ok("webhook/send")] == ["**群 0**"]
    with world.bot.deps.sessions() as s:
        waiting = s.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).all()
        assert [w.text for w in waiting] == ["群 1", "提醒 2", "群 2"]
        assert all(w.last_error.startswith("Paced") for w in waiting[:2])


def test_oppbot_serve_takes_wecom_callbacks_and_answers_through_the_api(make_bot, db_url, org_file, api):
    org_file.write_text(wecom_org(), encoding="utf-8")
    make_bot()  # the schema exists before the server starts
    with serving(org_file, OPPBOT_DATABASE_URL=db_url, WECOM_CORP_ID=CORP_ID, WECOM_AGENT_ID=str(AGENT),
                 WECOM_SECRET=SECRET, WECOM_TOKEN=TOKEN, WECOM_AES_KEY=AES_KEY, OPPBOT_WECOM_API_URL=api.url,
                 WECOM_WEBHOOK_EAST=api.webhook("EAST-KEY"), SLACK_BOT_TOKEN="") as url:
        ts = str(int(time.time()))
        crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
        sealed = xmltodict.parse(crypto.encrypt_message("<xml><ToUserName>x</ToUserName><FromUserName>alice.w"
                                                        "</FromUserName><CreateTime>1</CreateTime><MsgType>text"
                                                        "</MsgType><Content>帮助</Content><MsgId>1</MsgId></xml>",
                                                        "42", ts))["xml"]
        query = urlencode({"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": "42"})
        body = f"<xml><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>".encode()
        request = urllib.request.Request(f"{url}/wecom/callback?{query}", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        [sent] = api.wait_for("message/send")
        assert sent["json"]["touser"] == "alice.w" and sent["json"]["text"]["content"].startswith(HELP)


def test_wecom_unreachable_leaves_no_secret_in_the_outbox_or_the_log(world):
    """Issue 14: the client's error names the URL it called, with corpsecret=… in it; nothing stored or logged
    keeps the secret."""
    import logging
    from bot.cli import RedactingFilter
    world.api.close()  # the WeCom API is gone: the token fetch itself fails
    world.text("alice", "帮助")
    world.settle()
    with world.bot.deps.sessions() as s:
        [waiting] = s.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).all()
        stored = waiting.last_error
    assert stored and SECRET not in stored and "corpsecret=***" in stored, stored
    try:
        raise ConnectionError(f"GET http://127.0.0.1/cgi-bin/gettoken?corpid={CORP_ID}&corpsecret={SECRET} failed")
    except ConnectionError:
        record = logging.LogRecord("oppbot.wecom", logging.ERROR, __file__, 1, "send failed: %s", ("x",),
                                   exc_info=__import__("sys").exc_info())
    RedactingFilter().filter(record)
    line = logging.Formatter().format(record)
    assert SECRET not in line and "corpsecret=***" in line


def test_an_oversized_or_entity_laden_callback_is_refused_before_any_xml_is_parsed(world):
    """Issue 14: 413 on the header; an unsigned envelope full of entities is never handed to an XML parser."""
    from tests.platform_world import oversized, resident_mb
    before = resident_mb()
    answers = [oversized(world.base, "/wecom/callback?msg_signature=x&timestamp=1&nonce=1") for _ in range(20)]
    assert {status for status, _ in answers} == {b"HTTP/1.1 413 Request Entity Too Large"}
    assert resident_mb() - before < 20
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + "A" * 1000 + '">' +
            "".join(f'<!ENTITY e{n} "' + "&a;" * 50 + '">' for n in range(50)) + ']><xml><Encrypt>&e1;</Encrypt></xml>')
    query = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "1"}
    started = time.perf_counter()
    assert world.request("POST", query, bomb.encode())[0] == 400  # no <Encrypt> value without expanding: refused
    assert time.perf_counter() - started < 1.0


def test_a_locked_database_is_told_to_the_member_once_and_wecoms_redelivery_is_stored(world, db_url):
    """Issue 14: the database cannot take the message within WeCom's 5 s: the member is told once, WeCom gets a
    503 for each of its redeliveries, nothing is half-stored; once the lock lifts, the next redelivery is stored."""
    world.text("alice", "帮助")  # the access token is fetched (and kept) before the lock
    world.settle()
    with writes_locked(db_url):
        started = time.monotonic()
        assert world.text("alice", REGISTER, msg_id="7237000000000011111")[0] == 503
        assert time.monotonic() - started < 4.0  # inside WeCom's 5 s
        assert world.text("alice", REGISTER, msg_id="7237000000000011111")[0] == 503  # WeCom's retry
        world.settle()
    assert world.api.texts("alice.w")[1:] == ["系统繁忙，这条消息还没有保存。平台会自动重发；若一分钟后仍没有回复，请稍后再试。"]
    assert world.bot.export()["opportunities"] == []
    assert world.text("alice", REGISTER, msg_id="7237000000000011111") == (200, "")
    world.settle()
    assert world.api.texts("alice.w")[2].startswith("已报备 2026-SH-001") and len(world.api.texts()) == 3
    assert [o["id"] for o in world.bot.export()["opportunities"]] == ["2026-SH-001"]


def test_a_chart_question_is_answered_with_text_then_the_chart_as_an_image_message(world):
    world.say("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    assert world.text("alice", "漏斗")[0] == 200
    world.settle()
    [upload] = world.api.ok("media/upload")
    assert upload["query"]["type"] == "image" and b"\x89PNG\r\n\x1a\n" in upload["raw"]
    sent = [c["json"] for c in world.api.ok("message/send")]
    assert [m["msgtype"] for m in sent] == ["text", "image"]
    assert sent[0]["text"]["content"].startswith("漏斗（我的，进行中 1 个）：")
    assert sent[1]["image"]["media_id"].startswith("MEDIA-")  # the id WeCom answered for the upload
