"""Officials find their tools in chat, over real HTTP on both runtimes: the administrator
reads and exports the cases, downloads the results template, the subsidy list of the closed
公示 and a unit's binding codes; a unit contact gets their own unit's codes and nobody else's;
the tasks overview starts with the unit furthest behind."""

from __future__ import annotations

import asyncio
import io

import openpyxl
from officials_county import ADMIN, UNIT_CONTACT

from messages.callbacks_files import OfficialFile

WAIT = 30


def last_text(messages) -> str:
    said = [m["text"] or "" for m in messages if m["from_bot"]]
    return said[-1] if said else ""


async def step(client, user, label: str, expect: str) -> list:
    await client.click(user, label)
    return await client.wait_until(user, lambda ms: expect in last_text(ms), timeout=WAIT)


async def a_file_arrives(client, user, name_part: str) -> bytes:
    def sent(messages):
        return [
            m for m in messages
            if m["from_bot"] and m["document"] and name_part in m["document"]["file_name"]
        ]  # fmt: skip

    # The file, then the choices again below it.
    messages = await client.wait_until(
        user, lambda ms: bool(sent(ms)) and "需要哪个文件" in last_text(ms), timeout=WAIT
    )
    return await client.download(sent(messages)[-1]["document"]["file_id"])


def cells(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [[str(v) for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]


async def test_the_administrator_finds_every_sheet_and_the_cases(bot, client, county):
    await client.create_persona("赵管理", role="admin", id=ADMIN)
    await client.send_command(ADMIN, "/start")
    await client.wait_until(ADMIN, lambda ms: "表格与导出" in str(ms[-1]["buttons"]), timeout=WAIT)

    await step(client, ADMIN, "表格与导出", "需要哪个文件")
    await client.click(ADMIN, "考核结果表模板（Excel）")
    template = await a_file_arrives(client, ADMIN, "考核结果表模板")
    assert cells(template)[0][:3] == ["单位", "姓名", "身份证号"]

    await client.click(ADMIN, "2025年度公示后的补贴名单（Excel）")
    subsidy = await a_file_arrives(client, ADMIN, "补贴名单_2025")
    assert any("张小三" in row for row in cells(subsidy))

    await step(client, ADMIN, "单位绑定码表（Excel）", "为哪个单位生成绑定码")
    await step(client, ADMIN, "02号单位", "此前尚未使用的绑定码随即作废")
    await client.click(ADMIN, "生成绑定码表")
    codes = await a_file_arrives(client, ADMIN, "绑定码_02号单位")
    assert any(row and row[0] == "李*" for row in cells(codes))

    # The case list and its export, which only the desk had.
    await step(client, ADMIN, "返回菜单", "管理员")
    await step(client, ADMIN, "案件办理", "案件")
    await step(client, ADMIN, "返回菜单", "管理员")
    await client.click(ADMIN, "导出案件（Excel）")
    messages = await client.wait_until(
        ADMIN, lambda ms: any("案件台账" in str(m["document"]) for m in ms), timeout=WAIT
    )

    # The tasks overview: the unit furthest behind first.
    await client.click(ADMIN, "单位任务完成情况")
    messages = await client.wait_until(
        ADMIN, lambda ms: any("2026 年度各单位任务" in (m["text"] or "") for m in ms), timeout=WAIT
    )
    overview = next(m for m in messages if "2026 年度各单位任务" in (m["text"] or ""))
    units = [b for b in overview["buttons"] if "号单位" in b]
    assert [u[:5] for u in units] == ["02号单位", "03号单位", "01号单位"]


async def test_a_unit_contact_gets_its_own_codes_and_no_one_elses(bot, client, county):
    await client.create_persona("王联系", role="unit", id=UNIT_CONTACT)
    await client.send_command(UNIT_CONTACT, "/start")
    await client.wait_for(UNIT_CONTACT, 1, timeout=WAIT)
    await step(client, UNIT_CONTACT, "表格与导出", "需要哪个文件")
    shown = (await client.last_bot_message(UNIT_CONTACT))["buttons"]
    assert "本单位绑定码表（Excel）" in shown and "单位绑定码表（Excel）" not in shown
    assert not any("补贴名单" in label for label in shown)
    await step(client, UNIT_CONTACT, "本单位绑定码表（Excel）", "01号单位")
    await client.click(UNIT_CONTACT, "生成绑定码表")
    codes = await a_file_arrives(client, UNIT_CONTACT, "绑定码_01号单位")
    assert any(row and row[0] == "张*三" for row in cells(codes))

    # A forged press for another unit's codes is answered as stale and issues nothing.
    message = await client.last_bot_message(UNIT_CONTACT)
    forged = OfficialFile(action="codes", unit_id=county.units["02号单位"]).pack()
    answered = len((await client.chat(UNIT_CONTACT))["answers"])
    await client.press(UNIT_CONTACT, message["message_id"], forged, forge=True)
    for _ in range(WAIT * 10):
        view = await client.chat(UNIT_CONTACT)
        if len(view["answers"]) > answered:
            break
        await asyncio.sleep(0.1)
    assert view["answers"][-1]["text"] == "这个按钮已失效。请发送 /start 打开菜单。"
    files = [m["document"]["file_name"] for m in view["messages"] if m["document"]]
    assert not any("02号单位" in name for name in files)
