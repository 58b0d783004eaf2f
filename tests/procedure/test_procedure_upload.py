"""A procedure sheet sent in chat over the Bot API: downloaded and recorded in the background by
the same use case as `gongshi procedure import`, the answer through the outbox, a sheet of
another unit refused whole."""

from __future__ import annotations

import sys
from pathlib import Path

from procedure_world import bind_contact, procedure_csv, unit_id, unit_with_workers
from pubworld import UNITS, add_units, person
from sqlalchemy import select

from bot.app import build_dispatcher
from bot.runtimes.files import BotApiFileFetcher
from notices.uploads import UploadSettings, import_uploads
from storage.models import ImportJob, Outbox, ProcedureStep

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))


def last_text(messages) -> str:
    said = [m for m in messages if m["from_bot"]]
    return (said[-1]["text"] or "") if said else ""


async def test_a_procedure_sheet_sent_over_the_bot_api(storage, clock, sandbox, client):
    from runtime_harness import RunningBot

    await unit_with_workers(storage, 2)
    await add_units(storage)
    unit = await unit_id(storage)
    token = f"{sandbox.state.bot.id}:procedure-test-token"
    dispatcher = build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)
    bot = RunningBot("aiogram", token, sandbox.url, dispatcher)
    user = await client.create_persona("单位联系人", role="unit")
    await bind_contact(storage, unit, user=user["id"])
    held = clock.today().isoformat()
    good = [
        [UNITS[0], "个人述职", held, person(0).name, "", ""],
        [UNITS[0], "个人述职", held, person(1).name, "", ""],
        [UNITS[0], "谈话考核", held, person(1).name, "", ""],
        [UNITS[0], "民主测评", held, "居民甲", "服务对象", ""],
        [UNITS[0], "民主测评", held, "居民乙", "服务对象", ""],
    ]
    other = [*good, [UNITS[1], "集体研究", held, "某人", "", ""]]
    settings = UploadSettings(
        secret_key=storage.settings.secret_key.get_secret_value(), import_max_mb=50
    )
    files = BotApiFileFetcher(sandbox.url, token)
    await bot.start()
    try:
        await client.send_command(user, "/start")
        await client.wait_until(user, lambda ms: "考核程序" in str(ms[-1]))
        for name, rows in (("他单位.csv", other), ("考核程序.csv", good)):
            await client.click(user, "考核程序")
            await client.wait_until(user, lambda ms: "上传考核程序表" in str(ms[-1]))
            await client.click(user, "上传考核程序表")
            await client.wait_until(user, lambda ms: "每行一人" in last_text(ms))
            await client.send_file(user, name, procedure_csv(rows))
            await client.wait_until(user, lambda ms: "已收到" in last_text(ms))
            taken = await import_uploads(
                sessions=storage.sessions, files=files, clock=clock, settings=settings
            )
            assert taken == 1
    finally:
        await bot.stop()
    async with storage.sessions() as session:
        jobs = (await session.execute(select(ImportJob).order_by(ImportJob.id))).scalars().all()
        answers = [
            o.payload["text"]
            for o in (await session.execute(select(Outbox).order_by(Outbox.id))).scalars()
            if o.dedup_key and o.dedup_key.startswith("import-job:")
        ]
        steps = {s.step for s in (await session.execute(select(ProcedureStep))).scalars()}
    assert [j.outcome for j in jobs] == ["refused", "imported"]
    assert "考核程序表“他单位.csv”未予记录" in answers[0]
    assert f"您只能记录本单位“{UNITS[0]}”的考核程序" in answers[0]
    assert "已记录考核程序 3 个环节" in answers[1]
    assert steps == {"report", "interview", "evaluation"}
