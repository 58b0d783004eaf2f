"""Assembly: the conversations of every audience behind one dispatcher."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.clock import Clock
from handlers import (
    appeals,
    bureau_tasks,
    cases,
    citizen,
    desk_intake,
    hotline,
    inspection,
    inspection_admin,
    inspection_people,
    inspection_reports,
    inspection_window,
    invitations,
    menu,
    official_files,
    procedure,
    publication,
    publication_override,
    renewal,
    renewal_bureau,
    unit,
    unit_results,
    unit_selfcheck,
    units_admin,
    uploads,
    verification,
    vouchers,
)
from handlers import figures as figures_handlers
from handlers import worker as worker_handlers
from handlers.core import Dispatcher, Router
from services.deps import Deps


def build_router() -> Router:
    """A fresh router each time: routes hold no state, but runtimes may build several."""
    root = Router()
    root.include(invitations.router())
    root.include(unit.router())
    root.include(renewal.router())
    root.include(renewal_bureau.router())
    root.include(unit_selfcheck.router())
    root.include(unit_results.router())
    root.include(uploads.router())
    root.include(procedure.router())
    root.include(units_admin.router())
    root.include(official_files.router())
    root.include(bureau_tasks.router())
    root.include(figures_handlers.router())
    root.include(appeals.router())
    root.include(verification.router())
    root.include(inspection.router())
    root.include(vouchers.router())
    root.include(inspection_reports.router())
    root.include(inspection_admin.router())
    root.include(inspection_window.router())
    root.include(inspection_people.router())
    root.include(worker_handlers.router())
    root.include(citizen.router())
    root.include(hotline.router())
    root.include(desk_intake.router())
    root.include(publication.router())
    root.include(publication_override.router())
    root.include(cases.router())
    root.include(menu.router())
    return root


def build_dispatcher(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    services: dict[str, object] | None = None,
) -> Dispatcher:
    """Every conversation behind one dispatcher; ``services`` replaces parts of the
    dependencies by name (``services.deps.SERVICE_NAMES``; any other name is refused)."""
    return Dispatcher(
        sessions=sessions,
        settings=settings,
        clock=clock,
        router=build_router(),
        deps=build_deps(settings, clock=clock, services=services),
    )


def build_deps(
    settings: Settings, *, clock: Clock, services: dict[str, object] | None = None
) -> Deps:
    """The dependencies of every step and use case, made once from the settings: the
    working-day calendar with the deployment's override file, the evidence folder, the
    limits and their throttles (one per dispatcher)."""
    from notices.service import work_calendar

    return Deps.from_settings(
        settings, clock=clock, calendar=work_calendar(settings), services=services
    )
