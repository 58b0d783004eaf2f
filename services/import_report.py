"""What an import found, in words: the same lines whether the file came by CLI or in chat."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.procedure import Gap
from domain.sheet import ImportKind, RowIssue
from messages.i18n import N_, Translator
from services.procedure import gap_line

MSG_ISSUE = N_("Row {row}, column {column}: {reason}")
MSG_REFUSED = N_("{n} problems; nothing was imported.")
MSG_IGNORED = N_("Columns not used by this import were ignored: {columns}")
MSG_IMPORTED = N_("Imported {rows} rows: {created} new, {updated} updated, {unchanged} unchanged.")
MSG_ALREADY = N_("Already imported: nothing changed ({rows} rows).")
MSG_PROCEDURE_GAPS = N_(
    "⚠️ The assessment procedure (五(一)–(四)) is not fully recorded; the 公示 cannot open "
    "until it is. Record it in the bot under “Assessment procedure”, or send the procedure sheet:"
)
MSG_LATE = N_(
    "⚠️ The 公示 is already running: {n} added or changed results are published now, with a "
    "notice period of their own until {closes}; they become final only after it."
)
MSG_PROCEDURE_DONE = N_("{n} steps of the assessment procedure recorded.")
MSG_OVER_QUOTA = N_(
    "⚠️ {unit}: the quota is now {quota} posts, but {filled} posts are filled. The workers in "
    "post stay; the inspection's check of the posts against the quota will find the difference."
)


@dataclass
class ImportReport:
    """What an import did, or why it did nothing. Rows are named by number and masked name."""

    kind: ImportKind
    ok: bool
    issues: list[RowIssue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch_id: int | None = None
    already_imported: bool = False
    # A results import: the units of the file whose procedure record lacks steps, by name.
    procedure_gaps: dict[str, list[Gap]] = field(default_factory=dict)
    # Results added or changed while the 公示 runs: how many, and until when they are shown.
    late_rows: int = 0
    late_until: date | None = None
    # A units import: units whose new quota is below their filled posts, (quota, filled).
    over_quota: dict[str, tuple[int, int]] = field(default_factory=dict)


def report_lines(report: ImportReport, t: Translator) -> list[str]:
    """Every bad cell on its own line, then what was done (or why nothing was)."""
    lines = [
        t(
            MSG_ISSUE,
            row=issue.row,
            column=issue.column,
            reason=t(issue.reason, **issue.params),
        )
        for issue in report.issues
    ]
    if report.ignored_columns:
        lines.append(t(MSG_IGNORED, columns="、".join(report.ignored_columns)))
    if not report.ok:
        lines.append(t(MSG_REFUSED, n=len(report.issues)))
    elif report.already_imported:
        lines.append(t(MSG_ALREADY, rows=report.rows))
    elif report.kind == "procedure":
        lines.append(t(MSG_PROCEDURE_DONE, n=report.created))
    else:
        lines.append(
            t(
                MSG_IMPORTED,
                rows=report.rows,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
        )
    if report.ok:
        for unit, (quota, filled) in report.over_quota.items():
            lines.append(t(MSG_OVER_QUOTA, unit=unit, quota=quota, filled=filled))
        if report.late_rows and report.late_until is not None:
            lines.append(t(MSG_LATE, n=report.late_rows, closes=report.late_until))
        if report.procedure_gaps:
            lines.append(t(MSG_PROCEDURE_GAPS))
            lines.extend(gap_line(t, unit, gaps) for unit, gaps in report.procedure_gaps.items())
    return lines
