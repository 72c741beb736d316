"""An opportunity ID mentioned in a channel (`2026-SH-007 这单怎么样了`): a short card in the thread, with only what
every member of a shared channel may see (SPEC privacy: never amounts, contacts or notes) — customer, stage, owner,
next step. Channel talk is never read as a command: the ID is looked up and nothing is changed."""
from __future__ import annotations

from sqlalchemy.orm import Session

from domain.config import Config
from domain.wording import named, say, stage_name
from handlers.parsing.fields import OPP_ID
from handlers.render import STATUS_NAMES
from storage import repo

MAX_CARDS = 5  # a message listing more IDs than this is a list, not a question


def mentioned(text: str) -> list[str]:
    """The opportunity IDs a message names, in order, once each."""
    return list(dict.fromkeys(m.upper() for m in OPP_ID.findall(text or "")))[:MAX_CARDS]


def cards(session: Session, config: Config, ids: list[str], lang: str) -> str | None:
    """One line per known opportunity; None when none of the IDs is one (the message is then left alone)."""
    lines = []
    for opp_id in ids:
        opp = repo.any_opportunity(session, opp_id)  # unscoped: the line holds only what anyone may learn
        if opp is None:
            continue
        where = stage_name(opp.stage, lang) if opp.status == "open" else named(STATUS_NAMES, opp.status, lang)
        step = " ".join(str(x) for x in (opp.next_action, opp.next_action_date) if x) or "—"
        lines.append(say("glance_line", lang, id=opp.id, customer=opp.customer.name, stage=where, next=step,
                         owner=config.name_of(opp.owner_id)))
    return "\n".join(lines) or None
