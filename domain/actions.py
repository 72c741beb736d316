"""The buttons a message offers. Each is (label, the command a click runs as the clicker, the form a platform may
open first or None, the opportunity it is about): a click and a typed reply are the same command, checked against
the clicker's role when it runs. Here, below handlers and scheduler, because requests (handlers) and reminders
(scheduler) both offer them."""
from __future__ import annotations

Action = tuple[str, str, str | None, str]
FORMS = ("follow_up", "snooze")  # a platform with forms asks for the rest there; elsewhere the command asks


def decision_actions(opp_id: str, lang: str, *, share: bool = False) -> tuple[Action, ...]:
    """The answers an approval request offers."""
    if lang == "zh":
        shown = [("同意", f"同意 {opp_id}"), *([("同意并共享", f"同意 {opp_id} 共享")] if share else []),
                 ("驳回", f"驳回 {opp_id}")]
    else:
        shown = [("Approve", f"approve {opp_id}"), *([("Approve, share", f"approve {opp_id} share")] if share else []),
                 ("Reject", f"reject {opp_id}")]
    return tuple((label, command, None, opp_id) for label, command in shown)


def reminder_actions(opp_id: str, lang: str) -> tuple[Action, ...]:
    """What a reminder or an escalation offers about one opportunity: log the follow-up, snooze it, look at it."""
    if lang == "zh":
        return (("记录跟进", f"跟进 {opp_id}", "follow_up", opp_id), ("暂停", f"暂停 {opp_id}", "snooze", opp_id),
                ("查看", f"查看 {opp_id}", None, opp_id))
    return (("Log follow-up", f"follow up {opp_id}", "follow_up", opp_id),
            ("Snooze", f"snooze {opp_id}", "snooze", opp_id), ("Show", f"show {opp_id}", None, opp_id))


def normalized(action) -> Action:
    """An action as stored before forms and subjects existed ([label, command]) reads as one without them."""
    label, command, *rest = action
    return label, command, (rest[0] if rest else None), (rest[1] if len(rest) > 1 else "")


def by_subject(actions) -> dict[str, list[Action]]:
    """The actions grouped by the opportunity they are about, in order: one group for a reminder, one per listed
    opportunity for an escalation."""
    groups: dict[str, list[Action]] = {}
    for action in map(normalized, actions or ()):
        groups.setdefault(action[3], []).append(action)
    return groups
