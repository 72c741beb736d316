"""What the user asked for, as data: the parser's output and the commands' input."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ContactInfo:
    name: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Register:
    customer: str | None
    contacts: tuple[ContactInfo, ...] = ()
    need: str | None = None
    budget: Decimal | None = None
    currency: str | None = None
    expected_close: date | None = None
    source: str | None = None
    industry: str | None = None


@dataclass(frozen=True)
class FollowUp:
    ref: str  # an opportunity ID, or a customer name unique among the rep's opportunities
    content: str
    channel: str | None = None
    next_action: str | None = None
    next_action_date: date | None = None


@dataclass(frozen=True)
class Show:
    ref: str


@dataclass(frozen=True)
class MyOpportunities:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class NotUnderstood:
    """`intent` is what was recognised (None: nothing); `missing` names what the message lacked."""

    intent: str | None = None
    missing: str | None = None


Intent = Register | FollowUp | Show | MyOpportunities | Help | NotUnderstood
