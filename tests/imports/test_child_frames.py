"""The frames of a reading process as the import takes them (storage.import_child.ChildChecks):
batches that have already arrived are joined, up to a limit; one not yet arrived is not waited
for; the pipe is read by one reader at a time, in order, whatever the writer does meanwhile."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import AsyncIterator

import pytest
from test_import_foreign_keys import row

from domain.sheet import RowIssue, SheetRow
from storage import import_child
from storage.import_child import CheckedHead, CheckedTail, ChildChecks, RowsRefused
from storage.sheet_reader import SheetError


class Pipe:
    """A reading process as ChildChecks sees it: its output, fed by the test."""

    def __init__(self) -> None:
        self.stdout = asyncio.StreamReader()
        self.returncode: int | None = None

    async def wait(self) -> int:
        return 0

    def send(self, frame: object) -> None:
        data = pickle.dumps(frame, pickle.HIGHEST_PROTOCOL)
        self.stdout.feed_data(import_child._LENGTH.pack(len(data)) + data)

    def send_rows(self, first: int, count: int) -> None:
        self.send([tuple(row(n)) for n in range(first, first + count)])


def checks(pipe: Pipe) -> ChildChecks:
    stopped = SheetError(import_child.REASON_READER_STOPPED, memory="1", seconds="1", setting="S")
    return ChildChecks(pipe, stopped)  # type: ignore[arg-type]


async def two_rows_sent() -> tuple[Pipe, ChildChecks, AsyncIterator[list[SheetRow]]]:
    """A reading process that has sent its head and a batch of two rows, and its batches."""
    pipe = Pipe()
    pipe.send(CheckedHead((), 4))
    pipe.send_rows(0, 2)
    child = checks(pipe)
    await child.start()
    return pipe, child, child.batches(most=100)


def numbers(rows: list) -> list[int]:  # type: ignore[type-arg]
    return [sheet_row.row - 2 for sheet_row in rows]


async def test_batches_already_arrived_are_joined_up_to_the_limit():
    pipe = Pipe()
    pipe.send(CheckedHead((), 20))
    for first in (0, 2, 4, 6):
        pipe.send_rows(first, 2)
    child = checks(pipe)
    await child.start()
    batches = child.batches(most=5)

    # Three batches joined: the third reaches the limit, the fourth waits for the next turn.
    assert numbers(await anext(batches)) == list(range(6))
    pipe.send(CheckedTail(8, []))
    assert numbers(await anext(batches)) == [6, 7]
    assert await anext(batches, None) is None
    assert child.tail == CheckedTail(8, [])


async def test_a_batch_not_yet_arrived_is_not_waited_for():
    pipe, _, batches = await two_rows_sent()

    first = await asyncio.wait_for(anext(batches), timeout=5)
    assert numbers(first) == [0, 1]
    pipe.send_rows(2, 2)
    pipe.send(CheckedTail(4, []))
    assert numbers(await anext(batches)) == [2, 3]
    assert await anext(batches, None) is None


async def test_rows_with_problems_still_end_in_a_refusal_after_joined_batches():
    pipe = Pipe()
    pipe.send(CheckedHead((), 9))
    pipe.send_rows(0, 2)
    pipe.send_rows(2, 2)
    issue = RowIssue(7, "grade", "x")
    pipe.send(CheckedTail(9, [issue]))
    child = checks(pipe)
    await child.start()
    taken = []

    with pytest.raises(RowsRefused) as refused:
        async for rows in child.batches(most=100):
            taken.append(numbers(rows))

    assert taken == [[0, 1, 2, 3]]
    assert refused.value.tail.issues == [issue]


async def test_the_rest_is_read_in_order_after_the_writer_stops_with_a_frame_half_read():
    """The writer fails while the next frame is being read ahead (part of it in the pipe): the
    import then reads the remaining frames for their problems, and gets them whole."""
    pipe = Pipe()
    pipe.send(CheckedHead((), 6))
    pipe.send_rows(0, 2)
    data = pickle.dumps([tuple(row(n)) for n in (2, 3)], pickle.HIGHEST_PROTOCOL)
    pipe.stdout.feed_data(import_child._LENGTH.pack(len(data)) + data[:10])
    child = checks(pipe)
    await child.start()
    batches = child.batches(most=100)
    assert numbers(await anext(batches)) == [0, 1]  # the next frame is now being read ahead
    await batches.aclose()  # the writer stopped

    finishing = asyncio.ensure_future(child.finish())
    await asyncio.sleep(0.01)
    pipe.stdout.feed_data(data[10:])
    pipe.send(CheckedTail(6, []))
    assert await asyncio.wait_for(finishing, timeout=5) == CheckedTail(6, [])


async def test_a_frame_still_being_read_is_let_go_once_the_process_ended():
    _, child, batches = await two_rows_sent()
    await anext(batches)
    ahead = child._ahead
    assert ahead is not None and not ahead.done()

    await child.let_go()

    assert ahead.cancelled()
