"""The desk in chat, in the officials' own words: the queue, the card, the buttons each role
may press, typed reasons and opinions; forged or stale buttons refused and audited; the
complainant's rating."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from case_helpers import (
    BUREAU,
    CITIZEN,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    UNIT_B_CONTACT,
    audits,
    file_case,
    get_case,
    outbox_to,
)
from openpyxl import load_workbook

from messages.replies import FileReply

NOW = datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_a_serious_case_is_decided_by_the_hr_bureau_the_desk_only_notes(
    chat, storage, county
):
    """Only the 人社局 decides a serious case: the desk sees it and may send it back to the
    人社局 with a note, but neither accepts, rejects, assigns nor records a finding; its
    forged buttons are refused and audited."""
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["张小三"],
        category="absent",
        now=NOW,
        contact=True,
    )
    desk = chat(BUREAU)
    await desk.send("/start")
    await desk.click("案件办理")
    assert "共 1 件" in desk.last
    [label] = [b for b in desk.buttons() if b.startswith(f"#{case_id} ")]
    await desk.click(label)
    assert "张小三" in desk.last and "13800138000" not in desk.last
    assert "留有联系方式" in desk.last
    assert {"添加备注", "查看联系方式"} <= set(desk.buttons())
    assert not {"受理", "不予受理（需说明理由）", "分派调查人员", "重新分类", "并单"} & set(
        desk.buttons()
    )
    for forged in ("acc", "rej", "asg", "find", "rcl", "mrg"):
        await desk.press(f"cs:{forged}:{case_id}")
        assert desk.answers[-1] == "您的身份不能对该案件执行此操作。"
    refused = await audits(storage, "case_step_refused")
    assert [(a.detail["step"], a.detail["reason"]) for a in refused] == [
        (step, "role")
        for step in ("accept", "reject", "assign", "record_finding", "reclassify", "merge")
    ]
    assert (await get_case(storage, case_id)).state == "submitted"
    await desk.click("添加备注")
    await desk.send("请人社局核实：群众反映该人员长期由亲属代岗。")
    assert "请人社局核实" in desk.last

    # The 人社局 accepts it and assigns its own investigator.
    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"cs:open:{case_id}")
    assert "请人社局核实" in investigator.last
    await investigator.click("受理")
    assert "状态：已受理" in investigator.last
    await investigator.click("分派调查人员")
    await investigator.click("陈调查")
    assert (await get_case(storage, case_id)).assignee_id is not None

    await investigator.send("/cases")
    await investigator.click("我的")
    assert "共 1 件" in investigator.last
    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("记录核查结论和处理意见")
    await investigator.click("属实")
    await investigator.send("经查，该人员长期不在岗，由亲属代岗。停发岗位补贴，核减岗位。")
    await investigator.click("停发岗位补贴和社保补贴")
    await investigator.click("核减公益性岗位指标")
    await investigator.click("确认")
    assert "核查结论：属实" in investigator.last
    assert "处理措施：停发岗位补贴和社保补贴、核减公益性岗位指标" in investigator.last
    await investigator.click("办结")
    await investigator.click("确认办结")
    assert "状态：已办结" in investigator.last

    closing = [r for r in await outbox_to(storage, CITIZEN) if "buttons" in r.payload]
    assert "由亲属代岗" in closing[-1].payload["text"]

    me = chat(CITIZEN)
    await me.press(f"rt:{case_id}:4")
    assert "4 分" in me.last
    await me.send("处理及时。")
    rated = await get_case(storage, case_id)
    assert (rated.rating, rated.rating_comment, rated.state) == (4, "处理及时。", "closed")

    await desk.click("查看联系方式")
    assert "13800138000" in desk.last
    [view] = await audits(storage, "complainant_contact_viewed")
    assert (view.actor_user_id, view.target_id) == (BUREAU, str(case_id))


async def test_a_reopened_serious_case_goes_back_to_the_hr_bureau(chat, storage, county):
    """A poor rating reopens a serious case for the 人社局's review: its investigator is told,
    records the new finding and closes it; the desk may only note it."""
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["李四"],
        category="impostor",
        now=NOW,
    )
    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("受理")
    await investigator.click("分派调查人员")
    await investigator.click("陈调查")
    await investigator.click("记录核查结论和处理意见")
    await investigator.click("不属实")
    await investigator.send("经核查，李四本人在岗。")
    # The worker's full name must not reach the public 处理意见书.
    assert "姓名：李四 → 李*" in investigator.last
    await investigator.click("使用打码后的文本")
    await investigator.click("办结")
    await investigator.click("确认办结")

    me = chat(CITIZEN)
    await me.press(f"rt:{case_id}:1")
    await me.click("跳过")
    assert (await get_case(storage, case_id)).state == "review"
    told = [r.payload["text"] for r in await outbox_to(storage, INVESTIGATORS[0])]
    assert any("重新审查" in text for text in told)
    assert not any("重新审查" in r.payload["text"] for r in await outbox_to(storage, BUREAU))

    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    assert "状态：已重新打开，待复查" in desk.last
    assert "添加备注" in desk.buttons()
    assert not {"记录核查结论和处理意见", "办结", "重新分类"} & set(desk.buttons())
    for forged in ("find", "cls"):
        await desk.press(f"cs:{forged}:{case_id}")
        assert desk.answers[-1] == "您的身份不能对该案件执行此操作。"
    refused = await audits(storage, "case_step_refused")
    assert [(a.actor_user_id, a.detail["step"], a.detail["reason"]) for a in refused] == [
        (BUREAU, "record_finding", "role"),
        (BUREAU, "close", "role"),
    ]

    await investigator.press(f"cs:open:{case_id}")
    await investigator.click("记录核查结论和处理意见")
    await investigator.click("部分属实")
    await investigator.send("复查：李四曾两次由他人代岗。")
    await investigator.click("使用打码后的文本")
    await investigator.click("批评教育")
    await investigator.click("确认")
    await investigator.click("办结")
    await investigator.click("确认办结")
    closed = await get_case(storage, case_id)
    assert (closed.state, closed.finding) == ("closed", "部分属实")


async def test_forged_and_stale_buttons_are_refused_and_audited(chat, storage, county):
    minor = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="conduct", now=NOW
    )
    other_unit = chat(UNIT_B_CONTACT)
    await other_unit.press(f"cs:acc:{minor}")
    assert other_unit.answers[-1] == "该案件不在您的办理范围内。"
    await other_unit.press(f"cs:card:{minor}")
    assert other_unit.answers[-1] == "该案件不在您的办理范围内。"
    await other_unit.press(f"cs:rej:{minor}")  # no unit may reject at all
    assert other_unit.answers[-1] == "您的身份不能对该案件执行此操作。"

    own_unit = chat(UNIT_A_CONTACT)
    await own_unit.press(f"cs:open:{minor}")
    assert "投诉人" not in own_unit.last and "证据材料" not in own_unit.last
    await own_unit.click("受理")
    assert (await get_case(storage, minor)).state == "accepted"
    await own_unit.press(f"cs:acc:{minor}")  # the step already taken
    assert own_unit.answers[-1] == "该步骤已完成或已不可执行：案件状态已变化。"
    await own_unit.press(f"cs:mrg:{minor}")  # a step a unit may not take
    assert own_unit.answers[-1] == "您的身份不能对该案件执行此操作。"

    investigator = chat(INVESTIGATORS[0])
    await investigator.press(f"cs:cls:{minor}")
    citizen = chat(CITIZEN)
    await citizen.press(f"cs:acc:{minor}")
    await citizen.press(f"cs:card:{minor}x")

    refused = [
        (a.actor_user_id, a.detail["step"], a.detail["reason"])
        for a in await audits(storage, "case_step_refused")
    ]
    assert refused == [
        (UNIT_B_CONTACT, "accept", "scope"),
        (UNIT_B_CONTACT, "reject", "role"),
        (UNIT_A_CONTACT, "accept", "state"),
        (UNIT_A_CONTACT, "merge", "role"),
        (INVESTIGATORS[0], "close", "role"),
    ]
    denied = await audits(storage, "denied")
    assert [(a.actor_user_id, a.target_type) for a in denied] == [
        (UNIT_B_CONTACT, "case"),
        (CITIZEN, "route"),
        (CITIZEN, "route"),
    ]
    assert (await get_case(storage, minor)).state == "accepted"


async def test_typed_reason_and_merge_by_number(chat, storage, county):
    a = county.units["01号单位"]
    first = await file_case(storage, unit_id=a, worker_id=None, category="unfair", now=NOW)
    second = await file_case(
        storage, unit_id=a, worker_id=None, category="unfair", now=NOW, user_id=8399
    )
    third = await file_case(
        storage, unit_id=a, worker_id=None, category="other", now=NOW, user_id=8398
    )
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{second}")
    await desk.click("并单")
    await desk.send("abc")
    assert "请输入案件编号" in desk.last
    await desk.send(f"#{first}")
    assert (await get_case(storage, second)).merged_into_id == first

    await desk.press(f"cs:open:{third}")
    await desk.click("不予受理（需说明理由）")
    await desk.send("不属于公益性岗位管理范围。")
    assert "将告知投诉人" in desk.last and (await get_case(storage, third)).state == "submitted"
    await desk.click("确认不予受理")
    assert (await get_case(storage, third)).state == "rejected"
    [told] = await outbox_to(storage, 8398)
    assert "不属于公益性岗位管理范围" in told.payload["text"]


async def test_a_poor_rating_reopens_once_and_only_the_complainant_rates(chat, storage, county):
    case_id = await file_case(
        storage, unit_id=county.units["02号单位"], worker_id=None, category="unfair", now=NOW
    )
    desk = chat(BUREAU)
    await desk.press(f"cs:open:{case_id}")
    await desk.click("受理")
    await desk.click("记录核查结论和处理意见")
    await desk.click("不属实")
    await desk.send("经核实，考核程序符合规定。")
    await desk.click("办结")
    await desk.click("确认办结")

    stranger = chat(8390)
    await stranger.press(f"rt:{case_id}:1")
    assert (await get_case(storage, case_id)).rating is None

    me = chat(CITIZEN)
    await me.press(f"rt:{case_id}:1")
    await me.click("跳过")
    reopened = await get_case(storage, case_id)
    assert (reopened.state, reopened.reopened) == ("review", True)
    assert any("重新审查" in r.payload["text"] for r in await outbox_to(storage, BUREAU))

    await desk.press(f"cs:open:{case_id}")
    await desk.click("办结")
    await desk.click("确认办结")
    await me.press(f"rt:{case_id}:1")
    assert (await get_case(storage, case_id)).state == "closed"
    reasons = [a.detail["reason"] for a in await audits(storage, "case_step_refused")]
    assert reasons == ["scope", "once"]


async def test_the_bureau_exports_the_cases_from_its_menu(chat, storage, county):
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=None,
        category="unfair",
        now=NOW,
        contact=True,
    )
    desk = chat(BUREAU)
    await desk.send("/start")
    assert "导出案件（Excel）" in desk.buttons()
    outcome = await desk.press("cs:export")
    [sheet] = [r for r in outcome.replies if isinstance(r, FileReply)]
    # Named in the reader's language, the file and its sheet alike.
    assert sheet.filename == "案件台账_2026.xlsx"
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == ["案件台账"]
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert str(case_id) in cells or f"#{case_id}" in cells
    assert not any("13800138000" in c or "王二" in c for c in cells)

    english = await chat(BUREAU, language="en").press("cs:export")
    [sheet] = [r for r in english.replies if isinstance(r, FileReply)]
    assert sheet.filename == "cases-2026.xlsx"
    assert load_workbook(io.BytesIO(sheet.content)).sheetnames == ["cases"]

    unit = chat(UNIT_A_CONTACT)
    await unit.send("/start")
    assert "导出案件（Excel）" not in unit.buttons()
    outcome = await unit.press("cs:export")
    assert not [r for r in outcome.replies if isinstance(r, FileReply)]
