"""A unit contact records the procedure in the chat, step by step, as on a phone."""

from __future__ import annotations

from procedure_world import CONTACT, bind_contact, unit_id, unit_with_workers
from pubworld import person
from sqlalchemy import select

from storage.models import ImportJob, ProcedureStep


async def steps(storage) -> dict[str, ProcedureStep]:
    async with storage.sessions() as session:
        return {s.step: s for s in (await session.execute(select(ProcedureStep))).scalars()}


async def test_a_unit_contact_records_the_four_steps(storage, chat):
    workers = await unit_with_workers(storage, 3)
    await bind_contact(storage, await unit_id(storage))
    me = chat(CONTACT)
    await me.send("/start")
    await me.click("考核程序")
    assert "❌ 个人述职：未记录" in me.last and "❌ 集体研究：未记录" in me.last

    await me.click("记录个人述职")
    await me.click("今天")
    await me.click("在岗人员全部 3 人")
    assert "已记录：个人述职。" in me.last
    assert "✅ 个人述职：在岗 3 人中的 3 人，2026年12月16日" in me.last

    await me.click("记录谈话考核")
    await me.send("2026-12-9")
    await me.send(f"{person(0).name}、查无此人")
    assert "不是县城市管理局的在岗人员：查无此人" in me.last
    await me.send(f"{person(0).name}\n{person(2).name}")
    assert "✅ 谈话考核：在岗 3 人中的 2 人" in me.last

    await me.click("记录民主测评")
    await me.send("明天")
    assert "不是日期" in me.last
    await me.send("2026年12月10日")
    await me.send("王分管")
    await me.click("无")
    await me.send("居民甲")  # one person served: the plan asks for 2 to 4
    assert "无" in me.buttons()  # the "others" question
    await me.click("无")
    assert "您填写了 1 人" in me.last
    await me.send("本单位服务对象仅一户")
    assert "✅ 民主测评：2 人，2026年12月10日" in me.last

    await me.click("记录集体研究")
    await me.send("2026-12-11")
    await me.send("王分管、李主任，张委员")
    assert "会议纪要" in me.last
    await me.upload("会议纪要.pdf")
    assert "会议纪要“会议纪要.pdf”已登记。" in me.last
    assert "各环节均已记录。" in me.last

    recorded = await steps(storage)
    assert sorted(recorded["report"].workers) == sorted(workers.values())
    assert sorted(recorded["interview"].workers) == sorted(
        [workers[person(0).name], workers[person(2).name]]
    )
    assert recorded["evaluation"].people == {"leader": ["王分管"], "served": ["居民甲"]}
    assert recorded["evaluation"].reason == "本单位服务对象仅一户"
    assert recorded["meeting"].people == {"attendee": ["王分管", "李主任", "张委员"]}
    assert recorded["meeting"].minutes_file_id == "f-会议纪要.pdf"


async def test_the_procedure_sheet_is_queued_like_a_results_sheet(storage, chat):
    await unit_with_workers(storage, 1)
    unit = await unit_id(storage)
    await bind_contact(storage, unit)
    me = chat(CONTACT)
    await me.send("/start")
    await me.click("考核程序")
    await me.click("上传考核程序表")
    await me.upload("程序.exe")
    assert "不是 XLSX 或 CSV" in me.last or "XLSX" in me.last
    await me.upload("程序.xlsx")
    async with storage.sessions() as session:
        job = (await session.execute(select(ImportJob))).scalar_one()
    assert (job.kind, job.only_unit_id, job.cycle_year) == ("procedure", unit, 2026)


async def test_only_unit_contacts_see_the_procedure_menu(storage, chat):
    me = chat(8802)
    await me.send("/start")
    assert "考核程序" not in me.buttons()
