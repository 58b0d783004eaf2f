"""Files the sandbox holds: uploads by the bot and by personas, addressed by file_id."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import secrets
import struct
from dataclasses import dataclass
from typing import Any


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "document" or "photo": a file_id of one kind cannot be sent as the other
    data: bytes
    file_name: str
    mime_type: str
    file_path: str
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.data)

    def as_document(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": self.size,
        }

    def as_photo(self) -> list[dict[str, Any]]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": self.size,
            }
        ]

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._count = 0

    def add(
        self, *, kind: str, data: bytes, file_name: str, mime_type: str | None = None
    ) -> StoredFile:
        self._count += 1
        size = image_size(data) if kind == "photo" else None
        width, height = size or (0, 0)
        guessed = mimetypes.guess_type(file_name)[0]
        extension = _suffix(file_name) or mimetypes.guess_extension(guessed or "") or ""
        stored = StoredFile(
            # The kind prefix keeps file ids of documents and photos apart, as Telegram's are.
            file_id=f"{kind[:3].upper()}{self._count}_{secrets.token_urlsafe(24)}",
            # Telegram gives the same unique id to the same file; content is our stand-in.
            file_unique_id=base64.urlsafe_b64encode(hashlib.sha256(data).digest()[:12]).decode(),
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type or guessed or "application/octet-stream",
            file_path=f"{kind}s/file_{self._count}{extension}",
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def all(self) -> list[StoredFile]:
        return list(self._by_id.values())

    def restore(self, stored: StoredFile) -> None:
        """A file kept from an earlier run, under its old id and path; new files number on."""
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        self._count = max(self._count, len(self._by_id))

    def clear(self) -> None:
        self._by_id.clear()
        self._by_path.clear()


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if 0 <= dot < len(name) - 1 else ""


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF or WebP image, None if it is not one of them: Telegram
    refuses a photo it cannot decode."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and len(data) >= 30:
        if data[12:16] == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
        if data[12:16] == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return width & 0x3FFF, height & 0x3FFF
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        # Start-of-frame markers carry the size; C4, C8 and CC are other tables.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
