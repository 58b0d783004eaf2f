"""Assembly: the conversations of every audience behind one dispatcher."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.clock import Clock
from domain.complaints import HotlineLimits, MessageThrottle
from handlers import (
    bureau_tasks,
    cases,
    citizen,
    hotline,
    invitations,
    menu,
    publication,
    unit,
    uploads,
    verification,
)
from handlers import worker as worker_handlers
from handlers.core import Dispatcher, Router


def build_router() -> Router:
    """A fresh router each time: routes hold no state, but runtimes may build several."""
    root = Router()
    root.include(invitations.router())
    root.include(unit.router())
    root.include(uploads.router())
    root.include(bureau_tasks.router())
    root.include(verification.router())
    root.include(worker_handlers.router())
    root.include(citizen.router())
    root.include(hotline.router())
    root.include(publication.router())
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
    return Dispatcher(
        sessions=sessions,
        settings=settings,
        clock=clock,
        router=build_router(),
        services=_with_calendar(settings, _with_hotline_throttle(services)),
    )


def _with_calendar(settings: Settings, services: dict[str, object]) -> dict[str, object]:
    """The working-day calendar with the deployment's override file, for the case clocks."""
    from notices.service import work_calendar

    services.setdefault("calendar", work_calendar(settings))
    return services


def _with_hotline_throttle(services: dict[str, object] | None) -> dict[str, object]:
    """One message throttle per dispatcher, sized by the hotline limits given (or defaults)."""
    chosen = dict(services or {})
    limits = chosen.setdefault("hotline_limits", HotlineLimits())
    per_minute = limits.messages_per_minute if isinstance(limits, HotlineLimits) else 20
    chosen.setdefault("hotline_throttle", MessageThrottle(per_minute))
    return chosen
