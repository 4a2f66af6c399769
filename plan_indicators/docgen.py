"""The generated parts of `docs/`, written from the code they describe so they cannot drift.

`docs/measures.md`, the measures reference, is generated whole from the measures' declarations
(plan_indicators/measure_reference.py). `docs/warehouse.md`, the data dictionary, is generated
whole from the `comment=` of the tables and columns of plan_indicators/warehouse.py and from its
views' column maps.
`docs/contracts.md` keeps hand-written prose around generated blocks (one per landing-zone
source, one for the measure library), each between `<!-- BEGIN GENERATED name -->` and
`<!-- END GENERATED name -->`. Regenerate after changing a table, a contract or a measure with
`python -m plan_indicators.docgen` (`--check` only reports what is stale, exit 1).
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from plan_indicators import measure_reference

REGENERATE = "python -m plan_indicators.docgen"
ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DOC = Path("docs") / "contracts.md"
WAREHOUSE_DOC = Path("docs") / "warehouse.md"
MEASURES_DOC = Path("docs") / "measures.md"

# How each `Column.type` of plan_indicators/sources/declaration.py reads, for data providers.
TYPE_TEXT = {
    "str": "text",
    "date": "date `YYYY-MM-DD`",
    "yyyymmdd": "date `YYYYMMDD`",
    "mdy_hm": "date-time `MM/DD/YYYY HH:MM` (seconds allowed), local time",
    "bool": "boolean",
    "int": "whole number",
    "float": "number",
    "fiscal_year": "fiscal year `YYYY-YYYY`",
}

_BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED (?P<name>[\w:-]+) -->\n)(?P<body>.*?)"
    r"(<!-- END GENERATED (?P=name) -->)",
    re.S,
)


class DocError(ValueError):
    """A doc that cannot be generated; the message says what to add and where."""


def _code(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _range(col) -> str:
    if col.minimum is not None and col.maximum is not None:
        return f"{col.minimum:g} to {col.maximum:g}"
    if col.minimum is not None:
        return f"≥ {col.minimum:g}"
    if col.maximum is not None:
        return f"≤ {col.maximum:g}"
    return ""


def source_block(name: str) -> str:
    """The contract of one landing-zone folder: what a file must hold, column by column."""
    from plan_indicators.sources.contracts import CONTRACTS

    contract = CONTRACTS[name]
    facts = [
        f"Folder `{name}/`, one row per {contract.row}.",
        f"Files: {_code(contract.formats)}.",
    ]
    if contract.key:
        facts.append(f"Key: {_code(contract.key)} (a repeated key is quarantined).")
    if contract.date_column:
        facts.append(f"Date of a row: `{contract.date_column}`.")
    if contract.coverage:
        facts.append(f"Coverage checked by {contract.coverage} (§4.9).")
    refs = [
        f"`{c}` → `{r.source}.{r.column}` (unknown: `{r.rule}`)"
        for c, r in contract.references.items()
    ]
    if refs:
        facts.append(f"References: {', '.join(refs)}.")
    if contract.sheet:
        facts.append(f"Workbook sheet: `{contract.sheet}`.")
    lines = [" ".join(facts), "", "| column | required | type | accepted values | other headers |"]
    lines.append("|---|---|---|---|---|")
    for col in contract.columns:
        if col.type not in TYPE_TEXT:
            raise DocError(
                f"column {name}.{col.name} has type {col.type!r}, which the docs do not describe: "
                f"add it to TYPE_TEXT in plan_indicators/docgen.py, then run {REGENERATE}"
            )
        kind = (
            TYPE_TEXT[col.type]
            + (", personal: pseudonymised on ingestion" * col.personal)
            + (", free text: may span lines" * col.free_text)
            + (", identifier: Excel-mangled spellings refuse the file" * col.identifier)
        )
        accepted = _code(col.allowed) if col.allowed else _range(col)
        cells = [f"`{col.name}`", "yes" if col.required else "no", kind, accepted]
        cells.append(", ".join(f"`{a}`" for a in col.aliases))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _signature(fn) -> str:
    params = list(inspect.signature(fn).parameters.values())[1:]
    out = []
    for p in params:
        if p.default is inspect.Parameter.empty:
            out.append(f"`{p.name}` (required)")
        elif p.default is None:
            out.append(f"`{p.name}` (optional)")
        else:
            default = list(p.default) if isinstance(p.default, tuple) else p.default
            text = yaml.safe_dump(default, default_flow_style=True, allow_unicode=True)
            out.append(f"`{p.name}` = `{text.removesuffix(chr(10)).removesuffix('...').strip()}`")
    return ", ".join(out) or "—"


def measures_block() -> str:
    """Every registered measure: its name, the sources it reads, its parameters, what it counts."""
    from plan_indicators.measures import registry

    lines = ["| measure | sources | parameters | value |", "|---|---|---|---|"]
    for name, m in sorted(registry().items()):
        doc = " ".join(m.doc.split("\n\n")[0].split()) if m.doc else ""
        if not doc:
            raise DocError(
                f"measure {name!r} has no docstring: write one (its first paragraph says what the "
                f"value is), then run {REGENERATE}"
            )
        doc = doc.replace("|", "\\|")
        lines.append(f"| `{name}` | {_code(m.sources)} | {_signature(m.fn)} | {doc} |")
    return "\n".join(lines) + "\n"


def contracts_blocks() -> dict[str, Callable[[], str]]:
    """Every generated block of docs/contracts.md, by name."""
    from plan_indicators.sources.contracts import SOURCES

    blocks: dict[str, Callable[[], str]] = {"measures": measures_block}
    for source in SOURCES:
        blocks[f"source:{source}"] = lambda s=source: source_block(s)
    return blocks


def fill_blocks(text: str, blocks: dict[str, Callable[[], str]], doc: str) -> str:
    """`text` with every generated block rewritten; a block missing from the doc is an error."""
    found = {m.group("name") for m in _BLOCK.finditer(text)}
    missing = [n for n in blocks if n not in found]
    if missing:
        raise DocError(
            f"{doc} has no generated block for {', '.join(missing)}: add an empty pair of lines "
            + " and ".join(
                f"'<!-- BEGIN GENERATED {n} -->' / '<!-- END GENERATED {n} -->'" for n in missing
            )
            + f" in the right section (with its prose), then run {REGENERATE}"
        )
    unknown = sorted(found - set(blocks))
    if unknown:
        raise DocError(f"{doc} has generated blocks nothing generates: {', '.join(unknown)}")

    def body(m: re.Match) -> str:
        return m.group(1) + blocks[m.group("name")]() + m.group(4)

    return _BLOCK.sub(body, text)


def generated(root: Path = ROOT) -> dict[Path, str]:
    """Each generated doc's expected content, by path relative to `root`."""
    current = (root / CONTRACTS_DOC).read_text(encoding="utf-8")
    return {
        CONTRACTS_DOC: fill_blocks(current, contracts_blocks(), str(CONTRACTS_DOC)),
        WAREHOUSE_DOC: warehouse_markdown(),
        MEASURES_DOC: measure_reference.markdown(root),
    }


def stale(root: Path = ROOT) -> list[Path]:
    """Generated docs whose committed content differs from what the code gives."""
    return [
        rel
        for rel, text in generated(root).items()
        if not (root / rel).exists() or (root / rel).read_text(encoding="utf-8") != text
    ]


def write(root: Path = ROOT) -> list[Path]:
    """Rewrite every stale generated doc; returns those written."""
    written = []
    for rel, text in generated(root).items():
        path = root / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(rel)
    return written


DESCRIBE = (
    'give each one a description: `comment="…"` on the sa.Table or sa.Column in '
    "plan_indicators/warehouse.py (English, what a BI reader needs: meaning, unit, when it is "
    "null), or an entry in the View's `columns` for a view column, then run "
    f"`{REGENERATE}` (or `make docs`) and commit docs/warehouse.md"
)


def undescribed() -> list[str]:
    """Tables, columns and view columns of the warehouse that have no description."""
    from plan_indicators.warehouse import VIEWS, metadata

    missing = []
    for table in metadata.sorted_tables:
        if not (table.comment or "").strip():
            missing.append(f"table {table.name}")
        missing += [
            f"{table.name}.{c.name}" for c in table.columns if not (c.comment or "").strip()
        ]
    for view in VIEWS:
        if not view.comment.strip():
            missing.append(f"view {view.name}")
        missing += [f"{view.name}.{c}" for c in view.columns if not view.description(c).strip()]
    return missing


def _pg_type(column) -> str:
    from sqlalchemy.dialects import postgresql

    return column.type.compile(dialect=postgresql.dialect()).lower()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def warehouse_markdown() -> str:
    """docs/warehouse.md: every table and view of the warehouse, column by column."""
    from plan_indicators.warehouse import VIEWS, metadata

    missing = undescribed()
    if missing:
        raise DocError(f"warehouse without a description: {', '.join(missing)}; {DESCRIBE}")
    tables = list(metadata.tables.values())  # in the order warehouse.py defines them
    lines = [
        "# Warehouse data dictionary",
        "",
        "<!-- Generated from plan_indicators/warehouse.py by `python -m plan_indicators.docgen`."
        " Edit the `comment=` of a table or column there, not this file. -->",
        "",
        "What BI reads. The warehouse is an embedded SQLite file by default and PostgreSQL in "
        "production, where every table, view and column below carries its description as a "
        "comment. Types are PostgreSQL's. Fiscal years are written `YYYY-YYYY` and run from "
        "1 April to 31 March; times are UTC. How the values are computed: "
        "[contracts.md](contracts.md).",
        "",
        "| table | what a row is |",
        "|---|---|",
    ]
    lines += [f"| [`{t.name}`](#{t.name}) | {_cell(t.comment)} |" for t in tables]
    lines += [f"| [`{v.name}`](#{v.name}) (view) | {_cell(v.comment)} |" for v in VIEWS]
    for t in tables:
        key = ", ".join(f"`{c.name}`" for c in t.primary_key.columns)
        lines += ["", f"## {t.name}", "", _cell(t.comment), "", f"Key: {key}.", ""]
        for fk in sorted(t.foreign_key_constraints, key=lambda f: (f.referred_table.name,
                                                                  f.column_keys)):  # fmt: skip
            cols = ", ".join(f"`{c}`" for c in fk.column_keys)
            cascade = f" (on delete {fk.ondelete.lower()})" if fk.ondelete else ""
            lines += [f"Foreign key: ({cols}) → `{fk.referred_table.name}`{cascade}.", ""]
        lines += ["| column | type | null | description |", "|---|---|---|---|"]
        for c in t.columns:
            refs = "".join(
                f" References `{fk.target_fullname}`." for fk in sorted(c.foreign_keys, key=str)
            )
            null = "yes" if c.nullable and not c.primary_key else "no"
            lines.append(f"| `{c.name}` | {_pg_type(c)} | {null} | {_cell(c.comment)}{refs} |")
    for v in VIEWS:
        lines += ["", f"## {v.name}", "", f"View. {_cell(v.comment)}", ""]
        lines += ["| column | type | from | description |", "|---|---|---|---|"]
        for name in v.columns:
            origin = v.origin(name)
            kind, source = (
                (_pg_type(origin), f"`{origin.table.name}.{origin.name}`")
                if origin is not None
                else ("", "computed")
            )
            lines.append(f"| `{name}` | {kind} | {source} | {_cell(v.description(name))} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=REGENERATE, description=__doc__)
    p.add_argument("--check", action="store_true", help="report stale docs, write nothing")
    p.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = p.parse_args(argv)
    if args.check:
        paths = stale(args.root)
        for rel in paths:
            print(f"{rel} is stale: run {REGENERATE}")
        return 1 if paths else 0
    for rel in write(args.root):
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
