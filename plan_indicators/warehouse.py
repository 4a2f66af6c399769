"""Warehouse tables that BI reads (SPEC §4), and transactional, idempotent writes.

Every write of a (plan, indicator, fiscal year) runs in one transaction: delete its rows, insert
the new ones. A failure rolls back, so the previous rows stay published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

dim_plan = sa.Table(
    "dim_plan", metadata,
    sa.Column("plan_id", sa.String(64), primary_key=True),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("first_fiscal_year", sa.String(9), nullable=False),
    sa.Column("last_fiscal_year", sa.String(9), nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("catalog_file", sa.Text),
)  # fmt: skip

dim_indicator = sa.Table(
    "dim_indicator", metadata,
    sa.Column("plan_id", sa.String(64), primary_key=True),
    sa.Column("indicator_id", sa.String(32), primary_key=True),
    sa.Column("enjeu", sa.Text),
    sa.Column("orientation", sa.Text),
    sa.Column("objective", sa.Text),
    sa.Column("text_fr", sa.Text, nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("direction", sa.String(32), nullable=False),
    sa.Column("measure", sa.String(64), nullable=False),
    sa.Column("measure_params", sa.Text),
    sa.Column("assumptions", sa.Text),
    sa.Column("note_fr", sa.Text),
    sa.Column("sort_order", sa.Integer),
)  # fmt: skip

indicator_target = sa.Table(
    "indicator_target", metadata,
    sa.Column("plan_id", sa.String(64), primary_key=True),
    sa.Column("indicator_id", sa.String(32), primary_key=True),
    sa.Column("fiscal_year", sa.String(9), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text_fr", sa.Text),
    sa.Column("value", sa.Float),
    sa.Column("baseline_year", sa.String(9)),
    sa.Column("threshold", sa.Float),
    sa.Column("due", sa.Date),
    sa.Column("params", sa.Text),
)  # fmt: skip

indicator_result = sa.Table(
    "indicator_result", metadata,
    sa.Column("plan_id", sa.String(64), primary_key=True),
    sa.Column("indicator_id", sa.String(32), primary_key=True),
    sa.Column("fiscal_year", sa.String(9), primary_key=True),
    sa.Column("value", sa.Float),
    sa.Column("value_display", sa.Text),
    sa.Column("value_rounded", sa.Float),
    sa.Column("numerator", sa.Float),
    sa.Column("denominator", sa.Float),
    sa.Column("achieved_on", sa.Date),
    sa.Column("periods", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("data_as_of", sa.Date),
    sa.Column("is_final", sa.Boolean, nullable=False, default=False),
    sa.Column("run_id", sa.String(64)),
    sa.Column("inputs_fingerprint", sa.String(64)),
    sa.Column("computed_at", sa.DateTime(timezone=True)),
)  # fmt: skip

indicator_evaluation = sa.Table(
    "indicator_evaluation", metadata,
    sa.Column("plan_id", sa.String(64), primary_key=True),
    sa.Column("indicator_id", sa.String(32), primary_key=True),
    sa.Column("fiscal_year", sa.String(9), primary_key=True),
    sa.Column("value", sa.Float),
    sa.Column("threshold", sa.Float),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_fr", sa.Text, nullable=False),
    sa.Column("gap", sa.Float),
    sa.Column("note", sa.Text),
    sa.Column("evaluated_at", sa.DateTime(timezone=True)),
    sa.Column("run_id", sa.String(64)),
)  # fmt: skip

indicator_result_history = sa.Table(
    "indicator_result_history", metadata,
    sa.Column("plan_id", sa.String(64), primary_key=True),
    sa.Column("indicator_id", sa.String(32), primary_key=True),
    sa.Column("fiscal_year", sa.String(9), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("value", sa.Float),
    sa.Column("value_display", sa.Text),
    sa.Column("achieved_on", sa.Date),
    sa.Column("is_final", sa.Boolean),
    sa.Column("run_id", sa.String(64)),
    sa.Column("inputs_fingerprint", sa.String(64)),
    sa.Column("computed_at", sa.DateTime(timezone=True)),
    sa.Column("replaced_at", sa.DateTime(timezone=True)),
)  # fmt: skip

quarantine = sa.Table(
    "quarantine", metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("file", sa.String(512), primary_key=True),
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("column_name", sa.String(128)),
    sa.Column("rule", sa.String(128), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("value", sa.Text),
    sa.Column("file_checksum", sa.String(64)),
    sa.Column("quarantined_at", sa.DateTime(timezone=True)),
    sa.Column("run_id", sa.String(64)),
)  # fmt: skip

V_SCORECARD_SQL = """
CREATE VIEW v_scorecard AS
SELECT i.plan_id, p.organisation, p.title AS plan_title, i.indicator_id, i.enjeu, i.orientation,
       i.objective, i.text_fr, i.unit, i.direction, t.fiscal_year, t.kind AS target_kind,
       t.text_fr AS target_text_fr, t.threshold, r.value, r.value_display, r.achieved_on,
       r.numerator, r.denominator, r.is_final, r.data_as_of, e.status, e.status_fr, e.gap,
       e.note
FROM dim_indicator i
JOIN dim_plan p ON p.plan_id = i.plan_id
JOIN indicator_target t ON t.plan_id = i.plan_id AND t.indicator_id = i.indicator_id
LEFT JOIN indicator_result r ON r.plan_id = t.plan_id AND r.indicator_id = t.indicator_id
     AND r.fiscal_year = t.fiscal_year
LEFT JOIN indicator_evaluation e ON e.plan_id = t.plan_id AND e.indicator_id = t.indicator_id
     AND e.fiscal_year = t.fiscal_year
"""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per URL, with the schema created on first use."""
    if url not in _ENGINES:
        engine = sa.create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            _ensure_sqlite_dir(url)
        create_schema(engine)
        _ENGINES[url] = engine
    return _ENGINES[url]


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    db = sa.engine.make_url(url).database
    if db and db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)


def create_schema(engine: Engine) -> None:
    metadata.create_all(engine)
    add_missing_columns(engine)
    with engine.begin() as conn:
        if (
            not sa.inspect(conn).has_table("v_scorecard")
            and "v_scorecard" not in sa.inspect(conn).get_view_names()
        ):
            conn.execute(sa.text(V_SCORECARD_SQL))


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the nullable columns a newer release declares to a warehouse made by an older one.

    `create_all` creates missing tables but never alters existing ones, so a warehouse kept
    across releases would otherwise refuse every insert naming the new column. Only nullable
    columns are added (a new required column needs a real migration); returns "table.column"
    of each column added.
    """
    added = []
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        for table in metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or not column.nullable:
                    continue
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(
                    sa.text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
                )
                added.append(f"{table.name}.{column.name}")
    return added


def replace_rows(
    engine: Engine,
    table: sa.Table,
    where: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Delete the rows matching `where` and insert `rows`, in one transaction."""
    with engine.begin() as conn:
        delete_insert(conn, table, where, rows)
    return len(rows)


def delete_insert(conn, table: sa.Table, where: Mapping[str, Any], rows) -> None:
    """Delete-then-insert inside the caller's transaction."""
    cond = [table.c[k] == v for k, v in where.items()]
    conn.execute(table.delete().where(*cond))
    if rows:
        conn.execute(table.insert(), [dict(r) for r in rows])


def read_rows(engine: Engine, table: sa.Table, **where: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        stmt = sa.select(table).where(*[table.c[k] == v for k, v in where.items()])
        return [dict(r._mapping) for r in conn.execute(stmt)]


def publish_result(engine: Engine, row: Mapping[str, Any]) -> int | None:
    """Write one indicator_result row; an earlier row whose value changed goes to history.

    Returns the history revision written, if any.
    """
    key = {k: row[k] for k in ("plan_id", "indicator_id", "fiscal_year")}
    with engine.begin() as conn:
        t = indicator_result
        old = conn.execute(sa.select(t).where(*[t.c[k] == v for k, v in key.items()])).first()
        revision = None
        if old is not None and _changed(old._mapping, row):
            h = indicator_result_history
            last = conn.execute(
                sa.select(sa.func.max(h.c.revision)).where(*[h.c[k] == v for k, v in key.items()])
            ).scalar()
            revision = (last or 0) + 1
            old_map = old._mapping
            conn.execute(
                h.insert(),
                [
                    {
                        **key,
                        "revision": revision,
                        **{
                            c: old_map[c]
                            for c in (
                                "value",
                                "value_display",
                                "achieved_on",
                                "is_final",
                                "run_id",
                                "inputs_fingerprint",
                                "computed_at",
                            )
                        },  # fmt: skip
                        "replaced_at": utcnow(),
                    }
                ],
            )
        delete_insert(conn, t, key, [row])
    return revision


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return any(
        old.get(c) != new.get(c) for c in ("value", "value_display", "achieved_on", "is_final")
    )


def table_rows(engine: Engine, name: str, order_by: Iterable[str] = ()) -> list[dict[str, Any]]:
    tbl = metadata.tables[name]
    with engine.connect() as conn:
        stmt = sa.select(tbl).order_by(*[tbl.c[c] for c in order_by])
        return [dict(r._mapping) for r in conn.execute(stmt)]
