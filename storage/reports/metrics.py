"""Seed 001's metric system (六(一) result and process metrics, 七(一) lost reasons, 五(三) the reps' ranking) as
figures: each scoped by the viewer's role, cut by a period and filters. Wording lives in texts.py; the chat, the
Monday pack, the dashboard and `oppbot report` all read these.

Definitions (one place, so every surface agrees):
- the period's *registrations*: opportunities registered in it, except pending (not yet in the funnel) and invalid;
- conversion = of those, the share won (by now); high-value share = of those, the share with an amount > 500,000;
- cycle = local days from registration to the win, over opportunities won in the period;
- win rate = won / (won + lost), over opportunities closed in the period, overall and by amount band;
- stage conversion = of the opportunities that entered a stage in the period, the share that reached a later
  stage or were won; days in stage = local days of the stays that ended in the period;
- decision-chain coverage and compliance are as of today, over open opportunities (a pipeline's health now);
- amounts are summed and averaged in the org's currency (CNY); other currencies are counted, not summed."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from domain.stages import OPEN_STAGES, PRIORITY_AMOUNT
from storage import models as m
from storage.repo import scope
from storage.reports.periods import Period

O = m.Opportunity
HIGH_VALUE = PRIORITY_AMOUNT  # seed 001 高价值商机: an amount over 500,000
BAND_NAMES = ("small", "mid", "large")  # < 100,000 | 100,000–500,000 | > 500,000
IDLE_WARN, IDLE_ESCALATE = 3, 7  # seed 001 五(三): 3 days without an update costs points, 7 brings the manager in
_HOME = or_(O.currency.is_(None), O.currency == "CNY")
_COUNTED = O.status.not_in(("pending", "invalid"))


@dataclass(frozen=True)
class Filters:
    """The dashboard's and the chat's cuts; every one narrows the viewer's own scope, never widens it."""
    team: str | None = None
    industry: str | None = None
    source: str | None = None
    owner: str | None = None

    def clauses(self) -> list:
        out = []
        if self.team:
            out.append(O.team_name == self.team)
        if self.industry:
            out.append(O.industry.like(f"%{self.industry}%"))
        if self.source:
            out.append(O.source == self.source)
        if self.owner:
            out.append(O.owner_id == self.owner)
        return out

    def any(self) -> bool:
        return any((self.team, self.industry, self.source, self.owner))


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _days(start: datetime, end: datetime, tz: ZoneInfo) -> int:
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days


def _band(amount: Decimal | None) -> str | None:
    if amount is None:
        return None
    return "small" if amount < 100_000 else "mid" if amount <= HIGH_VALUE else "large"


def _where(viewer, filters: Filters) -> list:
    return [scope(viewer), *filters.clauses()]


# ---- result metrics --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    band: str  # small (< 100,000) | mid (100,000–500,000) | large (> 500,000)
    won: int
    lost: int
    win_rate: float | None


@dataclass(frozen=True)
class Results:
    period: Period
    registered: int
    won_of_registered: int
    conversion: float | None
    high_value: int
    high_value_share: float | None
    won: int  # closed won in the period
    lost: int  # closed lost in the period
    won_amount: Decimal
    win_rate: float | None
    cycle_days: float | None
    bands: tuple[Band, ...]


def results(session: Session, *, viewer, period: Period, filters: Filters = Filters(), tz: ZoneInfo) -> Results:
    start, end = period.bounds(tz)
    where = _where(viewer, filters)
    registered, won_of, high = session.execute(select(
        func.count(), func.count(case((O.status == "won", 1))), func.count(case((O.budget > HIGH_VALUE, 1))))
        .where(*where, _COUNTED, O.created_at >= start, O.created_at < end)).one()
    closed = session.execute(select(O.status, O.budget, O.currency, O.created_at, O.closed_at).where(
        *where, O.status.in_(("won", "lost")), O.closed_at >= start, O.closed_at < end)).all()
    won = [r for r in closed if r.status == "won"]
    bands = []
    for name in BAND_NAMES:
        inside = [r for r in closed if _band(r.budget) == name]
        w = sum(r.status == "won" for r in inside)
        bands.append(Band(name, w, len(inside) - w, _ratio(w, len(inside))))
    return Results(
        period=period, registered=registered, won_of_registered=won_of, conversion=_ratio(won_of, registered),
        high_value=high, high_value_share=_ratio(high, registered), won=len(won), lost=len(closed) - len(won),
        won_amount=sum((r.budget for r in won if r.budget is not None and r.currency in (None, "CNY")), Decimal(0)),
        win_rate=_ratio(len(won), len(closed)), cycle_days=_mean([_days(r.created_at, r.closed_at, tz) for r in won]),
        bands=tuple(bands))


# ---- process metrics --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageStep:
    stage: str
    entered: int
    moved_on: int
    rate: float | None


def stage_conversion(session: Session, *, viewer, period: Period, filters: Filters = Filters(),
                     tz: ZoneInfo) -> tuple[StageStep, ...]:
    start, end = period.bounds(tz)
    sc, later = m.StageChange, aliased(m.StageChange)
    steps = []
    for i, stage in enumerate(OPEN_STAGES):
        moved_on = or_(O.status == "won", exists().where(later.opportunity_id == sc.opportunity_id,
                                                         later.to_stage.in_(OPEN_STAGES[i + 1:])))
        entered, moved = session.execute(
            select(func.count(func.distinct(sc.opportunity_id)),
                   func.count(func.distinct(case((moved_on, sc.opportunity_id)))))
            .join(O, O.id == sc.opportunity_id)
            .where(*_where(viewer, filters), sc.to_stage == stage, sc.at >= start, sc.at < end)).one()
        steps.append(StageStep(stage, entered, moved, _ratio(moved, entered)))
    return tuple(steps)


@dataclass(frozen=True)
class StageDays:
    stage: str
    stays: int
    average: float | None


def stage_days(session: Session, *, viewer, period: Period, filters: Filters = Filters(),
               tz: ZoneInfo) -> tuple[StageDays, ...]:
    """Seed 001 平均跟进时长: how long the stays that ended in the period lasted, per stage."""
    start, end = period.bounds(tz)
    sc = m.StageChange
    touched = select(sc.opportunity_id).where(sc.at >= start, sc.at < end)
    left = func.lead(sc.at, type_=m.UTCDateTime()).over(partition_by=sc.opportunity_id, order_by=(sc.at, sc.id))
    stays = (select(sc.to_stage, sc.at, left.label("left_at")).join(O, O.id == sc.opportunity_id)
             .where(*_where(viewer, filters), sc.opportunity_id.in_(touched)).subquery())
    spans: dict[str, list[int]] = defaultdict(list)
    for stage, entered, left_at in session.execute(select(stays.c.to_stage, stays.c.at, stays.c.left_at).where(
            stays.c.left_at >= start, stays.c.left_at < end, stays.c.to_stage.in_(OPEN_STAGES))):
        spans[stage].append(_days(entered, left_at, tz))
    return tuple(StageDays(s, len(spans[s]), _mean(spans[s])) for s in OPEN_STAGES)


@dataclass(frozen=True)
class Coverage:
    open: int
    with_decision_maker: int
    share: float | None


def chain_coverage(session: Session, *, viewer, filters: Filters = Filters()) -> Coverage:
    """Seed 001 决策链覆盖率: the open opportunities where a decision maker has been reached."""
    reached = exists().where(m.Contact.opportunity_id == O.id, m.Contact.role == "decision_maker")
    total, have = session.execute(select(func.count(), func.count(case((reached, 1))))
                                  .where(*_where(viewer, filters), O.status == "open")).one()
    return Coverage(total, have, _ratio(have, total))


@dataclass(frozen=True)
class RepCompliance:
    owner: str
    open: int
    overdue: int  # follow-up due before today, not paused
    over_3: int  # ≥ 3 days past due (SPEC: second reminder)
    over_7: int  # ≥ 7 days past due (SPEC: the manager is told)
    idle_days: int | None  # days since the rep last updated any of their open opportunities


def compliance(session: Session, *, viewer, today: date, filters: Filters = Filters(),
               tz: ZoneInfo) -> tuple[RepCompliance, ...]:
    """Seed 001 五(三)/SPEC cadence, per rep; worst first. A paused (暂停) opportunity is not overdue."""
    late = and_(O.follow_up_due < today, or_(O.snoozed_until.is_(None), O.snoozed_until < today))
    rows = session.execute(select(
        O.owner_id, func.count(), func.count(case((late, 1))),
        func.count(case((and_(late, O.follow_up_due <= today - timedelta(days=3)), 1))),
        func.count(case((and_(late, O.follow_up_due <= today - timedelta(days=7)), 1))),
        func.max(O.last_touch_at)).where(*_where(viewer, filters), O.status == "open").group_by(O.owner_id)).all()
    out = [RepCompliance(owner, n, late_, o3, o7, (today - last.astimezone(tz).date()).days if last else None)
           for owner, n, late_, o3, o7, last in rows]
    return tuple(sorted(out, key=lambda r: (-r.over_7, -r.over_3, -r.overdue, -(r.idle_days or 0), r.owner)))


# ---- sources, lost reasons, the ranking ----------------------------------------------------------------------

@dataclass(frozen=True)
class SourceQuality:
    source: str | None
    registered: int
    won: int
    conversion: float | None
    average_amount: Decimal | None


def sources(session: Session, *, viewer, period: Period, filters: Filters = Filters(),
            tz: ZoneInfo) -> tuple[SourceQuality, ...]:
    """Which channels bring business: the period's registrations per source, won share and average amount."""
    start, end = period.bounds(tz)
    rows = session.execute(select(
        O.source, func.count(), func.count(case((O.status == "won", 1))),
        func.avg(case((and_(_HOME, O.budget.is_not(None)), O.budget))))
        .where(*_where(viewer, filters), _COUNTED, O.created_at >= start, O.created_at < end)
        .group_by(O.source)).all()
    out = [SourceQuality(src, n, w, _ratio(w, n), Decimal(str(avg)).quantize(Decimal("1")) if avg is not None
                         else None) for src, n, w, avg in rows]
    return tuple(sorted(out, key=lambda s: (-s.registered, -s.won, s.source or "~")))


@dataclass(frozen=True)
class Reason:
    reason: str | None
    count: int
    share: float


@dataclass(frozen=True)
class Rival:
    competitor: str
    count: int


@dataclass(frozen=True)
class LostReasons:
    lost: int
    reasons: tuple[Reason, ...]  # most first
    competitors: tuple[Rival, ...]  # who took them, most first


def lost_reasons(session: Session, *, viewer, period: Period, filters: Filters = Filters(),
                 tz: ZoneInfo) -> LostReasons:
    """Seed 001 七(一): why deals closed lost in the period went (price / need changed / decision maker / resources)."""
    start, end = period.bounds(tz)
    rows = session.execute(select(O.lost_reason, O.competitor).where(
        *_where(viewer, filters), O.status == "lost", O.closed_at >= start, O.closed_at < end)).all()
    reasons: dict[str | None, int] = defaultdict(int)
    rivals: dict[str, int] = defaultdict(int)
    for reason, rival in rows:
        reasons[reason] += 1
        if rival:
            rivals[rival] += 1
    by_count = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0] or "~"))
    return LostReasons(len(rows), tuple(Reason(r, n, round(n / len(rows), 4)) for r, n in by_count),
                       tuple(Rival(c, n) for c, n in sorted(rivals.items(), key=lambda kv: (-kv[1], kv[0]))))


@dataclass(frozen=True)
class RepResult:
    owner: str
    registered: int
    won: int
    lost: int
    won_amount: Decimal
    win_rate: float | None
    cycle_days: float | None


def leaderboard(session: Session, *, viewer, period: Period, filters: Filters = Filters(),
                tz: ZoneInfo) -> tuple[RepResult, ...]:
    """Seed 001 五(三)/八(二): each rep's period, ranked by amount won, then wins, then win rate."""
    start, end = period.bounds(tz)
    where = _where(viewer, filters)
    registered = dict(session.execute(select(O.owner_id, func.count()).where(
        *where, _COUNTED, O.created_at >= start, O.created_at < end).group_by(O.owner_id)).all())
    per: dict[str, dict] = defaultdict(lambda: {"won": 0, "lost": 0, "amount": Decimal(0), "cycles": []})
    for owner, status, budget, currency, created, closed in session.execute(select(
            O.owner_id, O.status, O.budget, O.currency, O.created_at, O.closed_at).where(
            *where, O.status.in_(("won", "lost")), O.closed_at >= start, O.closed_at < end)):
        row = per[owner]
        row[status] += 1
        if status == "won":
            row["cycles"].append(_days(created, closed, tz))
            if budget is not None and currency in (None, "CNY"):
                row["amount"] += budget
    out = [RepResult(owner, registered.get(owner, 0), r["won"], r["lost"], r["amount"],
                     _ratio(r["won"], r["won"] + r["lost"]), _mean(r["cycles"]))
           for owner, r in per.items()]
    out += [RepResult(owner, n, 0, 0, Decimal(0), None, None) for owner, n in registered.items() if owner not in per]
    return tuple(sorted(out, key=lambda r: (-r.won_amount, -r.won, -(r.win_rate or 0), r.owner)))
