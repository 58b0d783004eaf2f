"""One checklist item on screen: what the product already knows about the unit for this item
(so the inspector confirms rather than retypes), then the methods used, the result, the note
and the files. Names are masked."""

from __future__ import annotations

from domain import inspection as rules
from domain import recruitment as recruited
from domain.masking import mask_name
from messages.i18n import N_, Translator
from messages.style import date_text
from services.procedure import gap_line
from storage.inspection_facts import UnitFacts
from storage.models import InspectionCheck
from storage.recruitment import Newcomer
from storage.roster_history import Change

SHOWN_CHANGES = 8
KNOWN = N_("What the records show:")
POSTS = N_("Post quota {quota} (cut by {cut}); {posts} posts, {filled} filled, {vacant} vacant.")
ON_DUTY = N_("Workers on duty: {n}.")
JOINED = N_("Joined this year: {n}.")
LEFT = N_("Left this year: {n}.")
CHANGE_LINE = N_("{day} {name}: {reason}")
MORE = N_("and {n} more")
RECRUITED = N_(
    "Newcomers this year: {n}. Check how each was recruited and that they were eligible."
)
TO_LOOK_AT = N_(
    "To look at (⚠️): {n} — recruitment method or eligibility not on the roster, or not eligible."
)
NEWCOMER = N_("{mark} {name}, joined {day}: {method}; {eligibility}")
NO_METHOD = N_("method not given")
ELIGIBLE_AS = N_("eligible as {category}")
NOT_ELIGIBLE = N_("NOT eligible")
NO_ELIGIBILITY = N_("eligibility not given")
RESULTS = N_("Results recorded: {results} of {on_duty} on duty ({grades}).")
TASKS = N_("Tasks: {done} of {total} done, {overdue} overdue.")
PROCEDURE = N_("Assessment procedure")
PROCEDURE_COMPLETE = N_("Assessment procedure (五(一)–(四)): recorded in full.")
VERIFIED = N_("Staff verification: {verified} recorded, {absent} absent without excuse.")
SUBSIDY = N_("Subsidies stopped for {n} workers this year.")
SELF_CHECK = N_("The unit's self-check: found {found}; corrected {corrected}.")
VOUCHERS = N_(
    "Social-insurance vouchers: electronic {files}/12, paper {paper}/12, checked {checked}/12."
)
METHODS = N_("Methods: {methods}")
RESULT = N_("Result: {result}")
NOTE = N_("Note: {note}")
FILES = N_("Files: {n}")
NONE = N_("none")
NOT_CHECKED = N_("not checked yet")
SEPARATOR = N_(", ")
REASONS = {
    "roster": N_("on the roster (import)"),
    "transfer": N_("moved between units"),
    "absent_at_verification": N_("absent at the staff verification, struck off"),
    "restored": N_("back on the roster after a correction"),
    "finding": N_("struck off after an inspection finding"),
}


def _changes(t: Translator, changes: list[Change]) -> list[str]:
    lines = [
        "  "
        + t(
            CHANGE_LINE,
            day=c.on_day,
            name=mask_name(c.name),
            reason=t(REASONS.get(c.reason, c.reason)),
        )
        for c in changes[:SHOWN_CHANGES]
    ]
    if len(changes) > SHOWN_CHANGES:
        lines.append("  " + t(MORE, n=len(changes) - SHOWN_CHANGES))
    return lines


def _newcomers(t: Translator, newcomers: list[Newcomer]) -> list[str]:
    """Each newcomer's method and eligibility, the flagged first (as storage sorts them)."""
    lines = [t(TO_LOOK_AT, n=sum(1 for n in newcomers if n.flagged))]
    for person in newcomers[:SHOWN_CHANGES]:
        method, category, eligible = person.recruitment
        if eligible is False:
            eligibility = t(NOT_ELIGIBLE)
        elif eligible and category:
            eligibility = t(ELIGIBLE_AS, category=t(recruited.CATEGORIES.get(category, category)))
        else:
            eligibility = t(NO_ELIGIBILITY)
        lines.append(
            "  "
            + t(
                NEWCOMER,
                mark="⚠️" if person.flagged else "✅",
                name=mask_name(person.name),
                day=date_text(t, person.joined_on, weekday=False),
                method=t(recruited.METHODS.get(method, method)) if method else t(NO_METHOD),
                eligibility=eligibility,
            )
        )
    if len(newcomers) > SHOWN_CHANGES:
        lines.append("  " + t(MORE, n=len(newcomers) - SHOWN_CHANGES))
    return lines


def known_lines(t: Translator, item: str, facts: UnitFacts) -> list[str]:
    """What the records show for ``item``."""
    if item == "posts":
        vacant = facts.posts - facts.filled
        return [
            t(
                POSTS,
                quota=facts.quota,
                cut=facts.quota_cut,
                posts=facts.posts,
                filled=facts.filled,
                vacant=vacant,
            ),
            t(ON_DUTY, n=facts.on_duty),
        ]
    if item == "changes":
        return [
            t(JOINED, n=len(facts.joined)),
            *_changes(t, facts.joined),
            t(LEFT, n=len(facts.left)),
            *_changes(t, facts.left),
        ]
    if item == "recruitment":
        return [t(RECRUITED, n=len(facts.newcomers)), *_newcomers(t, facts.newcomers)]
    if item == "management":
        grades = t(SEPARATOR).join(f"{g} {n}" for g, n in sorted(facts.grades.items())) or t(NONE)
        return [
            t(RESULTS, results=facts.results, on_duty=facts.on_duty, grades=grades),
            gap_line(t, t(PROCEDURE), facts.procedure_gaps)
            if facts.procedure_gaps
            else t(PROCEDURE_COMPLETE),
            t(TASKS, done=facts.tasks_done, total=facts.tasks, overdue=facts.tasks_overdue),
            t(VERIFIED, verified=facts.verified, absent=facts.absent),
        ]
    return [
        t(SUBSIDY, n=facts.subsidy_stopped),
        t(
            VOUCHERS,
            files=facts.voucher_files,
            paper=facts.voucher_paper,
            checked=facts.voucher_checked,
        ),
    ]


def _self_check(t: Translator, answer: dict[str, str]) -> str:
    return t(SELF_CHECK, found=answer.get("found", ""), corrected=answer.get("corrected", ""))


def item_lines(
    t: Translator,
    unit: str,
    item: str,
    facts: UnitFacts,
    check: InspectionCheck | None,
    self_check: dict[str, str] | None = None,
) -> str:
    methods = check.methods if check else list(rules.ITEMS_BY_KEY[item].methods)
    lines = [
        f"{unit} · {t(rules.ITEMS_BY_KEY[item].name)}",
        t(KNOWN),
        *known_lines(t, item, facts),
        *(
            [
                t(
                    SELF_CHECK,
                    found=self_check.get("found", ""),
                    corrected=self_check.get("corrected", ""),
                )
            ]
            if self_check
            else []
        ),
        "",
        t(METHODS, methods=t(SEPARATOR).join(t(rules.METHODS[m]) for m in methods) or t(NONE)),
        t(
            RESULT,
            result=t(rules.RESULTS[check.result]) if check and check.result else t(NOT_CHECKED),
        ),
    ]
    if check and check.note:
        lines.append(t(NOTE, note=check.note))
    if check and check.files:
        lines.append(t(FILES, n=len(check.files)))
    return "\n".join(lines)
