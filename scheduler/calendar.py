"""Team-local time: which day it is for a team (working days and holidays grow here, issue 5)."""
from __future__ import annotations

from datetime import date, datetime

from domain.config import Config, Team


def team_today(now: datetime, config: Config, team: Team | None) -> date:
    return now.astimezone(config.timezone_of(team)).date()
