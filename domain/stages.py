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

# SPEC: minimum follow-up cadence by stage, in days (proposal: twice a week).
CADENCE_DAYS = {"discovery": 7, "qualification": 3, "proposal": 3, "negotiation": 2}

OPEN_STAGES = STAGES[:-1]

# SPEC: what must be known before an opportunity may enter a stage (checked with the health score).
REQUIRED_TO_ENTER = {
    "qualification": ("industry", "budget", "expected_close", "contact"),
    "proposal": ("decision_maker",),
    "negotiation": (),
}
# SPEC: score < 60 refused, 60–80 the manager approves, > 80 advanced at once.
REFUSE_BELOW = 60
APPROVE_UP_TO = 80


def next_stage(stage: str) -> str | None:
    i = STAGES.index(stage)
    return STAGES[i + 1] if i + 1 < len(OPEN_STAGES) else None


def gate(score_total: int) -> str:
    """'refuse' | 'approval' | 'advance' for a stage advance at this health score."""
    if score_total < REFUSE_BELOW:
        return "refuse"
    return "approval" if score_total <= APPROVE_UP_TO else "advance"


# SPEC dwell risk: over 1.5× the team's average days in a stage is high risk; until a team has closed enough
# opportunities to average over, these defaults stand in.
DWELL_RISK_FACTOR = 1.5
DWELL_MIN_SAMPLES = 10
DEFAULT_DWELL_DAYS = {"discovery": 14, "qualification": 21, "proposal": 21, "negotiation": 14}
SUGGESTED_ACTION = {
    "discovery": ("约一次需求访谈，确认痛点、预算和决策人", "book a needs interview: confirm the pain, the budget and who decides"),
    "qualification": ("重新确认预算负责人和采购流程", "re-confirm the budget owner and the buying process"),
    "proposal": ("安排高层拜访，推动客户认可方案", "arrange an executive visit to get the proposal accepted"),
    "negotiation": ("明确签约时间表，尽快处理法务和商务条款", "agree a signing timeline and clear legal and commercial terms"),
}
ARCHIVE_WORKING_DAYS = 7  # SPEC: a won or lost opportunity is reviewed (复盘) within 7 working days

# SPEC / seed 001 三(三) 资源优先级队列: score over 85 and an amount over 500,000 → the director hears once, with the
# commitments: presales within 48 hours, a director's customer meeting within 7 working days.
PRIORITY_SCORE = 85
PRIORITY_AMOUNT = 500_000
PRIORITY_MEETING_WORKING_DAYS = 7
