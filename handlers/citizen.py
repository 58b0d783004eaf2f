"""The citizen's hotline: file a complaint, follow it by ticket code.

Steps: ``ask_subject`` (a unit from a paged list) → ``process_subject`` (the unit itself, or a
worker of it found by name, shown masked) → ``ask_category`` → ``process_category`` →
``ask_description`` → ``process_description`` → ``ask_evidence`` → ``process_evidence`` →
``ask_identity`` → ``process_identity`` → ``ask_confirm`` → ``process_confirm`` (ticket code).
Back and cancel at every step. ``ask_status_code`` → ``process_status_code`` (also
``/status CODE``).

The draft lives in the chat's conversation state, committed with every step, so a restart of
the bot loses nothing. Everything is throttled per user (domain.complaints.HotlineLimits).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from domain import cases as rules
from domain.complaints import (
    BY_KEY,
    CATEGORIES,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    EVIDENCE_TYPES,
    MAX_EVIDENCE,
    OFFICES,
    HotlineLimits,
    acceptance_due,
    check_evidence,
    normalize_ticket_code,
    sniff,
)
from domain.masking import mask_name
from domain.workdays import UnknownYearError
from handlers.context import Context
from handlers.core import Router
from handlers.hotline import alert_case, alert_escalated
from handlers.name_search import search_allowed
from messages.i18n import N_
from messages.replies import Button
from services.files import FileFetcher, FileTooLarge, FileUnavailable
from storage import complaints as store
from storage.models import Result, Unit, Worker
from storage.name_search import NameQuery, find_workers

log = logging.getLogger(__name__)

# The conversation's states, declared once.
SUBJECT_UNIT = "complaint_unit"
SUBJECT_WORKER = "complaint_subject"
CATEGORY = "complaint_category"
DESCRIPTION = "complaint_description"
EVIDENCE = "complaint_evidence"
IDENTITY = "complaint_identity"
CONFIRM = "complaint_confirm"
STATUS_CODE = "status_code"
RECENT_SUBMISSION = timedelta(hours=1)
ALREADY_SENT = N_("Your complaint was already sent. Its ticket code is {code}.")
OWN_COMPLAINT = N_("{code} · sent {day}")
OWN_OR_CODE = N_(
    "Your complaints are below: press one to see where it stands, or send a ticket code."
)
STATES = (SUBJECT_UNIT, SUBJECT_WORKER, CATEGORY, DESCRIPTION, EVIDENCE, IDENTITY, CONFIRM)

UNITS_PER_PAGE = 8
STALE = N_("This button is no longer valid. Send /start for the menu.")
TOO_FAST = N_(
    "You are sending messages faster than the hotline can take them. Please wait a minute "
    "and try again; nothing you said before is lost."
)
TOO_MANY = N_(
    "You have filed {limit} complaints in the last 24 hours, the most the hotline takes from "
    "one person in a day. Please try again tomorrow, or call the bureau's hotline desk."
)
OUTSIDE_GONGSHI = N_(
    "No public notice is open right now. The hotline still takes your complaint: it goes to "
    "the employment bureau's desk as a general complaint."
)

Step = Callable[[Context], Awaitable[None]]


def router() -> Router:
    r = Router()
    r.command("complain")(throttled(ask_subject))
    r.command("status")(throttled(status_command))
    r.button("cp")(throttled(process_button))
    r.state(SUBJECT_UNIT, CATEGORY, IDENTITY, CONFIRM)(throttled(process_other_input))
    r.state(SUBJECT_WORKER)(throttled(process_subject))
    r.state(DESCRIPTION)(throttled(process_description))
    r.state(EVIDENCE)(throttled(process_evidence))
    r.state(STATUS_CODE)(throttled(process_status_code))
    r.deep_link("c_", start_from_entry, fresh=True)
    return r


def limits(ctx: Context) -> HotlineLimits:
    return ctx.deps.hotline_limits


def throttled(step: Step) -> Step:
    """At most so many hotline messages a minute per user, answered, never dropped silently."""

    async def guarded(ctx: Context) -> None:
        throttle = ctx.deps.hotline_throttle
        if throttle is not None and not throttle.allow(ctx.user_id, ctx.clock.now()):
            if ctx.incoming.button is not None:
                ctx.answer(ctx.t(TOO_FAST), alert=True)
            else:
                ctx.say(ctx.t(TOO_FAST))
            return
        await step(ctx)

    guarded.__name__ = step.__name__
    return guarded


def draft(ctx: Context) -> dict[str, Any]:
    found = ctx.data.get("draft")
    return dict(found) if isinstance(found, dict) else {}


def nav(ctx: Context, *, back: bool = True) -> list[Button]:
    row = [Button(ctx.t(N_("« Back")), "cp:back")] if back else []
    return [*row, Button(ctx.t(N_("Cancel")), "cp:cancel")]


# --- buttons -------------------------------------------------------------------------------


async def process_button(ctx: Context) -> None:
    action, _, argument = (ctx.incoming.button or "").partition(":")[2].partition(":")
    simple: dict[str, Step] = {
        "new": ask_subject,
        "status": ask_status_code,
        "back": go_back,
        "cancel": cancel,
        "whole": process_whole_unit,
        "evdone": ask_identity,
        "anon": process_anonymous,
        "confirm": process_confirm,
    }
    with_argument: dict[str, Callable[[Context, str], Awaitable[None]]] = {
        "units": show_units_page,
        "unit": process_unit,
        "worker": process_worker,
        "cat": process_category,
        "code": show_status,
    }
    if action in simple and not argument:
        await simple[action](ctx)
    elif action in with_argument and argument:
        await with_argument[action](ctx, argument)
    else:
        ctx.answer(ctx.t(STALE))


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
        ctx.answer(ctx.t(STALE))
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
    if not await _may_file_another(ctx):
        return
    if ctx.state not in STATES:
        ctx.goto(SUBJECT_UNIT, draft={})
    await show_units_page(ctx, "0")


async def show_units_page(ctx: Context, argument: str) -> None:
    if not argument.isdigit():
        ctx.answer(ctx.t(STALE))
        return
    page = int(argument)
    rows = await store.units_page(ctx.session, page=page, per_page=UNITS_PER_PAGE)
    if not rows:
        ctx.reset()
        ctx.say(ctx.t(N_("There are no units to complain about yet.")))
        return
    ctx.goto(SUBJECT_UNIT, draft={**draft(ctx), "unit_id": None, "worker_id": None})
    buttons = [[Button(name, f"cp:unit:{uid}")] for uid, name in rows[:UNITS_PER_PAGE]]
    paging = []
    if page > 0:
        paging.append(Button(ctx.t(N_("« Previous")), f"cp:units:{page - 1}"))
    if len(rows) > UNITS_PER_PAGE:
        paging.append(Button(ctx.t(N_("Next »")), f"cp:units:{page + 1}"))
    if paging:
        buttons.append(paging)
    buttons.append(nav(ctx, back=False))
    intro = ctx.t(N_("Which unit is your complaint about?"))
    if await store.open_cycle(ctx.session) is None:
        intro = f"{ctx.t(OUTSIDE_GONGSHI)}\n\n{intro}"
    ctx.say(intro, buttons)


async def process_unit(ctx: Context, argument: str) -> None:
    unit = await ctx.session.get(Unit, int(argument)) if argument.isdigit() else None
    if unit is None:
        ctx.answer(ctx.t(STALE))
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
        [[Button(ctx.t(N_("The unit itself")), "cp:whole")], nav(ctx)],
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
            [[Button(ctx.t(N_("The unit itself")), "cp:whole")], nav(ctx)],
        )
        return
    posts = await _post_titles(ctx, [w.id for w in workers if w.id is not None])
    buttons = [
        [Button(_worker_label(w, posts.get(w.id or 0)), f"cp:worker:{w.id}")] for w in workers
    ]
    ctx.say(ctx.t(N_("Which of them?")), [*buttons, nav(ctx)])


def _worker_label(worker: Worker, post: str | None) -> str:
    # Masked, as on the public list: the complainant picks a person, not learns a name.
    return f"{mask_name(worker.name)} · {post}" if post else mask_name(worker.name)


async def _post_titles(ctx: Context, worker_ids: list[int]) -> dict[int, str]:
    from sqlmodel import col, select

    if not worker_ids:
        return {}
    rows = await ctx.session.execute(
        select(Result.worker_id, Result.post_title)
        .where(col(Result.worker_id).in_(worker_ids))
        .order_by(col(Result.cycle_id))
    )
    return {int(w): str(p) for w, p in rows.all()}


async def process_worker(ctx: Context, argument: str) -> None:
    worker = await ctx.session.get(Worker, int(argument)) if argument.isdigit() else None
    if worker is None or worker.unit_id != draft(ctx).get("unit_id"):
        ctx.answer(ctx.t(STALE))
        return
    ctx.goto(CATEGORY, draft={**draft(ctx), "worker_id": worker.id})
    await ask_category(ctx)


async def process_whole_unit(ctx: Context) -> None:
    if not isinstance(draft(ctx).get("unit_id"), int):
        ctx.answer(ctx.t(STALE))
        return
    ctx.goto(CATEGORY, draft={**draft(ctx), "worker_id": None})
    await ask_category(ctx)


async def start_from_entry(ctx: Context, entry: str) -> None:
    """``/start c_<result id>``: the complaint button of a 公示 entry names the worker."""
    result = await ctx.session.get(Result, int(entry)) if entry.isdigit() else None
    if result is None:
        await ask_subject(ctx)
        return
    if not await _may_file_another(ctx):
        return
    ctx.goto(CATEGORY, draft={"unit_id": result.unit_id, "worker_id": result.worker_id})
    await ask_category(ctx)


# --- category, description, evidence ---------------------------------------------------------


async def ask_category(ctx: Context) -> None:
    ctx.goto(CATEGORY)
    buttons = [[Button(ctx.t(c.label), f"cp:cat:{c.key}")] for c in CATEGORIES]
    ctx.say(ctx.t(N_("What kind of problem is it?")), [*buttons, nav(ctx)])


async def process_category(ctx: Context, key: str) -> None:
    if key not in BY_KEY or ctx.state != CATEGORY:
        ctx.answer(ctx.t(STALE))
        return
    ctx.goto(DESCRIPTION, draft={**draft(ctx), "category": key})
    await ask_description(ctx)


async def ask_description(ctx: Context) -> None:
    ctx.goto(DESCRIPTION)
    ctx.say(
        ctx.t(
            N_(
                "Describe what happened: when, where, who. Between {min} and {max} characters. "
                "Do not write your own name here if you want to stay anonymous."
            ),
            min=DESCRIPTION_MIN,
            max=DESCRIPTION_MAX,
        ),
        [nav(ctx)],
    )


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


async def ask_evidence(ctx: Context) -> None:
    ctx.goto(EVIDENCE)
    count = len(draft(ctx).get("evidence", []))
    ctx.say(
        ctx.t(
            N_(
                "Evidence is optional: send up to {max} photos or documents (JPEG, PNG, PDF, "
                "DOCX, XLSX; at most {mb} MB each). Files so far: {count}. Press Continue when "
                "done."
            ),
            max=MAX_EVIDENCE,
            mb=ctx.settings.max_upload_mb,
            count=count,
        ),
        [[Button(ctx.t(N_("Continue")), "cp:evdone")], nav(ctx)],
    )


async def process_evidence(ctx: Context) -> None:
    ref = ctx.incoming.file
    if ref is None:
        ctx.say(ctx.t(N_("Send a photo or a document, or press Continue.")), _evidence_buttons(ctx))
        return
    current = draft(ctx)
    evidence = list(current.get("evidence", []))
    if len(evidence) >= MAX_EVIDENCE:
        ctx.say(
            ctx.t(
                N_("That is already {max} files, the most one complaint takes."), max=MAX_EVIDENCE
            ),
            _evidence_buttons(ctx),
        )
        return
    mime, problem = check_evidence(
        kind=ref.kind,
        file_name=ref.file_name,
        mime_type=ref.mime_type,
        size=ref.size,
        max_bytes=ctx.settings.max_upload_mb * 1024 * 1024,
    )
    if problem == "size":
        message = N_("That file is larger than {mb} MB. Please send a smaller one.")
        ctx.say(ctx.t(message, mb=ctx.settings.max_upload_mb), _evidence_buttons(ctx))
        return
    if mime is None:
        message = N_("That type of file is not accepted. Send JPEG, PNG, PDF, DOCX or XLSX.")
        ctx.say(ctx.t(message), _evidence_buttons(ctx))
        return
    item: dict[str, Any] = {
        "file_id": ref.file_id,
        "kind": ref.kind,
        "mime": mime,
        "size": ref.size,
    }
    fetcher = ctx.deps.files
    if fetcher is not None:
        kept = await _keep_evidence(ctx, fetcher, ref.file_id)
        if kept is None:
            return
        item.update(kept)
    evidence.append(item)
    ctx.goto(EVIDENCE, draft={**current, "evidence": evidence})
    ctx.say(
        ctx.t(
            N_("File received ({count} of at most {max})."), count=len(evidence), max=MAX_EVIDENCE
        ),
        _evidence_buttons(ctx),
    )


async def _keep_evidence(ctx: Context, fetcher: FileFetcher, file_id: str) -> dict[str, Any] | None:
    """Download the file, check its content is one of the accepted types and keep it, named
    by its SHA-256, so officials can open it later; None (the user told why) if refused."""
    max_mb = ctx.settings.max_upload_mb
    try:
        content = await fetcher.fetch(file_id, max_bytes=max_mb * 1024 * 1024)
    except FileTooLarge:
        message = N_("That file is larger than {mb} MB. Please send a smaller one.")
        ctx.say(ctx.t(message, mb=max_mb), _evidence_buttons(ctx))
        return None
    except FileUnavailable:
        log.warning("evidence file could not be downloaded", exc_info=True)
        message = N_("That file could not be received. Please send it again.")
        ctx.say(ctx.t(message), _evidence_buttons(ctx))
        return None
    mime = sniff(content)
    if mime not in EVIDENCE_TYPES:
        message = N_(
            "The content of that file is not a JPEG, PNG, PDF, DOCX or XLSX file, whatever its "
            "name says, so it is not accepted."
        )
        ctx.say(ctx.t(message), _evidence_buttons(ctx))
        return None
    digest = hashlib.sha256(content).hexdigest()
    folder = ctx.deps.evidence_dir
    path = folder / digest[:2] / f"{digest}{EVIDENCE_TYPES[mime][0]}"
    await asyncio.to_thread(_write_once, path, content)
    return {"mime": mime, "size": len(content), "sha256": digest, "stored_path": str(path)}


def _write_once(path: Path, content: bytes) -> None:
    """Content-addressed: the same bytes are kept once; written whole or not at all."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    partial.write_bytes(content)
    os.replace(partial, path)


def _evidence_buttons(ctx: Context) -> list[list[Button]]:
    return [[Button(ctx.t(N_("Continue")), "cp:evdone")], nav(ctx)]


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
        [[Button(ctx.t(N_("Stay anonymous")), "cp:anon")], nav(ctx)],
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
            [[Button(ctx.t(N_("Stay anonymous")), "cp:anon")], nav(ctx)],
        )
        return
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    mine = {"user_id": ctx.user_id, "name": name[:128], "phone": contact.phone[:32]}
    ctx.goto(CONFIRM, draft={**draft(ctx), "contact": mine})
    ctx.say(ctx.t(N_("Thank you, contact received.")), remove_keyboard=True)
    await ask_confirm(ctx)


async def process_anonymous(ctx: Context) -> None:
    if ctx.state != IDENTITY:
        ctx.answer(ctx.t(STALE))
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
    ctx.say(text, [[Button(ctx.t(N_("Send the complaint")), "cp:confirm")], nav(ctx)])


async def process_confirm(ctx: Context) -> None:
    current = draft(ctx)
    if ctx.state != CONFIRM or not _complete(current):
        await _stale_confirm(ctx)
        return
    if not await _may_file_another(ctx):
        return
    now = ctx.clock.now()
    cycle = await store.open_cycle(ctx.session)
    submitted = await store.submit_complaint(
        session=ctx.session,
        draft=_to_draft(current),
        user_id=ctx.user_id,
        language=ctx.language,
        now=now,
        accept_due=_accept_due(ctx, in_gongshi=cycle is not None),
        threshold=ctx.settings.serious_complainants,
        secret_key=ctx.settings.secret_key.get_secret_value(),
    )
    await alert_case(
        ctx.session,
        case=submitted.case,
        complaint=submitted.complaint,
        general=submitted.triage.general,
        evidence=len(current.get("evidence", [])),
    )
    for earlier in submitted.escalated:
        await alert_escalated(ctx.session, case=earlier, complainants=submitted.complainants)
    ctx.reset()
    await _tell_ticket(ctx, submitted)


async def _stale_confirm(ctx: Context) -> None:
    """「提交」 pressed again, or after the bot restarted between saving a complaint and
    answering: a complaint sent a moment ago is named again, so its code is never lost."""
    latest = await store.own_complaints(ctx.session, user_id=ctx.user_id, limit=1)
    if latest and ctx.clock.now() - latest[0].submitted_at < RECENT_SUBMISSION:
        ctx.answer(ctx.t(ALREADY_SENT, code=latest[0].ticket_code), alert=True)
        return
    ctx.answer(ctx.t(STALE))


async def _tell_ticket(ctx: Context, submitted: store.Submitted) -> None:
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
            date=str(submitted.case.accept_due or "—"),
        ),
    ]
    if submitted.triage.general:
        lines.append(ctx.t(OUTSIDE_GONGSHI))
    ctx.say("\n\n".join(lines), [[Button(ctx.t(N_("Back to the menu")), "menu:home")]])


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
        evidence=[
            store.Evidence(
                e["file_id"],
                e["kind"],
                e["mime"],
                int(e.get("size") or 0),
                sha256=str(e.get("sha256") or ""),
                stored_path=str(e.get("stored_path") or ""),
            )
            for e in current.get("evidence", [])
        ],
        contact=store.ContactDraft(**contact) if isinstance(contact, dict) else None,
    )


def _accept_due(ctx: Context, *, in_gongshi: bool) -> date | None:
    work = ctx.deps.calendar
    today = ctx.clock.today()
    try:
        return acceptance_due(today, in_gongshi=in_gongshi, add_workdays=work.add_workdays)
    except UnknownYearError:
        # Never guess working days: the complaint is taken without a due date, and the
        # admins are already asked every day to supply the year's calendar file.
        log.warning("no working-day calendar for %s: case taken without a due date", today.year)
        return None


async def _may_file_another(ctx: Context) -> bool:
    allowed = limits(ctx).complaints_per_day
    since = store.day_ago(ctx.clock.now())
    filed = await store.complaints_since(
        ctx.session,
        user_id=ctx.user_id,
        since=since,
        secret_key=ctx.settings.secret_key.get_secret_value(),
    )
    if filed < allowed:
        return True
    ctx.reset()
    ctx.say(ctx.t(TOO_MANY, limit=allowed), [[Button(ctx.t(N_("Back to the menu")), "menu:home")]])
    return False


# --- following a complaint -----------------------------------------------------------------

# The public steps of a case as the complainant reads them: the officials' names, except
# where the complainant is better told what it means for them.
ACTION_NAMES = {
    **rules.STEP_NAMES,
    "assign": N_("investigation started"),
    "reply": N_("the bureau replied (see the message in this chat)"),
}


async def ask_status_code(ctx: Context) -> None:
    ctx.goto(STATUS_CODE)
    mine = await store.own_complaints(ctx.session, user_id=ctx.user_id)
    zone = ctx.clock.now().tzinfo
    rows = [
        [
            Button(
                ctx.t(
                    OWN_COMPLAINT,
                    code=own.ticket_code,
                    day=own.submitted_at.astimezone(zone).date(),
                ),
                f"cp:code:{own.ticket_code}",
            )
        ]
        for own in mine
    ]
    ask = OWN_OR_CODE if mine else N_("Send the 8-character ticket code of your complaint.")
    ctx.say(ctx.t(ask), [*rows, nav(ctx)])


async def status_command(ctx: Context) -> None:
    if not ctx.incoming.argument.strip():
        await ask_status_code(ctx)
        return
    await show_status(ctx, ctx.incoming.argument)


async def process_status_code(ctx: Context) -> None:
    await show_status(ctx, ctx.incoming.text or "")


async def show_status(ctx: Context, typed: str) -> None:
    now = ctx.clock.now()
    allowed = limits(ctx).wrong_codes_per_hour
    wrong = await store.wrong_codes_since(
        ctx.session, user_id=ctx.user_id, since=now - timedelta(hours=1)
    )
    if wrong >= allowed:
        message = N_("Too many wrong codes. Please check your code and try again in an hour.")
        ctx.say(ctx.t(message))
        return
    code = normalize_ticket_code(typed)
    found = await store.status_by_code(ctx.session, code) if code else None
    if found is None:
        await store.record_wrong_code(ctx.session, user_id=ctx.user_id, now=now)
        ctx.say(ctx.t(N_("No complaint has that code. Please check it and send it again.")))
        return
    ctx.reset()
    ctx.say(_status_text(ctx, found), [[Button(ctx.t(N_("Back to the menu")), "menu:home")]])


def _status_text(ctx: Context, found: store.Status) -> str:
    case = found.case
    expected = case.accept_due if case.state == "submitted" else case.conclude_due
    history = "\n".join(
        f"{event.at.astimezone(ctx.clock.now().tzinfo).date()} "
        f"{ctx.t(ACTION_NAMES.get(event.action, event.action))}"
        for event in found.history
    )
    return ctx.t(
        N_("State: {state}\nHeld by: {office}\nExpected by: {date}\n\nHistory:\n{history}"),
        state=ctx.t(rules.STATE_NAMES.get(case.state, case.state)),
        office=ctx.t(OFFICES.get(case.route, case.route)),
        date=str(expected) if expected else "—",
        history=history or "—",
    )
