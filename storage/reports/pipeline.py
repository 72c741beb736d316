"""The pipeline as it stands (我的商机, 团队商机, 本周到期, 漏斗, 预测), each scoped by the viewer's role."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from domain.stages import DEFAULT_WIN_PERCENT, OPEN_STAGES
from domain.wording import money, say, stage_name
from storage import models as m
from storage import repo
from storage.reports.periods import resolve
from storage.reports.texts import period_name


def scope_name(viewer: m.User, lang: str) -> str:
    if viewer.role == "rep":
        return say("scope_own", lang)
    if viewer.role == "manager":
        return say("scope_team", lang, team=viewer.team_name)
    return say("scope_all", lang)


def _line(o: m.Opportunity, lang: str, *, owner: bool) -> str:
    due = f"⏰{o.follow_up_due.isoformat()}" if o.follow_up_due else None
    bits = (f"• {o.id}", o.customer.name, stage_name(o.stage, lang), money(o.budget, o.currency, lang), due,
            f"@{o.owner_id}" if owner else None)
    return " ".join(b for b in bits if b)


def mine(session: Session, viewer: m.User, lang: str) -> str:
    opps = repo.owned_opportunities(session, viewer.id) if viewer.role == "rep" else repo.visible_open(session, viewer)
    if not opps:
        return say("no_opps", lang)
    return "\n".join([say("my_opps", lang, n=len(opps)), *(_line(o, lang, owner=viewer.role != "rep") for o in opps)])


def team(session: Session, viewer: m.User, lang: str) -> str:
    """团队商机: the open opportunities a manager (their team) or a director (everyone) can see, grouped by owner with
    each rep's count and budget, so who carries what is one look. A rep sees their own, and is told why."""
    if viewer.role == "rep":
        return "\n".join([say("team_reps_own", lang), mine(session, viewer, lang)])
    opps = repo.visible_open(session, viewer)
    if not opps:
        return say("no_opps", lang)
    by_owner: dict[str, list[m.Opportunity]] = defaultdict(list)
    for o in opps:
        by_owner[o.owner_id].append(o)
    lines = [say("team_head", lang, scope=scope_name(viewer, lang), n=len(opps), reps=len(by_owner))]
    for owner, theirs in sorted(by_owner.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        totals: dict[str | None, Decimal] = defaultdict(Decimal)
        for o in theirs:
            if o.budget:
                totals[o.currency] += o.budget
        lines.append(say("team_owner", lang, owner=owner, n=len(theirs),
                         total=" + ".join(money(v, c, lang) for c, v in totals.items()) or "—"))
        lines.extend("  " + _line(o, lang, owner=False) for o in theirs)
    return "\n".join(lines)


def due_this_week(session: Session, viewer: m.User, today: date, lang: str) -> str:
    end = today + timedelta(days=6 - today.weekday())  # through Sunday
    opps = [o for o in repo.visible_open(session, viewer, due_by=end)]
    if not opps:
        return say("due_none", lang)
    return "\n".join([say("due_head", lang, end=end.isoformat()),
                      *(_line(o, lang, owner=viewer.role != "rep") for o in opps)])


def funnel(session: Session, viewer: m.User, lang: str) -> str:
    rows = repo.funnel(session, viewer)
    if not rows:
        return say("funnel_none", lang)
    by_stage = defaultdict(lambda: [0, defaultdict(Decimal)])
    for stage, currency, count, amount in rows:
        by_stage[stage][0] += count
        by_stage[stage][1][currency or "CNY"] += amount or 0
    total = sum(c for c, _ in by_stage.values())
    lines = [say("funnel_head", lang, scope=scope_name(viewer, lang), n=total)]
    for stage in OPEN_STAGES:
        count, amounts = by_stage.get(stage, (0, {}))
        shown = " + ".join(money(v, c, lang) for c, v in sorted(amounts.items()) if v) or "-"
        bar = "█" * max(1, round(20 * count / total)) if count else ""
        lines.append(f"{stage_name(stage, lang):<6} {count:>4}  {shown:<14} {bar}")
    return "\n".join(lines)


def forecast(session: Session, viewer: m.User, today: date, lang: str, period: str | None) -> str:
    """SPEC: Σ amount × stage win % over open opportunities expected to close in the period."""
    lines = [say("forecast_head", lang, scope=scope_name(viewer, lang))]
    for p in ([period] if period else ["month", "quarter"]):
        span = resolve(p, today)
        start, end = span.start, span.end
        sums, n = defaultdict(Decimal), 0
        for stage, currency, amount in repo.expected_between(session, viewer, start, end):
            sums[currency or "CNY"] += amount * DEFAULT_WIN_PERCENT.get(stage, 0) / 100
            n += 1
        shown = " + ".join(money(v, c, lang) for c, v in sorted(sums.items())) or money(Decimal(0), "CNY", lang)
        lines.append(say("forecast_line", lang, period=period_name(span, lang), start=start, end=end,
                         amount=shown, n=n))
    return "\n".join(lines)
