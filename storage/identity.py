"""Keyed hashes of identifiers: ID numbers and phones can be matched, never read back."""

from __future__ import annotations

import hashlib
import hmac


def keyed_hash(secret_key: str, kind: str, value: str) -> str:
    """HMAC-SHA256 of a canonical identifier; ``kind`` keeps an ID number and a phone apart."""
    message = f"{kind}:{value}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Invitation tokens and binding codes are random: a plain hash is enough to look them up."""
    return hashlib.sha256(token.encode()).hexdigest()
