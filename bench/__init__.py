"""Benchmarks of the pipeline (`plan-indicators bench`, `make bench`); their results are the
Markdown and SVG files of this folder. Speed is measured here, never in unit tests."""
