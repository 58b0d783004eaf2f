"""Message catalogues: Simplified Chinese first, English second.

Message ids are English. Each area of the product keeps its own gettext catalogue,
``messages/locales/<lang>/<area>.po``, so that adding messages to one area never touches
another's file. English needs no catalogue: a message id is its own English text.
Catalogues are parsed once with Babel and cached.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from messages import N_
from messages.style import date_text

__all__ = ["N_", "Translator", "normalize_language", "translate"]

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "zh"
SUPPORTED = ("zh", "en")


def normalize_language(code: str | None) -> str:
    """Telegram's ``language_code`` ("zh-hans", "en-US", None) to one we support."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED else DEFAULT_LANGUAGE


_FOLDERS = {"zh": "zh_CN", "en": "en"}


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    folder = LOCALES / _FOLDERS.get(language, language)
    table: dict[str, str] = {}
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string and not message.fuzzy:
                    table[str(message.id)] = str(message.string)
    return table


def translate(message: str, language: str | None = None, /, **params: Any) -> str:
    """The message in ``language`` (default Chinese), with ``{name}`` fields filled in; a date
    is written as ``messages.style.date_text`` writes it, whoever passed it."""
    language = normalize_language(language)
    text = catalogue(language).get(message, message)
    if not params:
        return text
    return text.format(**{key: _written(value, language) for key, value in params.items()})


def _written(value: Any, language: str) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return date_text(language, value)
    return value


class Translator:
    """A translator bound to one language, for code that speaks to one person."""

    def __init__(self, language: str | None = None) -> None:
        self.language = normalize_language(language)

    def __call__(self, message: str, /, **params: Any) -> str:
        return translate(message, self.language, **params)
