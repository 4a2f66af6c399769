"""The view model every output format renders, and the registry that finds the formats."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest
from test_report import FY1, FY2, GENERATED, PLAN, build_warehouse

from plan_indicators import warehouse as wh
from plan_indicators.report import formats, load_view, renderers


@pytest.fixture
def view(tmp_path):
    return load_view(build_warehouse(tmp_path), plan_ids=[PLAN], generated_at=GENERATED)


def test_tree_follows_enjeu_orientation_objective(view):
    (plan,) = view.plans
    assert plan.fiscal_years == (FY1, FY2)
    tree = [
        (e.text, [(o.text, [(obj.text, [i.indicator_id for i in obj.indicators])
                            for obj in o.objectives]) for o in e.orientations])
        for e in plan.enjeux
    ]  # fmt: skip
    assert tree == [
        ("1 — L'accès aux services", [("1 — Informer la population", [
            ("1.1 Mieux informer", ["1.1.1"]), ("1.2 Répondre plus vite", ["1.2.1"])])]),
        ("2 — La gouvernance", [("2 — Moderniser", [("2.1 Adopter la politique", ["2.1.1"])])]),
    ]  # fmt: skip
    assert [i.indicator_id for i in plan.indicators] == ["1.1.1", "1.2.1", "2.1.1"]


def test_year_carries_published_values(view):
    ind = view.plans[0].indicators[0]
    assert ind.unit == "percent" and ind.numeric
    assert ind.assumptions == ("Portée organique seulement", "Publications étiquetées")
    y1, y2 = ind.years
    # unrounded value kept, display rounded half up: 52.25 -> "52,3 %"
    assert (y1.value, y1.value_display, y1.threshold) == (52.25, "52,3\u202f%", 50.0)
    assert (y1.status, y1.status_fr, y1.kind, y1.target_text) == ("met", "Atteinte", "at_least",
                                                                  "≥ 50 %")  # fmt: skip
    assert (y1.is_final, y1.data_as_of) == (True, dt.date(2025, 3, 31))
    assert y2.status == "not_met" and y2.is_final is False
    assert y1.explanation is None and y2.explanation is None
    delay = view.plans[0].indicators[1].years[0]
    assert delay.value is None and delay.value_display is None and delay.status == "no_data"
    assert delay.notes == ("Aucun fichier activity_register",)
    milestone = view.plans[0].indicators[2]
    assert not milestone.numeric
    # a milestone never prints the pipeline's "Non atteinte" display as a result
    assert milestone.years[0].value_display is None
    assert milestone.years[1].achieved_on == dt.date(2026, 2, 15)
    assert milestone.years[1].notes == ("Adoptée au conseil d'administration de février",)
    assert [r[2].fiscal_year for r in view.rows()] == [FY1, FY2] * 3
    assert view.data_as_of == dt.date(2026, 3, 31)


def test_baseline_value_from_baseline_year_or_catalog(tmp_path):
    engine = build_warehouse(tmp_path)
    key = {"plan_id": PLAN, "indicator_id": "1.1.1"}
    with engine.begin() as conn:
        # FY2 compared to FY1's result: baseline 52.25, +2 % -> threshold 53.295
        conn.execute(
            wh.indicator_target.update()
            .where(*[wh.indicator_target.c[k] == v for k, v in key.items()],
                   wh.indicator_target.c.fiscal_year == FY2)
            .values(kind="relative_to_baseline", baseline_year=FY1, threshold=53.295,
                    params=json.dumps({"percent": 2, "baseline_year": FY1}))
        )  # fmt: skip
        # 1.2.1 FY2: a catalog baseline_value (before the data) wins over any result
        conn.execute(
            wh.indicator_target.update()
            .where(wh.indicator_target.c.indicator_id == "1.2.1",
                   wh.indicator_target.c.fiscal_year == FY2)
            .values(kind="relative_to_baseline", baseline_year="2020-2021",
                    params=json.dumps({"baseline_value": 12.0, "percent": -10}))
        )  # fmt: skip
    view = load_view(engine, plan_ids=[PLAN], generated_at=GENERATED)
    y2 = view.plans[0].indicators[0].years[1]
    assert (y2.baseline_year, y2.baseline_value) == (FY1, 52.25)
    # the evaluation's threshold (55.0, as published) wins over the target's 53.295
    assert y2.threshold == 55.0
    delay = view.plans[0].indicators[1].years[1]
    assert (delay.baseline_year, delay.baseline_value) == ("2020-2021", 12.0)
    assert view.plans[0].indicators[0].years[0].baseline_value is None


def test_a_format_is_one_new_module(tmp_path, monkeypatch):
    assert "html" in renderers()
    (tmp_path / "toy.py").write_text(
        "from plan_indicators.report.formats import Renderer\n"
        "RENDERER = Renderer('toy', '.txt', 'essai', lambda view: str(len(view.plans)).encode())\n"
    )
    monkeypatch.setattr(formats, "__path__", [*formats.__path__, str(tmp_path)])
    formats.renderers.cache_clear()
    try:
        assert formats.renderer("toy").suffix == ".txt"
        (tmp_path / "broken.py").write_text("X = 1\n")
        formats.renderers.cache_clear()
        with pytest.raises(ImportError, match="broken declares no RENDERER"):
            formats.renderers()
    finally:
        monkeypatch.undo()
        formats.renderers.cache_clear()
        for name in ("toy", "broken"):
            sys.modules.pop(f"{formats.__name__}.{name}", None)
    assert "toy" not in renderers()
    with pytest.raises(KeyError, match="unknown output format 'toy'"):
        formats.renderer("toy")
