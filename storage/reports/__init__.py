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
from storage.reports.charts import bars_png, data_uri
from storage.reports.metrics import Filters
from storage.reports.periods import Period, resolve

__all__ = ["Filters", "Period", "resolve", "METRICS", "Answer", "compute", "metric_text", "answer"]


@dataclass(frozen=True)
class Answer:
    text: str
    image: str | None = None  # a chart as a PNG data URI: attached on Slack and WeCom; the console has the text


@dataclass(frozen=True)
class Metric:
    title: str  # wording key
    default_period: str  # seed 001: result metrics monthly, process metrics weekly
    figures: Callable[..., dict]
    text: Callable[..., list[str]]
    by_person: bool = False  # its lines name people
    chart: Callable[[dict, str], list[tuple[str, float, str]]] | None = None  # (label, value, figure) bars


def _health(pipe: metrics.OpenPipeline, tz: ZoneInfo) -> dict:
    return {"coverage": pipe.coverage(), "compliance": pipe.compliance(tz)}


def _results(s, v, p, f, today, tz):
    return {"results": metrics.results(s, viewer=v, period=p, filters=f, tz=tz)}


METRICS: dict[str, Metric] = {
    "conversion": Metric("m_conversion", "month", lambda s, v, p, f, today, tz: {
        **_results(s, v, p, f, today, tz), "stages": metrics.stage_conversion(s, viewer=v, period=p, filters=f, tz=tz)},
        texts.conversion, chart=texts.step_bars),
    "cycle": Metric("m_cycle", "month", lambda s, v, p, f, today, tz: {
        **_results(s, v, p, f, today, tz), "days": metrics.stage_days(s, viewer=v, period=p, filters=f, tz=tz)},
        texts.cycle),
    "win_rate": Metric("m_win_rate", "month", _results, texts.win_rate),
    "sources": Metric("m_sources", "quarter", lambda s, v, p, f, today, tz: {
        "sources": metrics.sources(s, viewer=v, period=p, filters=f, tz=tz)}, texts.sources, chart=texts.source_bars),
    "lost_reasons": Metric("m_lost_reasons", "quarter", lambda s, v, p, f, today, tz: {
        "lost": metrics.lost_reasons(s, viewer=v, period=p, filters=f, tz=tz)}, texts.lost_reasons,
        chart=texts.lost_bars),
    "leaderboard": Metric("m_leaderboard", "month", lambda s, v, p, f, today, tz: {
        "leaders": metrics.leaderboard(s, viewer=v, period=p, filters=f, tz=tz)}, texts.leaderboard, by_person=True),
    "compliance": Metric("m_compliance", "week", lambda s, v, p, f, today, tz: _health(
        metrics.open_pipeline(s, viewer=v, today=today, filters=f), tz), texts.compliance, by_person=True),
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
    return _metric(session, metric, viewer=viewer, today=today, tz=tz, lang=lang, period=period, filters=filters,
                   chart=False).text


def _metric(session: Session, metric: str, *, viewer, today: date, tz: ZoneInfo, lang: str, period: str | None,
            filters: Filters, chart: bool) -> Answer:
    span, figures = compute(session, metric, viewer=viewer, today=today, tz=tz, period=period, filters=filters)
    spec = METRICS[metric]
    scope = pipeline.scope_name(viewer, lang)
    where = texts.span(scope, None if metric in AS_OF_TODAY else span, filters, lang, today=today)
    head = say("m_head", lang, title=say(spec.title, lang), span=where)
    if spec.by_person:
        lines = spec.text(figures, lang, head, dict(session.execute(select(m.User.id, m.User.name)).all()))
    else:
        lines = spec.text(figures, lang, head)
    text = "\n".join(lines if len(lines) > 1 else [*lines, say("m_nothing", lang)])
    bars = spec.chart(figures, lang) if chart and spec.chart else None
    return Answer(text, data_uri(bars_png(head.rstrip("：:"), bars)) if bars else None)


def answer(session: Session, *, viewer: m.User, config: Config, today: date, lang: str, what: str,
           period: str | None, filters: Filters = Filters(), chart: bool = False) -> Answer:
    """A chat question's answer, in the asker's language and scope; `chart` adds its picture where it has one."""
    tz = config.timezone_of(None)
    if what in METRICS:
        return _metric(session, what, viewer=viewer, today=today, tz=tz, lang=lang, period=period, filters=filters,
                       chart=chart)
    if what == "due_this_week":
        return Answer(pipeline.due_this_week(session, viewer, today, lang))
    if what == "funnel":
        text = pipeline.funnel(session, viewer, lang)
        return Answer(text, data_uri(pipeline.funnel_chart(session, viewer, text.splitlines()[0].rstrip("：:"), lang))
                      if chart and "\n" in text else None)
    if what == "forecast":
        text, bars = pipeline.forecast(session, viewer, today, lang, period, tz, config=config)
        return Answer(text, data_uri(bars_png(text.splitlines()[0].rstrip("：:"), bars, color="#d98c1f"))
                      if chart else None)
    if what == "team":
        return Answer(pipeline.team(session, viewer, lang))
    return Answer(pipeline.mine(session, viewer, lang))
