"""Slack, acting where you are told: a reminder's buttons (记录跟进 opens a form, 暂停 a form, 查看 the card), forms
that answer an unreadable field on that field, an escalation's menus, and a second click on a handled reminder —
all over real HTTP with signed requests, against the local Slack Web API."""
from __future__ import annotations

import json
from datetime import datetime

from scheduler import jobs
from storage.models import Opportunity
from tests.platform_world import REGISTER as STRONG  # a registration strong enough to ask for the next stage
from tests.test_slack import IDS, world  # noqa: F401  (the fixture)

REGISTER = "报备 杭州云栖科技 联系人 李娜 13900000000 需求 数据平台"
DUE = "2026-11-09T09:00:00+08:00"  # a week after registration: the discovery-stage reminder


def reminded(world, *registrations: tuple[str, str]) -> dict:
    """Registrations a week ago, the reminder pass at 09:00, delivered: the reminder as Slack received it."""
    for user, text in registrations or (("alice", REGISTER),):
        world.say(user, text, at="2026-11-02T10:00:00+08:00")
    world.bot.clock.now = datetime.fromisoformat(DUE)
    jobs.run_all(world.bot.clock.now, world.bot.deps)
    world.deliver()
    return next(c for c in world.api.ok("chat.postMessage") if "跟进提醒" in c["params"]["text"])


def blocks_of(call: dict) -> list[dict]:
    blocks = call["params"]["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def actions_of(post: dict) -> dict:
    return next(b for b in blocks_of(post) if b["type"] == "actions")


def click(world, who: str, post: dict, element: dict, *, selected: dict | None = None, trigger: str = "1.2.3"):
    block = actions_of(post)
    action = {**element, "block_id": block["block_id"], "action_ts": "1700000300.000001",
              **({"selected_option": selected} if selected else {})}
    return world.interaction({
        "type": "block_actions", "user": {"id": IDS[who]}, "team": {"id": "T0TEST"}, "api_app_id": "A0TEST",
        "container": {"type": "message", "channel_id": "D" + IDS[who][1:], "message_ts": "1700000000.000042"},
        "message": {"text": post["params"]["text"], "ts": "1700000000.000042"}, "trigger_id": trigger,
        "actions": [action]})


def button(post: dict, label: str) -> dict:
    return next(e for e in actions_of(post)["elements"] if e["text"]["text"] == label)


def submit(world, who: str, view: dict, answers: dict[str, str], *, n: int = 1) -> tuple[int, str]:
    values = {name: {"value": {"type": "plain_text_input", "value": text}} for name, text in answers.items()}
    return world.interaction({"type": "view_submission", "user": {"id": IDS[who]}, "team": {"id": "T0TEST"},
                              "api_app_id": "A0TEST", "view": {**view, "id": f"V{n}", "hash": f"h{n}",
                                                               "state": {"values": values}}})


def opened_view(world, count: int = 1) -> dict:
    return world.api.wait_for("views.open", count)[-1]["params"]["view"]


def opportunity(world, opp_id: str = "2026-SH-001") -> dict:
    return next(o for o in world.bot.export()["opportunities"] if o["id"] == opp_id)


def stored(world, opp_id: str = "2026-SH-001") -> Opportunity:
    with world.bot.deps.sessions() as s:
        return s.get(Opportunity, opp_id)


def test_a_reminder_carries_log_snooze_and_show_naming_the_message_it_is(world):
    post = reminded(world)
    block = actions_of(post)
    assert block["block_id"].startswith("oppbot:")
    assert [(e["text"]["text"], e["value"], e["action_id"]) for e in block["elements"]] == [
        ("记录跟进", "2026-SH-001", "oppbot_form_follow_up_0"), ("暂停", "2026-SH-001", "oppbot_form_snooze_1"),
        ("查看", "查看 2026-SH-001", "oppbot_answer_2")]  # a form's button names its opportunity, the form the rest


def test_log_follow_up_opens_a_form_that_names_an_unreadable_date_and_stores_nothing_until_valid(world):
    post = reminded(world)
    assert click(world, "alice", post, button(post, "记录跟进"))[0] == 200
    view = opened_view(world)
    assert view["callback_id"] == "oppbot_follow_up"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["content", "next", "next_date", "budget"]

    status, body = submit(world, "alice", view, {"content": "电话沟通，客户在比较方案", "next_date": "改天吧",
                                                 "budget": "很多钱"})
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"next_date", "budget"}
    assert "读不懂日期“改天吧”" in answer["errors"]["next_date"] and "50万" in answer["errors"]["budget"]
    assert opportunity(world)["follow_ups"] == []  # nothing stored

    status, body = submit(world, "alice", view, {"content": "电话沟通，客户在比较方案", "next": "发方案",
                                                 "next_date": "11月12日", "budget": "60万"}, n=2)
    assert (status, body) == (200, "")
    [update] = world.api.wait_for("chat.update")
    assert (update["params"]["channel"], update["params"]["ts"]) == ("D0ALICE", "1700000000.000042")
    blocks = json.dumps(update["params"]["blocks"], ensure_ascii=False)
    assert "<@U0ALICE>: 已记录跟进 2026-SH-001。" in blocks and '"actions"' not in blocks  # who, what; no buttons
    opp = opportunity(world)
    assert [f["content"] for f in opp["follow_ups"]] == ["电话沟通,客户在比较方案,预算 60万"]
    assert (opp["budget"], str(stored(world).follow_up_due)) == (600000, "2026-11-12")
    [card] = world.api.wait_for("chat.postEphemeral")  # and the whole answer, the card, for the clicker's eyes
    assert card["params"]["user"] == "U0ALICE" and blocks_of(card)[-1]["type"] == "section"


def test_a_second_click_on_a_handled_reminder_says_who_handled_it_and_opens_nothing(world):
    post = reminded(world)
    click(world, "alice", post, button(post, "记录跟进"))
    submit(world, "alice", opened_view(world), {"content": "拜访客户，确认了需求"})
    world.api.wait_for("chat.update")
    world.api.wait_for("chat.postEphemeral")  # the whole answer, for the clicker

    click(world, "alice", post, button(post, "记录跟进"), trigger="9.9.9")  # a stale view on another device
    told = world.api.wait_for("chat.postEphemeral", 2)[-1]
    assert told["params"]["user"] == "U0ALICE"
    assert told["params"]["text"].startswith("这条消息已由 Alice 在 11-09 09:00 处理：已记录跟进 2026-SH-001。")
    assert len(world.api.named("views.open")) == 1
    assert len(opportunity(world)["follow_ups"]) == 1


def test_snooze_from_the_reminder_refuses_a_past_date_then_pauses_it(world):
    post = reminded(world)
    click(world, "alice", post, button(post, "暂停"))
    view = opened_view(world)
    assert view["callback_id"] == "oppbot_snooze"
    _, body = submit(world, "alice", view, {"until": "2026-11-01", "reason": "客户预算冻结"})
    assert json.loads(body) == {"response_action": "errors", "errors": {"until": "这个日期已经过去了，请给一个以后的日期。"}}
    submit(world, "alice", view, {"until": "11月30日", "reason": "客户预算冻结"}, n=2)
    [update] = world.api.wait_for("chat.update")
    assert "<@U0ALICE>: 已暂停 2026-SH-001 的跟进提醒至 2026-11-30（客户预算冻结）" in json.dumps(
        update["params"]["blocks"], ensure_ascii=False)
    opp = stored(world)
    assert (str(opp.snoozed_until), str(opp.follow_up_due), opp.snooze_reason) == ("2026-11-30", "2026-11-30", "客户预算冻结")


def test_show_answers_the_clicker_alone_with_the_card_and_leaves_the_reminder_open(world):
    post = reminded(world)
    click(world, "alice", post, button(post, "查看"))
    [shown] = world.api.wait_for("chat.postEphemeral")
    assert shown["params"]["user"] == "U0ALICE" and "杭州云栖科技" in shown["params"]["text"]
    assert blocks_of(shown)[0]["type"] == "header"  # the card, not a wall of text
    assert world.api.named("chat.update") == []
    click(world, "alice", post, button(post, "记录跟进"), trigger="4.5.6")  # still open: the form opens
    assert opened_view(world)["callback_id"] == "oppbot_follow_up"


def test_a_click_by_someone_without_the_right_is_refused_and_changes_nothing(world):
    post = reminded(world)
    click(world, "walt", post, button(post, "暂停"))  # another team's rep, with the payload of alice's message
    submit(world, "walt", opened_view(world), {"until": "11月30日", "reason": "我来"})
    [refusal] = world.api.wait_for("chat.postEphemeral")
    assert refusal["params"]["user"] == "U0WALT" and "2026-SH-001" in refusal["params"]["text"]
    assert world.api.named("chat.update") == []
    assert stored(world).snoozed_until is None
    click(world, "alice", post, button(post, "暂停"), trigger="7.7.7")  # and the reminder is still alice's to act on
    assert opened_view(world, 2)["callback_id"] == "oppbot_snooze"


def test_an_escalation_offers_each_listed_opportunity_a_menu(world):
    reminded(world, ("alice", REGISTER), ("bob", "报备 宁波港信息技术 联系人 周强 13700000000 需求 调度系统"))
    world.bot.clock.now = datetime.fromisoformat("2026-11-16T10:00:00+08:00")  # 7 days past due
    jobs.run_all(world.bot.clock.now, world.bot.deps)
    world.deliver()
    post = next(c for c in world.api.ok("chat.postMessage") if c["params"]["channel"] == "U0MIKE")
    menus = actions_of(post)["elements"]
    assert [m["placeholder"]["text"] for m in menus] == ["2026-SH-001", "2026-SH-002"]
    assert [o["text"]["text"] for o in menus[1]["options"]] == ["记录跟进", "暂停", "查看"]

    show = menus[1]["options"][2]
    click(world, "mike", post, menus[1], selected=show)
    [shown] = world.api.wait_for("chat.postEphemeral")
    assert shown["params"]["user"] == "U0MIKE" and "宁波港信息技术" in shown["params"]["text"]

    click(world, "mike", post, menus[0], selected=menus[0]["options"][1], trigger="8.8.8")  # 暂停 opens its form
    view = opened_view(world)
    assert view["callback_id"] == "oppbot_snooze" and json.loads(view["private_metadata"])["ref"] == "2026-SH-001"


def test_the_registration_form_answers_an_unreadable_amount_on_its_field_and_stores_nothing(world):
    world.form({"command": "/opp", "text": "new", "user_id": IDS["bob"], "channel_id": "D0BOB",
                "response_url": world.api.base + "/response/2", "trigger_id": "13345224609.738474920.8088"})
    view = opened_view(world)
    _, body = submit(world, "bob", view, {"customer": "杭州云栖科技", "contact": "李娜", "budget": "很多钱",
                                         "phone": "打我电话"})
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"budget", "phone"}
    _, body = submit(world, "bob", view, {"customer": "杭州云栖科技"}, n=2)
    assert json.loads(body)["errors"] == {"contact": "请至少填写联系人、电话、邮箱或需求中的一项。"}
    assert world.bot.export()["opportunities"] == []
    assert world.api.named("chat.postMessage") == []


# ---- App Home --------------------------------------------------------------------------------------------------

def open_home(world, who: str) -> dict:
    """app_home_opened, as Slack sends it; the view it publishes."""
    before = len(world.api.ok("views.publish"))
    world.post(json.dumps({"type": "event_callback", "team_id": "T0TEST", "api_app_id": "A0TEST",
                           "event_id": f"EvHome{who}{before}", "event_time": 1700000100, "event": {
                               "type": "app_home_opened", "user": IDS[who], "channel": "D" + IDS[who][1:],
                               "tab": "home", "event_ts": "1700000100.000001"}}), content_type="application/json")
    call = world.api.wait_for("views.publish", before + 1)[-1]
    assert call["params"]["user_id"] == IDS[who]
    return call["params"]["view"]


def home_text(view: dict) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text"))


def menu_for(view: dict, opp_id: str) -> dict:
    return next(b["accessory"] for b in view["blocks"] if "accessory" in b and opp_id in b["text"]["text"])


def home_click(world, who: str, menu: dict, label: str, *, trigger: str = "5.5.5"):
    option = next(o for o in menu["options"] if o["text"]["text"] == label)
    return world.interaction({
        "type": "block_actions", "user": {"id": IDS[who]}, "team": {"id": "T0TEST"}, "api_app_id": "A0TEST",
        "container": {"type": "view", "view_id": "VHOME"}, "view": {"id": "VHOME", "type": "home"},
        "trigger_id": trigger, "actions": [{**menu, "block_id": "h1", "selected_option": option,
                                            "action_ts": "1700000300.000002"}]})


def test_app_home_shows_the_pipeline_by_stage_and_what_is_overdue_with_its_actions(world):
    world.say("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    world.say("alice", "报备 宁波港信息技术 联系人 周强 13700000000 需求 调度系统 预算 30万", at="2026-11-05T10:00:00+08:00")
    world.say("bob", "报备 苏州工业园区数据公司 联系人 钱七 13600000000 需求 BI", at="2026-11-02T10:00:00+08:00")
    world.bot.clock.now = datetime.fromisoformat("2026-11-10T10:00:00+08:00")
    view = open_home(world, "alice")
    text = home_text(view)
    assert view["type"] == "home" and text.startswith("Alice")
    assert "商机发现  2 · 30万" in text
    overdue, due = text.index("逾期未跟进（1）"), text.index("本周到期（至 2026-11-15，1）")
    assert overdue < text.index("2026-SH-001") < due < text.index("2026-SH-002")
    assert "苏州工业园区数据公司" not in text  # bob's
    assert [o["text"]["text"] for o in menu_for(view, "2026-SH-001")["options"]] == ["记录跟进", "暂停", "查看"]


def test_a_follow_up_logged_from_home_is_stored_answered_in_the_dm_and_home_is_redrawn(world):
    world.say("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    world.bot.clock.now = datetime.fromisoformat("2026-11-10T10:00:00+08:00")
    view = open_home(world, "alice")
    home_click(world, "alice", menu_for(view, "2026-SH-001"), "记录跟进")
    form = opened_view(world)
    assert json.loads(form["private_metadata"]) == {"platform": "slack", "channel": "U0ALICE", "ref": "2026-SH-001"}
    submit(world, "alice", form, {"content": "电话沟通，客户在比较方案", "next_date": "11月20日"})
    post = next(c for c in world.api.wait_for("chat.postMessage") if c["params"]["channel"] == "U0ALICE")
    assert post["params"]["text"].startswith("已记录跟进 2026-SH-001。")
    redrawn = world.api.wait_for("views.publish", 2)[-1]["params"]["view"]
    assert "逾期未跟进（0）" in home_text(redrawn) and "2026-SH-001" not in home_text(redrawn)


def test_a_manager_decides_from_home_and_the_waiting_list_empties(world):
    world.say("alice", STRONG, at="2026-11-02T10:00:00+08:00")
    world.say("alice", "跟进 2026-SH-001 拜访 客户确认预算已获批，已纳入年度计划，需求匹配度 5", at="2026-11-04T10:00:00+08:00")
    assert "已提交主管 Mike 审批" in world.say("alice", "推进 2026-SH-001 到 需求确认", at="2026-11-04T11:00:00+08:00")
    view = open_home(world, "mike")
    assert "待你审批（1）" in home_text(view) and "申请推进到“需求确认”" in home_text(view)
    assert [o["text"]["text"] for o in menu_for(view, "申请推进")["options"]] == ["同意", "驳回"]
    view = open_home(world, "alice")  # a rep has nothing to decide
    assert "待你审批" not in home_text(view)

    home_click(world, "mike", menu_for(open_home(world, "mike"), "申请推进"), "同意")
    def answered() -> bool:
        return any(c["params"]["text"].startswith("已同意：2026-SH-001") and c["params"]["channel"] == "U0MIKE"
                   for c in world.api.ok("chat.postMessage"))
    world.api.wait_until(answered)
    assert answered()  # in the manager's DM
    assert opportunity(world)["stage"] == "qualification"
    redrawn = world.api.wait_for("views.publish", 4)[-1]["params"]["view"]
    assert redrawn is not None and "待你审批（0）" in home_text(redrawn)


# ---- the message shortcut 记录为跟进 ---------------------------------------------------------------------------

def test_any_message_is_logged_as_a_follow_up_of_an_opportunity_picked_from_ones_own(world):
    world.say("alice", REGISTER, at="2026-11-02T10:00:00+08:00")
    world.say("alice", "报备 宁波港信息技术 联系人 周强 13700000000 需求 调度系统", at="2026-11-02T10:05:00+08:00")
    world.say("bob", "报备 上海浦东科技发展 联系人 钱七 13600000000 需求 BI", at="2026-11-02T10:00:00+08:00")
    message = "李总回复：方案收到了，下周三内部评审，请准备报价"
    world.interaction({"type": "message_action", "callback_id": "oppbot_log_follow_up", "trigger_id": "3.3.3",
                       "user": {"id": IDS["alice"]}, "team": {"id": "T0TEST"}, "channel": {"id": "C0EAST"},
                       "message_ts": "1700000000.000077", "response_url": world.api.base + "/response/9",
                       "message": {"type": "message", "user": "U0CUSTOMER", "ts": "1700000000.000077",
                                   "text": message}})
    view = opened_view(world)
    assert view["callback_id"] == "oppbot_log_message"
    picker = next(b for b in view["blocks"] if b.get("block_id") == "opp")["element"]
    content = next(b for b in view["blocks"] if b.get("block_id") == "content")["element"]
    assert picker["type"] == "external_select" and content["initial_value"] == message

    status, body = world.interaction({"type": "block_suggestion", "user": {"id": IDS["alice"]},
                                      "team": {"id": "T0TEST"}, "action_id": picker["action_id"], "block_id": "opp",
                                      "value": "科技", "container": {"type": "view", "view_id": "V1"}, "view": view})
    assert status == 200
    assert [o["text"]["text"] for o in json.loads(body)["options"]] == ["2026-SH-001 杭州云栖科技"]  # not bob's

    _, body = submit(world, "alice", view, {"content": message})
    assert set(json.loads(body)["errors"]) == {"opp"}
    values = {"opp": {picker["action_id"]: {"type": "external_select",
                                             "selected_option": {"value": "2026-SH-001"}}},
              "content": {"value": {"type": "plain_text_input", "value": message}}}
    world.interaction({"type": "view_submission", "user": {"id": IDS["alice"]}, "team": {"id": "T0TEST"},
                       "view": {**view, "id": "V2", "hash": "h2", "state": {"values": values}}})
    post = next(c for c in world.api.wait_for("chat.postMessage") if c["params"]["channel"] == "U0ALICE")
    assert post["params"]["text"].startswith("已记录跟进 2026-SH-001。")
    [follow_up] = opportunity(world)["follow_ups"]
    assert follow_up["content"].startswith("李总回复:方案收到了")


# ---- an ID mentioned in a channel ------------------------------------------------------------------------------

def test_an_id_mentioned_in_a_channel_gets_a_short_card_in_the_thread_without_amounts_or_contacts(world):
    world.say("alice", REGISTER + " 预算 80万", at="2026-11-02T10:00:00+08:00")
    world.say("alice", "跟进 2026-SH-001 电话沟通，下一步：11月12日发方案", at="2026-11-03T10:00:00+08:00")
    before = world.bot.export()
    world.event("bob", "2026-SH-001 这单怎么样了", channel="C0EAST", event_id="EvChan1")
    world.event("bob", "2026-SH-001 这单怎么样了", channel="C0EAST", event_id="EvChan1", retry=1)  # redelivered
    world.event("walt", "今天谁去拜访 2026-SH-999？", channel="C0EAST")  # no such opportunity: left alone
    world.event("walt", "午饭吃什么", channel="C0EAST")
    world.event("alice", "帮助")  # answered in the DM: the channel messages had their chance before it
    posts = world.api.wait_for("chat.postMessage", 2)
    [card] = [p for p in posts if p["params"]["channel"] == "C0EAST"]
    assert card["params"]["thread_ts"] == "1700000100.000001"
    assert card["params"]["text"] == "2026-SH-001 杭州云栖科技 · 商机发现 · 负责人 Alice · 下一步：发方案 2026-11-12"
    assert "80万" not in card["params"]["text"] and "139" not in card["params"]["text"]
    assert world.bot.export() == before  # channel talk changed nothing (no follow-up was logged from it)
