"""A team's spreadsheet in (seed 004: "最初用Excel管理商机"): headers guessed, every cell read by the chat's own
readers, every row through the same 查重 as a chat registration — against the database and the file's earlier
rows — in ONE transaction that a dry run, or any error without --skip-bad, rolls back. Each imported opportunity's
audit entry names the file and row; IDs are issued as for chat."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable

from domain.messages import Deps, Reply
from domain.stages import OPEN_STAGES
from domain.wording import say
from handlers import dedupe
from handlers import intents as i
from handlers.commands import Context, create_registration
from handlers.parsing.amounts import find_amount
from handlers.parsing.dates import find_date
from handlers.parsing.fields import EMAIL, find_phones, normalize_phone, source_of, stage_of
from handlers.render import STATUS_NAMES
from storage import lifecycle, matchindex
from storage import models as m
from storage import sheets
from storage.sheets import Table

# The usual headers of a Chinese or English sales sheet, by field (compared without spaces, case or a colon).
HEADERS: dict[str, tuple[str, ...]] = {
    "customer": ("客户名称", "客户", "公司", "公司名称", "企业名称", "客户全称", "customer", "company", "account"),
    "contact": ("联系人", "联系人姓名", "姓名", "contact", "contactname"),
    "title": ("职位", "职务", "title", "position", "jobtitle"),
    "phone": ("手机", "电话", "手机号", "手机号码", "联系电话", "mobile", "phone", "tel"),
    "email": ("邮箱", "电子邮件", "邮件", "email", "e-mail"),
    "need": ("需求", "需求描述", "客户需求", "need", "requirement", "needs"),
    "budget": ("预算", "金额", "预计金额", "商机金额", "预算金额", "budget", "amount", "value", "dealsize"),
    "currency": ("币种", "货币", "currency"),
    "expected_close": ("预计成交", "预计签约", "预计成交日期", "预计签约时间", "预计成交时间", "expectedclose",
                       "closedate"),
    "source": ("来源", "渠道", "商机来源", "线索来源", "source", "leadsource"),
    "industry": ("行业", "所属行业", "industry"),
    "stage": ("阶段", "商机阶段", "销售阶段", "stage"),
    "status": ("状态", "商机状态", "status"),
    "owner": ("负责人", "销售", "销售代表", "跟进人", "归属销售", "owner", "salesrep", "rep"),
    "last_follow_up": ("最近跟进", "跟进记录", "最新跟进", "跟进情况", "lastfollowup", "followup", "notes"),
    "next_follow_up": ("下次跟进", "下次跟进时间", "下次跟进日期", "nextfollowup", "nextcontact"),
}
FIELDS = tuple(HEADERS)
IMPORTERS = ("manager", "director", "admin")  # who may bring a spreadsheet in from chat
STATUS_WORDS = {k: v for k, v in STATUS_NAMES.items() if k in ("open", "won", "lost", "invalid")}


def _key(header: str) -> str:
    return re.sub(r"[\s:：_*（）()\-]+", "", str(header or "")).lower()


def guess_mapping(headers: list[str], overrides: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field, from the usual headers; `overrides` (列名 → field, from --map) win."""
    known = {_key(word): f for f, words in HEADERS.items() for word in words}
    chosen = {n: known[_key(h)] for n, h in enumerate(headers) if _key(h) in known}
    for header, f in (overrides or {}).items():
        if f not in FIELDS:
            raise ValueError(f"--map {header}={f}: the field must be one of {', '.join(FIELDS)}")
        n = next((n for n, h in enumerate(headers) if _key(h) == _key(header)), None)
        if n is None:
            raise ValueError(f"--map {header}={f}: the file has no column {header!r}")
        chosen = {k: v for k, v in chosen.items() if v != f}
        chosen[n] = f
    return chosen


@dataclass
class RowResult:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    outcome: str  # imported | conflict | mine | possible | error
    id: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)
    owner: str | None = None  # a conflict's owner …
    until: date | None = None  # … and the protection end


@dataclass
class Report:
    file: str
    mapping: dict[str, str]  # column → field, as used
    results: list[RowResult]
    applied: bool  # False: a dry run, or errors without --skip-bad

    def count(self, *outcomes: str) -> int:
        return sum(r.outcome in outcomes for r in self.results)


def run(deps: Deps, file: str, table: Table, *, importer: str | None, dry_run: bool = False, skip_bad: bool = False,
        overrides: dict[str, str] | None = None, owner_column: str | None = None,
        progress: Callable[[Iterable], Iterable] = lambda rows: rows, session=None) -> Report:
    """Every row read, checked and registered in one transaction; committed only when it should be. With
    `session` (a chat message's own transaction, after its preview), the good rows go into it, its caller commits."""
    if owner_column:
        overrides = {**(overrides or {}), owner_column: "owner"}
    mapping = guess_mapping(table.headers, overrides)
    if "customer" not in mapping.values():
        raise ValueError(f"no customer column among {', '.join(h for h in table.headers if h)} "
                         f"(name it 客户名称, or --map 列名=customer)")
    now = deps.clock()

    def rows(s) -> list[RowResult]:
        batch = _Batch(s)
        with lifecycle.batch(s):
            return [_row(batch, deps, {f: cells[n] for n, f in mapping.items() if n < len(cells)}, number=number,
                         file=file, importer=importer, now=now)
                    for number, cells in progress(list(enumerate(table.rows, start=2)))]
    if session is not None:
        results, applied = rows(session), True
    else:
        with deps.sessions() as own:
            results = rows(own)
            applied = not dry_run and (skip_bad or not any(r.outcome == "error" for r in results))
            if applied:
                own.commit()
            else:
                own.rollback()
    return Report(file=file, mapping={table.headers[n]: f for n, f in sorted(mapping.items())}, results=results,
                  applied=applied)


BATCH_ROWS = 500  # registrations written together (lifecycle.batch); fewer when rows share index keys


class _Batch:
    """The import's session and what its unwritten registrations are filed under: a row's 查重 that rests on
    one of those keys flushes the batch first and looks again, so it answers as if every earlier row were in —
    one that rests on none could not have found them (storage.matchindex.candidates)."""

    def __init__(self, session):
        self.session, self.keys, self.rows, self.users = session, set(), 0, {}

    def user(self, user_id: str | None) -> m.User | None:
        if user_id and user_id not in self.users:  # held here: the session's identity map would let it go
            self.users[user_id] = self.session.get(m.User, user_id)
        return self.users.get(user_id)

    def check(self, ctx: Context, party) -> dedupe.Match:
        relied: set[str] = set()
        match = dedupe.check(ctx, party, relied=relied)
        if relied & self.keys:
            self.flush()
            match = dedupe.check(ctx, party)
        return match

    def added(self, party) -> None:
        self.keys |= matchindex.party_keys(party)
        self.rows += 1
        if self.rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        lifecycle.flush_batch(self.session)
        self.keys, self.rows = set(), 0


def _row(batch: _Batch, deps: Deps, values: dict, *, number: int, file: str, importer: str | None,
         now: datetime) -> RowResult:
    config = deps.config
    owner_id, problems = _owner(config, values.get("owner"), importer)
    user = batch.user(owner_id)
    team = config.team(user.team_name) if user else None
    today = now.astimezone(config.timezone_of(team)).date()
    read, more = _read(values, today=today)
    problems += more
    if user is not None and team is None:
        problems.append(("owner", "没有所属团队（报备需要团队） / has no team"))
    if problems:
        return RowResult(number, "error", problems=problems)
    # no savepoint per row: anything unexpected raises, and the whole import's transaction rolls back with it
    ctx = Context(session=batch.session, user=user, config=config, now=now, today=today, lang=user.lang or "zh",
                  message=f"import {file} row {number}")
    party = dedupe.party_of(read.register)
    match = batch.check(ctx, party)
    if match.outcome in ("mine", "conflict"):
        return RowResult(number, match.outcome, id=match.holder.id, owner=match.holder.owner_id,
                         until=match.holder.protected_until)
    upcoming = read.next_date if read.next_date and read.next_date >= today else None
    opp = create_registration(ctx, read.register, team=team, party=party, match=match, status="open",
                              stage=read.stage or "discovery", next_action_date=upcoming)
    _settle(ctx, opp, read)
    batch.added(party)
    return RowResult(number, "possible" if match.outcome == "possible" else "imported", id=opp.id)


@dataclass
class Read:
    register: i.Register
    stage: str | None = None
    status: str | None = None
    follow_up: str | None = None
    next_date: date | None = None


def _read(values: dict, *, today: date) -> tuple[Read, list[tuple[str, str]]]:
    """The row as a registration, each cell through the chat's reader; what could not be read, by column."""
    problems: list[tuple[str, str]] = []
    text = {f: _text(v) for f, v in values.items()}
    if not text.get("customer"):
        problems.append(("customer", "没有客户名称 / no customer name"))
    phone = None
    if text.get("phone"):
        found = find_phones(text["phone"])
        phone = normalize_phone(text["phone"][found[0][0]:found[0][1]]) if found else None
        if phone is None:
            problems.append(("phone", f"读不懂电话“{text['phone']}” / unreadable phone"))
    email = text.get("email") or None
    if email and not EMAIL.fullmatch(email):
        problems.append(("email", f"读不懂邮箱“{email}” / unreadable e-mail"))
    budget, currency = _amount(values.get("budget"), problems)
    if text.get("currency") and budget is not None:
        currency = text["currency"].upper()
    close = _day(values.get("expected_close"), today, "expected_close", problems)
    next_date = _day(values.get("next_follow_up"), today, "next_follow_up", problems)
    source = source_of(text["source"]) or "other" if text.get("source") else None
    status = _status(text["status"]) if text.get("status") else None
    if text.get("status") and status is None:
        problems.append(("status", f"不认识状态“{text['status']}” / unknown status"))
    stage = None
    if text.get("stage") and status not in ("won", "lost"):  # a closed deal's stage is 归档, whatever it says
        stage = stage_of(text["stage"])
        if stage is None and _status(text["stage"]) in ("won", "lost"):  # 阶段 = 赢单: one column for both
            status = _status(text["stage"])
        elif stage not in OPEN_STAGES:
            problems.append(("stage", f"不认识阶段“{text['stage']}” / unknown stage"))
    contacts = (i.ContactInfo(name=text.get("contact") or None, title=text.get("title") or None, phone=phone,
                              email=email),) if text.get("contact") or phone or email else ()
    register = i.Register(customer=text.get("customer") or None, contacts=contacts, need=text.get("need") or None,
                          budget=budget, currency=currency if budget is not None else None, expected_close=close,
                          source=source, industry=text.get("industry") or None)
    if not problems and not (contacts or register.need):
        problems.append(("contact", "联系人、电话、邮箱或需求至少要有一项 / a contact, phone, e-mail or need"))
    return Read(register, stage=stage, status=status,
                follow_up=text.get("last_follow_up") or None, next_date=next_date), problems


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(value, problems: list) -> tuple[Decimal | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value)), "CNY"
    found = find_amount(str(value))
    if found is None:
        try:
            return Decimal(str(value).replace(",", "").strip()), "CNY"
        except InvalidOperation:
            problems.append(("budget", f"读不懂金额“{value}” / unreadable amount"))
            return None, None
    return found.value, found.currency


def _day(value, today: date, column: str, problems: list) -> date | None:
    """A date cell, an Excel serial number, or text the chat reads (2026/12/31, 12月底)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        from openpyxl.utils.datetime import from_excel
        return from_excel(value).date()
    found = find_date(str(value), today=today)
    if found is None:
        problems.append((column, f"读不懂日期“{value}” / unreadable date"))
        return None
    return found.value


def _status(text: str) -> str | None:
    low = text.strip().lower()
    return next((k for k, (zh, en) in STATUS_WORDS.items() if low in (zh, en.lower())), None)


def _owner(config, value, importer: str | None) -> tuple[str | None, list[tuple[str, str]]]:
    """By id, name or e-mail; an empty cell (or no owner column) is the importer's own, if they can own."""
    text = _text(value)
    if not text:
        user = config.user(importer) if importer else None
        if user and user.team:
            return user.id, []
        return None, [("owner", "没有负责人 / no owner (an owner column, or --as a rep)")]
    low = text.lower()
    user = next((u for u in config.users if low in (u.id.lower(), u.name.lower(), (u.email or "").lower())), None)
    if user is None:
        return None, [("owner", f"不认识负责人“{text}” / unknown owner")]
    return user.id, []


def _settle(ctx: Context, opp: m.Opportunity, read: Read) -> None:
    """What the sheet says beyond a registration (which entered at its stage, due by its next date): its last
    follow-up, and a close."""
    if read.follow_up:
        opp.follow_ups.append(m.FollowUp(at=ctx.now, by=opp.owner_id, content=read.follow_up,
                                         next_action_date=read.next_date, risks={}))
    if read.status in ("won", "lost", "invalid"):
        lifecycle.close(ctx.session, opp, read.status, actor=ctx.actor, at=ctx.now)


def confirm(ctx: Context, cmd: i.ConfirmImport) -> Reply:
    """确认导入: the previewed spreadsheet's good rows, registered in this message's transaction (the preview
    showed what is wrong with the others), and the report as it now stands."""
    if ctx.user.role not in IMPORTERS:
        return ctx.reply("import_not_allowed")
    table = sheets.read(cmd.name, base64.b64decode(cmd.content))
    deps = Deps(sessions=None, config=ctx.config, clock=lambda: ctx.now)
    report = run(deps, cmd.name, table, importer=ctx.user.id, session=ctx.session)
    return Reply(text=report_text(report, ctx.lang, ctx.config), lang=ctx.lang)


def report_text(report: Report, lang: str, config) -> str:
    """The answer: the columns as read, then counts, then each row that was not imported and why."""
    zh = lang == "zh"
    lines = [say("import_head", lang, file=report.file, rows=len(report.results),
                 mapping="，".join(f"{h}→{f}" for h, f in report.mapping.items()) if zh else
                 ", ".join(f"{h} → {f}" for h, f in report.mapping.items()))]
    done = report.count("imported", "possible")
    lines.append(say("import_counts" if report.applied else "import_counts_dry", lang, n=done,
                     conflicts=report.count("conflict"), mine=report.count("mine"), errors=report.count("error")))
    for r in report.results:
        if r.outcome == "error":
            lines.append(say("import_error", lang, row=r.row, problems="；".join(
                f"{col}: {why}" for col, why in r.problems)))
        elif r.outcome == "conflict":
            lines.append(say("import_conflict", lang, row=r.row, id=r.id, owner=config.name_of(r.owner),
                             until=r.until or "—"))
        elif r.outcome == "mine":
            lines.append(say("import_mine", lang, row=r.row, id=r.id))
        elif r.outcome == "possible":
            lines.append(say("import_possible", lang, row=r.row, id=r.id))
    if not report.applied and report.count("error"):
        lines.append(say("import_nothing", lang))
    return "\n".join(lines)
