"""Where staged sources live: Parquet files under a staging folder.

Layout: `<staging>/<source>.parquet` for the small sources; web analytics are staged per
fiscal year as `<staging>/web_analytics/fiscal_year=<FY>/part-0.parquet`, holding one row per
user who viewed a catalog page (`user_pseudo_id`, page masks `pages_0`…, `views`), which is all
`distinct_users` needs (see `plan_indicators.sources.web`).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from plan_indicators.sources.declaration import WEB


class ParquetStagedData:
    """`StagedData` over a staging folder; frames are read once and kept."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._frames: dict[str, pd.DataFrame | None] = {}

    def path(self, source: str) -> Path:
        return self.root / f"{source}.parquet"

    def web_path(self, fiscal_year: str) -> Path:
        return self.root / WEB / f"fiscal_year={fiscal_year}" / "part-0.parquet"

    def frame(self, source: str) -> pd.DataFrame | None:
        if source not in self._frames:
            p = self.path(source)
            self._frames[source] = pd.read_parquet(p) if p.exists() else None
        return self._frames[source]

    def parquet_glob(self, source: str, fiscal_year: str | None = None) -> str | None:
        if source == WEB:
            if fiscal_year is None:
                files = self._web_files
                return str(self.root / WEB / "fiscal_year=*" / "*.parquet") if files else None
            p = self.web_path(fiscal_year)
            return str(p) if p.exists() else None
        p = self.path(source)
        return str(p) if p.exists() else None

    @cached_property
    def _web_files(self) -> list[Path]:
        return sorted((self.root / WEB).glob("fiscal_year=*/*.parquet"))

    def write(self, source: str, df: pd.DataFrame) -> Path:
        """Replace a source's staged file atomically (write aside, then rename)."""
        p = self.path(source)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".parquet.tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(p)
        self._frames.pop(source, None)
        return p


def web_cache_dir(root: str | Path) -> Path:
    """Where staging keeps the flattened copies of the GA4 export's nested and JSON files
    (plan_indicators/sources/web/flat.py), never in the landing zone."""
    return Path(root) / "cache" / WEB


def manifest_path(root: str | Path, source: str) -> Path:
    return Path(root) / "raw" / f"{source}.manifest.json"


def write_manifest(root: str | Path, source: str, manifest: dict) -> Path:
    """The file inventory of a source's last read: checksums, counts, file-level errors."""
    import json

    p = manifest_path(root, source)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    # Compact: json's C encoder only writes without indentation (4x faster on 731 web files).
    tmp.write_text(json.dumps(manifest, default=str, ensure_ascii=False), "utf-8")
    tmp.replace(p)
    return p


def read_manifest(root: str | Path, source: str) -> dict | None:
    import json

    p = manifest_path(root, source)
    return json.loads(p.read_text("utf-8")) if p.exists() else None
