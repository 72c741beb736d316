"""Test fixtures: a real database per test (a SQLite file, or a fresh schema on the PostgreSQL server named by
OPPBOT_TEST_POSTGRES_URL), and a conversation driver that speaks the replay format."""
from __future__ import annotations

import io
import json
import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot import replay, wiring
from storage.export import export

PG_URL = os.environ.get("OPPBOT_TEST_POSTGRES_URL")

ORG = """
[org]
name = "Test Co"
timezone = "Asia/Shanghai"
protection_days = 90
[[teams]]
name = "East"
region = "SH"
manager = "mike"
group_chat = "#sales-east"
[[teams]]
name = "West"
region = "CD"
manager = "wendy"
group_chat = "#sales-west"
[[users]]
id = "alice"
name = "Alice"
role = "rep"
team = "East"
[[users]]
id = "bob"
name = "Bob"
role = "rep"
team = "East"
[[users]]
id = "walt"
name = "Walt"
role = "rep"
team = "West"
[[users]]
id = "mike"
name = "Mike"
role = "manager"
team = "East"
[[users]]
id = "wendy"
name = "Wendy"
role = "manager"
team = "West"
[[users]]
id = "dora"
name = "Dora"
role = "director"
"""


def _pg_engine_url(base: str) -> str:
    return "postgresql+psycopg://" + base.split("://", 1)[1]


@pytest.fixture
def new_database(tmp_path):
    """Makes empty databases: SQLite files by default; throwaway schemas on the PostgreSQL server named by
    OPPBOT_TEST_POSTGRES_URL when it is set. They are dropped after the test."""
    made = []  # SQLite file numbers or PostgreSQL schema names
    admin = create_engine(_pg_engine_url(PG_URL), isolation_level="AUTOCOMMIT") if PG_URL else None

    def make() -> str:
        if not PG_URL:
            made.append(len(made))
            return f"sqlite:///{tmp_path}/oppbot{made[-1] or ''}.db"
        schema = f"t_{uuid.uuid4().hex[:12]}"
        try:
            with admin.connect() as c:
                c.execute(text(f"CREATE SCHEMA {schema}"))
        except Exception as exc:
            pytest.skip(f"PostgreSQL at {PG_URL} does not answer: {str(exc).splitlines()[0]}")
        made.append(schema)
        sep = "&" if "?" in PG_URL else "?"
        return _pg_engine_url(PG_URL) + sep + "options=" + quote(f"-csearch_path={schema}")

    yield make
    if admin is not None:  # SQLite files go with tmp_path
        if made:
            with admin.connect() as c:
                for schema in made:
                    c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def db_url(new_database):
    return new_database()


@pytest.fixture
def org_file(tmp_path):
    path = tmp_path / "oppbot.toml"
    path.write_text(ORG, encoding="utf-8")
    return path


class Conversation:
    """Drives the bot through replay lines in-process: messages and ticks in, sent messages out."""

    def __init__(self, deps, clock):
        self.deps, self.clock = deps, clock

    def run(self, *lines: dict) -> list[dict]:
        out, err = io.StringIO(), io.StringIO()
        code = replay.run([json.dumps(line, ensure_ascii=False) for line in lines], self.deps, self.clock,
                          out=out, err=err)
        assert code == 0, err.getvalue()
        return [json.loads(line) for line in out.getvalue().splitlines()]

    def say(self, user: str, text: str, *, at: str) -> list[dict]:
        return self.run({"at": at, "user": user, "text": text})

    def reply(self, user: str, text: str, *, at: str) -> str:
        """The text of the bot's reply to the writer (other messages it sent are ignored here)."""
        return next(o["text"] for o in self.say(user, text, at=at) if o["kind"] == "reply")

    def tick(self, at: str) -> list[dict]:
        return self.run({"at": at, "tick": True})

    def export(self) -> dict:
        with self.deps.sessions() as session:
            return export(session, tz=self.deps.config.timezone_of(None))


@pytest.fixture
def make_bot(db_url, org_file):
    """A new bot process on the test database (call twice for a restart), or on another database `url`."""
    built = []

    def make(url: str | None = None) -> Conversation:
        clock = replay.ScriptClock()
        deps = wiring.build(wiring.load_config(str(org_file)), url=url or db_url, clock=clock)
        built.append(deps)
        return Conversation(deps, clock)
    yield make
    for deps in built:
        deps.sessions.kw["bind"].dispose()


@pytest.fixture
def bot(make_bot) -> Conversation:
    return make_bot()
