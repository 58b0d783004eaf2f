"""The bot runtimes: aiogram (the default) and python-telegram-bot, thin adapters that feed
Telegram updates to ``handlers.core.Dispatcher`` and send its replies back."""

from __future__ import annotations

from typing import Literal

from bot.runtimes.serving import Transport

RuntimeName = Literal["aiogram", "ptb"]


def make_transport(runtime: RuntimeName, *, token: str, api_base: str) -> Transport:
    """Import only the framework asked for: each costs start-up time and memory."""
    if runtime == "aiogram":
        from bot.runtimes.aiogram_runtime import AiogramTransport

        return AiogramTransport(token, api_base)
    if runtime == "ptb":
        from bot.runtimes.ptb_runtime import PtbTransport

        return PtbTransport(token, api_base)
    raise ValueError(f"unknown runtime {runtime!r}")
