"""The demo county at work from the first start: every unit's deadlines fit the 公示 an
administrator would open today (working days, the assessment and its results due before it),
a few units late, hotline cases waiting on each official role, the weekly digest as a chart,
and the page naming the personas as the bot does."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import col

from bot.demo import DEMO_TOKEN, demo_personas, prepare_database
from bot.runtime_context import open_storage
from bot.sandbox.models import ROLES
from bot.settings import load_settings
from domain.clock import SystemClock
from domain.workdays import WorkCalendar
from handlers.menu import ROLE_NAMES
from messages.i18n import Translator
from storage.migrate import upgrade
from storage.models import Case, Outbox, RoleBinding, UnitTask
from storage.publication import plan_window

CALENDAR = WorkCalendar()
BUREAU = next(p.id for p in demo_personas() if p.role == "bureau")


@pytest.fixture
async def demo_county(tmp_path):
    settings = load_settings(
        bot_token=DEMO_TOKEN, database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    )
    async with open_storage(settings) as storage:
        await upgrade(storage.engine)
        await prepare_database(settings, storage.sessions)
        await prepare_database(settings, storage.sessions)  # a second start adds nothing
        async with storage.sessions() as session:
            yield settings, session


async def test_every_unit_has_deadlines_that_fit_the_gongshi_about_to_open(demo_county):
    settings, session = demo_county
    today = SystemClock(settings.timezone).today()
    if not CALENDAR.knows_year(today.year):
        pytest.skip("the calendar does not know this year: the configured default window")
    opens = plan_window(calendar=CALENDAR, today=today, workdays=5).opens_on
    unit_id = await session.scalar(
        select(RoleBinding.unit_id).where(col(RoleBinding.role) == "unit")
    )
    tasks = list((await session.execute(select(UnitTask))).scalars())
    assert len({t.unit_id for t in tasks}) == 26
    assert all(CALENDAR.is_workday(t.due_on) for t in tasks)
    by_kind = {t.kind: t for t in tasks if t.unit_id == unit_id}
    for kind in ("assessment", "results_submitted", "rules_filed"):
        assert by_kind[kind].due_on < opens <= by_kind["gongshi"].starts_on
        assert by_kind[kind].state == "done"
    assert by_kind["renewals_signed"].due_on > by_kind["gongshi"].due_on
    late = [t for t in tasks if t.state != "done" and t.due_on < today]
    assert {t.kind for t in late} <= {"rules_filed"} and 1 <= len(late) <= 3
    assert unit_id not in {t.unit_id for t in late}


async def test_cases_wait_on_the_desk_the_unit_and_the_investigator(demo_county):
    _, session = demo_county
    cases = list((await session.execute(select(Case).order_by(col(Case.id)))).scalars())
    assert [(c.state, c.route) for c in cases] == [
        ("submitted", "bureau"),
        ("accepted", "unit"),
        ("investigating", "investigators"),
        ("closed", "bureau"),
    ]
    assert cases[2].assignee_id is not None


async def test_the_bureau_gets_the_weekly_digest_as_a_chart(demo_county):
    _, session = demo_county
    digests = await session.scalars(
        select(Outbox.dedup_key).where(
            col(Outbox.chat_id) == BUREAU,
            col(Outbox.method) == "sendPhoto",
            col(Outbox.dedup_key).like("digest:%"),
        )
    )
    # Two pictures: the units' open and overdue cases, and the centre's figures.
    keys = sorted(str(key) for key in digests)
    assert len(keys) == 2 and sum(":figures:" in key for key in keys) == 1


def test_the_page_names_each_persona_as_the_bot_names_its_role():
    for role, name in ROLE_NAMES.items():
        chinese, english = ROLES[role]
        assert Translator("zh")(name) == chinese
        assert Translator("en")(name) == english[0].lower() + english[1:]
    assert {p.role for p in demo_personas()} == set(ROLES)
