"""What licensees' reports add to the running system: the adverse source of the related-party
check and the officer queue in the admin."""

from __future__ import annotations


def connect() -> None:
    from duediligence import reports_admin  # noqa: F401  (registers the report queue)
    from duediligence.report_source import ReportedCounterparties
    from duediligence.sources import register_source

    # Art. 7.1(c), 10.1(a): accepted licensees' reports feed the related-party check.
    register_source(ReportedCounterparties())
