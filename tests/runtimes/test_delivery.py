"""The order and the error handling of sending an Outcome, with a sender that records."""

from __future__ import annotations

import pytest

from bot.runtimes.delivery import INLINE_WAIT, Delivery, SendError
from handlers.types import Incoming, Outcome, User
from messages.replies import Button, FileReply, Reply


class RecordingSender:
    def __init__(self, failures: dict[str, list[SendError]] | None = None) -> None:
        self.calls: list[tuple[str, object]] = []
        self.failures = failures or {}

    def _record(self, method: str, detail: object) -> None:
        self.calls.append((method, detail))
        queue = self.failures.get(method)
        if queue:
            raise queue.pop(0)

    async def send_text(self, chat_id, reply):
        self._record("send", reply.text)

    async def edit_text(self, chat_id, message_id, reply):
        self._record("edit", (message_id, reply.text))

    async def remove_buttons(self, chat_id, message_id):
        self._record("bare", message_id)

    async def send_file(self, chat_id, reply):
        self._record("file", reply.filename)

    async def answer_callback(self, callback_id, text, alert):
        self._record("answer", (callback_id, text, alert))


async def no_sleep(seconds: float) -> None:
    slept.append(seconds)


slept: list[float] = []


@pytest.fixture(autouse=True)
def _reset_sleeps():
    slept.clear()


def press(message_id: int | None = 5) -> Incoming:
    return Incoming(
        update_id=1,
        user=User(9),
        chat_id=9,
        button="menu:x",
        callback_id="cb",
        message_id=message_id,
    )


async def test_duplicate_press_is_answered_and_nothing_else():
    sender = RecordingSender()
    outcome = Outcome(chat_id=9, replies=[Reply("again")], duplicate=True)
    await Delivery(sender, no_sleep).deliver(press(), outcome)
    assert sender.calls == [("answer", ("cb", None, False))]


async def test_callback_answered_first_then_replies_in_order():
    sender = RecordingSender()
    outcome = Outcome(
        chat_id=9,
        replies=[Reply("edited", edit=True), FileReply("a.csv", b"x"), Reply("new")],
        callback_answer="好",
        callback_alert=True,
    )
    await Delivery(sender, no_sleep).deliver(press(), outcome)
    assert sender.calls == [
        ("answer", ("cb", "好", True)),
        ("edit", (5, "edited")),
        ("file", "a.csv"),
        ("send", "new"),
    ]


async def test_edit_of_a_vanished_message_falls_back_to_a_new_one():
    gone = SendError("Bad Request: message to edit not found", status=400)
    sender = RecordingSender({"edit": [gone]})
    await Delivery(sender, no_sleep).deliver(
        press(), Outcome(chat_id=9, replies=[Reply("menu", edit=True)])
    )
    assert [c[0] for c in sender.calls] == ["answer", "edit", "send"]


async def test_edit_not_modified_sends_nothing_more():
    same = SendError("Bad Request: message is not modified: ...", status=400)
    sender = RecordingSender({"edit": [same]})
    await Delivery(sender, no_sleep).deliver(
        press(), Outcome(chat_id=9, replies=[Reply("menu", edit=True)])
    )
    assert [c[0] for c in sender.calls] == ["answer", "edit"]


async def test_a_contact_request_is_never_an_edit():
    sender = RecordingSender()
    reply = Reply("share", request_contact="分享手机号", edit=True)
    await Delivery(sender, no_sleep).deliver(press(), Outcome(chat_id=9, replies=[reply]))
    assert [c[0] for c in sender.calls] == ["answer", "send"]


async def test_429_waits_retry_after_and_retries():
    flood = SendError("Too Many Requests: retry after 2", status=429, retry_after=2)
    sender = RecordingSender({"send": [flood]})
    await Delivery(sender, no_sleep).deliver(press(None), Outcome(chat_id=9, replies=[Reply("hi")]))
    assert [c[0] for c in sender.calls] == ["answer", "send", "send"]
    assert slept == [2]


async def test_persistent_429_waits_in_line_only_up_to_the_bound_and_never_raises(caplog):
    floods = [SendError("flood", status=429, retry_after=1) for _ in range(20)]
    sender = RecordingSender({"send": floods})
    await Delivery(sender, no_sleep).deliver(
        press(None), Outcome(chat_id=9, replies=[Reply("hi"), Reply("second")])
    )
    # In-line waits stop at INLINE_WAIT in all; with nowhere to keep them, the replies are
    # logged as not sent (the runtimes give an outbox: tests/runtimes/test_reply_flood_wait.py).
    assert sum(slept) == INLINE_WAIT
    assert [text for method, text in sender.calls if method == "send"] == ["hi"] * 6
    assert "2 replies to chat 9 not sent" in caplog.text


async def test_other_errors_are_logged_not_raised(caplog):
    sender = RecordingSender({"send": [SendError("Forbidden: bot was blocked", status=403)]})
    await Delivery(sender, no_sleep).deliver(press(None), Outcome(chat_id=9, replies=[Reply("x")]))
    assert "blocked" in caplog.text
    assert slept == []


async def test_each_message_telegram_took_is_counted_for_the_outbox():
    """What the outbox leaves room for (notices.pacing.ReplyMeter): a message sent, edited or
    stripped of its buttons, a file, once each when Telegram took it; not a button's answer,
    not a refusal, and a message taken on its second try once."""
    flood = SendError("Too Many Requests: retry after 1", status=429, retry_after=1)
    counts: list[int] = []
    sender = RecordingSender({"send": [flood]})
    delivery = Delivery(sender, no_sleep, counted=counts.append)
    buttons = ((Button("继续", "c"),),)
    outcome = Outcome(
        chat_id=9,
        replies=[
            Reply("edited", buttons=buttons, edit=True),
            FileReply("a.csv", b"x"),
            Reply("new"),
        ],
    )
    await delivery.deliver(press(5), outcome)
    assert [c[0] for c in sender.calls] == ["answer", "edit", "file", "send", "send"]
    assert counts == [1, 1, 1]
    # The next step's buttons on another message: the old ones are taken off, one call more.
    await delivery.deliver(press(6), Outcome(chat_id=9, replies=[Reply("b", buttons, edit=True)]))
    assert [c[0] for c in sender.calls[5:]] == ["answer", "edit", "bare"]
    assert counts == [1] * 5
    sender.failures = {"send": [SendError("Forbidden: bot was blocked", status=403)]}
    await delivery.deliver(press(None), Outcome(chat_id=9, replies=[Reply("x")]))
    assert [c[0] for c in sender.calls[8:]] == ["answer", "send"]
    assert counts == [1] * 5
