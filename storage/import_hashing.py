"""Keyed hashes of ID numbers and phones, fast enough for a hundred thousand rows."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

# HMAC (RFC 2104) over SHA-256 works on 64-byte blocks: the key is padded to a block, or hashed
# first when longer, and mixed into an inner and an outer hash with these two constants.
_BLOCK = 64
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


def keyed_hasher(secret_key: str, kind: str) -> Callable[[str], str]:
    """``storage.identity.keyed_hash`` with the key set up once, for a hundred thousand rows.

    The same HMAC-SHA256 as ``hmac.new``, with the keyed inner and outer hashes prepared once and
    copied for each value: hmac's own copy() runs in Python and costs more than the hashing.
    """
    key = secret_key.encode()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(key.translate(_INNER_PAD))
    inner.update(f"{kind}:".encode())
    outer = hashlib.sha256(key.translate(_OUTER_PAD))
    inner_copy, outer_copy = inner.copy, outer.copy

    def digest(value: str) -> str:
        hashed = inner_copy()
        hashed.update(value.encode())
        mac = outer_copy()
        mac.update(hashed.digest())
        return mac.hexdigest()

    return digest
