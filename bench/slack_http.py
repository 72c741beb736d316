"""Signed Slack DM events posted over HTTP to the running app (waitress, in this process), its Web API calls
answered by the local mock Slack the tests use.

Prints events/second and p50/p99 ack time (the HTTP answer Slack waits for, 3 s at most), and how long until
every reply reached the mock; beside them the same for a bare bolt App whose handler only says "ok", served the
same way, and the ratio. Events go one at a time from each of --senders threads."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import App  # noqa: E402
from slack_bolt.authorization import AuthorizeResult  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bench.http_load import against_handle_alone, handled_alone, post_concurrently  # noqa: E402
from bot import server, slack, wiring  # noqa: E402
from bot.courier import Courier  # noqa: E402
from tests.slack_api import MockSlack  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402

SECRET = "bench-signing-secret"
TEXTS = ("帮助", "我的商机", "本周到期", "漏斗", "help", "my pipeline")


def bare_app(api: MockSlack) -> App:
    identity = AuthorizeResult(enterprise_id=None, team_id="T0TEST", bot_token="xoxb-bench", bot_user_id="UBOT",
                               bot_id="BBOT")
    app = App(client=WebClient(base_url=api.url), signing_secret=SECRET,
              authorize=lambda **_: identity, token_verification_enabled=False)

    @app.event("message")
    def ok(event, client):
        client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="ok")
    return app


def signed_events(n: int) -> list[tuple[str, bytes, dict]]:
    signer, out = SignatureVerifier(SECRET), []
    for i in range(n):
        body = json.dumps({"type": "event_callback", "event_id": f"EvBENCH{time.monotonic_ns()}{i}",
                           "team_id": "T0TEST", "event": {
                               "type": "message", "channel_type": "im", "channel": "D0BENCH", "user": "U0ALICE",
                               "text": TEXTS[i % len(TEXTS)], "ts": f"1700000000.{i:06d}"}})
        ts = str(int(time.time()))
        out.append(("/slack/events", body.encode(), {
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signer.generate_signature(timestamp=ts, body=body)}))
    return out


def run(wsgi, api: MockSlack, *, n: int, senders: int) -> dict:
    web = server.http_server(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=web.run, daemon=True).start()
    before = len(api.ok("chat.postMessage"))
    result = post_concurrently(web.effective_port, signed_events(n), senders=senders)
    api.wait_for("chat.postMessage", before + n, timeout=600)
    replied = time.perf_counter() - result["started"]
    web.close()
    return {**result, "events_per_s": result["per_s"], "all_replied_s": replied, "replies_per_s": n / replied}


def show(name: str, r: dict) -> None:
    print(f"{name:<28} {r['events_per_s']:8.1f} events/s   ack p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms"
          f"   every reply posted after {r['all_replied_s']:.2f} s ({r['replies_per_s']:.1f}/s)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=600, help="events per run (default 600)")
    p.add_argument("--senders", type=int, default=4, help="concurrent senders (default 4)")
    args = p.parse_args()
    api = MockSlack()
    with tempfile.TemporaryDirectory(prefix="oppbot-slack-") as tmp:
        org = Path(tmp) / "org.toml"  # the demo org, alice with a Slack id
        org.write_text(resources.files("bot").joinpath("demo_org.toml").read_text(encoding="utf-8").replace(
            'id = "alice"\n', 'id = "alice"\nslack = "U0ALICE"\n'), encoding="utf-8")
        deps = wiring.build(wiring.load_config(str(org)), url=f"sqlite:///{tmp}/bench.db",
                            clock=lambda: datetime.now(timezone.utc))
        settings = slack.SlackSettings(bot_token="xoxb-bench", signing_secret=SECRET, api_url=api.url)
        courier = Courier(deps, slack.SlackSender(slack.web_client(settings), deps, per_channel_seconds=0))
        ours = slack.build_app(deps, settings, courier=courier)
        bare = run(server.make_wsgi_app(deps, slack_app=bare_app(api), slack_secret=SECRET), api, n=args.n, senders=args.senders)
        mine = run(server.make_wsgi_app(deps, slack_app=ours, slack_secret=SECRET), api, n=args.n, senders=args.senders)
        courier.close()
        alone = handled_alone(deps, TEXTS, args.n, user="alice", platform="slack")
        deps.sessions.kw["bind"].dispose()
    api.close()
    print(f"{args.n} signed DM events, {args.senders} senders, SQLite file")
    show("bare bolt App (says ok)", bare)
    show("oppbot", mine)
    print(f"ratio oppbot / bare: events/s {mine['events_per_s'] / bare['events_per_s']:.2f}x, "
          f"ack p99 {mine['p99_ms'] / bare['p99_ms']:.2f}x, replies/s {mine['replies_per_s'] / bare['replies_per_s']:.2f}x"
          "   (Slack's deadline: every ack within 3,000 ms)")
    floor = "Slack / WeCom: a bare bolt App / bare wechatpy on the same server"
    emit(f"Slack: {args.n} DMs, events/s", mine["events_per_s"], "/s", floor=bare["events_per_s"], floor_is=floor,
         target=(">=", 0.8 * bare["events_per_s"]))
    emit("Slack: replies posted /s", mine["replies_per_s"], "/s", floor=bare["replies_per_s"],
         target=(">=", 0.8 * bare["replies_per_s"]))
    against_handle_alone("Slack", "replies", mine["replies_per_s"], bare["replies_per_s"], alone)

if __name__ == "__main__":
    main()
