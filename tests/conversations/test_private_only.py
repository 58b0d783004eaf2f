"""The bot talks in private chats only: in a group every member would read what an official
asks and what the bot answers, and share one conversation state."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.types import Incoming, User
from storage.models import (
    AuditLog,
    ConversationState,
    ProcessedUpdate,
    Subscription,
    TelegramUser,
)

GROUP = -100_200_300
MEMBER = 6001


async def rows(storage, model) -> int:
    async with storage.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def snapshot(storage) -> dict[str, int]:
    tables = (TelegramUser, ConversationState, Subscription, AuditLog)
    return {model.__name__: await rows(storage, model) for model in tables}


def in_group(update_id: int, chat_type: str = "group", **fields) -> Incoming:
    return Incoming(
        update_id=update_id,
        user=User(MEMBER, "群成员", None, "zh-hans"),
        chat_id=GROUP,
        chat_type=chat_type,
        **fields,
    )


async def recorded(storage, update_id: int) -> bool:
    async with storage.sessions() as session:
        found = await session.execute(
            select(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
        )
        return found.first() is not None


async def test_a_message_and_a_button_in_a_group_get_no_answer_and_change_nothing(
    chat, dispatcher, storage
):
    # In a private chat the same button subscribes: it is a live one.
    me = chat(MEMBER + 1)
    await me.send("/start")
    assert "公示开始时通知我" in me.buttons()
    before = await snapshot(storage)

    command = await dispatcher.handle(in_group(71, command="start"))
    text = await dispatcher.handle(in_group(72, chat_type="supergroup", text="张三 13800000000"))
    press = await dispatcher.handle(
        in_group(73, button="sub:on", callback_id="cb-group", message_id=5)
    )

    for outcome in (command, text, press):
        assert outcome.replies == [] and outcome.callback_answer is None
        assert not outcome.duplicate
    assert await snapshot(storage) == before
    for update_id in (71, 72, 73):
        assert await recorded(storage, update_id)


async def test_group_updates_in_a_batch_are_recorded_and_unanswered(chat, dispatcher, storage):
    me = chat(MEMBER + 2)
    batch = [
        in_group(81, command="start"),
        me.incoming(command="start"),
        Incoming(
            update_id=82, user=User(MEMBER + 3), chat_id=-100_999, chat_type="channel", text="x"
        ),
    ]
    before = await snapshot(storage)
    outcomes = await dispatcher.handle_many(batch)
    assert outcomes[0].replies == [] and outcomes[2].replies == []
    assert "公示通" in outcomes[1].replies[0].text  # the private chat in the same batch
    after = await snapshot(storage)
    # Only the private chat's user and state were written.
    assert after["TelegramUser"] == before["TelegramUser"] + 1
    assert after["ConversationState"] == before["ConversationState"] + 1
    for update_id in (81, 82, batch[1].update_id):
        assert await recorded(storage, update_id)


async def test_a_button_under_an_inline_message_is_not_taken_for_private(dispatcher, storage):
    # Such a press has no chat the bot can see: it may sit in a group.
    press = Incoming(
        update_id=91,
        user=User(MEMBER),
        chat_id=MEMBER,
        chat_type="inline",
        button="sub:on",
        callback_id="cb-inline",
    )
    before = await snapshot(storage)
    outcome = await dispatcher.handle(press)
    assert outcome.replies == [] and outcome.callback_answer is None
    assert await snapshot(storage) == before
    assert await recorded(storage, 91)
