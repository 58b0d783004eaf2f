"""The conversation core's rows for a batch of updates (a group commit): the users, their live
roles and the chats' states read in three queries, the changed states written back in one or
two; keyword-only, in the caller's transaction, nothing here commits.

On SQLite the statements go straight to the driver as plain tuples, as the import's writer does
(``storage.import_bulk``): a hundred updates a batch, and SQLAlchemy's per-row processing of
every column cost more than SQLite's own work. Only the two columns that need a conversion
(a timestamp, the state's JSON) go through their column type's own processors, taken once, so
that what is read and written is exactly what the Core statements would read and write.
PostgreSQL takes the Core statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.conversations import BINDING, CHAT, USER, Binding, ChatKey, ChatRow, ChatState, Roles

# (id, language, language_chosen, blocked_bot, last_seen), (user_id, role, unit_id, worker_id,
# official_id), (chat_id, state, data): what each of the three reads brings back per row.
_Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


async def load_chats(*, session: AsyncSession, keys: Sequence[ChatKey]) -> dict[int, ChatRow]:
    """``storage.conversations.load_chat`` for many chats, keyed by chat id."""
    user_ids = sorted({key.user_id for key in keys})
    chat_ids = sorted({key.chat_id for key in keys})
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        read = await _read_raw(connection, user_ids, chat_ids)
    else:
        read = await _read_core(connection, user_ids, chat_ids)
    user_rows, binding_rows, state_rows = read
    users = {row[0]: row for row in user_rows}
    bindings: dict[int, list[Binding]] = {}
    for user_id, role, unit_id, worker_id, official_id in binding_rows:
        bindings.setdefault(user_id, []).append(
            Binding(role, unit_id=unit_id, worker_id=worker_id, official_id=official_id)
        )
    states = {row[0]: row for row in state_rows}
    loaded: dict[int, ChatRow] = {}
    for key in keys:
        user = users.get(key.user_id)
        state = states.get(key.chat_id)
        loaded[key.chat_id] = ChatRow(
            user_exists=user is not None,
            language=user[1] if user is not None else None,
            language_chosen=bool(user[2]) if user is not None else False,
            blocked_bot=bool(user[3]) if user is not None else False,
            last_seen=user[4] if user is not None else None,
            has_state=state is not None,
            state=state[1] if state is not None else None,
            data=state[2] if state is not None else None,
            roles=Roles(tuple(bindings.get(key.user_id, ()))),
        )
    return loaded


async def save_chats(
    *, session: AsyncSession, changed: Sequence[tuple[int, ChatState, bool]], now: datetime
) -> None:
    """Write back the changed chats: (user id, chat state, whether its row exists) each."""
    if not changed:
        return
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        await _save_core(connection, changed, now)
        return
    stamp = _writer(dialect, CHAT, "updated_at")(now)
    data = _writer(dialect, CHAT, "data")
    updates = [
        (chat.state, data(chat.data), stamp, chat.chat_id) for _, chat, old in changed if old
    ]
    inserts = [
        (chat.chat_id, user_id, chat.state, data(chat.data), stamp)
        for user_id, chat, old in changed
        if not old
    ]
    if updates:
        await connection.exec_driver_sql(
            "UPDATE conversation_state SET state = ?, data = ?, updated_at = ? WHERE chat_id = ?",
            updates,
        )
    if inserts:
        await connection.exec_driver_sql(
            "INSERT INTO conversation_state (chat_id, user_id, state, data, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            inserts,
        )


async def _read_raw(connection: AsyncConnection, user_ids: list[int], chat_ids: list[int]) -> _Rows:
    users_in, chats_in = _marks(len(user_ids)), _marks(len(chat_ids))
    users = await connection.exec_driver_sql(
        "SELECT id, language, language_chosen, blocked_bot, last_seen FROM telegram_user "
        f"WHERE id IN ({users_in})",
        tuple(user_ids),
    )
    seen = _reader(connection.dialect, USER, "last_seen")
    user_rows = [(*row[:4], seen(row[4])) for row in map(tuple, users)]
    bindings = await connection.exec_driver_sql(
        "SELECT user_id, role, unit_id, worker_id, official_id FROM role_binding "
        f"WHERE user_id IN ({users_in}) AND revoked_at IS NULL",
        tuple(user_ids),
    )
    states = await connection.exec_driver_sql(
        f"SELECT chat_id, state, data FROM conversation_state WHERE chat_id IN ({chats_in})",
        tuple(chat_ids),
    )
    data = _reader(connection.dialect, CHAT, "data")
    state_rows = [(row[0], row[1], data(row[2])) for row in map(tuple, states)]
    return user_rows, [tuple(row) for row in bindings], state_rows


async def _read_core(
    connection: AsyncConnection, user_ids: list[int], chat_ids: list[int]
) -> _Rows:
    users = await connection.execute(
        sa_select(
            USER.c.id, USER.c.language, USER.c.language_chosen, USER.c.blocked_bot, USER.c.last_seen
        ).where(USER.c.id.in_(user_ids))
    )
    bindings = await connection.execute(
        sa_select(
            BINDING.c.user_id,
            BINDING.c.role,
            BINDING.c.unit_id,
            BINDING.c.worker_id,
            BINDING.c.official_id,
        ).where(BINDING.c.user_id.in_(user_ids), BINDING.c.revoked_at.is_(None))
    )
    states = await connection.execute(
        sa_select(CHAT.c.chat_id, CHAT.c.state, CHAT.c.data).where(CHAT.c.chat_id.in_(chat_ids))
    )
    return (
        [tuple(row) for row in users],
        [tuple(row) for row in bindings],
        [tuple(row) for row in states],
    )


async def _save_core(
    connection: AsyncConnection, changed: Sequence[tuple[int, ChatState, bool]], now: datetime
) -> None:
    updates = [
        {"key": chat.chat_id, "state": chat.state, "data": chat.data, "updated_at": now}
        for _, chat, old in changed
        if old
    ]
    inserts = [
        {
            "chat_id": chat.chat_id,
            "user_id": user_id,
            "state": chat.state,
            "data": chat.data,
            "updated_at": now,
        }
        for user_id, chat, old in changed
        if not old
    ]
    if updates:
        await connection.execute(
            update(CHAT)
            .where(CHAT.c.chat_id == bindparam("key"))
            .values(
                state=bindparam("state"), data=bindparam("data"), updated_at=bindparam("updated_at")
            ),
            updates,
        )
    if inserts:
        await connection.execute(insert(CHAT), inserts)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


@cache
def _reader(dialect: Dialect, table: Table, column: str) -> Callable[[Any], Any]:
    """The column type's conversion of a driver value, as a Core statement applies it."""
    column_type = table.c[column].type.dialect_impl(dialect)
    processor = column_type.result_processor(dialect, None)
    return processor or _same


@cache
def _writer(dialect: Dialect, table: Table, column: str) -> Callable[[Any], Any]:
    """The column type's conversion of a value for the driver, as a Core statement applies it."""
    processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return processor or _same


def _same(value: Any) -> Any:
    return value
