"""Helpers for the sandbox tests (a module of its own: `conftest` names collide across test
folders, so tests import from here)."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import httpx

TOKEN = "7000000001:TEST-token"


class BotApi:
    """Bot API calls over plain HTTP, returning (status, body) so tests see errors as sent."""

    def __init__(self, base_url: str, token: str = TOKEN) -> None:
        self.base = f"{base_url}/bot{token}/"
        self.http = httpx.AsyncClient(timeout=30)

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.http.post(self.base + method, json=params)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]

    async def form(
        self, method: str, data: dict[str, str], files: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        response = await self.http.post(self.base + method, data=data, files=files)
        return response.status_code, response.json()


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid red PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
