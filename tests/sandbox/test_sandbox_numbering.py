"""The sandbox's update ids can continue where an earlier run left off, never going back."""

from __future__ import annotations

from bot.sandbox import SandboxState


def test_update_ids_continue_after_the_given_one_and_never_go_back():
    state = SandboxState()
    assert state.add_update("message", {"text": "first run"}) == 1
    state.continue_after(41)
    assert state.add_update("message", {"text": "restarted"}) == 42
    state.continue_after(5)  # older than what was issued: no id is handed out twice
    assert state.add_update("message", {"text": "later"}) == 43
    assert [update["update_id"] for update in state.pending] == [1, 42, 43]
