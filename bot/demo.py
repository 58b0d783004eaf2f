"""`gongshi demo`: the whole product on one machine, with no Telegram account, token or
internet. The schema and the demo county are created if missing, the sandbox (a Bot API
look-alike with a chat page) starts on 127.0.0.1, and the bot runs against it, with one
persona of each role already bound so every role can be tried at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from bot.cli_logging import LogLevel, setup_logging
from bot.cli_run import Runtime
from bot.runtime_context import open_storage, run_async, settings_or_exit
from bot.runtimes import RuntimeName
from bot.settings import Settings
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
            "started": self.role != "citizen",
        }


def demo_personas() -> list[DemoPersona]:
    worker_name, _, worker_phone = demo_identity(DEMO_SEED, 0)
    return [
        DemoPersona(5000000001, "张伟", "citizen", "zhangwei", phone="+8613800000001"),
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
            sessions=sessions, secret_key=settings.secret_key.get_secret_value(), seed=DEMO_SEED
        )
    async with sessions() as session, session.begin():
        await bind_personas(session, settings)
        # The look-alike may have forgotten their menus: set them at every start.
        await refresh_chat_menu(
            session=session,
            user_ids=[p.id for p in demo_personas() if p.role != "citizen"],
            default_language=settings.language,
        )


async def bind_personas(session: AsyncSession, settings: Settings) -> None:
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
    from bot.cli_run import serve_bot
    from bot.sandbox.server import start_sandbox
    from bot.sandbox.state import DEFAULT_CHANNEL_ID, SandboxState

    state = SandboxState()
    for persona in demo_personas():
        state.add_persona(**persona.sandbox_fields())
    try:
        sandbox = await start_sandbox("127.0.0.1", port, state=state)
    except OSError:
        sandbox = await start_sandbox("127.0.0.1", 0, state=state)
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
        await sandbox.stop()


def demo(
    port: int = typer.Option(8081, "--port", help="聊天页面端口 / chat page port (127.0.0.1)"),
    runtime: Runtime = typer.Option(Runtime.aiogram, "--runtime", help="aiogram | ptb"),
    log_level: LogLevel = typer.Option(
        LogLevel.WARNING,  # a newcomer reads the page's address, not the sweeps' routine
        "--log-level",
        case_sensitive=False,
        help="日志级别 / log level: DEBUG, INFO, WARNING, ERROR",
    ),
) -> None:
    """一键演示：沙盒、示例数据与机器人 / The demo: sandbox, demo data and the bot."""
    setup_logging(log_level)
    run_async(run_demo(port=port, runtime=runtime.value))
