"""A worker's objection (申辩) as its own procedure, in the words each person reads: the desk
opens it from its alert, accepts it and the unit is asked; the unit states its side; the
desk decides 更正等次 after checking what the worker will be told; the result changes. No
message to the worker speaks of a complaint against her."""

from __future__ import annotations

from sqlalchemy import select
from test_objection import bound_worker, file_objection
from worker_county import BUREAU, UNIT_A_CONTACT, UNIT_B_CONTACT

from storage.models import AuditLog, Objection, Outbox, Result

REASON = "本人全年按时在岗，考核记录有误，请复核打卡记录。"
STATEMENT = "经核对考勤，该同志11月确有三次迟到记录，但均已补假。"
COMPLAINT_WORDS = ("投诉对象", "您的投诉", "投诉人", "核查结论")


async def sent_to(storage, chat_id: int) -> list[dict]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(Outbox.payload).where(Outbox.chat_id == chat_id).order_by(Outbox.id)
        )
        return list(rows.scalars())


def button(payload: dict, label: str) -> str:
    for row in payload.get("buttons", []):
        for item in row:
            if item["text"] == label:
                return item["data"]
    raise AssertionError(f"no button {label!r} in {payload.get('buttons')}")


async def test_an_objection_from_alert_to_corrected_grade(chat, county, issue, storage):
    worker = await bound_worker(chat, county, issue)  # 不合格, not renewed
    code = await file_objection(worker, REASON)

    desk = chat(BUREAU)
    alert = (await sent_to(storage, BUREAU))[-1]
    assert "新申辩" in alert["text"] and "考核等次" in alert["text"]
    await desk.press(button(alert, "打开申辩"))
    card = desk.last
    assert "申辩 #" in card and REASON in card and "单位说明：尚未提交" in card
    assert "投诉" not in card
    assert "受理并请单位说明" in desk.buttons() and "作出决定" not in desk.buttons()
    await desk.click("受理并请单位说明")
    assert "已受理，待单位说明" in desk.last

    ask = (await sent_to(storage, UNIT_A_CONTACT))[-1]
    assert "填写单位说明" in str(ask["buttons"]) and REASON in ask["text"]
    assert await sent_to(storage, UNIT_B_CONTACT) == []  # the other unit hears nothing

    # Another unit's contact pressing the same button is refused, and nothing is recorded.
    other = chat(UNIT_B_CONTACT)
    await other.press(button(ask, "填写单位说明"))
    assert "不属于本单位" in (other.answers[-1] or "")

    assert county.people["fail"].name not in ask["text"] and "（环卫）" in ask["text"]
    # The unit finds it again from its menu.
    unit = chat(UNIT_A_CONTACT)
    await unit.send("/start")
    await unit.click("待说明的申辩")
    assert len([b for b in unit.buttons() if b.startswith("#")]) == 1
    await other.send("/start")
    await other.click("待说明的申辩")
    assert "目前没有待本单位说明的申辩" in other.last
    await unit.click(next(b for b in unit.buttons() if b.startswith("#")))
    assert "单位的说明" in unit.last or "本单位的说明" in unit.last
    await unit.send(STATEMENT)
    assert "已送达县就业局" in unit.last
    assert STATEMENT in (await sent_to(storage, BUREAU))[-1]["text"]

    await desk.send("/cases")
    await desk.click(next(label for label in desk.buttons() if "申辩" in label))
    assert STATEMENT in desk.last
    await desk.click("作出决定")
    await desk.click("更正等次")
    assert "更正为" in desk.last
    await desk.click("合格")
    await desk.send("复核考勤记录，迟到已补假，不影响考核等次。")
    preview = desk.last
    assert "将告知申辩人" in preview and "由“不合格”更正为“合格”" in preview
    async with storage.sessions() as session:
        grade = (
            await session.execute(
                select(Result.grade).where(
                    Result.worker_id == county.people["fail"].worker_id, Result.cycle_id == 1
                )
            )
        ).scalar_one()
    assert grade == "不合格"  # nothing changes before the confirmation
    await desk.click("确认")
    assert "已作出决定" in desk.last

    async with storage.sessions() as session:
        result = (
            await session.execute(
                select(Result).where(
                    Result.worker_id == county.people["fail"].worker_id, Result.cycle_id == 1
                )
            )
        ).scalar_one()
        objection = (await session.execute(select(Objection))).scalar_one()
        corrected = (
            await session.execute(select(AuditLog).where(AuditLog.action == "result_corrected"))
        ).scalar_one_or_none()
    assert (result.grade, result.renew) == ("合格", False)
    assert (objection.decision, objection.grade_after) == ("regrade", "合格")
    assert corrected is not None

    told = [p.get("text", "") for p in await sent_to(storage, worker.user_id)]
    assert any("已受理" in text and code in text for text in told)
    assert any("更正等次" in text and "由“不合格”更正为“合格”" in text for text in told)
    for text in [*told, worker.last]:
        assert not any(word in text for word in COMPLAINT_WORDS), text

    await worker.send(f"/status {code}")
    assert f"您的申辩 {code}" in worker.last and "单位已提交说明" in worker.last
    assert "投诉" not in worker.last
    await worker.press("wkme:show")
    assert "合格" in worker.last and "不合格" not in worker.last


async def test_maintained_and_refused_steps(chat, county, issue, storage):
    worker = await bound_worker(chat, county, issue, key="pass", user_id=6202)
    code = await file_objection(worker, REASON, subject="续签决定")
    desk = chat(BUREAU)
    alert = (await sent_to(storage, BUREAU))[-1]
    case_data = button(alert, "打开申辩")
    case_id = int(case_data.rsplit(":", 1)[1])
    # The complaint's steps do not apply to an objection, even pressed by forged data.
    await desk.press(f"cs:acc:{case_id}")
    assert "不能" in (desk.answers[-1] or "")
    await desk.press(case_data)
    await desk.click("受理并请单位说明")
    await desk.click("作出决定")
    await desk.click("维持原等次")
    await desk.send("单位考核程序完整，结论有据。")
    await desk.click("确认")
    async with storage.sessions() as session:
        result = (
            await session.execute(
                select(Result).where(
                    Result.worker_id == county.people["pass"].worker_id, Result.cycle_id == 1
                )
            )
        ).scalar_one()
    assert (result.grade, result.renew) == ("合格", True)
    told = (await sent_to(storage, worker.user_id))[-1].get("text", "")
    assert "维持原等次" in told and code in told and "投诉" not in told
    # Decided: no second decision.
    await desk.press(f"ob:dec:{case_id}")
    assert "已进入下一环节" in (desk.answers[-1] or "")
