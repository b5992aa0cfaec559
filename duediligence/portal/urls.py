"""The licensee's reports, in the portal's namespace (``portal``): the root URL configuration
adds these patterns to the portal's own, so the core's portal does not import this app."""

from django.urls import path

from duediligence.portal import views

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/<slug:kind>/", views.report_new, name="report_new"),
    path("reports/<uuid:public_id>/", views.report_detail, name="report_detail"),
]
