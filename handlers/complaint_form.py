"""The citizen's complaint form, step by step (the route table is handlers.citizen's).

Steps: ``ask_subject`` (a unit from a paged list) → ``process_subject`` (the unit itself, or a
worker of it found by name, shown masked) → ``ask_category`` → ``process_category`` →
``ask_description`` → ``process_description`` → ``ask_evidence`` → ``process_evidence``
(handlers.complaint_evidence) → ``ask_identity`` → ``process_identity`` → ``ask_confirm`` →
``process_confirm`` (ticket code; services.complaints.file_complaint). Back and cancel at
every step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.complaints import BY_KEY, CATEGORIES, DESCRIPTION_MAX, DESCRIPTION_MIN, OFFICES
from domain.masking import mask_name
from handlers.complaint_draft import (
    CATEGORY,
    CONFIRM,
    DESCRIPTION,
    EVIDENCE,
    IDENTITY,
    STATES,
    STATUS_CODE,
    SUBJECT_UNIT,
    SUBJECT_WORKER,
    Step,
    draft,
    may_file_another,
    nav,
    work_calendar,
)
from handlers.complaint_evidence import ask_evidence, evidence_of
from handlers.context import Context
from handlers.name_search import search_allowed
from messages.callbacks_hotline import ComplaintChoice, ComplaintPick, ComplaintStep
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text
from messages.wording import STALE_BUTTON, back_to_menu
from services import complaints as filing
from storage import complaints as store
from storage.models import Unit, Worker
from storage.name_search import NameQuery, find_workers

UNITS_PER_PAGE = 8
RECENT_SUBMISSION = timedelta(hours=1)
ALREADY_SENT = N_("Your complaint was already sent. Its ticket code is {code}.")
OUTSIDE_GONGSHI = N_(
    "No public notice is open right now. The hotline still takes your complaint: it goes to "
    "the employment bureau's desk as a general complaint."
)


async def go_back(ctx: Context) -> None:
    previous: dict[str, Step] = {
        SUBJECT_UNIT: cancel,
        SUBJECT_WORKER: ask_subject,
        CATEGORY: ask_subject,
        DESCRIPTION: ask_category,
        EVIDENCE: ask_description,
        IDENTITY: ask_evidence,
        CONFIRM: ask_identity,
        STATUS_CODE: cancel,
    }
    step = previous.get(ctx.state)
    if step is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    await step(ctx)


async def cancel(ctx: Context) -> None:
    from handlers.menu import show_menu

    ctx.reset()
    ctx.say(ctx.t(N_("Cancelled. Nothing was sent.")), remove_keyboard=True)
    await show_menu(ctx)


async def process_other_input(ctx: Context) -> None:
    """Typed text, a file or a contact where the step waits for a button."""
    if ctx.state == IDENTITY and ctx.incoming.contact is not None:
        await process_identity(ctx)
        return
    ctx.say(ctx.t(N_("Please use the buttons above, or press Cancel.")), [nav(ctx)])


# --- what it is about ----------------------------------------------------------------------


async def ask_subject(ctx: Context) -> None:
    if not await may_file_another(ctx):
        return
    if ctx.state not in STATES:
        ctx.goto(SUBJECT_UNIT, draft={})
    await show_units_page(ctx, 0)


async def show_units_page(ctx: Context, page: int) -> None:
    rows = await store.units_page(ctx.session, page=page, per_page=UNITS_PER_PAGE)
    if not rows:
        ctx.reset()
        ctx.say(ctx.t(N_("There are no units to complain about yet.")))
        return
    ctx.goto(SUBJECT_UNIT, draft={**draft(ctx), "unit_id": None, "worker_id": None})
    buttons = [
        [Button(name, ComplaintPick(action="unit", number=uid).pack())]
        for uid, name in rows[:UNITS_PER_PAGE]
    ]
    paging = []
    if page > 0:
        paging.append(
            Button(ctx.t(N_("« Previous")), ComplaintPick(action="units", number=page - 1).pack())
        )
    if len(rows) > UNITS_PER_PAGE:
        paging.append(
            Button(ctx.t(N_("Next »")), ComplaintPick(action="units", number=page + 1).pack())
        )
    if paging:
        buttons.append(paging)
    buttons.append(nav(ctx, back=False))
    intro = ctx.t(N_("Which unit is your complaint about?"))
    if await store.open_cycle(ctx.session) is None:
        intro = f"{ctx.t(OUTSIDE_GONGSHI)}\n\n{intro}"
    ctx.say(intro, buttons)


async def process_unit(ctx: Context, unit_id: int) -> None:
    unit = await ctx.session.get(Unit, unit_id)
    if unit is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(SUBJECT_WORKER, draft={**draft(ctx), "unit_id": unit.id, "worker_id": None})
    await _ask_worker(ctx, unit.name)


async def _ask_worker(ctx: Context, unit_name: str) -> None:
    ctx.say(
        ctx.t(
            N_(
                "{unit}: is the complaint about the unit itself, or about one worker? "
                "To name a worker, type their full name, or their name as the 公示 shows it "
                "(张*三)."
            ),
            unit=unit_name,
        ),
        [[Button(ctx.t(N_("The unit itself")), ComplaintStep(action="whole").pack())], nav(ctx)],
    )


async def process_subject(ctx: Context) -> None:
    """A worker's name typed after the unit was chosen: matched on its masked form, as the
    公示's search is, and counted against the same limits; the matches are shown masked."""
    text = (ctx.incoming.text or "").strip()
    unit_id = draft(ctx).get("unit_id")
    if not text or not isinstance(unit_id, int):
        await process_other_input(ctx)
        return
    if not search_allowed(ctx):
        return
    query = NameQuery.parse(text[:32])
    workers = await find_workers(ctx.session, unit_id=unit_id, query=query)
    if not workers:
        shown = query.surname or "、".join(sorted(query.forms)) or text
        ctx.say(
            ctx.t(
                N_(
                    "No worker of this unit is shown as “{masked}”. Type the full name, or the "
                    "name as the 公示 shows it."
                ),
                masked=shown,
            ),
            [
                [Button(ctx.t(N_("The unit itself")), ComplaintStep(action="whole").pack())],
                nav(ctx),
            ],
        )
        return
    posts = await store.post_titles(ctx.session, [w.id for w in workers if w.id is not None])
    buttons = [
        [
            Button(
                _worker_label(w, posts.get(w.id or 0)),
                ComplaintPick(action="worker", number=w.id or 0).pack(),
            )
        ]
        for w in workers
    ]
    ctx.say(ctx.t(N_("Which of them?")), [*buttons, nav(ctx)])


def _worker_label(worker: Worker, post: str | None) -> str:
    # Masked, as on the public list: the complainant picks a person, not learns a name.
    return f"{mask_name(worker.name)} · {post}" if post else mask_name(worker.name)


async def process_worker(ctx: Context, worker_id: int) -> None:
    worker = await ctx.session.get(Worker, worker_id)
    if worker is None or worker.unit_id != draft(ctx).get("unit_id"):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(CATEGORY, draft={**draft(ctx), "worker_id": worker.id})
    await ask_category(ctx)


async def process_whole_unit(ctx: Context) -> None:
    if not isinstance(draft(ctx).get("unit_id"), int):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(CATEGORY, draft={**draft(ctx), "worker_id": None})
    await ask_category(ctx)


# --- category, description -----------------------------------------------------------------


async def ask_category(ctx: Context) -> None:
    ctx.goto(CATEGORY)
    buttons = [
        [Button(ctx.t(c.label), ComplaintChoice(action="cat", key=c.key).pack())]
        for c in CATEGORIES
    ]
    hints = [ctx.t(c.hint) for c in CATEGORIES if c.hint]
    question = ctx.t(N_("What kind of problem is it?"))
    ctx.say("\n\n".join([question, *hints]), [*buttons, nav(ctx)])


async def process_category(ctx: Context, key: str) -> None:
    if key not in BY_KEY or ctx.state != CATEGORY:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(DESCRIPTION, draft={**draft(ctx), "category": key})
    await ask_description(ctx)


async def ask_description(ctx: Context) -> None:
    ctx.goto(DESCRIPTION)
    text = ctx.t(
        N_(
            "Describe what happened: when, where, who. Between {min} and {max} characters. "
            "Do not write your own name here if you want to stay anonymous."
        ),
        min=DESCRIPTION_MIN,
        max=DESCRIPTION_MAX,
    )
    category = BY_KEY.get(str(draft(ctx).get("category", "")))
    if category is not None and category.asks:
        text = f"{text}\n{ctx.t(category.asks)}"
    ctx.say(text, [nav(ctx)])


async def process_description(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.say(ctx.t(N_("Please type the description as a text message.")), [nav(ctx)])
        return
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        ctx.say(
            ctx.t(
                N_(
                    "Sorry, the description must be between {min} and {max} characters; "
                    "yours has {length}. Please send it again."
                ),
                min=DESCRIPTION_MIN,
                max=DESCRIPTION_MAX,
                length=len(text),
            ),
            [nav(ctx)],
        )
        return
    ctx.goto(EVIDENCE, draft={**draft(ctx), "description": text})
    await ask_evidence(ctx)


# --- anonymous or with contact, and confirm -------------------------------------------------


async def ask_identity(ctx: Context) -> None:
    ctx.goto(IDENTITY)
    ctx.say(
        ctx.t(
            N_(
                "Do you want to stay anonymous? You can follow the complaint with its ticket "
                "code either way. If you leave your contact, only the bureau's staff and "
                "investigators can see it, never the unit or the person you report."
            )
        ),
        [[Button(ctx.t(N_("Stay anonymous")), ComplaintStep(action="anon").pack())], nav(ctx)],
    )
    ctx.say(
        ctx.t(N_("Or press the button below to share your own phone number.")),
        request_contact=ctx.t(N_("Share my contact")),
    )


async def process_identity(ctx: Context) -> None:
    contact = ctx.incoming.contact
    if contact is None:
        await process_other_input(ctx)
        return
    # Telegram sets user_id to the sender's own id only for their own contact: anyone else's
    # phone book entry is refused, so nobody files in another person's name.
    if contact.user_id != ctx.user_id:
        ctx.say(
            ctx.t(N_("Please share your own contact with the button, not someone else's.")),
            [[Button(ctx.t(N_("Stay anonymous")), ComplaintStep(action="anon").pack())], nav(ctx)],
        )
        return
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    mine = {"user_id": ctx.user_id, "name": name[:128], "phone": contact.phone[:32]}
    ctx.goto(CONFIRM, draft={**draft(ctx), "contact": mine})
    ctx.say(ctx.t(N_("Thank you, contact received.")), remove_keyboard=True)
    await ask_confirm(ctx)


async def process_anonymous(ctx: Context) -> None:
    if ctx.state != IDENTITY:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(CONFIRM, draft={**draft(ctx), "contact": None})
    ctx.say(ctx.t(N_("You stay anonymous.")), remove_keyboard=True)
    await ask_confirm(ctx)


async def ask_confirm(ctx: Context) -> None:
    ctx.goto(CONFIRM)
    current = draft(ctx)
    unit = await ctx.session.get(Unit, current.get("unit_id") or 0)
    worker_id = current.get("worker_id")
    worker = await ctx.session.get(Worker, worker_id) if worker_id else None
    about = unit.name if unit else "?"
    if worker is not None:
        about = f"{about} · {mask_name(worker.name)}"
    who = ctx.t(N_("anonymous")) if not current.get("contact") else ctx.t(N_("with your contact"))
    text = ctx.t(
        N_(
            "Please check your complaint:\nAbout: {about}\nKind: {category}\n"
            "Evidence files: {count}\nYou: {who}\n\n{description}"
        ),
        about=about,
        category=ctx.t(BY_KEY[str(current.get("category", "other"))].label),
        count=len(current.get("evidence", [])),
        who=who,
        description=current.get("description", ""),
    )
    if await store.open_cycle(ctx.session) is None:
        text = f"{text}\n\n{ctx.t(OUTSIDE_GONGSHI)}"
    ctx.say(
        text,
        [
            [Button(ctx.t(N_("Send the complaint")), ComplaintStep(action="confirm").pack())],
            nav(ctx),
        ],
    )


async def process_confirm(ctx: Context) -> None:
    current = draft(ctx)
    if ctx.state != CONFIRM or not _complete(current):
        await _stale_confirm(ctx)
        return
    if not await may_file_another(ctx):
        return
    submitted = await filing.file_complaint(
        session=ctx.session,
        draft=_to_draft(current),
        user_id=ctx.user_id,
        language=ctx.language,
        now=ctx.clock.now(),
        calendar=work_calendar(ctx),
        threshold=ctx.deps.serious_complainants,
        secret_key=ctx.deps.secret_key,
    )
    ctx.reset()
    await _tell_ticket(ctx, submitted)


async def _stale_confirm(ctx: Context) -> None:
    """「提交」 pressed again, or after the bot restarted between saving a complaint and
    answering: a complaint sent a moment ago is named again, so its code is never lost."""
    latest = await store.own_complaints(ctx.session, user_id=ctx.user_id, limit=1)
    if latest and ctx.clock.now() - latest[0].submitted_at < RECENT_SUBMISSION:
        ctx.answer(ctx.t(ALREADY_SENT, code=latest[0].ticket_code), alert=True)
        return
    ctx.answer(ctx.t(STALE_BUTTON))


async def _tell_ticket(ctx: Context, submitted: filing.Submitted) -> None:
    lines = [
        ctx.t(
            N_(
                "Your complaint was sent. Your ticket code is {code}. Keep it: with /status "
                "{code} you can follow the complaint, anonymous or not."
            ),
            code=submitted.complaint.ticket_code,
        ),
        ctx.t(
            N_("It is held by: {office}. Expected acceptance by {date}."),
            office=ctx.t(OFFICES[submitted.case.route]),
            date=date_text(ctx.t, due) if (due := submitted.case.accept_due) else "—",
        ),
    ]
    if submitted.triage.general:
        lines.append(ctx.t(OUTSIDE_GONGSHI))
    ctx.say("\n\n".join(lines), [[back_to_menu(ctx.t)]])


def _complete(current: dict[str, Any]) -> bool:
    return (
        isinstance(current.get("unit_id"), int)
        and current.get("category") in BY_KEY
        and isinstance(current.get("description"), str)
    )


def _to_draft(current: dict[str, Any]) -> store.ComplaintDraft:
    contact = current.get("contact")
    return store.ComplaintDraft(
        unit_id=int(current["unit_id"]),
        worker_id=current.get("worker_id"),
        category=str(current["category"]),
        description=str(current["description"]),
        evidence=evidence_of(current.get("evidence", [])),
        contact=store.ContactDraft(**contact) if isinstance(contact, dict) else None,
    )
