"""The holder's transit notices, under /portal/transit/ (Art. 12.3)."""

from django.urls import path

from cooperation import portal

app_name = "cooperation"
urlpatterns = [
    path("portal/transit/", portal.transit_list, name="transits"),
    path("portal/transit/new/", portal.transit_new, name="transit_new"),
    path("portal/transit/<uuid:public_id>/", portal.transit_detail, name="transit"),
]
