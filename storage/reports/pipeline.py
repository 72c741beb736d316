"""The pipeline as it stands (我的商机, 团队商机, 本周到期, 漏斗, 预测), each scoped by the viewer's role."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from domain.stages import OPEN_STAGES
from domain.wording import money, say, stage_name
from storage import models as m
from storage import repo
from storage.reports import metrics
from storage.reports.charts import funnel_png
from storage.reports.periods import resolve
from storage.reports.texts import period_name


def scope_name(viewer: m.User, lang: str) -> str:
    if viewer.role == "rep":
        return say("scope_own", lang)
    if viewer.role == "manager":
        return say("scope_team", lang, team=viewer.team_name)
    return say("scope_all", lang)


def line(o: m.Opportunity, lang: str, *, owner: bool) -> str:
    """One opportunity on one line: ID, customer, stage, amount, when it is due (and whose, for a manager)."""
    due = f"⏰{o.follow_up_due.isoformat()}" if o.follow_up_due else None
    bits = (f"• {o.id}", o.customer.name, stage_name(o.stage, lang), money(o.budget, o.currency, lang), due,
            f"@{o.owner_id}" if owner else None)
    return " ".join(b for b in bits if b)


def mine(session: Session, viewer: m.User, lang: str) -> str:
    opps = repo.owned_opportunities(session, viewer.id) if viewer.role == "rep" else repo.visible_open(session, viewer)
    if not opps:
        return say("no_opps", lang)
    return "\n".join([say("my_opps", lang, n=len(opps)), *(line(o, lang, owner=viewer.role != "rep") for o in opps)])


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
        lines.extend("  " + line(o, lang, owner=False) for o in theirs)
    return "\n".join(lines)


def due_this_week(session: Session, viewer: m.User, today: date, lang: str) -> str:
    end = today + timedelta(days=6 - today.weekday())  # through Sunday
    opps = [o for o in repo.visible_open(session, viewer, due_by=end)]
    if not opps:
        return say("due_none", lang)
    return "\n".join([say("due_head", lang, end=end.isoformat()),
                      *(line(o, lang, owner=viewer.role != "rep") for o in opps)])


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


def stage_totals(session: Session, viewer) -> tuple[dict[str, int], dict[str, Decimal]]:
    """Open opportunities per stage, and their amount in the org's currency (CNY) per stage."""
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for stage, currency, count, amount in repo.funnel(session, viewer):
        counts[stage] += count
        if currency in (None, "CNY"):
            amounts[stage] += amount or 0
    return counts, amounts


def funnel_chart(session: Session, viewer, title: str, lang: str) -> bytes:
    """The open funnel as a picture: one centred bar per stage, its count and amount (CNY)."""
    counts, amounts = stage_totals(session, viewer)
    return funnel_png(title, [(stage_name(s, lang), counts.get(s, 0), money(amounts.get(s) or None, "CNY", lang) or "-")
                              for s in OPEN_STAGES])


def months_of(period) -> list[str]:
    """2026-10 … 2026-12 for a quarter: what `[[targets]]` are kept by."""
    out, y, mth = [], period.start.year, period.start.month
    while date(y, mth, 1) <= period.end:
        out.append(f"{y}-{mth:02d}")
        y, mth = (y + 1, 1) if mth == 12 else (y, mth + 1)
    return out


def target_of(config, viewer, period, *, team: str | None = None) -> int | None:
    """Targets are teams': a manager's team, a director's chosen team or every team; a rep has none of their own."""
    if viewer.role == "rep":
        return None
    teams = [team] if team else [viewer.team_name] if viewer.role == "manager" else [t.name for t in config.teams]
    return config.target(teams, months_of(period))


def forecast(session: Session, viewer: m.User, today: date, lang: str, period: str | None, tz, *,
             config) -> tuple[str, list[tuple[str, float, str]]]:
    """SPEC: Σ amount × stage win % over open opportunities expected to close in the period, held against the
    period's target; beside it the same with the win rates the scope's own closed deals show, once 20 of them back a
    stage. Also the bars of the first period's chart: won, won + forecast, target."""
    lines, bars = [say("forecast_head", lang, scope=scope_name(viewer, lang))], []
    known = metrics.win_odds(session, viewer=viewer)
    for p in ([period] if period else ["month", "quarter"]):
        f = metrics.forecast(session, viewer=viewer, period=resolve(p, today), tz=tz, odds=known)
        shown = " + ".join(money(v, c, lang) for c, v in f.weighted) or money(Decimal(0), "CNY", lang)
        line = say("forecast_line", lang, period=period_name(f.period, lang), start=f.period.start,
                   end=f.period.end, amount=shown, n=f.open_deals)
        if any(o.learned is not None for o in f.odds) and f.learned != f.weighted:
            line += say("forecast_learned", lang, amount=" + ".join(money(v, c, lang) for c, v in f.learned))
        target = target_of(config, viewer, f.period)
        weighted = sum((v for c, v in f.weighted if c == "CNY"), Decimal(0))
        if target:
            line += say("forecast_target", lang, won=money(f.won_amount, "CNY", lang),
                        target=money(Decimal(target), "CNY", lang), reach=f"{100 * (f.won_amount + weighted) / target:.0f}%")
        lines.append(line)
        if not bars:
            bars = [(say("d_f_won", lang), float(f.won_amount), money(f.won_amount, "CNY", lang)),
                    (say("d_f_expected", lang), float(f.won_amount + weighted), money(f.won_amount + weighted, "CNY", lang)),
                    *([(say("d_f_target", lang), float(target), money(Decimal(target), "CNY", lang))] if target else [])]
    odds = f.odds
    if any(o.closed for o in odds):
        sep = "；" if lang == "zh" else "; "
        lines.append(say("forecast_odds", lang, odds=sep.join(
            say("odds_learned", lang, stage=stage_name(o.stage, lang), pct=f"{100 * o.learned:.0f}%", n=o.closed,
                default=o.default) if o.learned is not None else
            say("odds_default", lang, stage=stage_name(o.stage, lang), n=o.closed, min=metrics.LEARN_MIN,
                default=o.default) for o in odds)))
    return "\n".join(lines), bars
