"""A dry run of the readers over a whole landing zone: what would be refused or quarantined.

Writes nothing, so people can check a drop of files before the pipeline sees it
(`plan-indicators check-landing DIR`). Only file-level errors make the zone not `ok`:
a quarantined row does not stop the pipeline either (it is set aside and reported), so it is
printed as a warning.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from plan_indicators.sources.contracts import SOURCES
from plan_indicators.sources.readers import FileError, FileReport, QuarantineRow, read_source
from plan_indicators.sources.web import WEB, inventory_web_files, web_file_reports


@dataclass
class LandingReport:
    errors: list[FileError] = field(default_factory=list)
    quarantine: list[QuarantineRow] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False when any file would be refused; quarantined rows alone keep it True."""
        return not self.errors

    def problems(self) -> list[str]:
        """Printable lines `SEVERITY file:line:column: rule: message`: ERROR lines (files
        refused) first, then WARN lines (rows quarantined, file warnings such as an unknown
        column). `-` stands for an unknown line or column."""

        def dash(v: object) -> str:
            return "-" if v is None else str(v)

        out = [
            f"ERROR {e.file}:{dash(e.line)}:{dash(e.column)}: {e.rule}: {e.message}"
            for e in self.errors
        ]
        for q in self.quarantine:
            shown = "" if q.value is None else f" (valeur {q.value!r})"
            out.append(f"WARN {q.file}:{q.line}:{dash(q.column)}: {q.rule}: {q.reason}{shown}")
        refused = {e.file for e in self.errors}
        out += [
            f"WARN {f.file}:-:-: file_warning: {w}"
            for f in self.files
            if f.file not in refused
            for w in f.warnings
        ]
        return out


def check_landing(landing_dir: Path, pseudonym_key: bytes | None = None) -> LandingReport:
    """Read every source as the pipeline would, keeping nothing.

    A throwaway key stands in when none is given: pseudonyms are not kept, so checking a
    landing zone never needs the secret.
    """
    landing_dir = Path(landing_dir)
    key = pseudonym_key or secrets.token_bytes(32)
    report = LandingReport()
    for source in SOURCES:
        if source == WEB:
            continue
        read = read_source(landing_dir, source, pseudonym_key=key)
        report.errors += read.errors
        report.quarantine += read.quarantine
        report.files += read.files
    web = inventory_web_files(landing_dir)
    report.errors += web.errors
    report.files += web_file_reports(landing_dir, web)
    return report
