"""A staff verification session (city plan 五.4) as the inspector types it: the day, the time
and the place, e.g. "12-22 09:00 县人社局三楼会议室" or "12月22日 9:30 县政府大院". Pure.

The session falls within the inspection's window; the place is one line of at most
PLACE_MAX characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from messages import N_

PLACE_MAX = 200
REMIND_HOUR = 9  # the day-before reminder waits for office hours
SHANGHAI = ZoneInfo("Asia/Shanghai")

REASON_FORMAT = N_('Write the day, the time and the place, like "12-22 09:00 县人社局三楼会议室".')
REASON_OUTSIDE = N_("The session must fall within the inspection, {starts} to {due}.")
REASON_PLACE = N_("The place is 1 to {most} characters on one line.")

_PATTERN = re.compile(
    r"^\s*(?:(?P<y>\d{4})[-/.年])?(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?\s*"
    r"(?P<h>\d{1,2})[:：点](?P<min>\d{2})?分?\s+(?P<place>.+?)\s*$"
)


class SessionInputError(ValueError):
    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason)


@dataclass(frozen=True)
class SessionInput:
    starts_at: datetime  # aware, Asia/Shanghai
    place: str


def parse_session(text: str, *, year: int, starts_on: date, due_on: date) -> SessionInput:
    """The session typed as ``text``, in the inspection's window of ``year``."""
    if "\n" in text.strip() or "\r" in text:
        raise SessionInputError(REASON_PLACE, most=PLACE_MAX)
    normal = unicodedata.normalize("NFKC", text)
    found = _PATTERN.match(normal)
    if found is None:
        raise SessionInputError(REASON_FORMAT)
    place = " ".join(found["place"].split())
    if not place or len(place) > PLACE_MAX:
        raise SessionInputError(REASON_PLACE, most=PLACE_MAX)
    try:
        day = date(int(found["y"] or year), int(found["m"]), int(found["d"]))
        at = time(int(found["h"]), int(found["min"] or 0))
    except ValueError as error:
        raise SessionInputError(REASON_FORMAT) from error
    if not starts_on <= day <= due_on:
        raise SessionInputError(REASON_OUTSIDE, starts=starts_on, due=due_on)
    return SessionInput(datetime.combine(day, at, tzinfo=SHANGHAI), place)


def reminder_due(starts_at: datetime, now: datetime) -> bool:
    """Whether the day-before reminder is due at ``now``: from REMIND_HOUR on the day before
    the session until the session starts."""
    local = now.astimezone(SHANGHAI)
    begins = datetime.combine(
        starts_at.astimezone(SHANGHAI).date() - timedelta(days=1),
        time(REMIND_HOUR),
        tzinfo=SHANGHAI,
    )
    return begins <= local < starts_at
