"""Hostile input, generated with hypothesis, through the real webhook listener and the
product's dispatcher: malformed and oversized updates, and button presses with forged data
from a citizen who holds no role. Nothing crashes (every request is answered 200 or 400, and
the listener keeps working), nothing is changed that needs a role, and a wrong secret is
refused every time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from counts_and_sandbox import short_or_long
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from testsupport import make_settings

from bot.app import build_dispatcher
from bot.runtime_context import open_storage
from bot.runtimes.aiogram_runtime import AiogramTransport
from bot.runtimes.delivery import Delivery
from bot.runtimes.serving import SECRET_HEADER, Pipeline, webhook_handler
from bot.sandbox.citizens import add_county
from domain.clock import FixedClock
from messages.replies import FileReply, Reply
from storage.migrate import upgrade
from storage.models import (
    AuditLog,
    Case,
    Complaint,
    Official,
    ProcessedUpdate,
    RoleBinding,
    UnitTask,
)

SECRET = "the-right-secret_0123"
CITIZEN = 5_550_001
PREFIXES = [
    "adm",
    "bt",
    "cp",
    "cs",
    "gs",
    "gsa",
    "hl",
    "lang",
    "menu",
    "rt",
    "sub",
    "up",
    "ut",
    "vf",
    "wk",
    "wkb",
    "wkme",
    "wkob",
]
EXAMPLES = short_or_long(100, 2000)
CLOCK = FixedClock(datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


class Silent:
    """Replies go nowhere: the properties are about what the bot stores and answers."""

    async def send_text(self, chat_id: int, reply: Reply) -> None: ...

    async def edit_text(self, chat_id: int, message_id: int, reply: Reply) -> None: ...

    async def remove_buttons(self, chat_id: int, message_id: int) -> None: ...

    async def send_file(self, chat_id: int, reply: FileReply) -> None: ...

    async def answer_callback(self, callback_id: str, text: str | None, alert: bool) -> None: ...


@dataclass
class World:
    runner: asyncio.Runner
    http: TestClient
    storage: Any
    ids: Iterator[int]

    def post(self, body: object, secret: str | None = SECRET) -> int:
        headers = {} if secret is None else {SECRET_HEADER: secret}

        async def go() -> int:
            response = await self.http.post("/hook", json=body, headers=headers)
            return response.status

        return self.runner.run(go())

    def protected(self) -> dict[str, object]:
        """What only a role may change."""

        async def go() -> dict[str, object]:
            async with self.storage.sessions() as session:
                return {
                    "bindings": await session.scalar(select(func.count()).select_from(RoleBinding)),
                    "officials": await session.scalar(select(func.count()).select_from(Official)),
                    "tasks": await session.scalar(select(func.count()).select_from(UnitTask)),
                    "cases": sorted((await session.execute(select(Case.id, Case.state))).all()),
                }

        return self.runner.run(go())

    def count(self, table: Any) -> int:
        async def go() -> int:
            async with self.storage.sessions() as session:
                return int(await session.scalar(select(func.count()).select_from(table)) or 0)

        return self.runner.run(go())


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    with asyncio.Runner() as runner:
        settings_ = make_settings(f"sqlite+aiosqlite:///{tmp_path}/hostile.db")
        opened = open_storage(settings_)
        storage = runner.run(opened.__aenter__())

        async def build() -> TestClient:
            await upgrade(storage.engine)
            await add_county(storage)
            await add_case(storage)
            dispatcher = build_dispatcher(
                settings=settings_, sessions=storage.sessions, clock=CLOCK
            )
            transport = AiogramTransport("123456:hostile", "http://127.0.0.1:9")
            pipeline = Pipeline(dispatcher, Delivery(Silent()), "gongshi_bot")
            app = web.Application(client_max_size=1024**2)
            app.router.add_post("/hook", webhook_handler(transport, pipeline, SECRET))
            client = TestClient(TestServer(app))
            await client.start_server()
            return client

        http = runner.run(build())
        try:
            yield World(runner, http, storage, iter(range(1, 10**9)))
        finally:
            runner.run(http.close())
            runner.run(opened.__aexit__(None, None, None))


async def add_case(storage: Any) -> None:
    """A case waiting to be accepted: what a forged 受理 or 结案 press would change."""
    async with storage.sessions() as session, session.begin():
        complaint = Complaint(ticket_code="K7M2QX9P", unit_id=1, category="absent", description="…")
        session.add(complaint)
        await session.flush()
        session.add(
            Case(
                complaint_id=complaint.id,
                unit_id=1,
                category="absent",
                severity="serious",
                route="investigators",
            )
        )


def citizen(user_id: int = CITIZEN) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "市民"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
texts = st.text(max_size=5000) | st.just("x" * 20_000) | st.sampled_from(["/start", "/complain"])
messages = st.fixed_dictionaries(
    {
        "message_id": st.integers(-(2**40), 2**40),
        "date": st.integers(0, 2**33),
        "chat": st.fixed_dictionaries({"id": st.integers(-(2**40), 2**40), "type": st.text()}),
    },
    optional={
        "from": st.just(citizen()),
        "text": texts,
        "contact": st.fixed_dictionaries(
            {"phone_number": st.text(max_size=100), "first_name": st.text(max_size=100)},
            optional={"user_id": st.integers(-(2**40), 2**40)},
        ),
        "document": json_values,
        "entities": json_values,
    },
)
updates = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"update_id": st.integers(-(2**63), 2**63)}, optional={"message": messages}
    ),
    st.fixed_dictionaries({"update_id": st.integers(0, 2**31), "message": messages}),
)
forged = st.builds(
    lambda prefix, rest: f"{prefix}:{rest}"[:64],
    st.sampled_from(PREFIXES),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.sampled_from(["accept:1", "close:1", "assign:1:1", "unit:1", "confirm", "grant:1"]),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=updates)
def test_malformed_and_oversized_updates_do_not_crash(world, body):
    assert world.post(body) in (200, 400)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=forged, message_id=st.integers(0, 2**31))
def test_forged_buttons_change_nothing_that_needs_a_role(world, data, message_id):
    before = world.protected()
    press = {
        "update_id": next(world.ids),
        "callback_query": {
            "id": str(message_id),
            "from": citizen(),
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 0,
                "chat": {"id": CITIZEN, "type": "private"},
            },
        },
    }
    assert world.post(press) == 200
    assert world.protected() == before
    assert before["cases"] == [(1, "submitted")]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    secret=st.one_of(
        st.none(),
        # What an HTTP header can carry; a header's surrounding blanks are not part of it.
        st.text(st.characters(max_codepoint=0xFF, exclude_categories=["Cc"]), max_size=300).filter(
            lambda s: s.strip(" \t") != SECRET
        ),
        st.sampled_from([SECRET[:-1], SECRET + "x", SECRET.upper(), ""]),
    )
)
def test_a_wrong_secret_is_refused_every_time(world, secret):
    handled = world.count(ProcessedUpdate)
    update = {
        "update_id": next(world.ids) + 10**9,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": CITIZEN, "type": "private"},
            "from": citizen(),
            "text": "/start",
        },
    }
    assert world.post(update, secret=secret) in (401, 403)
    assert world.count(ProcessedUpdate) == handled


def test_the_suite_saw_denials(world, counts):
    """The forged presses really reached the role checks (and were refused and audited)."""
    for n, prefix in enumerate(PREFIXES):
        world.post(
            {
                "update_id": 2_000_000 + n,
                "callback_query": {
                    "id": str(n),
                    "from": citizen(),
                    "chat_instance": "1",
                    "data": f"{prefix}:1",
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": CITIZEN, "type": "private"},
                    },
                },
            }
        )
    denied = world.count(AuditLog)
    counts.update(examples_per_property=EXAMPLES, forged_prefixes=len(PREFIXES), audited=denied)
    assert denied > 0
