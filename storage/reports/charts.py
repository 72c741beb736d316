"""Charts as PNG for where people look rather than read — the digest's funnel, and the chat's stage conversion,
forecast against target, lost reasons and source quality (matplotlib, Agg; Noto Sans CJK SC from mplfonts, so
Chinese labels render on a machine with no CJK font installed)."""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from importlib import resources



@lru_cache(maxsize=1)
def _matplotlib():
    """Loaded with the first chart: a third of a second on every start of a command that draws none."""
    import matplotlib
    matplotlib.use("Agg")  # no display anywhere the bot runs
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    return font_manager, Figure


def _figure(**kwargs):
    return _matplotlib()[1](**kwargs)


@lru_cache(maxsize=1)
def cjk_font():
    path = resources.files("mplfonts").joinpath("fonts/NotoSansCJKsc-Regular.otf")
    return _matplotlib()[0].FontProperties(fname=str(path))


def funnel_png(title: str, rows: list[tuple[str, int, str]]) -> bytes:
    """rows: (stage label, count, amount label), widest stage first; one bar per stage, centred like a funnel."""
    font = cjk_font()
    fig = _figure(figsize=(6.4, 1.1 + 0.7 * len(rows)), dpi=100)
    ax = fig.subplots()
    widest = max((count for _, count, _ in rows), default=0) or 1
    for i, (label, count, amount) in enumerate(rows):
        y = len(rows) - 1 - i
        width = max(count / widest, 0.04)
        ax.barh(y, width, left=(1 - width) / 2, height=0.7, color=("#2f6fde", "#4a86e8", "#6fa0ee", "#9abcf3")[i % 4])
        ax.text(0.5, y, f"{label}  {count}  {amount}", ha="center", va="center", fontproperties=font, fontsize=12,
                color="black")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.axis("off")
    ax.set_title(title, fontproperties=font, fontsize=14)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def bars_png(title: str, rows: list[tuple[str, float, str]], *, color: str = "#2f6fde") -> bytes:
    """rows: (label, value, the figure to print beside the bar), top to bottom; bars scaled to the largest."""
    font = cjk_font()
    fig = _figure(figsize=(6.4, 1.1 + 0.55 * max(len(rows), 1)), dpi=100)
    ax = fig.subplots()
    top = max((v for _, v, _ in rows), default=0) or 1
    for i, (label, value, text) in enumerate(rows):
        y = len(rows) - 1 - i
        ax.barh(y, max(value / top, 0.005), height=0.6, color=color)
        ax.text(max(value / top, 0.005) + 0.02, y, text, va="center", fontproperties=font, fontsize=11)
    ax.set_yticks(range(len(rows)), [label for label, _, _ in reversed(rows)], fontproperties=font, fontsize=11)
    ax.set_xlim(0, 1.45)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, fontproperties=font, fontsize=14)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()
