"""Which front end delivers an outbox row: the first configured one that can reach its address."""
from __future__ import annotations


class Router:
    """Senders in order of preference (WeCom before Slack: a member with both ids gets pushes where they work, and
    a team's group robot, when it has one, takes its group chat)."""

    def __init__(self, *senders):
        self.senders = senders

    def __call__(self, row) -> None:
        route = row.route or {}
        if route.get("platform"):  # a reply goes back to the platform it came from
            able = [send for send in self.senders if send.platform == route["platform"]]
        else:  # a deal room lives where its owner (`via`) is reached
            able = [send for send in self.senders if send.reaches(route.get("via") or row.to)]
        if not able:
            raise LookupError(f"no front end reaches {row.to}: no slack or wecom id, or no robot for the group chat")
        able[0](row)
