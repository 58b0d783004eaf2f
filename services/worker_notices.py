"""When the 公示 opens, every bound worker with a result is told, in their language: that their
result is published, where (the public channel and the bot, under a masked name), until when,
and how to object (申辩) — with the buttons to see their result and to file the objection. One
outbox row per worker and cycle, in the opening's transaction; counted apart from the
subscribers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from messages.callbacks_publication import FIRST_UNITS
from messages.callbacks_worker import MyResult, ObjectionStep
from messages.i18n import N_, Translator
from messages.style import date_text
from services.publication_texts import GRADES, renewal_text
from storage.models import Cycle
from storage.outbox import enqueue
from storage.worker_notices import bound_workers

WORKER_NOTICE = N_(
    "Your {year} assessment result is published in the public notice (公示) from {opens} to "
    "{closes}: {unit}, {grade}; {renewal}\n"
    "Where: the public notice channel and this bot (「Read the lists」), with your name masked.\n"
    "If you disagree with your grade or the renewal decision, file an objection (申辩) by "
    "{closes}: press the button below, or 「My assessment result」 in the menu."
)
MY_RESULT = N_("My assessment result")
OBJECT = N_("File an objection (申辩)")
READ_LISTS = N_("Read the lists")


async def tell_bound_workers(session: AsyncSession, cycle: Cycle) -> int:
    """Queue the notice for every bound worker of ``cycle``; returns how many."""
    assert cycle.id is not None and cycle.gongshi_opens_on and cycle.gongshi_closes_on
    told = 0
    for worker in await bound_workers(session, cycle_id=cycle.id):
        t = Translator(worker.language)
        text = t(
            WORKER_NOTICE,
            year=cycle.year,
            opens=date_text(t, cycle.gongshi_opens_on),
            closes=date_text(t, cycle.gongshi_closes_on),
            unit=worker.unit_name,
            grade=t(GRADES[worker.grade]) if worker.grade in GRADES else worker.grade,
            renewal=renewal_text(t, worker.renew),
        )
        await enqueue(
            session,
            chat_id=worker.user_id,
            kind="notice",
            text=text,
            buttons=[
                [(t(MY_RESULT), MyResult(action="show").pack())],
                [(t(OBJECT), ObjectionStep(action="start").pack())],
                [(t(READ_LISTS), FIRST_UNITS)],
            ],
            dedup_key=f"gs:{cycle.id}:worker:{worker.user_id}",
        )
        told += 1
    return told
