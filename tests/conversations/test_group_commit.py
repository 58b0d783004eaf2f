"""Group commit: several chats' updates in one commit, each in its own savepoint."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.core import Dispatcher, Router
from handlers.types import Incoming, User
from storage.models import ConversationState, ProcessedUpdate


def numbered_router() -> Router:
    router = Router()

    @router.otherwise
    async def step(ctx):
        if ctx.incoming.text == "boom":
            ctx.goto("broken", half="written")
            raise RuntimeError("a bug in one step")
        ctx.goto("counting", n=int(ctx.data.get("n", 0)) + 1)
        ctx.say(f"step {ctx.data['n']}")

    return router


def update(update_id: int, user_id: int, text: str) -> Incoming:
    return Incoming(update_id=update_id, user=User(user_id), chat_id=user_id, text=text)


async def test_one_failing_update_does_not_undo_the_others(storage, clock):
    dispatcher = Dispatcher(
        sessions=storage.sessions, settings=storage.settings, clock=clock, router=numbered_router()
    )
    batch = [update(1, 11, "a"), update(2, 12, "boom"), update(3, 13, "b"), update(1, 11, "a")]
    outcomes = await dispatcher.handle_many(batch)
    assert [o.replies[0].text for o in outcomes[:3]] == [
        "step 1",
        "抱歉，系统出现问题，请稍后再试。",
        "step 1",
    ]
    assert outcomes[3].duplicate
    async with storage.sessions() as session:
        states = dict(
            (
                await session.execute(select(ConversationState.chat_id, ConversationState.state))
            ).all()
        )
        recorded = (
            await session.execute(select(func.count()).select_from(ProcessedUpdate))
        ).scalar_one()
    assert states == {11: "counting", 13: "counting"}  # nothing of the failed step remains
    assert recorded == 3  # the failed update too: it is not redelivered forever
    again = await dispatcher.handle_many([update(2, 12, "boom"), update(4, 11, "c")])
    assert again[0].duplicate and again[1].replies[0].text == "step 2"


async def test_distinct_chats_share_one_commit_with_their_own_state_and_roles(storage, clock):
    from storage.models import RoleBinding

    router = Router()

    @router.otherwise
    async def step(ctx):
        n = int(ctx.data.get("n", 0)) + 1
        ctx.goto("counting", n=n)
        ctx.say(f"step {n} {','.join(ctx.roles.names()) or 'citizen'} {ctx.language}")

    dispatcher = Dispatcher(
        sessions=storage.sessions, settings=storage.settings, clock=clock, router=router
    )
    async with storage.sessions() as session, session.begin():
        session.add(RoleBinding(user_id=12, role="bureau"))
    first = await dispatcher.handle_many(
        [update(1, 11, "a"), update(2, 12, "b"), update(3, 13, "c")]
    )
    assert [o.replies[0].text for o in first] == [
        "step 1 citizen zh",
        "step 1 bureau zh",
        "step 1 citizen zh",
    ]
    english = Incoming(update_id=5, user=User(13, language="en"), chat_id=13, text="d")
    second = await dispatcher.handle_many([update(4, 11, "e"), update(2, 14, "again"), english])
    assert second[0].replies[0].text == "step 2 citizen zh"
    assert second[1].duplicate and second[1].replies == []
    assert second[2].replies[0].text == "step 2 citizen en"
    async with storage.sessions() as session:
        states = dict(
            (await session.execute(select(ConversationState.chat_id, ConversationState.data))).all()
        )
    assert states == {11: {"n": 2}, 12: {"n": 1}, 13: {"n": 2}}


async def test_a_failure_in_a_shared_commit_is_redone_alone(storage, clock):
    dispatcher = Dispatcher(
        sessions=storage.sessions, settings=storage.settings, clock=clock, router=numbered_router()
    )
    outcomes = await dispatcher.handle_many([update(6, 21, "boom"), update(7, 22, "x")])
    assert outcomes[0].replies[0].text == "抱歉，系统出现问题，请稍后再试。"
    assert outcomes[1].replies[0].text == "step 1"
    async with storage.sessions() as session:
        states = dict(
            (
                await session.execute(select(ConversationState.chat_id, ConversationState.state))
            ).all()
        )
    assert states == {22: "counting"}
