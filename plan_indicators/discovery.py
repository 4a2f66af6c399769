"""Extension by adding a file: import every module of a registry package, loudly.

The measure library and the target kinds register themselves when their modules are imported;
this imports them all, in name order, and turns any failure into the package's own error naming
the module and its file, so a broken module never silently takes its entries away.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def import_modules(package: str, path: list[str], error: type[ImportError], what: str) -> list[str]:
    """Import every module of `package` (its `__path__` is `path`); return their names.

    A module that cannot be imported raises `error` ("<what> module <name> (<file>) cannot be
    imported: <cause>"), with `name` set to the module's.
    """
    modules = sorted(info.name for info in pkgutil.iter_modules(path))
    for module in modules:
        name = f"{package}.{module}"
        try:
            importlib.import_module(name)
        except Exception as exc:  # any failure, named
            raise error(
                f"{what} module {name} ({Path(path[0]) / module}.py) cannot be imported: "
                f"{type(exc).__name__}: {exc}",
                name=name,
            ) from exc
    return modules
