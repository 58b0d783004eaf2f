"""The batch's chat rows (storage.conversation_batch), on SQLite (straight to the driver) and
PostgreSQL (Core): what a batch reads is what the single-update path reads, and what it writes
reads back the same through the single-update path, timestamps and JSON included."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage import conversation_batch as batch
from storage import conversations as chats
from storage.models import ConversationState, RoleBinding, TelegramUser

SEEN = datetime(2026, 12, 16, 1, 2, 3, 456789, tzinfo=UTC)
LATER = datetime(2026, 12, 16, 3, 0, 0, 1, tzinfo=UTC)


async def test_a_batch_reads_and_writes_the_rows_the_single_path_does(any_storage):
    async with any_storage.sessions() as session, session.begin():
        session.add(TelegramUser(id=11, language="en", language_chosen=True, last_seen=SEEN))
        session.add(TelegramUser(id=12, language="zh", blocked_bot=True, last_seen=SEEN))
        session.add(RoleBinding(user_id=12, role="bureau"))
        session.add(RoleBinding(user_id=12, role="unit", unit_id=None))
        await session.flush()
        await chats.save_chat(
            session=session,
            user_id=11,
            chat=chats.ChatState(11, "draft", {"text": "路灯坏了", "n": 2}),
            now=SEEN,
            exists=False,
        )
    keys = [chats.ChatKey(11, 11), chats.ChatKey(12, 12), chats.ChatKey(13, 13)]
    async with any_storage.sessions() as session:
        loaded = await batch.load_chats(session=session, keys=keys)
        single = {
            key.chat_id: await chats.load_chat(
                session=session, chat_id=key.chat_id, user_id=key.user_id
            )
            for key in keys
        }
    assert loaded == single
    assert loaded[11].last_seen == SEEN and loaded[11].data == {"text": "路灯坏了", "n": 2}
    assert loaded[12].roles.names() == ("bureau", "unit") and loaded[12].blocked_bot
    assert not loaded[13].user_exists and not loaded[13].has_state

    changed = [
        (11, chats.ChatState(11, "ask", {"text": "井盖丢了", "photos": ["a", "b"]}), True),
        (12, chats.ChatState(12, "menu", {}), False),
    ]
    async with any_storage.sessions() as session, session.begin():
        await batch.save_chats(session=session, changed=changed, now=LATER)
    async with any_storage.sessions() as session:
        again = {
            key: await chats.load_chat(session=session, chat_id=key, user_id=key)
            for key in (11, 12)
        }
        stamps = dict(
            (
                await session.execute(
                    select(ConversationState.chat_id, ConversationState.updated_at)
                )
            ).all()
        )
    assert (again[11].state, again[11].data) == ("ask", {"text": "井盖丢了", "photos": ["a", "b"]})
    assert (again[12].state, again[12].data) == ("menu", {})
    assert stamps == {11: LATER, 12: LATER}
