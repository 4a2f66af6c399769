"""A throwaway PostgreSQL database per test session, on the server at 127.0.0.1:5432.

Locally a missing server skips the tests that need it; under CI (CI=true) it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

ADMIN_URL = os.environ.get(
    "PLAN_INDICATORS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
    pytest.skip(reason)


def create_database() -> tuple[str, str]:
    """Create a fresh database; returns (its SQLAlchemy URL, its name)."""
    name = f"pi_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = sa.engine.make_url(ADMIN_URL).set(database=name)
    return url.render_as_string(hide_password=False), name


def drop_database(name: str) -> None:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """URL of an empty PostgreSQL database, dropped after the test."""
    try:
        url, name = create_database()
    except Exception as exc:  # noqa: BLE001 - any connection fault means "no server"
        _unavailable(f"PostgreSQL at {ADMIN_URL} is not reachable: {exc}")
    try:
        yield url
    finally:
        from plan_indicators import warehouse as wh

        engine = wh._ENGINES.pop(url, None)
        if engine is not None:
            engine.dispose()
        drop_database(name)
