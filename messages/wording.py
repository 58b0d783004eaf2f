"""Wording that several audiences share, defined once."""

from __future__ import annotations

from messages import N_

STALE_BUTTON = N_("This button is no longer valid. Send /start for the menu.")
