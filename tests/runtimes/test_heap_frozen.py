"""While the bot serves, what the process held when it became ready is out of the cyclic
garbage collector's passes (frozen), the garbage among it collected first; when the bot stops,
it is put back. On both runtimes, over real HTTP."""

from __future__ import annotations

import gc
import weakref

from runtime_harness import RunningBot


class Node:
    """An object that refers to itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


async def test_the_start_up_heap_is_frozen_while_the_bot_serves(
    runtime, token, sandbox, dispatcher, client
):
    assert gc.get_freeze_count() == 0
    was_enabled = gc.isenabled()
    gc.disable()  # no collection of its own accord: only the bot's start collects
    try:
        garbage = Node()
        collected = weakref.ref(garbage)
        del garbage
        kept = Node()
        running = RunningBot(runtime, token, sandbox.url, dispatcher)
        await running.start()
        try:
            assert collected() is None  # collected before the freeze, not kept for good
            assert gc.get_freeze_count() > 0
            assert not any(kept is obj for obj in gc.get_objects())  # frozen: out of the passes
            user = await client.create_persona("市民")
            await client.send_text(user, "/start")
            [menu] = await client.wait_for(user, 1)
            assert menu["text"] == "Menu"
        finally:
            await running.stop()
        assert gc.get_freeze_count() == 0
        assert any(kept is obj for obj in gc.get_objects())  # back among the collected
    finally:
        if was_enabled:
            gc.enable()
