"""What licensees' reports and the network view add to the running system: the adverse source
of the related-party check, the officer queue in the admin, and the link to a party's network
from the application's and the party's admin pages."""

from __future__ import annotations


def connect() -> None:
    from duediligence import reports_admin  # noqa: F401  (registers the report queue)
    from duediligence.network_admin import network_panel
    from duediligence.report_source import ReportedCounterparties
    from duediligence.sources import register_source
    from licensing.admin.panels import register_panel

    # Art. 7.1(c), 10.1(a): accepted licensees' reports feed the related-party check.
    register_source(ReportedCounterparties())
    # Art. 7.2(a), 14.1(g): the customers a licensee recorded must hold a licence.
    from duediligence.recorded_customers import recorded_customers
    from duediligence.screening import register_counterparty_provider

    register_counterparty_provider(recorded_customers)
    register_panel("licensing.party", network_panel)
    register_panel("licensing.application", network_panel)
