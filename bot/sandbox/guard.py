"""Only the chat page itself (and programs, which send no Origin) may drive the control API.

The control API acts as every persona, the administrator too. Without this guard any web page
open in the same browser while the sandbox runs could post to it: a form or a no-cors fetch to
127.0.0.1 needs no permission. So, under /_control/:

- a request that names another origin (``Origin``) or that the browser marks as not
  same-origin (``Sec-Fetch-Site``) is refused with 403;
- the ``Host`` must be an IP address or ``localhost``: a domain name could be re-pointed to
  127.0.0.1 by its owner's DNS (rebinding), and its page would then count as same-origin;
- a request that changes state (POST, PUT, PATCH, DELETE) must carry JSON, which a foreign page
  cannot send without a CORS preflight that is never granted (415 otherwise). The one exception
  is the page's file upload, a multipart form, accepted only with the page's own ``Origin``,
  which browsers always send on a POST.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UPLOAD = "/_control/inject/file"


def _refused(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _numeric_or_localhost(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@web.middleware
async def own_origin_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/_control/"):
        return await handler(request)
    own = f"{request.scheme}://{request.host}"
    origin = request.headers.get("Origin")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if origin is not None and origin != own:
        return _refused(403, f"requests from {origin} are refused: only this sandbox's page")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return _refused(403, f"{fetch_site} requests are refused: only this sandbox's page")
    if not _numeric_or_localhost(request.url.host):
        return _refused(403, "address the sandbox by IP address or localhost")
    if request.method in STATE_CHANGING and request.content_type != "application/json":
        page_upload = (
            request.path == UPLOAD
            and request.content_type == "multipart/form-data"
            and origin == own
        )
        if not page_upload:
            return _refused(415, "the control API takes JSON (Content-Type: application/json)")
    return await handler(request)
