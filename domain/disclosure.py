"""Personal information in free text an official writes (a handling opinion, a reply, a
reason for not accepting a case), found before it reaches an anonymous complainant or the
public 处理意见书: the full name of a worker or a complainant the case knows, an ID number, a
telephone number. Each finding is pointed out with its masked form (domain.masking), and the
text as a whole can be masked in one go. Pure: no I/O.

Deliberately generous: 18 characters that look like an ID number are one whatever their check
digit (a mistyped number is still someone's), and a number split by spaces or dashes is
still a phone number. The official confirms what is in fact harmless.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from domain.idnumber import to_halfwidth
from domain.masking import MASK, mask_name

Kind = Literal["name", "id", "phone"]

# Not preceded or followed by another digit (or an ID's X): a longer number is something else.
_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_SEP = r"[ \-‐‑‒–—―−]?"
_MOBILE = re.compile(
    rf"(?<![0-9])(?:\+?86{_SEP})?1[3-9][0-9]{_SEP}(?:[0-9]{_SEP}){{7}}[0-9](?![0-9])"
)
_LANDLINE = re.compile(r"(?<![0-9])0[0-9]{2,3}[\-‐‑‒–—―− ][0-9]{7,8}(?![0-9])")
NAME_MIN = 2  # a one-character "name" is a word


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int
    text: str
    masked: str


def find(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """Every full name of ``names``, ID number and telephone number in ``text``, in order,
    none overlapping another."""
    plain = to_halfwidth(text)  # one character for one: positions stay those of ``text``
    found: list[Finding] = []
    for match in _ID.finditer(plain):
        found.append(_finding("id", text, match.start(), match.end()))
    for pattern in (_MOBILE, _LANDLINE):
        for match in pattern.finditer(plain):
            found.append(_finding("phone", text, match.start(), match.end()))
    for name in sorted(
        {n.strip() for n in names if len(n.strip()) >= NAME_MIN}, key=len, reverse=True
    ):
        start = text.find(name)
        while start >= 0:
            found.append(Finding("name", start, start + len(name), name, mask_name(name)))
            start = text.find(name, start + len(name))
    return _apart(found)


def _finding(kind: Kind, text: str, start: int, end: int) -> Finding:
    shown = text[start:end]
    return Finding(kind, start, end, shown, _mask_digits(shown))


def _mask_digits(shown: str) -> str:
    """All but the last four characters that are digits (or an ID's X) hidden; separators kept
    so the reader sees what was there: 138-1234-5678 → ***-****-5678."""
    plain = to_halfwidth(shown)
    hide = sum(1 for ch in plain if ch.isdigit() or ch in "Xx") - 4
    out = []
    for ch, half in zip(shown, plain, strict=True):
        if (half.isdigit() or half in "Xx") and hide > 0:
            out.append(MASK)
            hide -= 1
        else:
            out.append(ch)
    return "".join(out)


def _apart(found: list[Finding]) -> list[Finding]:
    """The earliest, then the longest, of overlapping findings."""
    kept: list[Finding] = []
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def masked(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each finding replaced by its masked form."""
    out = text
    for item in sorted(findings, key=lambda f: f.start, reverse=True):
        out = out[: item.start] + item.masked + out[item.end :]
    return out


def mask_all(text: str, *, names: Iterable[str] = ()) -> str:
    return masked(text, find(text, names=names))
