"""The metrics as a chat answer (and `oppbot report --format text`): short lines, the fraction behind every
percentage so a manager can check it, people by name."""
from __future__ import annotations

from domain.wording import LOST_REASON_NAMES, TEXT, money, named, say, source_name, stage_name
from storage.reports.metrics import Filters


def period_name(period, lang: str) -> str:
    """本季度, Last month, 2026-Q3: a named period by its name, an explicit one as written."""
    key = f"period_{period.key}"
    return say(key, lang) if key in TEXT else period.key


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.0f}%"


def days(value: float | None, lang: str) -> str:
    return "—" if value is None else say("m_day_unit", lang, d=f"{value:g}")


def span(scope: str, period, filters: Filters, lang: str, *, today) -> str:
    """Whose figures, over which days (or as of today), cut how."""
    if period is None:
        text = scope + ("，" if lang == "zh" else ", ") + say("m_as_of", lang, day=today.isoformat())
    elif period.key == "all":
        text = scope
    else:
        text = say("m_span", lang, scope=scope, start=period.start.isoformat(), end=period.end.isoformat())
    if filters.any():
        sep = "，" if lang == "zh" else ", "
        what = sep.join(f"{k} {v}" for k, v in (
            ("团队" if lang == "zh" else "team", filters.team), ("行业" if lang == "zh" else "industry", filters.industry),
            ("来源" if lang == "zh" else "source", filters.source and source_name(filters.source, lang)),
            ("负责人" if lang == "zh" else "owner", filters.owner)) if v)
        text += ("；" if lang == "zh" else "; ") + say("m_filters", lang, what=what)
    return text


def conversion(data: dict, lang: str, head: str) -> list[str]:
    r = data["results"]
    lines = [head, say("m_conv_line", lang, won=r.won_of_registered, n=r.registered, rate=pct(r.conversion)),
             say("m_high_line", lang, k=r.high_value, n=r.registered, rate=pct(r.high_value_share)),
             say("m_steps_head", lang)]
    lines += [say("m_step", lang, stage=stage_name(s.stage, lang), moved=s.moved_on, entered=s.entered,
                  rate=pct(s.rate)) for s in data["stages"]]
    return lines


def cycle(data: dict, lang: str, head: str) -> list[str]:
    r = data["results"]
    lines = [head, say("m_cycle_line", lang, n=r.won, days=days(r.cycle_days, lang)), say("m_days_head", lang)]
    lines += [say("m_days", lang, stage=stage_name(d.stage, lang), days=days(d.average, lang), n=d.stays)
              for d in data["days"]]
    return lines


def win_rate(data: dict, lang: str, head: str) -> list[str]:
    r = data["results"]
    lines = [head, say("m_win_line", lang, won=r.won, lost=r.lost, rate=pct(r.win_rate),
                       amount=money(r.won_amount, "CNY", lang))]
    lines += [say("m_band", lang, band=say(f"band_{b.band}", lang), won=b.won, lost=b.lost, rate=pct(b.win_rate))
              for b in r.bands]
    return lines


def sources(data: dict, lang: str, head: str) -> list[str]:
    return [head, *(say("m_source", lang, source=source_name(s.source, lang), n=s.registered, won=s.won,
                        rate=pct(s.conversion), avg=money(s.average_amount, "CNY", lang) or "—")
                    for s in data["sources"])]


def lost_reasons(data: dict, lang: str, head: str) -> list[str]:
    lost = data["lost"]
    lines = [head, say("m_lost_total", lang, n=lost.lost)]
    lines += [say("m_reason", lang, reason=named(LOST_REASON_NAMES, r.reason, lang) or (
        "未填" if lang == "zh" else "not given"), n=r.count, share=pct(r.share)) for r in lost.reasons]
    if lost.competitors:
        sep = "，" if lang == "zh" else ", "
        lines.append(say("m_rivals", lang, who=sep.join(f"{r.competitor} {r.count}" for r in lost.competitors)))
    return lines


def leaderboard(data: dict, lang: str, head: str, names: dict[str, str]) -> list[str]:
    return [head, *(say("m_leader", lang, rank=i, name=names.get(r.owner, r.owner), won=r.won,
                        amount=money(r.won_amount, "CNY", lang) if r.won_amount else "—", rate=pct(r.win_rate),
                        days=days(r.cycle_days, lang), n=r.registered)
                    for i, r in enumerate(data["leaders"], 1))]


def compliance(data: dict, lang: str, head: str, names: dict[str, str]) -> list[str]:
    c = data["coverage"]
    lines = [head, say("m_coverage", lang, k=c.with_decision_maker, n=c.open, rate=pct(c.share))]
    for r in data["compliance"]:
        idle = "—" if r.idle_days is None else say("m_idle_today", lang) if r.idle_days == 0 else \
            say("m_idle", lang, d=r.idle_days)
        flag = say("m_flag_7", lang) if (r.idle_days or 0) >= 7 else say("m_flag_3", lang) if (r.idle_days or 0) >= 3 else ""
        lines.append(say("m_rep", lang, name=names.get(r.owner, r.owner), open=r.open, late=r.overdue, o3=r.over_3,
                         o7=r.over_7, idle=idle, flag=flag))
    return lines


# ---- the same figures as bars (label, value, the figure beside the bar): the chat's PNG and the page's SVG ----

def step_bars(figures: dict, lang: str) -> list[tuple[str, float, str]]:
    return [(stage_name(s.stage, lang), s.rate or 0, f"{s.moved_on}/{s.entered} = {pct(s.rate)}")
            for s in figures["stages"]]


def lost_bars(figures: dict, lang: str) -> list[tuple[str, float, str]]:
    return [(named(LOST_REASON_NAMES, r.reason, lang) or "—", r.count, f"{r.count} ({pct(r.share)})")
            for r in figures["lost"].reasons]


def source_bars(figures: dict, lang: str) -> list[tuple[str, float, str]]:
    return [(source_name(q.source, lang), q.registered, f"{q.registered} · {q.won} · {pct(q.conversion)}")
            for q in figures["sources"]]
