"""`oppbot` start-up (issue 18 target: <= 0.8 s): `oppbot --help`, `oppbot export` on an empty database and a
one-line `oppbot replay`, each a fresh process, the median of --runs; beside them the floor measured in the same
run — a bare `python -c pass` and a process that only imports SQLAlchemy's engine. A registration's line is shown
apart: it also loads the entity tagger and the pinyin tables, which only such a message needs."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402
LINES = {"list": "我的商机", "register": "报备 杭州云栖科技有限公司 联系人 李娜 13900001111 需求 数据平台 预算 30万"}


def seconds(argv: list[str], env: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr[-400:]}")
    return statistics.median(times)


def measure(runs: int) -> dict[str, float]:
    """Figures in seconds, by name (bench/run_all.py reads them)."""
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="oppbot-start-") as tmp:
        env = {**os.environ, "OPPBOT_DATABASE_URL": f"sqlite:///{tmp}/start.db", "PYTHONPATH": str(ROOT)}
        cli = [py, "-m", "bot.cli"]
        subprocess.run([*cli, "export"], env=env, cwd=ROOT, capture_output=True, check=True)  # the schema, once
        scripts = {}
        for name, text in LINES.items():
            scripts[name] = Path(tmp) / f"{name}.jsonl"
            scripts[name].write_text(json.dumps({"at": "2026-11-02T10:00:00+08:00", "user": "alice", "text": text},
                                                ensure_ascii=False) + "\n", encoding="utf-8")
        return {
            "python -c pass": seconds([py, "-c", "pass"], env, runs),
            "import sqlalchemy engine": seconds([py, "-c", "import sqlalchemy.engine, sqlalchemy.orm"], env, runs),
            "oppbot --help": seconds([*cli, "--help"], env, runs),
            "oppbot export (empty)": seconds([*cli, "export"], env, runs),
            "oppbot replay (1 line)": seconds([*cli, "replay", str(scripts["list"])], env, runs),
            "oppbot replay (1 registration)": seconds([*cli, "replay", str(scripts["register"])], env, runs),
        }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=5, help="processes per command (the median is shown)")
    args = p.parse_args()
    figures = measure(args.runs)
    floor = figures["import sqlalchemy engine"]
    for name, s in figures.items():
        print(f"{name:<32} {s:6.2f} s   {s / floor:5.1f}x the SQLAlchemy import")
        if name.startswith("oppbot"):
            emit(name, s, "s", target=("<=", 0.8) if "registration" not in name else None, floor=floor,
                 floor_is="start-up: a process importing SQLAlchemy's engine and ORM")
    print("target: --help, export and a one-line replay <= 0.8 s")


if __name__ == "__main__":
    main()
