"""WeCom's own 撞单 signal: the daily scan of every member's external contacts (客户联系) against the local mock
WeCom API — 100 members a call, answers paged by cursor — finds a rep following another rep's customer, and tells
both managers exactly once."""
from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from sqlalchemy import select

from bot import wecom
from bot.wiring import build, load_config
from domain.messages import Incoming
from handlers import handle
from scheduler import contacts
from storage import models as m
from tests.platform_world import REGISTER
from tests.test_wecom import settings_for, wecom_org
from tests.wecom_api import CONTACT_SECRET, MockWeCom

EXTRA = 120  # reps beyond the test org's: 125 members, so two calls of at most 100


def big_org() -> str:
    extra = "".join(f'[[users]]\nid = "r{n:03d}"\nname = "Rep {n:03d}"\nrole = "rep"\nteam = "East"\n'
                    f'wecom = "r{n:03d}.w"\n' for n in range(1, EXTRA + 1))
    return wecom_org() + extra


def person(external_id: str, name: str, corp: str | None = None) -> dict:
    return {"external_userid": external_id, "name": name, "type": 2 if corp else 1,
            **({"corp_name": corp[:4], "corp_full_name": corp} if corp else {})}


@pytest.fixture
def scan(tmp_path, db_url):
    path = tmp_path / "org.toml"
    path.write_text(big_org(), encoding="utf-8")
    api = MockWeCom()
    deps = build(load_config(str(path)), url=db_url)
    settings = dataclasses.replace(settings_for(api), contact_secret=CONTACT_SECRET)
    deps.external_contacts = wecom.WeComClient(settings, deps, contacts=True).external_contacts
    yield deps, api
    api.close()
    deps.sessions.kw["bind"].dispose()


def register(deps, user: str, text: str) -> None:
    handle(Incoming(user=user, text=text, at=datetime.fromisoformat("2026-11-02T10:00:00+08:00")), deps)


def alerts(deps) -> list[tuple[str, str]]:
    with deps.sessions() as s:
        return [(o.to, o.text) for o in s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.kind == "alert")
                                                   .order_by(m.OutboxMessage.to, m.OutboxMessage.id))]


def test_a_rep_following_another_reps_customer_is_told_to_both_managers_once(scan):
    deps, api = scan
    register(deps, "alice", REGISTER)  # 2026-SH-001 深圳市腾讯计算机系统有限公司
    register(deps, "walt", "报备 宁波港信息技术有限公司 联系人 周强 13700000000 需求 调度系统")  # 2026-CD-001
    api.external["alice.w"] = [person(f"wmPersonal{n:03d}", f"朋友{n}") for n in range(150)]  # pages of 100
    api.external["alice.w"].append(person("wmWangLei", "王磊", "深圳市腾讯计算机系统有限公司"))  # her own customer
    api.external["bob.w"] = [person("wmWangLei", "王磊", "深圳市腾讯计算机系统有限公司")]  # …followed by bob too
    api.external["r110.w"] = [person("wmZhouQiang", "周强", "宁波港信息技术有限公司")]  # walt's, in the 2nd call

    assert contacts.contact_overlaps(datetime.fromisoformat("2026-11-03T07:59:00+08:00"), deps) == 0  # not yet
    assert api.named("externalcontact/batch/get_by_user") == []
    assert contacts.contact_overlaps(datetime.fromisoformat("2026-11-03T09:00:00+08:00"), deps) == 3

    calls = [c["json"] for c in api.ok("externalcontact/batch/get_by_user")]
    assert [len(c["userid_list"]) for c in calls] == [100, 100, 25]  # the first batch paged once (alice's 151)
    assert [c["cursor"] for c in calls] == ["", "100", ""] and "r110.w" in calls[2]["userid_list"]
    assert alerts(deps) == [
        ("mike", "撞单信号：外部联系人 王磊（深圳市腾讯计算机系统有限公司）已被 Alice、Bob 添加为客户联系人；"
                 "2026-SH-001 深圳市腾讯计算机系统有限公司 的负责人是 Alice，保护期至 2027-01-31。"),
        ("mike", "撞单信号：外部联系人 周强（宁波港信息技术有限公司）已被 Rep 110 添加为客户联系人；"
                 "2026-CD-001 宁波港信息技术有限公司 的负责人是 Walt，保护期至 2027-01-31。"),
        ("wendy", "撞单信号：外部联系人 周强（宁波港信息技术有限公司）已被 Rep 110 添加为客户联系人；"
                  "2026-CD-001 宁波港信息技术有限公司 的负责人是 Walt，保护期至 2027-01-31。")]

    assert contacts.contact_overlaps(datetime.fromisoformat("2026-11-03T15:00:00+08:00"), deps) == 0  # once a day
    assert len(api.named("externalcontact/batch/get_by_user")) == 3
    assert contacts.contact_overlaps(datetime.fromisoformat("2026-11-04T09:00:00+08:00"), deps) == 0  # told once
    assert len(api.named("externalcontact/batch/get_by_user")) == 6 and len(alerts(deps)) == 3


def test_without_contact_access_nothing_is_called_and_a_refused_call_is_logged_and_tried_again(scan, caplog):
    deps, api = scan
    deps.external_contacts = None
    assert contacts.contact_overlaps(datetime.fromisoformat("2026-11-03T09:00:00+08:00"), deps) == 0
    assert api.calls == []
    app_only = wecom.WeComClient(settings_for(api), deps)  # the app's own Secret may not read 客户联系
    deps.external_contacts = app_only.external_contacts
    assert contacts.contact_overlaps(datetime.fromisoformat("2026-11-03T09:00:00+08:00"), deps) == 0
    assert "could not read WeCom external contacts" in caplog.text and "48002" in caplog.text
    with deps.sessions() as s:
        assert s.scalars(select(m.JobMark)).all() == []  # the day is not marked: the next tick tries again
