"""Forms (a Slack modal) as the commands the chat already reads: each answer is checked by the reader free text goes
through, an unreadable one is named on its field with an example, and a valid form becomes the command a person
would have typed — one path for typed and clicked work, and nothing stored until the form is valid."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.messages import Deps
from domain.wording import say
from handlers.dialog import missing_fields
from handlers.lang import detect
from handlers.parsing import clean
from handlers.parsing.amounts import find_amount
from handlers.parsing.dates import find_date
from handlers.parsing.fields import EMAIL, find_phones
from handlers.parsing.register import parse_register
from storage import models as m


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # both languages: a form is drawn before anyone has written a word
    required: bool = False
    multiline: bool = False
    kind: str = "text"  # text | amount | date | phone | email | opportunity (picked from one's own)
    word: str = ""  # the label the registration parser reads (报备：客户=…；联系人=…)


FORMS: dict[str, tuple[Field, ...]] = {
    "register": (
        Field("customer", "客户 Customer", required=True, word="客户"),
        Field("contact", "联系人 Contact", word="联系人"), Field("title", "职务 Title"),
        Field("phone", "电话 Phone", kind="phone", word="电话"), Field("email", "邮箱 Email", kind="email", word="邮箱"),
        Field("need", "需求 Need", multiline=True, word="需求"),
        Field("budget", "预算 Budget（50万 / $120k）", kind="amount", word="预算"),
        Field("close", "预计成交 Expected close（12月底 / 2026-12-31）", kind="date", word="预计"),
        Field("source", "来源 Source（展会 / 官网 / 转介绍）", word="来源")),
    "follow_up": (
        Field("content", "跟进内容 What happened", required=True, multiline=True),
        Field("next", "下一步 Next step"),
        Field("next_date", "下次跟进 Next date（下周二 / 12月10日）", kind="date"),
        Field("budget", "预算 Budget（如有变化 if it changed）", kind="amount")),
    "snooze": (
        Field("until", "暂停到 Until（12月20日 / next Monday）", required=True, kind="date"),
        Field("reason", "原因 Reason", multiline=True)),
}
FORMS["log_message"] = (Field("opp", "商机 Opportunity（编号或客户 ID or customer）", required=True, kind="opportunity"),
                        *FORMS["follow_up"])  # any message, logged as a follow-up of the opportunity picked
TITLES = {"register": "报备 Register", "follow_up": "记录跟进 Log follow-up", "snooze": "暂停提醒 Snooze",
          "log_message": "记录为跟进 Log follow-up"}


@dataclass(frozen=True)
class Checked:
    errors: dict[str, str]  # field → what is wrong with it, in the writer's language; empty: valid
    command: str  # the command the form stands for (when valid)


def check(deps: Deps, user_id: str, form: str, values: dict[str, str], *, ref: str | None = None) -> Checked:
    """The form's answers read as free text would be, in the user's time zone and language."""
    today = deps.clock().astimezone(deps.config.timezone_of(deps.config.team_of(user_id))).date()
    lang = detect(" ".join(v for v in values.values() if v))
    if lang is None:
        with deps.sessions() as s:
            user = s.get(m.User, user_id)
            lang = user.lang if user else "zh"
    values = {k: clean(v or "").strip() for k, v in values.items()}
    errors = {}
    for f in FORMS[form]:
        value = values.get(f.name, "")
        problem = _problem(f, value, today=today, lang=lang) if value else (
            say("form_required", lang) if f.required else None)
        if problem:
            errors[f.name] = problem
    if form == "register" and "customer" not in errors:
        missing = missing_fields(parse_register(_register_text(values), today=today))
        if "detail" in missing and not errors:
            errors["contact"] = say("form_need_detail", lang)
    if form == "snooze" and "until" not in errors and find_date(values["until"], today=today).value <= today:
        errors["until"] = say("form_past", lang)
    return Checked(errors, "" if errors else _command(form, values, ref=values.get("opp") or ref, today=today,
                                                      lang=lang))


def _problem(f: Field, value: str, *, today: date, lang: str) -> str | None:
    if f.kind == "amount" and find_amount(value) is None:
        return say("form_amount", lang, text=value)
    if f.kind == "date" and find_date(value, today=today) is None:
        return say("form_date", lang, text=value)
    if f.kind == "phone" and not find_phones(value):
        return say("form_phone", lang, text=value)
    if f.kind == "email" and not EMAIL.fullmatch(value):
        return say("form_email", lang, text=value)
    return None


def _iso(value: str, today: date) -> str:
    return find_date(value, today=today).value.isoformat()


def _command(form: str, values: dict[str, str], *, ref: str | None, today: date, lang: str) -> str:
    """Dates go in as ISO days (read once, here, with the same reader); the rest as written."""
    if form == "register":
        return _register_text({**values, "close": values.get("close") and _iso(values["close"], today)})
    zh = lang == "zh"
    if form == "snooze":
        reason = values.get("reason")
        return (f"暂停 {ref} 到 {_iso(values['until'], today)}" + (f" 原因 {reason}" if reason else "") if zh else
                f"snooze {ref} until {_iso(values['until'], today)}" + (f" because {reason}" if reason else ""))
    text = f"{'跟进' if zh else 'follow up'} {ref} {values['content'].rstrip('。.；;，, ')}"
    if values.get("budget"):
        text += f"，预算 {values['budget']}" if zh else f", budget {values['budget']}"
    step, when = values.get("next"), values.get("next_date") and _iso(values["next_date"], today)
    if step or when:
        text += ("；下一步：" if zh else "; next: ") + " ".join(x for x in (step or ("跟进" if zh else "follow up"),
                                                                           when) if x)
    return text


def _register_text(values: dict[str, str]) -> str:
    """The form as the labelled message the parser already reads."""
    parts = []
    for f in FORMS["register"]:
        value = (values.get(f.name) or "").replace("；", "，")
        if f.name == "title" or not value:
            continue
        if f.name == "contact" and values.get("title"):
            value += f"（{values['title']}）"
        parts.append(f"{f.word}={value}")
    return "报备：" + "；".join(parts)
