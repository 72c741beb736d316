"""查重 at scale: N synthetic customers (Chinese and English), the candidate index, and the check per registration.

Prints index build time, p50/p99 per check through the real path (storage.matchindex candidates → holders →
domain.matching.compare), resident memory, and a full scan (every customer examined for every signal, fuzzy
by rapidfuzz over all core names) on a sample: its time, the ratio, and how often the two agree.
SPEC targets at 1,000,000: p99 <= 10 ms, >= 100x faster than the scan, same answers, <= 300 MB resident."""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot import wiring  # noqa: E402
from domain.matching import WEAK_RATIO, Party, compare, known_company, read_name  # noqa: E402
from storage import matchindex  # noqa: E402
from storage import models as m  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402

NOW = datetime(2026, 11, 2, 2, tzinfo=timezone.utc)
# GB2312 level 1: the 3,755 most common characters, the pool real company names are written from.
CN_CHARS = "".join(bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)
                   if not (hi == 0xD7 and lo > 0xF9))
CONSONANTS, VOWELS = "bcdfghjklmnprstvwxz", "aeiouy"
EN_SYLLABLES = tuple(c + v + e for c in CONSONANTS for v in VOWELS for e in ("", "n", "r", "l", "s", "x"))
CN_TAILS = ("科技有限公司", "信息技术有限公司", "网络科技有限公司", "电子股份有限公司", "实业有限公司", "贸易有限公司",
            "集团有限公司", "制造有限公司", "有限公司", "股份有限公司")
CN_PREFIXES = ("", "", "深圳市", "北京", "上海", "杭州", "广州市", "成都", "江苏", "浙江")
EN_TAILS = (" Inc.", " Ltd.", " LLC", " Corp.", " GmbH", " Technologies", " Systems Inc.", " Group")


def synthetic_name(rnd: random.Random, n: int) -> str:
    if n % 3 == 2:
        words = rnd.randint(1, 2)
        name = " ".join("".join(rnd.choice(EN_SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
                        for _ in range(words))
        return name + rnd.choice(EN_TAILS)
    brand = "".join(rnd.choice(CN_CHARS) for _ in range(rnd.randint(2, 4)))
    return rnd.choice(CN_PREFIXES) + brand + rnd.choice(CN_TAILS)


def variant(rnd: random.Random, name: str) -> str:
    """How another rep writes the same customer: prefix or suffix changed, short name, case, spacing."""
    n = read_name(name)
    choice = rnd.randrange(4)
    if choice == 0:
        return n.core
    if choice == 1:
        return ("深圳市" if n.core[:1] >= "\u4e00" else "") + n.key + ("有限责任公司" if n.key[:1] >= "\u4e00" else " Co., Ltd.")
    if choice == 2:
        return name.upper()
    return name.replace("有限公司", "（中国）有限公司") if "有限公司" in name else name + " Limited"


def build(url: str, n: int, sample_file: str, batch: int = 2000, keep_every: int = 500) -> None:
    """Writes n customers (each with an open opportunity) to the database at url by plain statements, then files
    them in 查重's index by oppbot's own refile (`storage.matchindex.rebuild_if_rules_changed`, what a change of
    the matching rules runs), and a sample of their names (1 in keep_every) to sample_file. Run in a child
    process: the build's own memory is not the bot's."""
    deps = wiring.build(wiring.load_config(None), url=url)
    rnd = random.Random(7)
    names = []
    t0 = time.perf_counter()
    with deps.sessions.begin() as s:
        for lo in range(0, n, batch):
            customers, opps = [], []
            for k in range(lo, min(n, lo + batch)):
                name = synthetic_name(rnd, k)
                if k % keep_every == 0:
                    names.append(name)
                customers.append(dict(id=k + 1, name=name, normalized_name=read_name(name).key, created_at=NOW))
                opps.append(dict(id=f"B-{k + 1}", customer_id=k + 1, owner_id=("alice", "bob", "carol")[k % 3],
                                 team_name="East", region="SH", stage="discovery", status="open", need_fit={},
                                 score=0, budget_approved=False, in_annual_plan=False, created_at=NOW,
                                 updated_at=NOW, last_touch_at=NOW, protected_until=date(2027, 1, 31)))
            s.execute(insert(m.Customer), customers)
            s.execute(insert(m.Opportunity), opps)
        s.get(m.IndexState, "match").version = "none yet"  # so the refile below runs, as after a rules change
    t1 = time.perf_counter()
    with deps.sessions.begin() as s:
        refiled = matchindex.rebuild_if_rules_changed(s)
    assert refiled == n, refiled
    Path(sample_file).write_text(json.dumps({"names": names, "seconds": time.perf_counter() - t1,
                                             "rows_seconds": t1 - t0}), encoding="utf-8")


def indexed_check(deps, party: Party):
    """The registration's own matching path (storage.matchindex.matches), plus loading the opportunity it hit."""
    with deps.sessions() as s:
        found = matchindex.matches(s, party)
        if found:
            matchindex.open_opportunity(s, found[0][0])
        return found[0] if found else None


class FullScan:
    """Every customer examined for every signal the matcher has: equal keys, cores, pinyin and known names by
    dictionary, containment by a pass over all cores, fuzzy by rapidfuzz over all cores."""

    def __init__(self, deps):
        with deps.sessions() as s:
            rows = s.execute(select(m.Customer.id, m.Customer.name).order_by(m.Customer.id)).all()
        self.ids = [r[0] for r in rows]
        self.parties = [Party(_uncached_name(r[1])) for r in rows]
        self.cores = [p.name.core for p in self.parties]
        self.keys = [p.name.key for p in self.parties]
        self.latins = [p.name.latin for p in self.parties]  # once, not per query

    def check(self, party: Party):
        q = party.name
        hits = set(i for i, c in enumerate(self.cores) if c == q.core or (
            (c.startswith(q.core) or c.endswith(q.core) or q.core.startswith(c) or q.core.endswith(c))))
        hits |= {i for _, _, i in process.extract(q.core, self.cores, scorer=fuzz.ratio, score_cutoff=WEAK_RATIO - 1,
                                                  limit=None)}
        hits |= {i for _, _, i in process.extract(q.key, self.keys, scorer=fuzz.ratio,
                                                  score_cutoff=WEAK_RATIO - 1, limit=None)} if len(q.key) >= 6 else set()
        known = known_company(q)
        hits |= {i for i, latin in enumerate(self.latins) if latin == q.latin}
        if known is not None:
            hits |= {i for i, p in enumerate(self.parties) if known_company(p.name) == known}
        best = None
        for i in hits:
            sig = compare(party, self.parties[i])
            if sig and (best is None or (sig.strength == "strong", sig.score) > (best[1].strength == "strong",
                                                                                 best[1].score)):
                best = (self.ids[i], sig)
        return best


def _uncached_name(name: str):
    """The scan reads a million names once: past the LRU cache, so the cache keeps serving the index path."""
    return read_name.__wrapped__(name)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=1_000_000, help="customers (default 1,000,000)")
    p.add_argument("--checks", type=int, default=1000, help="indexed checks to time (default 1000)")
    p.add_argument("--scan", type=int, default=20, help="checks repeated as a full scan (default 20)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="oppbot-dedupe-") as tmp:
        run(args, tmp)


def run(args, tmp: str) -> None:
    url, sample = f"sqlite:///{tmp}/dedupe.db", f"{tmp}/sample.json"
    child = multiprocessing.get_context("fork").Process(target=build, args=(url, args.n, sample))
    child.start()
    child.join()
    built = json.loads(Path(sample).read_text(encoding="utf-8"))
    names, build_s = built["names"], built["seconds"]
    deps = wiring.build(wiring.load_config(None), url=url)
    print(f"{args.n:,} customers and their opportunities written by plain statements in {built['rows_seconds']:.1f} s;"
          f" 查重's index built by oppbot's refile in {build_s:.1f} s (names read, keys and protected names filed)")
    rnd = random.Random(11)
    queries = []
    for k in range(args.checks):  # half variants of existing customers, half new names
        queries.append(variant(rnd, rnd.choice(names)) if k % 2 == 0 else synthetic_name(rnd, k + 7))
    parties = [Party(read_name(q)) for q in queries]
    for party in parties[:20]:  # warm the page cache and the name caches
        indexed_check(deps, party)
    times, answers = [], []
    for party in parties:
        t0 = time.perf_counter()
        answers.append(indexed_check(deps, party))
        times.append((time.perf_counter() - t0) * 1000)
    rss = rss_mb()
    found = sum(a is not None for a in answers)
    print(f"indexed check: p50 {pct(times, 50):.2f} ms  p99 {pct(times, 99):.2f} ms  max {max(times):.2f} ms "
          f"over {len(times)} checks ({found} found a match)")
    print(f"resident memory with the index in use: {rss:.0f} MB")
    scan = FullScan(deps)
    scan_times, agree = [], 0
    for k in range(args.scan):
        party = parties[k * (len(parties) // max(args.scan, 1))]
        t0 = time.perf_counter()
        full = scan.check(party)
        scan_times.append((time.perf_counter() - t0) * 1000)
        fast = indexed_check(deps, party)
        same = (full is None and fast is None) or (full and fast and full[1].strength == fast[1].strength
                                                   and (full[0] == fast[0] or full[1].score == fast[1].score))
        agree += bool(same)
        if not same:
            print(f"  disagree: {party.name.display!r}: scan {full}  index {fast}")
    scan_p50 = statistics.median(scan_times)
    print(f"full scan: median {scan_p50:.0f} ms per check over {len(scan_times)} checks; "
          f"indexed p50 is {scan_p50 / pct(times, 50):.0f}x faster, p99 {scan_p50 / pct(times, 99):.0f}x; "
          f"same answer {agree}/{len(scan_times)}")
    print(f"resident memory after the full scan loaded every name: {rss_mb():.0f} MB (the scan's, not the index's)")
    floor = "查重: the full rapidfuzz scan, same run"
    emit(f"查重 check p99, {args.n:,} customers", pct(times, 99), "ms", target=("<=", 10), floor=scan_p50,
         floor_is=floor)
    emit(f"查重 check p50, {args.n:,} customers", pct(times, 50), "ms", floor=scan_p50, floor_is=floor)
    emit("查重 the scan's time / the check's p99", scan_p50 / pct(times, 99), "x", target=(">=", 100))
    emit(f"查重 same answer as the scan, of {len(scan_times)}", agree, "", target=(">=", len(scan_times)))
    emit(f"查重 index build, {args.n:,} customers", build_s, "s", target=("<=", 120))
    emit("查重 resident memory with the index", rss, "MB", target=("<=", 300))


if __name__ == "__main__":
    main()
