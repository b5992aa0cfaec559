from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from duediligence.portal import urls as report_urls
from licensing.csp_report import csp_report
from licensing.portal import urls as portal_urls
from ops.schedules import schedules_view
from reports.figure_views import figure_view, workload_view
from reports.views import case_flow_view, party_report_view
from twofactor import urls as twofactor_urls

# The portal's namespace holds the core's pages and the pages of the apps above it (the
# licensee's reports of due diligence): the project's URL configuration knows every app, the
# core's portal knows none of them (DESIGN.md).
portal_patterns = ([*portal_urls.urlpatterns, *report_urls.urlpatterns], portal_urls.app_name)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Issue 21: the scheduled jobs, read-only for staff (ops/schedules.py).
    path("admin/schedules/", admin.site.admin_view(schedules_view), name="ops-schedules"),
    # Issue 22: the Party's aggregate report (Art. 20), senior officers and auditors.
    path(
        "admin/reports/party-report/",
        admin.site.admin_view(party_report_view),
        name="reports-party-report",
    ),
    path(
        "admin/reports/case-flow/",
        admin.site.admin_view(case_flow_view),
        name="reports-case-flow",
    ),
    path(
        "admin/reports/workload/",
        admin.site.admin_view(workload_view),
        name="reports-workload",
    ),
    path(
        "admin/reports/figures/<slug:slug>/",
        admin.site.admin_view(figure_view),
        name="reports-figure",
    ),
    path("admin/", admin.site.urls),
    path("portal/", include(portal_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The second factor (twofactor app): the second step, enrolment, recovery codes, and the
    # passkey (WebAuthn) endpoints.
    path("account/two-factor/", include("twofactor.urls")),
    path("account/two-factor/passkeys/", include(twofactor_urls.passkey_patterns)),
    # The equipment register's pages: the holder's under /portal/equipment/, the inspector's
    # phone-sized page under /inspect/.
    path("", include("equipment.urls")),
    # Inspections (Art. 6.3(e)): the inspector's pages under /inspect/inspections/, the
    # holder's reports under /portal/inspections/.
    path("", include("inspections.urls")),
    # Periodic returns (Art. 9.1, 9.2): the holder's under /portal/returns/.
    path("", include("returns.urls")),
    # Transit notices (Art. 12.3): the holder's under /portal/transit/.
    path("", include("cooperation.urls")),
    # Browsers report what the Content-Security-Policy refused (settings.py); no log-in.
    path("security/csp-report/", csp_report, name="csp-report"),
    # The API for other authorities (Art. 21): OAuth2 clients only, no session (docs/api.md).
    path("api/v1/", include("api.urls")),
    # Public verification (/verify/) and register (/register/): no log-in.
    path("", include("licensing.verify.urls")),
    # Issue 21: /healthz, /readyz and /metrics (ops/; answered first by its middleware).
    path("", include("ops.urls")),
]
