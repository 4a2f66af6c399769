"""The Dagster UI in headless Chromium: an indicator of each plan, with its lineage back to the
raw landing folders, and a fiscal year's own status on its partition. The webserver reads the
instance of the session's small OPHQ run (tests/plan_runs.py). With UPDATE_SCREENSHOTS=1 the
screenshots refresh docs/img/ for the README."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img" if os.environ.get("UPDATE_SCREENSHOTS") else None

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INDICATORS = {
    "ophq": ("indicator_result/ophq_2024_2028/i_1_1_2", ["facebook_posts", "facebook_post_topics"]),
    "opq": ("indicator_result/opq_2019_2023/i_1_1_3", ["activity_register"]),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(ophq_run):
    home = ophq_run / "home"
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "PLAN_INDICATORS_HOME": str(home)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster_webserver",
            "-w",
            str(ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read().decode()[-3000:])
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("dagster-webserver did not start within 90 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _dismiss_onboarding(page) -> None:
    """The first visit shows a newsletter prompt over the page; skip it."""
    skip = page.get_by_role("button", name="Skip")
    if skip.count() and skip.first.is_visible():
        skip.first.click()


@pytest.mark.parametrize("plan", sorted(INDICATORS))
def test_indicator_lineage_reaches_raw_sources(webserver, chromium_browser, plan, tmp_path):
    key, sources = INDICATORS[plan]
    page = chromium_browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(f"{webserver}/assets/{key}", wait_until="networkidle")
        _dismiss_onboarding(page)
        page.get_by_text("Enjeu", exact=False).first.wait_for(timeout=30000)
        page.goto(
            f"{webserver}/assets/{key}?view=lineage&lineageScope=upstream&lineageDepth=4",
            wait_until="networkidle",
        )
        _dismiss_onboarding(page)
        for source in sources:
            page.get_by_text(source, exact=True).first.wait_for(timeout=30000)
            # Two nodes carry the source's name: staging/<source> and, upstream, raw/<source>.
            assert page.get_by_text(source, exact=True).count() >= 2, source
        folder = IMG or tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        name = "ui-lineage.png" if plan == "ophq" else f"ui-lineage-{plan}.png"
        page.screenshot(path=str(folder / name))
        assert (folder / name).stat().st_size > 10_000
    finally:
        page.close()


EVALUATION = "indicator_evaluation/ophq_2024_2028/i_3_1_1"
# By hand (tests/plan_runs.py): 3.1.1 is 75 % in 2024-2025 (first measure), 50 % in 2025-2026
# against 75 + 2 = 77 points, and 2027-2028 has not begun.
OWN_STATUS = {"2024-2025": "Mesure de départ", "2025-2026": "Non atteinte", "2027-2028": "À venir"}


def _metadata_value(page, label: str) -> str:
    """The value shown next to a metadata entry's label in the materialization panel."""
    row = page.locator("tr", has=page.get_by_text(label, exact=True)).first
    row.wait_for(timeout=30000)
    return row.locator("td").nth(1).inner_text().strip()


def test_a_partition_shows_its_own_status(webserver, chromium_browser, tmp_path):
    page = chromium_browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        for fy, status in OWN_STATUS.items():
            page.goto(
                f"{webserver}/assets/{EVALUATION}?view=partitions&partition={fy}",
                wait_until="networkidle",
            )
            _dismiss_onboarding(page)
            assert _metadata_value(page, "status") == status, fy
            assert _metadata_value(page, "dagster/row_count") == "1", fy
        page.screenshot(path=str(tmp_path / "partition.png"))
    finally:
        page.close()
