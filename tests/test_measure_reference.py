"""The measures reference (docs/contracts.md §2.6): every measure declares what an analyst needs
to choose and configure it, `plan-indicators measures` and docs/measures.md print those
declarations, and the catalog refuses a parameter with the list of accepted ones."""

from __future__ import annotations

import copy
import inspect
from pathlib import Path

import pytest
import yaml

from orchestration.cli import main
from plan_indicators import measure_reference
from plan_indicators.catalog import CatalogError, load_plan
from plan_indicators.measures import REQUIRED, registry
from plan_indicators.sources.contracts import CONTRACTS

ROOT = Path(__file__).resolve().parent.parent

PLAN = {
    "plan": {
        "id": "demo-2024-2026",
        "organisation": "Office de démonstration",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "indicators": [
        {
            "id": "2.1",
            "enjeu": "2 — Services",
            "orientation": "2 — Servir",
            "objective": "2.1 Répondre vite",
            "text_fr": "Délai moyen de traitement des plaintes",
            "unit": "days",
            "direction": "lower_is_better",
            "measure": {"name": "register_mean_delay"},
            "targets": {"2024-2025": {"kind": "at_most", "value": 20}},
        }
    ],
}


def _refusal(tmp_path, measure: dict) -> str:
    raw = copy.deepcopy(PLAN)
    raw["indicators"][0]["measure"] = measure
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_plan(path)
    return str(info.value)


def test_every_measure_declares_what_an_analyst_needs():
    for name, m in registry().items():
        assert m.label_fr, f"{name}: no label_fr (the plan wording it answers)"
        assert m.units, f"{name}: no units"
        assert measure_reference.paragraphs(m), f"{name}: no docstring"
        assert all(s in CONTRACTS for s in m.sources), f"{name}: unknown source"
        signature = list(inspect.signature(m.fn).parameters.values())[1:]
        params = m.parameters()
        assert [p.name for p in params] == [p.name for p in signature]
        for p, s in zip(params, signature, strict=True):
            assert p.doc, f"{name}.{p.name}: no meaning declared"
            assert p.default is s.default  # the signature's own default
            if p.default is REQUIRED:
                assert p.example is not None, f"{name}.{p.name}: required, no example"


def test_every_example_in_the_reference_loads(tmp_path):
    """The catalog lines the reference shows for a measure are a valid catalog measure."""
    for name, m in registry().items():
        raw = copy.deepcopy(PLAN)
        ind = raw["indicators"][0]
        ind["measure"] = yaml.safe_load(measure_reference.example(m))["measure"]
        ind["unit"] = m.units[0]
        ind["direction"] = "higher_is_better"
        ind["targets"] = {"2024-2025": {"kind": "first_measure"}}
        if m.units[0] == "score":
            ind["scale"] = {"min": 0, "max": 10}
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        assert load_plan(path).indicators[0].measure.name == name


def test_an_unknown_parameter_lists_the_accepted_ones(tmp_path):
    err = _refusal(tmp_path, {"name": "register_mean_delay", "params": {"max_days": 30}})
    assert (
        "indicator 2.1: field measure.params.max_days: measure 'register_mean_delay' takes no "
        "'max_days'; it takes: business_days (true/false; default true); statistic (one of "
        "mean, median; default mean)"
    ) in err
    err = _refusal(tmp_path, {"name": "register_rate", "params": {"days": 30}})
    assert "measure 'register_rate' takes no 'days'; it takes: no parameters" in err


def test_a_value_outside_the_allowed_set_is_refused_naming_file_field_and_values(tmp_path):
    err = _refusal(tmp_path, {"name": "register_mean_delay", "params": {"statistic": "banana"}})
    assert (
        f"{tmp_path / 'plan.yaml'}: indicator 2.1: field measure.params.statistic: measure "
        "'register_mean_delay' statistic 'banana' is not accepted; allowed: mean, median"
    ) in err
    err = _refusal(
        tmp_path, {"name": "share_requests_by_channel", "params": {"channels": ["web", "email"]}}
    )
    assert (
        "field measure.params.channels: measure 'share_requests_by_channel' channels 'web' is "
        "not accepted; allowed: web_form, email, chat, phone, mail, in_person, fax"
    ) in err
    err = _refusal(
        tmp_path,
        {"name": "share_plans_with_consultation", "params": {"organisation_types": ["ville"]}},
    )
    assert "organisation_types 'ville' is not accepted; allowed: ministere, organisme" in err
    err = _refusal(tmp_path, {"name": "register_milestone", "params": {"subjects": 0}})
    assert "measure 'register_milestone' subjects 0 is below its minimum 1" in err
    err = _refusal(
        tmp_path, {"name": "distinct_users", "params": {"pages": ["/"], "event_name": "click"}}
    )
    assert "event_name 'click' is not accepted; allowed: page_view" in err


def test_a_missing_required_parameter_says_what_it_is(tmp_path):
    err = _refusal(tmp_path, {"name": "share_posts_reach_at_least"})
    assert (
        "field measure.params.min_reach: measure 'share_posts_reach_at_least' needs "
        "'min_reach': min_reach (number; required)"
    ) in err


def test_the_measures_command_prints_the_declarations(capsys):
    assert main(["measures", "register_mean_delay"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("register_mean_delay — Délai moyen")
    assert "    reads: activity_register" in out
    assert "    units: days" in out
    assert "    denominator: yes" in out
    assert "      statistic: text, default mean; accepted: mean, median — " in out
    assert "register_count" not in out


def test_the_measures_command_filters_by_unit(capsys):
    assert main(["measures", "--unit", "date"]) == 0
    out = capsys.readouterr().out
    listed = [line.split(" — ")[0] for line in out.splitlines() if line and line[0] != " "]
    assert listed == [n for n, m in sorted(registry().items()) if "date" in m.units]
    assert main(["measures", "no_such_measure"]) == 2
    assert "unknown no_such_measure; known: distinct_users" in capsys.readouterr().err


def test_docs_measures_md_is_the_declarations():
    text = (ROOT / "docs" / "measures.md").read_text(encoding="utf-8")
    assert text == measure_reference.markdown()
    for name, m in registry().items():
        assert f"\n## {name}\n" in text
        assert m.label_fr in text
        for p in m.parameters():
            assert f"| `{p.name}` |" in text
