"""What units' tasks are called and what they ask for, in the catalogue."""

from __future__ import annotations

from datetime import date

from messages.i18n import N_, Translator
from messages.style import date_text

TASK_TITLES = {
    "rules_filed": N_("File the unit's assessment rules with the employment bureau"),
    "assessment": N_(
        "Run the assessment: personal reports, interviews, democratic evaluation, "
        "collective decision"
    ),
    "results_submitted": N_("Submit the assessment results and renewal decisions"),
    "gongshi": N_("Post the results publicly and staff the unit's complaint line"),
    "self_check": N_("Send the self-check report before the inspection"),
    "verification": N_(
        "Staff verification: every worker comes in person with ID card and household register"
    ),
    "insurance_vouchers": N_(
        "Hand in the year's social-insurance payment vouchers, paper and electronic, "
        "sorted by month"
    ),
    "renewals_signed": N_("Sign the renewed post agreements and file them with the bureau"),
    "non_renewals_reported": N_("Report each non-renewal to the bureau with its written reason"),
    "admonishment_talks": N_("Hold the admonishment talks for workers graded 基本合格"),
}

# One worker's tasks after a non-renewal (kind ``<base>:<worker id>``, title the worker's name).
WORKER_TASK_TITLES = {
    "si_change": N_("Change {name}'s social-insurance records"),
    "unemployment_reg": N_("Register {name} as unemployed"),
    "end_contract": N_("End {name}'s labour contract (不合格 twice in a row)"),
}

# What "mark done" asks to attach.
FILE_ASKED = {
    "rules_filed": N_("the unit's assessment rules"),
    "assessment": N_("the minutes of the collective decision"),
    "results_submitted": N_("the results sheet"),
    "self_check": N_("the self-check report"),
    "insurance_vouchers": N_("the electronic vouchers (one file, sorted by month)"),
    "renewals_signed": N_("the list of signed agreements"),
    "non_renewals_reported": N_("the written reasons for each non-renewal"),
    "admonishment_talks": N_("the record of the admonishment talks"),
}
ANY_FILE = N_("the document it asks for")

STATES = {
    "open": N_("open"),
    "done": N_("done"),
    "escalated": N_("overdue, escalated to the bureau"),
}


def task_title(t: Translator, kind: str, title: str = "") -> str:
    if kind in TASK_TITLES:
        return t(TASK_TITLES[kind])
    base = kind.partition(":")[0]
    if base in WORKER_TASK_TITLES:
        return t(WORKER_TASK_TITLES[base], name=title)
    return title or kind


def file_asked(t: Translator, kind: str) -> str:
    return t(FILE_ASKED.get(kind, ANY_FILE))


def day_text(t: Translator, day: date) -> str:
    """2026年12月15日（周二） / Tue 15 Dec 2026: ``messages.style.date_text``."""
    return date_text(t, day)


def state_text(t: Translator, state: str, *, overdue: bool = False) -> str:
    if state != "done" and overdue and state == "open":
        return t(N_("overdue"))
    return t(STATES.get(state, state))
