"""The complaint conversation in the citizen's words, and what it writes in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hotline_helpers import (
    BUREAU,
    DESCRIPTION,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    UNIT_B_CONTACT,
    WORKER_USER,
    case_of,
    count,
    document,
    events,
    file_complaint,
    outbox_chats,
    ticket_of,
    upload,
)
from sqlalchemy import select

from bot.app import build_dispatcher
from storage.models import (
    Case,
    ComplainantContact,
    Complaint,
    ConversationState,
    Cycle,
    EvidenceFile,
    Outbox,
)


async def test_anonymous_minor_complaint_reaches_unit_and_bureau_only(chat, storage, county):
    me = chat(5001)
    code = await file_complaint(me, category="工作作风 / 服务态度")
    assert "/status " + code in me.last and "用人单位" in me.last
    case = await case_of(storage, code)
    assert (case.severity, case.route, case.state) == ("minor", "unit", "submitted")
    assert case.accept_due is not None and case.accept_due > county_today(me)
    assert await events(storage, case.id) == ["submitted"]
    assert await outbox_chats(storage, case.id) == {UNIT_A_CONTACT, BUREAU}
    assert await count(storage, ComplainantContact) == 0
    async with storage.sessions() as session:
        complaint = await session.get(Complaint, case.complaint_id)
        state = await session.get(ConversationState, me.user_id)
    assert complaint.anonymous and complaint.description == DESCRIPTION
    assert state.state == "" and state.data == {}


def county_today(me):
    return me.dispatcher.clock.today()


async def test_serious_complaint_about_a_masked_worker_with_contact(chat, storage, county):
    me = chat(5002)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.send("张")
    labels = me.buttons()
    assert "张*三 · 环卫" in labels and "张*伟 · 环卫" in labels
    assert not any("张小三" in label for label in labels)
    await me.click("张*三 · 环卫")
    await me.click("不在岗 / 吃空饷")
    await me.send(DESCRIPTION)
    await me.click("继续")
    assert me.shown[-1].reply.request_contact == "分享我的联系方式"
    await me.share_contact("13900001111")
    assert "留有联系方式" in me.last and "张*三" in me.last
    await me.click("提交投诉")
    code = ticket_of(me)
    case = await case_of(storage, code)
    assert (case.severity, case.route) == ("serious", "investigators")
    assert case.worker_id == county.workers["张小三"]
    assert await outbox_chats(storage, case.id) == {BUREAU, *INVESTIGATORS}
    async with storage.sessions() as session:
        contact = await session.get(ComplainantContact, case.complaint_id)
        complaint = await session.get(Complaint, case.complaint_id)
    assert (contact.user_id, contact.phone) == (5002, "13900001111")
    assert complaint.anonymous is False


async def test_someone_elses_contact_is_refused(chat, storage, county):
    me = chat(5003)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("02号单位")
    await me.click("投诉单位本身")
    await me.click("考核不公 / 程序违规")
    await me.send(DESCRIPTION)
    await me.click("继续")
    await me.share_contact("13700000000", user_id=9999)
    assert "本人" in me.last
    async with storage.sessions() as session:
        state = await session.get(ConversationState, me.user_id)
    assert state.state == "complaint_identity" and "contact" not in state.data["draft"]


async def test_description_limits_are_explained_politely(chat, county):
    me = chat(5004)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.click("投诉单位本身")
    await me.click("其他")
    await me.send("太短")
    assert "10 到 2000" in me.last and "2 字" in me.last
    await me.send("长" * 2001)
    assert "2001 字" in me.last
    await me.send("这是一段足够长的情况描述文字。")
    assert "证据材料可选" in me.last


async def test_evidence_types_sizes_and_count(chat, storage, county):
    me = chat(5005)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.click("投诉单位本身")
    await me.click("其他")
    await me.send(DESCRIPTION)
    await upload(me, document("proof.pdf", mime="application/pdf"))
    assert "第 1 件" in me.last
    await upload(me, document("proof.pdf", mime="application/x-msdownload"))
    assert "不接受该类型" in me.last
    await upload(me, document("tool.exe"))
    assert "不接受该类型" in me.last
    await upload(me, document("big.pdf", mime="application/pdf", size=25 * 1024 * 1024))
    assert "超过 20 MB" in me.last
    for n in range(4):
        await upload(me, document(f"p{n}.jpg", kind="photo"))
    assert "第 5 件" in me.last
    await upload(me, document("six.png", mime="image/png"))
    assert "证据材料已达 5 件" in me.last
    await me.click("继续")
    await me.click("匿名投诉")
    assert "证据材料：5 个" in me.last
    await me.click("提交投诉")
    case = await case_of(storage, ticket_of(me))
    async with storage.sessions() as session:
        files = (
            (
                await session.execute(
                    select(EvidenceFile).where(EvidenceFile.complaint_id == case.complaint_id)
                )
            )
            .scalars()
            .all()
        )
    assert [f.mime_type for f in files] == ["application/pdf"] + ["image/jpeg"] * 4
    assert files[0].telegram_file_id == "f-proof.pdf"


async def test_back_at_every_step_and_cancel_writes_nothing(chat, storage, county):
    me = chat(5006)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.click("投诉单位本身")
    await me.click("其他")
    await me.send(DESCRIPTION)
    await me.click("« 返回")
    assert "请描述具体情况" in me.last
    await me.click("« 返回")
    assert "请选择问题类型" in me.last
    await me.click("« 返回")
    assert "您要投诉哪个用人单位" in me.last
    await me.click("01号单位")
    await me.click("取消")
    assert "已取消" in "".join(s.reply.text for s in me.shown[-2:])
    assert "我要投诉" in me.buttons()
    assert await count(storage, Complaint) == 0
    assert await count(storage, Outbox) == 0


async def test_draft_survives_a_restart(chat, storage, county, clock):
    me = chat(5007)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.click("投诉单位本身")
    await me.click("其他")
    await me.send(DESCRIPTION)
    # A new dispatcher is what a restarted process has: nothing in memory carries over.
    me.dispatcher = build_dispatcher(
        settings=storage.settings, sessions=storage.sessions, clock=clock
    )
    await me.click("继续")
    await me.click("匿名投诉")
    assert DESCRIPTION in me.last
    await me.click("提交投诉")
    case = await case_of(storage, ticket_of(me))
    assert case.category == "other" and case.severity == "triage"


async def test_units_are_paged(chat, county):
    me = chat(5008)
    await me.send("/start")
    await me.click("我要投诉")
    assert "09号单位" not in me.buttons() and "08号单位" in me.buttons()
    await me.click("下一页 »")
    assert "09号单位" in me.buttons() and "10号单位" in me.buttons()
    await me.click("« 上一页")
    assert "01号单位" in me.buttons()


async def test_three_complainants_make_it_serious_and_escalate_earlier_cases(chat, storage, county):
    codes = []
    for user in (5101, 5102):
        codes.append(await file_complaint(chat(user), worker="张*三"))
    # The same person twice counts once.
    codes.append(await file_complaint(chat(5101), worker="张*三"))
    cases = [await case_of(storage, code) for code in codes]
    assert [c.severity for c in cases] == ["minor"] * 3
    third = await file_complaint(chat(5103), worker="张*三")
    latest = await case_of(storage, third)
    assert (latest.severity, latest.route) == ("serious", "investigators")
    for code in codes:
        earlier = await case_of(storage, code)
        assert (earlier.severity, earlier.route) == ("serious", "investigators")
        assert await events(storage, earlier.id) == ["submitted", "escalated"]
        assert set(INVESTIGATORS) <= await outbox_chats(storage, earlier.id)
    async with storage.sessions() as session:
        rows = await session.execute(
            select(Outbox.payload).where(Outbox.dedup_key.like("%:escalated:%"))
        )
        texts = [payload["text"] for payload in rows.scalars()]
    assert len(texts) == len(codes) * len({BUREAU, *INVESTIGATORS})
    assert all("已有 3 位不同的群众" in text for text in texts)
    assert await outbox_chats(storage, latest.id) == {BUREAU, *INVESTIGATORS}


async def test_lateness_of_different_workers_is_not_the_same_matter(chat, storage, county):
    """群众反响较大 counts complaints about the same matter: three people each reporting a
    different worker of one unit leave every case minor, with the unit; three people reporting
    the unit itself for the same category make that serious, and nothing else."""
    codes = [
        await file_complaint(chat(user), worker=worker)
        for user, worker in ((5201, "张*三"), (5202, "张*伟"), (5203, "李*"))
    ]
    by_worker = [await case_of(storage, code) for code in codes]
    assert len({c.worker_id for c in by_worker}) == 3
    assert [(c.severity, c.route) for c in by_worker] == [("minor", "unit")] * 3

    unfair = await file_complaint(chat(5204), category="考核不公 / 程序违规")
    about_unit = [await file_complaint(chat(user)) for user in (5205, 5206, 5207)]
    third = await case_of(storage, about_unit[2])
    assert (third.severity, third.route) == ("serious", "investigators")
    for code in about_unit[:2]:
        earlier = await case_of(storage, code)
        assert (earlier.severity, earlier.route) == ("serious", "investigators")
        assert await events(storage, earlier.id) == ["submitted", "escalated"]
    # Not the same matter: the workers' cases and the unit's other category stay as they were.
    for case in by_worker:
        again = await case_of(storage, codes[by_worker.index(case)])
        assert (again.severity, await events(storage, case.id)) == ("minor", ["submitted"])
    assert (await case_of(storage, unfair)).severity == "medium"


async def test_outside_gongshi_it_is_a_general_complaint_for_the_desk(chat, storage, county):
    async with storage.sessions() as session, session.begin():
        cycle = await session.get(Cycle, county.cycle_id)
        cycle.state = "closed"
    me = chat(5009)
    me.dispatcher.clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    await me.send("/start")
    await me.click("我要投诉")
    assert "当前没有正在进行的公示" in me.last
    code = await file_complaint(me, category="不在岗 / 吃空饷")
    assert "一般投诉" in me.last
    case = await case_of(storage, code)
    assert (case.route, case.cycle_id) == ("bureau", None)
    # The law's 15 days from Monday 2 November, calendar days.
    assert case.accept_due == date(2026, 11, 17)
    assert await outbox_chats(storage, case.id) == {BUREAU}


async def test_deep_link_from_a_gongshi_entry_names_the_worker(chat, storage, county):
    me = chat(5010)
    await me.send(f"/start c_{county.results['王五']}")
    assert "请选择问题类型" in me.last
    await me.click("人岗不符")
    await me.send(DESCRIPTION)
    await me.click("继续")
    await me.click("匿名投诉")
    assert "02号单位 · 王*" in me.last
    await me.click("提交投诉")
    case = await case_of(storage, ticket_of(me))
    assert case.worker_id == county.workers["王五"] and case.unit_id == county.units["02号单位"]
    assert UNIT_B_CONTACT not in await outbox_chats(storage, case.id)
    assert WORKER_USER not in await outbox_chats(storage, case.id)
    assert await count(storage, Case) == 1
