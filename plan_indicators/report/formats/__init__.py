"""Output formats of the results: one module (or sub-package) per format, found by existing.

A format module declares `RENDERER = Renderer(...)`; its `render` turns a `ReportView` into the
file's bytes and reads nothing else, so a new format is one new file here. Discovery is loud: a
module that fails to import, or declares no renderer, stops the program instead of quietly
taking its format away.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plan_indicators.report.view import ReportView


@dataclass(frozen=True)
class Renderer:
    name: str
    suffix: str
    description: str
    render: Callable[[ReportView], bytes]


@cache
def renderers() -> dict[str, Renderer]:
    """Every format module under this package, by format name."""
    found: dict[str, Renderer] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        renderer = getattr(module, "RENDERER", None)
        if not isinstance(renderer, Renderer):
            raise ImportError(f"{module.__name__} declares no RENDERER = Renderer(...)")
        if renderer.name in found:
            raise ImportError(f"{module.__name__}: format {renderer.name!r} is declared twice")
        found[renderer.name] = renderer
    return found


def renderer(name: str) -> Renderer:
    known = renderers()
    if name not in known:
        raise KeyError(f"unknown output format {name!r}; known: {sorted(known)}")
    return known[name]
