"""Stage machine data: names, Chinese names, default win probabilities (SPEC: The life of an opportunity)."""

STAGES = ("discovery", "qualification", "proposal", "negotiation", "closed")

STAGE_ZH = {
    "discovery": "商机发现",
    "qualification": "需求确认",
    "proposal": "方案推进",
    "negotiation": "商务成交",
    "closed": "归档",
}

DEFAULT_WIN_PERCENT = {"discovery": 10, "qualification": 40, "proposal": 60, "negotiation": 80}

STATUSES = ("pending", "open", "won", "lost", "invalid", "public")

# SPEC: minimum follow-up cadence by stage, in days (proposal: twice a week).
CADENCE_DAYS = {"discovery": 7, "qualification": 3, "proposal": 3, "negotiation": 2}

SOURCES = ("website", "exhibition", "referral", "wechat", "phone", "ad", "partner", "other")

FOLLOW_UP_CHANNELS = ("phone", "visit", "wechat", "email", "meeting", "demo")
