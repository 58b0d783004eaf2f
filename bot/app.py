"""Assembly: the conversations of every audience behind one dispatcher."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from domain.clock import Clock
from handlers import bureau_tasks, invitations, menu, unit, verification
from handlers.core import Dispatcher, Router


def build_router() -> Router:
    """A fresh router each time: routes hold no state, but runtimes may build several."""
    root = Router()
    root.include(invitations.router())
    root.include(unit.router())
    root.include(bureau_tasks.router())
    root.include(verification.router())
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
        services=services,
    )
