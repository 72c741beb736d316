"""`oppbot chat`: talk to the bot in a terminal, on the embedded default, with no account anywhere."""
from __future__ import annotations

from typing import IO

from domain.messages import Deps, Incoming
from handlers import handle
from storage import outbox

BANNER = "oppbot — {org}. You are {user}. Type 帮助 / help; /as USER to switch user; /quit to leave."


def chat(deps: Deps, user: str, *, inp: IO[str], out: IO[str]) -> int:
    def show_notice(message) -> None:
        out.write(f"  → {message.to} [{message.kind}] {message.text}\n")

    deps.send = show_notice
    out.write(BANNER.format(org=deps.config.org.name, user=user) + "\n")
    while True:
        out.write(f"{user}> ")
        out.flush()
        line = inp.readline()
        if not line or line.strip() in ("/quit", "/exit"):
            out.write("\n")
            return 0
        if line.startswith("/as "):
            who = line[4:].strip()
            if deps.config.user(who) is None:
                out.write(f"no user {who!r} in the config: {', '.join(u.id for u in deps.config.users)}\n")
            else:
                user = who
            continue
        reply = handle(Incoming(user=user, text=line.rstrip("\n"), at=deps.clock(), platform="console"), deps)
        out.write(reply.text + "\n")
        outbox.deliver(deps.sessions, deps.send, now=deps.clock())
