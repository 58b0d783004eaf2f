"""`gongshi units list|add|rename`: the registered employing units, one at a time.

A whole list of units comes in by `gongshi import units FILE`; these serve the day-to-day.
"""

from __future__ import annotations

import typer

from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from domain.clock import SystemClock
from messages.i18n import N_, Translator
from services.units import UnitError, add_unit, list_units, rename_unit

units_app = typer.Typer(help="用人单位 / employing units.", no_args_is_help=True)

LIST_HEADER = N_("Unit | quota | posts in use | workers on duty")
LIST_LINE = N_("{name} | {quota} | {in_use} | {on_duty}")
NO_UNITS = N_("No unit is registered yet: `gongshi import units FILE` or `gongshi units add`.")
ADDED = N_("Registered the unit “{name}” with a quota of {quota} posts.")
RENAMED = N_("The unit “{old}” is now called “{new}”.")
ACTOR = "cli"


@units_app.command("list")
def list_command() -> None:
    """列出用人单位：岗位指标、在用岗位、在岗人数 / List units."""
    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> list[str]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session:
                lines = await list_units(session=session)
        return [
            t(LIST_LINE, name=u.name, quota=u.quota, in_use=u.posts_in_use, on_duty=u.on_duty)
            for u in lines
        ]

    lines = run_async(go())
    typer.echo(t(LIST_HEADER) if lines else t(NO_UNITS))
    for line in lines:
        typer.echo(line)


@units_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="单位名称 / the unit's name"),
    quota: int = typer.Option(..., "--quota", help="岗位指标 / post quota"),
    phone: str | None = typer.Option(None, "--phone", help="联系电话 / contact phone"),
    department: str | None = typer.Option(None, "--department", help="主管部门 / department"),
) -> None:
    """登记一个用人单位 / Register one unit."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)

    async def go() -> None:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session, session.begin():
                try:
                    await add_unit(
                        session=session, name=name, quota=quota, actor=ACTOR, now=clock.now(),
                        phone=phone, department=department,
                    )  # fmt: skip
                except UnitError as error:
                    raise CommandError(t(error.reason, **error.params)) from None

    run_async(go())
    typer.echo(t(ADDED, name=name.strip(), quota=quota))


@units_app.command("rename")
def rename_command(
    old: str = typer.Argument(..., help="现名称 / the current name"),
    new: str = typer.Argument(..., help="新名称 / the new name"),
) -> None:
    """更改用人单位名称 / Rename a unit."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)

    async def go() -> str:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session, session.begin():
                try:
                    unit = await rename_unit(
                        session=session, old=old, new=new, actor=ACTOR, now=clock.now()
                    )
                except UnitError as error:
                    raise CommandError(t(error.reason, **error.params)) from None
                return unit.name

    typer.echo(t(RENAMED, old=old.strip(), new=run_async(go())))
