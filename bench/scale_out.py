"""1, 2 and 4 `oppbot serve` processes on one PostgreSQL database behind the same load: signed Slack DM events
over loopback, each sender sending to every process in turn (a load balancer without affinity), the processes'
Web API calls answered by the local mock Slack the tests use.

The load is eight reps registering customers from one shared list — about a third of them another rep registers
too, often at the same moment in another process — asking for their pipeline and for help. For each process count,
on a fresh database: events/s and ack p99 (the HTTP answer Slack waits for), replies/s until every reply reached
Slack, and the checks that make the figures mean something: every event answered exactly once, in its thread,
every registration either registered or refused as 撞单, and no customer with two owners. Bounded: N events, and
at most --timeout seconds for the replies."""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.http_load import post_concurrently  # noqa: E402
from bot import wiring  # noqa: E402
from storage import models as m  # noqa: E402
from tests.slack_api import MockSlack  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402

SECRET = "bench-signing-secret"
REPS = 8
CITIES = ("杭州", "宁波", "温州", "厦门", "成都", "苏州", "无锡", "青岛", "大连", "合肥", "南昌", "济南")
TRADES = ("精密机械", "冷链物流", "微电子", "纺织印染", "新能源", "医疗器械", "汽车零部件", "食品饮料")


def org_toml() -> str:
    """Two teams of four reps, each with a Slack member id, and their managers."""
    lines = ['[org]\nname = "Scale Co"\ntimezone = "Asia/Shanghai"\nprotection_days = 90\n'
             'registration_review = false\n']
    for team, region, manager in (("East", "SH", "mike"), ("South", "SZ", "nina")):
        lines.append(f'[[teams]]\nname = "{team}"\nregion = "{region}"\nmanager = "{manager}"\n')
    for k in range(REPS):
        lines.append(f'[[users]]\nid = "rep{k}"\nname = "Rep{k}"\nrole = "rep"\nteam = "{("East", "South")[k % 2]}"\n'
                     f'slack = "U0REP{k}"\n')
    for manager, team in (("mike", "East"), ("nina", "South")):
        lines.append(f'[[users]]\nid = "{manager}"\nname = "{manager.title()}"\nrole = "manager"\nteam = "{team}"\n')
    return "\n".join(lines)


def customers(n: int) -> list[str]:
    return [f"{CITIES[k % len(CITIES)]}{TRADES[k // len(CITIES) % len(TRADES)]}{k:03d}号有限公司" for k in range(n)]


def load(n: int) -> list[tuple[str, str, str]]:
    """(member, text, ts) for n events, round-robin over the reps, so neighbours' messages go out together (to
    different processes): two registrations in three messages, and every third registration a customer the rep's
    partner (reps 0/1, 2/3, …) registers in the same round."""
    names = iter(customers(n))
    contested: dict[tuple[int, int], str] = {}
    out = []
    for i in range(n // REPS * REPS):
        k, j = i % REPS, i // REPS
        if j % 3 == 2:
            said = ("我的商机", "帮助", "本周到期")[j // 3 % 3]
        else:
            customer = contested.setdefault((k // 2, j), next(names)) if j % 3 == 0 and j % 2 == 0 else next(names)
            said = f"报备 {customer} 联系人 王{k}经理 1380000{i:04d} 需求 MES 预算 30万"
        out.append((f"U0REP{k}", said, f"1700000000.{i:06d}"))
    return out


def signed(events: list[tuple[str, str, str]]) -> list[tuple[str, bytes, dict]]:
    signer, out = SignatureVerifier(SECRET), []
    for i, (member, said, ts) in enumerate(events):
        body = json.dumps({"type": "event_callback", "event_id": f"EvSCALE{time.monotonic_ns()}{i}",
                           "team_id": "T0TEST",
                           "event": {"type": "message", "channel_type": "im", "channel": "D" + member[1:],
                                     "user": member, "text": said, "ts": ts}})
        now = str(int(time.time()))
        out.append(("/slack/events", body.encode(), {
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": signer.generate_signature(timestamp=now, body=body)}))
    return out


def admin_engine(url: str):
    """The server's `postgres` database, to drop and create the bench's own."""
    return create_engine(make_url(url).set(drivername="postgresql+psycopg", database="postgres"),
                         isolation_level="AUTOCOMMIT")


def fresh_database(url: str, *, create: bool = True) -> None:
    admin, name = admin_engine(url), make_url(url).database
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def start_servers(count: int, *, url: str, org: Path, api: MockSlack, timeout: float) -> list[tuple]:
    """`count` serve processes on free ports; returns (process, port) once each says it listens."""
    env = dict(os.environ, OPPBOT_DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET,
               OPPBOT_SLACK_API_URL=api.url)
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", "0", "--config", str(org)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    started, deadline = [], time.monotonic() + timeout
    for proc in procs:
        port = None
        while port is None and time.monotonic() < deadline:  # bounded: the line it prints once listening
            line = proc.stderr.readline()
            if not line:
                break
            found = re.search(r"listening on http://[\d.]+:(\d+)", line)
            port = found and int(found.group(1))
        if port is None:
            raise SystemExit(f"a serve process did not start: {proc.stderr.read()[-2000:]}")
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep its pipe drained
        started.append((proc, port))
    return started


def warm_up(api: MockSlack, ports: list[int], *, timeout: float) -> None:
    """One registration through each process before the clock starts: its first loads the entity tagger's model."""
    events = [("U0REP0", f"报备 预热{p}号有限公司 联系人 张三 13900000000 需求 MES", f"1600000000.{p:06d}") for p in ports]
    for port, request in zip(ports, signed(events)):
        post_concurrently(port, [request], senders=1)
    api.wait_until(lambda: len(api.posted) >= len(ports), timeout=timeout)


def run(count: int, *, url: str, org: Path, n: int, timeout: float) -> dict:
    fresh_database(url)
    config = wiring.load_config(str(org))
    deps = wiring.build(config, url=url, clock=lambda: datetime.now(timezone.utc))  # migrated once, before them
    api = MockSlack()
    servers = start_servers(count, url=url, org=org, api=api, timeout=60)
    events = load(n)
    try:
        warm_up(api, [port for _, port in servers], timeout=timeout)
        result = post_concurrently([port for _, port in servers], signed(events), senders=REPS)
        ours = {ts for _, _, ts in events}
        api.wait_until(lambda: len({p["thread_ts"] for p in list(api.posted) if p["thread_ts"] in ours}) >= len(ours),
                       timeout=timeout)
        replied = time.perf_counter() - result["started"]
    finally:
        for proc, _ in servers:
            proc.terminate()
        for proc, _ in servers:
            proc.wait(timeout=60)
        api.close()
    replies = [p for p in api.posted if p["thread_ts"] in ours]  # the warm-ups' left out
    answers = Counter(p["thread_ts"] for p in replies)
    with deps.sessions() as s:
        owners = s.execute(select(m.Customer.name, func.count()).join(m.Opportunity)
                           .where(m.Opportunity.status.in_(("pending", "open"))).group_by(m.Customer.name)
                           .having(func.count() > 1)).all()
        registered = s.scalar(select(func.count()).select_from(m.Opportunity).join(m.Customer)
                              .where(m.Customer.name.not_like("预热%")))  # the warm-ups' are not the load's
    deps.sessions.kw["bind"].dispose()
    said = {ts: text for _, text, ts in events}
    odd = [(said[p["thread_ts"]][:40], (p["text"] or "")[:80]) for p in replies
           if said[p["thread_ts"]].startswith("报备") and not (p["text"] or "").startswith(("已报备", "撞单"))]
    for asked, answered in odd[:5]:
        print(f"   a registration answered otherwise: {asked!r} → {answered!r}")
    return {**result, "processes": count, "replies_per_s": len(events) / replied, "all_replied_s": replied,
            "unanswered": len(ours - set(answers)), "answered_twice": sum(1 for c in answers.values() if c > 1),
            "two_owners": len(owners), "registered": registered,
            "registrations": sum(1 for _, text, _ in events if text.startswith("报备")),
            "refused": sum(1 for p in replies if (p["text"] or "").startswith("撞单"))}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=960, help="events per run (default 960)")
    p.add_argument("--processes", default="1,2,4", help="process counts to run (default 1,2,4)")
    p.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/oppbot_scale",
                   help="a PostgreSQL database this bench may drop and create (default oppbot_scale)")
    p.add_argument("--timeout", type=float, default=300, help="seconds to wait for every reply (default 300)")
    args = p.parse_args()
    org = Path("/tmp") / f"oppbot-scale-{os.getpid()}.toml"
    org.write_text(org_toml(), encoding="utf-8")
    print(f"{args.n} signed Slack DM events from {REPS} reps, PostgreSQL, {os.cpu_count()} cores")
    print(f"{'processes':>9} {'events/s':>9} {'ack p50':>8} {'ack p99':>8} {'replies/s':>10} {'all replied':>11} "
          f"{'registered':>10} {'撞单':>5} {'unanswered':>10} {'twice':>6} {'two owners':>10}")
    results, bad = [], False
    try:
        for count in (int(c) for c in args.processes.split(",")):
            r = run(count, url=args.url, org=org, n=args.n, timeout=args.timeout)
            results.append(r)
            bad |= bool(r["unanswered"] or r["answered_twice"] or r["two_owners"]
                        or r["registered"] + r["refused"] != r["registrations"])
            print(f"{count:>9} {r['per_s']:>9.1f} {r['p50_ms']:>6.1f}ms {r['p99_ms']:>6.1f}ms "
                  f"{r['replies_per_s']:>10.1f} {r['all_replied_s']:>10.2f}s {r['registered']:>10} {r['refused']:>6} "
                  f"{r['unanswered']:>10} {r['answered_twice']:>6} {r['two_owners']:>10}")
    finally:
        org.unlink()
        fresh_database(args.url, create=False)
    one = results[0]
    for r in results:
        emit(f"scale-out: {r['processes']} serve, replies/s", r["replies_per_s"], "/s", floor=one["replies_per_s"],
             floor_is="scale-out: the same load on one serve process")
        emit(f"scale-out: {r['processes']} serve, ack p99", r["p99_ms"], "ms", target=("<=", 3000))
    if bad:
        raise SystemExit("a check failed: an event unanswered or answered twice, a customer with two owners, or a "
                         "registration neither registered nor refused as 撞单")


if __name__ == "__main__":
    main()
