"""docs/contracts.md stays true to the code: generated tables current, every target kind, status,
command and environment variable documented, every "docs/contracts.md §N" citation resolvable."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from plan_indicators import docgen
from plan_indicators.catalog import TARGET_KINDS
from plan_indicators.sources.contracts import CONTRACTS, Column, SourceContract
from plan_indicators.statuses import STATUS_FR

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_MD = ROOT / "docs" / "contracts.md"
HEADING = re.compile(r"^#{2,4} (\d+(?:\.\d+)*)\.? ", re.M)
CITATION = re.compile(r"contracts\.md §(\d+(?:\.\d+)*)")


def _text() -> str:
    return CONTRACTS_MD.read_text(encoding="utf-8")


def _section(number: str) -> str:
    """The text of one numbered section, up to the next heading of the same or higher level."""
    text = _text()
    start = re.search(rf"^(#+) {re.escape(number)}\.? .*$", text, re.M)
    assert start, f"docs/contracts.md has no section §{number}"
    level = len(start.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, start.end())
    return text[start.end() : end.start() if end else len(text)]


def _first_cells(section: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", section, re.M)}


def test_generated_blocks_are_current():
    stale = docgen.stale()
    assert not stale, (
        f"{', '.join(map(str, stale))} differ from the code: run `{docgen.REGENERATE}` "
        "and commit the result"
    )


def test_every_source_and_measure_has_a_generated_table():
    text = _text()
    for source in CONTRACTS:
        block = docgen.source_block(source)
        assert block in text
        for col in CONTRACTS[source].columns:
            assert f"| `{col.name}` |" in block
    assert docgen.measures_block() in text


def test_a_new_source_without_its_block_is_refused_with_what_to_do(monkeypatch):
    toy = SourceContract("toy_source", "toy row", (Column("toy_id"),))
    monkeypatch.setitem(CONTRACTS, "toy_source", toy)
    monkeypatch.setattr(
        "plan_indicators.sources.contracts.SOURCES", (*CONTRACTS.keys(),), raising=True
    )
    with pytest.raises(docgen.DocError) as err:
        docgen.generated()
    assert "<!-- BEGIN GENERATED source:toy_source -->" in str(err.value)
    assert docgen.REGENERATE in str(err.value)


def test_a_column_type_the_docs_do_not_describe_is_refused(monkeypatch):
    toy = SourceContract("toy_source", "toy row", (Column("at", "duration"),))
    monkeypatch.setitem(CONTRACTS, "toy_source", toy)
    with pytest.raises(docgen.DocError, match="TYPE_TEXT"):
        docgen.source_block("toy_source")


def test_fill_blocks_rewrites_only_between_markers():
    text = "intro\n<!-- BEGIN GENERATED a -->\nold\n<!-- END GENERATED a -->\nkept\n"
    out = docgen.fill_blocks(text, {"a": lambda: "new\n"}, "x.md")
    assert out == "intro\n<!-- BEGIN GENERATED a -->\nnew\n<!-- END GENERATED a -->\nkept\n"
    with pytest.raises(docgen.DocError, match="nothing generates: a"):
        docgen.fill_blocks(text, {}, "x.md")


def test_every_target_kind_is_in_the_kinds_table():
    documented = _first_cells(_section("2.4"))
    missing = sorted(set(TARGET_KINDS) - documented)
    assert not missing, f"target kinds {missing} have no row in docs/contracts.md §2.4"


def test_every_status_is_documented_with_its_french_label():
    section = _section("3.1")
    for status, label in STATUS_FR.items():
        assert f"| `{status}` | {label} |" in section, (
            f"status {status!r} ({label}) has no row in docs/contracts.md §3.1"
        )


def test_every_command_is_documented():
    from orchestration.cli import _parser

    parser = _parser()
    [sub] = [a for a in parser._actions if a.dest == "command"]
    section = _section("7.1")
    missing = [name for name in sub.choices if f"`plan-indicators {name}" not in section]
    assert not missing, f"commands {missing} have no row in docs/contracts.md §7.1"


def test_every_environment_variable_is_documented():
    import resources.settings as settings

    names = [v for k, v in vars(settings).items() if k.startswith("ENV_")]
    names.append("PLAN_INDICATORS_HOME")
    section = _section("7.2")
    missing = [n for n in names if f"`{n}`" not in section]
    assert not missing, f"environment variables {missing} are not in docs/contracts.md §7.2"


def test_sections_are_numbered_once():
    numbers = HEADING.findall(_text())
    assert len(numbers) == len(set(numbers)), "a section number of docs/contracts.md repeats"


def _project_files():
    """Source, docs and catalog files of the repository, without the venv and generated data."""
    skip = {"var", "data", "node_modules", "__pycache__"}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in skip]
        dirs[:] = [d for d in dirs if not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            if path.suffix in (".py", ".md", ".yaml", ".yml") or name == "Makefile":
                yield path
    yield from (ROOT / "data" / "plans").glob("*.y*ml")


def test_every_citation_names_an_existing_section():
    sections = set(HEADING.findall(_text()))
    bad = []
    for path in sorted(_project_files()):
        rel = path.relative_to(ROOT)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            bad += [f"{rel}:{n}: §{m}" for m in CITATION.findall(line) if m not in sections]
    assert not bad, "citations of docs/contracts.md sections that do not exist:\n" + "\n".join(bad)


def test_nothing_cites_the_specification_outside_the_repository():
    """The contracts live in docs/contracts.md: the repository depends on no outside SPEC."""
    stale = re.compile("SPEC" + r" §|SPEC\.md")  # split, so this line does not match itself
    bad = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted(_project_files())
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if stale.search(line)
    ]
    assert not bad, (
        "cite docs/contracts.md §N (or docs/warehouse.md) instead of SPEC:\n" + "\n".join(bad)
    )


def _blocking_checks() -> set[str]:
    """Names of the blocking checks of the code location, read from its Definitions."""
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    specs = [s for c in defs.asset_checks for s in c.check_specs]
    specs += [s for a in defs.assets if hasattr(a, "check_specs") for s in a.check_specs]
    return {s.name for s in specs if s.blocking}


def _section_rows(number: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in _section(number).splitlines()
        if line.startswith("| `")
    ]


def _rows_of_8() -> list[list[str]]:
    return [r for n in ("8.1", "8.2", "8.3", "8.4") for r in _section_rows(n)]


def _unlisted_blocking_checks() -> list[str]:
    return sorted(_blocking_checks() - {r[0].strip("`") for r in _rows_of_8()})


def test_every_blocking_check_is_listed_with_what_it_assumes():
    missing = _unlisted_blocking_checks()
    assert not missing, f"blocking checks {missing} are not listed in docs/contracts.md §8"
    # file_contract, rows_reconciled and the raw and staging suites: the names Dagster blocks on
    # (the result suite refuses its own indicator instead, docs/contracts.md §2.8 and §8.4)
    assert _blocking_checks() == {
        "file_contract",
        "rows_reconciled",
        "great_expectations_raw",
        "great_expectations_staging",
    }
    assert all(len(r) == 6 and all(r) for r in _rows_of_8()), "a §8 row lacks one of its cells"


def test_every_rule_of_the_suites_and_every_file_rule_is_listed():
    from expectations.suites import SUITES_DIR, load_suite

    rules = {
        e["meta"]["rule"]
        for path in SUITES_DIR.glob("*.json")
        for e in load_suite(path.stem)["expectations"]
    }
    file_rules = _first_cells(_section("4.5"))
    text = "".join(_section(n) for n in ("8.2", "8.3", "8.4"))
    missing = sorted(r for r in rules | file_rules if f"`{r}`" not in text)
    assert not missing, f"rules {missing} are not listed in docs/contracts.md §8"


def test_a_blocking_check_added_to_the_code_location_is_found(monkeypatch):
    # The listing test reads the Definitions: a new blocking check shows in what it compares.
    import dagster as dg

    from orchestration import definitions

    @dg.asset_check(asset=dg.AssetKey(["raw", "survey_results"]), blocking=True)
    def surprise_check():
        return dg.AssetCheckResult(passed=True)

    built = definitions.build_definitions()
    extra = dg.Definitions(assets=built.assets, asset_checks=[*built.asset_checks, surprise_check])
    monkeypatch.setattr(definitions, "build_definitions", lambda: extra)
    assert _unlisted_blocking_checks() == ["surprise_check"]
