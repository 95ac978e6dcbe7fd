"""Benchmarks on generated national-scale data (docs/benchmarks.md). Run with ``make bench``."""
