"""The 数据看板 page (seed 001 四(一)4): one server-rendered HTML page, charts as inline SVG, no script, no CDN —
it works offline and in any browser. Every figure comes from storage.reports.metrics, scoped by the viewer's role
and cut by the page's filters, so the page and the chat never disagree."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Callable
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.config import Config
from domain.wording import LOST_REASON_NAMES, SOURCE_NAMES, money, named, say, source_name, stage_name
from storage import db
from storage import models as m
from storage.reports import metrics, texts
from storage.reports.metrics import Filters, where
from storage.reports.periods import Period, resolve
from storage.reports.pipeline import scope_name, target_of

O = m.Opportunity
PERIODS = ("week", "month", "last_month", "quarter", "last_quarter", "year", "last_year", "all")
LIST_ROWS = 20
READERS = 4


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(loader=PackageLoader("storage.reports", "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def _bars(rows: list[tuple[str, float, str]]) -> list[dict]:
    """(label, value, figure) rows with widths as a share of the largest, for the SVG."""
    top = max((value for _, value, _ in rows), default=0) or 1
    return [{"label": label, "text": text, "width": round(100 * value / top, 1)} for label, value, text in rows]


def _overdue(session: Session, viewer, filters: Filters, today: date) -> list:
    """The longest overdue first (the due-date index, read from its start)."""
    return session.execute(select(O.id, m.Customer.name, O.owner_id, O.stage, O.follow_up_due).join(m.Customer).where(
        *where(viewer, filters), O.status == "open", O.follow_up_due < today,
        or_(O.snoozed_until.is_(None), O.snoozed_until < today)).order_by(O.follow_up_due, O.id).limit(LIST_ROWS)).all()


def _fan_out(sessions, reads: dict[str, Callable[[Session], object]]) -> dict[str, object]:
    """The page's reads are independent: each on its own connection, side by side (the database works while
    Python waits), so the page costs about its slowest read rather than their sum."""
    def run(read):
        with db.reading(), sessions() as session:
            return read(session)
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="dashboard") as pool:
        futures = {name: pool.submit(run, read) for name, read in reads.items()}
        return {name: f.result() for name, f in futures.items()}


def page(sessions, *, viewer, config: Config, now: datetime, until: datetime, tz: ZoneInfo, period: Period,
         filters: Filters, token: str) -> str:
    """The whole page for this viewer; `token` goes back into the filter form so the link stays signed."""
    viewer = SimpleNamespace(id=viewer.id, role=viewer.role, team_name=viewer.team_name,
                             lang=getattr(viewer, "lang", None) or "zh")  # read from other threads' sessions
    lang = viewer.lang
    today = now.astimezone(tz).date()
    kw = dict(viewer=viewer, period=period, filters=filters, tz=tz)
    spans = {(p.start, p.end): p for p in (resolve("month", today), resolve("quarter", today), period)
             if p.key != "all"}  # this month, this quarter, and the page's period when it is another
    got = _fan_out(sessions, {
        "pipe": lambda s: metrics.open_pipeline(s, viewer=viewer, today=today, filters=filters),
        "steps": lambda s: metrics.stage_conversion(s, **kw),
        "days": lambda s: metrics.stage_days(s, **kw),
        "results": lambda s: metrics.results(s, **kw),
        "rest": lambda s: (  # the page shows SPEC's weighted forecast: no need to read the win-rate history
            [metrics.forecast(s, viewer=viewer, period=p, filters=filters, tz=tz, odds=()) for p in spans.values()],
            {r.owner: r for r in metrics.leaderboard(s, **kw)}, dict(s.execute(select(m.User.id, m.User.name)).all()),
            _overdue(s, viewer, filters, today), metrics.high_risk(s, viewer=viewer, filters=filters, limit=LIST_ROWS),
            metrics.lost_reasons(s, **kw), metrics.sources(s, **kw))})
    results, steps, days, pipe = got["results"], got["steps"], got["days"], got["pipe"]
    found, leaders, names, overdue, risky, lost, source_rows = got["rest"]

    forecasts = []
    for p, f in zip(spans.values(), found):
        weighted = sum((v for c, v in f.weighted if c == "CNY"), Decimal(0))
        target = None if filters.owner else target_of(config, viewer, p, team=filters.team)
        forecasts.append({"name": texts.period_name(p, lang), "span": f"{p.start} – {p.end}",
                          "won": money(f.won_amount, "CNY", lang), "weighted": money(weighted, "CNY", lang),
                          "target": money(Decimal(target), "CNY", lang) if target is not None else "—",
                          "reach": texts.pct(float((f.won_amount + weighted) / target)) if target else "—",
                          "bars": _bars([(say("d_f_won", lang), float(f.won_amount), money(f.won_amount, "CNY", lang)),
                                         (say("d_f_expected", lang), float(f.won_amount + weighted),
                                          money(f.won_amount + weighted, "CNY", lang)),
                                         *([(say("d_f_target", lang), target, money(Decimal(target), "CNY", lang))]
                                           if target is not None else [])])})
    coverage = pipe.coverage()
    compliance = {r.owner: r for r in pipe.compliance(tz)}
    reps = []
    for owner in sorted(set(compliance) | set(leaders), key=lambda o: (
            -(leaders[o].won_amount if o in leaders else 0), o)):
        c, r = compliance.get(owner), leaders.get(owner)
        reps.append({"name": names.get(owner, owner), "open": c.open if c else 0, "overdue": c.overdue if c else 0,
                     "over7": c.over_7 if c else 0, "idle": c.idle_days if c and c.idle_days is not None else "—",
                     "registered": r.registered if r else 0, "won": r.won if r else 0,
                     "amount": money(r.won_amount, "CNY", lang) if r and r.won_amount else "—",
                     "win_rate": texts.pct(r.win_rate if r else None), "cycle": texts.days(r.cycle_days if r else None, lang)})
    teams = [t.name for t in config.teams] if viewer.role in ("director", "admin") else []
    return _templates().get_template("dashboard.html").render(
        t=lambda key, **values: say(key, lang, **values), lang=lang, token=token,
        scope=scope_name(viewer, lang), span=texts.span(scope_name(viewer, lang), period, filters, lang, today=today),
        made=say("d_made", lang, at=now.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                 until=until.astimezone(tz).strftime("%H:%M")),
        periods=[(k, say(f"period_{k}", lang)) for k in PERIODS], period=period, teams=teams, filters=filters,
        sources=[(k, source_name(k, lang)) for k in SOURCE_NAMES],
        kpis=[("registered", say("d_registered", lang), str(results.registered)),
              ("conversion", say("d_conversion", lang), texts.pct(results.conversion)),
              ("win_rate", say("d_win_rate", lang), texts.pct(results.win_rate)),
              ("cycle", say("d_cycle", lang), texts.days(results.cycle_days, lang)),
              ("won_amount", say("d_won", lang), money(results.won_amount, "CNY", lang)),
              ("high_value_share", say("d_high", lang), texts.pct(results.high_value_share)),
              ("coverage", say("d_coverage", lang), texts.pct(coverage.share))],
        funnel=_bars([(stage_name(stage, lang), n, f"{n} · {money(amount, 'CNY', lang)}")
                      for stage, n, amount in pipe.funnel()]),
        steps=_bars(texts.step_bars({"stages": steps}, lang)),
        days=[(stage_name(d.stage, lang), texts.days(d.average, lang), d.stays) for d in days],
        forecasts=forecasts,
        n_overdue=pipe.overdue(), overdue=[(i, c, names.get(o, o), stage_name(s, lang), due, (today - due).days)
                                      for i, c, o, s, due in overdue],
        n_risky=pipe.risky(), risky=[(i, c, names.get(o, o), stage_name(s, lang),
                                 (now - since).days if since else "—") for i, c, o, s, since in risky],
        reps=reps,
        source_rows=[(source_name(s.source, lang), s.registered, s.won, texts.pct(s.conversion),
                      money(s.average_amount, "CNY", lang) or "—")
                     for s in source_rows],
        lost=[(named(LOST_REASON_NAMES, r.reason, lang) or "—", r.count, texts.pct(r.share)) for r in lost.reasons],
        lost_bars=_bars(texts.lost_bars({"lost": lost}, lang)))
