"""A dry run of the readers over a whole landing zone: what would be refused or quarantined.

Writes nothing, so people can check a drop of files before the pipeline sees it
(`plan-indicators check-landing DIR`). Only file-level errors make the zone not `ok`:
a quarantined row does not stop the pipeline either (it is set aside and reported), so it is
printed as a warning, and so is every entry that is not read (unknown extension, sub-folder,
broken link, lock file, a folder that is no source). Declared references are checked as
staging checks them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from plan_indicators.sources.contracts import CONTRACTS, SOURCES
from plan_indicators.sources.folders import IgnoredEntry, stray_entries
from plan_indicators.sources.readers import FileError, FileReport, QuarantineRow, read_source
from plan_indicators.sources.references import enforce_references
from plan_indicators.sources.web import WEB, inventory_web_files, web_file_reports


def reconciliation_faults(files: list[FileReport]) -> list[FileError]:
    """Files whose rows or physical lines do not add up: a reader lost something."""
    out = []
    for f in files:
        why = f.lines_mismatch()
        if f.rows_read != f.rows_staged + f.rows_quarantined:
            why = (
                f"{f.rows_read} lignes lues ≠ {f.rows_staged} retenues + "
                f"{f.rows_quarantined} en quarantaine"
            )
        if why:
            out.append(FileError(f.file, None, None, "rows_not_reconciled", why, f.sheet))
    return out


def location(file: str, sheet: str | None) -> str:
    """`file`, or `file[sheet]` for a workbook, as messages print it."""
    return file if sheet is None else f"{file}[{sheet}]"


@dataclass
class LandingReport:
    errors: list[FileError] = field(default_factory=list)
    quarantine: list[QuarantineRow] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    ignored: list[IgnoredEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False when any file would be refused; quarantined rows alone keep it True."""
        return not self.errors

    def problems(self) -> list[str]:
        """Printable lines `SEVERITY file:line:column: rule: message`: ERROR lines (files
        refused) first, then WARN lines (rows quarantined, entries not read, file warnings
        such as an unknown column). `-` stands for an unknown line or column; a workbook's
        file is `file[sheet]`."""

        def dash(v: object) -> str:
            return "-" if v is None else str(v)

        out = [
            f"ERROR {location(e.file, e.sheet)}:{dash(e.line)}:{dash(e.column)}: {e.rule}: "
            f"{e.message}"
            for e in self.errors
        ]
        for q in self.quarantine:
            shown = "" if q.value is None else f" (valeur {q.value!r})"
            out.append(
                f"WARN {location(q.file, q.sheet)}:{q.line}:{dash(q.column)}: {q.rule}: "
                f"{q.reason}{shown}"
            )
        out += [
            f"WARN {e.file}:-:-: {e.rule}: {e.message}"
            for e in self.ignored
            if e.rule != "unsupported_format"  # a file error, printed above
        ]
        refused = {e.file for e in self.errors}
        out += [
            f"WARN {location(f.file, f.sheet)}:-:-: file_warning: {w}"
            for f in self.files
            if f.file not in refused
            for w in f.warnings
        ]
        return out

    def summary(self) -> str:
        """The last line of `check-landing`: never "OK" without saying what was not read."""
        if not self.ok:
            return "landing zone has file-level errors"
        skipped = [e for e in self.ignored if e.rule != "unsupported_format"]
        if skipped:
            return f"landing zone OK, {len(skipped)} entries not read (see WARN lines)"
        return "landing zone OK"


def check_landing(landing_dir: Path, pseudonym_key: bytes | None = None) -> LandingReport:
    """Read every source as the pipeline would, keeping nothing.

    A throwaway key stands in when none is given: pseudonyms are not kept, so checking a
    landing zone never needs the secret.
    """
    landing_dir = Path(landing_dir)
    key = pseudonym_key or secrets.token_bytes(32)
    report = LandingReport(ignored=stray_entries(landing_dir))
    frames = {}
    for source in SOURCES:
        if source == WEB:
            continue
        read = read_source(landing_dir, source, pseudonym_key=key)
        report.errors += read.errors + reconciliation_faults(read.files)
        report.quarantine += read.quarantine
        report.files += read.files
        report.ignored += read.ignored
        frames[source] = read.frame
    for source, frame in frames.items():
        if CONTRACTS[source].references:
            _, rejected, _ = enforce_references(source, frame, frames)
            report.quarantine += rejected
    web = inventory_web_files(landing_dir)
    report.errors += web.errors
    report.files += web_file_reports(landing_dir, web)
    report.ignored += web.ignored
    return report
