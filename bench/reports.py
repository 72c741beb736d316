"""Every report at N opportunities (SPEC: <= 200 ms at 100,000), for the director (everyone) and a manager (a team).

The rows are two years of a sales org's life: registrations spread over 2025-2026, a third still open, the rest
won, lost or invalid, each with its stage history (1-5 changes), a contact with a role, a source, an industry and
an amount. Baseline, same run: one plain read of the columns the reports look at (a full scan of the table)."""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from bot import wiring  # noqa: E402
from domain.matching import normalize_company  # noqa: E402
from domain.stages import OPEN_STAGES  # noqa: E402
from storage import models as m  # noqa: E402
from storage import reports  # noqa: E402
from storage.reports.dashboard import page  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 4)
START = datetime(2025, 1, 1, 9, tzinfo=SH)
REPS = [("alice", "East", "SH"), ("bob", "East", "SH"), ("carol", "South", "SZ")]
SOURCES = ("website", "exhibition", "referral", "wechat", "phone", "ad", "partner", "other")
INDUSTRIES = ("制造", "零售", "软件", "物流", "金融", "医疗")
REASONS = ("competitor_price", "need_changed", "decision_maker_changed", "internal_resources", "other")
ROLES = ("decision_maker", "influencer", "user")


def populate(deps, n: int, *, seed: int = 7, batch: int = 5000) -> None:
    rnd = random.Random(seed)
    span = (TODAY - START.date()).days * 86400
    seq = {"SH": 0, "SZ": 0}
    with deps.sessions.begin() as s:
        for lo in range(0, n, batch):
            customers, opps, contacts, history = [], [], [], []
            for k in range(lo, min(n, lo + batch)):
                rep, team, region = REPS[k % 3]
                seq[region] += 1
                oid = f"{2025 + (k % 2)}-{region}-{seq[region]:06d}"
                name = f"报表客户{k:07d}有限公司"
                created = START + timedelta(seconds=rnd.randrange(span))
                customers.append(dict(id=k + 1, name=name, normalized_name=normalize_company(name), created_at=created))
                reached = rnd.choice((1, 1, 2, 2, 3, 4))  # how far it got
                at, steps = created, []
                for stage in OPEN_STAGES[:reached]:
                    steps.append((stage, at))
                    at += timedelta(days=rnd.randint(2, 30))
                fate = rnd.random()
                now = datetime.combine(TODAY, datetime.min.time(), tzinfo=SH)
                status = "open" if fate < 0.35 or at >= now else "won" if fate < 0.6 else "lost" if fate < 0.95 \
                    else "invalid"
                closed = at if status in ("won", "lost", "invalid") else None
                ends = [(when, stage) for stage, when in steps[1:]] + [
                    (at, "closed") if status in ("won", "lost") else (None, None)]
                history += [dict(opportunity_id=oid, at=when, from_stage=None if i == 0 else steps[i - 1][0],
                                 to_stage=stage, by=rep, left_at=left, left_to=to)
                            for i, ((stage, when), (left, to)) in enumerate(zip(steps, ends))]
                if status in ("won", "lost"):
                    history.append(dict(opportunity_id=oid, at=at, from_stage=steps[-1][0], to_stage="closed", by=rep))
                last_touch = min(at, now) - timedelta(days=rnd.randint(0, 10))
                opps.append(dict(
                    id=oid, customer_id=k + 1, owner_id=rep, team_name=team, region=region,
                    stage="closed" if status in ("won", "lost") else steps[-1][0], status=status, need="CRM",
                    need_fit={}, score=40, budget=rnd.choice((3, 8, 15, 30, 45, 60, 120)) * 10_000, currency="CNY",
                    budget_approved=False, in_annual_plan=False, source=rnd.choice(SOURCES),
                    industry=rnd.choice(INDUSTRIES), lost_reason=rnd.choice(REASONS) if status == "lost" else None,
                    competitor=rnd.choice(("销售易", "金蝶", "纷享销客", None)) if status == "lost" else None,
                    follow_up_due=(min(at, now) + timedelta(days=7)).date() if status == "open" else None,
                    protected_until=None, closed_at=closed, stage_entered_at=steps[-1][1],
                    created_at=created, updated_at=at, last_touch_at=last_touch))
                contacts.append(dict(customer_id=k + 1, opportunity_id=oid, name="张三", title="经理",
                                     role=rnd.choice(ROLES), phone=f"139{k:08d}"))
            s.execute(insert(m.Customer), customers)
            s.execute(insert(m.Opportunity), opps)
            s.execute(insert(m.Contact), contacts)
            s.execute(insert(m.StageChange), history)


def best_ms(fn, runs: int) -> tuple[float, float]:
    """(median, worst) wall ms over `runs`."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=100_000, help="opportunities (default 100,000)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--url", help="a database URL to fill instead of a new SQLite file (an empty database)")
    p.add_argument("--only", help="just this metric")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="oppbot-reports-") as tmp:
        deps = wiring.build(wiring.load_config(None), url=args.url or f"sqlite:///{tmp}/reports.db")
        with deps.sessions() as s:
            have = s.scalar(text("SELECT count(*) FROM opportunities"))
        if not have:  # a --url database filled by an earlier run is measured as it is
            t0 = time.perf_counter()
            populate(deps, args.n)
            print(f"{args.n:,} opportunities written in {time.perf_counter() - t0:.0f} s "
                  f"({deps.sessions.kw['bind'].dialect.name})")
        if deps.sessions.kw["bind"].dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
            with deps.sessions.kw["bind"].connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("ANALYZE")
        director = SimpleNamespace(id="dora", role="director", team_name=None)
        manager = SimpleNamespace(id="mike", role="manager", team_name="East")
        with deps.sessions() as s:
            base, _ = best_ms(lambda: s.execute(text(
                "SELECT status, budget, currency, source, created_at, closed_at, owner_id FROM opportunities")).all(),
                args.runs)
            print(f"baseline, one plain read of {args.n:,} rows' report columns: {base:.0f} ms")
            worst = {"short": 0.0, "long": 0.0}  # up to a quarter | a year, all time
            for name in [args.only] if args.only else reports.METRICS:
                for who, viewer in (("director", director), ("manager", manager)):
                    for period in (None, "quarter", "year", "all"):
                        med, top = best_ms(lambda: reports.metric_text(
                            s, name, viewer=viewer, today=TODAY, tz=SH, lang="zh", period=period), args.runs)
                        kind = "long" if period in ("year", "all") else "short"
                        worst[kind] = max(worst[kind], med)
                        print(f"  {name:<13} {who:<8} {period or 'default':<8} median {med:6.1f} ms  worst {top:6.1f} ms"
                              f"  ({med / base:.2f}x baseline)")
            print(f"slowest report median, default period or a quarter: {worst['short']:.0f} ms   "
                  f"(target <= 200 ms at 100,000)")
            print(f"slowest report median, a year or all time: {worst['long']:.0f} ms")
            now = datetime.combine(TODAY, datetime.min.time(), tzinfo=SH).replace(hour=10)
            for who, viewer in (("director", director), ("manager", manager)):
                for period in ("month", "quarter"):
                    med, top = best_ms(lambda: page(deps.sessions, viewer=viewer, config=deps.config, now=now, until=now, tz=SH,
                                                    period=reports.resolve(period, TODAY), filters=reports.Filters(),
                                                    token="t"), args.runs)
                    print(f"  dashboard page {who:<8} {period:<8} median {med:6.1f} ms  worst {top:6.1f} ms"
                          f"  ({med / base:.2f}x baseline)   (target <= 300 ms)")
        deps.sessions.kw["bind"].dispose()


if __name__ == "__main__":
    main()
