"""The config file: the SPEC format, the demo org, and the decision-chain keyword lists a team can extend."""
from __future__ import annotations

import re
import tomllib

import pytest

from bot import wiring
from domain.config import ConfigError, config_from_dict
from domain.contacts import role_for_title
from tests.conftest import ORG


def test_the_demo_org_has_two_teams_with_managers_three_reps_and_a_director():
    config = wiring.load_config(None)
    assert [(t.name, t.region, t.manager) for t in config.teams] == [("East", "SH", "mike"), ("South", "SZ", "nina")]
    assert sorted(u.id for u in config.users if u.role == "rep") == ["alice", "bob", "carol"]
    assert [u.id for u in config.users if u.role == "director"] == ["dora"]


def test_a_team_can_add_title_words_to_the_decision_chain_lists():
    data = tomllib.loads(ORG + '\n[roles]\ndecision_maker = ["合伙人", "Managing Partner"]\ninfluencer = ["HRBP"]\n')
    words = config_from_dict(data).role_words
    assert role_for_title("合伙人", words) == "decision_maker"
    assert role_for_title("managing partner", words) == "decision_maker"
    assert role_for_title("HRBP", words) == "influencer"
    assert role_for_title("HRBP") == "user"  # the default lists stay as they were
    assert role_for_title("Inside Sales Coordinator") == "user"  # no COO inside Coordinator


def test_a_registration_uses_the_teams_role_words(bot, org_file):
    org_file.write_text(ORG + '\n[roles]\ndecision_maker = ["合伙人"]\n', encoding="utf-8")
    custom = wiring.load_config(str(org_file))
    bot.deps.config = custom
    bot.reply("alice", "报备 德勤会计师事务所 联系人 葛优 合伙人 需求 审计系统", at="2026-11-02T10:00:00+08:00")
    assert bot.export()["opportunities"][0]["contacts"][0]["role"] == "decision_maker"


def test_role_lists_must_be_lists_of_words():
    with pytest.raises(ConfigError, match=r"\[roles\]: decision_maker must be a list"):
        config_from_dict(tomllib.loads(ORG + '\n[roles]\ndecision_maker = "合伙人"\n'))


def test_cadence_can_be_set_for_the_org_and_overridden_per_team():
    config = config_from_dict(tomllib.loads(ORG.replace('group_chat = "#sales-west"', 'group_chat = "#sales-west"\n'
                                                        'cadence = { qualification = 2 }\nholidays = "none"')
                                            + '\n[cadence]\ndiscovery = 5\nqualification = 4\n'))
    assert config.cadence_days("East", "discovery") == 5 and config.cadence_days("East", "qualification") == 4
    assert config.cadence_days("West", "qualification") == 2 and config.cadence_days("West", "discovery") == 5
    assert config.cadence_days("East", "negotiation") == 2  # SPEC's default where nobody set one
    assert config.holidays_of(config.team("West")) == "none" and config.holidays_of(config.team("East")) == "cn"


@pytest.mark.parametrize("table, message", [
    ('[cadence]\nclosing = 3', "cadence stage must be one of discovery, qualification, proposal, negotiation"),
    ('[cadence]\ndiscovery = 0', "cadence for discovery must be a whole number of days from 1 to 90, got 0"),
    ('[cadence]\ndiscovery = "weekly"', "cadence for discovery must be a whole number"),
    ('cadence = 3', "cadence must be a table of stage = days"),
])
def test_a_wrong_cadence_is_named_in_one_line(table, message):
    with pytest.raises(ConfigError, match=message):
        config_from_dict(tomllib.loads(table + "\n" + ORG if table.startswith("cadence =") else ORG + "\n" + table))


def test_an_org_lists_its_own_need_fit_items_and_a_bad_one_is_named():
    from domain.config import ConfigError, config_from_dict
    from domain.needfit import DEFAULT_ITEMS
    base = {"org": {}, "teams": [], "users": []}
    assert config_from_dict(base).need_fit == DEFAULT_ITEMS and len(DEFAULT_ITEMS) == 10
    own = config_from_dict({**base, "need_fit": [{"key": "gmp", "zh": "GMP合规", "en": "GMP compliance",
                                                  "words": ["GMP"]}]})
    assert [(i.key, i.called("gmp"), i.called("GMP合规")) for i in own.need_fit] == [("gmp", True, True)]
    for bad, said in (([{"zh": "x", "en": "x"}], "'key' is required"), ([{"key": "overall", "zh": "x", "en": "x"}],
                      "other than 'overall'"), ([], "one or more items")):
        with pytest.raises(ConfigError, match=said):
            config_from_dict({**base, "need_fit": bad})


def test_targets_are_per_team_and_month_and_a_bad_one_is_named():
    base = tomllib.loads(ORG)
    config = config_from_dict({**base, "targets": [{"team": "East", "month": "2026-12", "amount": 1_000_000},
                                                   {"team": "West", "month": "2026-12", "amount": 400_000},
                                                   {"team": "East", "month": "2027-01", "amount": 900_000}]})
    assert config.target(["East"], ["2026-12"]) == 1_000_000
    assert config.target(["East", "West"], ["2026-12", "2027-01"]) == 2_300_000
    assert config.target(["West"], ["2027-01"]) is None  # no target set: nothing to compare with, not zero
    for bad, message in (({"team": "North", "month": "2026-12", "amount": 1}, "team 'North' is not a [[teams]] name"),
                         ({"team": "East", "month": "2026-13", "amount": 1}, "month must be YYYY-MM, got '2026-13'"),
                         ({"team": "East", "month": "2026-12", "amount": -5}, "amount must not be negative"),
                         ({"team": "East", "month": "2026-12"}, "'amount' is required")):
        with pytest.raises(ConfigError, match=re.escape(message)):
            config_from_dict({**base, "targets": [bad]})
    with pytest.raises(ConfigError, match="one target per team and month"):
        config_from_dict({**base, "targets": [{"team": "East", "month": "2026-12", "amount": 1}] * 2})
