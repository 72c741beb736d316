"""People given by e-mail or mobile instead of a pasted member id: looked up once at start (Slack
users.lookupByEmail, WeCom user/getuserid, against the local mock APIs), remembered across restarts, and anyone
not found is one clear line in the log and simply not reached there."""
from __future__ import annotations

import logging

from bot import directory, slack, wecom
from bot.wiring import build, load_config
from storage import models as m
from tests.conftest import ORG
from tests.slack_api import MockSlack
from tests.test_wecom import settings_for
from tests.wecom_api import MockWeCom


def org_file_with(tmp_path, lines: dict[str, str]):
    org = ORG
    for user, extra in lines.items():
        org = org.replace(f'id = "{user}"\n', f'id = "{user}"\n{extra}\n')
    path = tmp_path / "org.toml"
    path.write_text(org, encoding="utf-8")
    return str(path)


def identities(deps) -> set[tuple[str, str, str]]:
    with deps.sessions() as s:
        return {(i.platform, i.external_id, i.user_id) for i in s.query(m.PlatformIdentity)}


def test_slack_ids_are_found_by_email_once_and_the_unknown_are_logged(tmp_path, db_url, caplog):
    api = MockSlack()
    api.people["bob@test.co"] = "U0BOBBY"
    path = org_file_with(tmp_path, {"bob": 'email = "bob@test.co"', "walt": 'email = "walt@elsewhere.co"',
                                    "alice": 'slack = "U0ALICE"\nemail = "alice@test.co"'})
    client = slack.web_client(slack.SlackSettings(bot_token="xoxb-test", signing_secret="s", api_url=api.url))
    try:
        deps = build(load_config(path), url=db_url)
        with caplog.at_level(logging.WARNING, logger="oppbot.directory"):
            config = directory.resolve(deps, slack_lookup=slack.lookup_by_email(client))
        assert (config.user("bob").slack, config.user("walt").slack, config.user("alice").slack) == (
            "U0BOBBY", None, "U0ALICE")  # a pasted id is kept, and not looked up
        assert [c["params"]["email"] for c in api.named("users.lookupByEmail")] == ["bob@test.co",
                                                                                   "walt@elsewhere.co"]
        assert "walt: no slack account for e-mail walt@elsewhere.co" in caplog.text
        assert ("slack", "U0BOBBY", "bob") in identities(deps)

        again = build(load_config(path), url=db_url)  # a restart: the answers are remembered
        again.config = directory.resolve(again, slack_lookup=slack.lookup_by_email(client))
        assert again.config.user("bob").slack == "U0BOBBY" and len(api.named("users.lookupByEmail")) == 2
        assert slack.SlackSender(client, again).channel_of("bob") == "U0BOBBY"  # a reminder to bob reaches it
    finally:
        api.close()


def test_wecom_userids_are_found_by_mobile_and_a_failed_call_is_asked_again_next_start(tmp_path, db_url, caplog):
    api = MockWeCom()
    api.members["13800000001"] = "bob.w"
    path = org_file_with(tmp_path, {"bob": 'mobile = "13800000001"', "walt": 'mobile = "13800000009"'})
    try:
        deps = build(load_config(path), url=db_url)
        client = wecom.WeComClient(settings_for(api), deps)
        api.fail("user/getuserid", -1)  # WeCom busy for the first call: not remembered as "not found"
        with caplog.at_level(logging.WARNING, logger="oppbot.directory"):
            config = directory.resolve(deps, wecom_lookup=client.userid_by_mobile)
        assert config.user("bob").wecom is None and "bob: could not look up 13800000001 on wecom" in caplog.text
        assert "walt: no wecom account for mobile 13800000009" in caplog.text

        config = directory.resolve(deps, wecom_lookup=client.userid_by_mobile)  # the next start asks bob again
        assert (config.user("bob").wecom, config.user("walt").wecom) == ("bob.w", None)
        assert [c["json"]["mobile"] for c in api.named("user/getuserid")] == ["13800000001", "13800000009",
                                                                             "13800000001"]
        assert ("wecom", "bob.w", "bob") in identities(deps)
    finally:
        api.close()
