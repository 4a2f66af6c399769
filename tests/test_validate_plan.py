"""`validate-plan` makes every check a run makes: what it accepts builds, loads and runs.

Odd but valid catalogs (accented or marked-up headings, ids with any character) used to pass
`validate-plan` and then stop the run when Dagster validated its tags and asset keys.
"""

from __future__ import annotations

import copy
from pathlib import Path

import dagster as dg
import pytest
import yaml
from zone_run import run_zone, warehouse_url

from assets.tags import TAG_VALUE_MAX, first_word, tag_value
from orchestration import cli
from orchestration.definitions import definitions_for
from plan_indicators import warehouse as wh
from plan_indicators.catalog import load_plan

ODD = {
    "plan": {
        "id": "odd-2024-2026",
        "organisation": "Office « étrange »",
        "title": "Plan <b>stratégique</b> 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
        "owners": ["team:planification"],
    },
    "indicators": [
        {
            "id": "1.1 é/(b)",
            "enjeu": "Accès aux services et leur qualité",
            "orientation": "Orientation <i>première</i>",
            "objective": "1.1 Objectif",
            "text_fr": "Nombre de rencontres",
            "unit": "count",
            "measure": {"name": "register_count"},
            "targets": {"2024-2025": {"kind": "at_least", "value": 2}},
        },
        {
            "id": "Ω-2",
            "enjeu": "<b>2</b> — <i>Une réponse</i> aux besoins",
            "orientation": "—",
            "objective": "2.1",
            "text_fr": "Taux de notoriété",
            "unit": "percent",
            "measure": {"name": "survey_value"},
            "owners": ["analyste@exemple.qc.ca"],
            "targets": {"2025-2026": {"kind": "at_least", "value": 60}},
        },
        {
            "id": "3",
            "enjeu": "É" * 80,
            "orientation": "3",
            "objective": "3.1",
            "text_fr": "Indice",
            "unit": "score",
            "scale": {"min": -100, "max": 100},
            "measure": {"name": "survey_value"},
            "targets": {"2025-2026": {"kind": "at_least_previous"}},
        },
    ],
}


def _write(folder: Path, raw: dict, name: str = "odd.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_tag_values_are_what_dagster_accepts():
    assert tag_value("Accès aux services") == "Acces_aux_services"
    assert tag_value("<b>x</b> & y") == "x_y"
    assert tag_value("«»") == "none"
    assert len(tag_value("é" * 80)) == TAG_VALUE_MAX  # "e" × 63
    assert first_word("1 — L'accès aux services") == "1"
    assert first_word("<b>2</b> — <i>Une réponse</i>") == "2"
    assert first_word("Accès aux services") == "Acces"
    assert first_word("") == "none"


def test_odd_but_valid_catalog_passes_validate_plan_and_builds(tmp_path, capsys):
    path = _write(tmp_path, ODD)
    assert cli.main(["validate-plan", str(path)]) == 0
    assert f"{path}: OK (odd-2024-2026, 3 indicators)" in capsys.readouterr().out
    defs = definitions_for((load_plan(path),))
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    tags = {
        key.path[-1]: graph.get(key).tags
        for key in graph.get_all_asset_keys()
        if key.path[0] == "indicator_result"
    }
    # "1.1 é/(b)" → i_1_1_e__b_; "Ω-2" → Ω has no ASCII form: i___2; "3" → i_3
    assert set(tags) == {"i_1_1_e__b_", "i___2", "i_3"}
    assert tags["i_1_1_e__b_"]["enjeu"] == "Acces"
    assert tags["i___2"]["enjeu"] == "2"
    assert tags["i_3"]["enjeu"] == "E" * TAG_VALUE_MAX


def test_what_validate_plan_accepts_the_run_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "test-key-not-secret")
    plans = tmp_path / "plans"
    _write(plans, ODD)
    register = tmp_path / "landing" / "activity_register"
    register.mkdir(parents=True)
    (register / "registre.csv").write_text(
        "plan_id,indicator_id,record_id,event_date\n"
        "odd-2024-2026,1.1 é/(b),r1,2024-05-01\n"
        "odd-2024-2026,1.1 é/(b),r2,2024-11-15\n",
        encoding="utf-8",
    )
    url = warehouse_url(tmp_path)
    outcome = run_zone(tmp_path)
    assert outcome.ok, outcome.failures
    rows = wh.table_rows(wh.engine_for(url), "indicator_evaluation")
    status = {(r["indicator_id"], r["fiscal_year"]): r["status"] for r in rows}
    assert status[("1.1 é/(b)", "2024-2025")] == "met"  # 2 meetings ≥ 2
    assert status[("Ω-2", "2025-2026")] == "no_data"  # no survey file


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda r: r["indicators"][0]["targets"].update(
                {"2025-2026": {"kind": "relative_to_baseline", "percent": 5,
                               "baseline_year": "1990-1991"}}
            ),
            "baseline year 1990-1991 is more than 3 years before the plan's first year",
        ),
        (
            lambda r: r["plan"].update(owners=["Direction de la planification"]),
            "owner 'Direction de la planification' must be an e-mail address or 'team:NAME'",
        ),
    ],
    ids=["old_baseline", "owner"],
)  # fmt: skip
def test_validate_plan_refuses_what_the_run_would(tmp_path, capsys, edit, message):
    raw = copy.deepcopy(ODD)
    edit(raw)
    path = _write(tmp_path, raw)
    assert cli.main(["validate-plan", str(path)]) == 1
    assert message in capsys.readouterr().err


def test_files_valid_alone_may_clash_in_one_folder(tmp_path, capsys):
    first = _write(tmp_path, ODD, "a.yaml")
    second = _write(tmp_path, ODD, "b.yaml")
    assert cli.main(["validate-plan", str(first), str(second)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{second}: indicator -: field plan.id: plan id 'odd-2024-2026' is also the id of " in err
    )
    assert str(first) in err


def test_a_missing_file_is_named_not_a_traceback(tmp_path, capsys):
    missing = tmp_path / "nowhere.yaml"
    seed = Path(__file__).resolve().parents[1] / "data" / "plans" / "ophq-2024-2028.yaml"
    assert cli.main(["validate-plan", str(missing), str(seed)]) == 1
    out, err = capsys.readouterr()
    assert f"{missing}: no such file" in err and "Traceback" not in err
    assert "ophq-2024-2028.yaml: OK" in out  # the other file is still checked
