"""A raw suite run on the files that are new or changed since the last read, the others'
results reused from the raw manifest (issue 14: a monthly refresh validates what is new).

Why the outcome is the one of a validation of the whole frame: every expectation of a raw
suite but the key's uniqueness is a condition on each row alone (a column present, a value not
null, in a set, in a range), so the frame passes it exactly when the rows of each file do, and
its failures are the files' failures put together in frame order. Those expectations run on
the files whose checksum the cache does not hold, all of them in one validation, then file by
file only when that one fails, and each file's failures are kept by its checksum: a file that
failed fails again at every run while it is unchanged. The uniqueness expectations compare rows
of different files: they run over the whole frame whenever a file is new, changed or removed.

The cache is valid for one suite definition, its parameters (the catalog's fiscal years, for
`date_in_plan_years`), the GX version and this module's cache format: a change of any of them
validates every file again. A file no longer in the folder leaves the cache. For a source with
a personal column no sample value is kept (`withhold`), only how many there were: the check
shows counts and rows only for such a source (`expectations.checks._withheld`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from importlib.metadata import version

import pandas as pd

from expectations.runner import ExpectationFailure, Parameters, SuiteOutcome, validate_suite
from expectations.suites import load_suite

ACROSS_ROWS = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)
"""Expectations that compare rows with each other, so across files."""
CACHE_FORMAT = 1
SAMPLE = 20  # as many sample values as a validation of the whole frame keeps


@dataclass
class Validation:
    outcome: SuiteOutcome
    cache: dict
    """What the raw manifest keeps under `validation` for the next read."""
    validated: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    across_validated: bool = False


def suite_fingerprint(suite_name: str, parameters: Parameters) -> str:
    """What a cached result depends on besides the file: suite, parameters, GX, cache format."""
    payload = {
        "format": CACHE_FORMAT,
        "suite": load_suite(suite_name),
        "parameters": dict(sorted(parameters.items())),
        "great_expectations": version("great_expectations"),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _part(suite: dict, across: bool) -> dict:
    """The suite's expectations of one kind, each keeping its place in the whole suite."""
    return {
        **suite,
        "name": f"{suite['name']}#{'across' if across else 'rows'}",
        "expectations": [
            {**e, "meta": {**e["meta"], "position": i}}
            for i, e in enumerate(suite["expectations"])
            if (e["type"] in ACROSS_ROWS) == across
        ],
    }


def _stored(f: ExpectationFailure, withhold: bool) -> dict:
    d = dataclasses.asdict(f)
    del d["rows"]  # recomputed from the frame: lines are where the rows are now
    if withhold:
        d["sample"] = [None] * len(f.sample)
    return d


def _failure(d: dict, positions=None) -> ExpectationFailure:
    f = ExpectationFailure(**d)
    if positions is not None:
        f.index = [int(positions[i]) for i in f.index]
    return f


def _key(f: ExpectationFailure) -> tuple:
    return (f.position, f.expectation, f.column, f.rule, f.severity)


def carried(previous: dict | None, files: list[dict]) -> dict | None:
    """The previous cache restricted to the files still there unchanged (no validation ran)."""
    if not previous:
        return None
    now = {f["file"]: f["checksum"] for f in files}
    kept = {
        name: entry
        for name, entry in previous.get("files", {}).items()
        if now.get(name) == entry.get("checksum")
    }
    return {"suite": previous.get("suite"), "files": kept}


def validate_files(
    suite_name: str,
    frame: pd.DataFrame,
    files: list[dict],
    parameters: Parameters,
    previous: dict | None = None,
    *,
    withhold: bool = False,
) -> Validation:
    """Validate `frame` (rows of `files`, each row's file in `_file`) against `suite_name`,
    reusing `previous` (a manifest's `validation`) for the files whose checksum it holds."""
    suite = load_suite(suite_name)
    fingerprint = suite_fingerprint(suite_name, parameters)
    frame = frame.reset_index(drop=True)
    previous = previous if previous and previous.get("suite") == fingerprint else {}
    by_file = frame.groupby("_file", sort=False).indices if len(frame) else {}
    empty: list[int] = []
    rows, across = _part(suite, across=False), _part(suite, across=True)

    if not files:  # nothing read: the whole (empty) frame, as a full validation does
        outcome = validate_suite(suite, frame, parameters)
        return Validation(outcome, {"suite": fingerprint, "files": {}, "across": {}})
    cached = previous.get("files", {})
    entries: dict[str, dict] = {}
    todo = []
    for f in files:
        entry = cached.get(f["file"])
        if entry is not None and entry.get("checksum") == f["checksum"]:
            entries[f["file"]] = entry
        else:
            todo.append(f)
    if todo:
        positions = sorted(int(i) for f in todo for i in by_file.get(f["file"], empty))
        together = validate_suite(rows, frame.iloc[positions], parameters)
        for f in todo:
            found = []
            if together.failures:  # which file: each on its own
                part = frame.iloc[list(by_file.get(f["file"], empty))]
                alone = validate_suite(rows, part, parameters)
                found = [_stored(x, withhold) for x in alone.failures]
            entries[f["file"]] = {"checksum": f["checksum"], "failures": found}

    merged: dict[tuple, ExpectationFailure] = {}
    for f in files:
        for d in entries[f["file"]]["failures"]:
            x = _failure(d, by_file.get(f["file"], empty))
            same = merged.get(_key(x))
            if same is None:
                merged[_key(x)] = x
                continue
            same.unexpected_count += x.unexpected_count
            same.index += x.index
            same.sample = (same.sample + x.sample)[:SAMPLE]
            same.exception = same.exception or x.exception

    files_key = hashlib.sha256(
        json.dumps([[f["file"], f["checksum"]] for f in files]).encode()
    ).hexdigest()
    across_cache = previous.get("across") or {}
    across_validated = False
    if across["expectations"] and across_cache.get("files") != files_key:
        outcome = validate_suite(across, frame, parameters)
        across_cache = {
            "files": files_key,
            "failures": [_stored(x, withhold) for x in outcome.failures],
        }
        across_validated = True
    for d in across_cache.get("failures", []):
        x = _failure(d)
        merged[_key(x)] = x

    failures = sorted(merged.values(), key=lambda x: x.position)
    objects = frame[["_file", "_line"]] if {"_file", "_line"} <= set(frame.columns) else None
    for x in failures:
        if objects is not None:
            x.rows = [f"{objects.iat[i, 0]}:{objects.iat[i, 1]}" for i in x.index[:SAMPLE]]
    errors = [x for x in failures if x.severity == "error"]
    warns = [x for x in failures if x.severity != "error"]
    return Validation(
        outcome=SuiteOutcome(suite_name, not errors, errors, warns, len(suite["expectations"])),
        cache={"suite": fingerprint, "files": entries, "across": across_cache},
        validated=[f["file"] for f in todo],
        reused=[f["file"] for f in files if f not in todo],
        across_validated=across_validated,
    )
