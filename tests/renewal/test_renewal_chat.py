"""A unit contact records the renewal paperwork worker by worker on a phone, and the bureau
reads each unit's completion worker by worker; in their words."""

from __future__ import annotations

from datetime import timedelta

from renewal_county import BUREAU, UNIT_A, UNIT_A_CONTACT, UNIT_B_CONTACT

from messages.callbacks_renewal import PaperAction, PaperAnswer, PaperTask, PaperWorker
from messages.i18n import translate
from messages.wording import STALE_BUTTON
from storage.purge import purge_personal_data
from storage.workers import issue_codes

SIGNED_TERM = "2027年1月1日（周五）至2027年12月31日（周五）"


async def open_paperwork(chat, user_id):
    me = chat(user_id)
    await me.send("/start")
    await me.click("续签手续")
    return me


async def sign_in_chat(me, name: str) -> None:
    """The unit contact signs the worker's renewal from the first day offered."""
    await me.click(button_with(me, name))
    await me.click("签订续签协议")
    await me.click("2027年1月1日（周五）")
    await me.click("本人同意")
    await me.click("符合条件")


async def explain_in_chat(me, name: str, reason: str) -> None:
    """The unit contact writes why the worker's agreement is not renewed."""
    await me.click(button_with(me, name))
    await me.click("不续签：填写原因")
    await me.send(reason)


async def worker_codes(storage, county, clock) -> dict[int, str]:
    """Binding codes of unit A's workers, as `gongshi codes` issues them: {worker_id: code}."""
    async with storage.sessions() as session, session.begin():
        rows = await issue_codes(session=session, unit_id=county.units[UNIT_A], now=clock.now())
    return {row.worker_id: row.code for row in rows}


async def own_result(worker, code: str) -> str:
    """What a worker reads of their own result after binding with ``code``."""
    await worker.send(f"/start w_{code}")
    await worker.press("wkme:show")
    return worker.last


def button_with(me, *parts: str) -> str:
    return next(b for b in me.buttons() if all(part in b for part in parts))


async def test_signing_a_renewal_with_consent_and_eligibility(chat, county):
    name = county.names["pass"]
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    assert "2026 年度公示结束后的续签手续：4 人中已办结 0 人。" in me.last
    assert county.names["other"] not in " ".join(me.buttons())  # another unit's worker
    await me.click(button_with(me, name, "待签协议"))
    assert "按考核结果可续签上岗协议一年。" in me.last
    await me.click("签订续签协议")
    assert me.last.startswith("协议期限为一年。")
    await me.click("2027年1月1日（周五）")
    assert me.last == f"{name}本人是否同意续签上岗协议？"
    await me.click("本人同意")
    assert me.last == f"{name}是否仍符合公益性岗位人员条件？"
    await me.click("符合条件")
    texts = [shown.reply.text for shown in me.shown]
    assert f"已登记：续签协议期限为{SIGNED_TERM}。" in texts
    assert f"已签订续签协议：{SIGNED_TERM}。本人同意续签，符合公益性岗位人员条件。" in me.last
    await me.click("返回名单")
    assert "4 人中已办结 1 人" in me.last
    assert button_with(me, "✅", name)


async def test_a_worker_who_does_not_consent_is_reported_with_a_reason(chat, county):
    name = county.names["basic"]
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await me.click(button_with(me, name))
    await me.click("签订续签协议")
    await me.send("明年二月一日")
    assert me.last == "请输入协议起始日期，例如 2027-01-01 或 2027年1月1日。"
    await me.send("2027-02-01")
    await me.click("否")
    assert me.last.startswith(f"请写明{name}不再续签上岗协议的原因")
    await me.send("本人不同意续签，已签字确认")
    assert "不续签。已报原因：本人不同意续签，已签字确认" in me.last
    assert "社保信息变更" in me.last and "失业登记" in me.last


async def test_a_fail_is_reported_then_each_task_closed_by_confirmation_or_file(chat, county):
    name = county.names["fail"]
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await me.click(button_with(me, name, "待写原因"))
    assert "不再续签上岗协议。" in me.last
    await me.click("不续签：填写原因")
    await me.send("无")
    assert me.last == "请写明原因，至少 4 个字。"
    await me.send("考核不合格：经常迟到早退，不予签订上岗协议")
    texts = [shown.reply.text for shown in me.shown]
    # The 2027 calendar is not supplied here: two weeks from Wednesday 23 December.
    assert any("截止日期均为2027年1月6日（周三）" in text for text in texts)
    assert "解除劳动合同" not in me.last  # one 不合格 only
    await me.click("✅ 已办结：社保信息变更")
    assert me.answers[-1] == "已标记完成。"
    await me.click("📎 上传材料：失业登记")
    assert "失业登记" in me.last
    await me.send("办好了")
    assert me.last == "请以文件形式发送，或发送 /cancel 取消。"
    await me.upload("失业登记证明.pdf")
    assert me.last.count("✅") == 2
    await me.click("返回名单")
    assert button_with(me, "✅", name)


async def test_two_fails_in_a_row_add_the_end_of_the_contract(chat, county):
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await explain_in_chat(me, county.names["fail2"], "连续两年考核不合格，不予续签")
    assert "解除劳动合同" in me.last
    assert "✅ 已办结：解除劳动合同" in me.buttons()


async def test_another_units_worker_cannot_be_touched(chat, county):
    me = await open_paperwork(chat, UNIT_B_CONTACT)
    worker = county.workers["pass"]
    await me.press(PaperWorker(step="w", worker_id=worker).pack())
    assert me.answers[-1] == "该人员不在本单位已结束公示的考核结果中。"
    await me.press(PaperAction(step="reason", worker_id=worker).pack())
    assert me.answers[-1] == "该人员不在本单位已结束公示的考核结果中。"
    await me.send("试图写入原因")
    assert "已登记" not in me.last


async def test_the_bureau_sees_each_units_completion_worker_by_worker(chat, county):
    unit_contact = await open_paperwork(chat, UNIT_A_CONTACT)
    await sign_in_chat(unit_contact, county.names["pass"])
    desk = chat(BUREAU)
    await desk.send("/start")
    await desk.click("各单位续签手续")
    assert "5 人中已办结 1 人" in desk.last
    await desk.click("城关镇人民政府：完成 1/4，逾期 0")
    assert desk.last.startswith(
        "城关镇人民政府：2026 年度公示结束后的续签手续（4 人中已办结 1 人）"
    )
    assert f"已签订续签协议：{SIGNED_TERM}" in desk.last
    assert desk.last.count("按考核结果可续签上岗协议一年。") == 1  # the 基本合格, unsigned
    assert desk.last.count("不再续签上岗协议。") == 2  # the two 不合格, no reason yet


async def test_the_worker_reads_the_signed_term(chat, county, storage, clock):
    unit_contact = await open_paperwork(chat, UNIT_A_CONTACT)
    await sign_in_chat(unit_contact, county.names["pass"])
    codes = await worker_codes(storage, county, clock)
    signed = await own_result(chat(6301), codes[county.workers["pass"]])
    assert f"您的续签上岗协议已签订：{SIGNED_TERM}。" in signed
    unsigned = await own_result(chat(6302), codes[county.workers["basic"]])
    assert "续签上岗协议已签订" not in unsigned


async def test_long_reasons_keep_the_bureaus_page_within_one_message(chat, county):
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    for key in ("pass", "basic", "fail", "fail2"):
        await explain_in_chat(me, county.names[key], f"{key}：" + "本人长期不服从管理，" * 45)
        assert "不续签。已报原因：" in me.last
        await me.click("返回名单")
    desk = chat(BUREAU)
    await desk.send("/start")
    await desk.click("各单位续签手续")
    await desk.click("城关镇人民政府：完成 0/4，逾期 0")
    assert len(desk.last) <= 4096
    assert desk.last.count("…") == 4


async def test_a_forged_answer_while_signing_is_refused(chat, county):
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    worker = county.workers["pass"]
    await me.click(button_with(me, county.names["pass"]))
    await me.click("签订续签协议")
    await me.click("2027年1月1日（周五）")
    await me.press(PaperAnswer(step="consent", worker_id=worker, value=7).pack())
    assert me.answers[-1] == translate(STALE_BUTTON, "zh")
    await me.press(PaperAnswer(step="eligible", worker_id=worker, value=1).pack())
    assert me.answers[-1] == "该步骤已失效：请重新打开该人员。"


async def test_a_recorded_worker_is_not_signed_or_explained_again(chat, county):
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await sign_in_chat(me, county.names["pass"])
    worker = county.workers["pass"]
    for step in ("sign", "reason"):
        await me.press(PaperAction(step=step, worker_id=worker).pack())
        assert me.answers[-1] == "该人员的手续已经登记。"
    await me.send("本人不同意续签")
    assert "不续签。已报原因" not in me.last
    fail = county.workers["fail"]
    await me.press(PaperAction(step="sign", worker_id=fail).pack())
    assert me.answers[-1].startswith("按考核结果和有关规定，该人员不能续签上岗协议")


async def test_the_worker_reads_the_due_day_of_their_own_paperwork(chat, county, storage, clock):
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await explain_in_chat(me, county.names["fail"], "考核不合格，不予签订上岗协议")
    codes = await worker_codes(storage, county, clock)
    shown = await own_result(chat(6303), codes[county.workers["fail"]])
    # Two weeks from 23 December while the 2027 calendar is not supplied.
    assert "用人单位为其办理社保信息变更手续。（截止2027年1月6日（周三））" in shown
    assert "用人单位为其办理失业登记手续。（截止2027年1月6日（周三））" in shown


async def test_the_workers_tasks_are_among_the_units_tasks(chat, county):
    name = county.names["fail2"]
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await explain_in_chat(me, name, "连续两年考核不合格，不予续签")
    await me.press("ut:list")
    for title in (f"为{name}办理社保信息变更", f"为{name}办理失业登记", f"与{name}解除劳动合同"):
        assert title in me.last
    await me.click(button_with(me, f"为{name}办理失业登记"))
    await me.click("标记完成")
    await me.send("/start")
    await me.click("续签手续")
    await me.click(button_with(me, name))
    assert "✅ 已办结：失业登记" not in me.buttons()
    assert "✅ 已办结：社保信息变更" in me.buttons()


async def test_another_units_task_is_refused_before_any_file_is_asked(chat, county):
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await explain_in_chat(me, county.names["fail"], "考核不合格，不予签订上岗协议")
    [task_id] = [
        PaperTask.parse(b.data).task_id
        for row in me.shown[-1].reply.buttons
        for b in row
        if b.text == "📎 上传材料：失业登记"
    ]
    other = await open_paperwork(chat, UNIT_B_CONTACT)
    await other.press(PaperTask(step="file", task_id=task_id).pack())
    assert other.answers[-1] == "这不是本单位的任务。"
    await other.upload("伪造.pdf")
    assert "已标记完成" not in other.last
    await me.click("✅ 已办结：失业登记")
    await me.press(PaperTask(step="file", task_id=task_id).pack())
    assert me.answers[-1] == "该任务已完成。"


async def test_a_reason_deleted_past_retention_is_said_so_not_left_blank(
    chat, county, storage, clock
):
    name = county.names["fail"]
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await explain_in_chat(me, name, "考核不合格，不予签订上岗协议")
    await me.click("✅ 已办结：社保信息变更")
    await me.click("✅ 已办结：失业登记")
    # Past the retention period, `gongshi purge` empties the reason; the decision stays.
    clock.advance(timedelta(days=storage.settings.retention_days + 1))
    async with storage.sessions() as session, session.begin():
        purged = await purge_personal_data(
            session=session, before=clock.now() - timedelta(days=storage.settings.retention_days)
        )
    assert purged.renewal_reasons == 1
    deleted = "不续签。已报原因：（书面理由已按保存期限删除）"
    me = await open_paperwork(chat, UNIT_A_CONTACT)
    await me.click(button_with(me, "✅", name))
    assert deleted in me.last
    assert "不予签订上岗协议" not in me.last
    desk = chat(BUREAU)
    await desk.send("/start")
    await desk.click("各单位续签手续")
    await desk.click(button_with(desk, UNIT_A))
    assert desk.last.count(deleted) == 1
    assert desk.last.count("不再续签上岗协议。") == 1  # fail2: nothing reported, nothing deleted
