"""Every figure of issue 18 in one table: each bench in a process of its own, one after another (never two at
once: they would measure each other), its `FIGURE` lines gathered into what / value / target / met / floor / ratio.

    .venv/bin/python bench/run_all.py            # the sizes the targets name (about 30 minutes; 查重 at 1,000,000 customers is a third of it)
    .venv/bin/python bench/run_all.py --quick    # smaller N, the same figures, for a quick look (about 2 minutes)
    .venv/bin/python bench/run_all.py --pg postgresql://postgres@127.0.0.1:5432/oppbot_bench   # also on PostgreSQL

--pg also runs bench/scale_out.py, in a database of its own it drops and creates (the --pg name + "_scale").

A bench's own output is printed as it runs; the table comes last."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import parse  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

HERE = Path(__file__).resolve().parent


def benches(quick: bool, pg: str | None) -> list[tuple[str, list[str]]]:
    n = ["--n", "10000"] if quick else []
    runs = [
        ("registration and follow-up (SQLite)", ["replay.py", *n, "--messages", "100" if quick else "500"]),
        ("start-up and the black-box replay", ["startup.py", "--runs", "3" if quick else "5",
                                                *(["--messages", "300"] if quick else [])]),
        ("scheduler pass and digest (SQLite)", ["scheduler.py", *n]),
        ("import (SQLite)", ["import.py", *(["--existing", "10000", "--rows", "1000"] if quick else [])]),
        ("Slack over HTTP", ["slack_http.py", *(["--n", "200"] if quick else [])]),
        ("WeCom over HTTP", ["wecom_http.py", *(["--n", "300"] if quick else [])]),
    ]
    runs.append(("查重 at scale (SQLite)", ["dedupe.py", *(["--n", "100000", "--checks", "300", "--scan", "10"]
                                                       if quick else [])]))
    if pg:
        url = make_url(pg)
        scale = url.set(database=f"{url.database}_scale").render_as_string(hide_password=False)
        runs += [("scale-out: serve processes on PostgreSQL", ["scale_out.py", "--url", scale,
                                                               *(["--n", "240"] if quick else [])]),
                 ("registration and follow-up (PostgreSQL)", ["replay.py", *n, "--messages", "100" if quick else "500",
                                                              "--url", pg]),
                 ("import (PostgreSQL)", ["import.py", "--url", pg,
                                          *(["--existing", "10000", "--rows", "1000"] if quick else [])])]
    return runs


def met(figure: dict) -> str:
    if not figure["target"]:
        return ""
    op, bound = figure["target"]
    return "yes" if (figure["value"] <= bound if op == "<=" else figure["value"] >= bound) else "NO"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller N: the same figures, not the targets' sizes")
    p.add_argument("--pg", help="an empty PostgreSQL database: the database benches run there too")
    args = p.parse_args()
    figures: list[dict] = []
    for title, argv in benches(args.quick, args.pg):
        print(f"\n== {title}: bench/{' '.join(argv)}", flush=True)
        proc = subprocess.Popen([sys.executable, str(HERE / argv[0]), *argv[1:]], stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            figure = parse(line)
            if figure is None:
                print(line, end="", flush=True)
            else:
                figures.append({**figure, "bench": title})
        if proc.wait() != 0:
            figures.append({"what": f"{title}: the bench failed (exit {proc.returncode})", "value": float("nan"),
                            "unit": "", "target": None, "floor": None, "bench": title})
    print(f"\n{'what':<58} {'value':>10} {'unit':<5} {'target':>9} {'met':>4} {'floor':>9} {'ratio':>7}")
    for f in figures:
        target = f"{f['target'][0]} {f['target'][1]:g}" if f["target"] else ""
        floor = f"{f['floor']:.3g}" if f.get("floor") else ""
        ratio = f"{f['value'] / f['floor']:.1f}x" if f.get("floor") else ""
        print(f"{f['what'][:58]:<58} {f['value']:>10.3g} {f['unit']:<5} {target:>9} {met(f):>4} {floor:>9} {ratio:>7}")
    print("\nfloor: " + "; ".join(sorted({f"{f['floor_is']}" for f in figures if f.get("floor_is")})))
    if args.quick:
        print("(--quick: smaller N than the targets name; a figure here is a look, not a result)")


if __name__ == "__main__":
    main()
