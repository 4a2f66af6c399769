"""Encoding, separator and number detection of the tolerant CSV reader (docs/contracts.md §4.2)."""

import gzip

import pytest

from plan_indicators.sources.csvio import CsvError, parse_number, read_csv


def test_utf8_without_bom(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("id,nom\n1,Québec\n".encode())
    t = read_csv(p)
    assert (t.encoding, t.separator) == ("utf-8", ",")
    assert t.header == ["id", "nom"]
    assert t.rows == [(2, ["1", "Québec"])]  # header = line 1, first data row = line 2


def test_utf8_bom_is_removed_from_the_header(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"\xef\xbb\xbf" + "id,nom\n1,Montréal\n".encode())
    t = read_csv(p)
    assert t.encoding == "utf-8-sig"
    assert t.header[0] == "id"
    assert t.rows[0][1][1] == "Montréal"


def test_cp1252_accents(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("id;région\n1;Trois-Rivières\n".encode("cp1252"))
    t = read_csv(p)
    assert (t.encoding, t.separator) == ("cp1252", ";")
    assert t.header == ["id", "région"]
    assert t.rows[0][1] == ["1", "Trois-Rivières"]


def test_semicolon_file_keeps_decimal_commas_in_one_cell(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("id;score\n1;12,5\n")
    t = read_csv(p)
    assert t.separator == ";"
    assert t.rows == [(2, ["1", "12,5"])]  # not split on the comma
    assert parse_number(t.rows[0][1][1], t.separator) == 12.5


def test_gzip_and_truncated_gzip(tmp_path):
    data = gzip.compress(("id,v\n" + "".join(f"{i},x\n" for i in range(500))).encode())
    good = tmp_path / "a.csv.gz"
    good.write_bytes(data)
    assert len(read_csv(good).rows) == 500  # range(500) rows written
    bad = tmp_path / "b.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(CsvError) as exc:
        read_csv(bad)
    assert exc.value.rule == "unreadable"
    assert "b.csv.gz" in str(exc.value)  # the error names the file


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(CsvError) as exc:
        read_csv(empty)
    assert exc.value.rule == "empty_file"
    assert "e.csv" in str(exc.value)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    with pytest.raises(CsvError, match="empty_file"):
        read_csv(blank)
    header = tmp_path / "h.csv"
    header.write_text("id,v\n")
    assert read_csv(header).rows == []


def test_undecodable_bytes_are_refused(tmp_path):
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid as UTF-8.
    p = tmp_path / "x.csv"
    p.write_bytes(b"id,v\n1,\x81\x8d\n")
    with pytest.raises(CsvError) as exc:
        read_csv(p)
    assert (exc.value.rule, exc.value.file) == ("encoding", str(p))
    utf16 = tmp_path / "u.csv"
    utf16.write_bytes("id,v\n1,é\n".encode("utf-16"))  # Excel's "Unicode text"
    with pytest.raises(CsvError) as exc:
        read_csv(utf16)
    assert exc.value.rule == "encoding"


def test_multiline_quoted_field_keeps_the_line_where_the_row_starts(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('id,note\n1,"deux\nlignes"\n2,ok\n')
    rows = read_csv(p).rows
    assert [line for line, _ in rows] == [2, 4]  # row 1 spans lines 2-3, row 2 is on line 4
    assert rows[0][1] == ["1", "deux\nlignes"]


def test_crlf_and_blank_lines_are_counted(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"id,v\r\n1,a\r\n\r\n2,b\r\n")
    rows = read_csv(p).rows
    assert [line for line, _ in rows] == [2, 4]  # line 3 is blank: skipped but counted


@pytest.mark.parametrize(
    ("text", "sep", "expected"),
    [
        ("1,250", ",", 1250.0),  # Meta's thousands separator
        ("1,250,000", ",", 1250000.0),
        ("12,5", ";", 12.5),  # Excel in French: decimal comma
        ("1\u00a0250", ";", 1250.0),  # NBSP thousands
        ("1 250,75", ";", 1250.75),
        ("3.5", ",", 3.5),
        ("-2", ",", -2.0),
    ],
)
def test_parse_number(text, sep, expected):
    assert parse_number(text, sep) == expected


@pytest.mark.parametrize(
    ("text", "sep"), [("12,5", ","), ("1,25", ","), ("abc", ","), ("nan", ";"), ("", ",")]
)
def test_parse_number_refuses(text, sep):
    with pytest.raises(ValueError):
        parse_number(text, sep)
