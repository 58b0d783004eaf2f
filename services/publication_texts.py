"""What the 公示 says in public: each unit's channel posts, the subscribers' notice, the lines
the bot's browsing shows and the printable notices' rows.

Each unit's list goes to the public channel as pages under Telegram's 4096-character limit,
protected from forwarding. Every person on a page has a button under it, a deep link
``https://t.me/<bot>?start=c_<result id>`` that starts a complaint about that very person
(see ``handlers.citizen.start_from_entry``): a button per person, rather than one per page
naming the unit, spares the citizen picking the worker again from a list they just read,
which is where complaints about the wrong person would come from.

The texts here read only ``PublicRow``s (masked name, post, grade, renewal decision): nothing
else about a person can reach them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from messages.callbacks_publication import FIRST_UNITS
from messages.i18n import N_, Translator
from messages.replies import Button
from messages.style import date_text
from messages.tasks import day_text
from services.hotline_contact import HotlineContact

if TYPE_CHECKING:
    from documents.notice import UnitNotice
    from storage.public_rows import NoticeLists, PublicRow

MAX_TEXT = 4096  # Telegram's limit on a message, counted in UTF-16 code units
CHANNEL_ENTRIES = 20  # a person's button each: 10 rows of two stay easy to hit on a phone
BUTTON_NAME = 24  # characters of a masked name shown on its button
DEEP_LINK_MAX = 64  # Telegram's limit on a /start parameter

HEAD = N_("Public notice: {unit}, results of the {year} assessment of public-welfare posts")
PAGE_OF = N_("page {page} of {pages}")
WINDOW = N_("Notice period: {opens} to {closes}.")
COLUMNS = N_("No. name | post | grade | renewal")
HOTLINE_HINT = N_(
    "Something wrong in this list? Press the person's button below to tell the hotline, "
    "anonymously if you wish, or write to @{bot}."
)
RENEWED = N_("renewed")
NOT_RENEWED = N_("not renewed")
GRADES = {
    "合格": N_("合格 (pass)"),
    "基本合格": N_("基本合格 (basic pass)"),
    "不合格": N_("不合格 (fail)"),
}
SUBSCRIBER_NOTICE = N_(
    "The public notice of the {year} assessment results is open from {opens} to {closes}. "
    "You can read each unit's list here and report a problem to the hotline."
)
BROWSE = N_("Read the lists")
PERIOD = N_("{opens} to {closes}")
NOTICED_UNTIL = N_(" (added or corrected: on notice until {closes})")


@dataclass(frozen=True)
class Message:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)


def text_length(text: str) -> int:
    """The length Telegram counts: characters beyond the BMP (rare name characters) count two."""
    return len(text.encode("utf-16-le")) // 2


def complaint_link(bot_username: str, result_id: int) -> str:
    start = f"c_{result_id}"
    assert len(start) <= DEEP_LINK_MAX
    return f"https://t.me/{bot_username}?start={start}"


def renewal_text(t: Translator, renew: bool) -> str:
    return t(RENEWED) if renew else t(NOT_RENEWED)


def entry_line(t: Translator, number: int, row: PublicRow) -> str:
    grade = t(GRADES[row.grade]) if row.grade in GRADES else row.grade
    line = f"{number}. {row.masked_name}｜{row.post}｜{grade}｜{renewal_text(t, row.renew)}"
    if row.noticed_until is not None:
        # Added or corrected during the 公示: on notice for a period of its own.
        line += t(NOTICED_UNTIL, closes=date_text(t, row.noticed_until, weekday=False))
    return line


def window_line(t: Translator, opens_on: date, closes_on: date) -> str:
    return t(WINDOW, opens=day_text(t, opens_on), closes=day_text(t, closes_on))


def head_line(t: Translator, *, unit: str, year: int, page: int, pages: int) -> str:
    head = t(HEAD, unit=unit, year=year)
    return head if pages <= 1 else f"{head} ({t(PAGE_OF, page=page, pages=pages)})"


def channel_pages(
    *,
    rows: Sequence[PublicRow],
    unit_name: str,
    year: int,
    opens_on: date,
    closes_on: date,
    bot_username: str,
    language: str,
    hotline: HotlineContact = HotlineContact(),
) -> list[Message]:
    """A unit's list as channel posts: each at most ``CHANNEL_ENTRIES`` people and within
    Telegram's length limit, numbered on through the pages; each ends with how to reach the
    hotline (the bot, and its telephone and address when set)."""
    t = Translator(language)
    lines = [entry_line(t, number, row) for number, row in enumerate(rows, start=1)]
    top = [window_line(t, opens_on, closes_on), t(COLUMNS), ""]
    bottom = ["", t(HOTLINE_HINT, bot=bot_username), *_hotline(t, hotline)]
    widest_head = head_line(t, unit=unit_name, year=year, page=len(rows), pages=len(rows) + 1)
    budget = MAX_TEXT - text_length("\n".join([widest_head, *top, *bottom])) - 1
    chunks = _chunks(lines, budget=budget, most=CHANNEL_ENTRIES)
    pages = []
    for index, (start, end) in enumerate(chunks):
        head = head_line(t, unit=unit_name, year=year, page=index + 1, pages=len(chunks))
        text = "\n".join([head, *top, *lines[start:end], *bottom])
        pages.append(Message(text, _complaint_buttons(rows, start, end, bot_username)))
    return pages


def _hotline(t: Translator, hotline: HotlineContact) -> list[str]:
    line = hotline.line(t)
    return [line] if line else []


def _chunks(lines: Sequence[str], *, budget: int, most: int) -> list[tuple[int, int]]:
    chunks: list[tuple[int, int]] = []
    start, used = 0, 0
    for index, line in enumerate(lines):
        size = text_length(line) + 1
        if index > start and (index - start >= most or used + size > budget):
            chunks.append((start, index))
            start, used = index, 0
        used += size
    if lines:
        chunks.append((start, len(lines)))
    return chunks


def _complaint_buttons(
    rows: Sequence[PublicRow], start: int, end: int, bot_username: str
) -> list[list[Button]]:
    buttons = [
        Button(
            f"{number}. {row.masked_name[:BUTTON_NAME]}",
            url=complaint_link(bot_username, row.result_id),
        )
        for number, row in enumerate(rows[start:end], start=start + 1)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def subscriber_notice(
    *,
    language: str,
    year: int,
    opens_on: date,
    closes_on: date,
    hotline: HotlineContact = HotlineContact(),
) -> Message:
    t = Translator(language)
    text = t(
        SUBSCRIBER_NOTICE,
        year=year,
        opens=day_text(t, opens_on),
        closes=day_text(t, closes_on),
    )
    text = "\n".join([text, *_hotline(t, hotline)])
    return Message(text, [[Button(t(BROWSE), FIRST_UNITS)]])


def unit_notices(
    lists: NoticeLists,
    *,
    language: str,
    issued_on: date,
    hotline: HotlineContact = HotlineContact(),
) -> list[UnitNotice]:
    """The printable notices of the units in ``lists``, in ``language``."""
    # Here, not at the top: the PDF engine is loaded only by those who print.
    from documents.notice import NoticeRow, UnitNotice

    t = Translator(language)
    period = t(PERIOD, opens=day_text(t, lists.opens_on), closes=day_text(t, lists.closes_on))
    return [
        UnitNotice(
            unit_name=name,
            year=lists.year,
            period=period,
            issued=day_text(t, issued_on),
            unit_phone=lists.phones.get(name, ""),
            hotline=hotline.line(t),
            rows=[
                NoticeRow(
                    row.masked_name,
                    row.post,
                    t(GRADES[row.grade]) if row.grade in GRADES else row.grade,
                    renewal_text(t, row.renew),
                )
                for row in rows
            ],
        )
        for name, rows in lists.units
    ]
