"""Builds Deps once, at start: config, database (migrated and synced with the config), clock, sender."""
from __future__ import annotations

import os
import tomllib
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from domain.config import Config, ConfigError, config_from_dict
from domain.messages import Deps
from storage import db, matchindex, repo


def load_config(path: str | None) -> Config:
    """The TOML file named by --config, or the built-in demo org; any problem is one ConfigError line."""
    try:
        if path is None:
            raw = resources.files("bot").joinpath("demo_org.toml").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        return config_from_dict(tomllib.loads(raw))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from None


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def clock_starting_at(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and runs at real speed from there: `serve --start-at` rehearses a day."""
    offset = start - system_clock()
    return lambda: system_clock() + offset


def build(config: Config, *, url: str | None = None, clock: Callable[[], datetime] = system_clock,
          send: Callable[[Any], None] = lambda message: None) -> Deps:
    """Migrate the schema to head and make the org/teams/users tables match the config."""
    engine = db.make_engine(url or db.database_url())
    db.upgrade_schema(engine)
    sessions = db.make_sessions(engine)
    with sessions.begin() as session:
        repo.sync_config(session, config)
        matchindex.rebuild_if_rules_changed(session)
    deps = Deps(sessions=sessions, config=config, clock=clock, send=send)
    if os.environ.get("OPPBOT_PUBLIC_URL"):
        deps.public_url = os.environ["OPPBOT_PUBLIC_URL"].rstrip("/")
    return deps
