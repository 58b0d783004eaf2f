"""Typed button data, framework-free: ``CaseAction(action="open", case_id=12).pack()`` and
``CaseAction.parse(data)``, never ``data.split(":")``.

Telegram carries 1–64 bytes of ``callback_data`` and the data comes back from anyone who can
forge a press, so ``parse`` refuses (returns ``None``) whatever does not fit the declared
fields exactly: a wrong prefix, a missing or extra part, an integer that is not one, a choice
not in its list. ``pack`` checks the 64-byte limit once, here.

A subclass declares its prefix and its fields as annotations, in order::

    class CaseAction(CallbackData, prefix="cs"):
        action: str
        case_id: int

Supported field types: ``str`` (no ``:``), ``int`` and ``Literal[...]`` of strings; a field
with a default may be left out at the end.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, ClassVar, Literal, Self, dataclass_transform, get_args, get_origin

MAX_BYTES = 64
SEPARATOR = ":"


class CallbackDataError(ValueError):
    """A button's data that cannot be packed: too long, or holding the separator."""


@dataclass_transform(frozen_default=True)
class CallbackData:
    """Base of every button's data; subclasses become frozen dataclasses."""

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, Any, bool], ...]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix:
            raise CallbackDataError(f"bad prefix {prefix!r}")
        cls.prefix = prefix
        dataclasses.dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls)
        cls._fields = tuple(
            (f.name, hints[f.name], f.default is not dataclasses.MISSING)
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        )

    def pack(self) -> str:
        parts = [self.prefix]
        for name, _kind, _optional in self._fields:
            value = getattr(self, name)
            text = str(int(value)) if isinstance(value, bool) else str(value)
            if SEPARATOR in text:
                raise CallbackDataError(f"{name} holds {SEPARATOR!r}: {text!r}")
            parts.append(text)
        data = SEPARATOR.join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise CallbackDataError(f"{data!r} is over {MAX_BYTES} bytes")
        return data

    @classmethod
    def matches(cls, data: str | None) -> bool:
        """Whether the data carries this class's prefix (it may still fail to parse)."""
        return bool(data) and (data == cls.prefix or data.startswith(cls.prefix + SEPARATOR))  # type: ignore[union-attr]

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """The typed data, or ``None`` for anything that does not fit exactly."""
        if not data or len(data.encode("utf-8")) > MAX_BYTES:
            return None
        head, *parts = data.split(SEPARATOR)
        if head != cls.prefix or len(parts) > len(cls._fields):
            return None
        values: dict[str, Any] = {}
        for index, (name, kind, optional) in enumerate(cls._fields):
            if index >= len(parts):
                if optional:
                    continue
                return None
            value = _convert(parts[index], kind)
            if value is None:
                return None
            values[name] = value
        return cls(**values)


def prefix_of(data: str) -> str:
    """The prefix a button's data starts with: which handler's it is (that handler parses the
    rest with its own classes)."""
    return data.split(SEPARATOR, 1)[0]


def _convert(text: str, kind: Any) -> Any:
    if kind is int:
        sign = text[1:] if text.startswith("-") else text
        return int(text) if sign.isascii() and sign.isdigit() and len(sign) <= 19 else None
    if kind is str:
        return text
    if get_origin(kind) is Literal:
        return text if text in get_args(kind) else None
    raise CallbackDataError(f"unsupported field type {kind!r}")
