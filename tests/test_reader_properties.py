"""Property-based tests of the readers (Hypothesis): whatever is done to a valid file, either
the file is refused with a file error, or every physical line is accounted for and
rows read = rows staged + rows quarantined; reading twice gives the same result.

Mutations are the damage files really suffer: quotes dropped or doubled, separators added,
lines truncated or duplicated or dropped, line breaks injected, bytes that are not text, BOMs
in odd places, blank lines, cells added or removed. Bounded examples, no deadline, and
derandomized under CI so a failure there is reproducible.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
from contract_rows import valid_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plan_indicators.sources.contracts import CONTRACTS
from plan_indicators.sources.csvio import CsvError, decode
from plan_indicators.sources.readers import read_source

SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
SOURCES = ["satisfaction_responses", "activity_register", "facebook_post_topics"]
_BREAK = re.compile(r"\r\n|\r|\n")


def _physical_lines(data: bytes) -> int | None:
    """Lines of the file as an editor counts them, on the decoded text (None: not text)."""
    try:
        text, _ = decode(data)
    except CsvError:
        return None
    n = len(_BREAK.split(text))
    return n - 1 if text.endswith(("\n", "\r")) else n


@st.composite
def valid_file(draw):
    source = draw(st.sampled_from(SOURCES))
    contract = CONTRACTS[source]
    rows = valid_rows(contract, draw(st.integers(1, 6)))
    sep = draw(st.sampled_from([",", ";"]))
    names = [c.name for c in contract.columns]
    if "note" in names:  # a legitimate multi-line free-text cell
        rows[0][names.index("note")] = '"ligne 1\nligne 2"'
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join([sep.join(names)] + [sep.join(r) for r in rows]) + eol
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return source, text.encode(encoding)


def _mutation(draw, data: bytes) -> bytes:
    n = len(data)
    at = draw(st.integers(0, n))
    kind = draw(
        st.sampled_from(
            [
                "quote", "quote_cell", "quote_cell", "drop_quote", "separator",
                "truncate_line", "line_break", "damage", "bom", "blank", "duplicate_line",
                "drop_line", "drop_cell", "extra_cell", "cut_file",
            ]
        )
    )  # fmt: skip
    lines = data.splitlines(keepends=True)
    k = draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "quote":
        return data[:at] + b'"' + data[at:]
    if kind == "quote_cell" and len(lines) > 1:  # a quote opening a cell of a data row
        k = draw(st.integers(1, len(lines) - 1))
        line = lines[k]
        starts = [0] + [i + 1 for i, b in enumerate(line) if b in b",;"]
        i = draw(st.sampled_from(starts))
        lines[k] = line[:i] + b'"' + line[i:]
        return b"".join(lines)
    if kind == "drop_quote":
        q = [i for i, b in enumerate(data) if b == 0x22]
        if not q:
            return data
        i = draw(st.sampled_from(q))
        return data[:i] + data[i + 1 :]
    if kind == "separator":
        return data[:at] + draw(st.sampled_from([b",", b";"])) + data[at:]
    if kind == "truncate_line" and lines:
        line = lines[k]
        cut = draw(st.integers(0, len(line)))
        lines[k] = line[:cut] + (b"\n" if line.endswith(b"\n") else b"")
        return b"".join(lines)
    if kind == "line_break":
        return data[:at] + draw(st.sampled_from([b"\n", b"\r", b"\r\n"])) + data[at:]
    if kind == "damage":
        return (
            data[:at]
            + draw(st.sampled_from([b"\x81", b"\xff", b"\xc3", b"\xe9", b"\x00"]))
            + data[at:]
        )
    if kind == "bom":
        return data[:at] + b"\xef\xbb\xbf" + data[at:]
    if kind == "blank":
        return data[:at] + b"\n\n" + data[at:]
    if kind == "duplicate_line" and lines:
        lines.insert(k, lines[k])
        return b"".join(lines)
    if kind == "drop_line" and lines:
        del lines[k]
        return b"".join(lines)
    if kind in ("drop_cell", "extra_cell") and lines:
        line = lines[k]
        seps = [i for i, b in enumerate(line) if b in b",;"]
        if kind == "extra_cell":
            lines[k] = line.rstrip(b"\r\n") + b",x" + line[len(line.rstrip(b"\r\n")) :]
        elif seps:
            i = draw(st.sampled_from(seps))
            nxt = [j for j in seps if j > i]
            end = nxt[0] if nxt else len(line.rstrip(b"\r\n"))
            lines[k] = line[:i] + line[end:]
        return b"".join(lines)
    if kind == "cut_file":
        return data[:at]
    return data


@st.composite
def damaged_file(draw):
    source, data = draw(valid_file())
    for _ in range(draw(st.integers(1, 3))):
        data = _mutation(draw, data)
    return source, data


def _read(root: Path, source: str):
    read = read_source(root, source)
    return read, (
        repr(read.frame.to_dict("records")),  # repr: NaN equals NaN
        [repr(q) for q in read.quarantine],
        [repr(e) for e in read.errors],
        [repr(f) for f in read.files],
    )


def _assert_accounted(read, data: bytes) -> None:
    contract = CONTRACTS[read.source]
    for f in read.files:
        if f.refused:
            assert read.errors, f  # refused only with a file error saying why
            assert (f.rows_read, f.rows_staged, f.rows_quarantined) == (0, 0, 0)
            continue
        assert f.rows_read == f.rows_staged + f.rows_quarantined, f
        assert f.lines == _physical_lines(data), f
        assert f.lines == f.header_lines + f.blank_lines + f.rows_read + f.continued_lines, f
        staged = read.frame.loc[read.frame["_file"] == f.file, "_line"].tolist()
        quarantined = [q.line for q in read.quarantine if q.file == f.file]
        assert len(staged) == f.rows_staged and len(quarantined) == f.rows_quarantined
        assert len(set(staged) | set(quarantined)) == f.rows_read  # one line, one row
        assert all(1 < line <= f.lines for line in staged + quarantined)
        if not any(c.free_text for c in contract.columns) and not any(
            "inconnue" in w or "double" in w for w in f.warnings
        ):
            assert f.continued_lines == 0, f  # nowhere a line break may hide


@SETTINGS
@given(damaged_file())
def test_damaged_csv_is_refused_or_fully_accounted_for(case):
    source, data = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / source).mkdir()
        (root / source / "f.csv").write_bytes(data)
        read, first = _read(root, source)
        _assert_accounted(read, data)
        assert _read(root, source)[1] == first  # the same file reads the same


@SETTINGS
@given(valid_file())
def test_valid_csv_is_staged_whole(case):
    source, data = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / source).mkdir()
        (root / source / "f.csv").write_bytes(data)
        read, _ = _read(root, source)
        assert read.errors == [] and read.quarantine == []
        _assert_accounted(read, data)


_CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**16), 10**16),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)),
)


@SETTINGS
@given(
    source=st.sampled_from(SOURCES),
    cells=st.lists(st.lists(_CELLS, min_size=0, max_size=11), min_size=0, max_size=6),
)
def test_any_workbook_is_refused_or_fully_accounted_for(source, cells):
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    contract = CONTRACTS[source]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.name for c in contract.columns])
    try:
        for row in cells:
            ws.append(row)
    except IllegalCharacterError:
        return  # openpyxl cannot write control characters: not a workbook anyone sends
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / source).mkdir()
        wb.save(root / source / "f.xlsx")
        read, first = _read(root, source)
        for f in read.files:
            if f.refused:
                assert read.errors
                continue
            assert f.rows_read == f.rows_staged + f.rows_quarantined
            assert f.lines == f.header_lines + f.blank_lines + f.rows_read
            assert f.lines == 1 + len(cells) - _trailing_empty(cells)
        assert pd.api.types.is_bool_dtype(read.frame.dtypes.get("informs_programs", bool))
        assert _read(root, source)[1] == first


def _trailing_empty(cells) -> int:
    """Empty rows after the last non-empty one: formatting, not lines of the sheet."""
    n = 0
    for row in reversed(cells):
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row):
            break
        n += 1
    return n
