"""Speak to the dispatcher as a user would: send("/start"), click("帮助")."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from handlers.core import Dispatcher
from handlers.types import FileRef, Incoming, Outcome, SharedContact, User
from messages.replies import Reply

_update_ids = itertools.count(1000)


@dataclass
class Shown:
    message_id: int
    reply: Reply


@dataclass
class Chat:
    dispatcher: Dispatcher
    user_id: int
    language: str | None = "zh-hans"
    first_name: str = "测试用户"
    shown: list[Shown] = field(default_factory=list)
    answers: list[str | None] = field(default_factory=list)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def user(self) -> User:
        return User(self.user_id, self.first_name, None, self.language)

    async def deliver(self, incoming: Incoming) -> Outcome:
        outcome = await self.dispatcher.handle(incoming)
        self.answers.append(outcome.callback_answer)
        for reply in outcome.replies:
            if isinstance(reply, Reply) and reply.edit and incoming.message_id is not None:
                for index, shown in enumerate(self.shown):
                    if shown.message_id == incoming.message_id:
                        self.shown[index] = Shown(shown.message_id, reply)
            elif isinstance(reply, Reply):
                self.shown.append(Shown(next(self._message_ids), reply))
        return outcome

    def incoming(self, **fields) -> Incoming:
        return Incoming(update_id=next(_update_ids), user=self.user, chat_id=self.user_id, **fields)

    async def send(self, text: str) -> Outcome:
        if text.startswith("/"):
            command, _, argument = text[1:].partition(" ")
            return await self.deliver(self.incoming(command=command.lower(), argument=argument))
        return await self.deliver(self.incoming(text=text))

    async def press(self, data: str, message_id: int | None = None) -> Outcome:
        if message_id is None:
            message_id = self.shown[-1].message_id if self.shown else 1
        return await self.deliver(
            self.incoming(button=data, callback_id=f"cb{data}", message_id=message_id)
        )

    async def click(self, label: str) -> Outcome:
        for shown in reversed(self.shown):
            for row in shown.reply.buttons:
                for button in row:
                    if button.text == label and button.data:
                        return await self.press(button.data, shown.message_id)
        raise AssertionError(f"no button {label!r} in {self.buttons()}")

    async def share_contact(self, phone: str, user_id: int | None = None) -> Outcome:
        contact = SharedContact(phone=phone, user_id=user_id or self.user_id)
        return await self.deliver(self.incoming(contact=contact))

    async def upload(self, name: str) -> Outcome:
        ref = FileRef(
            file_id=f"f-{name}", file_unique_id=f"u-{name}", kind="document", file_name=name
        )
        return await self.deliver(self.incoming(file=ref))

    @property
    def last(self) -> str:
        return self.shown[-1].reply.text

    def buttons(self) -> list[str]:
        return [b.text for row in self.shown[-1].reply.buttons for b in row] if self.shown else []
