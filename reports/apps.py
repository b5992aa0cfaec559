from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Management information (issue 22): the figures an authority reads about itself, and the
    Party's aggregate report (Art. 20.1, 32). Reads every app below it and changes none of
    them: its only writes are the audit events of its downloads."""

    name = "reports"
    verbose_name = _("Management information")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import reports.figure_risk
        import reports.figure_sources  # noqa: F401  (the pages register themselves)
        from licensing.signals import demo_loaded
        from reports.glances import register

        demo_loaded.connect(_demo_loaded, dispatch_uid="reports.demo_loaded")
        register()


def _demo_loaded(sender: object, **kwargs: object) -> None:
    """The demo's two years of applications, summed for the management pages at once."""
    import datetime as dt

    from django.utils import timezone

    from reports import case_flow, figures, glances

    today = timezone.localdate()
    for month in case_flow.months(today - dt.timedelta(days=730), today):
        case_flow.refresh_month(month)
    figures.refresh_range(today - dt.timedelta(days=730), today)
    figures.refresh_snapshots(today)  # the licensees' risk, scored by due diligence's receiver
    glances.snapshot(today)
