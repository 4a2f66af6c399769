"""Keyed pseudonyms for personal columns: stable joins across files without the raw value."""

from __future__ import annotations

import hashlib
import hmac


def pseudonymise(value: str, key: bytes) -> str:
    """HMAC-SHA256 of the value: the same person gets the same token, the key never leaves."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
