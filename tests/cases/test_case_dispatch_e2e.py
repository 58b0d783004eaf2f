"""退单 and 审定, and the figures, over real HTTP against the sandbox, on aiogram and on
python-telegram-bot: the unit returns a case from its queue with a reason, the desk is alerted,
routes it on from the card and sees the time it bounced; then asks for this month's figures
and receives the chart as a picture and the spreadsheet."""

from __future__ import annotations

from case_helpers import BUREAU, UNIT_A_CONTACT, file_case, get_case
from test_case_e2e import WAIT, answer_shows, bot, outbox, runtime, said, say, token
from test_case_e2e import step as click_until

__all__ = ["bot", "outbox", "runtime", "token"]  # the fixtures this module borrows


async def test_returned_routed_on_and_counted_over_http(
    bot, outbox, client, storage, county, clock
):
    unit = await client.create_persona("单位联系人", role="unit", id=UNIT_A_CONTACT)
    desk = await client.create_persona("赵科长", role="bureau", id=BUREAU)
    for person in (unit, desk):
        await client.send_command(person, "/start")
        await client.wait_for(person, 1, timeout=WAIT)
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=None,
        category="conduct",
        now=clock.now(),
    )

    before = await client.messages(unit)
    await client.send_command(unit, "/cases")
    await client.wait_until(unit, answer_shows(before, f"#{case_id}", on="buttons"), WAIT)
    await click_until(client, unit, f"#{case_id} ", "受理期限")
    await click_until(client, unit, "退单（不属本单位职责）", "不属本单位职责的理由")
    await say(client, unit, "保洁岗位已划归街道管理", "已退单，待县就业局审定")

    await client.wait_until(desk, lambda ms: any("被承办单位退单" in t for t in said(ms)), WAIT)
    await click_until(client, desk, "打开案件", "已退单，待县就业局审定")
    await click_until(client, desk, "审定：改派其他单位", "请选择改派的类别")
    await click_until(client, desk, "考核不公", "往返用时")
    assert (await get_case(storage, case_id)).route == "bureau"

    before = await client.messages(desk)
    await client.send_command(desk, "/start")
    await client.wait_until(desk, answer_shows(before, "热线统计", on="buttons"), WAIT)
    await click_until(client, desk, "热线统计（图表与 Excel）", "请选择统计期间")
    before = len(await client.bot_messages(desk))
    await client.click(desk, "本月")

    def both_files(messages) -> bool:
        new = [m for m in messages if m["from_bot"]][before:]
        # A photo's caption is its text here; the spreadsheet is a document.
        photo = any(m.get("photo") and "受理投诉 1 件" in (m.get("text") or "") for m in new)
        return photo and any(m.get("document") for m in new)

    # Other notices (the alert of the case routed to the desk) may arrive in between.
    await client.wait_until(desk, both_files, WAIT)
