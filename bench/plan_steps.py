"""Benchmark of the plan steps (issue 14): code-location load time and `plan-indicators run`.

- **load**: a fresh interpreter imports `orchestration.definitions` and resolves the asset
  graph, for a catalog of 2 plans (the committed ones) and of 32 (16 copies of each under other
  ids); side by side with a bare `import dagster` in a fresh interpreter, the floor every code
  location pays.
- **run**: `plan-indicators run` on a fresh `plan-indicators sample-data` landing zone (both
  plans, every year), wall time of the whole command in a fresh interpreter, from an empty
  staging folder, warehouse and Dagster instance.

`--repo DIR` measures another checkout with this interpreter (for instance the commit before
a change, from `git worktree add`), so that before and after run on the same machine in one
sitting, alternating. Prints JSON; `--out FILE` also writes the Markdown table.

    .venv/bin/python -m bench.plan_steps --repo /tmp/before --out bench/results.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Plan steps: code location and whole run"
KEY = "bench-key-not-secret"
LOAD = (
    "import time; t = time.perf_counter()\n"
    "import orchestration.definitions as d\n"
    "n = len(d.defs.resolve_asset_graph().get_all_asset_keys())\n"
    "print(time.perf_counter() - t, n)\n"
)
BARE = "import time; t = time.perf_counter()\nimport dagster\nprint(time.perf_counter() - t, 0)\n"


def plan_copies(n: int, dest: Path) -> Path:
    """A catalog folder of `n` plans: the committed ones, then copies of them under new ids."""
    dest.mkdir(parents=True, exist_ok=True)
    files = sorted((ROOT / "data" / "plans").glob("*.yaml"))
    for i in range(n):
        src = files[i % len(files)]
        text = src.read_text("utf-8")
        copy = i // len(files)
        if copy:
            text = re.sub(r"(?m)^(  id: )([a-z0-9-]+)$", rf"\g<1>c{copy:02d}-\g<2>", text, count=1)
        (dest / f"{copy:02d}-{src.name}").write_text(text, "utf-8")
    return dest


def _python(code: str, repo: Path, env: dict[str, str]) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, keys = out.stdout.split()[-2:]
    return float(seconds), int(keys)


def load_seconds(repo: Path, plans: Path, home: Path) -> tuple[float, int]:
    env = {"PLAN_INDICATORS_PLANS_DIR": str(plans), "PLAN_INDICATORS_HOME": str(home)}
    return _python(LOAD, repo, env)


def bare_seconds(repo: Path) -> float:
    return _python(BARE, repo, {})[0]


def run_seconds(repo: Path, landing: Path, work: Path) -> tuple[float, str]:
    """Wall time of `plan-indicators run` from nothing staged, and its `split:` line."""
    if work.exists():
        shutil.rmtree(work)
    (work / "home").mkdir(parents=True)
    (work / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    argv = [
        "run", "--landing", str(landing), "--warehouse", f"sqlite:///{work / 'w.sqlite'}",
        "--staging", str(work / "staging"), "--as-of", "2026-11-01",
        "--report", str(work / "report.html"),
    ]  # fmt: skip
    code = f"import sys\nfrom orchestration.cli import main\nsys.exit(main({argv!r}))\n"
    env = {
        **os.environ,
        "PYTHONPATH": str(repo),
        "PLAN_INDICATORS_PSEUDONYM_KEY": KEY,
        "DAGSTER_HOME": str(work / "home"),
        "PLAN_INDICATORS_HOME": str(work),
    }
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    split = next((line for line in out.stdout.splitlines() if line.startswith("split:")), "")
    if out.returncode not in (0, 1):
        raise RuntimeError(out.stdout[-2000:] + out.stderr[-2000:])
    return seconds, split


def measure(repos: dict[str, Path], copies: list[int], runs: int, repeat: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-plan-steps-"))
    try:
        landing = tmp / "landing"
        subprocess.run(
            [sys.executable, "-c", "from orchestration.cli import main; "
             f"main(['sample-data', '--out', {str(landing)!r}])"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        catalogs = {n: plan_copies(n, tmp / f"plans{n}") for n in copies}
        out: dict = {"load": {}, "run": {}, "bare_import_dagster": []}
        for _ in range(repeat):  # alternate the checkouts, every round
            out["bare_import_dagster"].append(bare_seconds(ROOT))
            for name, repo in repos.items():
                for n, plans in catalogs.items():
                    seconds, keys = load_seconds(repo, plans, tmp / "home")
                    entry = out["load"].setdefault(f"{name}/{n}", {"seconds": [], "keys": keys})
                    entry["seconds"].append(seconds)
        for _ in range(runs):
            for name, repo in repos.items():
                seconds, split = run_seconds(repo, landing, tmp / f"run-{name}")
                entry = out["run"].setdefault(name, {"seconds": [], "split": split})
                entry["seconds"].append(seconds)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def markdown(result: dict) -> str:
    med = statistics.median
    lines = [
        SECTION,
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')} with "
        "`python -m bench.plan_steps` (median of the rounds; checkouts alternating). "
        f"Floor: a bare `import dagster` in a fresh interpreter, "
        f"{med(result['bare_import_dagster']):.2f} s.",
        "",
        "| checkout | plans | asset keys | code location load (s) | ratio to `import dagster` |",
        "|---|---:|---:|---:|---:|",
    ]
    bare = med(result["bare_import_dagster"])
    for label, entry in result["load"].items():
        name, n = label.split("/")
        s = med(entry["seconds"])
        lines.append(f"| {name} | {n} | {entry['keys']:,} | {s:.2f} | {s / bare:.2f} |")
    lines += [
        "",
        "`plan-indicators run` on `plan-indicators sample-data` (both plans, every year, from "
        "nothing staged):",
        "",
        "| checkout | wall time (s) | runs | split printed by `run` (last run) |",
        "|---|---:|---:|---|",
    ]
    for name, entry in result["run"].items():
        split = entry["split"].removeprefix("split: ")
        lines.append(
            f"| {name} | {med(entry['seconds']):.1f} | {len(entry['seconds'])} | {split} |"
        )
    return "\n".join(lines) + "\n"


def write_section(out: Path, text: str, section: str = SECTION) -> None:
    """Replace a benchmark's section of `out` (or append it), leaving the others."""
    old = out.read_text("utf-8") if out.exists() else ""
    if section in old:
        head, _, rest = old.partition(section)
        tail = rest[rest.find("\n## ") :] if "\n## " in rest else ""
        old = head.rstrip() + "\n\n" + text + tail
    else:
        old = (old.rstrip() + "\n\n" if old.strip() else "") + text
    out.write_text(old, "utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", action="append", default=[], help="another checkout to compare")
    ap.add_argument("--copies", type=int, action="append", help="plans in the catalog (2, 32)")
    ap.add_argument("--runs", type=int, default=1, help="whole runs per checkout")
    ap.add_argument("--repeat", type=int, default=3, help="load rounds per checkout")
    ap.add_argument("--out", help="Markdown file to write the section into")
    args = ap.parse_args(argv)
    repos = {f"other ({Path(r).name})": Path(r).resolve() for r in args.repo}
    repos["this checkout"] = ROOT
    result = measure(repos, args.copies or [2, 32], args.runs, args.repeat)
    print(json.dumps(result, indent=1))
    if args.out:
        write_section(Path(args.out), markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
