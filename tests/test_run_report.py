"""`run` and `check-landing` name the same faults and end with the same counts per source
(issues 12 and 18); each Great Expectations failure printed by `run` says what to fix."""

from __future__ import annotations

import json

import pytest

from expectations.advice import ADVICE_FR, advice_for_failures
from expectations.suites import SUITES_DIR
from orchestration.cli import main

KEY_ENV = "PLAN_INDICATORS_PSEUDONYM_KEY"


def write(root, source, name, text):
    (root / source).mkdir(parents=True, exist_ok=True)
    (root / source / name).write_text(text, "utf-8")


@pytest.fixture
def landing(tmp_path):
    """One fault of each kind: a quarantined row, a refused CSV, a refused web file, an
    unknown column, a reference to an unknown post (set aside by staging), an entry that is
    not read, and a date the suites warn about."""
    root = tmp_path / "landing"
    write(
        root,
        "satisfaction_responses",
        "s.csv",
        "response_id,response_date,score\n"
        "R1,2024-05-01,11\n"  # line 2: out of range, quarantined
        "R2,2024-05-02,8\n"
        "R3,2031-01-15,7\n",  # line 4: staged, but outside the plans' years (GX warns)
    )
    write(root, "service_requests", "r.csv", "request_id,received_date\nQ1,2024-05-01\n")
    write(root, "web_analytics", "bad.csv", "event_date,event_name\n20240401,page_view\n")
    write(
        root,
        "facebook_posts",
        "p.csv",
        "Post ID,Publish time,Reach,Couleur\n1001,05/01/2024 10:00,1500,bleu\n",
    )
    write(root, "facebook_post_topics", "t.csv", "post_id,informs_programs\n1001,true\n9999,no\n")
    write(root, "facebook_post_topics", "notes.txt", "à classer\n")
    return root


def _faults(lines: list[str]) -> list[str]:
    """Lines naming a landing file: `SEVERITY source/file:line:column: rule: message`."""
    return [line for line in lines if line.split(" ", 1)[0] in ("ERROR", "WARN") and ":" in
            line.split(" ", 2)[1] and "/" in line.split(" ", 2)[1]]  # fmt: skip


def _table(lines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith("source "))
    return lines[start : start + 11]


@pytest.mark.slow
def test_run_and_check_landing_report_the_same_faults_and_counts(
    landing, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(KEY_ENV, "report-key-not-secret")
    assert main(["check-landing", str(landing)]) == 1
    checked = capsys.readouterr().out.splitlines()
    code = main(
        [
            "run",
            "--landing", str(landing),
            "--warehouse", f"sqlite:///{tmp_path / 'w.sqlite'}",
            "--staging", str(tmp_path / "staging"),
            "--as-of", "2026-11-01",
            "--plan", "ophq-2024-2028",
            "--report", str(tmp_path / "report.html"),
        ]
    )  # fmt: skip
    assert code == 1
    ran = capsys.readouterr().out.splitlines()

    expected_faults = [
        "ERROR service_requests/r.csv:1:channel: missing_column: "
        "colonne obligatoire absente : channel",
        "ERROR web_analytics/bad.csv:1:event_timestamp: missing_column: "
        "colonne obligatoire absente : event_timestamp",
        "ERROR web_analytics/bad.csv:1:user_pseudo_id: missing_column: "
        "colonne obligatoire absente : user_pseudo_id",
        "ERROR web_analytics/bad.csv:1:page_location: missing_column: "
        "colonne obligatoire absente : page_location (ni colonne page_location, ni liste "
        "event_params de l'export BigQuery GA4)",
        "WARN satisfaction_responses/s.csv:2:score: out_of_range: "
        "score: valeur supérieure au maximum 10 (valeur '11')",
        "WARN facebook_post_topics/t.csv:3:post_id: unknown_post: "
        "post_id '9999' absent de facebook_posts.post_id (valeur '9999')",
        "WARN facebook_post_topics/notes.txt:-:-: unknown_extension: extension non lue (.txt) : "
        "formats lus .csv, .csv.gz, .xlsx",
        "WARN facebook_posts/p.csv:-:-: file_warning: colonne inconnue ignorée : 'Couleur'",
    ]
    assert _faults(checked) == expected_faults
    assert _faults(ran) == expected_faults

    # Counts by hand: satisfaction 3 read = 2 staged + 1 quarantined; the request file and
    # the web file are refused (their rows are not read); the post is staged with a warning;
    # of 2 topics, 1 is kept and 1 set aside (unknown post), and notes.txt is a warning.
    table = _table(checked)
    assert _table(ran) == table
    rows = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in table[1:]}
    #                                     files read staged quarantined warnings refused
    assert rows["satisfaction_responses"] == [1, 3, 2, 1, 0, 0]
    assert rows["service_requests"] == [1, 0, 0, 0, 0, 1]
    assert rows["web_analytics"] == [0, 0, 0, 0, 0, 1]
    assert rows["facebook_posts"] == [1, 1, 1, 0, 1, 0]
    assert rows["facebook_post_topics"] == [1, 2, 1, 1, 1, 0]
    assert rows["survey_results"] == [0, 0, 0, 0, 0, 0]
    assert checked[-1] == (
        "landing zone NOT OK: 2 file(s) refused, 2 row(s) quarantined, 1 entries not read"
    )
    assert ran[-2:] == [checked[-1], "run FAILED: see the ERROR lines above"]

    # The date outside the plans' years: a Great Expectations warning with what to fix.
    text = "\n".join(ran)
    assert (
        "WARN ingest: check great_expectations_raw failed on raw/satisfaction_responses: " in text
    )
    assert (
        "  → à corriger : Vérifiez les dates de « response_date » : certaines tombent hors des "
        "exercices des plans du catalogue et ne comptent dans aucun résultat (souvent une année "
        "mal saisie)."
    ) in ran


def test_check_landing_says_ok_only_when_nothing_is_quarantined(tmp_path, capsys):
    write(tmp_path, "satisfaction_responses", "s.csv", "response_id,response_date,score\n"
          "R1,2024-05-01,8\n")  # fmt: skip
    assert main(["check-landing", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "landing zone OK"
    write(tmp_path, "satisfaction_responses", "t.csv", "response_id,response_date,score\n"
          "R2,2024-05-01,-1\n")  # fmt: skip
    assert main(["check-landing", str(tmp_path)]) == 0  # a warning, not an error
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "landing zone NOT OK: 1 row(s) quarantined"


def test_every_rule_of_the_suites_has_its_own_sentence():
    rules = {
        exp["meta"]["rule"]
        for path in SUITES_DIR.glob("*.json")
        for exp in json.loads(path.read_text("utf-8"))["expectations"]
    }
    assert rules - set(ADVICE_FR) == set()


def test_advice_names_the_column_and_is_said_once():
    assert advice_for_failures(["key_unique:request_id", "key_unique:request_id"]) == [
        "Chaque valeur de « request_id » doit être unique : retirez ou corrigez les lignes "
        "en double."
    ]
    assert advice_for_failures(["brand_new_rule:x"]) == [
        "Corrigez les lignes signalées (règle « brand_new_rule », colonne « x »)."
    ]
