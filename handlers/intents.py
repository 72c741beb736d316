"""What the user asked for, as data: the parser's output and the commands' input."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ContactInfo:
    name: str | None = None
    title: str | None = None
    phone: str | None = None  # normalised: digits, '+' first for international
    email: str | None = None


@dataclass(frozen=True)
class Register:
    customer: str | None = None
    contacts: tuple[ContactInfo, ...] = ()
    need: str | None = None
    budget: Decimal | None = None
    currency: str | None = None
    expected_close: date | None = None
    source: str | None = None  # website | exhibition | referral | wechat | phone | ad | partner | other
    industry: str | None = None
    unread: tuple[tuple[str, str], ...] = ()  # (field, text) labelled but not understood: 预算 五十万万
    unsure: tuple[str, ...] = ()  # fields read from a weak signal: the bot asks before it stores them


@dataclass(frozen=True)
class FollowUp:
    ref: str  # an opportunity ID, or a customer name unique among the rep's opportunities
    content: str
    channel: str | None = None  # phone | visit | wechat | email | meeting | demo
    next_action: str | None = None
    next_action_date: date | None = None
    budget: Decimal | None = None  # SPEC: a follow-up may update the fields it mentions
    currency: str | None = None
    budget_approved: bool = False
    in_annual_plan: bool = False
    need_fit: int | None = None  # the rep's 0–10 rating of how well our offer fits the need
    risks: tuple[str, ...] = ()  # cycle-extension signals found in the text (内部讨论, 预算冻结, competitor…)
    contacts: tuple[ContactInfo, ...] = ()  # people newly met: 见了他们CFO张伟 / new stakeholder Lisa Wong (Head of Data)


@dataclass(frozen=True)
class Advance:
    ref: str
    stage: str | None = None  # None: the next stage
    skip: bool = False  # 跳过 / skip: a manager moves it past the gates, recorded as such
    fill: Register | None = None  # the fields a gate asked for, answered in the next message


@dataclass(frozen=True)
class Back:
    """退回 ID 到 需求确认 原因 … / back ID to qualification because …"""
    ref: str
    stage: str | None = None  # None: the stage before
    reason: str | None = None


@dataclass(frozen=True)
class Won:
    ref: str
    amount: Decimal | None = None
    currency: str | None = None
    close_date: date | None = None


@dataclass(frozen=True)
class Lost:
    ref: str
    reason: str | None = None  # competitor_price | need_changed | decision_maker_changed | internal_resources | other
    competitor: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Invalid:
    ref: str
    reason: str | None = None


@dataclass(frozen=True)
class Claim:
    ref: str


@dataclass(frozen=True)
class Decide:
    """A manager's answer to an approval request: 同意 / 驳回 ID."""

    ref: str
    approve: bool
    note: str | None = None


@dataclass(frozen=True)
class Review:
    """复盘 ID …: the review of a won or lost opportunity (success points, or why it was lost)."""

    ref: str
    text: str | None = None


@dataclass(frozen=True)
class Snooze:
    """暂停 ID 到 12月1日 原因 客户预算冻结: no reminders until then, for a reason the manager can see."""

    ref: str
    until: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Override:
    """After a conflict: the rep asks the managers to hand the customer over (or share it)."""

    note: str | None = None


@dataclass(frozen=True)
class AddAlias:
    """别名 腾讯 = Tencent: another name the customer goes by, matched like its own."""

    ref: str
    alias: str


@dataclass(frozen=True)
class Edit:
    """修改 ID 预算 60万 / change ID close date to Feb 1: one registration field corrected after the fact."""
    ref: str
    field: str | None  # customer | budget | currency | expected_close | source | industry | need | contact; None: unnamed
    value: object = None  # read as the field's type (Decimal, date, str, ContactInfo); None when unreadable
    currency: str | None = None  # with a budget
    raw: str = ""  # the value as typed, for the answer when it cannot be read


@dataclass(frozen=True)
class SetContact:
    """联系人 ID 姓名 职位 电话 [决策者|影响者|使用者]: a person of the decision chain added, or corrected by name."""
    ref: str
    contact: ContactInfo
    role: str | None = None  # decision_maker | influencer | user, when said; else from the title


@dataclass(frozen=True)
class Rate:
    """评分 ID 功能匹配 8 集成 6 / score ID features 8 integration 6: the need-fit items, 0–10 each."""
    ref: str
    ratings: tuple[tuple[str, int], ...] = ()  # (the item as typed, 0–10)


@dataclass(frozen=True)
class LossAnalysis:
    """The rest of seed 001's 丢单分析表, answered after 输单: the competitor, the real reason, our weakness."""
    ref: str
    competitor: str | None = None
    real_reason: str | None = None
    weakness: str | None = None


@dataclass(frozen=True)
class AskSupport:
    """申请支持 ID 售前 方案演示 11月20日前 / request support ID presales demo by Nov 20"""
    ref: str
    kind: str | None = None  # presales | cs
    what: str = ""
    by: date | None = None


@dataclass(frozen=True)
class AnswerSupport:
    """接受 ID / 拒绝 ID 原因 … from presales or customer success."""
    ref: str
    accept: bool
    reason: str | None = None


@dataclass(frozen=True)
class RateSupport:
    """评价 ID 9 / rate support ID 9: both sides rate a finished collaboration."""
    ref: str
    rating: int | None = None


@dataclass(frozen=True)
class History:
    """历史 ID / history ID: the audit trail of one opportunity."""
    ref: str


@dataclass(frozen=True)
class Query:
    what: str  # mine | team | due_this_week | funnel | forecast | a metric of storage.reports.METRICS
    period: str | None = None  # a storage.reports.periods key: month | last_quarter | 2026-Q3 | …
    cuts: tuple[tuple[str, str], ...] = ()  # (team | industry | source | owner, value)
    unread: str | None = None  # words after the question that were not understood


@dataclass(frozen=True)
class Dashboard:
    """看板 / dashboard: a signed link to the 数据看板."""


@dataclass(frozen=True)
class Show:
    ref: str


@dataclass(frozen=True)
class ExportList:
    """导出 我的商机 / export team pipeline: the list the asker may see, as an .xlsx attached to the answer."""

    what: str = "mine"  # mine | team


@dataclass(frozen=True)
class ConfirmImport:
    """确认导入 / confirm import, after a spreadsheet sent in chat was previewed: the file waits in the dialog state."""

    name: str
    content: str  # the file, base64


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class NotUnderstood:
    """`intent` is what was recognised (None: nothing); `missing` names what the message lacked."""

    intent: str | None = None
    missing: str | None = None
    ref: str | None = None  # the opportunity it was about, when that was understood (跟进 ID with nothing after)


Intent = (Register | FollowUp | Edit | SetContact | Rate | LossAnalysis | AskSupport | AnswerSupport | RateSupport
          | History | Advance | Back | Won | Lost | Invalid | Claim | Decide | Override | AddAlias | Snooze | Review | Query
          | Dashboard | Show | ExportList | ConfirmImport | Help | Cancel | NotUnderstood)
