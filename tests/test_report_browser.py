"""The report as a reader sees it in Chromium: text, no network, no script; README screenshot."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from browser import record_requests, remote_requests  # chromium_browser comes from conftest

from plan_indicators import warehouse as wh
from plan_indicators.closing import record_closing
from plan_indicators.report import write_report
from plan_indicators.statuses import STATUS_FR

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "report.png"
GENERATED = dt.datetime(2026, 5, 15, 13, 0, tzinfo=dt.UTC)
OPHQ, OPQ = "ophq-2024-2028", "opq-2019-2023"
E1 = "1 — L'accès aux services et leur qualité"
O1 = "1 — Promouvoir les programmes, mesures et services destinés aux personnes handicapées"
O2 = "2 — Bonifier l'expérience client"
E2 = "2 — Une meilleure réponse aux besoins des personnes handicapées"
O4 = "4 — Intervenir en vue d'accroître l'accès et la coordination des programmes"
OPHQ_YEARS = ["2024-2025", "2025-2026", "2026-2027", "2027-2028"]
FY1 = OPHQ_YEARS[0]
# Years the yearly closing has run for: final. OPHQ 2025-2026 has ended (31 March 2026) but is
# not closed: its results are provisional.
CLOSED = {(OPHQ, "2024-2025"), (OPQ, "2020-2021"), (OPQ, "2021-2022")}

# (plan, id, enjeu, orientation, objective, text, unit, assumptions,
#  [(target kind, target text, threshold, value, achieved_on, status, note), one per year])
INDICATORS = [
    (OPHQ, "1.1.2", E1, O1, "1.1 Accroître la connaissance des programmes",
     "Proportion de publications informant le public sur les programmes, mesures et services "
     "dont la portée organique sur Facebook est de 1 000 ou plus", "percent",
     json.dumps(["Publications étiquetées par l'équipe des communications"]),
     [("at_least", "≥ 50 %", 50, 52.3, None, "met", None),
      ("at_least", "≥ 53 %", 53, 49.8, None, "not_met", None),
      ("at_least", "≥ 56 %", 56, None, None, "in_progress", None),
      ("at_least", "≥ 60 %", 60, None, None, "in_progress", None)]),
    (OPHQ, "2.1.1", E1, O2, "2.1 Améliorer le soutien offert par l'Office",
     "Proportion d'offres de services initiales acceptées par la clientèle", "percent", None,
     [("at_least", "45 %", 45, 47.1, None, "met", None),
      ("at_least", "55 %", 55, None, None, "no_data", "Fichier service_offers en quarantaine"),
      ("at_least", "70 %", 70, None, None, "in_progress", None),
      ("at_least", "80 %", 80, None, None, "in_progress", None)]),
    (OPHQ, "2.2.1", E1, O2, "2.2 Favoriser une expérience client satisfaisante",
     "Degré de satisfaction à l'égard de l'expérience client (note sur 10)", "score",
     "Échelle de 0 à 10\nRéponses reçues dans l'année financière",
     [("first_measure", "Première mesure", None, 8.2, None, "baseline", None),
      ("delta_over_baseline", "+0,1 par rapport à la mesure de départ (2024-2025)", 8.3, 8.4,
       None, "met", None),
      ("delta_over_baseline", "+0,2 par rapport à la mesure de départ (2024-2025)", 8.4, None,
       None, "in_progress", None),
      ("delta_over_baseline", "+0,3 par rapport à la mesure de départ (2024-2025)", 8.5, None,
       None, "in_progress", None)]),
    (OPHQ, "4.1.1", E2, O4, "4.1 Poursuivre la simplification des démarches d'accès",
     "Nombre de rencontres des comités de gouvernance du projet", "count", None,
     [("at_least", "≥ 6 rencontres", 6, 7, None, "met", None),
      ("at_least", "≥ 6 rencontres", 6, 6, None, "met", None),
      ("at_least", "≥ 2 rencontres", 2, None, None, "in_progress", None),
      ("at_least", "≥ 2 rencontres", 2, None, None, "in_progress", None)]),
    (OPHQ, "4.4.1", E2, O4, "4.4 Renforcer la vigie et la veille stratégique",
     "Nombre de rapports produits et transmis au ministre", "count", None,
     [("not_applicable", "S. O.", None, None, None, "not_applicable", None),
      ("at_least", "1", 1, 1, None, "met", None),
      ("at_least", "1", 1, None, None, "in_progress", None),
      ("at_least", "1", 1, None, None, "in_progress", None)]),
    (OPQ, "1.1.1", "1 — La modernisation du système professionnel",
     "1 — Moderniser l'encadrement des professions", "1.1 Réviser le Code des professions",
     "Date de dépôt des propositions de modernisation", "date", None,
     [("deadline", "hiver 2021", None, None, dt.date(2021, 2, 15), "met", None),
      ("deadline", "été 2021", None, None, dt.date(2021, 10, 4), "met_late",
       "Dépôt reporté à l'automne")]),
    (OPQ, "2.1.1", "2 — Un service de qualité", "2 — Améliorer les délais",
     "2.1 Réduire le délai de production des BES",
     "Délai moyen de production des bulletins d'examen sommaire (BES)", "days", None,
     [("at_most", "≤ 10 jours ouvrables", 10, 8.44, None, "met", None),
      ("at_most", "≤ 10 jours ouvrables", 10, 11.2, None, "not_met", None)]),
]  # fmt: skip
# The planning team's explanations (result_commentary), as the evaluation step publishes them:
# one of a met year, one of a missed year (with a line break), none elsewhere.
EXPLANATIONS = {
    (OPHQ, "1.1.2", "2024-2025"): "La campagne d'automne a porté la part au-delà de la cible.",
    (OPHQ, "1.1.2", "2025-2026"): "La période électorale a suspendu les publications six "
    "semaines.\nUn calendrier de diffusion est en place pour 2026-2027.",
}


def build_demo_warehouse(path: Path):
    """Two plans shaped like the seeds, with every status and badge colour."""
    engine = wh.engine_for(f"sqlite:///{path}")
    plans = [
        {"plan_id": OPHQ, "organisation": "Office des personnes handicapées du Québec",
         "title": "Plan stratégique 2024-2028", "first_fiscal_year": "2024-2025",
         "last_fiscal_year": "2027-2028", "source": "004_aa5d047514b639ec.txt"},
        {"plan_id": OPQ, "organisation": "Office des professions du Québec",
         "title": "Plan stratégique 2019-2023", "first_fiscal_year": "2020-2021",
         "last_fiscal_year": "2021-2022", "source": "000_1a4b9a83d82761a1.txt"},
    ]  # fmt: skip
    indicators, targets, results, evaluations = [], [], [], []
    for order, (plan, ind, enjeu, orient, obj, text, unit, hyp, years) in enumerate(INDICATORS):
        indicators.append(
            {"plan_id": plan, "indicator_id": ind, "enjeu": enjeu, "orientation": orient,
             "objective": obj, "text_fr": text, "unit": unit, "direction": "higher_is_better",
             "measure": "survey_value", "assumptions": hyp, "sort_order": order}
        )  # fmt: skip
        fys = OPHQ_YEARS if plan == OPHQ else ["2020-2021", "2021-2022"]
        for fy, (kind, target, threshold, value, achieved, status, note) in zip(
            fys, years, strict=True
        ):
            key = {"plan_id": plan, "indicator_id": ind, "fiscal_year": fy}
            baseline_year = "2024-2025" if kind == "delta_over_baseline" else None
            targets.append({**key, "kind": kind, "text_fr": target, "threshold": threshold,
                            "baseline_year": baseline_year})  # fmt: skip
            if value is not None or achieved is not None:
                results.append(
                    {**key, "value": value, "achieved_on": achieved,
                     "is_final": (plan, fy) in CLOSED,
                     "data_as_of": dt.date(2026, 3, 31) if plan == OPHQ else dt.date(2022, 3, 31)}
                )  # fmt: skip
            evaluations.append(
                {**key, "value": value, "threshold": threshold, "status": status,
                 "status_fr": STATUS_FR[status], "note": note,
                 "explanation_fr": EXPLANATIONS.get((plan, ind, fy))}
            )  # fmt: skip
    for table, rows in (
        (wh.dim_plan, plans),
        (wh.dim_indicator, indicators),
        (wh.indicator_target, targets),
        (wh.indicator_result, results),
        (wh.indicator_evaluation, evaluations),
    ):
        wh.replace_rows(engine, table, {}, rows)
    with engine.begin() as conn:
        for plan, fy in sorted(CLOSED):
            n = sum(1 for r in results if (r["plan_id"], r["fiscal_year"]) == (plan, fy))
            record_closing(conn, plan, fy, run_id=f"closing-{fy}", closed_by="test",
                           as_of=dt.date(2026, 5, 15), results_closed=n)  # fmt: skip
    return engine


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-CA")
    urls = record_requests(page)
    page.goto(url, wait_until="load")
    return page, urls


def test_report_renders_in_chromium(chromium_browser, tmp_path):
    engine = build_demo_warehouse(tmp_path / "warehouse.db")
    out = write_report(engine, tmp_path / "rapport.html", generated_at=GENERATED)
    page, urls = _open(chromium_browser, out.as_uri())
    try:
        block = page.locator("tbody.indicator-block").filter(has_text="1.1.2")
        assert block.count() == 1
        first_row = block.locator("tr").first.inner_text()
        assert "Proportion de publications informant le public" in first_row
        assert "52,3\u202f%" in first_row and "Atteinte" in first_row
        assert block.locator("td.result").first.inner_text() == "52,3\u00a0%"
        assert "≥ 50 %" in first_row
        assert block.locator("svg.chart").count() == 1
        # The browser lays the chart out: bars have a real size (2 results: 52.3 and 49.8).
        assert block.locator("rect.bar").count() == 2
        assert block.locator("svg.chart").bounding_box()["width"] == 300
        milestone = page.locator("tbody.indicator-block").filter(has_text="Date de dépôt")
        assert "Atteinte le 4 octobre 2021" in milestone.inner_text()
        assert "Atteinte après l'échéance" in milestone.inner_text()
        assert page.locator("section.plan h2").all_inner_texts() == [
            "Plan stratégique 2024-2028",
            "Plan stratégique 2019-2023",
        ]
        assert urls and urls[0] == out.as_uri()
        assert remote_requests(urls) == []

        shot = page.screenshot(full_page=True, path=str(tmp_path / "report.png"))
    finally:
        page.close()
    png = (tmp_path / "report.png").read_bytes()
    assert png == shot
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(shot)


def test_injected_script_does_not_run(chromium_browser, tmp_path):
    engine = build_demo_warehouse(tmp_path / "warehouse.db")
    payload = '<script>window.pwned = 1</script><img src="https://example.invalid/x.png">'
    with engine.begin() as conn:
        conn.execute(wh.dim_indicator.update().values(text_fr=payload))
        conn.execute(wh.indicator_evaluation.update().values(note=payload))
    out = write_report(engine, tmp_path / "rapport.html", generated_at=GENERATED)
    dialogs: list[str] = []
    page, urls = _open(chromium_browser, out.as_uri())
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("script, img").count() == 0
        assert payload in page.locator("tbody.indicator-block").first.inner_text()
        assert remote_requests(urls) == [] and dialogs == []
    finally:
        page.close()


def _rows(page, indicator: str) -> list[list[str]]:
    """The cells of each year row of an indicator, as the reader sees them."""
    block = page.locator("tbody.indicator-block").filter(has_text=indicator)
    return [
        [c.strip() for c in row.locator("td:not(.indicator)").all_inner_texts()]
        for row in block.locator("tr").all()
    ]


def test_report_for_a_chosen_year(chromium_browser, tmp_path):
    engine = build_demo_warehouse(tmp_path / "warehouse.db")
    out = write_report(
        engine, tmp_path / "rapport.html", generated_at=GENERATED,
        as_of=dt.date(2026, 5, 15), fiscal_year="2024-2025", plan_ids=[OPHQ],
    )  # fmt: skip
    page, urls = _open(chromium_browser, out.as_uri())
    try:
        # 2024-2025 reported; 2025-2026 (ended) and 2026-2027 (running) after the reporting
        # year show their target only; 2027-2028 has not begun on 2026-05-15.
        assert _rows(page, "1.1.2") == [
            ["2024-2025", "≥ 50 %", "52,3\u00a0%", "Atteinte"],
            ["Explication des résultats (2024-2025) : " + EXPLANATIONS[(OPHQ, "1.1.2", FY1)]],
            ["2025-2026", "≥ 53 %", "", ""],
            ["2026-2027", "≥ 56 %", "", ""],
            ["2027-2028", "≥ 60 %", "", "À venir"],
        ]
        block = page.locator("tbody.indicator-block").filter(has_text="1.1.2")
        assert "49,8" not in block.inner_text()  # the 2025-2026 result is not shown
        assert "période électorale" not in block.inner_text()  # nor its explanation
        assert block.locator("rect.bar").count() == 1
        # baseline 2024-2025 = 8.2 (reported), threshold 8.2 + 0.1 = 8.3 (as published)
        rows = _rows(page, "2.2.1")
        assert rows[0] == ["2024-2025", "Première mesure", "8,2", "Mesure de départ"]
        assert rows[1][1] == (
            "+0,1 par rapport à la mesure de départ (2024-2025) "
            "Mesure de départ (2024-2025) : 8,2 · seuil : 8,3"
        )
        assert rows[1][2:] == ["", ""]
        summary = page.locator("table.summary thead th").all_inner_texts()
        assert summary == ["Statut", "2024-2025"]
        assert "Résultats jusqu'à l'année financière 2024-2025" in page.inner_text("header")
        assert remote_requests(urls) == []
    finally:
        page.close()


def test_running_year_is_marked_partial(chromium_browser, tmp_path):
    engine = build_demo_warehouse(tmp_path / "warehouse.db")
    key = {"plan_id": OPHQ, "indicator_id": "1.1.2", "fiscal_year": "2026-2027"}
    wh.replace_rows(engine, wh.indicator_result, key, [
        {**key, "value": 30.0, "is_final": False, "data_as_of": dt.date(2026, 5, 10)}
    ])  # fmt: skip
    out = write_report(
        engine, tmp_path / "rapport.html", generated_at=GENERATED,
        as_of=dt.date(2026, 5, 15), fiscal_year="2026-2027", plan_ids=[OPHQ],
    )  # fmt: skip
    page, _ = _open(chromium_browser, out.as_uri())
    try:
        rows = _rows(page, "1.1.2")
        # 2024-2025 and 2025-2026 each have their explanation row under them
        assert [r[0].split(" (")[0] for r in rows[:4]] == [
            "2024-2025", "Explication des résultats", "2025-2026", "Explication des résultats",
        ]  # fmt: skip
        rows = [r for r in rows if not r[0].startswith("Explication")]
        assert rows[2] == ["2026-2027", "≥ 56 %", "30,0\u00a0% résultat partiel au 10 mai 2026",
                           "En cours"]  # fmt: skip
        assert rows[3][2:] == ["", "À venir"]
    finally:
        page.close()


def test_table_copies_as_text_and_numbers(chromium_browser, tmp_path):
    """Select the results table and copy it, as a planning officer does before pasting into
    Word or Excel: no chart labels, no note marks glued to values, no U+202F, and each
    numeric result carries Excel's `x:num` in the HTML flavour."""
    engine = build_demo_warehouse(tmp_path / "warehouse.db")
    out = write_report(engine, tmp_path / "rapport.html", generated_at=GENERATED,
                       as_of=dt.date(2026, 5, 15), plan_ids=[OPHQ])  # fmt: skip
    context = chromium_browser.new_context(locale="fr-CA")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(out.as_uri(), wait_until="load")
        copied = page.evaluate(
            """async () => {
                const range = document.createRange();
                range.selectNode(document.querySelector("table.results"));
                getSelection().removeAllRanges();
                getSelection().addRange(range);
                document.execCommand("copy");
                const out = {};
                for (const item of await navigator.clipboard.read())
                    for (const type of item.types)
                        out[type] = await (await item.getType(type)).text();
                return out;
            }"""
        )
    finally:
        context.close()
    text, html = copied["text/plain"], copied["text/html"]
    for chart_text in ("Année financière", "Cible (seuil)", "Pourcentage (%)"):
        assert chart_text not in text and chart_text not in html
    assert "\u202f" not in text and "\u202f" not in html
    # 2.1.1 in 2025-2026 has a note (footnote mark) on its status: nothing glued after it
    assert "\tDonnée non disponible\n" in text
    assert 'class="fn-mark"' not in html
    lines = [line.split("\t") for line in text.splitlines()]
    assert ["2024-2025", "≥ 50 %", "52,3 %", "Atteinte"] in [
        [c.replace("\u00a0", " ") for c in line] for line in lines
    ]
    assert 'x:num="52.3"' in html and 'x:num="7.0"' in html  # 52.3 % and 7 rencontres
    # one line per year row: the baseline under a relative target stays in its cell
    assert (
        "(2024-2025) Mesure de départ (2024-2025) : 8,2 · seuil : 8,3\t8,4 résultat provisoire\t"
        in (text.replace("\u00a0", " "))
    )


def test_provisional_results_are_marked_until_their_year_is_closed(chromium_browser, tmp_path):
    """On 2026-05-15 (reporting year 2025-2026): OPHQ 2024-2025 and OPQ's years are closed,
    their results final and unmarked; OPHQ 2025-2026 has ended without its closing, so each of
    its results reads « résultat provisoire » (a year with no result, no mark)."""
    engine = build_demo_warehouse(tmp_path / "warehouse.db")
    out = write_report(engine, tmp_path / "rapport.html", generated_at=GENERATED,
                       as_of=dt.date(2026, 5, 15))  # fmt: skip
    page, _ = _open(chromium_browser, out.as_uri())
    try:
        years = [r for r in _rows(page, "1.1.2") if len(r) == 4]  # explanation rows aside
        assert years[:2] == [
            ["2024-2025", "≥ 50 %", "52,3\u00a0%", "Atteinte"],
            ["2025-2026", "≥ 53 %", "49,8\u00a0% résultat provisoire", "Non atteinte"],
        ]
        marked = {
            (ind, row[0])
            for ind in ("1.1.2", "2.1.1", "2.2.1", "4.1.1", "4.4.1")
            for row in _rows(page, ind)
            if len(row) == 4 and "résultat provisoire" in row[2]
        }
        # 2025-2026 results: 1.1.2 49.8, 2.2.1 8.4, 4.1.1 6, 4.4.1 1; 2.1.1 has none (no_data
        # prints "—" with its reason: no value, nothing to mark)
        assert marked == {(i, "2025-2026") for i in ("1.1.2", "2.2.1", "4.1.1", "4.4.1")}
        opq = page.locator("section.plan").filter(has_text="Plan stratégique 2019-2023")
        assert "résultat provisoire" not in opq.inner_text()
    finally:
        page.close()
