"""Only the newest reply's buttons stay pressable: a new reply with buttons takes them off the
one before (answered steps leave no 继续/返回/取消 behind), an edit moves them to the edited
message, a reply without buttons leaves them be, and a protected text is never an edit."""

from __future__ import annotations

import itertools

from bot.runtimes.delivery import Delivery, SendError
from handlers.types import Incoming, Outcome, User
from messages.replies import Button, Reply

ROW = ((Button("继续", "c"),),)


class NumberingSender:
    def __init__(self, bare_fails: bool = False) -> None:
        self.ids = itertools.count(10)
        self.calls: list[tuple[str, object]] = []
        self.bare_fails = bare_fails

    async def send_text(self, chat_id, reply):
        message_id = next(self.ids)
        self.calls.append(("send", (message_id, reply.text, reply.protect)))
        return message_id

    async def edit_text(self, chat_id, message_id, reply):
        self.calls.append(("edit", (message_id, reply.text)))

    async def remove_buttons(self, chat_id, message_id):
        self.calls.append(("bare", message_id))
        if self.bare_fails:
            raise SendError("Bad Request: message to edit not found", status=400)

    async def send_file(self, chat_id, reply):
        self.calls.append(("file", reply.filename))

    async def answer_callback(self, callback_id, text, alert):
        pass


def typed() -> Incoming:
    return Incoming(update_id=1, user=User(9), chat_id=9, text="一段描述")


def pressed(message_id: int) -> Incoming:
    return Incoming(
        update_id=2, user=User(9), chat_id=9, button="x", callback_id="cb", message_id=message_id
    )


async def say(delivery: Delivery, incoming: Incoming, *replies: Reply) -> None:
    await delivery.deliver(incoming, Outcome(chat_id=9, replies=list(replies)))


async def test_each_answered_step_takes_the_buttons_off_the_step_before():
    sender = NumberingSender()
    delivery = Delivery(sender)
    await say(delivery, typed(), Reply("请描述", ROW))
    await say(delivery, typed(), Reply("已收到 1 件", ROW))
    await say(delivery, typed(), Reply("已收到 2 件", ROW))
    assert [c for c in sender.calls if c[0] == "bare"] == [("bare", 10), ("bare", 11)]


async def test_an_edit_moves_the_live_buttons_and_a_plain_text_leaves_them():
    sender = NumberingSender()
    delivery = Delivery(sender)
    await say(delivery, typed(), Reply("菜单", ROW))  # 10
    await say(delivery, typed(), Reply("提示，没有按钮"))  # 11: the menu keeps its buttons
    assert ("bare", 10) not in sender.calls
    await say(delivery, typed(), Reply("另一个菜单", ROW))  # 12: now the first goes bare
    assert ("bare", 10) in sender.calls
    await say(delivery, pressed(12), Reply("翻页", ROW, edit=True))  # same message: nothing
    assert ("bare", 12) not in sender.calls
    await say(delivery, pressed(10), Reply("旧消息上翻页", ROW, edit=True))
    assert sender.calls[-1] == ("bare", 12)


async def test_a_message_already_gone_is_no_error():
    sender = NumberingSender(bare_fails=True)
    delivery = Delivery(sender)
    await say(delivery, typed(), Reply("一", ROW), Reply("二", ROW), Reply("三", ROW))
    assert [c[1] for c in sender.calls if c[0] == "send"][-1][1] == "三"


async def test_a_protected_page_is_sent_new_even_when_asked_to_edit():
    sender = NumberingSender()
    delivery = Delivery(sender)
    await say(delivery, typed(), Reply("单位列表", ROW))
    await say(delivery, pressed(10), Reply("名单第1页", ROW, edit=True, protect=True))
    assert sender.calls[-2:] == [("send", (11, "名单第1页", True)), ("bare", 10)]
