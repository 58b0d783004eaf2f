"""A unit contact submits the unit's self-check (city plan 五.1) from its ``self_check`` task:
the head of the unit and the person who did it, by name; then for each checklist item what was
found and what was corrected (「无」 for nothing); then files; then submit. It goes to the
unit's inspection group.

Steps: ``start`` → ``process_answer`` (head, person, each item's found and corrected, files)
→ ``submit``. Every step reads the contact's unit from their binding on the server.
"""

from __future__ import annotations

from typing import Any

from domain import inspection as rules
from handlers.context import Context
from handlers.core import Router
from handlers.inspector_scope import accepted_file
from messages.callbacks_selfcheck import SelfCheck
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_selfcheck import FILES_MAX, TEXT_MAX, NoInspection, submit_self_check
from storage.inspection import group_of_unit, latest_plan
from storage.models import UnitTask

STATE = "unit:self_check"
ASK_HEAD = N_(
    "The self-check for the city inspection. Who is the head of the unit (一把手) who led it? "
    "Type the name."
)
ASK_PERSON = N_("Who did the self-check? Type the name.")
ASK_FOUND = N_("{item}: what did the self-check find? Type it (at most {most} characters).")
ASK_CORRECTED = N_("{item}: what was corrected? Type it (at most {most} characters).")
ASK_FILES = N_(
    "Send the self-check report and any supporting files (at most {most}), then press Submit."
)
NOTHING = N_("Nothing")
NOTHING_TEXT = N_("nothing")
SUBMIT = N_("Submit")
CANCEL = N_("Cancel")
TOO_LONG = N_("That is longer than {most} characters.")
FILE_SAVED = N_("File attached ({n} of {most}).")
FILE_REFUSED = N_("That file is not accepted: JPEG, PNG, PDF, DOCX or XLSX, at most {mb} MB.")
SUBMITTED = N_("The self-check is submitted to the unit's inspection group. Thank you.")
NO_INSPECTION = N_("Your unit is not in an inspection group yet; the bureau plans it.")
CANCELLED = N_("The self-check was not submitted.")

# The questions in order: head, person, then each item's found and corrected, then files.
QUESTIONS: list[tuple[str, str]] = [
    ("head", ""),
    ("person", ""),
    *[(field, item.key) for item in rules.ITEMS for field in ("found", "corrected")],
    ("files", ""),
]


async def is_form(ctx: Context, task: UnitTask) -> bool:
    """Whether marking this task done is the self-check's form: the unit's open ``self_check``
    task once the unit is in an inspection group (before that, a file as for any task)."""
    if task.kind != "self_check" or task.state == "done":
        return False
    latest = await latest_plan(ctx.session)
    if latest is None or latest[0].id is None:
        return False
    return await group_of_unit(ctx.session, latest[0].id, task.unit_id) is not None


def start(ctx: Context, unit_id: int) -> None:
    ctx.goto(STATE, unit_id=unit_id, step=0, answers={}, files=[])
    ask(ctx)


def _buttons(ctx: Context, field: str) -> list[list[Button]]:
    t = ctx.t
    rows = []
    if field in ("found", "corrected"):
        rows.append([Button(t(NOTHING), SelfCheck(action="none").pack())])
    if field == "files":
        rows.append([Button(t(SUBMIT), SelfCheck(action="send").pack())])
    rows.append([Button(t(CANCEL), SelfCheck(action="cancel").pack())])
    return rows


def ask(ctx: Context) -> None:
    t = ctx.t
    field, item = QUESTIONS[int(ctx.data.get("step", 0))]
    if field == "head":
        text = t(ASK_HEAD)
    elif field == "person":
        text = t(ASK_PERSON)
    elif field == "files":
        text = t(ASK_FILES, most=FILES_MAX)
    else:
        name = t(rules.ITEMS_BY_KEY[item].name)
        template = ASK_FOUND if field == "found" else ASK_CORRECTED
        text = t(template, item=name, most=TEXT_MAX)
    ctx.say(text, _buttons(ctx, field))


def _answer(ctx: Context, text: str) -> None:
    step = int(ctx.data.get("step", 0))
    field, item = QUESTIONS[step]
    answers: dict[str, Any] = dict(ctx.data.get("answers", {}))
    if field in ("head", "person"):
        answers[field] = text
    else:
        answers[item] = {**answers.get(item, {}), field: text}
    ctx.goto(STATE, step=step + 1, answers=answers)
    ask(ctx)


async def process_button(ctx: Context, data: SelfCheck, unit_id: int) -> None:
    t = ctx.t
    if ctx.state != STATE or ctx.data.get("unit_id") != unit_id:
        ctx.answer(t(STALE_BUTTON))
        return
    field, _item = QUESTIONS[int(ctx.data.get("step", 0))]
    if data.action == "cancel":
        ctx.reset()
        ctx.say(t(CANCELLED), [[back_to_menu(t)]])
    elif data.action == "none" and field in ("found", "corrected"):
        _answer(ctx, t(NOTHING_TEXT))
    elif data.action == "send" and field == "files":
        await submit(ctx, unit_id)
    else:
        ctx.answer(t(STALE_BUTTON))


async def process_answer(ctx: Context) -> None:
    t = ctx.t
    step = ctx.data.get("step")
    if not isinstance(step, int) or not 0 <= step < len(QUESTIONS):
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [[back_to_menu(t)]])
        return
    field, _item = QUESTIONS[step]
    if field == "files":
        files = list(ctx.data.get("files", []))
        file = accepted_file(ctx)
        if file is None or len(files) >= FILES_MAX:
            ctx.say(t(FILE_REFUSED, mb=ctx.deps.max_upload_mb), _buttons(ctx, field))
            return
        files.append(file)
        ctx.goto(STATE, files=files)
        ctx.say(t(FILE_SAVED, n=len(files), most=FILES_MAX), _buttons(ctx, field))
        return
    text = " ".join((ctx.incoming.text or "").split())
    most = rules.NAME_MAX if field in ("head", "person") else TEXT_MAX
    if not text:
        ask(ctx)
    elif len(text) > most:
        ctx.say(t(TOO_LONG, most=most), _buttons(ctx, field))
    else:
        _answer(ctx, text)


async def submit(ctx: Context, unit_id: int) -> None:
    t = ctx.t
    answers: dict[str, Any] = dict(ctx.data.get("answers", {}))
    items = {k: v for k, v in answers.items() if k in rules.ITEMS_BY_KEY and isinstance(v, dict)}
    try:
        await submit_self_check(
            session=ctx.session,
            unit_id=unit_id,
            head_name=str(answers.get("head", "")),
            done_by_name=str(answers.get("person", "")),
            items=items,
            files=list(ctx.data.get("files", [])),
            user_id=ctx.user_id,
            now=ctx.clock.now(),
        )
    except NoInspection:
        ctx.reset()
        ctx.say(t(NO_INSPECTION), [[back_to_menu(t)]])
        return
    except (rules.PlanError, ValueError):
        ctx.goto(STATE, step=0)
        ask(ctx)
        return
    ctx.reset()
    ctx.say(t(SUBMITTED), [[back_to_menu(t)]])


def router() -> Router:
    r = Router()
    r.button(SelfCheck.prefix, roles=["unit"])(process_self_check_button)
    r.state(STATE, roles=["unit"])(process_self_check_answer)
    return r


def _own_unit(ctx: Context) -> int | None:
    unit_id = ctx.data.get("unit_id")
    units = {b.unit_id for b in ctx.roles.bindings if b.role == "unit"}
    return unit_id if isinstance(unit_id, int) and unit_id in units else None


async def process_self_check_button(ctx: Context) -> None:
    data = SelfCheck.parse(ctx.incoming.button)
    unit_id = _own_unit(ctx)
    if data is None or unit_id is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    await process_button(ctx, data, unit_id)


async def process_self_check_answer(ctx: Context) -> None:
    if _own_unit(ctx) is None:
        ctx.reset()
        ctx.say(ctx.t(STALE_BUTTON), [[back_to_menu(ctx.t)]])
        return
    await process_answer(ctx)
