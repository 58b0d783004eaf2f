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
