"""What an import found, in words: the same lines whether the file came by CLI or in chat."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.sheet import ImportKind, RowIssue
from messages.i18n import N_, Translator

MSG_ISSUE = N_("Row {row}, column {column}: {reason}")
MSG_REFUSED = N_("{n} problems; nothing was imported.")
MSG_IGNORED = N_("Columns not used by this import were ignored: {columns}")
MSG_IMPORTED = N_("Imported {rows} rows: {created} new, {updated} updated, {unchanged} unchanged.")
MSG_ALREADY = N_("Already imported: nothing changed ({rows} rows).")


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
    return lines
