"""The finding step's end: after the finding (属实 / 部分属实 / 不属实) and the typed handling
opinion (handlers.cases), the consequences the opinion decides.

Steps: ``process_opinion`` → (a serious case's confirmed or partly confirmed finding)
``ask_consequences``: toggle buttons for the plan's list, several allowed, then 确认 →
``process_pick``; for a fraud case (七(五)) ``ask_responsible`` → ``process_responsible`` →
``process_sanction``; then ``record``, which calls ``services.cases.record_finding``. Any other
finding is recorded at once, with no consequence.

The choice lives in the chat's state until it is confirmed; the use case checks everything
again, so a forged press changes nothing it would refuse.
"""

from __future__ import annotations

from typing import Any

from domain import consequences as handling
from handlers import case_scope as scope
from handlers.case_card import DONE, refusal_text, show_card
from handlers.case_scope import DESK_ROLES
from handlers.context import Context
from handlers.core import Router
from messages import callbacks_cases as buttons
from messages import callbacks_findings as picks
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON
from services import cases as steps
from storage.models import Case

CONSEQUENCES = "case_consequences"
RESPONSIBLE = "case_responsible"
SANCTION = "case_sanction"
PENDING = "finding_step"

ASK_CONSEQUENCES = N_(
    "Case #{case}, finding {finding}: which consequences does the handling opinion decide? "
    "Press each that applies (several allowed), then Confirm. Only these take effect: the "
    "renewal, the subsidies, the post quota and the unit's task follow them."
)
ASK_RESPONSIBLE = N_(
    "Case #{case} is about fraud (弄虚作假、套取资金): type the person responsible (name and post)."
)
ASK_SANCTION = N_("Case #{case}: type the sanction decided for {person}.")
PRESS_THE_BUTTONS = N_("Please press the consequences that apply, then Confirm.")
TYPE_IT = N_("Please type it, or press Cancel.")
CONFIRM = N_("Confirm")
CHOSEN = N_("✅ {name}")
TOO_LONG = N_("That is {n} characters; it may have {max}. Please shorten it.")


def router() -> Router:
    r = Router()
    r.button(picks.ConsequencePick.prefix, roles=DESK_ROLES)(process_pick)
    r.state(CONSEQUENCES, roles=DESK_ROLES)(process_typed_while_picking)
    r.state(RESPONSIBLE, roles=DESK_ROLES)(process_responsible)
    r.state(SANCTION, roles=DESK_ROLES)(process_sanction)
    return r


async def process_opinion(ctx: Context, case_id: int, *, finding: str, opinion: str) -> None:
    """The opinion is typed: ask its consequences, or record a finding that has none."""
    ctx.reset()
    case = await ctx.session.get(Case, case_id)
    if case is None or not handling.asks_consequences(finding=finding, severity=case.severity):
        await record(ctx, case_id, {"finding": finding, "opinion": opinion})
        return
    pending = {"case": case_id, "finding": finding, "opinion": opinion, "picked": []}
    ctx.goto(CONSEQUENCES, **{PENDING: pending})
    ask_consequences(ctx, pending, edit=False)


def ask_consequences(
    ctx: Context, pending: dict[str, Any], *, edit: bool, hint: str | None = None
) -> None:
    case_id, picked = int(pending["case"]), set(pending["picked"])
    rows = [
        [
            Button(
                ctx.t(CHOSEN, name=ctx.t(c.name)) if c.key in picked else ctx.t(c.name),
                picks.toggle(case_id, c.key),
            )
        ]
        for c in handling.CONSEQUENCES
    ]
    rows.append(
        [
            Button(ctx.t(CONFIRM), picks.confirm(case_id)),
            Button(ctx.t(N_("Cancel")), buttons.action("x", case_id)),
        ]
    )
    text = ctx.t(ASK_CONSEQUENCES, case=case_id, finding=pending["finding"])
    ctx.say(f"{ctx.t(hint)}\n\n{text}" if hint else text, rows, edit=edit)


def _pending(ctx: Context, case_id: int, state: str) -> dict[str, Any] | None:
    pending = ctx.data.get(PENDING)
    if ctx.state != state or not isinstance(pending, dict) or pending.get("case") != case_id:
        return None
    return pending


async def process_pick(ctx: Context) -> None:
    pressed = picks.ConsequencePick.parse(ctx.incoming.button)
    pending = _pending(ctx, pressed.case_id, CONSEQUENCES) if pressed else None
    if pressed is None or pending is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    if pressed.pick != picks.CONFIRM:
        picked = set(pending["picked"]) ^ {pressed.pick}
        pending = {**pending, "picked": [c.key for c in handling.in_order(picked)]}
        ctx.goto(CONSEQUENCES, **{PENDING: pending})
        ask_consequences(ctx, pending, edit=True)
        return
    ctx.answer(ctx.t(DONE))
    case = await ctx.session.get(Case, pressed.case_id)
    if case is not None and handling.asks_responsible(
        category=case.category, finding=str(pending["finding"])
    ):
        ctx.goto(RESPONSIBLE, **{PENDING: pending})
        _ask(ctx, ASK_RESPONSIBLE, pressed.case_id)
        return
    ctx.reset()
    await record(ctx, pressed.case_id, pending)


async def process_typed_while_picking(ctx: Context) -> None:
    """A text while the picker waits: the picker again, as it stands, below it."""
    pending = ctx.data.get(PENDING)
    if not isinstance(pending, dict):
        ctx.reset()
        ctx.say(ctx.t(STALE_BUTTON))
        return
    ask_consequences(ctx, pending, edit=False, hint=PRESS_THE_BUTTONS)


async def process_responsible(ctx: Context) -> None:
    pending = ctx.data.get(PENDING)
    person = _typed(ctx, handling.RESPONSIBLE_MAX)
    if not isinstance(pending, dict) or person is None:
        return
    pending = {**pending, "responsible": person}
    ctx.goto(SANCTION, **{PENDING: pending})
    _ask(ctx, ASK_SANCTION, int(pending["case"]), person=person)


async def process_sanction(ctx: Context) -> None:
    pending = ctx.data.get(PENDING)
    sanction = _typed(ctx, handling.SANCTION_MAX)
    if not isinstance(pending, dict) or sanction is None:
        return
    ctx.reset()
    await record(ctx, int(pending["case"]), {**pending, "sanction": sanction})


def _ask(ctx: Context, message: str, case_id: int, **fields: str) -> None:
    ctx.say(
        ctx.t(message, case=case_id, **fields),
        [[Button(ctx.t(N_("Cancel")), buttons.action("x", case_id))]],
    )


def _typed(ctx: Context, limit: int) -> str | None:
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.say(ctx.t(TYPE_IT))
        return None
    if len(text) > limit:
        ctx.say(ctx.t(TOO_LONG, n=len(text), max=limit))
        return None
    return text


async def record(ctx: Context, case_id: int, pending: dict[str, Any]) -> None:
    """The finding with its consequences, as the role the user sees the case in; a refusal
    is said (the use case has logged it)."""
    case = await ctx.session.get(Case, case_id)
    actor = (await scope.actor_for(ctx, case) if case is not None else None) or scope.actors(ctx)[0]
    try:
        await steps.record_finding(
            session=ctx.session,
            case_id=case_id,
            actor=actor,
            now=ctx.clock.now(),
            finding=str(pending.get("finding")),
            opinion=str(pending.get("opinion")),
            calendar=ctx.deps.calendar,
            consequences=[str(key) for key in pending.get("picked", [])],
            responsible=str(pending.get("responsible", "")),
            sanction=str(pending.get("sanction", "")),
        )
    except steps.CaseRefused as refused:
        ctx.say(refusal_text(ctx, refused.reason))
    else:
        ctx.say(ctx.t(DONE))
    await show_card(ctx, case_id, edit=False)
