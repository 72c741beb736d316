"""The need-fit items of seed 001's 需求确认单: need fit (40% of the score) is the average of these, each 0–10.

The seed names ten items without listing them. These defaults are what a B2B software deal is usually checked
against; an org lists its own in the config (`[[need_fit]]`), which replaces them."""
from __future__ import annotations

from dataclasses import dataclass

OVERALL = "overall"  # the single 0–10 rating a follow-up gives (需求匹配度 8), used until items are rated


@dataclass(frozen=True)
class NeedFitItem:
    key: str
    zh: str
    en: str
    words: tuple[str, ...] = ()  # other names a rep may type for it

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def called(self, label: str) -> bool:
        said = label.strip().lower()
        return said in {self.key, self.zh.lower(), self.en.lower(), *(w.lower() for w in self.words)}


DEFAULT_ITEMS = (
    NeedFitItem("features", "功能匹配", "features", ("功能", "functional fit", "functionality")),
    NeedFitItem("pain", "痛点覆盖", "pain points", ("痛点", "pain")),
    NeedFitItem("integration", "系统集成", "integration", ("集成", "对接", "integrations")),
    NeedFitItem("scale", "性能规模", "scale", ("性能", "规模", "performance")),
    NeedFitItem("security", "安全合规", "security", ("安全", "合规", "compliance")),
    NeedFitItem("timeline", "实施周期", "timeline", ("周期", "上线时间", "implementation")),
    NeedFitItem("usability", "易用性", "usability", ("易用", "ease of use", "ux")),
    NeedFitItem("customisation", "定制能力", "customisation", ("定制", "customization", "custom")),
    NeedFitItem("support", "服务支持", "support", ("服务", "售后", "service")),
    NeedFitItem("price", "价格匹配", "price fit", ("价格", "价格带", "price", "pricing")),
)


def need_fit_average(rated: dict[str, int]) -> float | None:
    """The items rated, averaged; the overall rating only when no item is (SPEC: the average of the items)."""
    items = [min(max(v, 0), 10) for k, v in rated.items() if k != OVERALL]
    if not items and OVERALL in rated:
        items = [min(max(rated[OVERALL], 0), 10)]
    return sum(items) / len(items) if items else None
