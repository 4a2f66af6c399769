"""Definitions, jobs, schedules, sensors and the `plan-indicators` command line."""
