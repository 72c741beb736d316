"""One line per measured figure, for bench/run_all.py to gather: `FIGURE {json}` beside the bench's own words.

A figure is what was measured, its unit, the target it answers to (`<=` or `>=` a number, or none) and the floor or
baseline measured in the same run, so the table can show each as a ratio."""
from __future__ import annotations

import json

PREFIX = "FIGURE "


def emit(what: str, value: float, unit: str, *, target: tuple[str, float] | None = None,
         floor: float | None = None, floor_is: str | None = None) -> None:
    print(PREFIX + json.dumps({"what": what, "value": round(value, 4), "unit": unit,
                               "target": list(target) if target else None, "floor": floor,
                               "floor_is": floor_is}, ensure_ascii=False), flush=True)


def parse(line: str) -> dict | None:
    return json.loads(line[len(PREFIX):]) if line.startswith(PREFIX) else None
