"""Every answer about the pipeline and its metrics, in one package below handlers/ and scheduler/: the chat, the
digest, the Monday pack, the dashboard and `oppbot report` call these same functions, so they never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.config import Config
from domain.wording import say
from storage import models as m
from storage.reports import metrics, pipeline, texts
from storage.reports.metrics import Filters
from storage.reports.periods import Period, resolve

__all__ = ["Filters", "Period", "resolve", "METRICS", "compute", "metric_text", "answer"]


@dataclass(frozen=True)
class Metric:
    title: str  # wording key
    default_period: str  # seed 001: result metrics monthly, process metrics weekly
    figures: Callable[..., dict]
    text: Callable[..., list[str]]
    by_person: bool = False  # its lines name people


def _results(s, v, p, f, today, tz):
    return {"results": metrics.results(s, viewer=v, period=p, filters=f, tz=tz)}


METRICS: dict[str, Metric] = {
    "conversion": Metric("m_conversion", "month", lambda s, v, p, f, today, tz: {
        **_results(s, v, p, f, today, tz), "stages": metrics.stage_conversion(s, viewer=v, period=p, filters=f, tz=tz)},
        texts.conversion),
    "cycle": Metric("m_cycle", "month", lambda s, v, p, f, today, tz: {
        **_results(s, v, p, f, today, tz), "days": metrics.stage_days(s, viewer=v, period=p, filters=f, tz=tz)},
        texts.cycle),
    "win_rate": Metric("m_win_rate", "month", _results, texts.win_rate),
    "sources": Metric("m_sources", "quarter", lambda s, v, p, f, today, tz: {
        "sources": metrics.sources(s, viewer=v, period=p, filters=f, tz=tz)}, texts.sources),
    "lost_reasons": Metric("m_lost_reasons", "quarter", lambda s, v, p, f, today, tz: {
        "lost": metrics.lost_reasons(s, viewer=v, period=p, filters=f, tz=tz)}, texts.lost_reasons),
    "leaderboard": Metric("m_leaderboard", "month", lambda s, v, p, f, today, tz: {
        "leaders": metrics.leaderboard(s, viewer=v, period=p, filters=f, tz=tz)}, texts.leaderboard, by_person=True),
    "compliance": Metric("m_compliance", "week", lambda s, v, p, f, today, tz: {
        "coverage": metrics.chain_coverage(s, viewer=v, filters=f),
        "compliance": metrics.compliance(s, viewer=v, today=today, filters=f, tz=tz)}, texts.compliance,
        by_person=True),
}
AS_OF_TODAY = ("compliance",)  # a snapshot of now: no period applies


def compute(session: Session, metric: str, *, viewer, today: date, tz: ZoneInfo, period: str | None = None,
            filters: Filters = Filters()) -> tuple[Period, dict]:
    """(the period it covers, the figures) of one metric; ValueError for a period that is not one."""
    spec = METRICS[metric]
    span = resolve(period or spec.default_period, today)
    return span, spec.figures(session, viewer, span, filters, today, tz)


def metric_text(session: Session, metric: str, *, viewer, today: date, tz: ZoneInfo, lang: str,
                period: str | None = None, filters: Filters = Filters()) -> str:
    span, figures = compute(session, metric, viewer=viewer, today=today, tz=tz, period=period, filters=filters)
    spec = METRICS[metric]
    scope = pipeline.scope_name(viewer, lang)
    where = texts.span(scope, None if metric in AS_OF_TODAY else span, filters, lang, today=today)
    head = say("m_head", lang, title=say(spec.title, lang), span=where)
    if spec.by_person:
        lines = spec.text(figures, lang, head, dict(session.execute(select(m.User.id, m.User.name)).all()))
    else:
        lines = spec.text(figures, lang, head)
    return "\n".join(lines if len(lines) > 1 else [*lines, say("m_nothing", lang)])


def answer(session: Session, *, viewer: m.User, config: Config, today: date, lang: str, what: str,
           period: str | None, filters: Filters = Filters()) -> str:
    """A chat question's answer, in the asker's language and scope."""
    if what in METRICS:
        return metric_text(session, what, viewer=viewer, today=today, tz=config.timezone_of(None), lang=lang,
                           period=period, filters=filters)
    if what == "due_this_week":
        return pipeline.due_this_week(session, viewer, today, lang)
    if what == "funnel":
        return pipeline.funnel(session, viewer, lang)
    if what == "forecast":
        return pipeline.forecast(session, viewer, today, lang, period)
    if what == "team":
        return pipeline.team(session, viewer, lang)
    return pipeline.mine(session, viewer, lang)
