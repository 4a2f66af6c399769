"""Keyed pseudonyms for personal columns: stable joins across files without the raw value.

A keyed HMAC rather than a plain hash, because identifiers such as file numbers are few enough
to be recovered from an unkeyed hash by trying them all.
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_ENV = "PLAN_INDICATORS_PSEUDONYM_KEY"


class MissingKeyError(ValueError):
    """Personal values met without a key: refuse rather than store them in clear."""

    def __init__(self) -> None:
        super().__init__(
            f"personal values present: set {KEY_ENV} (the pseudonymisation key) before ingesting"
        )


def pseudonymise(value: str, key: bytes) -> str:
    """HMAC-SHA256 of the UTF-8 value, hex: the same person gets the same token under one key."""
    if not key:
        raise MissingKeyError()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def key_from_env() -> bytes:
    """The key as the Dagster resource reads it (UTF-8 bytes of the variable), so CLI and
    pipeline give the same pseudonyms."""
    value = os.environ.get(KEY_ENV, "")
    if not value:
        raise MissingKeyError()
    return value.encode("utf-8")
