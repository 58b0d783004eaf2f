"""What the bot says: the message-id marker, translation, replies and keyboards.

A leaf: it imports nothing of ours, so every layer (domain included) may use it. This module
itself loads no catalogue, so importing ``N_`` costs nothing.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message id (English) for the catalogues without translating it yet."""
    return message
