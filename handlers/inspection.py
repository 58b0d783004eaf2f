"""The inspector's chat (city plan 三、四): their group's units, a unit's checklist, and each
item with what the product already knows beside it, the methods used, the result, a note and
files. An inspector sees only the units of their own group; every press is checked again.

Steps: ``show_units`` (or ``/inspection``) → ``show_unit`` → ``show_item`` → a method ticked,
a result set, or ``ask_note`` → ``process_note`` (text or a file, repeatedly) → ``show_item``.
From ``show_unit`` also: the verification session (inspection_sessions), attendance
(verification), a finding (inspection_findings), the record (inspection_reports), publishing
to the unit (unit_results); from the funds item the vouchers (vouchers). The diagram is in
docs/inspection.md.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain import inspection as rules
from handlers import inspection_findings as findings
from handlers import inspection_reports as reports
from handlers import inspection_sessions as sessions
from handlers import unit_results, vouchers
from handlers.context import Context
from handlers.core import Router
from handlers.inspection_items import item_lines
from handlers.inspector_scope import NO_PLACE, NOT_YOURS, accepted_file, my_place
from handlers.inspector_scope import scoped as _scoped
from messages.callbacks_inspection import (
    InsDecide,
    InsFind,
    InsItem,
    InsMethod,
    InsResult,
    InsUnit,
    InsUnits,
    parse_inspection,
)
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_checks import CheckChange, NotTheGroupsUnit, checks_of, record_check
from services.inspection_selfcheck import self_check_of
from storage.inspection import InspectorPlace, units_of_group
from storage.inspection_facts import unit_facts, unit_findings
from storage.models import InspectionCheck, InspectionGroup, Unit

ROLES = ["inspector"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTE = "inspection_note"

UNITS_HEADER = N_("Inspection {year}, group {n}: {starts} to {due}. Your group's units:")
NO_UNITS = N_("Your group has no units yet.")
UNIT_BUTTON = N_("{unit} ({checked}/{items} checked, {problems} with problems)")
UNIT_HEADER = N_("{unit}: the checklist, inspection {year}")
ITEM_ROW = N_("{mark} {item}")
NOT_CHECKED = N_("not checked yet")
BACK_TO_UNITS = N_("Back to the units")
BACK_TO_UNIT = N_("Back to the checklist")
ASK_NOTE = N_(
    "{item}: type a note (at most {most} characters), or send photos or documents (JPEG, PNG, "
    "PDF, DOCX, XLSX; at most {files} files). Press Done when finished."
)
DONE = N_("Done")
NOTE_SAVED = N_("Note saved.")
FILE_SAVED = N_("File attached ({n} of {most}).")
NOTE_TOO_LONG = N_("The note is longer than {most} characters; nothing was saved.")
FILE_REFUSED = N_("That file is not accepted: JPEG, PNG, PDF, DOCX or XLSX, at most {mb} MB.")
TOO_MANY_FILES = N_("That is already {most} files, the most one item takes.")
RECORDED = N_("Recorded.")
NO_SELF_CHECK = N_("Self-check: not submitted yet.")
SELF_CHECKED = N_("Self-check: submitted {day} (head of the unit: {head}; done by: {person}).")
MARKS = {"ok": "✅", "problem": "⚠️", "": "▫️"}


def router() -> Router:
    r = Router()
    r.button(InsUnits.prefix, roles=ROLES)(process_inspection_button)
    r.command("inspection", roles=ROLES)(show_units_afresh)
    r.state(NOTE, roles=ROLES)(process_note)
    r.state(sessions.SESSION, roles=ROLES)(process_session)
    r.state(findings.FINDING, roles=ROLES)(process_finding)
    r.button(InsFind.prefix, roles=ROLES)(process_find_button)
    r.button(InsDecide.prefix, roles=ROLES)(process_decide_button)
    r.menu_rows(inspector_menu_rows, place=45)
    return r


def inspector_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*ROLES):
        return []
    return [[Button(ctx.t(N_("Inspection: my group's units")), InsUnits(action="units").pack())]]


async def process_inspection_button(ctx: Context) -> None:
    data = parse_inspection(ctx.incoming.button)
    if data is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    if isinstance(data, InsUnits):
        await show_units(ctx)
        return
    if not _known(data):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    place = await _scoped(ctx, data.unit_id)
    if place is None:
        return
    if isinstance(data, InsUnit) and data.action == "session":
        await sessions.ask_session(ctx, place, data.unit_id)
    elif isinstance(data, InsUnit):
        ctx.reset()
        await show_unit(ctx, place, data.unit_id)
    elif isinstance(data, InsMethod):
        await _change(ctx, place, data.unit_id, data.item, CheckChange(toggle_method=data.method))
    elif isinstance(data, InsResult):
        await _change(ctx, place, data.unit_id, data.item, CheckChange(result=data.result))
    elif data.action == "note":
        await ask_note(ctx, data.unit_id, data.item)
    else:
        if data.action == "done":
            ctx.reset()
        await show_item(ctx, place, data.unit_id, data.item, edit=True)


def _known(data: InsUnit | InsItem | InsMethod | InsResult) -> bool:
    """Whether the item, method and result the button names are the checklist's."""
    return (
        getattr(data, "item", "posts") in rules.ITEMS_BY_KEY
        and getattr(data, "method", "report") in rules.METHODS
        and getattr(data, "result", "ok") in rules.RESULTS
    )


async def show_units_afresh(ctx: Context) -> None:
    """``/inspection``: the group's units, whatever the chat was doing."""
    ctx.reset()
    await show_units(ctx)


async def show_units(ctx: Context) -> None:
    t = ctx.t
    place = await my_place(ctx)
    if place is None:
        ctx.say(t(NO_PLACE), [[back_to_menu(t)]], edit=True)
        return
    assert place.plan.id is not None
    group = await ctx.session.get(InspectionGroup, place.group_id)
    units = await units_of_group(ctx.session, place.group_id)
    lines = [
        t(
            UNITS_HEADER,
            year=place.cycle.year,
            n=group.number if group else "?",
            starts=place.plan.starts_on,
            due=place.plan.due_on,
        )
    ]
    if not units:
        lines.append(t(NO_UNITS))
    buttons = []
    for unit_id, name in units:
        checks = await checks_of(ctx.session, plan_id=place.plan.id, unit_id=unit_id)
        done = [c for c in checks.values() if c.result]
        problems = sum(1 for c in done if c.result == "problem")
        label = t(
            UNIT_BUTTON, unit=name, checked=len(done), items=len(rules.ITEMS), problems=problems
        )
        buttons.append([Button(label, InsUnit(action="unit", unit_id=unit_id).pack())])
    buttons.append([back_to_menu(t)])
    ctx.say("\n".join(lines), buttons, edit=True)


async def show_unit(ctx: Context, place: InspectorPlace, unit_id: int) -> None:
    t = ctx.t
    assert place.plan.id is not None
    unit = await ctx.session.get(Unit, unit_id)
    checks = await checks_of(ctx.session, plan_id=place.plan.id, unit_id=unit_id)
    lines = [t(UNIT_HEADER, unit=unit.name if unit else "?", year=place.cycle.year)]
    buttons = []
    for item in rules.ITEMS:
        check = checks.get(item.key)
        result = check.result if check else ""
        state = t(rules.RESULTS[result]) if result else t(NOT_CHECKED)
        lines.append(f"{MARKS[result]} {t(item.name)}：{state}")
        buttons.append(
            [
                Button(
                    t(ITEM_ROW, mark=MARKS[result], item=t(item.name)),
                    InsItem(action="item", unit_id=unit_id, item=item.key).pack(),
                )
            ]
        )
    own = await self_check_of(ctx.session, plan_id=place.plan.id, unit_id=unit_id)
    if own is None:
        lines.append(t(NO_SELF_CHECK))
    else:
        day = own.submitted_at.astimezone(SHANGHAI).date()
        lines.append(t(SELF_CHECKED, day=day, head=own.head_name, person=own.done_by_name))
    for finding in await unit_findings(ctx.session, plan_id=place.plan.id, unit_id=unit_id):
        lines.append(findings.finding_line(ctx, finding))
    buttons += sessions.unit_rows(ctx, unit_id)
    buttons += findings.unit_rows(ctx, unit_id)
    buttons += reports.unit_rows(ctx, unit_id)
    buttons += unit_results.unit_rows(ctx, unit_id)
    buttons.append([Button(t(BACK_TO_UNITS), InsUnits(action="units").pack())])
    ctx.say("\n".join(lines), buttons, edit=True)


async def show_item(
    ctx: Context, place: InspectorPlace, unit_id: int, item: str, *, edit: bool
) -> None:
    t = ctx.t
    assert place.plan.id is not None
    unit = await ctx.session.get(Unit, unit_id)
    check = (await checks_of(ctx.session, plan_id=place.plan.id, unit_id=unit_id)).get(item)
    facts = await unit_facts(
        ctx.session,
        unit_id=unit_id,
        cycle_id=place.cycle.id or 0,
        year=place.cycle.year,
        today=ctx.clock.today(),
    )
    methods = check.methods if check else list(rules.ITEMS_BY_KEY[item].methods)
    own = await self_check_of(ctx.session, plan_id=place.plan.id, unit_id=unit_id)
    answer = own.items.get(item) if own else None
    text = item_lines(t, unit.name if unit else "?", item, facts, check, answer)
    buttons = [
        [
            Button(
                ("☑ " if key in methods else "☐ ") + t(rules.METHODS[key]),
                InsMethod(action="m", unit_id=unit_id, item=item, method=key).pack(),
            )
        ]
        for key in rules.METHODS
    ]
    buttons.append(
        [
            Button(
                MARKS[key] + " " + t(name),
                InsResult(action="r", unit_id=unit_id, item=item, result=key).pack(),
            )
            for key, name in rules.RESULTS.items()
        ]
    )
    buttons.append(
        [
            Button(
                t(N_("Note or files")),
                InsItem(action="note", unit_id=unit_id, item=item).pack(),
            )
        ]
    )
    if item == "funds":
        buttons.append(vouchers.inspector_row(ctx, unit_id))
    buttons.append([Button(t(BACK_TO_UNIT), InsUnit(action="unit", unit_id=unit_id).pack())])
    ctx.say(text, buttons, edit=edit)


async def _change(
    ctx: Context, place: InspectorPlace, unit_id: int, item: str, change: CheckChange
) -> InspectionCheck | None:
    try:
        check = await record_check(
            session=ctx.session,
            place=place,
            unit_id=unit_id,
            item=item,
            change=change,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
        )
    except NotTheGroupsUnit:
        ctx.answer(ctx.t(NOT_YOURS), alert=True)
        return None
    if ctx.incoming.button is not None:
        ctx.answer(ctx.t(RECORDED))
        await show_item(ctx, place, unit_id, item, edit=True)
    return check


async def ask_note(ctx: Context, unit_id: int, item: str) -> None:
    t = ctx.t
    ctx.goto(NOTE, unit_id=unit_id, item=item)
    ctx.say(
        t(
            ASK_NOTE,
            item=t(rules.ITEMS_BY_KEY[item].name),
            most=rules.NOTE_MAX,
            files=rules.FILES_MAX,
        ),
        [[Button(t(DONE), InsItem(action="done", unit_id=unit_id, item=item).pack())]],
    )


async def process_find_button(ctx: Context) -> None:
    data = InsFind.parse(ctx.incoming.button)
    if data is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    place = await _scoped(ctx, data.unit_id)
    if place is not None:
        await findings.process_find_button(ctx, place, data)


async def process_decide_button(ctx: Context) -> None:
    data = InsDecide.parse(ctx.incoming.button)
    if data is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    await findings.decide(ctx, data)


async def process_finding(ctx: Context) -> None:
    draft = ctx.data.get("finding")
    unit_id = draft.get("unit_id") if isinstance(draft, dict) else None
    place = await _scoped(ctx, unit_id) if isinstance(unit_id, int) else None
    if place is None:
        ctx.reset()
        ctx.say(ctx.t(STALE_BUTTON), [[back_to_menu(ctx.t)]])
        return
    await findings.process_description(ctx)


async def process_session(ctx: Context) -> None:
    unit_id = ctx.data.get("unit_id")
    place = await _scoped(ctx, unit_id) if isinstance(unit_id, int) else None
    await sessions.process_session(ctx, place)


async def process_note(ctx: Context) -> None:
    t = ctx.t
    unit_id, item = ctx.data.get("unit_id"), ctx.data.get("item")
    if not isinstance(unit_id, int) or item not in rules.ITEMS_BY_KEY:
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [[back_to_menu(t)]])
        return
    place = await _scoped(ctx, unit_id)
    if place is None:
        ctx.reset()
        return
    done = [[Button(t(DONE), InsItem(action="done", unit_id=unit_id, item=item).pack())]]
    ref, text = ctx.incoming.file, (ctx.incoming.text or "").strip()
    if ref is not None:
        file = accepted_file(ctx)
        if file is None:
            ctx.say(t(FILE_REFUSED, mb=ctx.deps.max_upload_mb), done)
            return
        assert place.plan.id is not None
        check = (await checks_of(ctx.session, plan_id=place.plan.id, unit_id=unit_id)).get(item)
        if check is not None and len(check.files) >= rules.FILES_MAX:
            ctx.say(t(TOO_MANY_FILES, most=rules.FILES_MAX), done)
            return
        saved = await _change(ctx, place, unit_id, item, CheckChange(file=file))
        count = len(saved.files) if saved is not None else 0
        ctx.say(t(FILE_SAVED, n=count, most=rules.FILES_MAX), done)
        return
    if not text:
        await ask_note(ctx, unit_id, item)
        return
    if len(text) > rules.NOTE_MAX:
        ctx.say(t(NOTE_TOO_LONG, most=rules.NOTE_MAX), done)
        return
    await _change(ctx, place, unit_id, item, CheckChange(note=text))
    ctx.reset()
    ctx.say(t(NOTE_SAVED))
    await show_item(ctx, place, unit_id, item, edit=False)
