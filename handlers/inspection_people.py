"""The administrator's inspection groups in chat (city plan 二), as `gongshi inspection member`
and `invite` do on the command line and through the same use cases: each group's members with
where their invitation stands; a member added (name, post, department, leader or not) and their
one-time invitation link made; a member removed, whose inspector access ends with it.

Steps: ``show_people`` → ``ask_name`` → ``process_name`` → ``process_post`` → ``ask_department``
→ ``ask_position`` → ``add`` → ``show_member``; ``show_member`` → ``invite`` | ``confirm_remove``
→ ``remove``; the period: ``handlers.inspection_window``.
"""

from __future__ import annotations

from domain import inspection as rules
from domain.inspection import PlanError
from handlers.context import Context
from handlers.core import Router
from handlers.inspection_window import ROLES, ask_window, back_to_plan, newest_plan
from handlers.invitations import invitation_link
from messages.callbacks_inspection_people import PlanPeople, PlanPerson
from messages.i18n import N_
from messages.replies import Button
from messages.style import moment_text
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_plan import Who, add_member, invite_inspector, remove_member
from storage.inspection import groups_of, members_of
from storage.inspection_people import invitation_states
from storage.invitations import DEFAULT_TTL
from storage.models import InspectionGroup, InspectionMember, InspectionPlan

AWAIT_NAME = "plan_people:name"
AWAIT_POST = "plan_people:post"
CHOOSE_DEPARTMENT = "plan_people:department"
CHOOSE_POSITION = "plan_people:position"
MEMBERS_SHOWN = 40  # buttons on one screen; a group has a handful of people
NO_POST = frozenset({"-", "—", "无", "無", "none"})

PEOPLE_TITLE = N_("Inspection {year}: the groups' members.")
GROUP_TITLE = N_("Group {n}:")
NOBODY = N_("nobody yet")
MEMBER_LINE = N_("{position}: {name} {post} [{department}] — {state}")
STATES = {
    "bound": N_("signed in"),
    "invited": N_("invited, link not used yet"),
    "none": N_("not invited yet"),
}
ADD_BUTTON = N_("+ Add a member to group {n}")
ASK_NAME = N_("Adding a member to group {n}: send their name. /cancel stops.")
ASK_POST = N_("{name}'s post (职务), e.g. 市人力资源和社会保障局干部; send - if none.")
ASK_DEPARTMENT = N_("{name}'s department:")
ASK_POSITION = N_("{name}'s place in group {n}:")
CARD = N_(
    "{name}, {position} of group {n}\nPost: {post}\nDepartment: {department}\nInvitation: {state}"
)
ADDED = N_("Added to group {n}. Make the invitation link now, or later from the members list.")
INVITE_BUTTON = N_("Make the invitation link")
REMOVE_BUTTON = N_("Remove from the plan")
CONFIRM_REMOVE = N_(
    "Remove {name} from group {n}? Their access as an inspector ends at once; what they "
    "recorded stays on record."
)
YES_REMOVE = N_("Yes, remove")
REMOVED = N_("Removed {name} from group {n}.")
INVITATION = N_("One-time invitation for {name}, inspector of group {n} (expires {expires}):")
INVITE_HINT = N_("Send it to {name} only: it works once.")
BACK_PEOPLE = N_("Back to the members")


def router() -> Router:
    r = Router()
    r.button(PlanPeople.prefix, roles=ROLES)(process_people_button)
    r.button(PlanPerson.prefix, roles=ROLES)(process_choice)
    r.state(AWAIT_NAME, roles=ROLES)(process_name)
    r.state(AWAIT_POST, roles=ROLES)(process_post)
    return r


def _back(ctx: Context) -> list[Button]:
    return [Button(ctx.t(BACK_PEOPLE), PlanPeople(action="people").pack())]


async def _group(ctx: Context, plan: InspectionPlan, number: int) -> InspectionGroup | None:
    assert plan.id is not None
    return next((g for g in await groups_of(ctx.session, plan.id) if g.number == number), None)


async def _member(
    ctx: Context, plan: InspectionPlan, member_id: int
) -> tuple[InspectionMember, int] | None:
    """The plan's group member and their group's number; None for anyone else."""
    member = await ctx.session.get(InspectionMember, member_id)
    if member is None or member.plan_id != plan.id or member.group_id is None:
        return None
    group = await ctx.session.get(InspectionGroup, member.group_id)
    return (member, group.number) if group is not None else None


async def process_people_button(ctx: Context) -> None:
    data = PlanPeople.parse(ctx.incoming.button)
    found = await newest_plan(ctx)
    if data is None or found is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    plan, cycle = found
    ctx.reset()  # a press elsewhere ends any question asked before
    if data.action == "window":
        await ask_window(ctx)
    elif data.action == "people":
        await show_people(ctx, plan, cycle.year)
    elif data.action == "add":
        await ask_name(ctx, plan, data.group)
    else:
        member = await _member(ctx, plan, data.member_id)
        if member is None:
            ctx.answer(ctx.t(STALE_BUTTON))
            return
        if data.action == "member":
            await show_member(ctx, *member)
        elif data.action == "invite":
            await invite(ctx, *member)
        elif data.action == "remove":
            await confirm_remove(ctx, *member)
        else:
            await remove(ctx, plan, cycle.year, *member)


async def show_people(ctx: Context, plan: InspectionPlan, year: int, *, edit: bool = True) -> None:
    t = ctx.t
    assert plan.id is not None
    members = [m for m in await members_of(ctx.session, plan.id) if m.group_id is not None]
    states = await invitation_states(ctx.session, members, now=ctx.clock.now())
    lines = [t(PEOPLE_TITLE, year=year)]
    buttons: list[list[Button]] = []
    for group in await groups_of(ctx.session, plan.id):
        mine = [m for m in members if m.group_id == group.id]
        lines.append(t(GROUP_TITLE, n=group.number))
        lines += ["  " + _line(ctx, m, states) for m in mine] or ["  " + t(NOBODY)]
        buttons += [
            [Button(m.name, PlanPeople(action="member", member_id=m.id or 0).pack())] for m in mine
        ]
        buttons.append(
            [
                Button(
                    t(ADD_BUTTON, n=group.number),
                    PlanPeople(action="add", group=group.number).pack(),
                )
            ]
        )
    buttons = [*buttons[:MEMBERS_SHOWN], back_to_plan(ctx), [back_to_menu(t)]]
    ctx.say("\n".join(lines), buttons, edit=edit)


def _line(ctx: Context, member: InspectionMember, states: dict[int, str]) -> str:
    t = ctx.t
    return t(
        MEMBER_LINE,
        position=t(rules.POSITIONS[member.position]),
        name=member.name,
        post=member.post,
        department=t(rules.DEPARTMENTS[member.department]),
        state=t(STATES[states.get(member.id or 0, "none")]),
    )


async def show_member(
    ctx: Context, member: InspectionMember, number: int, *, note: str = ""
) -> None:
    t = ctx.t
    states = await invitation_states(ctx.session, [member], now=ctx.clock.now())
    text = t(
        CARD,
        name=member.name,
        position=t(rules.POSITIONS[member.position]),
        n=number,
        post=member.post or "-",
        department=t(rules.DEPARTMENTS[member.department]),
        state=t(STATES[states.get(member.id or 0, "none")]),
    )
    member_id = member.id or 0
    buttons = [
        [Button(t(INVITE_BUTTON), PlanPeople(action="invite", member_id=member_id).pack())],
        [Button(t(REMOVE_BUTTON), PlanPeople(action="remove", member_id=member_id).pack())],
        _back(ctx),
    ]
    ctx.say(f"{note}\n\n{text}" if note else text, buttons, edit=not note)


async def ask_name(ctx: Context, plan: InspectionPlan, number: int) -> None:
    if await _group(ctx, plan, number) is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.goto(AWAIT_NAME, plan_id=plan.id, group=number)
    ctx.say(ctx.t(ASK_NAME, n=number), [_back(ctx)], edit=True)


async def process_name(ctx: Context) -> None:
    try:
        name = rules.clean_name(ctx.incoming.text or "")
    except PlanError as error:
        ctx.say(ctx.t(error.reason, **error.params), [_back(ctx)])
        return
    ctx.goto(AWAIT_POST, name=name)
    ctx.say(ctx.t(ASK_POST, name=name), [_back(ctx)])


async def process_post(ctx: Context) -> None:
    text = ctx.incoming.text or ""
    try:
        post = "" if text.strip().casefold() in NO_POST else rules.clean_post(text)
    except PlanError as error:
        ctx.say(ctx.t(error.reason, **error.params), [_back(ctx)])
        return
    ctx.goto(CHOOSE_DEPARTMENT, post=post)
    t = ctx.t
    buttons = [
        [Button(t(label), PlanPerson(step="department", value=key).pack())]  # type: ignore[arg-type]
        for key, label in rules.DEPARTMENTS.items()
    ]
    ctx.say(t(ASK_DEPARTMENT, name=ctx.data.get("name", "")), [*buttons, _back(ctx)])


async def process_choice(ctx: Context) -> None:
    """A department, then a position, pressed while adding a member; a press from an older
    screen (the chat no longer at that step) changes nothing."""
    t = ctx.t
    data = PlanPerson.parse(ctx.incoming.button)
    found = await newest_plan(ctx)
    step = {"department": CHOOSE_DEPARTMENT, "position": CHOOSE_POSITION}
    if (
        data is None
        or found is None
        or ctx.state != step[data.step]
        or found[0].id != ctx.data.get("plan_id")
    ):
        ctx.answer(t(STALE_BUTTON))
        return
    plan, _ = found
    name, number = str(ctx.data.get("name", "")), ctx.data.get("group")
    if data.step == "department":
        if data.value not in rules.DEPARTMENTS:
            ctx.answer(t(STALE_BUTTON))
            return
        ctx.goto(CHOOSE_POSITION, department=data.value)
        buttons = [
            [Button(t(label), PlanPerson(step="position", value=key).pack())]  # type: ignore[arg-type]
            for key, label in rules.POSITIONS.items()
        ]
        ctx.say(t(ASK_POSITION, name=name, n=number), [*buttons, _back(ctx)], edit=True)
        return
    if data.value not in rules.POSITIONS or not isinstance(number, int):
        ctx.answer(t(STALE_BUTTON))
        return
    department = str(ctx.data.get("department", "other"))
    post = str(ctx.data.get("post", ""))
    ctx.reset()
    try:
        member = await add_member(
            session=ctx.session,
            plan=plan,
            body="group",
            name=name,
            post=post,
            department=department,
            position=data.value,
            group_number=number,
            who=Who(ctx.user_id),
        )
    except PlanError as error:
        ctx.say(t(error.reason, **error.params), [_back(ctx)])
        return
    await show_member(ctx, member, number, note=t(ADDED, n=number))


async def invite(ctx: Context, member: InspectionMember, number: int) -> None:
    t = ctx.t
    now = ctx.clock.now()
    token = await invite_inspector(
        session=ctx.session, member=member, now=now, who=Who(ctx.user_id)
    )
    head = t(INVITATION, name=member.name, n=number, expires=moment_text(t, now + DEFAULT_TTL))
    link = invitation_link(ctx.deps.bot_username, token)
    ctx.say(f"{head}\n{link}\n{t(INVITE_HINT, name=member.name)}", [_back(ctx)])


async def confirm_remove(ctx: Context, member: InspectionMember, number: int) -> None:
    t = ctx.t
    member_id = member.id or 0
    ctx.say(
        t(CONFIRM_REMOVE, name=member.name, n=number),
        [
            [Button(t(YES_REMOVE), PlanPeople(action="removed", member_id=member_id).pack())],
            [Button(t(BACK_PEOPLE), PlanPeople(action="member", member_id=member_id).pack())],
        ],
        edit=True,
    )


async def remove(
    ctx: Context, plan: InspectionPlan, year: int, member: InspectionMember, number: int
) -> None:
    name = member.name
    await remove_member(
        session=ctx.session,
        member=member,
        now=ctx.clock.now(),
        who=Who(ctx.user_id),
        default_language=ctx.deps.language,
    )
    ctx.answer(ctx.t(REMOVED, name=name, n=number))
    await show_people(ctx, plan, year)
