"""A dry run of the readers over a whole landing zone: what would be refused or quarantined.

Writes nothing, so people can check a drop of files before the pipeline sees it
(`plan-indicators check-landing DIR`). Only file-level errors make the zone not `ok`:
a quarantined row does not stop the pipeline either (it is set aside and reported), so it is
printed as a warning, and so is every entry that is not read (unknown extension, sub-folder,
broken link, lock file, a folder that is no source). Declared references are checked as
staging checks them. The zone is called "OK" only when it is also `clean`: nothing refused,
nothing quarantined.

`plan-indicators run` prints the same report: each raw and staging step saves what it found
(`save_read`, `save_staged`), and the runner loads those of its own run (`load_reads`), so
both commands name the same faults with the same lines and end with the same counts per source.
"""

from __future__ import annotations

import dataclasses
import json
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
        such as an unknown column), then NOTE lines (columns of a provider's export the
        contract knows and does not read, one line a file). `-` stands for an unknown line or
        column; a workbook's file is `file[sheet]`."""

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
        out += [
            f"NOTE {location(f.file, f.sheet)}:-:-: file_note: {n}"
            for f in self.files
            if f.file not in refused
            for n in f.notes
        ]
        return out

    @property
    def clean(self) -> bool:
        """Nothing refused and nothing quarantined: only then is the zone called OK."""
        return not self.errors and not self._quarantined()

    def _skipped(self) -> list[IgnoredEntry]:
        return [e for e in self.ignored if e.rule != "unsupported_format"]

    def _quarantined(self) -> int:
        return sum(row["quarantined"] for row in self.counts().values())

    def counts(self) -> dict[str, dict[str, int]]:
        """Per source: files, rows read, kept, quarantined, warnings (file warnings and entries
        not read), files refused; entries outside any source folder count under `(autres)`.

        Rows quarantined are the reader's plus those staging sets aside for an unknown
        reference (rows the reader had kept), so read = kept + quarantined on every line."""
        out: dict[str, dict[str, int]] = {}

        def row(file: str) -> dict[str, int]:
            source = file.split("/", 1)[0]
            key = source if source in SOURCES and "/" in file else OTHERS
            return out.setdefault(key, dict.fromkeys(COUNT_COLUMNS, 0))

        for s in SOURCES:
            out[s] = dict.fromkeys(COUNT_COLUMNS, 0)
        refused = {e.file for e in self.errors}
        for f in self.files:
            r = row(f.file)
            r["files"] += 1
            r["read"] += f.rows_read
            r["staged"] += f.rows_staged
            r["quarantined"] += f.rows_quarantined
            r["warnings"] += 0 if f.file in refused else len(f.warnings)
        by_reader = {s: r["quarantined"] for s, r in out.items()}
        rows_held = {s: 0 for s in out}
        for q in self.quarantine:
            rows_held[q.source] = rows_held.get(q.source, 0) + 1
        for s, held in rows_held.items():
            extra = max(0, held - by_reader.get(s, 0))  # set aside by staging's references
            out[s]["quarantined"] += extra
            out[s]["staged"] -= extra
        for e in self._skipped():
            row(e.file)["warnings"] += 1
        for file in refused:
            row(file)["refused"] += 1
        return out

    def counts_table(self) -> str:
        """The counts per source as a fixed-width table (French headings)."""
        counts = self.counts()
        width = max(len(s) for s in counts) + 2
        lines = [f"{'source':{width}}" + "".join(f"{h:>16}" for h in COUNT_HEADINGS_FR)]
        for source, r in counts.items():
            lines.append(f"{source:{width}}" + "".join(f"{r[c]:>16}" for c in COUNT_COLUMNS))
        return "\n".join(lines)

    def summary(self) -> str:
        """The last line of `check-landing` (and of the landing part of `run`): "OK" only when
        nothing was refused or quarantined, and never without saying what was not read."""
        skipped = len(self._skipped())
        if self.clean:
            if skipped:
                return f"landing zone OK, {skipped} entries not read (see WARN lines)"
            return "landing zone OK"
        parts = []
        if self.errors:
            parts.append(f"{len({e.file for e in self.errors})} file(s) refused")
        if self._quarantined():
            parts.append(f"{self._quarantined()} row(s) quarantined")
        if skipped:
            parts.append(f"{skipped} entries not read")
        return "landing zone NOT OK: " + ", ".join(parts)


OTHERS = "(autres)"
COUNT_COLUMNS = ("files", "read", "staged", "quarantined", "warnings", "refused")
COUNT_HEADINGS_FR = (
    "fichiers",
    "lignes lues",
    "retenues",
    "en quarantaine",
    "avertissements",
    "refusés",
)


def _saved(root: str | Path, source: str, layer: str) -> Path:
    return Path(root) / "raw" / f"{source}.{layer}.json"


def _dump(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, default=str), "utf-8")
    tmp.replace(path)


def _asdicts(items) -> list[dict]:
    return [dataclasses.asdict(i) for i in items]


def save_read(
    staging_root: str | Path,
    source: str,
    run_id: str,
    *,
    files: list[FileReport],
    errors: list[FileError],
    quarantine: list[QuarantineRow],
    ignored: list[IgnoredEntry],
) -> None:
    """What one raw read found, as `check_landing` reports it (reconciliation faults too)."""
    doc = {
        "run_id": run_id,
        "files": _asdicts(files),
        "errors": _asdicts(errors + reconciliation_faults(files)),
        "quarantine": _asdicts(quarantine),
        "ignored": _asdicts(ignored),
    }
    _dump(_saved(staging_root, source, "read"), doc)


def save_staged(
    staging_root: str | Path, source: str, run_id: str, rejected: list[QuarantineRow]
) -> None:
    """The rows a staging step set aside for an unknown reference."""
    _dump(
        _saved(staging_root, source, "staged"), {"run_id": run_id, "quarantine": _asdicts(rejected)}
    )


def _load(root: str | Path, source: str, layer: str, run_id: str) -> dict | None:
    p = _saved(root, source, layer)
    if not p.exists():
        return None
    doc = json.loads(p.read_text("utf-8"))
    return doc if doc.get("run_id") == run_id else None


def load_reads(staging_root: str | Path, landing_dir: Path, run_id: str) -> LandingReport:
    """The report of what a run's raw and staging steps found, in `check_landing`'s order.
    Steps of other runs are left out: a step that raised saved nothing, and the run reports
    its failure."""
    report = LandingReport(ignored=stray_entries(Path(landing_dir)))
    for source in [*(s for s in SOURCES if s != WEB), WEB]:
        doc = _load(staging_root, source, "read", run_id)
        if doc is None:
            continue
        report.errors += [FileError(**e) for e in doc["errors"]]
        report.quarantine += [QuarantineRow(**q) for q in doc["quarantine"]]
        report.files += [FileReport(**f) for f in doc["files"]]
        report.ignored += [IgnoredEntry(**e) for e in doc["ignored"]]
    for source in SOURCES:
        doc = _load(staging_root, source, "staged", run_id)
        if doc is not None:
            report.quarantine += [QuarantineRow(**q) for q in doc["quarantine"]]
    return report


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
