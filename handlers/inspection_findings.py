"""An inspector records a finding about a unit of their group, or one of its workers, with
evidence; the group's leader confirms or drops it from the alert it gets (point 6).

Steps: ``ask_kind`` → ``ask_worker`` (人岗不符, 不在岗: a worker; otherwise optional) →
``ask_description`` → ``process_description`` (text, files) → ``submit``; the leader:
``decide``.
"""

from __future__ import annotations

from typing import Any

from domain import inspection_findings as rules
from domain.masking import mask_name
from handlers.context import Context
from handlers.inspector_scope import accepted_file, my_place
from messages.callbacks_inspection import InsDecide, InsFind, InsUnit
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.case_findings import consequence_names
from services.inspection_checks import NotTheGroupsUnit
from services.inspection_findings import NotTheLeader, decide_finding, record_finding
from storage.inspection import InspectorPlace
from storage.models import InspectionFinding, Worker
from storage.verification import unit_roster

FINDING = "inspection_finding"
WORKERS_PER_PAGE = 8

RECORD = N_("Record a finding")
ASK_KIND = N_("What did the group find?")
ASK_WORKER = N_("About which worker?")
THE_UNIT = N_("About the unit itself")
ASK_DESCRIPTION = N_(
    "Describe the finding (at most {most} characters); photos or documents may follow as "
    "evidence (at most {files}). Then press Submit."
)
SUBMIT = N_("Submit")
DESCRIBED = N_("Description noted. Send evidence or press Submit.")
ASK_RESPONSIBLE = N_(
    "Description noted. Who is responsible? Type the name and post (at most {most} characters)."
)
EVIDENCE_SAVED = N_("Evidence attached ({n} of {most}).")
NO_DESCRIPTION = N_("Describe the finding first.")
TOO_LONG = N_("The description is longer than {most} characters; nothing was saved.")
FILE_REFUSED = N_("That file is not accepted: JPEG, PNG, PDF, DOCX or XLSX, at most {mb} MB.")
RECORDED = N_("Finding #{id} is recorded and sent to the group leader to confirm.")
CONFIRMED = N_("Finding #{id} confirmed: {consequences}.")
DROPPED = N_("Finding #{id} not confirmed.")
ALREADY = N_("Finding #{id} was decided already.")
ONLY_LEADER = N_("Only the leader of the unit's inspection group decides its findings.")
BACK_TO_UNIT = N_("Back to the checklist")
FINDING_LINE = N_("Finding #{id}: {kind} — {state}")


def unit_rows(ctx: Context, unit_id: int) -> list[list[Button]]:
    return [[Button(ctx.t(RECORD), InsFind(action="new", unit_id=unit_id).pack())]]


def _back(ctx: Context, unit_id: int) -> list[Button]:
    return [Button(ctx.t(BACK_TO_UNIT), InsUnit(action="unit", unit_id=unit_id).pack())]


def finding_line(ctx: Context, finding: InspectionFinding) -> str:
    t = ctx.t
    return t(
        FINDING_LINE,
        id=finding.id,
        kind=t(rules.KINDS.get(finding.kind, finding.kind)),
        state=t(rules.STATES.get(finding.state, finding.state)),
    )


async def process_find_button(ctx: Context, place: InspectorPlace, data: InsFind) -> None:
    if data.kind not in rules.KINDS:
        ctx.answer(ctx.t(STALE_BUTTON))
    elif data.action == "new":
        ctx.reset()
        ask_kind(ctx, data.unit_id)
    elif data.action == "kind":
        await ask_worker(ctx, data)
    elif data.action == "w":
        await ask_description(ctx, data)
    else:
        await submit(ctx, place, data)


def ask_kind(ctx: Context, unit_id: int) -> None:
    t = ctx.t
    buttons = [
        [Button(t(name), InsFind(action="kind", unit_id=unit_id, kind=key).pack())]
        for key, name in rules.KINDS.items()
    ]
    buttons.append(_back(ctx, unit_id))
    ctx.say(t(ASK_KIND), buttons, edit=True)


async def ask_worker(ctx: Context, data: InsFind) -> None:
    t = ctx.t
    entries, total = await unit_roster(
        ctx.session,
        cycle_id=0,
        unit_id=data.unit_id,
        offset=data.page * WORKERS_PER_PAGE,
        limit=WORKERS_PER_PAGE,
    )
    unit_id, kind = data.unit_id, data.kind
    buttons = []
    if data.kind not in rules.NEEDS_WORKER:
        buttons.append(
            [
                Button(
                    t(THE_UNIT), InsFind(action="w", worker_id=0, unit_id=unit_id, kind=kind).pack()
                )
            ]
        )
    buttons += [
        [
            Button(
                mask_name(e.name),
                InsFind(action="w", worker_id=e.worker_id, unit_id=unit_id, kind=kind).pack(),
            )
        ]
        for e in entries
    ]
    paging = []
    if data.page > 0:
        paging.append(
            Button(
                t(N_("« Previous")),
                InsFind(action="kind", page=data.page - 1, unit_id=unit_id, kind=kind).pack(),
            )
        )
    if (data.page + 1) * WORKERS_PER_PAGE < total:
        paging.append(
            Button(
                t(N_("Next »")),
                InsFind(action="kind", page=data.page + 1, unit_id=unit_id, kind=kind).pack(),
            )
        )
    if paging:
        buttons.append(paging)
    buttons.append(_back(ctx, data.unit_id))
    ctx.say(t(ASK_WORKER), buttons, edit=True)


async def ask_description(ctx: Context, data: InsFind) -> None:
    if data.worker_id:
        worker = await ctx.session.get(Worker, data.worker_id)
        if worker is None or worker.unit_id != data.unit_id:
            ctx.answer(ctx.t(STALE_BUTTON))
            return
    elif data.kind in rules.NEEDS_WORKER:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(
        FINDING,
        finding={"unit_id": data.unit_id, "kind": data.kind, "worker_id": data.worker_id},
        description="",
        responsible="",
        evidence=[],
    )
    ctx.say(
        ctx.t(ASK_DESCRIPTION, most=rules.DESCRIPTION_MAX, files=rules.EVIDENCE_MAX),
        _submit(ctx, data),
    )


def _submit(ctx: Context, data: InsFind) -> list[list[Button]]:
    send = InsFind(action="send", unit_id=data.unit_id, kind=data.kind, worker_id=data.worker_id)
    return [
        [Button(ctx.t(SUBMIT), send.pack())],
        _back(ctx, data.unit_id),
    ]


def _draft(ctx: Context) -> InsFind | None:
    found: Any = ctx.data.get("finding")
    if ctx.state != FINDING or not isinstance(found, dict):
        return None
    try:
        return InsFind(
            action="send",
            unit_id=int(found["unit_id"]),
            kind=str(found["kind"]),
            worker_id=int(found["worker_id"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


async def process_description(ctx: Context) -> None:
    t = ctx.t
    draft = _draft(ctx)
    if draft is None:
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [[back_to_menu(t)]])
        return
    buttons = _submit(ctx, draft)
    ref = ctx.incoming.file
    if ref is not None:
        evidence = list(ctx.data.get("evidence", []))
        file = accepted_file(ctx)
        if file is None or len(evidence) >= rules.EVIDENCE_MAX:
            ctx.say(t(FILE_REFUSED, mb=ctx.deps.max_upload_mb), buttons)
            return
        evidence.append(file)
        ctx.goto(FINDING, evidence=evidence)
        ctx.say(t(EVIDENCE_SAVED, n=len(evidence), most=rules.EVIDENCE_MAX), buttons)
        return
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.say(t(ASK_DESCRIPTION, most=rules.DESCRIPTION_MAX, files=rules.EVIDENCE_MAX), buttons)
    elif _asks_responsible(ctx, draft):
        person = " ".join(text.split())
        if len(person) > rules.RESPONSIBLE_MAX:
            ctx.say(t(TOO_LONG, most=rules.RESPONSIBLE_MAX), buttons)
            return
        ctx.goto(FINDING, responsible=person)
        ctx.say(t(DESCRIBED), buttons)
    elif len(text) > rules.DESCRIPTION_MAX:
        ctx.say(t(TOO_LONG, most=rules.DESCRIPTION_MAX), buttons)
    else:
        ctx.goto(FINDING, description=text)
        needs = draft.kind in rules.NAMES_RESPONSIBLE
        ctx.say(t(ASK_RESPONSIBLE if needs else DESCRIBED, most=rules.RESPONSIBLE_MAX), buttons)


def _asks_responsible(ctx: Context, draft: InsFind) -> bool:
    """A fraud finding's next text, once described, names the person responsible."""
    return (
        draft.kind in rules.NAMES_RESPONSIBLE
        and bool(ctx.data.get("description"))
        and not ctx.data.get("responsible")
    )


async def submit(ctx: Context, place: InspectorPlace, data: InsFind) -> None:
    t = ctx.t
    draft = _draft(ctx)
    description = str(ctx.data.get("description", ""))
    if draft is None or draft != data:
        ctx.answer(t(STALE_BUTTON))
        return
    responsible = str(ctx.data.get("responsible", ""))
    if not description:
        ctx.answer(t(NO_DESCRIPTION), alert=True)
        return
    if data.kind in rules.NAMES_RESPONSIBLE and not responsible:
        ctx.answer(t(ASK_RESPONSIBLE, most=rules.RESPONSIBLE_MAX), alert=True)
        return
    try:
        finding = await record_finding(
            session=ctx.session,
            place=place,
            unit_id=data.unit_id,
            kind=data.kind,
            description=description,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            worker_id=data.worker_id or None,
            evidence=list(ctx.data.get("evidence", [])),
            responsible=responsible,
        )
    except (ValueError, NotTheGroupsUnit):  # the worker left the unit meanwhile, say
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [_back(ctx, data.unit_id)])
        return
    ctx.reset()
    ctx.say(
        t(RECORDED, id=finding.id),
        [_back(ctx, data.unit_id)],
        edit=True,
    )


async def decide(ctx: Context, data: InsDecide) -> None:
    t = ctx.t
    place = await my_place(ctx)
    finding = await ctx.session.get(InspectionFinding, data.finding_id)
    if place is None or finding is None:
        ctx.answer(t(ONLY_LEADER), alert=True)
        return
    try:
        decided = await decide_finding(
            session=ctx.session,
            place=place,
            finding=finding,
            confirm=data.action == "ok",
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            calendar=ctx.deps.calendar,
        )
    except NotTheLeader:
        ctx.answer(t(ONLY_LEADER), alert=True)
        return
    if not decided:
        ctx.say(t(ALREADY, id=finding.id), edit=True)
    elif finding.state == "confirmed":
        names = consequence_names(finding.consequences, ctx.language)
        ctx.say(t(CONFIRMED, id=finding.id, consequences=names), edit=True)
    else:
        ctx.say(t(DROPPED, id=finding.id), edit=True)
