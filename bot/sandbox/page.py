"""The chat page: static files, no build step and nothing fetched from the internet."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static"


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@web.middleware
async def no_cache(request: web.Request, handler):  # type: ignore[no-untyped-def]
    response = await handler(request)
    if request.path.startswith("/static/"):
        # The page is small and edited often; a stale script would confuse a newcomer.
        response.headers["Cache-Control"] = "no-cache"
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.middlewares.append(no_cache)
