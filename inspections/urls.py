"""The inspector's pages under /inspect/inspections/ and the holder's reports in the portal."""

from django.urls import path

from inspections import inspect, portal

app_name = "inspections"
urlpatterns = [
    path("inspect/inspections/", inspect.inspection_list, name="inspect_list"),
    path("inspect/inspections/<uuid:public_id>/", inspect.inspection_detail, name="inspect"),
    path("portal/inspections/<uuid:public_id>/", portal.reports, name="reports"),
]
