"""The holder's returns pages, under /portal/returns/."""

from django.urls import path

from returns import portal

app_name = "returns"
urlpatterns = [
    path("portal/returns/", portal.period_list, name="periods"),
    path("portal/returns/template.csv", portal.upload_template, name="template"),
    path("portal/returns/<int:period_id>/", portal.period_detail, name="period"),
    path("portal/returns/<int:period_id>/file/", portal.file_form, name="file"),
    path("portal/returns/<int:period_id>/upload/", portal.upload, name="upload"),
    path("portal/returns/<int:period_id>/upload/<str:token>/", portal.dry_run, name="dry_run"),
]
