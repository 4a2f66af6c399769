"""distinct_users over the per-year staged users and their page masks."""

import duckdb
import pytest
from measure_fixtures import run, stage_web

from plan_indicators.measures.web import normalise_path
from plan_indicators.sources.web import PAGE_PATH_SQL

PAGES = {"pages": ["/programmes/", "/Services/aide", "/"]}
STAGED = ["/", "/Services/aide", "/programmes"]  # the catalog pages, as staging lists them


def test_distinct_users_counts_each_user_once_over_catalog_pages(tmp_path):
    stage_web(
        tmp_path,
        "2024-2025",
        [
            ("/programmes", "u1"),
            ("/Services/aide", "u1"),  # u1 again: still one user
            ("/Services/aide", "u2"),
            ("/", "u3"),
            ("/services/aide", "u4"),  # case kept: not a catalog page
            ("/autre", "u5"),
        ],
        STAGED,
    )
    result = run("distinct_users", tmp_path, PAGES)
    # {u1, u2, u3} = 3 users; u4 and u5 viewed no catalog page, so staging kept no row
    assert result.value == 3.0
    assert result.numerator == 3.0
    assert result.rows_used == 3


def test_distinct_users_reads_only_the_fiscal_year_file(tmp_path):
    stage_web(tmp_path, "2024-2025", [("/programmes", "u1")], STAGED)
    stage_web(tmp_path, "2025-2026", [("/programmes", "u2"), ("/programmes", "u3")], STAGED)
    # 2025-2026 holds u2, u3 = 2
    assert run("distinct_users", tmp_path, PAGES, fiscal_year="2025-2026").value == 2.0


def test_distinct_users_zero_when_year_staged_but_no_catalog_page_seen(tmp_path):
    stage_web(tmp_path, "2024-2025", [("/autre", "u1")], STAGED)
    result = run("distinct_users", tmp_path, PAGES)
    assert result.value == 0.0


def test_distinct_users_only_counts_the_indicators_own_pages(tmp_path):
    stage_web(
        tmp_path,
        "2024-2025",
        [("/programmes", "u1"), ("/", "u2"), ("/Services/aide", "u2"), ("/", "u3")],
        STAGED,
    )
    # "/" alone: u2 and u3 = 2; "/programmes" alone: u1 = 1
    assert run("distinct_users", tmp_path, {"pages": ["/"]}).value == 2.0
    assert run("distinct_users", tmp_path, {"pages": ["/programmes"]}).value == 1.0


def test_distinct_users_missing_when_a_page_was_not_staged(tmp_path):
    stage_web(tmp_path, "2024-2025", [("/programmes", "u1")], ["/programmes"])
    result = run("distinct_users", tmp_path, {"pages": ["/programmes", "/nouvelle"]})
    # The catalog gained /nouvelle after staging: no count rather than an undercount.
    assert result.value is None
    assert "/nouvelle" in result.reason and "staging/web_analytics" in result.reason


def test_distinct_users_missing_when_year_not_staged(tmp_path):
    stage_web(tmp_path, "2023-2024", [("/programmes", "u1")])
    result = run("distinct_users", tmp_path, PAGES)
    assert result.value is None
    assert result.reason == "Aucune donnée d'analytique web pour l'année"


def test_distinct_users_other_event_name_is_missing_not_zero(tmp_path):
    stage_web(tmp_path, "2024-2025", [("/programmes", "u1")], STAGED)
    result = run("distinct_users", tmp_path, {**PAGES, "event_name": "scroll"})
    assert result.value is None
    assert "page_view" in result.reason


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("/programmes/", "/programmes"),
        ("/programmes///", "/programmes"),
        ("/", "/"),
        ("", "/"),
        ("/Services/Aide?utm=x#haut", "/Services/Aide"),  # case kept
        ("https://WWW.Exemple.gouv.qc.ca/aide/?q=1", "/aide"),
        ("https://www.exemple.gouv.qc.ca", "/"),
        ("http://exemple.ca/#top", "/"),
    ],
)
def test_catalog_pages_normalised_like_staged_page_paths(page, expected):
    con = duckdb.connect()
    staged = con.execute(
        f"SELECT {PAGE_PATH_SQL} FROM (SELECT ? AS page_location)", [page]
    ).fetchone()[0]
    con.close()
    assert normalise_path(page) == expected
    assert staged == expected


def test_distinct_users_accepts_full_urls_in_the_catalog(tmp_path):
    stage_web(tmp_path, "2024-2025", [("/programmes", "u1"), ("/", "u2"), ("/autre", "u3")])
    pages = {"pages": ["https://www.exemple.gouv.qc.ca/programmes/?src=plan"]}
    # only /programmes is listed: u1 = 1
    assert run("distinct_users", tmp_path, pages).value == 1.0
