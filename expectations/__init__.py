"""Great Expectations suites (versioned JSON in `suites/`) and the Dagster checks built from them.

`great_expectations` is imported lazily, inside the runner, so loading the code location stays fast.
"""
