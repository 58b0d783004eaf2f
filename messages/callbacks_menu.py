"""The data of the main menu's own buttons and of the admin's invitation steps."""

from __future__ import annotations

from typing import Literal

from messages.callbacks import CallbackData

Language = Literal["zh", "en"]
OfficialRole = Literal["admin", "bureau", "investigator", "unit"]


class MenuAction(CallbackData, prefix="menu"):
    action: Literal["help", "home"]


class LanguageChoice(CallbackData, prefix="lang"):
    # "ask" shows the choice; a language code sets it.
    choice: Literal["ask", "zh", "en"]


class SubscriptionChoice(CallbackData, prefix="sub"):
    choice: Literal["on", "off"]


class InviteStart(CallbackData, prefix="adm"):
    action: Literal["invite"]


class InviteRole(CallbackData, prefix="adm"):
    step: Literal["role"]
    role: OfficialRole


class InviteUnitsPage(CallbackData, prefix="adm"):
    step: Literal["units"]
    page: int


class InviteUnit(CallbackData, prefix="adm"):
    step: Literal["unit"]
    unit_id: int


# The 「back to the menu」 button that ends most screens.
MENU_HOME = MenuAction(action="home").pack()
