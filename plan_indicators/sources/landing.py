"""A dry run of the readers over a whole landing zone: what would be refused or quarantined.

Writes nothing, so people can check a drop of files before the pipeline sees it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from plan_indicators.sources.contracts import SOURCES
from plan_indicators.sources.readers import FileError, FileReport, QuarantineRow, read_source
from plan_indicators.sources.web import WEB, validate_web_files


@dataclass
class LandingReport:
    errors: list[FileError] = field(default_factory=list)
    quarantine: list[QuarantineRow] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def problems(self) -> list[str]:
        """One line per problem, `file:line:column: rule: message`, errors first."""

        def dash(v: object) -> str:
            return "-" if v is None else str(v)

        out = [
            f"ERROR {e.file}:{dash(e.line)}:{dash(e.column)}: {e.rule}: {e.message}"
            for e in self.errors
        ]
        out += [
            f"WARN {q.file}:{q.line}:{dash(q.column)}: {q.rule}: {q.reason}"
            for q in self.quarantine
        ]
        return out


def check_landing(landing_dir: Path, pseudonym_key: bytes | None = None) -> LandingReport:
    """Read every source as the pipeline would; a throwaway key stands in when none is given."""
    key = pseudonym_key if pseudonym_key is not None else secrets.token_bytes(32)
    report = LandingReport()
    for source in SOURCES:
        if source == WEB:
            continue
        read = read_source(Path(landing_dir), source, pseudonym_key=key)
        report.errors += read.errors
        report.quarantine += read.quarantine
        report.files += read.files
    report.errors += validate_web_files(Path(landing_dir))
    return report
