"""Mainland resident identity numbers (公民身份号码, GB 11643-1999).

An 18-character number: a 6-digit region code, the birth date as YYYYMMDD, a 3-digit sequence
(odd for men, even for women) and a check character computed over the first 17 digits (ISO 7064
MOD 11-2), which is ``X`` when it would be 10.

Numbers arrive from spreadsheets and chat typed in every way a Chinese keyboard allows, so
``normalize_id_number`` first forgives what cannot change the meaning (spaces, full-width
characters, a lower-case ``x``) and then checks everything else strictly.
"""

from __future__ import annotations

import functools
import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# 71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits for Taiwan residents, 91 foreigners'
# permanent residence: all can appear on a mainland roster.
PROVINCE_CODES = frozenset(
    [
        *map(str, range(11, 16)),
        *map(str, range(21, 24)),
        *map(str, range(31, 38)),
        *map(str, range(41, 47)),
        *map(str, range(50, 55)),
        *map(str, range(61, 66)),
        "71",
        "81",
        "82",
        "83",
        "91",
    ]
)

EARLIEST_BIRTH_YEAR = 1900

# Error reasons are message ids: English text, translated in messages/locales/*/domain.po.
# They never quote the number itself, because error reports end up in logs and chats.
REASON_EMPTY = "The ID number is empty."
REASON_OLD_15 = (
    "This is an old 15-digit ID number, which is no longer accepted. "
    "Please give the 18-digit number from the current ID card."
)
REASON_SPREADSHEET = (
    "The spreadsheet turned the ID number into a number in scientific notation "
    "and its last digits are lost. Format the column as text and enter the number again."
)
REASON_LENGTH = "An ID number has 18 characters; this one has {length}."
REASON_CHARS = "An ID number is 17 digits followed by a digit or the letter X."
REASON_REGION = "The ID number starts with {code}, which is not a province code."
REASON_BIRTH_DATE = "The birth date in the ID number (characters 7 to 14) is not a real date."
REASON_BIRTH_FUTURE = "The birth date in the ID number is in the future."
REASON_BIRTH_TOO_EARLY = "The birth date in the ID number is before 1900."
REASON_CHECKSUM = (
    "The check character of the ID number does not match; one of its characters is probably wrong."
)


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; ``reason`` is a message id with ``params``."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


# Characters that survive copy-and-paste from Word, WeChat and web pages without being visible.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_CANONICAL = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]+", re.ASCII | re.IGNORECASE)


def to_halfwidth(text: str) -> str:
    """Map full-width ASCII (``１２Ｘ``, U+FF01..U+FF5E) and the ideographic space to ASCII.

    Deliberately narrower than NFKC, which would also turn ``①`` or ``²`` into digits.
    """
    return "".join(
        " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch
        for ch in text
    )


def _without_spaces(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in _INVISIBLE)


def check_digit(first17: str) -> str:
    """The check character (``0``-``9`` or ``X``) for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(text: str, *, today: date | None = None) -> str:
    """The canonical 18-character form of ``text``, or ``IdNumberError`` saying what is wrong.

    Spaces (including the full-width space), invisible characters and full-width forms are
    forgiven, and a trailing ``x`` is upper-cased. A birth date after ``today`` is rejected; pass
    ``today`` from the injected clock, since without it only the date's validity and the 1900
    lower bound are checked (the domain reads no clock of its own).
    """
    # Nearly every number in a file is already 17 ASCII digits and a digit or X: nothing to
    # forgive, so the character-by-character clean-up below is skipped (a city's file has a
    # hundred thousand of them). Such text comes out of the clean-up unchanged.
    if len(text) == 18 and text.isascii() and text[:17].isdigit() and text[17] in _LAST:
        return _checked(text if text[17] != "x" else text[:17] + "X", today)
    number = _without_spaces(to_halfwidth(text))
    if not number:
        raise IdNumberError(REASON_EMPTY)
    if _SCIENTIFIC.fullmatch(number):
        raise IdNumberError(REASON_SPREADSHEET)
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdNumberError(REASON_OLD_15)
    if len(number) != 18:
        raise IdNumberError(REASON_LENGTH, length=str(len(number)))
    if number.endswith("x"):
        number = number[:-1] + "X"
    if not _CANONICAL.fullmatch(number):
        raise IdNumberError(REASON_CHARS)
    return _checked(number, today)


_LAST = frozenset("0123456789Xx")


def _check_of(number: str) -> str:
    """The check character for the first 17 characters of ``number`` (ASCII digits), as
    check_digit computes it, in one step: GB 11643's weights are 2 to the powers 17 down to 1,
    modulo 11, and 13 is 2 modulo 11, so the 17 digits read as a number in base 13 give the
    weighted sum, up to a factor of 2, modulo 11 (0.2 µs against 0.6 µs summing the weights)."""
    return _CHECK_CHARS[2 * int(number[:17], 13) % 11]


def _checked(number: str, today: date | None) -> str:
    """``number``, 17 ASCII digits and a digit or X, if its region, date and check agree."""
    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(REASON_REGION, code=number[:2])
    born = _birth_date_of(number[6:14])
    if born is None:
        raise IdNumberError(REASON_BIRTH_DATE)
    if born.year < EARLIEST_BIRTH_YEAR:
        raise IdNumberError(REASON_BIRTH_TOO_EARLY)
    if today is not None and born > today:
        raise IdNumberError(REASON_BIRTH_FUTURE)
    if _check_of(number) != number[17]:
        raise IdNumberError(REASON_CHECKSUM)
    return number


@functools.lru_cache(maxsize=1 << 15)
def _birth_date_of(yyyymmdd: str) -> date | None:
    """The date of 8 ASCII digits, or None; a file holds the same birth dates many times."""
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


def _parse_birth_date(number: str) -> date:
    born = _birth_date_of(number[6:14])
    if born is None:
        raise IdNumberError(REASON_BIRTH_DATE)
    return born


def _require_canonical(id18: str) -> None:
    if not _CANONICAL.fullmatch(id18):
        raise ValueError("expected a canonical 18-character ID number; normalize it first")


def birth_date(id18: str) -> date:
    """The birth date encoded in a canonical ID number."""
    _require_canonical(id18)
    return _parse_birth_date(id18)


def is_female(id18: str) -> bool:
    """Whether the sequence code (17th digit) marks a woman: even means female."""
    _require_canonical(id18)
    return int(id18[16]) % 2 == 0


def make_id_number(region: str, born: date, sequence: int) -> str:
    """A valid ID number for synthetic data: ``region`` is 6 digits, ``sequence`` 0..999.

    Real people hold numbers made the same way, so demo data must never be published as if real.
    """
    if not (len(region) == 6 and region.isascii() and region.isdigit()):
        raise ValueError("region must be 6 ASCII digits")
    if region[:2] not in PROVINCE_CODES:
        raise ValueError(f"region {region} does not start with a province code")
    if born.year < EARLIEST_BIRTH_YEAR:
        raise ValueError(f"birth year must be {EARLIEST_BIRTH_YEAR} or later")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    first17 = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
    return first17 + check_digit(first17)
