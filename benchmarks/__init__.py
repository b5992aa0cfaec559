"""Benchmarks of ``make bench``: ``python -m benchmarks`` and ``-m benchmarks.screening``."""
