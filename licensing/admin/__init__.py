"""The officers' admin. Every decision button and every edit goes through a service."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from licensing.admin import (  # noqa: F401 (register)
    applications,
    batches,
    licences,
    parties,
    records,
)

admin.site.site_header = settings.AUTHORITY_NAME
admin.site.site_title = _("Licensing")
admin.site.index_title = _("Case management")
# The officers' dashboard above the list of models (licensing/dashboard.py).
admin.site.index_template = "admin/licensing/index.html"
