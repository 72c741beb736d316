"""Decision-chain role from a job title: the keyword lists are data so teams can tune them."""

DECISION_MAKER_WORDS = (
    "总经理", "总裁", "董事", "总监", "副总", "老板", "负责人", "首席", "厂长", "局长", "院长", "校长",
    "ceo", "cto", "cfo", "cio", "coo", "vp", "vice president", "president", "director", "head of", "owner", "founder",
)
INFLUENCER_WORDS = ("经理", "主管", "主任", "组长", "架构师", "manager", "lead", "supervisor", "architect")

ROLES = ("decision_maker", "influencer", "user")


def role_for_title(title: str | None) -> str:
    """Decision makers first: 总经理 also contains 经理."""
    t = (title or "").lower()
    if any(w in t for w in DECISION_MAKER_WORDS):
        return "decision_maker"
    if any(w in t for w in INFLUENCER_WORDS):
        return "influencer"
    return "user"
