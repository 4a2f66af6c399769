"""Meta Business Suite "Posts" exports as they come (docs/contracts.md §4.7.2): English and
French headers, CSV and workbook, each read to the same columns and the same share of posts.

The four posts of every variant (hand count, min_reach 1000, fiscal year 2024-2025):
  122158000000000101  04/02/2024 09:15  reach 1 250   tagged program post -> counts, ≥ 1000
  122158000000000102  06/15/2024 14:00  reach   999   tagged program post -> counts, < 1000
  122158000000000103  03/31/2025 23:59  reach 12 034  tagged program post -> counts, ≥ 1000
  122158000000000104  04/01/2025 08:00  reach 5 000   next fiscal year    -> not counted
Share 2024-2025 = 2 / 3 = 66.67 %; reach read = 1250, 999, 12034, 5000.
"""

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from measure_fixtures import run, stage

from plan_indicators.sources.readers import read_source
from plan_indicators.staging import ParquetStagedData

IDS = ["122158000000000101", "122158000000000102", "122158000000000103", "122158000000000104"]
WHEN = ["04/02/2024 09:15", "06/15/2024 14:00", "03/31/2025 23:59", "04/01/2025 08:00"]
REACH = [1250, 999, 12034, 5000]
TITLES = ["Programme d'aide", "Vignette : comment l'obtenir", "Bilan de l'année", "Été"]

# The header rows of the export (2024 Business Suite layout): the contract reads five of
# these columns and names the others in file warnings.
ENGLISH = [
    "Post ID", "Page ID", "Page name", "Title", "Description", "Duration (sec)", "Publish time",
    "Caption type", "Permalink", "Is crosspost", "Is share", "Post type", "Languages",
    "Custom labels", "Funded content status", "Data comment", "Date", "Views", "Reach",
    "Reactions, Comments and Shares", "Reactions", "Comments", "Shares", "Total clicks",
]  # fmt: skip
FRENCH = [
    "Identifiant de la publication", "Identifiant de la Page", "Nom de la Page", "Titre",
    "Description", "Durée (s)", "Heure de publication", "Type de sous-titres", "Permalien",
    "Est une publication croisée", "Est un partage", "Type de publication", "Langues",
    "Libellés personnalisés", "Statut du contenu financé", "Commentaire sur les données",
    "Date", "Vues", "Couverture", "Réactions, commentaires et partages", "Réactions",
    "Commentaires", "Partages", "Total des clics",
]  # fmt: skip
LIFETIME = {"en": "Lifetime", "fr": "À vie"}
TYPE = {"en": "Photos", "fr": "Photos"}


def rows(lang: str, number) -> list[list]:
    """Cells in header order; `number` writes a count as the variant does."""
    out = []
    for i, post in enumerate(IDS):
        out.append(
            [
                post, "100064", "Office des personnes handicapées", TITLES[i],
                f"{TITLES[i]}\nEn savoir plus : quebec.ca", "", WHEN[i], "", 
                f"https://www.facebook.com/100064/posts/{post}", "No", "No", TYPE[lang], "fr",
                "", "", "", LIFETIME[lang], number(REACH[i] * 2), number(REACH[i]),
                number(40), number(30), number(6), number(4), number(12),
            ]
        )  # fmt: skip
    return out


def csv_cell(value) -> str:
    text = str(value)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def write_csv(path, header, body, encoding="utf-8-sig"):
    lines = [",".join(csv_cell(v) for v in line) for line in [header, *body]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def write_xlsx(path, header, body, dates_as_cells):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Publications" if header is FRENCH else "Posts"
    ws.append(header)
    when = header.index("Publish time" if header is ENGLISH else "Heure de publication")
    for line in body:
        if dates_as_cells:
            line = list(line)
            line[when] = dt.datetime.strptime(line[when], "%m/%d/%Y %H:%M")
        ws.append(line)
    wb.save(path)


def en_csv(path):
    """English CSV: counts quoted with a thousands comma ("1,250")."""
    write_csv(path / "Posts.csv", ENGLISH, rows("en", lambda n: f"{n:,}"))


def fr_csv(path):
    """French CSV: counts with a narrow no-break space as thousands separator ("1 250")."""
    write_csv(
        path / "Publications.csv", FRENCH, rows("fr", lambda n: f"{n:,}".replace(",", "\u202f"))
    )


def en_xlsx(path):
    """English workbook: counts as number cells, publish time as the export's text."""
    write_xlsx(path / "Posts.xlsx", ENGLISH, rows("en", int), dates_as_cells=False)


def fr_xlsx(path):
    """French workbook: counts as number cells, publish time as date cells."""
    write_xlsx(path / "Publications.xlsx", FRENCH, rows("fr", int), dates_as_cells=True)


VARIANTS = {"en-csv": en_csv, "fr-csv": fr_csv, "en-xlsx": en_xlsx, "fr-xlsx": fr_xlsx}


def read_variant(tmp_path, variant):
    folder = tmp_path / "landing" / "facebook_posts"
    folder.mkdir(parents=True)
    VARIANTS[variant](folder)
    return read_source(tmp_path / "landing", "facebook_posts")


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_reads_the_same_posts(tmp_path, variant):
    read = read_variant(tmp_path, variant)
    assert read.errors == [] and read.quarantine == []
    [report] = read.files
    assert (report.rows_read, report.rows_staged) == (4, 4)
    df = read.frame
    assert df["post_id"].tolist() == IDS
    assert df["reach"].tolist() == [1250.0, 999.0, 12034.0, 5000.0]
    assert df["publish_time"].tolist() == [
        pd.Timestamp("2024-04-02 09:15"),  # MM/DD: 2 April, not 4 February
        pd.Timestamp("2024-06-15 14:00"),
        pd.Timestamp("2025-03-31 23:59"),
        pd.Timestamp("2025-04-01 08:00"),
    ]
    assert df["title"].tolist() == TITLES  # Title/Titre; the Description column is a repeat
    assert df["post_type"].tolist() == ["Photos"] * 4
    # The export's 19 other columns (24 headers, 5 read: id, title, publish time, type,
    # reach) are known: named once in a note, in header order, and no warning.
    header = ENGLISH if variant.startswith("en") else FRENCH
    read_headers = {"Post ID", "Title", "Publish time", "Post type", "Reach",
                    "Identifiant de la publication", "Titre", "Heure de publication",
                    "Type de publication", "Couverture"}  # fmt: skip
    others = [h for h in header if h not in read_headers]
    assert len(others) == 24 - 5 == 19
    assert report.warnings == []
    assert report.notes == [
        f"19 colonne(s) connue(s) de l'export, non lue(s) : {', '.join(others)}"
    ]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_gives_the_same_share(tmp_path, variant):
    read = read_variant(tmp_path, variant)
    ParquetStagedData(tmp_path).write("facebook_posts", read.frame)
    stage(
        tmp_path,
        "facebook_post_topics",
        [{"post_id": p, "informs_programs": True} for p in IDS],
    )
    result = run("share_posts_reach_at_least", tmp_path, {"min_reach": 1000})
    # 2024-2025: posts 101 (1 250), 102 (999), 103 (12 034); ≥ 1000: 101, 103 → 2 / 3
    assert (result.numerator, result.denominator) == (2.0, 3.0)
    assert abs(result.value - 200 / 3) < 1e-9


def test_workbook_post_id_stored_as_a_number_is_refused(tmp_path):
    """Excel keeps 15 digits: a 18-digit Post ID typed as a number lost its end."""
    folder = tmp_path / "facebook_posts"
    folder.mkdir()
    body = rows("en", int)
    body[1][0] = int(body[1][0])
    write_xlsx(folder / "Posts.xlsx", ENGLISH, body, dates_as_cells=False)
    read = read_source(tmp_path, "facebook_posts")
    assert [(e.line, e.column, e.rule, e.sheet) for e in read.errors] == [
        (3, "post_id", "scientific_notation_id", "Posts")
    ]


@pytest.mark.parametrize("variant", ["en-csv", "fr-xlsx"])
def test_an_unknown_column_still_warns(tmp_path, variant):
    """A column the export does not have (`Budget`) is a warning of its own; the 19 known
    ones stay one note, and check-landing prints one WARN and one NOTE line for the file."""
    from plan_indicators.sources.landing import check_landing

    folder = tmp_path / "facebook_posts"
    folder.mkdir()
    header = ENGLISH if variant.startswith("en") else FRENCH
    lang = variant[:2]
    body = [[*line, "12"] for line in rows(lang, int if variant.endswith("xlsx") else str)]
    if variant.endswith("xlsx"):
        write_xlsx(folder / "Publications.xlsx", header, body, dates_as_cells=True)
        wb = openpyxl.load_workbook(folder / "Publications.xlsx")  # the header of column Y
        wb.active.cell(row=1, column=len(header) + 1, value="Budget")
        wb.save(folder / "Publications.xlsx")
    else:
        write_csv(folder / "Posts.csv", [*header, "Budget"], body)
    read = read_source(tmp_path, "facebook_posts")
    [report] = read.files
    assert report.rows_staged == 4
    assert report.warnings == ["colonne inconnue ignorée : 'Budget'"]
    assert len(report.notes) == 1 and report.notes[0].startswith("19 colonne(s) connue(s)")
    lines = [line for line in check_landing(tmp_path).problems() if "facebook_posts/" in line]
    assert [line.split(" ", 1)[0] for line in lines] == ["WARN", "NOTE"]
    assert check_landing(tmp_path).counts()["facebook_posts"]["warnings"] == 1
