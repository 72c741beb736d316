"""Parse time per message over the labelled corpus (every tests/data/*.jsonl).

Prints p50/p99 of `handlers.parsing.parse` per message: the best of several passes per message (what the code
costs, a noisy neighbour on the shared machine aside) and over every call (what a user meets). Target: p99 <= 1 ms."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.parsing import parse  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def load() -> list[tuple[str, object]]:
    out = []
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        if path.exists():
            for raw in path.read_text(encoding="utf-8").splitlines():
                if raw.strip():
                    line = json.loads(raw)
                    out.append((line["text"], datetime.fromisoformat(line["at"]).astimezone(TZ).date()))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--passes", type=int, default=20, help="timed passes per message (default 20)")
    args = p.parse_args()
    messages = load()
    for text, today in messages:  # warm caches and compiled regexes
        parse(text, today=today)
    per_message, every_call = [], []
    for text, today in messages:
        runs = []
        for _ in range(args.passes):
            t0 = time.perf_counter()
            parse(text, today=today)
            runs.append((time.perf_counter() - t0) * 1000)
        per_message.append(min(runs))
        every_call += runs
    print(f"parse() over {len(messages)} corpus messages, {args.passes} passes each (target p99 <= 1 ms)")
    for name, values in (("best of passes", per_message), ("every call", every_call)):
        q = statistics.quantiles(values, n=100, method="inclusive")
        print(f"{name:<15} p50 {q[49]:.3f} ms   p99 {q[98]:.3f} ms   max {max(values):.3f} ms")


if __name__ == "__main__":
    main()
