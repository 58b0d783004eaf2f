"""Wording that several audiences share, defined once."""

from __future__ import annotations

from collections.abc import Callable

from messages import N_
from messages.callbacks_menu import MENU_HOME
from messages.replies import Button

STALE_BUTTON = N_("This button is no longer valid. Send /start for the menu.")
BACK_TO_MENU = N_("Back to the menu")
# Rosters and results name registered units only, so "no units" says how to register them.
NO_UNITS_YET = N_(
    "There are no units yet. Register them first: Units in the menu, "
    "or the command gongshi import units FILE."
)


def back_to_menu(t: Callable[[str], str]) -> Button:
    """The button that ends a flow: every message that ends one offers it."""
    return Button(t(BACK_TO_MENU), MENU_HOME)
