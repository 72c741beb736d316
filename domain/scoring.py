"""Health score (三维度评估模型), always returned with its breakdown so the bot can show how it was made."""
from __future__ import annotations

from dataclasses import dataclass

from domain.needfit import need_fit_average

# SPEC: decision-chain coverage 30% — decision maker 50%, influencer 30%, user 20%.
CHAIN_POINTS = {"decision_maker": 15, "influencer": 9, "user": 6}


@dataclass(frozen=True)
class Score:
    need_fit: int  # 0..40
    decision_chain: int  # 0..30
    budget: int  # 0..30

    @property
    def total(self) -> int:
        return self.need_fit + self.decision_chain + self.budget


def score(*, need_fit_items: dict[str, int], contact_roles: list[str], budget_stated: bool,
          budget_approved: bool = False, in_annual_plan: bool = False) -> Score:
    """SPEC weights: need fit 40 (average of the 0–10 items rated, or the overall rating), chain 30, budget 30 (+10 stated, +15 approved, +5 plan)."""
    average = need_fit_average(need_fit_items)
    need = round(average * 4) if average is not None else 0
    chain = sum(CHAIN_POINTS[r] for r in set(contact_roles) if r in CHAIN_POINTS)
    budget = (10 if budget_stated else 0) + (15 if budget_approved else 0) + (5 if in_annual_plan else 0)
    return Score(need_fit=need, decision_chain=chain, budget=budget)
