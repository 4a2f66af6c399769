"""The order of the ingestion run's steps, set with `dagster/priority` op tags (among the steps
ready, the in-process executor runs the highest priority first), never by extra dependencies.

The run keeps both cores busy: the command reads and stages, `run`'s Great Expectations worker
(expectations/worker.py) validates what was handed to it. The worker is still importing GX when
the run begins, so the small sources are read first (their raw suites wait in the worker's
queue); web analytics' raw inventory, which needs no suite, is read while the worker validates
them; then each raw suite's check takes its answer and the source is staged, its staging suite
handed over in turn; the web's DuckDB staging goes on while the worker validates those, and the
staging suites' checks come last.
"""

RAW_FIRST = {"dagster/priority": "4"}
WEB_RAW = {"dagster/priority": "3"}
STAGED_NEXT = {"dagster/priority": "2"}
"""A raw suite's check, and the staging of its source once the check has passed."""
WEB_STAGING = {"dagster/priority": "1"}
LATER = {"dagster/priority": "-1"}
"""The staging suites' checks, whose answers the worker gives last."""
