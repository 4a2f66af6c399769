"""The domain package imports no Dagster, so its rules are testable and reusable without a run."""

import subprocess
import sys

MODULES = [
    "plan_indicators.catalog", "plan_indicators.fiscal", "plan_indicators.seasons",
    "plan_indicators.targets", "plan_indicators.business_days", "plan_indicators.measures",
    "plan_indicators.sources.readers", "plan_indicators.warehouse", "plan_indicators.report",
    "plan_indicators.staging", "plan_indicators.formatting", "plan_indicators.report.formats.html",
    "plan_indicators.drafting",
]  # fmt: skip


def test_domain_modules_do_not_import_dagster():
    code = (
        "import sys, importlib\n"
        f"for m in {MODULES!r}: importlib.import_module(m)\n"
        "from plan_indicators.measures import registry; registry()\n"
        "from plan_indicators.report import renderers; renderers()\n"
        "bad = sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
