"""The unit's self-check buttons (``usc``): 「无」 for an answer, submit, cancel. The unit is the
one the conversation was started for, checked against the contact's binding on the server."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData


class SelfCheck(CallbackData, prefix="usc"):
    action: Literal["none", "send", "cancel"]
