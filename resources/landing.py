"""The landing zone: one folder per source, files never modified by the pipeline."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class LandingZone(dg.ConfigurableResource):
    """Where providers drop files, and where staged Parquet is kept."""

    path: str
    staging_path: str
    pseudonym_key: str = ""

    def source_dir(self, source: str) -> Path:
        return Path(self.path) / source

    def files(self, source: str) -> list[Path]:
        from plan_indicators.sources.readers import list_files

        return list_files(Path(self.path), source)

    def key_bytes(self) -> bytes | None:
        return self.pseudonym_key.encode() if self.pseudonym_key else None
