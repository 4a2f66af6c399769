"""Tag values Dagster accepts, from catalog text that may hold anything (accents, markup).

Dagster allows letters, digits, `-`, `_` and `.` in a tag value, at most 63 characters, and
refuses the whole code location otherwise: an `enjeu` that starts with "Accès" must not stop a run.
"""

from __future__ import annotations

import re
import unicodedata

TAG_VALUE_MAX = 63
_MARKUP = re.compile(r"<[^>]*>")
_INVALID = re.compile(r"[^A-Za-z0-9_.-]+")


def tag_value(text: str, default: str = "none") -> str:
    """`text` as a valid tag value: markup dropped, accents folded, other characters `_`, cut to
    63 characters; `default` when nothing is left ("Accès aux services" → `Acces_aux_services`)."""
    folded = unicodedata.normalize("NFKD", _MARKUP.sub(" ", text))
    ascii_text = folded.encode("ascii", "ignore").decode()
    value = _INVALID.sub("_", ascii_text).strip("_.-")[:TAG_VALUE_MAX].rstrip("_.-")
    return value or default


def first_word(text: str) -> str:
    """The first word of a heading, markup and numbering dashes aside ("1 — L'accès…" → `1`)."""
    words = _MARKUP.sub(" ", text).split()
    return tag_value(words[0].strip("—–-:") if words else "")
