"""``services.files.FileFetcher`` over the Bot API's HTTP: ``getFile``, then the download."""

from __future__ import annotations

from typing import Any

import httpx

from services.files import FileTooLarge, FileUnavailable


class BotApiFileFetcher:
    """Downloads a file by its id from ``{api_base}/file/bot{token}/{file_path}``.

    A file whose declared ``file_size`` is over the limit is refused before any download, and
    the download stops as soon as it passes the limit, whatever the server declared.
    """

    def __init__(self, api_base: str, token: str, *, timeout: float = 60.0) -> None:
        self._api_base = api_base.rstrip("/")
        self._token = token
        self._timeout = timeout

    async def fetch(self, file_id: str, *, max_bytes: int) -> bytes:
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            info = await self._get_file(client, file_id)
            size = info.get("file_size")
            if isinstance(size, int) and size > max_bytes:
                raise FileTooLarge(f"{size} bytes declared, {max_bytes} allowed")
            path = info.get("file_path")
            if not isinstance(path, str) or not path:
                raise FileUnavailable("getFile gave no file_path")
            url = f"{self._api_base}/file/bot{self._token}/{path}"
            try:
                async with client.stream("GET", url) as response:
                    if response.status_code != 200:
                        raise FileUnavailable(f"download answered {response.status_code}")
                    chunks: list[bytes] = []
                    received = 0
                    async for chunk in response.aiter_bytes():
                        received += len(chunk)
                        if received > max_bytes:
                            raise FileTooLarge(f"more than {max_bytes} bytes")
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.HTTPError as exc:
                raise FileUnavailable(f"download failed: {type(exc).__name__}") from None

    async def _get_file(self, client: httpx.AsyncClient, file_id: str) -> dict[str, Any]:
        url = f"{self._api_base}/bot{self._token}/getFile"
        try:
            response = await client.post(url, json={"file_id": file_id})
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # The URL holds the token: name the error, never the request.
            raise FileUnavailable(f"getFile failed: {type(exc).__name__}") from None
        if not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description") if isinstance(body, dict) else None
            if isinstance(description, str) and "too big" in description:
                raise FileTooLarge(description)
            raise FileUnavailable(f"getFile refused: {description}")
        result = body.get("result")
        if not isinstance(result, dict):
            raise FileUnavailable("getFile gave no file")
        return result
