"""Sources are declared once, one module each, and the registry refuses a bad declaration by
naming its module.

Broken declarations run in a subprocess on a temporary copy of the `plan_indicators` package,
so the real package is never touched and the copy's registry starts empty.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import plan_indicators
from plan_indicators.sources.contracts import CONTRACTS, DAILY_SOURCES, SOURCES, WEB
from plan_indicators.sources.declared import declared

PACKAGE = Path(plan_indicators.__file__).resolve().parent
CONTRACTS_DOC = PACKAGE.parent / "docs" / "contracts.md"

PROBE = (
    "import plan_indicators\n"
    "from plan_indicators.sources.contracts import SOURCES\n"
    "print(plan_indicators.__file__, ' '.join(SOURCES))\n"
)


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "plan_indicators", ignore=shutil.ignore_patterns("*.pyc"))
    return tmp_path / "plan_indicators" / "sources" / "declared"


def _run(tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_every_source_is_listed_in_its_contract_section_order():
    heading = re.compile(r"^#### (\d+(?:\.\d+)*) `(\w+)`", re.M)
    sections = {name: number for number, name in heading.findall(CONTRACTS_DOC.read_text("utf-8"))}
    for name, contract in CONTRACTS.items():
        assert sections.get(name) == contract.section, name
    order = [tuple(int(p) for p in CONTRACTS[s].section.split(".")) for s in SOURCES]
    assert order == sorted(order)
    assert SOURCES[0] == WEB
    assert set(DAILY_SOURCES) == {WEB, "facebook_posts", "facebook_post_topics"}


def test_every_declaration_has_its_generator_and_a_stream_of_its_own():
    streams = [d.stream for d in declared().values() if d.stream is not None]
    assert len(streams) == len(set(streams))
    for name, d in declared().items():
        assert d.module == f"plan_indicators.sources.declared.{name}"
        assert callable(d.sample)
    # The tagging of posts follows the drawn posts rather than drawing its own.
    assert declared()["facebook_post_topics"].stream is None


def test_the_web_source_is_named_by_one_constant():
    """Code that means the web source says `WEB`; only its declaration spells the name."""
    spelled = [
        str(path.relative_to(PACKAGE.parent))
        for folder in ("plan_indicators", "assets", "orchestration", "expectations", "resources")
        for path in sorted((PACKAGE.parent / folder).rglob("*.py"))
        if f'"{WEB}"' in path.read_text("utf-8") or f"'{WEB}'" in path.read_text("utf-8")
    ]
    assert spelled == ["plan_indicators/sources/declaration.py"]


def _bad(tmp_path: Path, name: str, text: str) -> str:
    (_copy(tmp_path) / f"{name}.py").write_text(text, encoding="utf-8")
    out = _run(tmp_path)
    assert out.returncode != 0, out.stdout
    return out.stderr


HEAD = (
    "from plan_indicators.sources.declaration import Column, Reference, SourceContract\n"
    "SAMPLE_STREAM = 99\n"
)


def test_a_missing_sample_generator_names_the_module(tmp_path):
    err = _bad(
        tmp_path,
        "toy_missing",
        HEAD + "CONTRACT = SourceContract('toy_missing', 'x', (Column('a'),), section='4.7.90')\n",
    )
    assert "SourceModuleError: source module plan_indicators.sources.declared.toy_missing" in err
    assert "no sample generator" in err


def test_a_module_that_cannot_be_imported_is_named(tmp_path):
    err = _bad(tmp_path, "toy_broken", "import plan_indicators_no_such_dependency\n")
    assert "source module plan_indicators.sources.declared.toy_broken" in err
    assert "plan_indicators_no_such_dependency" in err


def test_a_contract_named_unlike_its_module_is_refused(tmp_path):
    err = _bad(
        tmp_path,
        "toy_named",
        HEAD + "CONTRACT = SourceContract('other', 'x', (Column('a'),), section='4.7.90')\n"
        "def sample(ctx):\n    return []\n",
    )
    assert "toy_named: CONTRACT is named 'other'" in err


def test_a_reference_to_an_undeclared_column_is_refused(tmp_path):
    err = _bad(
        tmp_path,
        "toy_ref",
        HEAD + "CONTRACT = SourceContract('toy_ref', 'x', (Column('a'),), section='4.7.90',\n"
        "    references={'a': Reference('service_requests', 'nope', 'unknown_a')})\n"
        "def sample(ctx):\n    return []\n",
    )
    assert "toy_ref: 'a' references service_requests.nope, not declared" in err


def test_a_key_on_an_unknown_column_and_a_shared_stream_are_refused(tmp_path):
    err = _bad(
        tmp_path,
        "toy_key",
        HEAD + "CONTRACT = SourceContract('toy_key', 'x', (Column('a'),), key=('b',),\n"
        "    section='4.7.90')\ndef sample(ctx):\n    return []\n",
    )
    assert "toy_key: key, date_column or references name unknown columns ['b']" in err
    err = _bad(
        tmp_path / "again",
        "toy_stream",
        HEAD.replace("99", "3")
        + "CONTRACT = SourceContract('toy_stream', 'x', (Column('a'),), section='4.7.90')\n"
        "def sample(ctx):\n    return []\n",
    )
    assert "SAMPLE_STREAM 3 is already service_requests's" in err
