"""The operator's commands (bot/ops.py), run as `oppbot` processes against the test database: backup and restore
give back the data as it was, migrations go down and up with data present, a file that is not a backup is refused
without touching anything, and the doctor reports settings without printing secrets."""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from storage import db

AT = "2026-11-02T10:00:00+08:00"
TENCENT = "报备 深圳市腾讯计算机系统有限公司 联系人 王磊 技术总监 13800138000 需求 CRM 预算 50万"
YUNQI = "报备 杭州云栖科技有限公司 联系人 李娜 13900001111 需求 数据平台 预算 30万"
HEAD = ScriptDirectory(str(db.MIGRATIONS)).get_current_head()
PLATFORM_ENV = ("SLACK_", "WECOM_", "OPPBOT_SLACK_", "OPPBOT_WECOM_")


def oppbot(*args, db_url: str, **env) -> subprocess.CompletedProcess:
    """`oppbot ARGS` in a process of its own, with no platform settings but those given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_ENV)}
    return subprocess.run([sys.executable, "-m", "bot.cli", *map(str, args)], capture_output=True, text=True,
                          env={**base, "OPPBOT_DATABASE_URL": db_url, **env}, timeout=120)


def exported(db_url: str, org_file) -> dict:
    r = oppbot("export", "--config", org_file, db_url=db_url)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def customers(data: dict) -> list[str]:
    return [o["customer"] for o in data["opportunities"]]


def registered(bot, user: str, text_: str) -> None:
    reply = bot.reply(user, text_, at=AT)
    assert "已报备" in reply, reply


def is_sqlite(db_url: str) -> bool:
    return db_url.startswith("sqlite")


def revision(db_url: str) -> str | None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def one_line_refusal(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == "" and len(r.stderr.splitlines()) == 1, r.stderr
    return r.stderr.rstrip("\n")


def test_backup_then_restore_gives_back_the_export_taken_at_backup_time(make_bot, db_url, org_file, tmp_path):
    bot = make_bot()
    registered(bot, "alice", TENCENT)
    at_backup = exported(db_url, org_file)
    assert customers(at_backup) == ["深圳市腾讯计算机系统有限公司"]
    dump = tmp_path / ("backup.db" if is_sqlite(db_url) else "backup.pgdump")
    r = oppbot("backup", dump, db_url=db_url)
    if not is_sqlite(db_url):  # PostgreSQL: the operator is given the pg_dump line; run exactly that
        run_dump = one_line_refusal(r).split("run: ", 1)[1]
        assert run_dump.startswith("pg_dump -Fc ") and f"-f {dump} test" in run_dump
        if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
            pytest.skip("pg_dump / pg_restore are not installed: the PostgreSQL round trip cannot run")
        subprocess.run(shlex.split(run_dump), check=True, capture_output=True, timeout=60)
    else:
        assert r.returncode == 0 and f"to {dump}" in r.stdout, r.stderr
        with sqlite3.connect(dump) as con:  # a self-contained SQLite file at head
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    registered(bot, "bob", YUNQI)
    changed = exported(db_url, org_file)
    assert customers(changed) == ["深圳市腾讯计算机系统有限公司", "杭州云栖科技有限公司"]
    r = oppbot("restore", dump, db_url=db_url)
    if is_sqlite(db_url):
        assert r.returncode == 0 and f"schema now {HEAD} (head)" in r.stdout, r.stderr
    else:
        run_restore = one_line_refusal(r).split("run: ", 1)[1]
        assert run_restore.startswith("pg_restore --clean ") and run_restore.endswith(f"-d test {dump}")
        subprocess.run(shlex.split(run_restore), check=True, capture_output=True, timeout=60)
    assert exported(db_url, org_file) == at_backup


def test_the_start_up_schema_check_knows_alembics_head():
    """A start reads the database's revision and runs Alembic only when it is not the newest migration's: the
    house rule (revision = the file's number) is what makes that check cheap, and this holds Alembic to it."""
    assert db.head_revision() == HEAD


def test_db_downgrade_to_0005_and_upgrade_to_head_keep_the_data(make_bot, db_url, org_file):
    registered(make_bot(), "alice", TENCENT)
    before = exported(db_url, org_file)
    r = oppbot("db", "current", db_url=db_url)
    assert (r.returncode, r.stdout) == (0, f"{HEAD} (head)\n"), r.stderr

    r = oppbot("db", "downgrade", "0005", db_url=db_url)
    assert r.returncode == 0 and f"{HEAD} -> 0005" in r.stdout, r.stderr
    assert revision(db_url) == "0005"
    engine = create_engine(db_url)
    try:
        assert "route" not in {c["name"] for c in inspect(engine).get_columns("outbox")}  # 0006's columns went
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM opportunities")).scalar() == 1
    finally:
        engine.dispose()
    r = oppbot("db", "current", db_url=db_url)
    assert r.stdout == f"0005 (head is {HEAD}: run oppbot db upgrade)\n", r.stderr
    r = oppbot("doctor", "--config", org_file, db_url=db_url)
    assert r.returncode == 0 and "warn database" in r.stdout and "schema 0005" in r.stdout, r.stdout
    assert one_line_refusal(oppbot("db", "downgrade", "0099", db_url=db_url)).startswith("oppbot: db downgrade 0099")
    assert revision(db_url) == "0005"

    r = oppbot("db", "upgrade", db_url=db_url)
    assert r.returncode == 0 and f"0005 -> {HEAD} (head)" in r.stdout, r.stderr
    assert revision(db_url) == HEAD
    assert exported(db_url, org_file) == before


def _state(db_url: str) -> tuple:
    """What the live database holds: its rows of opportunities, and for SQLite the bytes of its files."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT id, status, updated_at FROM opportunities ORDER BY id")).all()
    finally:
        engine.dispose()
    if not is_sqlite(db_url):
        return rows, None
    path = Path(db_url.removeprefix("sqlite:///"))
    files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    return rows, [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]


def test_restore_refuses_a_file_that_is_not_an_oppbot_backup_and_changes_nothing(make_bot, db_url, tmp_path):
    registered(make_bot(), "alice", TENCENT)
    before = _state(db_url)
    assert len(before[0]) == 1
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n" * 200, encoding="utf-8")
    message = one_line_refusal(oppbot("restore", junk, db_url=db_url))
    if is_sqlite(db_url):
        assert "is not an SQLite database" in message and "nothing restored" in message
        other = tmp_path / "other.db"
        with sqlite3.connect(other) as con:
            con.execute("CREATE TABLE notes (x)")
        message = one_line_refusal(oppbot("restore", other, db_url=db_url))
        assert "no alembic_version table" in message
    else:
        assert "pg_restore" in message
    assert _state(db_url) == before


def _doctor_lines(r: subprocess.CompletedProcess) -> list[str]:
    lines = r.stdout.splitlines()
    assert lines and all(line.startswith(("ok  ", "warn ", "FAIL ")) for line in lines), r.stdout
    return lines


def test_doctor_with_the_test_org_and_no_platform_passes_with_warnings(make_bot, db_url, org_file):
    make_bot()
    r = oppbot("doctor", "--config", org_file, db_url=db_url)
    lines = _doctor_lines(r)
    assert r.returncode == 0, r.stdout
    assert not [line for line in lines if line.startswith("FAIL")]
    assert lines[0].startswith(f"ok  config {org_file}: Test Co, 2 teams, 6 users")
    assert any(line.startswith("ok  database") and f"schema {HEAD} (head)" in line for line in lines)
    assert "warn Slack not configured (SLACK_BOT_TOKEN unset)" in lines
    assert "warn WeCom not configured (WECOM_CORP_ID unset)" in lines
    assert "warn 6 users have no slack or wecom id (console only): alice, bob, walt, mike, wendy, dora" in lines
    assert any(line.startswith("warn team East: group chat #sales-east reaches no one") for line in lines)


def test_doctor_fails_a_slack_token_without_signing_secret_and_never_prints_the_secret(make_bot, db_url, org_file):
    make_bot()
    r = oppbot("doctor", "--config", org_file, db_url=db_url, SLACK_BOT_TOKEN="xoxb-secretvalue123",
               WECOM_CORP_ID="ww0123", WECOM_SECRET="wecomsecretvalue456")
    lines = _doctor_lines(r)
    assert r.returncode == 1
    assert "ok  SLACK_BOT_TOKEN xoxb-… (19 chars)" in lines
    assert any(line.startswith("FAIL SLACK_SIGNING_SECRET") for line in lines), lines
    assert any(line.startswith("FAIL WeCom needs WECOM_AGENT_ID, WECOM_TOKEN, WECOM_AES_KEY") for line in lines)
    assert "ok  team East: group chat #sales-east via Slack channel" in lines
    for secret in ("secretvalue123", "wecomsecretvalue456"):
        assert secret not in r.stdout + r.stderr


def test_doctor_online_asks_slack_and_a_bad_config_is_a_fail_line(make_bot, db_url, org_file, tmp_path):
    from tests.slack_api import MockSlack
    make_bot()
    api = MockSlack()
    try:
        r = oppbot("doctor", "--online", "--config", org_file, db_url=db_url, SLACK_BOT_TOKEN="xoxb-onlinetoken789",
                   SLACK_SIGNING_SECRET="signingsecret000", OPPBOT_SLACK_API_URL=api.url)
    finally:
        api.close()
    lines = _doctor_lines(r)
    assert r.returncode == 0, r.stdout
    assert "ok  Slack auth.test: bot oppbot (UBOT) in team T0TEST" in lines
    assert [c["method"] for c in api.calls] == ["auth.test"]
    assert "onlinetoken789" not in r.stdout and "signingsecret000" not in r.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text('[[teams]]\nname = "East"\nregion = "sh"\n', encoding="utf-8")
    r = oppbot("doctor", "--config", bad, db_url=db_url)
    assert r.returncode == 1
    assert _doctor_lines(r)[0] == "FAIL config: [[teams]] #1: region must be 2–4 capital letters (it goes into IDs), " \
                                  "got 'sh'"
