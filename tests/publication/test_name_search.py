"""Finding a name in the 公示 unmasks no one: a full name gets exactly the answer its masked
form gets, so neither the person nor their grade is confirmed, and the hidden character of
张*三 cannot be found by trying characters. Searches are limited per person, politely."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pubworld import UNITS, import_people, person
from sqlalchemy import select

from domain.masking import mask_name
from storage.db import transaction
from storage.models import AuditLog, RoleBinding
from storage.name_search import NameQuery

ADMIN = 9001
TWINS = {"张大三": "合格", "张小三": "基本合格"}  # one masked form, two people, two grades


@pytest.fixture
async def gongshi(storage, chat):
    people = [replace(person(n), name=name, grade=grade) for n, (name, grade) in
              enumerate(TWINS.items())]  # fmt: skip
    people += [replace(person(7, UNITS[1]), name="李四"), person(8), person(9)]
    await import_people(storage, people)
    async with transaction(storage.sessions) as session:
        session.add(RoleBinding(user_id=ADMIN, role="admin"))
    admin = chat(ADMIN)
    await admin.send("/start")
    await admin.click("公示管理：开始、结束、张榜公告")
    await admin.click("开始2026年度公示")
    await admin.click("确认开始")
    return people


async def search(me, typed: str) -> tuple[str, list[str]]:
    await me.send("/gongshi")
    await me.click("按姓名查找")
    await me.send(typed)
    return me.last, me.buttons()


async def test_a_full_name_gets_the_answer_of_its_masked_form(chat, gongshi):
    me = chat(7201)
    masked = await search(me, "张*三")
    text, buttons = masked
    assert text.count("张*三") == 2 and "基本合格" in text
    assert [b for b in buttons if b[0].isdigit()] == ["1. 张*三", "2. 张*三"]
    for typed in ("张大三", "张小三", "张中三", "张 ＊ 三"):
        assert await search(me, typed) == masked, typed
    for name in TWINS:
        assert name not in text


async def test_the_hidden_character_cannot_be_guessed(chat, gongshi):
    me = chat(7202)
    for typed in ("大", "小", "中", "大三", "小三", "中三"):
        text, buttons = await search(me, typed)
        assert "张*三" not in text and not [b for b in buttons if b[0].isdigit()], typed
        assert "公示名单中没有" in text


async def test_a_surname_lists_everyone_under_it_masked(chat, gongshi):
    text, _ = await search(chat(7203), "张")
    assert text.count("张*三") == 2
    assert "李*" not in text
    assert not any(name in text for name in TWINS)


async def test_searches_are_limited_per_person_and_politely(chat, clock, gongshi):
    me, other = chat(7204), chat(7205)
    for _ in range(10):
        text, _ = await search(me, "李四")
        assert "李*" in text
    text, _ = await search(me, "李四")
    assert "查询得过于频繁" in text and "每分钟最多查询 10 次" in text and "李*" not in text
    assert "李*" in (await search(other, "李四"))[0]  # nobody else waits for them
    clock.advance(timedelta(minutes=1))
    assert "李*" in (await search(me, "李四"))[0]
    for _ in range(89):
        clock.advance(timedelta(seconds=7))
        assert "李*" in (await search(me, "李四"))[0]
    clock.advance(timedelta(seconds=7))
    text, _ = await search(me, "李四")
    assert "24 小时内已查询 100 次" in text and "按单位浏览" in text
    clock.advance(timedelta(days=1))
    assert "李*" in (await search(me, "李四"))[0]


async def test_no_record_of_a_search_is_kept(chat, storage, gongshi):
    await search(chat(7206), "张大三")
    async with storage.sessions() as session:
        actions = (await session.execute(select(AuditLog.actor_user_id))).scalars().all()
    assert 7206 not in actions


@given(
    st.text(alphabet="张王欧阳李小大三明伟·", min_size=2, max_size=6).filter(lambda n: n.strip("·"))
)
def test_a_query_is_read_only_through_its_masked_form(name):
    assert NameQuery.parse(name) == NameQuery.parse(mask_name(name))
