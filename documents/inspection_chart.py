"""The inspection's summary as a picture, for the leading group reading it on a phone: per
checklist item, the units checked and those where a problem was found; and the cycle's totals
(problems, workers struck off, subsidies stopped, posts cut from the quota)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from documents.charts import new_figure, png


def inspection_chart(
    *,
    title: str,
    items: Sequence[tuple[str, int, int]],
    totals: Sequence[tuple[str, int]],
    legend: tuple[str, str],
    headings: tuple[str, str],
    font: str | None,
) -> bytes:
    """``items``: (item's name, units checked, units with a problem); ``totals``: (label,
    count); ``legend``: the names of the two bars; ``headings``: the two panels' titles. Every
    text is already in the reader's language, drawn with ``font``
    (documents.charts.cjk_font)."""
    figure = new_figure(11, 5)
    by_item, summed = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    places = list(range(len(items)))
    checked = [c for _, c, _ in items]
    problems = [p for _, _, p in items]
    by_item.bar([x - 0.2 for x in places], checked, width=0.4, color="#5bc0de", label=legend[0])
    by_item.bar([x + 0.2 for x in places], problems, width=0.4, color="#d9534f", label=legend[1])
    by_item.set_xticks(places, [name for name, _, _ in items], fontsize=8)
    by_item.legend(fontsize=8)
    _counted(by_item, headings[0])
    summed.bar([label for label, _ in totals], [n for _, n in totals], color="#f0ad4e")
    for i, (_, n) in enumerate(totals):
        summed.annotate(str(n), (i, n), ha="center", va="bottom", fontsize=8)
    summed.tick_params(axis="x", labelsize=8)
    _counted(summed, headings[1])
    figure.suptitle(title, fontsize=11)
    if font:
        for text in figure.findobj(match=lambda o: hasattr(o, "set_fontfamily")):
            text.set_fontfamily(font)
    return png(figure)


def _counted(axis: Any, heading: str) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # units and people are counted
    axis.set_title(heading, fontsize=10)
