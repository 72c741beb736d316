"""Deal rooms for big deals (Salesforce's and Troops's best-liked feature): an opportunity over its team's
`deal_room_amount` that reaches 方案推进 (proposal) gets a private room named by its ID — owner, manager, and the
presales on its support requests — where its stage changes and follow-ups are posted from then on."""
from __future__ import annotations

from sqlalchemy import select

from domain.messages import Notice
from domain.stages import STAGES
from storage import models as m
from storage import outbox, rooms

FROM_STAGE = "proposal"


def post(ctx, opp: m.Opportunity, text: str) -> None:
    """After a change the room should see (the command's own transaction). The room is asked for once, when a big
    enough open opportunity is at 方案推进 or later; once asked for, everything after is posted there."""
    to, via, opened = rooms.address(opp.id), {"via": opp.owner_id}, f"room-open:{opp.id}"  # where its owner is
    if not outbox.has(ctx.session, opened):
        team = ctx.config.team(opp.team_name)
        big = team and team.deal_room_amount and opp.budget is not None and opp.budget >= team.deal_room_amount
        if not big or opp.status != "open" or STAGES.index(opp.stage) < STAGES.index(FROM_STAGE):
            return
        asked = ctx.session.execute(select(m.SupportRequest.answered_by, m.SupportRequest.status).where(
            m.SupportRequest.opportunity_id == opp.id, m.SupportRequest.kind == "presales",
            m.SupportRequest.status != "refused")).all()
        presales = [p for who, _ in asked for p in ([who] if who else ctx.config.supporters("presales", team.name))]
        members = list(dict.fromkeys(p for p in (opp.owner_id, team.manager, *presales) if p))
        ctx.notify(Notice(to=to, kind="room_open", key=opened, route={**via, "members": members, "name": opp.id},
                          text=ctx.reply("room_intro", id=opp.id, customer=opp.customer.name,
                                         members="、".join(ctx.name_of(p) for p in members)).text))
    ctx.notify(Notice(to=to, kind="room", text=text, route=via))
