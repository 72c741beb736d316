"""People found by e-mail (Slack `users.lookupByEmail`) or mobile (WeCom `user/getuserid`) instead of pasted member
ids: a `[[users]]` entry with `email = …` and no `slack`, or `mobile = …` and no `wecom`, is looked up once at start
and remembered (storage.directory); anyone not found is one clear line in the log, and simply not reached there."""
from __future__ import annotations

import dataclasses
import logging
from typing import Callable

from domain.config import Config
from domain.messages import Deps
from storage import directory, repo

log = logging.getLogger("oppbot.directory")


def resolve(deps: Deps, *, slack_lookup: Callable[[str], str | None] | None = None,
            wecom_lookup: Callable[[str], str | None] | None = None) -> Config:
    """The config with the ids found filled in (and the database's identities synced to it); `*_lookup(key)` asks
    the platform, answering None for someone it does not know."""
    config = deps.config
    wanted = {"slack": ({u.id: u.email for u in config.users if u.email and not u.slack}, slack_lookup),
              "wecom": ({u.id: u.mobile for u in config.users if u.mobile and not u.wecom}, wecom_lookup)}
    found: dict[str, dict[str, str]] = {"slack": {}, "wecom": {}}
    for platform, (keys, lookup) in wanted.items():
        if not keys or lookup is None:
            continue
        now = deps.clock()
        with deps.sessions.begin() as s:
            cached = directory.known(s, platform, list(keys.values()), now=now)
        for user_id, key in keys.items():
            if key in cached:
                external = cached[key]
            else:
                try:
                    external = lookup(key)
                except Exception as exc:  # the platform did not answer: asked again at the next start
                    log.warning("%s: could not look up %s on %s: %s", user_id, key, platform, type(exc).__name__)
                    continue
                with deps.sessions.begin() as s:
                    directory.remember(s, platform, key, external, now=now)
            if external:
                found[platform][user_id] = external
            else:
                log.warning("%s: no %s account for %s %s — they are not reached on %s", user_id, platform,
                            "e-mail" if platform == "slack" else "mobile", key, platform)
    if not found["slack"] and not found["wecom"]:
        return config
    users = tuple(dataclasses.replace(u, slack=u.slack or found["slack"].get(u.id),
                                      wecom=u.wecom or found["wecom"].get(u.id)) for u in config.users)
    resolved = dataclasses.replace(config, users=users, _users={})
    with deps.sessions.begin() as s:
        repo.sync_config(s, resolved)
    log.info("found %d Slack and %d WeCom ids by e-mail / mobile", len(found["slack"]), len(found["wecom"]))
    return resolved
