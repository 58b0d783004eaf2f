"""The centre's figures (domain.figures) as a spreadsheet and as a chart (PNG).

The spreadsheet has one row for the whole county, then one per office and one per unit, each
rate as a percentage with its count beside it (「3/4」), so nobody reads 100% off one case; a
unit with fewer ratings than domain.figures.MIN_RATINGS says so instead of a rank. The chart has
four panels: received by channel and by category, the county's rates, and each unit's
satisfaction (the units with too few ratings greyed and marked).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from documents.charts import new_figure, png
from documents.tables import xlsx_bytes
from domain import figures as defs
from domain.complaints import BY_KEY, OFFICES
from messages.i18n import N_, Translator
from messages.style import date_text

Translate = Translator

HEADER = (
    N_("Counted for"),
    N_("Received"),
    N_("Response rate (响应率)"),
    N_("On time (按期办结率)"),
    N_("Resolved (解决率)"),
    N_("Satisfied (满意率)"),
    N_("Mean rating"),
    N_("Ratings"),
    N_("Followed up (回访率)"),
    N_("Days to acceptance"),
    N_("Days to conclusion"),
    N_("Returns (退单)"),
    N_("Hours bouncing"),
    N_("Appeals (复查/复核)"),
    N_("Rank"),
)
TOO_FEW = N_("fewer than {n} ratings: not ranked")
ALL = N_("The whole county")
TITLE = N_("Hotline figures, {first} to {last} (as of {as_of})")
NOTES = (
    N_(
        "Response rate: accepted or rejected by the acceptance day, of the complaints due to "
        "be answered by now."
    ),
    N_(
        "On time: concluded by the conclusion day, of the accepted cases due by now; a case "
        "still open past its day counts as late."
    ),
    N_(
        "Resolved: substantiated findings acted upon (a serious case's handling opinion "
        "decided a consequence; another case's opinion was recorded)."
    ),
    N_("Satisfied: ratings of 4 or 5. Followed up: closed complaints whose complainant rated."),
)


def percent(rate: defs.Rate) -> str:
    return "—" if rate.value is None else f"{rate.value:.0%} ({rate.done}/{rate.of})"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def group_name(t: Translate, kind: str, name: str) -> str:
    if kind == "office":
        return t(OFFICES[name]) if name in OFFICES else name
    return name or t(ALL)


def figures_lines(t: Translate, report: defs.Report) -> list[list[str]]:
    lines = [[t(h) for h in HEADER]]
    groups = [("all", report.total)]
    groups += [("office", f) for f in report.offices] + [("unit", f) for f in report.units]
    rank = 0
    for kind, fig in groups:
        if kind == "unit" and fig.ranked:
            rank += 1
        shown_rank = str(rank) if kind == "unit" and fig.ranked else t(TOO_FEW, n=defs.MIN_RATINGS)
        lines.append(
            [
                group_name(t, kind, fig.name),
                str(fig.received),
                percent(fig.response),
                percent(fig.on_time),
                percent(fig.resolved),
                percent(fig.satisfied),
                _number(fig.mean_rating),
                str(fig.ratings),
                percent(fig.followed_up),
                _number(fig.days_to_accept),
                _number(fig.days_to_conclude),
                str(fig.returns),
                f"{fig.bouncing.total_seconds() / 3600:.1f}",
                "、".join(f"{k} {v}" for k, v in sorted(fig.appeals.items())) or "0",
                shown_rank if kind == "unit" else "",
            ]
        )
    lines.append([])
    lines.append([t(N_("Channel")), t(N_("Received"))])
    for channel, count in sorted(report.total.by_channel.items()):
        lines.append([t(defs.CHANNEL_NAMES.get(channel, channel)), str(count)])
    lines.append([t(N_("Category")), t(N_("Received"))])
    for category, count in sorted(report.total.by_category.items()):
        lines.append([t(BY_KEY[category].label) if category in BY_KEY else category, str(count)])
    return lines


def title(t: Translate, report: defs.Report) -> str:
    return t(
        TITLE,
        first=date_text(t, report.first, weekday=False),
        last=date_text(t, report.last, weekday=False),
        as_of=date_text(t, report.as_of, weekday=False),
    )


def figures_xlsx(t: Translate, report: defs.Report) -> bytes:
    return xlsx_bytes(
        figures_lines(t, report),
        sheet=t(N_("Figures")),
        title=title(t, report),
        notes=[t(note) for note in NOTES],
        widths=(24, 8, 16, 16, 16, 16, 10, 8, 16, 10, 10, 8, 10, 16, 22),
    )


RATES = (
    ("response", N_("response")),
    ("on_time", N_("on time")),
    ("resolved", N_("resolved")),
    ("satisfied", N_("satisfied")),
    ("followed_up", N_("followed up")),
)
CHART_CHANNELS = N_("Received by channel")
CHART_CATEGORIES = N_("Received by category")
CHART_RATES = N_("The county's rates (%)")
CHART_UNITS = N_("Satisfaction per unit (%); grey: fewer than {n} ratings")


def figures_chart(
    t: Translate, report: defs.Report, *, font: str | None, max_units: int = 30
) -> bytes:
    """Four panels as one PNG, in ``t``'s language drawn with ``font``
    (documents.charts.cjk_font); without a Chinese font the caller passes an English ``t``,
    and units are named by number."""
    total = report.total
    figure = new_figure(11, 8.5)
    (channels, categories), (rates, satisfaction) = figure.subplots(2, 2)
    _bars(
        channels,
        [t(defs.CHANNEL_NAMES.get(k, k)) for k in total.by_channel],
        list(total.by_channel.values()),
        t(CHART_CHANNELS),
    )
    _bars(
        categories,
        [t(BY_KEY[k].label) if k in BY_KEY else k for k in total.by_category],
        list(total.by_category.values()),
        t(CHART_CATEGORIES),
    )
    shown = [getattr(total, key) for key, _ in RATES]
    rates.bar([t(label) for _, label in RATES], [100 * (r.value or 0) for r in shown])
    rates.set_ylim(0, 110)
    for i, rate in enumerate(shown):
        rates.annotate(
            percent(rate), (i, 100 * (rate.value or 0)), ha="center", va="bottom", fontsize=7
        )
    rates.set_title(t(CHART_RATES), fontsize=10)
    rates.tick_params(axis="x", labelsize=8)
    units = report.units[:max_units][::-1]
    satisfaction.barh(
        range(len(units)),
        [100 * (u.satisfied.value or 0) for u in units],
        color=["#5cb85c" if u.ranked else "#cccccc" for u in units],
    )
    names = [u.name if font else f"#{len(units) - i}" for i, u in enumerate(units)]
    satisfaction.set_yticks(list(range(len(units))), names, fontsize=7)
    satisfaction.set_xlim(0, 115)
    for i, unit in enumerate(units):  # the count beside each bar: 2 ratings are not a rate
        value = 100 * (unit.satisfied.value or 0)
        satisfaction.annotate(percent(unit.satisfied), (value, i), va="center", fontsize=6)
    satisfaction.set_title(t(CHART_UNITS, n=defs.MIN_RATINGS), fontsize=10)
    figure.suptitle(title(t, report), fontsize=11)
    if font:
        for text in figure.findobj(match=lambda o: hasattr(o, "set_fontfamily")):
            text.set_fontfamily(font)
    return png(figure)


def _bars(axis: Any, labels: Sequence[str], values: Sequence[int], heading: str) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.bar(list(labels), list(values), color="#f0ad4e")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # complaints are counted
    axis.set_title(heading, fontsize=10)
    axis.tick_params(axis="x", labelsize=7, labelrotation=25)
    for label in axis.get_xticklabels():
        label.set_horizontalalignment("right")
