"""`gongshi demo`: the whole product on one machine, with no Telegram account, token or
internet. The schema and the demo county are created if missing, the sandbox (a Bot API
look-alike with a chat page) starts on 127.0.0.1, and the bot runs against it, with one
persona of each role already bound so every role can be tried at once."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from bot.cli_logging import LogLevel, setup_logging
from bot.cli_run import Runtime
from bot.demo_files import (
    NOT_A_FILE,
    NOTHING_TO_RESET,
    RESET_DONE,
    STILL_RUNNING,
    CannotReset,
    DemoRunning,
    demo_lock,
    reset_files,
    snapshot_path,
)
from bot.demo_work import DemoPeople, plan_demo_deadlines, send_demo_digest, write_demo_work
from bot.runtime_context import fail, open_storage, run_async, settings_or_exit
from bot.runtimes import RuntimeName
from bot.settings import Settings
from domain.clock import SystemClock
from domain.idnumber import normalize_id_number
from messages.i18n import N_, Translator
from services.commands import refresh_chat_menu
from storage.demo import demo_identity, load_demo_data
from storage.demo_inspection import demo_group_leader
from storage.identity import keyed_hash
from storage.migrate import upgrade
from storage.models import Official, RoleBinding, Unit, Worker
from storage.processed_updates import bot_id_of, last_update_id

if TYPE_CHECKING:
    from bot.sandbox.state import SandboxState

DEMO_SEED = 2026
DEMO_YEAR = 2026  # the cycle being assessed in the demo county
DEMO_TOKEN = "7000000001:sandbox-demo"
READY = N_("公示通 demo is running. Open the chat page: {url}/")
PERSONAS_HINT = N_(
    "Choose a persona on the left: citizen, worker, unit contact, hotline desk, investigator, "
    "administrator. Ctrl-C stops everything."
)
LOADING = N_("Creating the demo county (26 units, 2,683 posts) ...")


@dataclass(frozen=True)
class DemoPersona:
    id: int
    first_name: str
    role: str
    username: str | None = None
    language_code: str = "zh-hans"
    phone: str | None = None
    # Has used the bot before the demo starts (the demo's complaints are this citizen's).
    complained: bool = False

    @property
    def started(self) -> bool:
        return self.role != "citizen" or self.complained

    def sandbox_fields(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "role": self.role,
            "username": self.username,
            "language_code": self.language_code,
            "phone": self.phone,
            # Bound officials and workers have opened the bot before, so it may write to them
            # (Telegram refuses a first message from a bot).
            "started": self.started,
        }


def demo_personas() -> list[DemoPersona]:
    worker_name, _, worker_phone = demo_identity(DEMO_SEED, 0)
    return [
        DemoPersona(
            5000000001, "张伟", "citizen", "zhangwei", phone="+8613800000001", complained=True
        ),
        DemoPersona(5000000002, worker_name, "worker", phone=f"+86{worker_phone}"),
        DemoPersona(5000000003, "王强", "unit", "wangqiang_unit", phone="+8613800000003"),
        DemoPersona(5000000004, "刘洋", "bureau", "liuyang_jyj", phone="+8613800000004"),
        DemoPersona(5000000005, "陈静", "investigator", "chenjing_rsj", phone="+8613800000005"),
        DemoPersona(5000000006, "赵敏", "admin", "zhaomin_admin", phone="+8613800000006"),
        DemoPersona(5000000007, "Alice", "citizen", "alice_lee", "en", "+8613800000007"),
        DemoPersona(5000000008, "张红军", "inspector", "zhanghj_kh", phone="+8613800000008"),
    ]


async def prepare_database(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
    """The demo county if the database has none, and the personas' role bindings."""
    async with sessions() as session:
        units = (await session.execute(select(func.count()).select_from(Unit))).scalar_one()
    if units == 0:
        typer.echo(Translator(settings.language)(LOADING))
        await load_demo_data(
            sessions=sessions,
            secret_key=settings.secret_key.get_secret_value(),
            seed=DEMO_SEED,
            year=DEMO_YEAR,
        )
    async with sessions() as session, session.begin():
        unit_id = await bind_personas(session, settings)
        # The look-alike may have forgotten their menus: set them at every start.
        await refresh_chat_menu(
            session=session,
            user_ids=[p.id for p in demo_personas() if p.role != "citizen"],
            default_language=settings.language,
        )
    now = SystemClock(settings.timezone).now()
    await plan_demo_deadlines(sessions, settings, year=DEMO_YEAR, today=now.date())
    if units == 0:
        await write_demo_work(sessions, settings, demo_people(unit_id), year=DEMO_YEAR, now=now)
    await send_demo_digest(sessions, settings)


def demo_people(unit_id: int) -> DemoPeople:
    by_role = {p.role: p.id for p in reversed(demo_personas())}
    complainants = tuple(p.id for p in demo_personas() if p.role == "citizen" and p.started)
    return DemoPeople(
        citizens=complainants,
        bureau=by_role["bureau"],
        investigator=by_role["investigator"],
        unit=by_role["unit"],
        unit_id=unit_id,
    )


async def bind_personas(session: AsyncSession, settings: Settings) -> int:
    """Bind the personas not bound yet; the demo unit's id (the bound worker's unit)."""
    _, id_number, _ = demo_identity(DEMO_SEED, 0)
    id_hash = keyed_hash(
        settings.secret_key.get_secret_value(), "id", normalize_id_number(id_number)
    )
    worker = (
        await session.execute(select(Worker).where(col(Worker.id_hash) == id_hash))
    ).scalar_one()
    for persona in demo_personas():
        if persona.role == "citizen":
            continue
        bound = await session.execute(
            select(col(RoleBinding.id)).where(
                col(RoleBinding.user_id) == persona.id,
                col(RoleBinding.revoked_at).is_(None),
            )
        )
        if bound.first() is not None:
            continue
        if persona.role == "worker":
            session.add(
                RoleBinding(
                    user_id=persona.id,
                    role="worker",
                    worker_id=worker.id,
                    unit_id=worker.unit_id,
                    via="demo",
                )
            )
            continue
        unit_id = worker.unit_id if persona.role == "unit" else None
        if persona.role == "inspector":  # the first group's leader in the demo's plan
            official_id = await demo_group_leader(session, name=persona.first_name)
            if official_id is not None:
                session.add(
                    RoleBinding(
                        user_id=persona.id, role="inspector", official_id=official_id, via="demo"
                    )
                )
            continue
        official = Official(name=persona.first_name, role=persona.role, unit_id=unit_id)
        session.add(official)
        await session.flush()
        session.add(
            RoleBinding(
                user_id=persona.id,
                role=persona.role,
                official_id=official.id,
                unit_id=unit_id,
                via="demo",
            )
        )
    return worker.unit_id


async def continue_update_ids(
    state: SandboxState, sessions: async_sessionmaker[AsyncSession], token: str
) -> None:
    """The sandbox starts counting update ids at 1 on every start; the database remembers
    the ids the bot handled, so a restarted demo numbers on from there and is answered."""
    async with sessions() as session:
        last = await last_update_id(session=session, bot_id=bot_id_of(token))
    if last is not None:
        state.continue_after(last)


async def run_demo(*, port: int, runtime: RuntimeName) -> None:
    """The demo, refusing to start while another one runs on the same database."""
    settings = settings_or_exit(bot_token=DEMO_TOKEN)
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(demo_lock(settings))
        except DemoRunning as exc:
            fail(Translator(settings.language)(STILL_RUNNING, path=str(exc)), 1)
        await _run_locked_demo(port=port, runtime=runtime, kept_at=snapshot_path(settings))


async def _run_locked_demo(*, port: int, runtime: RuntimeName, kept_at: Path) -> None:
    from bot.cli_run import serve_bot
    from bot.sandbox import snapshot
    from bot.sandbox.server import start_sandbox
    from bot.sandbox.state import DEFAULT_CHANNEL_ID, SandboxState

    state = SandboxState()
    for persona in demo_personas():
        state.add_persona(**persona.sandbox_fields())
    # The chats and the channel as they were when the demo last stopped: the database still
    # has the 公示 posted and the cases talked about, so the page must show them too.
    snapshot.load(state, kept_at)
    try:
        sandbox = await start_sandbox("127.0.0.1", port, state=state)
    except OSError:
        sandbox = await start_sandbox("127.0.0.1", 0, state=state)
    saving = asyncio.create_task(snapshot.keep_saving(state, kept_at))
    try:
        # The sandbox has a public channel of its own: the 公示 lists are posted there.
        settings = settings_or_exit(
            bot_token=DEMO_TOKEN, api_base=sandbox.url, public_channel=str(DEFAULT_CHANNEL_ID)
        )
        t = Translator(settings.language)
        async with open_storage(settings) as storage:
            await upgrade(storage.engine)
            await prepare_database(settings, storage.sessions)
            await continue_update_ids(state, storage.sessions, DEMO_TOKEN)
        typer.echo(t(READY, url=sandbox.url))
        typer.echo(t(PERSONAS_HINT))
        await serve_bot(settings, runtime=runtime, says_how_to_stop=False)
    finally:
        saving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await saving
        await sandbox.stop()


def reset_demo() -> None:
    settings = settings_or_exit(bot_token=DEMO_TOKEN)
    t = Translator(settings.language)
    try:
        removed = reset_files(settings)
    except CannotReset as exc:
        fail(t(NOT_A_FILE, url=str(exc)), 1)
    except DemoRunning as exc:
        fail(t(STILL_RUNNING, path=str(exc)), 1)
    if removed:
        typer.echo(t(RESET_DONE, files="、".join(str(path) for path in removed)))
    else:
        typer.echo(t(NOTHING_TO_RESET))


def demo(
    port: int = typer.Option(8081, "--port", help="聊天页面端口 / chat page port (127.0.0.1)"),
    runtime: Runtime = typer.Option(Runtime.aiogram, "--runtime", help="aiogram | ptb"),
    log_level: LogLevel = typer.Option(
        LogLevel.WARNING,  # a newcomer reads the page's address, not the sweeps' routine
        "--log-level",
        case_sensitive=False,
        help="日志级别 / log level: DEBUG, INFO, WARNING, ERROR",
    ),
    reset: bool = typer.Option(
        False,
        "--reset",
        help="先清除演示数据库和聊天记录，重新生成示例县 / first remove the demo's database and "
        "chats, then start with a fresh demo county",
    ),
) -> None:
    """一键演示：沙盒、示例数据与机器人 / The demo: sandbox, demo data and the bot."""
    setup_logging(log_level)
    if reset:
        reset_demo()
    run_async(run_demo(port=port, runtime=runtime.value))
