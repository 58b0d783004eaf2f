"""Closing is confirmed and free text is checked, in the officials' words: 办结 and 不予受理
show what the complainant will be told before anything changes; a handling opinion naming
the worker in full, a reply giving a phone number to an anonymous complainant, are pointed out
with the masked version to use, or confirmed as typed (audited)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from case_helpers import BUREAU, CITIZEN, INVESTIGATORS, audits, file_case, get_case, outbox_to
from pdftext import pdf_text

from messages.replies import FileReply

NOW = datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_a_full_name_in_the_opinion_is_masked_before_the_public_pdf(chat, storage, county):
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["张小三"],
        category="absent",
        now=NOW,
    )
    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("受理")
    await investigator.click("分派调查人员")
    await investigator.click("陈调查")
    await investigator.click("记录核查结论和处理意见")
    await investigator.click("不属实")
    await investigator.send("经核查，张小三（电话13912345678）本人在岗，反映不实。")
    shown = investigator.last
    assert "公开的处理意见书" in shown
    assert "姓名：张小三 → 张*三" in shown and "电话号码：13912345678 → *******5678" in shown
    assert "经核查，张*三（电话*******5678）本人在岗，反映不实。" in shown
    assert (await get_case(storage, case_id)).finding is None  # nothing recorded yet
    await investigator.click("使用打码后的文本")
    case = await get_case(storage, case_id)
    assert case.opinion == "经核查，张*三（电话*******5678）本人在岗，反映不实。"

    await investigator.click("办结")
    preview = investigator.last
    assert "办结后将告知投诉人" in preview and "张*三" in preview and "确认办结吗" in preview
    assert (await get_case(storage, case_id)).state == "concluded"
    assert not any("已办结" in r.payload.get("text", "") for r in await outbox_to(storage, CITIZEN))
    await investigator.click("确认办结")
    assert (await get_case(storage, case_id)).state == "closed"
    desk = chat(BUREAU)
    outcome = await desk.press(f"cs:doc:{case_id}")
    [public] = [r for r in outcome.replies if isinstance(r, FileReply)]
    text = "".join(pdf_text(public.content).split())
    assert "张*三" in text and "张小三" not in text and "13912345678" not in text


async def test_a_reply_to_an_anonymous_complainant_confirmed_as_typed_is_audited(
    chat, storage, county
):
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="unfair", now=NOW
    )
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    await desk.click("答复投诉人")
    await desk.send("如有疑问请致电本局 0991-6123456 咨询。")
    assert "匿名投诉人" in desk.last and "0991-6123456" in desk.last
    assert not any("咨询" in r.payload.get("text", "") for r in await outbox_to(storage, CITIZEN))
    await desk.click("按原文（确认无误）")
    [told] = [r for r in await outbox_to(storage, CITIZEN) if "咨询" in r.payload.get("text", "")]
    assert "0991-6123456" in told.payload["text"]
    [kept] = await audits(storage, "personal_info_kept")
    assert kept.detail["kinds"] == ["phone"] and "6123456" not in str(kept.detail)

    # A reply without personal information goes at once, as before.
    await desk.press(f"cs:open:{case_id}")
    await desk.click("答复投诉人")
    await desk.send("您反映的问题已转交相关科室核实。")
    assert any("相关科室" in r.payload.get("text", "") for r in await outbox_to(storage, CITIZEN))


async def test_not_accepting_shows_what_the_complainant_reads_and_cancel_keeps_it(
    chat, storage, county
):
    case_id = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="other", now=NOW
    )
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    await desk.click("不予受理（需说明理由）")
    await desk.send("不属于公益性岗位管理范围。")
    assert "将告知投诉人" in desk.last and "不属于公益性岗位管理范围" in desk.last
    await desk.click("取消")
    assert (await get_case(storage, case_id)).state == "submitted"
    await desk.press(f"cs:open:{case_id}")
    await desk.click("不予受理（需说明理由）")
    await desk.send("不属于公益性岗位管理范围。")
    await desk.click("确认不予受理")
    assert (await get_case(storage, case_id)).state == "rejected"
