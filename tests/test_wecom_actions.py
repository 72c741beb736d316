"""WeCom, acting where you are told: reminders and escalations arrive as button cards; 记录跟进 asks for the
follow-up in the next message and the card then shows what was done; an escalation's card picks the opportunity
from its selector; a second click and a click without the right are answered, never acted on twice."""
from __future__ import annotations

import time
from datetime import datetime

from scheduler import jobs
from storage.models import Opportunity
from tests.test_wecom import AGENT, IDS, api, world  # noqa: F401  (the fixtures)

REGISTER = "报备 杭州云栖科技 联系人 李娜 13900000000 需求 数据平台"
DUE = "2026-11-09T09:00:00+08:00"


def cards_to(world, member: str) -> list[dict]:
    return [c["json"] for c in world.api.ok("message/send")
            if c["json"]["touser"] == member and c["json"]["msgtype"] == "template_card"]


def reminded(world, *registrations: tuple[str, str]) -> dict:
    for user, text in registrations or (("alice", REGISTER),):
        world.say(user, text, at="2026-11-02T10:00:00+08:00")
    world.bot.clock.now = datetime.fromisoformat(DUE)
    jobs.run_all(world.bot.clock.now, world.bot.deps)
    world.deliver()
    return cards_to(world, "alice.w")[-1]


def click(world, who: str, card: dict, label: str, *, code: str, option: str | None = None) -> tuple[int, str]:
    button = next(b for b in card["template_card"]["button_list"] if b["text"] == label)
    chosen = {"SelectedItems": {"SelectedItem": {"QuestionKey": "opp", "OptionIds": {"OptionId": option}}}} \
        if option else {}
    return world.post({"FromUserName": IDS[who], "CreateTime": int(time.time()), "MsgType": "event",
                       "Event": "template_card_event", "EventKey": button["key"],
                       "TaskId": card["template_card"]["task_id"], "CardType": "button_interaction",
                       "ResponseCode": code, **chosen})


def stored(world, opp_id: str = "2026-SH-001") -> Opportunity:
    with world.bot.deps.sessions() as s:
        opp = s.get(Opportunity, opp_id)
        opp.follow_ups  # loaded while the session is open
        return opp


def test_a_reminder_arrives_as_a_card_with_log_snooze_and_show(world):
    card = reminded(world)["template_card"]
    assert card["card_type"] == "button_interaction" and card["main_title"]["title"] == "跟进提醒"
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [
        ("记录跟进", "跟进 2026-SH-001"), ("暂停", "暂停 2026-SH-001"), ("查看", "查看 2026-SH-001")]
    assert "2026-SH-001（杭州云栖科技）" in card["sub_title_text"]


def test_log_follow_up_asks_for_it_and_the_answer_is_stored_and_shown_on_the_card(world):
    card = reminded(world)
    assert click(world, "alice", card, "记录跟进", code="CODE-1") == (200, "")
    world.settle()
    assert world.api.texts("alice.w")[-1].startswith("2026-SH-001（杭州云栖科技）跟进了什么？直接回复内容")
    assert world.api.named("message/update_template_card") == []  # nothing done yet

    world.text("alice", "电话沟通，客户在比较方案，下一步：11月12日发方案")
    [update] = world.api.wait_for("message/update_template_card")
    assert update["json"] == {"userids": ["alice.w"], "agentid": AGENT, "response_code": "CODE-1",
                              "button": {"replace_name": "已记录跟进 2026-SH-001"}}
    world.settle()
    assert world.api.texts("alice.w")[-1].startswith("已记录跟进 2026-SH-001。")  # the answer to the message too
    opp = stored(world)
    assert [f.content for f in opp.follow_ups] == ["电话沟通,客户在比较方案"]
    assert (str(opp.follow_up_due), opp.follow_ups[0].next_action) == ("2026-11-12", "发方案")


def test_a_second_click_on_a_handled_card_says_who_handled_it(world):
    card = reminded(world)
    click(world, "alice", card, "记录跟进", code="CODE-1")
    world.text("alice", "拜访客户，确认了需求")
    world.api.wait_for("message/update_template_card")
    click(world, "alice", card, "暂停", code="CODE-2")  # the same card, on a phone that had not refreshed
    world.settle()
    assert world.api.texts("alice.w")[-1] == "这条消息已由 Alice 在 11-09 09:00 处理：已记录跟进 2026-SH-001。"
    assert len(world.api.named("message/update_template_card")) == 1
    assert stored(world).snoozed_until is None and len(stored(world).follow_ups) == 1


def test_snooze_from_the_card_takes_the_date_and_reason_in_the_next_message(world):
    card = reminded(world)
    click(world, "alice", card, "暂停", code="CODE-1")
    world.settle()
    assert world.api.texts("alice.w")[-1].startswith("暂停到哪天？直接回复日期和原因")
    world.text("alice", "11月30日 客户预算冻结")
    [update] = world.api.wait_for("message/update_template_card")
    assert update["json"]["response_code"] == "CODE-1" and update["json"]["button"]["replace_name"].startswith("已暂停")
    opp = stored(world)
    assert (str(opp.snoozed_until), opp.snooze_reason) == ("2026-11-30", "客户预算冻结")


def test_a_click_by_someone_without_the_right_is_refused_and_changes_nothing(world):
    card = reminded(world)
    click(world, "walt", card, "暂停", code="CODE-1")  # another team's rep, with alice's card
    world.settle()
    refusal = world.api.texts("walt.w")[-1]
    assert "2026-SH-001" in refusal and "暂停到哪天" not in refusal
    world.text("walt", "11月30日 我来跟")  # no question is waiting for walt: this is not a snooze
    world.settle()
    assert stored(world).snoozed_until is None
    assert world.api.named("message/update_template_card") == []


def test_an_escalation_card_picks_the_opportunity_from_its_selector(world):
    reminded(world, ("alice", REGISTER), ("bob", "报备 宁波港信息技术 联系人 周强 13700000000 需求 调度系统"))
    world.bot.clock.now = datetime.fromisoformat("2026-11-16T10:00:00+08:00")  # 7 days past due
    jobs.run_all(world.bot.clock.now, world.bot.deps)
    world.deliver()
    card = next(c for c in cards_to(world, "mike.w") if c["template_card"]["main_title"]["title"] == "逾期商机")
    selector = card["template_card"]["button_selection"]
    assert [o["id"] for o in selector["option_list"]] == ["2026-SH-001", "2026-SH-002"]
    assert [b["text"] for b in card["template_card"]["button_list"]] == ["记录跟进", "暂停", "查看"]

    click(world, "mike", card, "查看", code="CODE-9", option="2026-SH-002")
    world.settle()
    assert "宁波港信息技术" in world.api.texts("mike.w")[-1]
    click(world, "mike", card, "查看", code="CODE-10")  # the selector left as it was: its first opportunity
    world.settle()
    assert "杭州云栖科技" in world.api.texts("mike.w")[-1]
