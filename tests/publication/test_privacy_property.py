"""Property: over generated rosters, nothing the 公示 publishes (channel posts and their buttons,
the lists and search results in the bot, the printable notices) holds a full name of two or
more characters, an ID number or a phone number in clear."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from driver import Chat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdftext import pdf_text
from pubworld import CHANNEL, UNITS, Person, import_people
from sqlalchemy import select
from testsupport import make_settings

from bot.app import build_dispatcher
from bot.runtime_context import open_storage
from documents.notice import notice_pdf
from domain.clock import FixedClock
from domain.idnumber import make_id_number
from domain.workdays import WorkCalendar
from handlers.name_search import SearchLimits
from services import publication as gongshi
from services.publication import PublicationRules
from services.publication_texts import unit_notices
from storage.db import transaction
from storage.migrate import upgrade
from storage.models import Outbox
from storage.public_rows import notice_lists

# Characters that occur in no fixed text of the notices, so a name found there is a leak.
SURNAMES = "张王李赵刘陈杨黄吴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛超霞刚桂"

names = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(SURNAMES),
    st.text(alphabet=GIVEN, min_size=1, max_size=3),
)
id_numbers = st.builds(
    lambda born, sequence: make_id_number("330102", born, sequence),
    st.dates(min_value=date(1960, 1, 1), max_value=date(2004, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
people = st.lists(
    st.builds(
        Person,
        unit=st.sampled_from(UNITS),
        name=names,
        id_number=id_numbers,
        phone=phones,
        grade=st.sampled_from(["合格", "基本合格"]),
    ),
    min_size=1,
    max_size=12,
    unique_by=(lambda p: p.id_number, lambda p: p.phone),
)


async def published_texts(roster: list[Person]) -> list[str]:
    folder = Path(tempfile.mkdtemp())
    async with open_storage(make_settings(f"sqlite+aiosqlite:///{folder}/p.db")) as storage:
        await upgrade(storage.engine)
        await import_people(storage, roster)
        clock = FixedClock(datetime(2026, 12, 16, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
        async with transaction(storage.sessions) as session:
            await gongshi.open_gongshi(
                session=session,
                rules=PublicationRules(
                    calendar=WorkCalendar(),
                    min_workdays=5,
                    channel_id=CHANNEL,
                    bot_username="gongshi_bot",
                    language="zh",
                ),
                clock=clock,
                year=2026,
                actor="test",
            )
        texts: list[str] = []
        async with storage.sessions() as session:
            for row in (await session.execute(select(Outbox))).scalars():
                buttons = [b["text"] for line in row.payload.get("buttons", []) for b in line]
                texts += [row.payload["text"], *buttons]
            lists = await notice_lists(session=session, year=2026)
        for notice in unit_notices(lists, language="zh", issued_on=clock.today()):
            pdf = notice_pdf(notice, bot_username="gongshi_bot", language="zh")
            text = pdf_text(pdf)
            assert notice.unit_name in text  # the PDF's text is readable, so the check means it
            texts.append(text)
        # Every name of the roster is searched: no limit may cut the check short.
        unlimited = SearchLimits(per_minute=1000, per_day=1000)
        dispatcher = build_dispatcher(
            settings=storage.settings,
            sessions=storage.sessions,
            clock=clock,
            services={"search_limits": unlimited},
        )
        chat = Chat(dispatcher, 7100)
        await chat.send("/gongshi")
        for label in [b for b in chat.buttons() if b.startswith(UNITS)]:
            await chat.send("/gongshi")
            await chat.click(label)
            texts.append(chat.last)
            texts += chat.buttons()
        for person in roster:
            await chat.press("gs:find")
            await chat.send(person.name)
            texts.append(chat.last)
            texts += chat.buttons()
    return texts


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=people)
def test_nothing_published_holds_a_name_id_number_or_phone_in_clear(roster):
    texts = asyncio.run(published_texts(roster))
    everything = "\n".join(texts)
    assert len(texts) > len({p.unit for p in roster})  # channel, bot and PDFs were all read
    for person in roster:
        assert person.name not in everything
        assert person.id_number not in everything
        assert person.phone not in everything
