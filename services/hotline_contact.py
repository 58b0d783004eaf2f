"""The hotline's telephone line and postal address (the seed's 专线电话 and 来信, 五(五)), which
every 公示 notice gives: the channel's posts, the printable notice and the bot's lists.

Read from the bot's settings when it has them (``GONGSHI_HOTLINE_PHONE``,
``GONGSHI_HOTLINE_ADDRESS``); unset, the notices name the bot alone, as before: a county
that has not set a line up yet publishes nothing false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from messages.i18n import N_, Translator

PHONE_AND_ADDRESS = N_("Hotline telephone: {phone}; letters to: {address}.")
PHONE_ONLY = N_("Hotline telephone: {phone}.")
ADDRESS_ONLY = N_("Letters to the hotline: {address}.")


@dataclass(frozen=True)
class HotlineContact:
    phone: str = ""
    address: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> HotlineContact:
        """Whatever ``settings`` has of the two; empty when it has neither."""
        return cls(
            phone=str(getattr(settings, "hotline_phone", "") or "").strip(),
            address=str(getattr(settings, "hotline_address", "") or "").strip(),
        )

    def line(self, t: Translator) -> str:
        """The sentence a notice prints, in the reader's language; "" when none is set."""
        if self.phone and self.address:
            return t(PHONE_AND_ADDRESS, phone=self.phone, address=self.address)
        if self.phone:
            return t(PHONE_ONLY, phone=self.phone)
        if self.address:
            return t(ADDRESS_ONLY, address=self.address)
        return ""
