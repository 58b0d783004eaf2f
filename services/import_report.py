"""What an import found, in words: the same lines whether the file came by CLI or in chat."""

from __future__ import annotations

from messages.i18n import N_, Translator
from storage.importer import ImportReport

MSG_ISSUE = N_("Row {row}, column {column}: {reason}")
MSG_REFUSED = N_("{n} problems; nothing was imported.")
MSG_IGNORED = N_("Columns not used by this import were ignored: {columns}")
MSG_IMPORTED = N_("Imported {rows} rows: {created} new, {updated} updated, {unchanged} unchanged.")
MSG_ALREADY = N_("Already imported: nothing changed ({rows} rows).")


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
