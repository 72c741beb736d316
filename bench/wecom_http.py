"""Encrypted WeCom text-message callbacks posted over HTTP to the running app (waitress, in this process), its
WeCom API calls answered by the local mock the tests use.

Prints callbacks/second and p50/p99 answer time (the HTTP answer WeCom waits for, 5 s at most), and how long until
every reply was sent (marked in the outbox after message/send); beside them the same for a bare endpoint that only verifies and
decrypts with wechatpy and answers "" (no dedupe, no bot), served the same way, and the ratio. Callbacks are
encrypted before the clock starts; each of --senders threads posts one at a time."""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import xmltodict  # noqa: E402
from flask import Flask, request  # noqa: E402
from wechatpy.enterprise.crypto import WeChatCrypto  # noqa: E402

from sqlalchemy import func, select  # noqa: E402

from bench.http_load import against_handle_alone, handled_alone, post_concurrently  # noqa: E402
from bot import server, wecom, wiring  # noqa: E402
from bot.courier import Courier  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402
from tests.wecom_api import CORP_ID, SECRET, MockWeCom  # noqa: E402

TOKEN, AES_KEY, AGENT = "benchToken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", 1000002
TEXTS = ("帮助", "我的商机", "本周到期", "漏斗", "help", "my pipeline")


def callbacks(n: int, senders: int) -> list[tuple[str, bytes, dict]]:
    """Callback i comes from member i % senders: each sender thread is one member typing."""
    crypto, ts = WeChatCrypto(TOKEN, AES_KEY, CORP_ID), str(int(time.time()))
    out = []
    for i in range(n):
        plain = xmltodict.unparse({"xml": {"ToUserName": CORP_ID, "FromUserName": f"rep{i % senders}.w",
                                           "CreateTime": ts,
                                           "MsgType": "text", "Content": TEXTS[i % len(TEXTS)],
                                           "MsgId": f"{time.time_ns()}{i}", "AgentID": AGENT}})
        sealed = xmltodict.parse(crypto.encrypt_message(plain, str(i), ts))["xml"]
        query = urlencode({"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": str(i)})
        body = xmltodict.unparse({"xml": {"Encrypt": sealed["Encrypt"]}}).encode()
        out.append((f"/wecom/callback?{query}", body, {"Content-Type": "text/xml"}))
    return out


def bare_app() -> Flask:
    """wechatpy alone: verify, decrypt, answer."""
    web, crypto = Flask("bare"), WeChatCrypto(TOKEN, AES_KEY, CORP_ID)

    @web.post("/wecom/callback")
    def callback():
        a = request.args
        crypto.decrypt_message(request.get_data(), a["msg_signature"], a["timestamp"], a["nonce"])
        return ""
    return web


def all_replies_sent(sessions, n: int, timeout: float = 600) -> None:
    """Every reply row is in the outbox and marked sent (a member's 20th reply in a minute carries the rest)."""
    waited = threading.Event()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sessions() as s:
            total, unsent = s.execute(select(func.count(), func.count().filter(OutboxMessage.sent_at.is_(None)))
                                      .where(OutboxMessage.kind == "reply")).one()
        if total >= n and not unsent:
            return
        waited.wait(0.05)
    raise TimeoutError(f"{total} of {n} replies enqueued, {unsent} unsent after {timeout} s")


def run(wsgi, deps, *, n: int, senders: int) -> dict:
    web = server.http_server(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=web.run, daemon=True).start()
    result = post_concurrently(web.effective_port, callbacks(n, senders), senders=senders)
    if deps:
        all_replies_sent(deps.sessions, n)
    web.close()
    return {**result, "all_replied_s": time.perf_counter() - result["started"] if deps else None}


def show(name: str, r: dict) -> None:
    tail = (f"   every reply sent after {r['all_replied_s']:.2f} s" if r["all_replied_s"] else "")
    print(f"{name:<30} {r['per_s']:8.1f} callbacks/s   answer p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms"
          f"  max {r['max_ms']:7.1f} ms{tail}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=1000, help="callbacks per run (default 1000)")
    p.add_argument("--senders", type=int, default=50, help="concurrent senders (default 50)")
    args = p.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # 50 senders on 8 threads queue, by design
    api = MockWeCom()
    with tempfile.TemporaryDirectory(prefix="oppbot-wecom-") as tmp:
        org = Path(tmp) / "org.toml"  # the demo org and one rep with a WeCom id per sender
        org.write_text(resources.files("bot").joinpath("demo_org.toml").read_text(encoding="utf-8") + "".join(
            f'\n[[users]]\nid = "rep{k}"\nname = "Rep {k}"\nrole = "rep"\nteam = "East"\nwecom = "rep{k}.w"\n'
            for k in range(args.senders)), encoding="utf-8")
        deps = wiring.build(wiring.load_config(str(org)), url=f"sqlite:///{tmp}/bench.db",
                            clock=lambda: datetime.now(timezone.utc))
        settings = wecom.WeComSettings(corp_id=CORP_ID, agent_id=AGENT, secret=SECRET, token=TOKEN,
                                       aes_key=AES_KEY, api_url=api.url)
        client = wecom.WeComClient(settings, deps)
        courier = Courier(deps, wecom.WeComSender(client, settings, deps))
        ours = wecom.Callback(deps, settings, courier)
        bare = run(bare_app(), None, n=args.n, senders=args.senders)
        mine = run(server.make_wsgi_app(deps, wecom=ours), deps, n=args.n, senders=args.senders)
        courier.close()
        alone = handled_alone(deps, TEXTS, args.n, user="rep0", platform="wecom")
        deps.sessions.kw["bind"].dispose()
    api.close()
    print(f"{args.n} encrypted text callbacks, {args.senders} concurrent senders, SQLite file")
    show("bare wechatpy verify+decrypt", bare)
    show("oppbot", mine)
    print(f"ratio oppbot / bare: callbacks/s {mine['per_s'] / bare['per_s']:.2f}x, "
          f"answer p99 {mine['p99_ms'] / bare['p99_ms']:.2f}x   (WeCom's deadline: every answer within 5,000 ms)")
    emit(f"WeCom: {args.n} callbacks, callbacks/s", mine["per_s"], "/s", floor=bare["per_s"],
         target=(">=", 0.8 * bare["per_s"]), floor_is="Slack / WeCom: a bare bolt App / bare wechatpy on the same server")
    emit("WeCom: answer p99", mine["p99_ms"], "ms", floor=bare["p99_ms"], target=("<=", 1.5 * bare["p99_ms"]))
    emit("WeCom: every reply sent after", mine["all_replied_s"], "s")
    against_handle_alone("WeCom", "callbacks", mine["per_s"], bare["per_s"], alone)

if __name__ == "__main__":
    main()
