"""One voice in Chinese: how the bot writes dates, times, punctuation and file names.

The rules, which ``slips`` checks in the catalogues (tests/i18n scans every
``messages/locales/zh_CN/*.po``):

- **Dates** in running text are written one way, by ``date_text``: 2026年12月2日（周三）, in
  English Wed 2 Dec 2026. A moment is ``moment_text``: 12月2日 06:01 / 2 Dec 06:01. Nothing
  an official reads names an ISO week ("2026-W49"); a week is the dates it runs from and to.
  Files and sheets keep ISO dates (2026-12-02) where a spreadsheet sorts or reads them.
- **Punctuation** in Chinese text is full-width: ，。：；？！（）、 — never an ASCII
  ``, : ; ? ! ( )`` next to a Chinese character, and a Chinese sentence does not end with a
  half-width full stop. ASCII stays inside codes, commands, file names and numbers (/start,
  host:port, 1-5).
- **Spaces**: one at most, none between a Chinese character and full-width punctuation; a
  space may set a code, a number or a Latin word apart from the Chinese around it.
- **Measure words**: one per thing — 件 for evidence files and cases, 条 for messages and
  notes, 名 for people, 个 for units.
- **File and sheet names** follow the reader's language: 案件台账_2026.xlsx with its sheet
  案件台账 for the Chinese interface, cases-2026.xlsx and cases for the English one
  (``file_name``; the stem is a message id, so its Chinese is in the catalogue).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Protocol

_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _HasLanguage(Protocol):
    @property
    def language(self) -> str: ...


class _Translates(_HasLanguage, Protocol):
    def __call__(self, message: str, /) -> str: ...


Language = str | None | _HasLanguage


def _is_zh(language: Language) -> bool:
    """A language code or a translator: Chinese unless English, as ``i18n.normalize_language``
    chooses (None and unsupported languages are Chinese)."""
    code = language if language is None or isinstance(language, str) else language.language
    return (code or "zh").replace("_", "-").split("-")[0].lower() != "en"


def date_text(language: Language, day: date, *, weekday: bool = True) -> str:
    """2026年12月2日（周三） / Wed 2 Dec 2026; the one way a date is written in running text."""
    if _is_zh(language):
        text = f"{day.year}年{day.month}月{day.day}日"
        return f"{text}（周{_WEEKDAYS_ZH[day.weekday()]}）" if weekday else text
    text = f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{_WEEKDAYS_EN[day.weekday()]} {text}" if weekday else text


def moment_text(language: Language, at: datetime) -> str:
    """12月2日 06:01 / 2 Dec 06:01: a moment of this year, as a message shows when it happened."""
    if _is_zh(language):
        return f"{at.month}月{at.day}日 {at:%H:%M}"
    return f"{at.day} {_MONTHS_EN[at.month - 1]} {at:%H:%M}"


def file_name(t: _Translates, stem: str, extension: str, *parts: object) -> str:
    """``案件台账_2026.xlsx`` or ``cases-2026.xlsx``: the stem (a message id) in the reader's
    language, then the parts, joined as each language names files."""
    joiner = "_" if _is_zh(t) else "-"
    return joiner.join([t(stem), *map(str, parts)]) + f".{extension}"


# --- the catalogue scan -------------------------------------------------------------------

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
# The fields that ``date_text`` fills: 2026年12月2日（周三） needs no space around it.
_DAYS = "(?:date|day|due|opens|closes|starts)"
_FULL_PUNCT = "，。：；？！（）、「」『』《》"
_SLIPS = (
    (re.compile(rf"{_HAN}[,:;?!()]|[,:;?!()]{_HAN}"), "ASCII punctuation next to Chinese"),
    (re.compile(rf"{_HAN}\.(?:\s|$)"), "half-width full stop ends a Chinese sentence"),
    (re.compile(r"\b\d{4}-W\d{2}\b"), "an ISO week"),
    (re.compile(r"(?<=\S)  +(?=\S)"), "a double space"),
    (re.compile(rf"{_HAN} +[{_FULL_PUNCT}]|[{_FULL_PUNCT}] +{_HAN}"), "a space by full-width"),
    (re.compile(r"^ | $", re.MULTILINE), "a space at the start or end of a line"),
    (
        re.compile(rf"{_HAN} \{{{_DAYS}\}}|\{{{_DAYS}\}} {_HAN}"),
        "a space around a date, which is Chinese text itself",
    ),
    (re.compile(r"(?:\}|\d) 个(?:照片|文件|附件)|第 \{\w+\} 个"), "files are counted with 件"),
)


def slips(text: str) -> list[str]:
    """What in a Chinese text breaks the rules above: one line per slip, with its context."""
    found = []
    for pattern, what in _SLIPS:
        for match in pattern.finditer(text):
            start, end = max(match.start() - 6, 0), match.end() + 6
            found.append(f"{what}: …{text[start:end]}…")
    return found
