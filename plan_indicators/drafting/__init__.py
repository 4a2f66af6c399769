"""Catalog drafts from a strategic plan's text (`plan-indicators draft-plan`).

Layout readers (`synoptic`, `labelled`) take the structure out of the text; `wording` turns each
target's words into a kind and numbers, by the rules each target kind declares
(`plan_indicators.target_kinds`) with the helpers of `reading`; `units` guesses unit and
direction; `draft` settles the years and the measures and lists what a planner must confirm;
`writer` writes the YAML.

The package's names are imported on first use: the target kinds read wordings with `reading`,
and the catalog loads the target kinds, so importing `reading` must not import the catalog.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Draft", "DraftError", "draft_plan", "render"]
_WHERE = {"Draft": "draft", "DraftError": "draft", "draft_plan": "draft", "render": "writer"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
