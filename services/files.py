"""Getting the bytes of a file a user sent, without knowing the transport that carried it.

The handlers ask for a file by its id through ``FileFetcher``; the runtime that knows how to
reach Telegram (``bot.runtimes.files``) implements it and is passed in as ``Deps.files``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

# Telegram lets a bot download files of at most 20 MB.
TELEGRAM_DOWNLOAD_MB = 20


class FileFetchError(Exception):
    """A file could not be had; the message is for the log, not for the user."""


class FileTooLarge(FileFetchError):
    """The file is larger than the caller would read."""


class FileUnavailable(FileFetchError):
    """The file is unknown, expired or could not be downloaded."""


@runtime_checkable
class FileFetcher(Protocol):
    async def fetch(self, file_id: str, *, max_bytes: int) -> bytes:
        """The file's content; ``FileTooLarge`` past ``max_bytes``, else ``FileUnavailable``."""
        ...
