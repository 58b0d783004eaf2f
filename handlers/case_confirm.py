"""What an official is shown before a case's words leave the office: 办结 and 不予受理 are
confirmed after reading what the complainant will be told, and the free text that goes to an
anonymous complainant (a reply, a reason) or into the public 处理意见书 (the handling
opinion) is checked for personal information (domain.disclosure): a full name of the worker
or the complainant, an ID number or a telephone number found is pointed out, with the masked
version to use instead, or the text is confirmed as typed (audited).

Steps: ``ask_close`` → 「确认办结」; ``review_text`` (from handlers.cases.process_text) →
at once when nothing is found and nothing needs confirming, else 「按原文」/「使用打码版本」
→ ``process_confirm``.
"""

from __future__ import annotations

from typing import Any

from domain import disclosure
from handlers import case_finding
from handlers.case_card import DONE, may_take, refusal_text, show_card, take_step
from handlers.case_scope import DESK_ROLES
from handlers.context import Context
from handlers.core import Router
from messages import callbacks_cases as buttons
from messages.callbacks_desk import CaseConfirm
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON
from services import cases as steps
from services.case_steps import ASK_RATING, TOLD_CLOSED, TOLD_REJECTED
from storage import case_desk as desk
from storage.audit import audit
from storage.complaints import contact_of_case

CONFIRMING = "case_confirm"
PENDING = "case_confirm"

CLOSE_PREVIEW = N_(
    "Case #{case}: on closing (办结) the complainant is told:\n\n{told}\n\nClose it?"
)
REJECT_PREVIEW = N_("Case #{case}: the complainant is told:\n\n{told}\n\nNot accept the case?")
NO_CHAT = N_(
    "This complainant cannot be told in the bot (logged from a call, a letter or a visit, "
    "or no longer linked): tell them the way they came."
)
FOUND = N_(
    "Case #{case}: this text holds personal information, which must not reach {where}:\n"
    "{items}\n\nMasked, it reads:\n{masked}"
)
WHERE = {
    "record_finding": N_("the public handling opinion (处理意见书)"),
    "reply": N_("an anonymous complainant"),
    "reject": N_("an anonymous complainant"),
}
KINDS = {"name": N_("full name"), "id": N_("ID number"), "phone": N_("telephone number")}
ITEM = N_("• {kind}: {text} → {masked}")
CONFIRM_CLOSE = N_("Confirm: close it (办结)")
CONFIRM_REJECT = N_("Not accept it (不予受理)")
USE_MASKED = N_("Use the masked version")
AS_TYPED = N_("Keep it as typed (confirmed)")
PRESS = N_("Please press one of the buttons above, or Cancel.")


def router() -> Router:
    r = Router()
    r.button(CaseConfirm.prefix, roles=DESK_ROLES)(process_confirm)
    r.state(CONFIRMING, roles=DESK_ROLES)(process_typed)
    return r


def _cancel(ctx: Context, case_id: int) -> Button:
    return Button(ctx.t(N_("Cancel")), buttons.action("x", case_id))


async def ask_close(ctx: Context, case_id: int) -> None:
    """办结, once the official has read what the complainant will be told."""
    if not await may_take(ctx, case_id, "close"):
        return
    found = await desk.card(ctx.session, case_id)
    assert found is not None
    case, complaint = found.case, found.complaint
    told = ctx.t(
        TOLD_CLOSED,
        code=complaint.ticket_code,
        finding=case.finding or "—",
        opinion=case.opinion or "—",
    )
    if case.rating is None:
        told = f"{told}\n\n{ctx.t(ASK_RATING)}"
    text = ctx.t(CLOSE_PREVIEW, case=case_id, told=told)
    if complaint.submitted_by is None:
        text = f"{text}\n\n{ctx.t(NO_CHAT)}"
    ctx.goto(CONFIRMING, **{PENDING: {"case": case_id, "action": "close"}})
    ok = CaseConfirm(action="ok", case_id=case_id).pack()
    ctx.say(text, [[Button(ctx.t(CONFIRM_CLOSE), ok), _cancel(ctx, case_id)]], edit=False)


async def review_text(ctx: Context, case_id: int, action: str, text: str, **extra: Any) -> None:
    """The typed text of ``action`` (reject, reply, record_finding), checked and, where it
    must be, confirmed before it is used."""
    found = await desk.card(ctx.session, case_id)
    if found is None:
        ctx.reset()
        ctx.say(refusal_text(ctx, "missing"))
        return
    contact = await contact_of_case(ctx.session, case_id)
    names = [found.worker_name or ""] + ([contact[1].name] if contact and contact[1] else [])
    # A reply or a reason reaches the complainant only; checked when they are anonymous. The
    # opinion goes into the public 处理意见书 whoever complained.
    checked = action == "record_finding" or found.complaint.anonymous
    findings = disclosure.find(text, names=names) if checked else []
    if not findings and action != "reject":
        ctx.reset()
        await _proceed(ctx, case_id, action, text, extra)
        return
    pending = {
        "case": case_id,
        "action": action,
        "text": text,
        "masked": disclosure.masked(text, findings),
        "kinds": sorted({f.kind for f in findings}),
        **extra,
    }
    ctx.goto(CONFIRMING, **{PENDING: pending})
    t, parts = ctx.t, []
    if findings:
        items = "\n".join(
            t(ITEM, kind=t(KINDS[f.kind]), text=f.text, masked=f.masked) for f in findings
        )
        parts.append(
            t(FOUND, case=case_id, where=t(WHERE[action]), items=items, masked=pending["masked"])
        )
    if action == "reject":
        told = t(TOLD_REJECTED, code=found.complaint.ticket_code, reason=pending["masked"])
        parts.append(t(REJECT_PREVIEW, case=case_id, told=told))
    ok = CaseConfirm(action="ok", case_id=case_id).pack()
    mask = CaseConfirm(action="mask", case_id=case_id).pack()
    rows = []
    if findings:
        rows = [[Button(t(USE_MASKED), mask)], [Button(t(AS_TYPED), ok)]]
    else:
        rows = [[Button(t(CONFIRM_REJECT), ok)]]
    rows.append([_cancel(ctx, case_id)])
    ctx.say("\n\n".join(parts), rows)


async def process_confirm(ctx: Context) -> None:
    pressed = CaseConfirm.parse(ctx.incoming.button)
    pending = ctx.data.get(PENDING)
    if (
        pressed is None
        or ctx.state != CONFIRMING
        or not isinstance(pending, dict)
        or pending.get("case") != pressed.case_id
    ):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.reset()
    case_id, action = pressed.case_id, str(pending["action"])
    if action == "close":
        if await take_step(ctx, case_id, steps.close, font_file=ctx.deps.pdf_font):
            ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id, edit=False)
        return
    text = str(pending["masked"] if pressed.action == "mask" else pending["text"])
    if pressed.action == "ok" and pending.get("kinds"):
        audit(
            ctx.session,
            action="personal_info_kept",
            actor_user_id=ctx.user_id,
            target_type="case",
            target_id=case_id,
            at=ctx.clock.now(),
            step=action,
            kinds=list(pending["kinds"]),
        )
    ctx.answer(ctx.t(DONE))
    await _proceed(ctx, case_id, action, text, pending)


async def _proceed(
    ctx: Context, case_id: int, action: str, text: str, extra: dict[str, Any]
) -> None:
    if action == "record_finding":
        await case_finding.process_opinion(
            ctx, case_id, finding=str(extra.get("finding")), opinion=text
        )
        return
    step = steps.reject if action == "reject" else steps.reply
    kw = {"reason": text} if action == "reject" else {"text": text}
    if await take_step(ctx, case_id, step, **kw):
        ctx.say(ctx.t(DONE))
    await show_card(ctx, case_id, edit=False)


async def process_typed(ctx: Context) -> None:
    ctx.say(ctx.t(PRESS))
