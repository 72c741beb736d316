"""Parse time per message over the labelled corpus (every tests/data/*.jsonl).

Prints p50/p99 of `handlers.parsing.parse` per message, with the models (the LAC tagger and the span model, each
loaded once, before timing), with the rules alone (`tagger=None`), and the span model's own cost: the best of several passes per message (what the code costs, a noisy neighbour on the
shared machine aside) and over every call (what a user meets). Targets: p99 <= 10 ms with it, <= 1 ms without.
A plain regex pass over the same messages is printed as the floor measured in the same run."""
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

import re  # noqa: E402

from handlers.parsing import forget_messages, parse  # noqa: E402
from handlers.parsing.spans import DEFAULT_SPANS  # noqa: E402
from handlers.parsing.tagger import DEFAULT_TAGGER  # noqa: E402

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
    t0 = time.perf_counter()
    DEFAULT_TAGGER("预热")  # each model loads once per process, on the first message that needs it
    print(f"tagger load {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    DEFAULT_SPANS("预热")
    print(f"span model load {time.perf_counter() - t0:.2f} s")
    floor = re.compile(r"[\u4e00-\u9fff]+|\w+")
    print(f"parse() over {len(messages)} corpus messages, {args.passes} passes each")
    for label, call in (("with the models", lambda t, d: parse(t, today=d)),
                        ("rules alone", lambda t, d: parse(t, today=d, tagger=None)),
                        ("span model alone", lambda t, d: DEFAULT_SPANS(t)),
                        ("floor: one regex findall", lambda t, d: floor.findall(t))):
        for text, today in messages:  # warm caches and compiled regexes
            call(text, today)
        per_message, every_call = [], []
        for text, today in messages:
            runs = []
            for _ in range(args.passes):
                forget_messages()  # a message is cut once per call: no pass may reuse another's cut
                t0 = time.perf_counter()
                call(text, today)
                runs.append((time.perf_counter() - t0) * 1000)
            per_message.append(min(runs))
            every_call += runs
        for name, values in (("best of passes", per_message), ("every call", every_call)):
            q = statistics.quantiles(values, n=100, method="inclusive")
            print(f"{label:<25} {name:<15} p50 {q[49]:.3f} ms   p99 {q[98]:.3f} ms   max {max(values):.3f} ms")


if __name__ == "__main__":
    main()
