"""A complaint the desk takes by telephone, letter or in person (the seed's 专线电话 and 来信,
五(五)): how it came, when it was received, who the caller is (or anonymous), read from what
the official types. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.idnumber import to_halfwidth
from domain.masking import PhoneError, normalize_phone
from messages import N_

# How a complaint reached the hotline (Complaint.channel): the chat, or logged by the desk.
CHANNELS: dict[str, str] = {
    "phone": N_("telephone (来电)"),
    "letter": N_("letter (来信)"),
    "visit": N_("in person (来访)"),
}
CHANNEL_NAMES: dict[str, str] = {"chat": N_("chat (在线)"), **CHANNELS}

# A call or a letter is logged as it comes in; one older than this is not a desk's backlog
# but a lost complaint, and is written down with its true date by the bureau's own file.
RECEIVED_MAX_DAYS = 30
CALLER_NAME_MAX = 32

_LANDLINE = re.compile(r"(0[0-9]{2,3})?[0-9]{7,8}")
_DATE = re.compile(r"(?:(\d{4})[-./年])?(\d{1,2})[-./月](\d{1,2})日?")


@dataclass(frozen=True)
class Caller:
    name: str
    phone: str  # a normalised mobile, or a landline's digits; "" when none was given


def parse_caller(text: str) -> Caller | None:
    """「张三 13812345678」, 「张三 138 1234 5678」, 「张三 0991-1234567」 or a name alone: the
    caller as typed; None when it reads as neither (no name, a number too short or long)."""
    words = to_halfwidth(text).split()
    first_digit = next((i for i, w in enumerate(words) if any(ch.isdigit() for ch in w)), None)
    phone = ""
    if first_digit is not None:
        # A number read out in groups (138 1234 5678) is typed with spaces.
        phone = _phone("".join(words[first_digit:])) or ""
        if not phone:
            return None
        words = words[:first_digit]
    name = "".join(words)
    if not name or len(name) > CALLER_NAME_MAX:
        return None
    return Caller(name, phone)


def _phone(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except PhoneError:
        digits = "".join(ch for ch in text if ch not in "-() ")
        return digits if _LANDLINE.fullmatch(digits) else None


def parse_received(text: str, *, today: date) -> date | None:
    """「2026-12-15」, 「12月15日」, 「12-15」: the day it was received; a day without its year
    is this year's, or last year's when that would be in the future (early January)."""
    found = _DATE.fullmatch(to_halfwidth(text).strip())
    if found is None:
        return None
    year_text, month, day = found.groups()
    year = int(year_text) if year_text else today.year
    try:
        received = date(year, int(month), int(day))
    except ValueError:
        return None
    if year_text is None and received > today:
        try:
            received = received.replace(year=year - 1)
        except ValueError:
            return None
    return received


def received_refusal(received: date, *, today: date) -> str | None:
    """Why a day received cannot be taken: ``future``, or ``old`` beyond RECEIVED_MAX_DAYS."""
    if received > today:
        return "future"
    if received < today - timedelta(days=RECEIVED_MAX_DAYS):
        return "old"
    return None


def spelled(code: str) -> str:
    """A ticket code as the desk reads it out or writes it: in two groups of four, each
    character apart (the alphabet already has no 0/O or 1/I look-alikes)."""
    return " ".join(code[:4]) + " - " + " ".join(code[4:])
