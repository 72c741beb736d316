"""Customer protection (保护期) policy: how long a registration keeps its customer from other reps (SPEC 防撞单,
公海). Handlers extend it; the scheduler warns and releases."""
from __future__ import annotations

from datetime import date, timedelta

EXTENSION_DAYS = 30  # each follow-up extends protection by 30 days …
CAP_DAYS = 180  # … up to 180 days from registration
WARNING_DAYS = 7  # the owner is warned a week before the customer goes to the pool
CLAIM_COOLDOWN_DAYS = 7  # the rep who let it lapse waits this long before claiming it back


def extended(until: date, *, at_least: date, registered: date) -> date:
    """Protection never shrinks, and never runs past the cap however often it is extended."""
    return min(max(until, at_least), registered + timedelta(days=CAP_DAYS))
