"""The hotline's worker search unmasks no one either: a unit's worker is found by the full
name or by the name as the 公示 shows it, and both give one answer, so a complainant who only
guesses learns nothing the list does not show. The searches count against the same limits as
the 公示's."""

from __future__ import annotations

from datetime import timedelta


async def worker_search(me, typed: str) -> tuple[str, list[str]]:
    await me.send(typed)
    return me.last, me.buttons()


async def at_the_worker_step(me) -> None:
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")


async def test_a_full_name_gets_the_answer_of_its_masked_form(chat, county):
    me = chat(5301)
    await at_the_worker_step(me)
    masked = await worker_search(me, "张*三")
    assert "张*三 · 环卫" in masked[1]
    for typed in ("张小三", "张大三", "张中三"):
        assert await worker_search(me, typed) == masked, typed


async def test_the_hidden_character_cannot_be_guessed(chat, county):
    me = chat(5302)
    await at_the_worker_step(me)
    for typed in ("小", "大", "小三", "大三", "伟"):
        text, buttons = await worker_search(me, typed)
        assert "该单位没有显示为" in text, typed
        assert not [b for b in buttons if "*" in b], typed


async def test_worker_searches_are_limited_politely(chat, clock, county):
    me = chat(5303)
    await at_the_worker_step(me)
    for _ in range(10):
        assert "张*三 · 环卫" in (await worker_search(me, "张小三"))[1]
    text, buttons = await worker_search(me, "张小三")
    assert "每分钟最多查询 10 次" in text and "张*三 · 环卫" not in buttons
    clock.advance(timedelta(minutes=1))
    assert "张*三 · 环卫" in (await worker_search(me, "张小三"))[1]  # the draft is still there
