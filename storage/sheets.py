"""Tables in and out of files: .xlsx through openpyxl, .csv in whatever encoding Chinese Excel wrote it (UTF-8, with
or without a BOM, GBK / GB18030: told apart by charset-normalizer), so an import reads what a team really has."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime


GB = ("gbk", "gb2312", "gb18030", "hz", "cp936")  # read as GB18030, their superset


class SheetError(ValueError):
    """A file that is not a table the importer can read; the message says why in one line."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list]  # cells as the file holds them: str, int, float, date / datetime, None
    encoding: str | None = None  # a CSV's, as detected


def read(name: str, raw: bytes, *, sheet: str | None = None) -> Table:
    """The first non-empty row is the header; blank rows are dropped."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx(raw, sheet)
    if name.lower().endswith((".csv", ".txt")):
        return _csv(raw)
    raise SheetError(f"{name}: only .xlsx and .csv files can be imported")


def _xlsx(raw: bytes, sheet: str | None) -> Table:
    try:
        from openpyxl import load_workbook  # here, not at start: most commands read no workbook
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise SheetError(f"not an Excel workbook ({type(exc).__name__})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SheetError(f"no sheet named {sheet!r}; the workbook has {', '.join(book.sheetnames)}")
        rows = [list(r) for r in (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(rows)


def _csv(raw: bytes) -> Table:
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes
            best = from_bytes(raw).best()
            if best is None:
                raise SheetError("cannot tell this CSV's encoding (save it as UTF-8 or .xlsx)") from None
            encoding = "gb18030" if best.encoding.lower() in GB else best.encoding
    text = raw.decode(encoding)
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return _table(list(csv.reader(io.StringIO(text), dialect)), encoding=encoding)


def _table(rows: list[list], *, encoding: str | None = None) -> Table:
    rows = [r for r in rows if any(c not in (None, "") and str(c).strip() for c in r)]
    if not rows:
        raise SheetError("the file has no rows")
    width = len(rows[0])
    return Table(headers=[str(h).strip() if h is not None else "" for h in rows[0]],
                 rows=[(r + [None] * width)[:max(width, len(r))] for r in rows[1:]], encoding=encoding)


def write_xlsx(headers: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "商机"
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    for cells in sheet.iter_cols(min_row=2):
        for cell in cells:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM: what Excel opens as Chinese without asking."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([["" if c is None else c.isoformat() if isinstance(c, (date, datetime)) else c for c in r]
                      for r in rows])
    return out.getvalue().encode("utf-8-sig")
