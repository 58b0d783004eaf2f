"""The hotline's rules as data: complaint categories, their severity and route, when several
complainants about the same matter make a case serious, ticket codes, what evidence is
accepted, and the throttles.

Pure: no I/O, no framework. The table follows SPEC.md §2; the bureau may reclassify a case
later, so these are defaults, not verdicts.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Literal

from messages import N_

Severity = Literal["serious", "medium", "minor", "triage"]
Route = Literal["investigators", "bureau", "unit"]


@dataclass(frozen=True)
class Category:
    key: str
    label: str  # an English msgid; the handlers translate it
    severity: Severity
    route: Route
    # What the category covers, shown under the choice, and what the description should say.
    hint: str = ""
    asks: str = ""


# 人岗不符 (六(三)) is both a stand-in doing the registered worker's job and the registered
# worker used in a post other than the registered one: either way the post is not what the
# subsidy pays for, and both go to the 人社局.
IMPOSTOR_HINT = N_(
    "人岗不符: someone other than the registered worker does the job, or the registered worker "
    "is used in a post other than the one registered."
)
IMPOSTOR_ASKS = N_(
    "For 人岗不符, say who actually does the job, or which post the worker is actually used in "
    "and which post is registered."
)


# How each severity reads to officials and in exports.
SEVERITY_NAMES = {
    "serious": N_("serious"),
    "medium": N_("medium"),
    "minor": N_("minor"),
    "triage": N_("to be triaged"),
}


CATEGORIES: tuple[Category, ...] = (
    Category("absent", N_("Absent from the post / ghost worker"), "serious", "investigators"),
    Category(
        "impostor",
        N_("Someone else does the job"),
        "serious",
        "investigators",
        hint=IMPOSTOR_HINT,
        asks=IMPOSTOR_ASKS,
    ),
    Category("fraud", N_("Fraud / defrauding funds"), "serious", "investigators"),
    Category("unfair", N_("Unfair assessment / procedure broken"), "medium", "bureau"),
    Category("conduct", N_("Conduct, attitude, lateness"), "minor", "unit"),
    Category("other", N_("Other"), "triage", "bureau"),
)
BY_KEY = {category.key: category for category in CATEGORIES}

# Which office holds a case on each route: complainants are told the office, never a person.
OFFICES: dict[str, str] = {
    "investigators": N_("County HR and social security bureau (人社局)"),
    "bureau": N_("County employment bureau hotline desk (就业局)"),
    "unit": N_("The employing unit, overseen by the employment bureau (就业局)"),
}


@dataclass(frozen=True)
class Triage:
    severity: Severity
    route: Route
    general: bool = False  # taken outside 公示: a general complaint for the bureau desk
    # Several complainants about the same matter made it serious (群众反响较大): it stays out
    # of the unit's hands whatever its category becomes (domain.cases.ESCALATED_NEVER_TO).
    by_count: bool = False


@dataclass(frozen=True)
class Matter:
    """What complaints must share for their complainants to be counted together (群众反响较大):
    the worker named; when none is, the unit and the category. Complaints about different
    workers of one unit are different matters, whatever their category."""

    unit_id: int
    worker_id: int | None
    category: str | None  # None when the worker alone decides


def matter(*, unit_id: int, worker_id: int | None, category: str) -> Matter:
    if worker_id is not None:
        return Matter(unit_id, worker_id, None)
    return Matter(unit_id, None, category)


def triage(category_key: str, *, in_gongshi: bool, complainants: int, threshold: int) -> Triage:
    """Severity and route of a new complaint.

    ``complainants`` counts the distinct people (this one included) who complained about the
    same matter (``Matter``) within the open 公示: from ``threshold`` on, the case is serious
    whatever its category (the seed's 群众反响较大). Outside 公示 everything goes to the
    bureau desk.
    """
    category = BY_KEY[category_key]
    if not in_gongshi:
        return Triage("triage", "bureau", general=True)
    if complainants >= threshold:
        return Triage("serious", "investigators", by_count=True)
    return Triage(category.severity, category.route)


# Ticket codes: no 0/O, 1/I/L look-alikes, so a code read out over the phone survives.
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_LENGTH = 8


def new_ticket_code() -> str:
    """31^8 ≈ 8.5e11 codes from the OS's CSPRNG: not guessable within the wrong-code throttle."""
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def normalize_ticket_code(text: str) -> str | None:
    """What a person typed, as a code: case, spaces and dashes forgiven; None if it cannot be."""
    code = "".join(ch for ch in text.upper() if ch not in " -_\t")
    if len(code) != TICKET_LENGTH or any(ch not in TICKET_ALPHABET for ch in code):
        return None
    return code


DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
MAX_EVIDENCE = 5

# Declared types we accept. The declaration is the sender's word only: the content is checked
# by ``sniff`` once the file is downloaded.
EVIDENCE_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
_BY_EXTENSION = {ext: mime for mime, exts in EVIDENCE_TYPES.items() for ext in exts}

EvidenceProblem = Literal["type", "size"]


def check_evidence(
    *, kind: str, file_name: str | None, mime_type: str | None, size: int | None, max_bytes: int
) -> tuple[str | None, EvidenceProblem | None]:
    """The file's accepted mime type, or the reason it is refused.

    Telegram re-encodes photos as JPEG, so a photo is a JPEG. A document must have an accepted
    extension, and a declared mime type, if any, must agree with it: ``setup.exe`` renamed to
    ``proof.pdf`` still declares ``application/x-msdownload``.
    """
    if size is not None and size > max_bytes:
        return None, "size"
    if kind == "photo":
        return "image/jpeg", None
    suffix = PurePosixPath(file_name or "").suffix.lower()
    by_name = _BY_EXTENSION.get(suffix)
    if by_name is None:
        return None, "type"
    if mime_type and mime_type != by_name and mime_type != "application/octet-stream":
        return None, "type"
    return by_name, None


def sniff(content: bytes) -> str | None:
    """The type a file's first bytes prove, for when evidence is downloaded and checked."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"PK\x03\x04"):
        head = content[:4096]
        if b"word/" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if b"xl/" in head:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


@dataclass(frozen=True)
class HotlineLimits:
    """Per-user abuse limits, read by the steps as ``Deps.hotline_limits``; another instance
    is given by name when the dependencies are built (``services={"hotline_limits": ...}``)."""

    complaints_per_day: int = 5
    messages_per_minute: int = 20
    wrong_codes_per_hour: int = 5


@dataclass
class MessageThrottle:
    """A sliding one-minute window per user, in memory.

    In memory on purpose: counting in the database would make every flooded message a write,
    which is exactly the load a flood is. Each process counts its own share, and a restart
    forgets the last minute; both only make the limit a little softer.
    """

    per_minute: int
    _seen: dict[int, deque[datetime]] = field(default_factory=dict)

    def allow(self, user_id: int, now: datetime) -> bool:
        window = self._seen.setdefault(user_id, deque())
        while window and now - window[0] >= timedelta(minutes=1):
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        if len(self._seen) > 10_000:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: datetime) -> None:
        idle = [u for u, w in self._seen.items() if not w or now - w[-1] >= timedelta(minutes=1)]
        for user_id in idle:
            del self._seen[user_id]


ACCEPT_OUTER_DAYS = 15  # the law's outer bound for deciding whether to accept a complaint


def acceptance_due(
    today: date, *, in_gongshi: bool, add_workdays: Callable[[date, int], date]
) -> date:
    """Acceptance clock: 1 working day during 公示 (ours), else the law's 15 days (信访工作
    条例: 15 日, calendar days)."""
    if in_gongshi:
        return add_workdays(today, 1)
    return today + timedelta(days=ACCEPT_OUTER_DAYS)
