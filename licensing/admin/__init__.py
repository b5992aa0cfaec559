"""The officers' admin. Every decision button and every edit goes through a service."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from licensing.admin import (  # noqa: F401 (register)
    applications,
    batches,
    identifiers,
    licences,
    parties,
    records,
)
from licensing.admin.login import OfficerAuthenticationForm

# A username over its length is a form error, still counted by django-axes (licensing.admin.login).
admin.site.login_form = OfficerAuthenticationForm
admin.site.site_header = settings.AUTHORITY_NAME
admin.site.site_title = _("Licensing")
admin.site.index_title = _("Case management")
# The officers' dashboard above the list of models (licensing/dashboard.py).
admin.site.index_template = "admin/licensing/index.html"
