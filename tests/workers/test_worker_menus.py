"""A worker's chat menu follows their binding: binding sets it, and whoever loses the binding
(to a new phone, or revoked by their unit) has theirs set again, as outbox calls in the same
transaction."""

from __future__ import annotations

from sqlalchemy import select
from testsupport import SECRET

from services.workers import bind_by_phone, revoke_binding
from storage.models import Outbox

USER = 9_300_000_101


async def menu_calls(session) -> list[tuple[int, str | None, list[str]]]:
    rows = await session.execute(
        select(Outbox).where(Outbox.method == "setMyCommands").order_by(Outbox.id)
    )
    found = []
    for row in rows.scalars():
        params = row.payload["params"]
        assert row.kind == "call"
        assert params["scope"] == {"type": "chat", "chat_id": row.chat_id}
        names = [command["command"] for command in params["commands"]]
        found.append((row.chat_id, params.get("language_code"), names))
    return found


async def test_binding_and_losing_a_binding_set_each_chats_menu(storage, county, clock):
    person = county.people["basic"]
    shared = dict(secret_key=SECRET, phone=person.phone, now=clock.now())
    async with storage.sessions() as session, session.begin():
        first = await bind_by_phone(session=session, user_id=USER, **shared)
        assert first is not None
        assert [(chat, code) for chat, code, _ in await menu_calls(session)] == [
            (USER, None),
            (USER, "en"),
        ]
        # The same worker on a new phone: the old chat is told too.
        second = await bind_by_phone(session=session, user_id=USER + 1, **shared)
        assert second is not None and second.id is not None
        later = (await menu_calls(session))[2:]
        assert sorted(chat for chat, _, _ in later) == [USER, USER, USER + 1, USER + 1]

        revoked = await revoke_binding(
            session=session, binding_id=second.id, by_user=1, now=clock.now(), unit_ids=None
        )
        assert revoked
        last = (await menu_calls(session))[6:]
        assert [(chat, code) for chat, code, _ in last] == [(USER + 1, None), (USER + 1, "en")]
        assert last[0][2][0] == "start" and "cases" not in last[0][2]


async def test_an_english_deployment_sets_the_default_menu_in_english(storage, county, clock):
    """The menu without a language code is the deployment's language, as at an invitation:
    binding and revoking on an English deployment set it in English, and the Chinese one
    under its own code."""
    person = county.people["basic"]
    async with storage.sessions() as session, session.begin():
        binding = await bind_by_phone(
            session=session,
            user_id=USER,
            secret_key=SECRET,
            phone=person.phone,
            now=clock.now(),
            default_language="en",
        )
        assert binding is not None and binding.id is not None
        assert await revoke_binding(
            session=session,
            binding_id=binding.id,
            by_user=1,
            now=clock.now(),
            unit_ids=None,
            default_language="en",
        )
        rows = await session.execute(
            select(Outbox).where(Outbox.method == "setMyCommands").order_by(Outbox.id)
        )
        menus = [
            (row.payload["params"].get("language_code"), row.payload["params"]["commands"][0])
            for row in rows.scalars()
        ]
    assert [code for code, _ in menus] == [None, "zh", None, "zh"]
    assert all(start["command"] == "start" for _, start in menus)
    english = [start["description"] for code, start in menus if code is None]
    chinese = [start["description"] for code, start in menus if code == "zh"]
    assert english[0] == english[1] and english[0].isascii()
    assert chinese[0] == chinese[1] and not chinese[0].isascii()
