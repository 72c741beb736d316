"""SQLAlchemy 2 typed models: everything the bot remembers. Nothing is hard-deleted."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Numeric, String, Text,
                        UniqueConstraint, types)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(types.TypeDecorator):
    """Stored as naive UTC on every backend, read back timezone-aware (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, Decimal: Numeric(18, 2)}


class OrgSettings(Base):
    __tablename__ = "org_settings"
    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    holidays: Mapped[str] = mapped_column(String(16))
    protection_days: Mapped[int]
    registration_review: Mapped[bool] = mapped_column(Boolean)


class Team(Base):
    __tablename__ = "teams"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    region: Mapped[str] = mapped_column(String(8))
    manager_id: Mapped[str | None] = mapped_column(String(64))
    group_chat: Mapped[str | None] = mapped_column(String(200))
    digest_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(64))


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    team_name: Mapped[str | None] = mapped_column(ForeignKey("teams.name"))
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PlatformIdentity(Base):
    __tablename__ = "platform_identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # slack | wecom
    external_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    normalized_name: Mapped[str] = mapped_column(String(300), index=True)
    created_at: Mapped[datetime]
    aliases: Mapped[list[CustomerAlias]] = relationship(back_populates="customer")


class CustomerAlias(Base):
    __tablename__ = "customer_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    alias: Mapped[str] = mapped_column(String(300))
    normalized_alias: Mapped[str] = mapped_column(String(300), index=True)
    added_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]
    customer: Mapped[Customer] = relationship(back_populates="aliases")


class IdSequence(Base):
    """Per year-and-region counter behind `YYYY-REGION-NNN`; bumped by one atomic upsert."""

    __tablename__ = "id_sequences"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int]


class Opportunity(Base):
    __tablename__ = "opportunities"
    # Not (status, …): status is one value for most rows, and SQLite's planner would pick it over customer_id.
    __table_args__ = (Index("ix_opportunities_due", "follow_up_due"), Index("ix_opportunities_created_at", "created_at"),
                      Index("ix_opportunities_closed_at", "closed_at"),
                      Index("ix_opportunities_expected_close", "expected_close"),
                      Index("ix_opportunities_risk_stage", "risk_stage"))
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    team_name: Mapped[str] = mapped_column(ForeignKey("teams.name"))
    region: Mapped[str] = mapped_column(String(8))
    stage: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    need: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    budget_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    in_annual_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_close: Mapped[date | None]
    source: Mapped[str | None] = mapped_column(String(16))
    industry: Mapped[str | None] = mapped_column(String(100))
    need_fit: Mapped[dict[str, Any]] = mapped_column(default=dict)  # item → 0..10
    score: Mapped[int] = mapped_column(default=0)
    protected_until: Mapped[date | None]
    flag: Mapped[str | None] = mapped_column(String(32))
    matched_id: Mapped[str | None] = mapped_column(String(32))
    next_action: Mapped[str | None] = mapped_column(Text)
    next_action_date: Mapped[date | None]
    follow_up_due: Mapped[date | None]  # earlier of cadence date and next action date; indexed for the scan
    requested_stage: Mapped[str | None] = mapped_column(String(16))  # waiting for the manager (score 60–80)
    snoozed_until: Mapped[date | None]  # the rep paused reminders for a known reason (暂停)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    stage_entered_at: Mapped[datetime | None]  # when it entered its current stage (dwell risk)
    risk_stage: Mapped[str | None] = mapped_column(String(16))  # the stage stay a dwell-risk alert was sent for
    reviewed_at: Mapped[datetime | None]  # 复盘 done
    review: Mapped[str | None] = mapped_column(Text)
    reminded_due: Mapped[date | None]  # the due date the owner was reminded of: an hourly pass reads only new work
    second_due: Mapped[date | None]  # … and reminded of a second time
    escalated_due: Mapped[date | None]  # the due date a manager was last told about (僵尸商机), so once per due date
    previous_owner_id: Mapped[str | None] = mapped_column(String(64))  # who let it go to the public pool
    released_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(String(32))
    competitor: Mapped[str | None] = mapped_column(String(200))
    close_note: Mapped[str | None] = mapped_column(Text)  # lost detail or invalid reason, as the rep wrote it
    # 丢单分析表 beyond reason and competitor: {"real_reason": …, "weakness": …} as the rep wrote them
    loss_analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_touch_at: Mapped[datetime]
    customer: Mapped[Customer] = relationship(lazy="joined")
    contacts: Mapped[list[Contact]] = relationship(order_by="Contact.id")
    follow_ups: Mapped[list[FollowUp]] = relationship(order_by="FollowUp.id")
    stage_history: Mapped[list[StageChange]] = relationship(order_by="StageChange.id")


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # decision_maker | influencer | user
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    customer: Mapped[Customer] = relationship()


class FollowUp(Base):
    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str | None] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    next_action: Mapped[str | None] = mapped_column(Text)
    next_action_date: Mapped[date | None]
    risks: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"words": [...]}: cycle-extension signals


class StageChange(Base):
    __tablename__ = "stage_history"
    __table_args__ = (Index("ix_stage_history_at", "at"), Index("ix_stage_history_left_at", "left_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)
    at: Mapped[datetime]
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    left_at: Mapped[datetime | None]  # when the next change ended this stay (reports: days in each stage)
    left_to: Mapped[str | None] = mapped_column(String(16))  # … and the stage it went to (stage conversion)


class Conflict(Base):
    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    customer: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(16))  # conflict | possible | mine
    matched_id: Mapped[str | None] = mapped_column(ForeignKey("opportunities.id"))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    signal: Mapped[str | None] = mapped_column(String(16))  # what matched: exact, core, pinyin, phone…
    override: Mapped[str | None] = mapped_column(String(16))  # requested | reassigned | shared | rejected
    decided_by: Mapped[str | None] = mapped_column(String(64))


class MatchKey(Base):
    """The candidate index of 查重: a customer filed under its name keys, n-grams, pinyin, phones and emails."""

    __tablename__ = "match_keys"
    __table_args__ = (Index("ix_match_keys_key_customer", "key", "customer_id"),)  # counts read the index alone
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    key: Mapped[str] = mapped_column(String(300))


class IndexState(Base):
    """Which version of the matching rules the stored index was built with."""

    __tablename__ = "index_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))


class ProtectedKey(Base):
    """One row per protected customer core name: the database itself refuses a second owner (SPEC race-free)."""

    __tablename__ = "protected_keys"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)


class OpportunityShare(Base):
    """A manager's override that shares an opportunity: the rep works it alongside the owner."""

    __tablename__ = "opportunity_shares"
    __table_args__ = (UniqueConstraint("opportunity_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(64))


class SupportRequest(Base):
    """Seed 001 五(二) 跨部门协作: a rep asks presales or customer success for help on one opportunity."""

    __tablename__ = "support_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # presales | cs
    what: Mapped[str] = mapped_column(Text)
    needed_by: Mapped[date | None]
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # requested | accepted | refused
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # why it was refused
    rating: Mapped[int | None]  # the rep's 0–10 for the support (评价 ID 9)
    support_rating: Mapped[int | None]  # the supporter's 0–10 for the collaboration


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message: Mapped[str | None] = mapped_column(Text)  # the chat message the change came from


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unsent", "sent_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    to: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[list | None] = mapped_column(JSON(none_as_null=True))  # domain.actions: buttons where the platform has them
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]  # after a failed send: back off until then
    failed_at: Mapped[datetime | None]  # gave up after MAX_ATTEMPTS; kept for the record
    route: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # a reply: where on its platform it goes
    card: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # a reply's opportunity card
    parts_sent: Mapped[int] = mapped_column(default=0, server_default="0")  # a message sent in parts: how many went
    in_flight_since: Mapped[datetime | None]  # claimed and being sent; still set at the next claim: its sender died
    handled_by: Mapped[str | None] = mapped_column(String(64))  # acted on from its buttons: by whom, when, what
    handled_at: Mapped[datetime | None]
    handled_note: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))  # an attached spreadsheet (导出)
    file_data: Mapped[str | None] = mapped_column(Text)  # … as a data URI


class DirectoryLookup(Base):
    """A platform id found by e-mail or mobile (storage.directory); external_id None: not found when checked."""

    __tablename__ = "directory_lookups"
    __table_args__ = (UniqueConstraint("platform", "lookup"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    lookup: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime]


class DealRoom(Base):
    """A big opportunity's private room on one platform (storage.rooms)."""

    __tablename__ = "deal_rooms"
    __table_args__ = (UniqueConstraint("opportunity_id", "platform"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"))
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class JobMark(Base):
    """A once-a-day job that ran on `day` (storage.marks)."""

    __tablename__ = "job_marks"
    __table_args__ = (UniqueConstraint("job", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    day: Mapped[date]
    done_at: Mapped[datetime]


class InboundEvent(Base):
    """Platform event ids already handled: a retried delivery is dropped by the unique constraint."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime]


class DialogState(Base):
    """A half-built command waiting for the user's next message (slot filling); never an opportunity."""

    __tablename__ = "dialog_states"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    intent: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ApiToken(Base):
    """A platform access token shared by every process (WeCom allows few fetches and revokes older tokens)."""

    __tablename__ = "api_tokens"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)  # None: the row exists to be locked, no token fetched yet
    expires_at: Mapped[datetime | None]


class ForecastSnapshot(Base):
    """A team's forecast of one month as it stood on one day: won so far + Σ amount × win % (the default stage
    figures, and the team's learned ones), so the month's end can say how far off the forecast 30 days out was."""

    __tablename__ = "forecast_snapshots"
    __table_args__ = (UniqueConstraint("team_name", "day", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_name: Mapped[str] = mapped_column(String(100))
    day: Mapped[date]
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    won: Mapped[Decimal]
    weighted: Mapped[Decimal]
    learned: Mapped[Decimal]
    open_deals: Mapped[int]
    taken_at: Mapped[datetime]
