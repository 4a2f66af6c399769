"""Results by administrative region (docs/contracts.md §5.9): the breakdown, its suppression,
the warehouse rows and the report's table, with hand-computed cells."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from measure_fixtures import run, stage
from test_report import FY1, FY2, GENERATED, PLAN, build_warehouse
from warehouse_rows import add_indicators

from plan_indicators import warehouse as wh
from plan_indicators.regions import (
    PRIMARY,
    SECONDARY,
    UNKNOWN,
    RegionCell,
    counts_by_region,
    suppress,
)
from plan_indicators.report import load_view, renderers


def _by_code(cells: list[RegionCell]) -> dict[str, RegionCell]:
    return {c.region_code: c for c in cells}


def test_one_small_cell_takes_the_next_smallest_with_it():
    cells = _by_code(suppress({"01": (3, 10), "02": (1, 4), "03": (6, 8), "06": (20, 40)}))
    # 02 has 4 < 5 cases: primary. Alone, it would be 30 - (3 + 6 + 20) = 1 of 62 - 58 = 4, so
    # the published region with the fewest cases, 03 (8), is withheld as well.
    assert cells["02"].suppressed == PRIMARY
    assert cells["03"].suppressed == SECONDARY
    assert (cells["03"].value, cells["03"].numerator, cells["03"].denominator) == (None,) * 3
    # 01: 100 * 3 / 10 = 30 ; 06: 100 * 20 / 40 = 50
    assert (cells["01"].value, cells["06"].value) == (30.0, 50.0)
    assert cells["01"].suppressed is None
    assert list(_by_code(suppress({"06": (1, 5), "01": (1, 5)}))) == ["01", "06"]


def test_two_small_cells_reveal_only_their_sum():
    cells = _by_code(suppress({"01": (1, 2), "02": (2, 3), "03": (5, 10)}))
    assert [cells[c].suppressed for c in ("01", "02", "03")] == [PRIMARY, PRIMARY, None]
    assert cells["03"].value == 50.0  # 100 * 5 / 10


def test_no_small_cell_publishes_every_region_and_five_is_enough():
    cells = suppress({"04": (5, 5), "05": (0, 9)})
    assert [(c.region_code, c.value, c.suppressed) for c in cells] == [
        ("04", 100.0, None),  # 5 of 5
        ("05", 0.0, None),  # 0 of 9: a real zero, 9 cases
    ]


def test_rows_without_a_region_are_their_own_cell_last():
    frame = pd.DataFrame({"region_code": ["03", None, "", "03", "99"]})
    hits = pd.Series([True, True, False, False, True])
    counts = counts_by_region(frame, hits)
    # 03: rows 1 and 4, one hit; none, blank and an unknown code: rows 2, 3, 5, two hits
    assert counts == {"03": (1, 2), UNKNOWN: (2, 3)}
    assert [c.region_code for c in suppress({UNKNOWN: (5, 5), "17": (5, 5), "02": (5, 5)})] == [
        "02",
        "17",
        UNKNOWN,
    ]
    assert suppress({UNKNOWN: (5, 5)})[0].region_fr == "Région non précisée"


def test_a_source_without_regions_has_no_breakdown():
    assert counts_by_region(pd.DataFrame({"x": [1]}), pd.Series([True])) == {}


def _request(i, day, channel, region):
    return {"request_id": str(i), "received_date": day, "channel": channel, "region_code": region}


def test_digital_requests_by_region_add_up_to_the_total(tmp_path):
    rows = [
        _request(1, "2024-04-02", "web_form", "03"),
        _request(2, "2024-05-02", "phone", "03"),
        _request(3, "2024-06-02", "email", "06"),
        _request(4, "2024-07-02", "chat", "06"),
        _request(5, "2024-08-02", "mail", None),
        _request(6, "2025-04-02", "web_form", "03"),  # 2025-2026: another year
    ]
    stage(tmp_path, "service_requests", rows)
    result = run("share_requests_by_channel", tmp_path)
    # 2024-2025: digital 1, 3, 4 of 5 -> 60 %; 03: 1 of 2; 06: 2 of 2; no region: 0 of 1
    assert result.value == 60.0
    assert result.regions == {"03": (1, 2), "06": (2, 2), UNKNOWN: (0, 1)}
    assert sum(n for n, _ in result.regions.values()) == result.numerator
    assert sum(d for _, d in result.regions.values()) == result.denominator


def test_processed_coordinations_by_region_count_eligible_requests_only(tmp_path):
    def req(i, region, eligible, processed):
        return {"request_id": str(i), "region_code": region, "received_date": "2024-05-01",
                "eligible": eligible, "processed_date": processed}  # fmt: skip

    stage(
        tmp_path,
        "coordination_requests",
        [
            req(1, "08", True, "2024-06-01"),
            req(2, "08", True, None),
            req(3, "08", False, None),  # not eligible: in no term
            req(4, "11", True, "2024-07-01"),
            req(5, "11", True, "2026-06-01"),  # processed after the as-of date 2026-01-01
        ],
    )
    result = run("share_eligible_processed", tmp_path)
    # eligible 1, 2, 4, 5; processed by the as-of date 1, 4: 100 * 2 / 4 = 50
    assert result.value == 50.0
    assert result.regions == {"08": (1, 2), "11": (1, 2)}


def test_a_missing_result_has_no_regions(tmp_path):
    stage(tmp_path, "service_requests", [_request(1, "2025-04-02", "web_form", "03")])
    result = run("share_requests_by_channel", tmp_path)  # nothing in 2024-2025
    assert result.value is None and result.regions == {}


def _result_row(fy, value):
    return {"plan_id": PLAN, "indicator_id": "1.1.1", "fiscal_year": fy, "value": value,
            "is_final": False}  # fmt: skip


def test_regions_are_written_with_their_result_and_replaced_by_the_next(tmp_path):
    engine = wh.engine_for(f"sqlite:///{tmp_path / 'w.db'}")
    wh.create_schema(engine)
    key = {"plan_id": PLAN, "indicator_id": "1.1.1", "fiscal_year": FY1}
    add_indicators(engine, PLAN, ["1.1.1"])
    wh.publish_result(engine, _result_row(FY1, 60.0), suppress({"03": (1, 2), "06": (20, 40)}))
    rows = wh.read_rows(engine, wh.indicator_result_region, **key)
    # one region alone below 5: 03 primary, 06 secondary; nothing of either is kept
    assert {(r["region_code"], r["suppressed"], r["numerator"]) for r in rows} == {
        ("03", PRIMARY, None),
        ("06", SECONDARY, None),
    }
    wh.publish_result(engine, _result_row(FY1, None))
    assert wh.read_rows(engine, wh.indicator_result_region, **key) == []


def test_report_shows_the_reporting_years_regions_with_x(tmp_path):
    engine = build_warehouse(tmp_path)
    key = {"plan_id": PLAN, "indicator_id": "1.1.1"}
    cells = {FY1: {"03": (3, 4), "06": (10, 20), "13": (9, 10)}, FY2: {"06": (7, 10)}}
    with engine.begin() as conn:
        for fy, counts in cells.items():
            rows = wh.region_rows({**key, "fiscal_year": fy}, suppress(counts))
            wh.delete_insert(conn, wh.indicator_result_region, {**key, "fiscal_year": fy}, rows)
    view = load_view(
        engine, plan_ids=[PLAN], generated_at=GENERATED, as_of=dt.date(2026, 5, 1),
        fiscal_year=FY1,
    )  # fmt: skip
    ind = next(i for i in view.plans[0].indicators if i.indicator_id == "1.1.1")
    assert ind.regions.fiscal_year == FY1
    # 03: 4 cases, primary; 13 (10 cases) < 06 (20): secondary; 06: 100 * 10 / 20 = 50
    assert [(c.region_code, c.display) for c in ind.regions.cells] == [
        ("03", "x"),
        ("06", "50,0\u202f%"),
        ("13", "x"),
    ]
    html = renderers()["html"].render(view).decode()
    assert "Résultats par région" in html and "13 Laval" in html
    assert "donnée confidentielle" in html
    later = load_view(engine, plan_ids=[PLAN], generated_at=GENERATED, as_of=dt.date(2026, 5, 1))
    ind2 = next(i for i in later.plans[0].indicators if i.indicator_id == "1.1.1")
    assert ind2.regions.fiscal_year == FY2
    assert [c.display for c in ind2.regions.cells] == ["70,0\u202f%"]  # 7 of 10
