"""Catalog drafts from a strategic plan's text (`plan-indicators draft-plan`).

Layout readers (`synoptic`, `labelled`) take the structure out of the text; `wording` turns each
target's words into a kind and numbers; `units` guesses unit and direction; `draft` settles the
years and the measures and lists what a planner must confirm; `writer` writes the YAML.
"""

from plan_indicators.drafting.draft import Draft, DraftError, draft_plan
from plan_indicators.drafting.writer import render

__all__ = ["Draft", "DraftError", "draft_plan", "render"]
