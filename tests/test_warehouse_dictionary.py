"""The data dictionary BI reads: every table, column and view column described, docs/warehouse.md
generated from those descriptions, and the descriptions kept by PostgreSQL as comments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from plan_indicators import docgen
from plan_indicators import warehouse as wh

ROOT = Path(__file__).resolve().parent.parent


def test_every_table_column_and_view_column_is_described():
    missing = docgen.undescribed()
    assert not missing, f"warehouse without a description: {', '.join(missing)}; {docgen.DESCRIBE}"


def test_an_undescribed_column_is_refused_with_what_to_do(monkeypatch):
    table = sa.Table("toy_table", wh.metadata, sa.Column("toy_id", sa.Integer), comment="Toy.")
    try:
        assert docgen.undescribed() == ["toy_table.toy_id"]
        with pytest.raises(docgen.DocError) as err:
            docgen.warehouse_markdown()
        assert "toy_table.toy_id" in str(err.value)
        assert 'comment="…"' in str(err.value) and docgen.REGENERATE in str(err.value)
    finally:
        wh.metadata.remove(table)


def test_view_columns_are_the_ones_described(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    wh.create_schema(engine)
    with engine.connect() as conn:
        for view in wh.VIEWS:
            actual = list(conn.execute(sa.text(f"SELECT * FROM {view.name} LIMIT 0")).keys())
            assert actual == list(view.columns), (
                f"{view.name} has columns {actual}, its View in plan_indicators/warehouse.py "
                f"describes {list(view.columns)}: map each new column to its 'table.column' or "
                f"describe it, then run `{docgen.REGENERATE}`"
            )
            for name, origin in view.columns.items():
                if re.fullmatch(r"\w+\.\w+", origin):
                    assert view.origin(name) is not None, f"{view.name}.{name}: no {origin}"
    engine.dispose()


def test_committed_dictionary_is_the_generated_one():
    committed = (ROOT / docgen.WAREHOUSE_DOC).read_text(encoding="utf-8")
    assert committed == docgen.warehouse_markdown(), (
        f"docs/warehouse.md differs from plan_indicators/warehouse.py: run `{docgen.REGENERATE}` "
        "and commit it"
    )
    for table in wh.metadata.tables.values():
        assert f"## {table.name}\n" in committed
        for column in table.columns:
            assert f"| `{column.name}` |" in committed


@pytest.mark.postgres
def test_postgresql_keeps_every_description_as_a_comment(pg_url):
    engine = wh.engine_for(pg_url)
    inspector = sa.inspect(engine)
    for table in wh.metadata.tables.values():
        assert inspector.get_table_comment(table.name)["text"] == table.comment
        comments = {c["name"]: c["comment"] for c in inspector.get_columns(table.name)}
        assert comments == {c.name: c.comment for c in table.columns}, table.name
    with engine.connect() as conn:
        for view in wh.VIEWS:
            [view_comment] = conn.execute(
                sa.text("SELECT obj_description(CAST(:v AS regclass), 'pg_class')"),
                {"v": view.name},
            ).one()
            assert view_comment == view.comment
            rows = conn.execute(
                sa.text(
                    "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                    "WHERE a.attrelid = CAST(:v AS regclass) AND a.attnum > 0"
                ),
                {"v": view.name},
            ).all()
            assert dict(rows) == {c: view.description(c) for c in view.columns}, view.name


@pytest.mark.postgres
def test_a_column_added_to_an_older_warehouse_gets_its_comment(pg_url):
    engine = wh.engine_for(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE dim_indicator DROP COLUMN note_fr"))
    assert wh.add_missing_columns(engine) == ["dim_indicator.note_fr"]
    comments = {c["name"]: c["comment"] for c in sa.inspect(engine).get_columns("dim_indicator")}
    assert comments["note_fr"] == wh.dim_indicator.c.note_fr.comment
