"""Fixtures of the licensing tests: the worker subprocesses on a private Redis."""

from tests.licensing.worker_processes import cluster  # noqa: F401 (a fixture)
