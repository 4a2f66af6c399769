"""Keyed pseudonyms: the raw identifier of a requester never leaves the reader."""

import hashlib
import hmac

import pytest

from plan_indicators.sources.pseudonym import (
    KEY_ENV,
    MissingKeyError,
    key_from_env,
    pseudonymise,
)
from plan_indicators.sources.readers import read_source

KEY = b"cle-de-test"


def test_pseudonym_is_hmac_sha256_hex():
    expected = hmac.new(KEY, b"abc", hashlib.sha256).hexdigest()
    assert pseudonymise("abc", KEY) == expected
    assert len(expected) == 64  # 256 bits in hex
    assert pseudonymise("abc", b"other-key") != expected  # the key matters
    assert pseudonymise("abd", KEY) != expected


def test_non_ascii_value_is_utf8_encoded():
    expected = hmac.new(KEY, "Hélène".encode(), hashlib.sha256).hexdigest()
    assert pseudonymise("Hélène", KEY) == expected


def test_empty_key_is_refused():
    with pytest.raises(MissingKeyError, match=KEY_ENV):
        pseudonymise("abc", b"")


def test_key_from_env(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "s3cret-é")
    assert key_from_env() == "s3cret-é".encode()  # same bytes as the Dagster resource
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(ValueError, match=KEY_ENV):
        key_from_env()
    monkeypatch.setenv(KEY_ENV, "")
    with pytest.raises(ValueError, match=KEY_ENV):
        key_from_env()


def test_raw_identifier_absent_from_frame_quarantine_and_reports(tmp_path):
    folder = tmp_path / "service_requests"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "request_id,received_date,channel,requester_id,region_code\n"
        "D1,2024-05-01,email,Tremblay-42,06\n"
        "D2,2024-05-01,email,Tremblay-42,99\n"  # region 99: quarantined, personal value too
        "D1,2024-05-02,chat,Tremblay-42,06\n"  # duplicate key
        "D3,2024-05-03,chat,,06\n"  # no requester: stays empty, not a pseudonym of ""
    )
    (folder / "b.csv").write_text(
        "request_id,received_date,channel,requester_id\nD4,2024-06-01,web_form,Tremblay-42\n"
    )
    read = read_source(tmp_path, "service_requests", pseudonym_key=KEY)
    token = hmac.new(KEY, b"Tremblay-42", hashlib.sha256).hexdigest()
    assert read.frame["request_id"].tolist() == ["D1", "D3", "D4"]
    # same person in two files -> same token, so requests still group by requester
    ids = read.frame["requester_id"]
    assert ids.isna().tolist() == [False, True, False]
    assert ids.dropna().tolist() == [token, token]
    assert [q.rule for q in read.quarantine] == ["allowed_values", "duplicate_key"]
    dump = read.frame.to_csv() + repr(read.quarantine) + repr(read.files) + repr(read.errors)
    assert "Tremblay" not in dump


def test_personal_values_without_key_are_refused(tmp_path):
    folder = tmp_path / "service_requests"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "request_id,received_date,channel,requester_id\nD1,2024-05-01,email,Tremblay-42\n"
    )
    with pytest.raises(ValueError, match=KEY_ENV) as exc:
        read_source(tmp_path, "service_requests")
    assert "Tremblay" not in str(exc.value)
    (folder / "a.csv").write_text(
        "request_id,received_date,channel,requester_id\nD1,2024-05-01,email,\n"
    )
    # an empty personal column needs no key
    assert read_source(tmp_path, "service_requests").frame["request_id"].tolist() == ["D1"]
