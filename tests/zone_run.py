"""`plan-indicators run` on a folder of its own, the way several tests need it: the landing zone
`root/landing`, the catalog `root/plans`, a fresh warehouse, staging folder and report there."""

from __future__ import annotations

from pathlib import Path

from orchestration.runner import Outcome, RunOptions, run_pipeline


def warehouse_url(root: Path) -> str:
    return f"sqlite:///{root}/w.sqlite"


def run_zone(root: Path, as_of: str = "2026-06-01", report: str = "report.html", **kw) -> Outcome:
    return run_pipeline(
        RunOptions(
            landing=str(root / "landing"),
            warehouse=warehouse_url(root),
            plans_dir=str(root / "plans"),
            staging=str(root / "staging"),
            as_of=as_of,
            report=str(root / report),
            **kw,
        ),
        echo=lambda _line: None,
    )
