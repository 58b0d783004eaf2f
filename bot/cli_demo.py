"""`gongshi demo-data`: fill the database with the synthetic city of the demo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.runtime_context import CommandError, open_storage, run_async, settings_or_exit
from domain.grades import Grade
from messages.i18n import N_, Translator
from storage.demo import DemoDataExists, DemoSummary, ProgressCallback, load_demo_data
from storage.migrate import upgrade

_STAGES = {
    "units": N_("Writing units"),
    "workers": N_("Writing workers"),
    "posts": N_("Writing posts"),
    "results": N_("Writing results"),
}


def demo_data(
    seed: int = typer.Option(
        2026, "--seed", help="随机种子，同一种子生成同样的数据 / random seed: same seed, same data"
    ),
    year: int | None = typer.Option(
        None,
        "--year",
        help="考核年度，默认为今年（按配置的时区）/ assessment year; default: this year in the "
        "configured time zone",
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="先删除现有名册、考核结果、案件和任务 / first delete the existing roster, results, "
        "cases and tasks",
    ),
) -> None:
    """生成演示数据：26个用人单位、2683个岗位、2349名在岗人员及两年考核结果 / Load synthetic
    demo data: 26 units, 2,683 posts, 2,349 workers on duty and two years of results."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    cycle_year = year or datetime.now(ZoneInfo(settings.timezone)).year

    async def go() -> DemoSummary:
        async with open_storage(settings) as storage:
            await upgrade(storage.engine)
            with _progress_bar(t) as progress:
                try:
                    return await load_demo_data(
                        sessions=storage.sessions,
                        secret_key=settings.secret_key.get_secret_value(),
                        seed=seed,
                        year=cycle_year,
                        replace=replace,
                        progress=progress,
                    )
                except DemoDataExists as exc:
                    message = t(
                        "The database already holds data ({units} units, {cycles} assessment "
                        "cycles). Run `gongshi demo-data --replace` to delete the roster, "
                        "results, cases and tasks and load the demo data.",
                        units=exc.units,
                        cycles=exc.cycles,
                    )
                    raise CommandError(message, 1) from None

    typer.echo(render_summary(run_async(go()), t))


@contextmanager
def _progress_bar(t: Translator) -> Iterator[ProgressCallback | None]:
    """A bar on stderr for a person at a terminal; nothing in scripts, logs or pipes."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(t("Writing demo data"), total=None)

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=t(_STAGES[stage]), completed=done, total=total)

        yield report


def render_summary(summary: DemoSummary, t: Translator) -> str:
    lines = [
        t(
            "Demo data loaded (seed {seed}): {units} units, {posts} posts, "
            "{workers} workers on duty, {vacant} posts vacant.",
            seed=summary.seed,
            units=summary.units,
            posts=summary.posts,
            workers=summary.workers,
            vacant=summary.vacant,
        )
    ]
    for year in sorted(summary.results, reverse=True):
        grades = summary.results[year]
        template = (
            N_(
                "{year} assessment (being assessed): {total} results, {passed} 合格, "
                "{basic} 基本合格, {failed} 不合格; {renewed} to be renewed."
            )
            if year == summary.year
            else N_(
                "{year} assessment (closed): {total} results, {passed} 合格, "
                "{basic} 基本合格, {failed} 不合格; {renewed} renewed."
            )
        )
        lines.append(
            t(
                template,
                year=year,
                total=sum(grades.values()),
                passed=grades.get(Grade.PASS, 0),
                basic=grades.get(Grade.BASIC, 0),
                failed=grades.get(Grade.FAIL, 0),
                renewed=summary.renewals[year],
            )
        )
    lines.append(
        t(
            "{count} workers were graded 不合格 in both {previous} and {year}: "
            "their labour contracts are to be terminated.",
            count=summary.two_fails,
            previous=summary.year - 1,
            year=summary.year,
        )
    )
    lines.append(
        t(
            "All names, ID numbers and phones are synthetic; ID numbers and phones are "
            "stored only as keyed hashes and their last four characters."
        )
    )
    return "\n".join(lines)
