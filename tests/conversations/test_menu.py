"""/start, help, language, subscription, duplicates and stale buttons, in the user's words."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from handlers.core import Dispatcher, Router
from storage.models import AuditLog, ProcessedUpdate, Subscription, TelegramUser


async def count(storage, model, *where) -> int:
    async with storage.sessions() as session:
        statement = select(func.count()).select_from(model)
        for criterion in where:
            statement = statement.where(criterion)
        return (await session.execute(statement)).scalar_one()


async def test_citizen_menu_in_chinese(chat):
    me = chat()
    await me.send("/start")
    assert "公示通" in me.last
    assert "匿名" in me.last
    assert "公示开始时通知我" in me.buttons()
    assert "帮助" in me.buttons()
    assert "邀请工作人员" not in me.buttons()
    await me.click("帮助")
    assert "/cancel" in me.last and "取消当前操作" in me.last


async def test_english_from_telegram_and_switch_that_sticks(chat, storage):
    me = chat(language="en-US")
    await me.send("/start")
    assert me.last.startswith("Welcome to 公示通")
    await me.click("中文 / English")
    await me.click("简体中文")
    assert "欢迎使用公示通" in me.last
    assert me.answers[-1] == "已切换为简体中文。"
    # Telegram still says English, but the user's own choice wins.
    await me.send("/start")
    assert "欢迎使用公示通" in me.last
    async with storage.sessions() as session:
        user = await session.get(TelegramUser, me.user_id)
    assert (user.language, user.language_chosen) == ("zh", True)


async def test_subscribe_and_unsubscribe(chat, storage):
    me = chat()
    await me.send("/start")
    await me.click("公示开始时通知我")
    assert me.answers[-1] == "已订阅：公示开始时会通知您。"
    assert await count(storage, Subscription, Subscription.user_id == me.user_id) == 1
    assert "取消公示通知" in me.buttons()
    await me.click("取消公示通知")
    assert await count(storage, Subscription) == 0
    assert "公示开始时通知我" in me.buttons()


async def test_the_same_update_twice_has_one_effect(chat, dispatcher, storage):
    me = chat()
    await me.send("/start")
    press = me.incoming(button="sub:on", callback_id="c1", message_id=1)
    first = await dispatcher.handle(press)
    again = await dispatcher.handle(press)
    assert not first.duplicate and again.duplicate
    assert again.replies == [] and again.callback_answer is None
    assert await count(storage, Subscription) == 1
    assert await count(storage, ProcessedUpdate, ProcessedUpdate.update_id == press.update_id) == 1


async def test_stale_and_forged_buttons_get_polite_answers(chat, storage):
    me = chat()
    await me.send("/start")
    await me.press("zz:old:button")
    assert me.answers[-1] == "这个按钮已失效。请发送 /start 打开菜单。"
    await me.press("adm:invite")
    assert me.answers[-1] == "您没有权限进行此操作。"
    assert await count(storage, AuditLog, AuditLog.action == "denied") == 1
    await me.press("lang:xx")
    assert me.answers[-1] == "这个按钮已失效。请发送 /start 打开菜单。"


async def test_unknown_command_and_free_text(chat):
    me = chat()
    await me.send("/frobnicate")
    assert "/help" in me.last and "无法识别" in me.last
    await me.send("你好")
    assert "没有理解" in me.last


async def test_cancel(chat):
    me = chat()
    await me.send("/cancel")
    assert me.shown[-2].reply.text == "当前没有可取消的操作。"
    assert "公示通" in me.last


async def test_a_failing_step_apologises_and_is_not_redelivered(storage, clock, chat):
    router = Router()

    @router.command("boom")
    async def boom(ctx):
        ctx.reset()
        raise RuntimeError("a bug")

    broken = Dispatcher(
        sessions=storage.sessions, settings=storage.settings, clock=clock, router=router
    )
    me = chat()
    incoming = me.incoming(command="boom")
    outcome = await broken.handle(incoming)
    assert outcome.replies[0].text == "抱歉，系统出现问题，请稍后再试。"
    again = await broken.handle(replace(incoming))
    assert again.duplicate
