"""Seed 001's metric system (六(一) result and process metrics, 七(一) lost reasons, 五(三) the reps' ranking) as
figures: each scoped by the viewer's role, cut by a period and filters. Wording lives in texts.py; the chat, the
Monday pack, the dashboard and `oppbot report` all read these.

Definitions (one place, so every surface agrees):
- the period's *registrations*: opportunities registered in it, except pending (not yet in the funnel) and invalid;
- conversion = of those, the share won (by now); high-value share = of those, the share with an amount > 500,000;
- cycle = days from registration to the win, over opportunities won in the period;
- win rate = won / (won + lost), over opportunities closed in the period, overall and by amount band;
- stage conversion = of the opportunities that entered a stage in the period, the share that left it for a later
  stage or were won; days in stage = how long the stays that ended in the period lasted;
- decision-chain coverage and compliance are as of today, over open opportunities (a pipeline's health now);
- amounts are summed and averaged in the org's currency (CNY); other currencies are counted, not summed."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from domain.stages import DEFAULT_WIN_PERCENT, OPEN_STAGES, PRIORITY_AMOUNT
from storage import models as m
from storage.repo import scope
from storage.reports.periods import Period

O = m.Opportunity
HIGH_VALUE = PRIORITY_AMOUNT  # seed 001 高价值商机: an amount over 500,000
BAND_NAMES = ("small", "mid", "large")  # < 100,000 | 100,000–500,000 | > 500,000
IDLE_WARN, IDLE_ESCALATE = 3, 7  # seed 001 五(三): 3 days without an update costs points, 7 brings the manager in
_HOME = or_(O.currency.is_(None), O.currency == "CNY")
_COUNTED = O.status.not_in(("pending", "invalid"))
LONG_PERIOD_DAYS = 92  # longer than a quarter: scanned rather than read through an index


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


def _elapsed_days(session: Session, start, end):
    """end − start in days, in SQL: 24 hours a day, so averages are exact and computed where the rows are."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400


def _avg_days(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _band():
    """small < 100,000 ≤ mid ≤ 500,000 < large; no amount, no band."""
    return case((O.budget < 100_000, "small"), (O.budget <= HIGH_VALUE, "mid"), (O.budget > HIGH_VALUE, "large"))


def _during(column, period: Period, tz: ZoneInfo) -> list:
    """The period's range on a column. A long one (a year, all time) covers a large share of the rows: read
    through the index row by row it costs 3–4× a plain scan on SQLite, so the column is wrapped (coalesce) to
    make the planner scan; a month or a quarter uses the index."""
    if period.key == "all":
        return [column.is_not(None)]
    start, end = period.bounds(tz)
    if (period.end - period.start).days > LONG_PERIOD_DAYS:
        column = func.coalesce(column, column)
    return [column >= start, column < end]


def where(viewer, filters: Filters) -> list:
    """The viewer's scope and the cuts: every query here starts from these."""
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
    """Seed 001 六(一)1 (每月统计): three reads — the period's registrations, its closings by amount band, its wins."""
    cut = where(viewer, filters)
    registered, won_of, high = session.execute(select(
        func.count(), func.count(case((O.status == "won", 1))), func.count(case((O.budget > HIGH_VALUE, 1))))
        .where(*cut, _COUNTED, *_during(O.created_at, period, tz))).one()
    won = O.status == "won"
    band = _band().label("band")
    by_band = {b: (w, n) for b, w, n in session.execute(
        select(band, func.count(case((won, 1))), func.count())
        .where(*cut, O.status.in_(("won", "lost")), *_during(O.closed_at, period, tz)).group_by(band))}
    n_won = sum(w for w, _ in by_band.values())
    n_closed = sum(n for _, n in by_band.values())
    amount, cycle = session.execute(select(
        func.sum(case((_HOME, O.budget))), func.avg(_elapsed_days(session, O.created_at, O.closed_at)))
        .where(*cut, won, *_during(O.closed_at, period, tz))).one()
    bands = tuple(Band(b, w, n - w, _ratio(w, n)) for b in BAND_NAMES for w, n in [by_band.get(b, (0, 0))])
    return Results(
        period=period, registered=registered, won_of_registered=won_of, conversion=_ratio(won_of, registered),
        high_value=high, high_value_share=_ratio(high, registered), won=n_won, lost=n_closed - n_won,
        won_amount=Decimal(amount or 0), win_rate=_ratio(n_won, n_closed), cycle_days=_avg_days(cycle), bands=bands)


# ---- process metrics --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageStep:
    stage: str
    entered: int
    moved_on: int
    rate: float | None


def stage_conversion(session: Session, *, viewer, period: Period, filters: Filters = Filters(),
                     tz: ZoneInfo) -> tuple[StageStep, ...]:
    """Per stage: the opportunities that entered it in the period, and those of them that moved on — left that
    stay for a later stage (each stay knows where it went: `left_to`), or were won. One pass over the period's
    entries, however long the histories behind them."""
    sc = m.StageChange
    depth = {s: i for i, s in enumerate(OPEN_STAGES)}
    later = or_(*(and_(sc.to_stage == s, sc.left_to.in_(OPEN_STAGES[i + 1:])) for s, i in depth.items()
                  if OPEN_STAGES[i + 1:]))
    rows = {stage: (entered, moved) for stage, entered, moved in session.execute(
        select(sc.to_stage, func.count(func.distinct(sc.opportunity_id)),
               func.count(func.distinct(case((or_(O.status == "won", later), sc.opportunity_id)))))
        .join(O, O.id == sc.opportunity_id)
        .where(*where(viewer, filters), sc.to_stage.in_(OPEN_STAGES), *_during(sc.at, period, tz))
        .group_by(sc.to_stage))}
    counted = {s: rows.get(s, (0, 0)) for s in OPEN_STAGES}
    return tuple(StageStep(s, entered, moved, _ratio(moved, entered)) for s, (entered, moved) in counted.items())


@dataclass(frozen=True)
class StageDays:
    stage: str
    stays: int
    average: float | None


def stage_days(session: Session, *, viewer, period: Period, filters: Filters = Filters(),
               tz: ZoneInfo) -> tuple[StageDays, ...]:
    """Seed 001 平均跟进时长: how long the stays that ended in the period lasted, per stage."""
    sc = m.StageChange
    rows = {stage: (n, avg) for stage, n, avg in session.execute(
        select(sc.to_stage, func.count(), func.avg(_elapsed_days(session, sc.at, sc.left_at)))
        .join(O, O.id == sc.opportunity_id)
        .where(*where(viewer, filters), *_during(sc.left_at, period, tz)).group_by(sc.to_stage))}
    return tuple(StageDays(s, rows.get(s, (0, None))[0], _avg_days(rows.get(s, (0, None))[1])) for s in OPEN_STAGES)


@dataclass(frozen=True)
class Coverage:
    open: int
    with_decision_maker: int
    share: float | None


@dataclass(frozen=True)
class RepCompliance:
    owner: str
    open: int
    overdue: int  # follow-up due before today, not paused
    over_3: int  # ≥ 3 days past due (SPEC: second reminder)
    over_7: int  # ≥ 7 days past due (SPEC: the manager is told)
    idle_days: int | None  # days since the rep last updated any of their open opportunities


@dataclass(frozen=True)
class Cell:
    """The open opportunities of one owner in one stage, counted every way the reports need."""
    owner: str
    stage: str
    open: int
    amount: Decimal  # CNY
    overdue: int
    over_3: int
    over_7: int
    last_touch: object  # datetime | None
    with_decision_maker: int
    risky: int  # marked high risk by the dwell job for the stay it is in


@dataclass(frozen=True)
class OpenPipeline:
    """The open pipeline as of today, read in one pass: the funnel, decision-chain coverage and compliance are
    sums of its cells, so the dashboard reads the table once instead of four times."""
    today: date
    cells: tuple[Cell, ...]

    def funnel(self) -> tuple[tuple[str, int, Decimal], ...]:
        return tuple((s, sum(c.open for c in self.cells if c.stage == s),
                      sum((c.amount for c in self.cells if c.stage == s), Decimal(0))) for s in OPEN_STAGES)

    def coverage(self) -> Coverage:
        total, have = sum(c.open for c in self.cells), sum(c.with_decision_maker for c in self.cells)
        return Coverage(total, have, _ratio(have, total))

    def compliance(self, tz: ZoneInfo) -> tuple[RepCompliance, ...]:
        owners: dict[str, list[Cell]] = defaultdict(list)
        for c in self.cells:
            owners[c.owner].append(c)
        out = []
        for owner, cells in owners.items():
            last = max((c.last_touch for c in cells if c.last_touch), default=None)
            out.append(RepCompliance(owner, sum(c.open for c in cells), sum(c.overdue for c in cells),
                                     sum(c.over_3 for c in cells), sum(c.over_7 for c in cells),
                                     (self.today - last.astimezone(tz).date()).days if last else None))
        return tuple(sorted(out, key=lambda r: (-r.over_7, -r.over_3, -r.overdue, -(r.idle_days or 0), r.owner)))

    def overdue(self) -> int:
        return sum(c.overdue for c in self.cells)

    def risky(self) -> int:
        return sum(c.risky for c in self.cells)


def open_pipeline(session: Session, *, viewer, today: date, filters: Filters = Filters()) -> OpenPipeline:
    """Seed 001 五(三)/SPEC cadence: a follow-up due before today is overdue, unless paused (暂停)."""
    late = and_(O.follow_up_due < today, or_(O.snoozed_until.is_(None), O.snoozed_until < today))
    reached = O.id.in_(select(m.Contact.opportunity_id).where(m.Contact.role == "decision_maker"))  # one lookup
    rows = session.execute(select(
        O.owner_id, O.stage, func.count(), func.sum(case((_HOME, O.budget))), func.count(case((late, 1))),
        func.count(case((and_(late, O.follow_up_due <= today - timedelta(days=3)), 1))),
        func.count(case((and_(late, O.follow_up_due <= today - timedelta(days=7)), 1))),
        func.max(O.last_touch_at), func.count(case((reached, 1))), func.count(case((O.risk_stage == O.stage, 1))))
        .where(*where(viewer, filters), O.status == "open").group_by(O.stage, O.owner_id)).all()  # stage first: a
    # group by owner first makes SQLite walk the owner index and fetch every row out of order (3× slower)
    return OpenPipeline(today, tuple(Cell(owner, stage, n, Decimal(amount or 0), late_, o3, o7, last, dm, risky)
                                     for owner, stage, n, amount, late_, o3, o7, last, dm, risky in rows))


def high_risk(session: Session, *, viewer, filters: Filters = Filters(), limit: int) -> list:
    """(id, customer, owner, stage, in the stage since), longest first: what the dwell-risk job marked (a stay over
    1.5× the team's average) and is still in that stage."""
    return session.execute(select(O.id, m.Customer.name, O.owner_id, O.stage, O.stage_entered_at).join(m.Customer)
                           .where(*where(viewer, filters), O.status == "open", O.risk_stage.is_not(None),
                                  O.risk_stage == O.stage).order_by(O.stage_entered_at, O.id).limit(limit)).all()


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
    rows = session.execute(select(
        O.source, func.count(), func.count(case((O.status == "won", 1))),
        func.avg(case((and_(_HOME, O.budget.is_not(None)), O.budget))))
        .where(*where(viewer, filters), _COUNTED, *_during(O.created_at, period, tz))
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
    rows = session.execute(select(O.lost_reason, O.competitor).where(
        *where(viewer, filters), O.status == "lost", *_during(O.closed_at, period, tz))).all()
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
    cut = where(viewer, filters)
    registered = dict(session.execute(select(O.owner_id, func.count()).where(
        *cut, _COUNTED, *_during(O.created_at, period, tz)).group_by(O.owner_id)).all())
    won = O.status == "won"
    closed = {owner: rest for owner, *rest in session.execute(select(
        O.owner_id, func.count(case((won, 1))), func.count(case((O.status == "lost", 1))),
        func.sum(case((and_(won, _HOME), O.budget))),
        func.avg(case((won, _elapsed_days(session, O.created_at, O.closed_at)))))
        .where(*cut, O.status.in_(("won", "lost")), *_during(O.closed_at, period, tz))
        .group_by(O.owner_id))}
    out = [RepResult(owner, registered.get(owner, 0), w, lost, Decimal(amount or 0), _ratio(w, w + lost),
                     _avg_days(cycle)) for owner, (w, lost, amount, cycle) in closed.items()]
    out += [RepResult(owner, n, 0, 0, Decimal(0), None, None) for owner, n in registered.items() if owner not in closed]
    return tuple(sorted(out, key=lambda r: (-r.won_amount, -r.won, -(r.win_rate or 0), r.owner)))


# ---- the forecast ------------------------------------------------------------------------------------------------

LEARN_MIN = 20  # closed deals a learned win probability must rest on before the forecast uses it


@dataclass(frozen=True)
class WinOdds:
    """How often the team's closed deals that reached a stage were won, beside SPEC's default for the stage."""
    stage: str
    source: str | None  # None: every source
    closed: int
    won: int
    default: int  # %
    learned: float | None  # won / closed, once closed ≥ LEARN_MIN

    @property
    def used(self) -> float:
        return self.learned if self.learned is not None else self.default / 100


def win_odds(session: Session, *, viewer, filters: Filters = Filters()) -> tuple[WinOdds, ...]:
    """Per stage, and per stage and source: the closed (won or lost) opportunities that reached the stage, and the
    share of them won. A deal reached the stage it closed from and every stage before it (stages are entered one
    at a time), so each closed deal is read once, from its closing row of the stage history."""
    sc = m.StageChange
    counts: dict[tuple[int, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for last, source, status, n in session.execute(
            select(sc.from_stage, O.source, O.status, func.count()).join(O, O.id == sc.opportunity_id)
            .where(*where(viewer, filters), sc.to_stage == "closed", O.status.in_(("won", "lost")))
            .group_by(sc.from_stage, O.source, O.status)):
        if last not in OPEN_STAGES:
            continue
        for i in range(OPEN_STAGES.index(last) + 1):  # every stage up to the last: overall, and for its source
            for key in [(i, None)] + ([(i, source)] if source is not None else []):
                counts[key][0] += n
                counts[key][1] += n if status == "won" else 0
    out = []
    for (i, source), (closed, won) in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        stage = OPEN_STAGES[i]
        out.append(WinOdds(stage, source, closed, won, DEFAULT_WIN_PERCENT[stage],
                           round(won / closed, 4) if closed >= LEARN_MIN else None))
    return tuple(out)


@dataclass(frozen=True)
class Forecast:
    period: Period
    weighted: tuple[tuple[str, Decimal], ...]  # (currency, Σ amount × SPEC's stage win %) of open deals closing in it
    learned: tuple[tuple[str, Decimal], ...]  # the same with the team's learned win % where the sample allows
    open_deals: int
    won_amount: Decimal  # already won in the period (CNY)
    odds: tuple[WinOdds, ...]  # per stage (every source), what the learned figure rests on


def forecast(session: Session, *, viewer, period: Period, filters: Filters = Filters(), tz: ZoneInfo,
             odds: tuple[WinOdds, ...] | None = None) -> Forecast:
    """SPEC: Σ amount × stage win % over the open opportunities expected to close in the period (by their own
    expected date), beside what the period has already won; and the same Σ with the win % the team's own closed
    deals show, per stage and source when 20 closed deals back it, else per stage, else SPEC's default. `odds`:
    win_odds already read for this viewer and filters (several periods, one reading of the history)."""
    currency = func.coalesce(O.currency, "CNY").label("currency")  # grouped by its label: PostgreSQL wants one
    rows = session.execute(select(currency, O.stage, O.source, func.sum(O.budget), func.count())
                           .where(*where(viewer, filters), O.status == "open", O.budget.is_not(None),
                                  O.expected_close.between(period.start, period.end))
                           .group_by(currency, O.stage, O.source)).all()
    odds = win_odds(session, viewer=viewer, filters=filters) if odds is None else odds
    learned_of = {(o.stage, o.source): o.learned for o in odds if o.learned is not None}
    weighted: dict[str, Decimal] = defaultdict(Decimal)
    learned: dict[str, Decimal] = defaultdict(Decimal)
    for currency, stage, source, amount, _ in rows:
        weighted[currency] += amount * DEFAULT_WIN_PERCENT.get(stage, 0) / 100
        p = learned_of.get((stage, source), learned_of.get((stage, None)))
        learned[currency] += amount * (Decimal(str(p)) if p is not None else Decimal(DEFAULT_WIN_PERCENT.get(stage, 0)) / 100)
    won = session.scalar(select(func.sum(O.budget)).where(*where(viewer, filters), O.status == "won", _HOME,
                                                          *_during(O.closed_at, period, tz)))
    cent = Decimal("0.01")
    return Forecast(period, tuple(sorted((c, v.quantize(cent)) for c, v in weighted.items())),
                    tuple(sorted((c, v.quantize(cent)) for c, v in learned.items())),
                    sum(n for *_, n in rows), Decimal(won or 0), tuple(o for o in odds if o.source is None))
