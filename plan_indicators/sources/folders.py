"""What a landing folder holds: the files a reader reads, and every other entry, named.

Nothing is skipped in silence (docs/contracts.md §4.1): an unknown extension, a sub-folder, a broken
link, a hidden or lock file is an `IgnoredEntry` with its rule, and so is an entry of the landing
directory that is not a source folder. A workbook dropped where the contract reads no workbook (web
analytics) is `unsupported_format`, which the readers make a file error, since its rows would be
missing from the results.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plan_indicators.sources.contracts import CONTRACTS, SOURCES

WORKBOOK = ".xlsx"
LOCK_PREFIXES = (".~lock.", "~$")


@dataclass
class IgnoredEntry:
    """A landing entry that is not read, by path relative to the landing dir (a warning)."""

    file: str
    rule: str
    message: str


def _classify(entry: os.DirEntry, formats: tuple[str, ...]) -> tuple[str, str] | None:
    """None when the entry is a file to read, else (rule, French message). The directory
    listing's own file types answer, without a `stat` per file (but for symbolic links)."""
    name = entry.name
    if name.startswith(LOCK_PREFIXES):
        return "lock_file", "fichier de verrou (classeur ouvert dans Excel ou LibreOffice) ignoré"
    if name.startswith("."):
        return "hidden_file", "fichier caché ignoré"
    if entry.is_symlink() and not os.path.exists(entry.path):
        return "broken_link", "lien symbolique brisé : sa cible n'existe pas"
    if entry.is_dir():
        return (
            "subfolder",
            "sous-dossier ignoré : ses fichiers ne sont pas lus (placez-les directement dans "
            "le dossier de la source)",
        )
    if not entry.is_file():
        return "not_a_file", "entrée ignorée : ni fichier ni dossier"
    lower = name.lower()
    if lower.endswith(formats):
        return None
    if lower.endswith(WORKBOOK):
        return (
            "unsupported_format",
            f"classeur non lu dans ce dossier (formats lus : {', '.join(formats)}) : "
            "exportez-le en CSV ou Parquet",
        )
    suffix = "".join(Path(name).suffixes[-2:]) or "(aucune)"
    return (
        "unknown_extension",
        f"extension non lue ({suffix}) : formats lus {', '.join(formats)}",
    )


def scan_folder(landing_dir: Path, source: str) -> tuple[list[Path], list[IgnoredEntry]]:
    """The source's files to read in a stable (name) order, and every other entry, named."""
    landing_dir = Path(landing_dir)
    folder = landing_dir / source
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            return [], [IgnoredEntry(source, "not_a_folder", "la source doit être un dossier")]
        return [], []
    formats = CONTRACTS[source].formats
    files: list[Path] = []
    ignored: list[IgnoredEntry] = []
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        verdict = _classify(entry, formats)
        if verdict is None:
            files.append(folder / entry.name)
        else:
            ignored.append(IgnoredEntry(f"{source}/{entry.name}", *verdict))
    return files, ignored


def list_files(landing_dir: Path, source: str) -> list[Path]:
    """Every file of the source's folder that its reader reads, in a stable order."""
    return scan_folder(landing_dir, source)[0]


def stray_entries(landing_dir: Path) -> list[IgnoredEntry]:
    """Entries of the landing directory that are no source folder (a typo, a loose file)."""
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        return []
    out = []
    for path in sorted(landing_dir.iterdir()):
        if path.name in SOURCES:
            continue
        if path.name.startswith("."):
            rule, what = "hidden_file", "entrée cachée ignorée"
        elif path.is_dir():
            rule, what = "unknown_folder", "dossier inconnu ignoré : aucune source de ce nom"
        else:
            rule, what = "stray_file", "fichier hors d'un dossier de source ignoré"
        out.append(
            IgnoredEntry(path.name, rule, f"{what} (sources : {', '.join(sorted(SOURCES))})")
        )
    return out
