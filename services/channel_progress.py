"""The channel's publishing, reported to the administrator when it is done: at Telegram's 20
posts a minute a county's lists take minutes, and whoever opened the 公示 should not have to
watch the channel to know they are all up (or that some could not be posted)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from messages.i18n import N_, Translator
from messages.wording import back_to_menu
from storage.audiences import Recipient, admins
from storage.cases import user_language
from storage.channel_progress import opened_by, posting_progress
from storage.models import Cycle
from storage.outbox import enqueue

ALL_POSTED = N_("The {year} 公示 is on the public channel: all {pages} pages are posted.")
SOME_FAILED = N_(
    "The {year} 公示 on the public channel: {sent} of {pages} pages posted, {failed} could not "
    "be posted; whoever runs the bot finds why in its log."
)


async def report_when_posted(*, session: AsyncSession, cycle: Cycle) -> bool:
    """Tell whoever opened the 公示 (every administrator when it was opened from the CLI)
    once its channel pages are all posted or given up; True if told now. Safe to call on
    every sweep: the report is queued once per cycle."""
    if cycle.id is None:
        return False
    progress = await posting_progress(session, cycle_id=cycle.id)
    if not progress.done:
        return False
    opener = await opened_by(session, year=cycle.year)
    recipients = (
        [Recipient(opener, await user_language(session, opener))]
        if opener is not None
        else await admins(session)
    )
    template = ALL_POSTED if progress.failed == 0 else SOME_FAILED
    for person in recipients:
        t = Translator(person.language)
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="notice",
            text=t(
                template,
                year=cycle.year,
                pages=progress.pages,
                sent=progress.sent,
                failed=progress.failed,
            ),
            buttons=[[back_to_menu(t)]],
            dedup_key=f"gs:{cycle.id}:posted:{person.user_id}",
        )
    return bool(recipients)
