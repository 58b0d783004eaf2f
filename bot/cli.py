"""`gongshi`: the command line of 公示通."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import typer

from bot.runtime_context import open_storage, require_newest_schema, run_async, settings_or_exit
from messages.i18n import Translator

app = typer.Typer(
    help="公示通 (gongshi): 公益性岗位考核结果公示与投诉机器人 / public-welfare posts bot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="数据库 / database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """把数据库升级到最新结构（可重复运行）/ Bring the database to the newest schema."""
    from storage.migrate import current_revision, head_revision, upgrade

    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> tuple[str | None, str | None]:
        async with open_storage(settings) as storage:
            before = await current_revision(storage.engine)
            await upgrade(storage.engine)
            return before, await current_revision(storage.engine)

    before, after = run_async(go())
    if before == after:
        typer.echo(t("Database already at the newest schema ({revision}).", revision=after))
    else:
        typer.echo(
            t(
                "Database upgraded from {before} to {after}.",
                before=before or t("empty"),
                after=after or head_revision(),
            )
        )


@app.command("status")
def status(
    as_json: bool = typer.Option(False, "--json", help="机器可读 / stable JSON for scripts"),
) -> None:
    """各项计数 / Counts of units, workers, posts, results, cases, tasks and the outbox."""
    from storage.queries.status import collect_status

    settings = settings_or_exit()
    t = Translator(settings.language)
    today = datetime.now(ZoneInfo(settings.timezone)).date()

    async def go() -> dict[str, object]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session:
                return await collect_status(session=session, today=today)

    counts = run_async(go())
    if as_json:
        typer.echo(json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True))
        return
    from bot.status_view import render_status

    typer.echo(render_status(counts, t))


def sandbox(
    port: int = typer.Option(8081, "--port", help="端口 / port on 127.0.0.1"),
    token: str | None = typer.Option(None, "--token", help="只接受这个令牌 / accept only it"),
) -> None:
    """本地 Bot API 模拟器与聊天页面 / A local Bot API look-alike with a chat page."""
    from bot.sandbox.server import main as sandbox_main

    sandbox_main("127.0.0.1", port, token_check=token is not None, token=token)


def _mount_optional() -> None:
    """Sub-commands that live in their own modules."""
    from bot.cli_demo import demo_data
    from bot.cli_export import export_app
    from bot.cli_export_inspection import export_inspection
    from bot.cli_figures import figures
    from bot.cli_history import history
    from bot.cli_import import import_app
    from bot.cli_inspection import inspection_app
    from bot.cli_invite import invite
    from bot.cli_maintenance import backup, purge, rekey
    from bot.cli_notices import notices_app, tasks_app, verify_app
    from bot.cli_procedure import procedure_app
    from bot.cli_publish import publish_app
    from bot.cli_run import run
    from bot.cli_units import units_app
    from bot.cli_workers import codes
    from bot.demo import demo

    app.add_typer(
        import_app,
        name="import",
        help="导入单位、名册与考核结果 / import units, rosters and results.",
    )
    app.add_typer(units_app, name="units", help="用人单位 / employing units.")
    app.add_typer(
        procedure_app,
        name="procedure",
        help="考核程序（述职、谈话、测评、集体研究）/ the assessment procedure.",
    )
    app.command("demo-data")(demo_data)
    app.command("invite")(invite)
    app.command("sandbox")(sandbox)
    app.command("run")(run)
    app.command("demo")(demo)
    app.command("codes")(codes)
    app.command("purge")(purge)
    app.command("backup")(backup)
    app.command("rekey")(rekey)
    export_app.command("history")(history)
    export_app.command("inspection")(export_inspection)
    export_app.command("figures")(figures)
    app.add_typer(export_app, name="export", help="导出 / exports.")
    app.add_typer(tasks_app, name="tasks", help="单位任务与截止日期 / units' tasks and deadlines.")
    app.add_typer(verify_app, name="verify", help="人员核对 / staff verification.")
    app.add_typer(notices_app, name="notices", help="消息发送与定时任务 / delivery and sweeps.")
    app.add_typer(publish_app, name="publish", help="公示 / the public notice of a cycle.")
    app.add_typer(inspection_app, name="inspection", help="市考核组检查 / the city's inspection.")


_mount_optional()


def main() -> None:
    app()
