"""A unit sees its own inspection results once its group publishes them; an inspector of the
group publishes them from the unit's checklist. Nothing of another unit is ever shown: the unit
is read from the contact's binding on the server.

Steps: (inspector) ``publish``; (unit) ``show_results``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain import inspection as rules
from domain import inspection_findings as kinds
from domain.masking import mask_name
from handlers.context import Context
from handlers.core import Router
from handlers.inspector_scope import scoped
from messages.callbacks_inspection import InsPublish, UnitResults
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_checks import checks_of
from services.inspection_publish import publish_results, published
from storage.inspection import assignments, latest_plan
from storage.inspection_facts import unit_findings
from storage.models import InspectionGroup, Unit, Worker

SHANGHAI = ZoneInfo("Asia/Shanghai")
RESULTS_BUTTON = N_("Inspection results")
PUBLISH_BUTTON = N_("Publish the results to the unit")
PUBLISHED = N_("Published to the unit; its contacts are told.")
NOT_YET = N_("The inspection group has not published its results for your unit yet.")
HEADER = N_("{unit}: results of the {year} inspection (group {n}, published {day})")
LINE = N_("{mark} {item}: {result}")
NOTE = N_("Note: {note}")
FINDING = N_("Finding #{id}: {kind}{worker} — {description}")
MARKS = {"ok": "✅", "problem": "⚠️", "": "▫️"}
NOT_CHECKED = N_("not checked yet")


def router() -> Router:
    r = Router()
    r.button(UnitResults.prefix, roles=["unit"])(show_results)
    r.button(InsPublish.prefix, roles=["inspector"])(publish)
    r.menu_rows(results_menu_rows, place=21)
    return r


def results_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has("unit"):
        return []
    return [[Button(ctx.t(RESULTS_BUTTON), UnitResults(action="results").pack())]]


def unit_rows(ctx: Context, unit_id: int) -> list[list[Button]]:
    """The inspector's unit page: publish to the unit."""
    return [[Button(ctx.t(PUBLISH_BUTTON), InsPublish(action="publish", unit_id=unit_id).pack())]]


async def publish(ctx: Context) -> None:
    data = InsPublish.parse(ctx.incoming.button)
    if data is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    place = await scoped(ctx, data.unit_id)
    if place is None:
        return
    await publish_results(
        session=ctx.session,
        place=place,
        unit_id=data.unit_id,
        user_id=ctx.user_id,
        now=ctx.clock.now(),
    )
    ctx.answer(ctx.t(PUBLISHED), alert=True)


async def show_results(ctx: Context) -> None:
    t = ctx.t
    units = [b.unit_id for b in ctx.roles.bindings if b.role == "unit" and b.unit_id is not None]
    latest = await latest_plan(ctx.session)
    if not units or latest is None or latest[0].id is None:
        ctx.say(t(NOT_YET), [[back_to_menu(t)]], edit=True)
        return
    plan, cycle = latest
    assert plan.id is not None
    unit_id = units[0]
    assignment = (await assignments(ctx.session, plan.id)).get(unit_id)
    if assignment is None or not published(assignment) or assignment.published_at is None:
        ctx.say(t(NOT_YET), [[back_to_menu(t)]], edit=True)
        return
    unit = await ctx.session.get(Unit, unit_id)
    group = await ctx.session.get(InspectionGroup, assignment.group_id)
    lines = [
        t(
            HEADER,
            unit=unit.name if unit else "?",
            year=cycle.year,
            n=group.number if group else "?",
            day=assignment.published_at.astimezone(SHANGHAI).date(),
        )
    ]
    checks = await checks_of(ctx.session, plan_id=plan.id, unit_id=unit_id)
    for item in rules.ITEMS:
        check = checks.get(item.key)
        result = check.result if check else ""
        shown = t(rules.RESULTS[result]) if result else t(NOT_CHECKED)
        lines.append(t(LINE, mark=MARKS[result], item=t(item.name), result=shown))
        if check and check.note:
            lines.append("  " + t(NOTE, note=check.note))
    for finding in await unit_findings(ctx.session, plan_id=plan.id, unit_id=unit_id):
        if finding.state != "confirmed":
            continue
        worker = await ctx.session.get(Worker, finding.worker_id) if finding.worker_id else None
        who = f" · {mask_name(worker.name)}" if worker else ""
        kind = t(kinds.KINDS[finding.kind])
        lines.append(
            t(FINDING, id=finding.id, kind=kind, worker=who, description=finding.description)
        )
    ctx.say("\n".join(lines), [[back_to_menu(t)]], edit=True)
