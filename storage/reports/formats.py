"""A metric's figures as JSON-ready values and as CSV tables, for `oppbot report --format json|csv` (and any
script reading them): numbers stay numbers, a ratio is a fraction 0–1, a period is its key and dates."""
from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date
from decimal import Decimal

from storage.reports.periods import Period


def plain(value):
    if isinstance(value, Period):
        return {"key": value.key, "start": value.start.isoformat(), "end": value.end.isoformat()}
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _tables(name: str, value, out: dict[str, list[dict]]) -> None:
    """A tuple of records is a table; a record's plain fields make a one-row table, its tuples tables of their own."""
    if dataclasses.is_dataclass(value) and not isinstance(value, Period):
        flat, rows = {}, out.setdefault(name, [])
        for f in dataclasses.fields(value):
            inner = getattr(value, f.name)
            if isinstance(inner, tuple):
                _tables(f"{name}.{f.name}", inner, out)
            elif not isinstance(inner, Period):
                flat[f.name] = plain(inner)
        rows.append(flat)
    elif isinstance(value, tuple):
        rows = out.setdefault(name, [])
        rows.extend(plain(item) for item in value)


def csv_text(figures: dict) -> str:
    """One block per table, a blank line between: each block opens with its own header, first column `table`."""
    tables: dict[str, list[dict]] = {}
    for name, value in figures.items():
        _tables(name, value, tables)
    buf = io.StringIO()
    for name, rows in tables.items():
        if not rows:
            continue
        if buf.tell():
            buf.write("\r\n")
        columns = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.writer(buf)
        writer.writerow(["table", *columns])
        for r in rows:
            writer.writerow([name, *("" if r.get(c) is None else r.get(c) for c in columns)])
    return buf.getvalue()
