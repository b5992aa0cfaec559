from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Management information (issue 22): the figures an authority reads about itself, and the
    Party's aggregate report (Art. 20.1, 32). Reads every app below it and changes none of
    them: its only writes are the audit events of its downloads."""

    name = "reports"
    verbose_name = _("Management information")
    default_auto_field = "django.db.models.BigAutoField"
