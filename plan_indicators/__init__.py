"""Domain library of plan-indicators: calendar, catalog, targets, measures, sources.

Nothing in this package imports Dagster, so every rule is tested without a run.
"""
