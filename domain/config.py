"""Typed org/team/user settings; bot/ reads the TOML, this checks it and says what is wrong in one line."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.contacts import DEFAULT_ROLE_WORDS, RoleWords
from domain.needfit import DEFAULT_ITEMS, NeedFitItem
from domain.stages import CADENCE_DAYS

ROLES = ("rep", "manager", "director", "admin", "presales", "cs")  # presales / cs: seed 001's supporting teams


class ConfigError(ValueError):
    """A config that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Org:
    name: str = "Demo Co"
    timezone: str = "Asia/Shanghai"
    holidays: str = "cn"
    protection_days: int = 90
    registration_review: bool = False
    monday_pack: bool = False  # the managers' Monday pack (an addition: off unless the org asks for it)
    month_report: bool = False  # the directors' month report on the first working day (an addition)


@dataclass(frozen=True)
class Team:
    name: str
    region: str
    manager: str | None = None
    group_chat: str | None = None
    digest_time: str = "18:00"
    timezone: str | None = None  # falls back to the org's
    holidays: str | None = None  # "cn" | "none"; falls back to the org's (SPEC: "for teams that want it")
    cadence: tuple[tuple[str, int], ...] = ()  # (stage, days) overriding the org's cadence for this team
    deal_room_amount: int | None = None  # an addition: from this amount, 方案推进 opens a private deal room


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: str
    team: str | None = None
    slack: str | None = None
    wecom: str | None = None
    lang: str | None = None  # "zh" | "en"; learnt from what the user writes when not set
    email: str | None = None  # an addition: without `slack`, their Slack id is looked up by it at start
    mobile: str | None = None  # an addition: without `wecom`, their WeCom userid is looked up by it at start


@dataclass(frozen=True)
class Target:
    """A team's sales target for one month (`[[targets]]`, an addition): what the forecast is held against."""
    team: str
    month: str  # YYYY-MM
    amount: int  # in the org's currency (CNY)


@dataclass(frozen=True)
class Config:
    org: Org
    teams: tuple[Team, ...]
    users: tuple[User, ...]
    role_words: RoleWords = DEFAULT_ROLE_WORDS
    cadence: tuple[tuple[str, int], ...] = ()  # org-wide (stage, days) overriding the SPEC defaults
    need_fit: tuple[NeedFitItem, ...] = DEFAULT_ITEMS  # the 需求确认单's items (`[[need_fit]]`, an addition)
    targets: tuple[Target, ...] = ()
    _users: dict[str, User] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._users.update({u.id: u for u in self.users})

    def target(self, teams: list[str], months: list[str]) -> int | None:
        """The sum of these teams' targets over these months; None when none of them has one."""
        found = [t.amount for t in self.targets if t.team in teams and t.month in months]
        return sum(found) if found else None

    def user(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def name_of(self, user_id: str | None) -> str:
        """What people are called in messages: the config's name, else the id as stored (someone who left)."""
        user = self._users.get(user_id) if user_id else None
        return user.name if user else (user_id or "-")

    def team(self, name: str | None) -> Team | None:
        return next((t for t in self.teams if t.name == name), None)

    def directors(self) -> list[str]:
        return [u.id for u in self.users if u.role == "director"]

    def supporters(self, kind: str, team_name: str | None) -> list[str]:
        """The presales (or cs) people of a team; those of no team serve every team that has none of its own."""
        people = [u for u in self.users if u.role == kind]
        return [u.id for u in people if u.team == team_name] or [u.id for u in people if u.team is None]

    def team_of(self, user_id: str) -> Team | None:
        u = self.user(user_id)
        return self.team(u.team) if u else None

    def timezone_of(self, team: Team | None) -> ZoneInfo:
        return ZoneInfo((team and team.timezone) or self.org.timezone)

    def holidays_of(self, team: Team | None) -> str:
        return (team and team.holidays) or self.org.holidays

    def cadence_days(self, team_name: str | None, stage: str) -> int:
        """Days between follow-ups in a stage: the team's own setting, else the org's, else SPEC's default."""
        team = self.team(team_name)
        for pairs in ((team.cadence if team else ()), self.cadence):
            days = dict(pairs).get(stage)
            if days is not None:
                return days
        return CADENCE_DAYS.get(stage, 7)


def _typed(section: dict, name: str, kind: type, where: str, default=None, required=False):
    if name not in section:
        if required:
            raise ConfigError(f"{where}: '{name}' is required")
        return default
    value = section[name]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}: '{name}' must be {kind.__name__}, got {value!r}")
    return value


def _zone(name: str, where: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {name!r}") from None
    return name


def _holidays(kind: str, where: str) -> str:
    if kind not in ("cn", "none"):
        raise ConfigError(f"{where}: holidays must be 'cn' or 'none', got {kind!r}")
    return kind


def _cadence(table, where: str) -> tuple[tuple[str, int], ...]:
    """`{ qualification = 2, proposal = 3 }`: days between follow-ups per open stage."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: cadence must be a table of stage = days, e.g. {{ qualification = 2 }}")
    for stage, days in table.items():
        if stage not in CADENCE_DAYS:
            raise ConfigError(f"{where}: cadence stage must be one of {', '.join(CADENCE_DAYS)}, got {stage!r}")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 90:
            raise ConfigError(f"{where}: cadence for {stage} must be a whole number of days from 1 to 90, got {days!r}")
    return tuple(table.items())


def config_from_dict(data: dict) -> Config:
    """Check every field the SPEC's config format names; unknown keys are ignored so the format can grow."""
    o = data.get("org", {})
    if not isinstance(o, dict):
        raise ConfigError("[org] must be a table")
    org = Org(
        name=_typed(o, "name", str, "[org]", Org.name),
        timezone=_zone(_typed(o, "timezone", str, "[org]", Org.timezone), "[org]"),
        holidays=_holidays(_typed(o, "holidays", str, "[org]", Org.holidays), "[org]"),
        protection_days=_typed(o, "protection_days", int, "[org]", Org.protection_days),
        registration_review=_typed(o, "registration_review", bool, "[org]", False),
        monday_pack=_typed(o, "monday_pack", bool, "[org]", False),
        month_report=_typed(o, "month_report", bool, "[org]", False),
    )
    if org.protection_days < 1:
        raise ConfigError("[org]: protection_days must be at least 1")
    teams = []
    for i, t in enumerate(data.get("teams", [])):
        where = f"[[teams]] #{i + 1}"
        region = _typed(t, "region", str, where, required=True)
        if not re.fullmatch(r"[A-Z]{2,4}", region):
            raise ConfigError(f"{where}: region must be 2–4 capital letters (it goes into IDs), got {region!r}")
        digest = _typed(t, "digest_time", str, where, "18:00")
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", digest):
            raise ConfigError(f"{where}: digest_time must be HH:MM, got {digest!r}")
        tz = _typed(t, "timezone", str, where)
        kind = _typed(t, "holidays", str, where)
        teams.append(Team(
            name=_typed(t, "name", str, where, required=True), region=region,
            manager=_typed(t, "manager", str, where), group_chat=_typed(t, "group_chat", str, where),
            digest_time=digest, timezone=tz and _zone(tz, where), holidays=kind and _holidays(kind, where),
            cadence=_cadence(t.get("cadence", {}), where), deal_room_amount=_typed(t, "deal_room_amount", int, where),
        ))
    names = [t.name for t in teams]
    if len(set(names)) != len(names):
        raise ConfigError("[[teams]]: team names must be unique")
    users = []
    for i, u in enumerate(data.get("users", [])):
        where = f"[[users]] #{i + 1}"
        user = User(
            id=_typed(u, "id", str, where, required=True), name=_typed(u, "name", str, where, required=True),
            role=_typed(u, "role", str, where, "rep"), team=_typed(u, "team", str, where),
            slack=_typed(u, "slack", str, where), wecom=_typed(u, "wecom", str, where),
            lang=_typed(u, "lang", str, where), email=_typed(u, "email", str, where),
            mobile=_typed(u, "mobile", str, where),
        )
        if user.role not in ROLES:
            raise ConfigError(f"{where}: role must be one of {', '.join(ROLES)}, got {user.role!r}")
        if user.team is not None and user.team not in names:
            raise ConfigError(f"{where}: team {user.team!r} is not a [[teams]] name")
        if user.role == "rep" and user.team is None:
            raise ConfigError(f"{where}: a rep needs a team (their region goes into opportunity IDs)")
        users.append(user)
    ids = [u.id for u in users]
    if len(set(ids)) != len(ids):
        raise ConfigError("[[users]]: user ids must be unique")
    for t in teams:
        if t.manager is not None and t.manager not in ids:
            raise ConfigError(f"team {t.name!r}: manager {t.manager!r} is not a [[users]] id")
    roles = data.get("roles", {})
    if not isinstance(roles, dict):
        raise ConfigError("[roles] must be a table")
    extra = {}
    for key in ("decision_maker", "influencer"):
        words = roles.get(key, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(f"[roles]: {key} must be a list of title words, got {words!r}")
        extra[key] = words
    return Config(org=org, teams=tuple(teams), users=tuple(users),
                  role_words=DEFAULT_ROLE_WORDS.extended(**extra), cadence=_cadence(data.get("cadence", {}), "[cadence]"),
                  need_fit=_need_fit(data.get("need_fit")), targets=_targets(data.get("targets", []), names))


def _targets(table, teams) -> tuple[Target, ...]:
    """[[targets]] team = "East", month = "2026-12", amount = 2000000; one per team and month."""
    if not isinstance(table, list):
        raise ConfigError("[[targets]]: give one table per team and month, each with team, month and amount")
    out = []
    for n, entry in enumerate(table, 1):
        where = f"[[targets]] #{n}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each target is a table with team, month and amount")
        team = _typed(entry, "team", str, where, required=True)
        if team not in teams:
            raise ConfigError(f"{where}: team {team!r} is not a [[teams]] name")
        month = _typed(entry, "month", str, where, required=True)
        if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month):
            raise ConfigError(f"{where}: month must be YYYY-MM, got {month!r}")
        amount = _typed(entry, "amount", int, where, required=True)
        if amount < 0:
            raise ConfigError(f"{where}: amount must not be negative, got {amount!r}")
        out.append(Target(team, month, amount))
    if len({(t.team, t.month) for t in out}) != len(out):
        raise ConfigError("[[targets]]: one target per team and month")
    return tuple(out)


def _need_fit(table) -> tuple[NeedFitItem, ...]:
    """[[need_fit]] key = "features", zh = "功能匹配", en = "features", words = ["功能"]: replaces the defaults."""
    if table is None:
        return DEFAULT_ITEMS
    if not isinstance(table, list) or not table:
        raise ConfigError("[[need_fit]]: give one or more items, each with key, zh and en")
    items = []
    for n, entry in enumerate(table, 1):
        where = f"[[need_fit]] #{n}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each item is a table with key, zh and en")
        key = _typed(entry, "key", str, where, required=True)
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", key) or key == "overall":
            raise ConfigError(f"{where}: key must be a short lower-case word other than 'overall', got {key!r}")
        words = entry.get("words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ConfigError(f"{where}: words must be a list of names, got {words!r}")
        items.append(NeedFitItem(key, _typed(entry, "zh", str, where, required=True),
                                 _typed(entry, "en", str, where, required=True), tuple(words)))
    if len({i.key for i in items}) != len(items):
        raise ConfigError("[[need_fit]]: item keys must be unique")
    return tuple(items)
