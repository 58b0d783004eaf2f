"""Keyboards that no longer apply go away, over real HTTP on both runtimes: the administrator's
old 「开始2026年度公示」 stops being pressable once a newer menu is up; the 公示 list a citizen
reads in the bot is protected from forwarding like the channel's posts."""

from __future__ import annotations

from officials_county import ADMIN

WAIT = 30
CITIZEN = 7100


def with_buttons(messages) -> list[dict]:
    return [m for m in messages if m["from_bot"] and m["buttons"]]


async def until(client, user, predicate) -> list[dict]:
    return await client.wait_until(user, predicate, timeout=WAIT)


async def test_old_buttons_go_and_the_gongshi_list_is_protected(bot, client, county):
    await client.create_persona("赵管理", role="admin", id=ADMIN)
    await client.send_command(ADMIN, "/start")
    await until(client, ADMIN, lambda ms: with_buttons(ms))
    await client.click(ADMIN, "公示管理：开始、结束、张榜公告")
    shown = await until(client, ADMIN, lambda ms: "开始2026年度公示" in str(with_buttons(ms)))
    old = with_buttons(shown)[-1]["message_id"]

    # A newer menu: the old 开始公示 button is gone, only the newest message can be pressed.
    await client.send_command(ADMIN, "/start")
    shown = await until(
        client, ADMIN, lambda ms: [m["message_id"] for m in with_buttons(ms)] != [old]
    )
    assert len(with_buttons(shown)) == 1
    assert "开始2026年度公示" not in str(with_buttons(shown))
    assert next(m for m in shown if m["message_id"] == old)["buttons"] == []

    await client.click(ADMIN, "公示管理：开始、结束、张榜公告")
    await until(client, ADMIN, lambda ms: "开始2026年度公示" in str(with_buttons(ms)))
    await client.click(ADMIN, "开始2026年度公示")
    await until(client, ADMIN, lambda ms: "确认开始" in str(with_buttons(ms)))
    await client.click(ADMIN, "确认开始")
    await until(client, ADMIN, lambda ms: "开始2026年度公示" not in str(with_buttons(ms)))

    await client.create_persona("路人", role="citizen", id=CITIZEN)
    await client.send_command(CITIZEN, "/start")
    await until(client, CITIZEN, lambda ms: "考核结果公示" in str(with_buttons(ms)))
    await client.click(CITIZEN, "考核结果公示")
    await until(client, CITIZEN, lambda ms: "01号单位" in str(with_buttons(ms)))
    await client.click(CITIZEN, "01号单位")
    # The list comes as a new, protected message; the unit picker above it goes bare.
    shown = await until(
        client,
        CITIZEN,
        lambda ms: "张*三" in (ms[-1]["text"] or "") and len(with_buttons(ms)) == 1,
    )
    page = shown[-1]
    assert page["protect_content"]
    assert with_buttons(shown) == [page]
